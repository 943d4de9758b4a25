package funds

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
)

// auditCount counts the audit lines of an action on an object type.
func auditCount(t *testing.T, d *db.DB, action, objectType string) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = ? AND object_type = ?`, action, objectType).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A report is checked against the caller's jurisdiction and the rules of a
// case before anything is stored: each rule answers its own error, which
// wraps domain.ErrInvalid, and names what to correct.
func TestNewCaseFromReportRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newCaseWorld(t, d)
		village := area.Node{ParentID: w.stA.ID, Level: area.Town, Code: "A1", Name: "石桥镇"}
		if err := area.Create(ctx, d, &village); err != nil {
			t.Fatal(err)
		}
		at := rt0
		transfer := func(tr ReportedTransfer) CaseReport {
			return CaseReport{AreaID: w.stA.ID, Victims: []ReportedVictim{{Name: "甲", Transfers: []ReportedTransfer{tr}}}}
		}
		for _, c := range []struct {
			name  string
			scope area.Node
			in    CaseReport
			want  error
			words string // in the message
		}{
			{"another station's area", w.stA, CaseReport{AreaID: w.stB.ID, Victims: []ReportedVictim{{Name: "甲", LossFen: 100}}}, ErrCaseArea, "不在您的辖区内"},
			{"an area that does not exist", w.root, CaseReport{AreaID: 99999, Victims: []ReportedVictim{{Name: "甲", LossFen: 100}}}, ErrCaseArea, "辖区 99999"},
			{"the county itself (no station)", w.root, CaseReport{Victims: []ReportedVictim{{Name: "甲", LossFen: 100}}}, ErrCaseArea, "不属于任何派出所"},
			{"no victim", w.stA, CaseReport{AreaID: w.stA.ID}, ErrNoVictim, "至少登记一名受害人"},
			{"amount not a number", w.stA, transfer(ReportedTransfer{At: at, ToAccount: "6222", Amount: "很多"}), ErrTransferAmount, "第 1 名受害人第 1 笔转账金额"},
			{"no time", w.stA, transfer(ReportedTransfer{ToAccount: "6222", AmountFen: 100}), ErrTransferTime, "缺少时间"},
			{"no receiving account", w.stA, transfer(ReportedTransfer{At: at, ToAccount: "  ", AmountFen: 100}), ErrTransferAccount, "缺少收款账号"},
			{"a station's own village", w.stA, CaseReport{AreaID: village.ID, Victims: []ReportedVictim{{Name: "甲", LossFen: 100}}}, nil, ""},
			{"the caller's own station by default", w.stA, CaseReport{Victims: []ReportedVictim{{Name: "甲", LossFen: 100}}}, nil, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				nc, err := NewCaseFromReport(ctx, d, c.scope, 7, c.in)
				if c.want == nil {
					if err != nil {
						t.Fatal(err)
					}
					if nc.StationID != w.stA.ID || nc.InvestigatorID != 7 {
						t.Errorf("station %d investigator %d, want %d and 7", nc.StationID, nc.InvestigatorID, w.stA.ID)
					}
					return
				}
				if !errors.Is(err, c.want) || !errors.Is(err, domain.ErrInvalid) || !strings.Contains(err.Error(), c.words) {
					t.Errorf("error %v, want %v (invalid) saying %q", err, c.want, c.words)
				}
			})
		}
	})
}

// The report's text is cleaned, the bank is read from the card number when
// not given, yuan amounts are parsed, and the classifier names the fraud
// type when the officer did not.
func TestNewCaseFromReportFills(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newCaseWorld(t, d)
		in := CaseReport{Summary: "  对方自称公安局民警，称我涉嫌洗钱，要求转账到安全账户  ", Victims: []ReportedVictim{{Name: " 甲 ",
			Transfers: []ReportedTransfer{{At: rt0, ToAccount: "6222 0200 1111 2222", Amount: "1,234.50"}}}}}
		nc, err := NewCaseFromReport(context.Background(), d, w.stA, 1, in)
		if err != nil {
			t.Fatal(err)
		}
		tr := nc.Victims[0].Transfers[0]
		if nc.Victims[0].Name != "甲" || tr.ToAccount != "6222020011112222" || tr.AmountFen != 123450 {
			t.Errorf("victim %q transfer %+v", nc.Victims[0].Name, tr)
		}
		if tr.ToBank != CardBank("6222020011112222") || tr.ToBank == "" {
			t.Errorf("bank %q, want the card's bank %q", tr.ToBank, CardBank("6222020011112222"))
		}
		if nc.FraudType == "" || nc.FraudType != SuggestFraudType(strings.TrimSpace(in.Summary)) {
			t.Errorf("fraud type %q, want the classifier's %q", nc.FraudType, SuggestFraudType(in.Summary))
		}
	})
}

// Opening a case stores it for the caller's station with the caller as
// investigator and audits it; a refused report stores and audits nothing.
func TestOpenCase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newCaseWorld(t, d)
		who := auth.AuditEntry{Username: "inv", Role: auth.RoleInvestigator}
		if _, err := OpenCase(ctx, d, w.stA, who, CaseReport{AreaID: w.stB.ID, Victims: []ReportedVictim{{Name: "甲", LossFen: 100}}}, rt0); !errors.Is(err, ErrCaseArea) {
			t.Fatalf("another station's area: %v", err)
		}
		if n := auditCount(t, d, auth.AuditCreate, "case"); n != 0 {
			t.Fatalf("a refused report left %d audit lines", n)
		}
		oc, err := OpenCase(ctx, d, w.stA, who, CaseReport{FraudType: "police", Victims: []ReportedVictim{{Name: "甲",
			Transfers: []ReportedTransfer{{At: rt0, ToAccount: "6217X", AmountFen: 5000}}}}}, rt0)
		if err != nil {
			t.Fatal(err)
		}
		if oc.ID == 0 || !strings.HasPrefix(oc.CaseNo, "AJ2026-") || oc.FraudType != "police" {
			t.Errorf("opened %+v", oc)
		}
		c, err := GetCase(ctx, d, w.stA, oc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.LossFen != 5000 || len(c.Transfers) != 1 || c.StationID != w.stA.ID {
			t.Errorf("stored case %+v", c)
		}
		if _, err := GetCase(ctx, d, w.stB, oc.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("station B reads station A's new case: %v", err)
		}
		if n := auditCount(t, d, auth.AuditCreate, "case"); n != 1 {
			t.Errorf("%d audit lines for the new case, want 1", n)
		}
	})
}

// A case's links (related cases) are read only in the caller's
// jurisdiction: another station's case is not found.
func TestCaseLinksScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newCaseWorld(t, d)
		a := w.newCase(t, w.stA, rt0, victim("甲", "6222A", "6217SHARED", 100_000, rt0))
		b := w.newCase(t, w.stB, rt0.Add(time.Hour), victim("乙", "6222B", "6217SHARED", 50_000, rt0))
		for name, err := range map[string]error{
			"links":   func() error { _, err := CaseLinks(ctx, d, w.stA, b, auth.Masker{}); return err }(),
			"related": func() error { _, err := RelatedCases(ctx, d, w.stA, b); return err }(),
		} {
			if !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("%s of another station's case: %v, want not found", name, err)
			}
		}
		l, err := CaseLinks(ctx, d, w.stA, a, auth.Masker{})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Related) != 1 || l.Related[0].ID != b || l.Related[0].Visible || l.Related[0].LossFen != 0 {
			t.Errorf("related %+v, want station B's case shown by number only", l.Related)
		}
	})
}

func TestReceivingAccounts(t *testing.T) {
	for _, c := range []struct {
		name string
		to   []string
		want []string
	}{
		{"none", nil, nil},
		{"each once, in transfer order", []string{"B", "A", "B", "C", "A"}, []string{"B", "A", "C"}},
	} {
		var cs Case
		for _, a := range c.to {
			cs.Transfers = append(cs.Transfers, Transfer{ToAccount: a})
		}
		got := cs.ReceivingAccounts()
		if strings.Join(got, ",") != strings.Join(c.want, ",") || len(got) != len(c.want) {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
