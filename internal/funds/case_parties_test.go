package funds

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/trace"
	"github.com/fanzha/fanzha/internal/zone"
)

func ptr[T any](v T) *T { return &v }

// partyWorld: a case in station A whose victim 甲 paid 5,000 yuan from V1
// into A1; A1's statement sends 3,000 on to B1. A2's statement (not yet in
// the case) receives 2,000 from V1 and sends it all to C9.
func partyWorld(t *testing.T, d *db.DB) (*caseWorld, int64, time.Time) {
	t.Helper()
	ctx := context.Background()
	w := newCaseWorld(t, d)
	rep, err := ImportStatement(ctx, d, "a.csv", strings.NewReader("账号,交易时间,交易金额,对方账号,摘要\n"+
		"A1000001,2026-10-01 10:00:00,5000.00,V1000001,转账\nA1000001,2026-10-01 11:00:00,-3000.00,B1000001,转账\n"+
		"A2000002,2026-10-02 09:00:00,2000.00,V1000001,转账\nA2000002,2026-10-02 09:30:00,-2000.00,C9000009,转账\n"), ImportOptions{Mapping: "signed"})
	if err != nil || rep.Bad > 0 {
		t.Fatalf("import: %v %+v", err, rep.Errors)
	}
	at := time.Date(2026, 10, 1, 10, 0, 0, 0, zone.Shanghai)
	id := w.newCase(t, w.stA, at, victim("甲", "V1000001", "A1000001", 500_000, at))
	return w, id, at
}

func hasNode(res trace.Result, account string) bool {
	for _, n := range res.Nodes {
		if n.Account == account || n.Kind == "leaf" && n.Counter == account {
			return true
		}
	}
	return false
}

func losses(t *testing.T, d *db.DB, caseID int64) (caseLoss int64, victims map[string]int64) {
	t.Helper()
	ctx := context.Background()
	if err := d.QueryRow(ctx, `SELECT loss_fen FROM cases WHERE id = ?`, caseID).Scan(&caseLoss); err != nil {
		t.Fatal(err)
	}
	victims = map[string]int64{}
	rows, err := d.Query(ctx, `SELECT name, loss_fen FROM victims WHERE case_id = ?`, caseID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		var f int64
		if err := rows.Scan(&n, &f); err != nil {
			t.Fatal(err)
		}
		victims[n] = f
	}
	return caseLoss, victims
}

