package funds

import (
	"context"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
)

// A county with two stations and a bank, for the case tests.

var rt0 = time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)

type caseWorld struct {
	d         *db.DB
	root, stA area.Node
	stB       area.Node
	bank      int64
	who       auth.AuditEntry
}

func newCaseWorld(t *testing.T, d *db.DB) *caseWorld {
	t.Helper()
	ctx := context.Background()
	w := &caseWorld{d: d, who: auth.AuditEntry{Username: "inv", Role: auth.RoleInvestigator}}
	w.root = area.Node{Level: area.County, Code: "C", Name: "云溪县"}
	w.stA = area.Node{Level: area.Station, Code: "A", Name: "青石派出所"}
	w.stB = area.Node{Level: area.Station, Code: "B", Name: "城关派出所"}
	if err := area.Create(ctx, d, &w.root); err != nil {
		t.Fatal(err)
	}
	w.stA.ParentID, w.stB.ParentID = w.root.ID, w.root.ID
	if err := area.Create(ctx, d, &w.stA); err != nil {
		t.Fatal(err)
	}
	if err := area.Create(ctx, d, &w.stB); err != nil {
		t.Fatal(err)
	}
	if err := d.QueryRow(ctx, `INSERT INTO units (kind, code, name, created_at) VALUES ('bank','B1','工商银行',0) RETURNING id`).Scan(&w.bank); err != nil {
		t.Fatal(err)
	}
	return w
}

// newCase opens a case in station st; each victim pays amount into account.
func (w *caseWorld) newCase(t *testing.T, st area.Node, reported time.Time, victims ...NewVictim) int64 {
	t.Helper()
	id, _, err := CreateCase(context.Background(), w.d, NewCase{AreaID: st.ID, StationID: st.ID, FraudType: "police", ReportedAt: reported, Victims: victims}, reported)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func victim(name, from, to string, fen int64, at time.Time) NewVictim {
	return NewVictim{Name: name, Transfers: []NewTransfer{{At: at, FromAccount: from, ToAccount: to, AmountFen: fen}}}
}
