package intel

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
)

// A label names an account of the caller's jurisdiction by id, or a subject
// by kind and number; another station's account is not found and nothing
// is stored; the rules of SetLabel hold.
func TestLabel(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := buildStoreWorld(t, d)
		if _, _, err := Rescore(ctx, d, time.Now()); err != nil {
			t.Fatal(err)
		}
		all, err := WatchList(ctx, d, w.root, WatchFilter{Kind: KindAccount})
		if err != nil {
			t.Fatal(err)
		}
		id := map[string]int64{}
		for _, s := range all {
			id[s.Subject] = s.ID
		}
		if id["M1"] == 0 || id["M2"] == 0 {
			t.Fatalf("accounts M1 and M2 not scored: %v", id)
		}
		who := auth.AuditEntry{Username: "analyst", Role: auth.RoleAnalyst}
		labels := func() int {
			var n int
			if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM intel_labels`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		for _, c := range []struct {
			name string
			in   LabelInput
			want error
		}{
			{"another station's account", LabelInput{AccountID: id["M2"], Label: LabelMule}, domain.ErrNotFound},
			{"a label that is not one", LabelInput{AccountID: id["M1"], Label: "maybe"}, domain.ErrInvalid},
			{"a kind that is not one", LabelInput{Kind: "email", Subject: "x@example.com", Label: LabelMule}, domain.ErrInvalid},
			{"no subject", LabelInput{Label: LabelMule}, domain.ErrInvalid},
		} {
			if err := Label(ctx, d, w.stA, who, c.in, time.Now()); !errors.Is(err, c.want) {
				t.Errorf("%s: %v, want %v", c.name, err, c.want)
			}
		}
		if n := labels(); n != 0 {
			t.Fatalf("refused labels stored %d rows", n)
		}
		if err := Label(ctx, d, w.stA, who, LabelInput{AccountID: id["M1"], Label: LabelMule, Note: "流水核实"}, time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := Label(ctx, d, w.stA, who, LabelInput{Kind: KindPhone, Subject: " 17000000009 ", Label: LabelCleared}, time.Now()); err != nil {
			t.Fatal(err)
		}
		var subject, kind string
		if err := d.QueryRow(ctx, `SELECT kind, subject FROM intel_labels WHERE label = ?`, LabelMule).Scan(&kind, &subject); err != nil {
			t.Fatal(err)
		}
		if kind != KindAccount || subject != "M1" || labels() != 2 {
			t.Errorf("stored %s %s (%d labels)", kind, subject, labels())
		}
	})
}