// Adding a transfer after the report changes the trace (a new downstream
// account, more money traced), recomputes the losses exactly, and the case
// says what changed since its trace was last looked at until it is looked
// at again; correcting and removing do the same, and a removed transfer
// stays in the history.
func TestAddTransferChangesTraceAndLosses(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w, id, at := partyWorld(t, d)
		now := at.Add(48 * time.Hour)
		look := func() TraceChanges {
			t.Helper()
			ch, err := TraceChangesOf(ctx, d, id)
			if err != nil {
				t.Fatal(err)
			}
			if err := MarkTraceSeen(ctx, d, id, ch, now); err != nil {
				t.Fatal(err)
			}
			return ch
		}
		ct, err := TraceCaseInScope(ctx, d, w.stA, id, trace.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if hasNode(ct.Result, "C9000009") || ct.Result.Victims[0].LostFen != 500_000 {
			t.Fatalf("first trace: %+v", ct.Result.Victims)
		}
		if ch := look(); ch.Changed {
			t.Fatalf("a case never changed reports %+v", ch)
		}

		c, _ := GetCase(ctx, d, w.stA, id)
		tid, err := AddTransfer(ctx, d, w.stA, w.who, id, TransferInput{At: ptr(at.Add(23 * time.Hour)), FromAccount: ptr("V1000001"),
			ToAccount: ptr("A2000002"), Amount: ptr("2,000.00")}, now)
		if err != nil {
			t.Fatal(err)
		}
		if cl, v := losses(t, d, id); cl != 700_000 || v["甲"] != 700_000 {
			t.Errorf("losses after adding 2,000: case %d, victims %v; want 700000", cl, v)
		}
		ch, err := TraceChangesOf(ctx, d, id)
		if err != nil || !ch.Changed || ch.Text != "自上次追踪以来案件已变更：新增转账 1 笔" {
			t.Fatalf("changes after adding a transfer: %+v %v", ch, err)
		}
		ct, err = TraceCaseInScope(ctx, d, w.stA, id, trace.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !hasNode(ct.Result, "C9000009") || ct.Result.Victims[0].LostFen != 700_000 {
			t.Errorf("trace after adding a transfer: C9 shown %v, lost %d", hasNode(ct.Result, "C9000009"), ct.Result.Victims[0].LostFen)
		}
		if ch := look(); !ch.Changed {
			t.Error("the look after the change does not report it")
		}
		if ch := look(); ch.Changed {
			t.Errorf("changes still reported after the trace was looked at: %+v", ch)
		}

		// Correct the first transfer's amount and add a second victim: both
		// counted, the loss exact.
		if err := CorrectTransfer(ctx, d, w.stA, w.who, id, c.Transfers[0].ID, TransferInput{Amount: ptr("4500"), Reason: "银行回单核对"}, now); err != nil {
			t.Fatal(err)
		}
		vid, err := AddVictim(ctx, d, w.stA, w.who, id, VictimInput{Name: ptr("乙"), Loss: ptr("100")}, now)
		if err != nil {
			t.Fatal(err)
		}
		if cl, v := losses(t, d, id); cl != 660_000 || v["甲"] != 650_000 || v["乙"] != 10_000 {
			t.Errorf("losses: case %d, victims %v; want 660000 = 650000 + 10000", cl, v)
		}
		if ch, _ := TraceChangesOf(ctx, d, id); ch.Text != "自上次追踪以来案件已变更：新增受害人 1 名，更正转账 1 笔" {
			t.Errorf("changes: %q", ch.Text)
		}

		// Remove the added transfer: a reason is required; the history keeps it.
		if err := RemoveTransfer(ctx, d, w.stA, w.who, id, tid, " ", now); !errors.Is(err, ErrTransferGone) {
			t.Errorf("removal without a reason: %v", err)
		}
		if err := RemoveTransfer(ctx, d, w.stA, w.who, id, tid, "重复登记", now); err != nil {
			t.Fatal(err)
		}
		if cl, v := losses(t, d, id); cl != 460_000 || v["甲"] != 450_000 {
			t.Errorf("losses after removal: case %d, victims %v; want 460000", cl, v)
		}
		ct, err = TraceCaseInScope(ctx, d, w.stA, id, trace.Options{})
		if err != nil || hasNode(ct.Result, "C9000009") {
			t.Errorf("trace after removal still reaches C9: %v", err)
		}
		hist, err := PartyChanges(ctx, d, w.stA, id)
		if err != nil {
			t.Fatal(err)
		}
		kinds := []string{}
		for _, h := range hist {
			kinds = append(kinds, string(h.Kind))
		}
		if strings.Join(kinds, ",") != "transfer_added,transfer_corrected,victim_added,transfer_removed" {
			t.Errorf("history kinds %v", kinds)
		}
		gone := hist[len(hist)-1]
		if gone.Before == nil || gone.Before.Transfer == nil || gone.Before.Transfer.AmountFen != 200_000 || gone.Reason != "重复登记" {
			t.Errorf("the removed transfer's history: %+v", gone)
		}
		if m := gone.Masked(auth.Masker{}); m.Before.Transfer.ToAccount == "A2000002" {
			t.Error("history masked shows the full account")
		}
		// A victim's correction; the loss of a victim with transfers is refused.
		if err := CorrectVictim(ctx, d, w.stA, w.who, id, c.Victims[0].ID, VictimInput{Loss: ptr("1")}, now); !errors.Is(err, ErrVictimField) {
			t.Errorf("a loss given for a victim with transfers: %v", err)
		}
		if err := CorrectVictim(ctx, d, w.stA, w.who, id, vid, VictimInput{Phone: ptr("138-0000-1111"), Loss: ptr("250.5")}, now); err != nil {
			t.Fatal(err)
		}
		if cl, v := losses(t, d, id); cl != 475_050 || v["乙"] != 25_050 {
			t.Errorf("losses after correcting 乙: case %d, victims %v", cl, v)
		}
		var events, audits int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM case_events WHERE case_id = ? AND kind = 'parties'`, id).Scan(&events); err != nil {
			t.Fatal(err)
		}
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE object_type IN ('victim', 'case_transfer')`).Scan(&audits); err != nil {
			t.Fatal(err)
		}
		if events != 5 || audits != 5 {
			t.Errorf("%d timeline lines and %d audit lines, want 5 each", events, audits)
		}
	})
}

