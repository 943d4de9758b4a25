package funds

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/trace"
)

// A case's trace is computed only in the caller's jurisdiction, only for a
// case with losing transfers; its nodes are named by opaque ids and masked
// labels, and an explanation names a node by that id.
func TestTraceCaseInScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newCaseWorld(t, d)
		a := w.newCase(t, w.stA, rt0, victim("甲", "6222000011110000", "6217000022223333", 100_000, rt0))
		b := w.newCase(t, w.stB, rt0, victim("乙", "6222000011119999", "6217000022224444", 100_000, rt0))
		empty, _, err := CreateCase(ctx, d, NewCase{AreaID: w.stA.ID, StationID: w.stA.ID, Victims: []NewVictim{{Name: "丙", LossFen: 100}}}, rt0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := TraceCaseInScope(ctx, d, w.stA, b, trace.Options{}); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("another station's case: %v, want not found", err)
		}
		if _, err := TraceCaseInScope(ctx, d, w.stA, empty, trace.Options{}); !errors.Is(err, ErrNoTransfers) || !errors.Is(err, domain.ErrInvalid) ||
			!strings.Contains(err.Error(), "没有登记被骗转账") {
			t.Errorf("a case without transfers: %v, want ErrNoTransfers", err)
		}
		ct, err := TraceCaseInScope(ctx, d, w.stA, a, trace.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var leaf string // no statement is loaded: the money ends at the receiving account (a leaf)
		for _, n := range ct.Result.Nodes {
			id := ct.ViewID(n.ID)
			if !strings.HasPrefix(id, "n") || strings.Contains(id, "6217") {
				t.Errorf("node %s has view id %q, want an opaque n…", n.ID, id)
			}
			label := ct.Label(n, auth.Masker{})
			if strings.Contains(label, "6217000022223333") {
				t.Errorf("label %q shows the full card number", label)
			}
			if n.Kind == "leaf" {
				leaf = id
				if !strings.Contains(label, auth.MaskCard("6217000022223333")) {
					t.Errorf("leaf label %q, want the masked account", label)
				}
			}
			if n.Kind == "victim" && label != "受害人 甲" {
				t.Errorf("victim label %q", label)
			}
		}
		if leaf == "" {
			t.Fatal("no leaf in the trace")
		}
		vid := ct.Case.Victims[0].ID
		ex, err := ct.ExplainNode(leaf, vid, auth.Masker{})
		if err != nil {
			t.Fatal(err)
		}
		if ex.AmountFen != 100_000 || ex.VictimName != "甲" || !strings.Contains(ex.Text, "1,000.00 元在此终止追踪") || strings.Contains(ex.Text, "6217000022223333") {
			t.Errorf("explanation %+v", ex)
		}
		if _, err := ct.ExplainNode("n999", vid, auth.Masker{}); !errors.Is(err, ErrTraceNode) || !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("unknown node: %v, want ErrTraceNode", err)
		}
	})
}