// The rules of a victim, a transfer and a linked account, each refused with
// the field it concerns.
func TestPartyRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w, id, at := partyWorld(t, d)
		now := at.Add(48 * time.Hour)
		transfer := func(in TransferInput) TransferInput {
			if in.At == nil {
				in.At = ptr(at)
			}
			if in.ToAccount == nil {
				in.ToAccount = ptr("6222000011112222")
			}
			if in.Amount == nil && in.AmountFen == nil {
				in.Amount = ptr("100")
			}
			return in
		}
		for _, c := range []struct {
			name  string
			in    TransferInput
			want  error
			words string
		}{
			{"amount not a number", transfer(TransferInput{Amount: ptr("很多")}), ErrTransferAmount, "金额："},
			{"amount zero", transfer(TransferInput{AmountFen: ptr(int64(0))}), ErrTransferAmount, "金额：请填写大于 0"},
			{"no time", TransferInput{ToAccount: ptr("6222000011112222"), Amount: ptr("1")}, ErrTransferTime, "转账时间：请填写"},
			{"in the future", transfer(TransferInput{At: ptr(now.Add(time.Hour))}), ErrTransferTime, "转账时间："},
			{"no receiving account", transfer(TransferInput{ToAccount: ptr(" ")}), ErrTransferAccount, "收款账号：请填写"},
			{"receiving account too short", transfer(TransferInput{ToAccount: ptr("123")}), ErrTransferAccount, "不是有效账号（6–40 位数字或字母）"},
			{"bad paying account", transfer(TransferInput{FromAccount: ptr("62-22 中文")}), ErrTransferAccount, "转出账号："},
			{"another case's victim", transfer(TransferInput{VictimID: ptr(int64(99999))}), ErrNoVictim, "受害人：本案没有受害人"},
			{"unknown channel", transfer(TransferInput{Channel: ptr("pigeon")}), ErrTransferAccount, "转账方式："},
			{"unknown statement row", transfer(TransferInput{StatementRowID: ptr(int64(99999))}), ErrRowMatch, "没有编号为 99999 的流水"},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := AddTransfer(ctx, d, w.stA, w.who, id, c.in, now)
				if !errors.Is(err, c.want) || !errors.Is(err, domain.ErrInvalid) || !strings.Contains(domain.Message(err), c.words) {
					t.Errorf("err %v, want %v with %q", err, c.want, c.words)
				}
			})
		}
		for _, c := range []struct {
			name  string
			in    VictimInput
			words string
		}{
			{"no name", VictimInput{Name: ptr(" ")}, "姓名："},
			{"short ID number", VictimInput{Name: ptr("丙"), IDNumber: ptr("4301")}, "身份证号："},
			{"bad phone", VictimInput{Name: ptr("丙"), Phone: ptr("电话")}, "手机号："},
			{"bad birth date", VictimInput{Name: ptr("丙"), BirthDate: ptr("1960/1/1")}, "出生日期："},
			{"bad loss", VictimInput{Name: ptr("丙"), Loss: ptr("-5")}, "损失："},
			{"another station's area", VictimInput{Name: ptr("丙"), AreaID: ptr(w.stB.ID)}, "所在辖区："},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := AddVictim(ctx, d, w.stA, w.who, id, c.in, now)
				if !errors.Is(err, ErrVictimField) || !strings.Contains(domain.Message(err), c.words) {
					t.Errorf("err %v, want %q", err, c.words)
				}
			})
		}
		if _, err := AddCaseAccount(ctx, d, w.stA, w.who, id, CaseAccountInput{Account: "12"}, now); !errors.Is(err, ErrTransferAccount) {
			t.Errorf("short linked account: %v", err)
		}
		if _, err := AddCaseAccount(ctx, d, w.stA, w.who, id, CaseAccountInput{Account: "6222 0000 3333 4444", Kind: "mule", Holder: "丁"}, now); err != nil {
			t.Fatal(err)
		}
		if _, err := AddCaseAccount(ctx, d, w.stA, w.who, id, CaseAccountInput{Account: "6222000033334444"}, now); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("the same linked account twice: %v", err)
		}
		list, err := CaseAccounts(ctx, d, w.stA, id)
		if err != nil || len(list) != 1 || list[0].KindName != "涉案中转账户" || list[0].Account != "6222000033334444" {
			t.Errorf("linked accounts %+v %v", list, err)
		}
		// A linked account is not a trace input.
		if ch, _ := TraceChangesOf(ctx, d, id); ch.Changed {
			t.Errorf("a linked account reported as a trace change: %+v", ch)
		}
		// It links the case to another whose victim paid into it.
		other := w.newCase(t, w.stA, at, victim("戊", "V2000002", "6222000033334444", 30_000, at))
		rel, err := RelatedCases(ctx, d, w.stA, id)
		if err != nil || len(rel) != 1 || rel[0].ID != other || strings.Join(rel[0].Accounts, ",") != "6222000033334444" {
			t.Errorf("related through the linked account: %+v %v", rel, err)
		}
		if rel, err := RelatedCases(ctx, d, w.stA, other); err != nil || len(rel) != 1 || rel[0].ID != id {
			t.Errorf("related the other way: %+v %v", rel, err)
		}
		var n int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM case_transfers WHERE case_id = ?`, id).Scan(&n); err != nil || n != 1 {
			t.Errorf("%d transfers after refusals, want 1 (%v)", n, err)
		}
	})
}

// A transfer is matched to a statement row of its accounts: the empty
// fields come from the row, a row that does not show the transfer is
// refused, and a row matches one transfer only.
func TestTransferStatementMatch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w, id, at := partyWorld(t, d)
		now := at.Add(48 * time.Hour)
		rowOf := func(account string, amount int64) int64 {
			var rid int64
			if err := d.QueryRow(ctx, `SELECT id FROM statement_rows WHERE account = ? AND amount_fen = ?`, account, amount).Scan(&rid); err != nil {
				t.Fatal(err)
			}
			return rid
		}
		cands, err := MatchCandidates(ctx, d, w.stA, id, 50)
		if err != nil || len(cands) != 1 || cands[0].ID != rowOf("A1000001", 500_000) {
			t.Fatalf("match candidates before: %+v %v, want A1's incoming row", cands, err)
		}
		in := rowOf("A2000002", 200_000)
		tid, err := AddTransfer(ctx, d, w.stA, w.who, id, TransferInput{StatementRowID: ptr(in)}, now)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := GetCase(ctx, d, w.stA, id)
		got := c.Transfers[len(c.Transfers)-1]
		if got.ID != tid || got.StatementRowID != in || got.ToAccount != "A2000002" || got.FromAccount != "V1000001" || got.AmountFen != 200_000 {
			t.Errorf("transfer from a row: %+v", got)
		}
		if cands, _ := MatchCandidates(ctx, d, w.stA, id, 50); len(cands) != 1 {
			t.Errorf("match candidates after matching A2's row: %+v, want A1's incoming row only", cands)
		}
		if _, err := AddTransfer(ctx, d, w.stA, w.who, id, TransferInput{StatementRowID: ptr(in)}, now); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("a row matched twice: %v", err)
		}
		first := c.Transfers[0]
		out := rowOf("A1000001", -300_000) // A1's payment to B1, not the victim's transfer
		err = CorrectTransfer(ctx, d, w.stA, w.who, id, first.ID, TransferInput{StatementRowID: ptr(out)}, now)
		if !errors.Is(err, ErrRowMatch) || !strings.Contains(domain.Message(err), "匹配流水：") {
			t.Errorf("a row of another movement: %v", err)
		}
		if err := CorrectTransfer(ctx, d, w.stA, w.who, id, first.ID, TransferInput{StatementRowID: ptr(rowOf("A1000001", 500_000))}, now); err != nil {
			t.Errorf("matching the victim's transfer to A1's incoming row: %v", err)
		}
		if err := CorrectTransfer(ctx, d, w.stA, w.who, id, first.ID, TransferInput{StatementRowID: ptr(int64(0))}, now); err != nil {
			t.Errorf("taking the match away: %v", err)
		}
	})
}

// Station B cannot add to or correct station A's case (not found, nothing
// stored), and a role without case.write cannot at all.
func TestPartiesScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w, id, at := partyWorld(t, d)
		now := at.Add(48 * time.Hour)
		c, _ := GetCase(ctx, d, w.stA, id)
		tin := TransferInput{At: ptr(at), ToAccount: ptr("6222000011112222"), Amount: ptr("1")}
		for name, err := range map[string]error{
			"add victim": func() error {
				_, err := AddVictim(ctx, d, w.stB, w.who, id, VictimInput{Name: ptr("丙")}, now)
				return err
			}(),
			"correct victim":   CorrectVictim(ctx, d, w.stB, w.who, id, c.Victims[0].ID, VictimInput{Name: ptr("丙")}, now),
			"add transfer":     func() error { _, err := AddTransfer(ctx, d, w.stB, w.who, id, tin, now); return err }(),
			"correct transfer": CorrectTransfer(ctx, d, w.stB, w.who, id, c.Transfers[0].ID, tin, now),
			"remove transfer":  RemoveTransfer(ctx, d, w.stB, w.who, id, c.Transfers[0].ID, "错", now),
			"add account": func() error {
				_, err := AddCaseAccount(ctx, d, w.stB, w.who, id, CaseAccountInput{Account: "6222000033334444"}, now)
				return err
			}(),
			"history":  func() error { _, err := PartyChanges(ctx, d, w.stB, id); return err }(),
			"accounts": func() error { _, err := CaseAccounts(ctx, d, w.stB, id); return err }(),
		} {
			if !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("%s on another station's case: %v, want not found", name, err)
			}
		}
		analyst := auth.AuditEntry{Username: "ana", Role: auth.RoleAnalyst}
		if _, err := AddVictim(ctx, d, w.stA, analyst, id, VictimInput{Name: ptr("丙")}, now); !errors.Is(err, domain.ErrForbidden) {
			t.Errorf("an analyst adds a victim: %v", err)
		}
		var n int
		if err := d.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM case_party_changes) + (SELECT COUNT(*) FROM victims WHERE case_id = ?)`, id).Scan(&n); err != nil || n != 1 {
			t.Errorf("rows after refused changes: %d (%v), want only the one victim", n, err)
		}
	})
}
