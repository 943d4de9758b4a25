package returns

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/money"
)

var rt0 = time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)

type returnWorld struct {
	d         *db.DB
	root, stA area.Node
	stB       area.Node
	bank      int64
	who       auth.AuditEntry
}

func newReturnWorld(t *testing.T, d *db.DB) *returnWorld {
	t.Helper()
	ctx := context.Background()
	w := &returnWorld{d: d, who: auth.AuditEntry{Username: "inv", Role: auth.RoleInvestigator}}
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
func (w *returnWorld) newCase(t *testing.T, st area.Node, reported time.Time, victims ...funds.NewVictim) int64 {
	t.Helper()
	id, _, err := funds.CreateCase(context.Background(), w.d, funds.NewCase{AreaID: st.ID, StationID: st.ID, FraudType: "police", ReportedAt: reported, Victims: victims}, reported)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func victim(name, from, to string, fen int64, at time.Time) funds.NewVictim {
	return funds.NewVictim{Name: name, Transfers: []funds.NewTransfer{{At: at, FromAccount: from, ToAccount: to, AmountFen: fen}}}
}

// freeze stores a freeze of the case's account confirmed at `at` for fen.
func (w *returnWorld) freeze(t *testing.T, caseID int64, account string, fen int64, at time.Time) int64 {
	t.Helper()
	var id int64
	if err := w.d.QueryRow(context.Background(), `INSERT INTO partner_requests (kind, unit_id, case_id, account, amount_fen, status, sent_at, confirmed_at,
		term_starts_at, expires_at, result_fen, created_at) VALUES ('freeze',?,?,?,0,'confirmed',?,?,?,?,?,?) RETURNING id`, w.bank, caseID, account,
		db.Millis(at), db.Millis(at), db.Millis(at), db.Millis(at.AddDate(0, 6, 0)), fen, db.Millis(at)).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if want == nil && err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if want != nil && !errors.Is(err, want) {
		t.Fatalf("%s: error %v, want %v", what, err, want)
	}
}

func shares(p Plan) []int64 {
	var out []int64
	for _, l := range p.Lines {
		out = append(out, l.ShareFen)
	}
	return out
}

// Proportional return: the 30-day notice and open objections block
// execution; payments never exceed a share; the Excel export carries the
// same numbers as the view.
func TestReturnWorkflowProportional(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newReturnWorld(t, d)
		ctx := context.Background()
		c := w.newCase(t, w.stA, rt0, victim("甲", "6222A", "6217X", 300_000, rt0), victim("乙", "6222B", "6217X", 100_000, rt0.Add(time.Minute)))
		fr := w.freeze(t, c, "6217X", 200_001, rt0.Add(time.Hour))
		now := rt0.Add(2 * time.Hour)
		pid, err := CreatePlan(ctx, d, w.stA, w.who, fr, now)
		wantErr(t, "create plan", err, nil)
		if _, err := CreatePlan(ctx, d, w.stB, w.who, fr, now); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("another station made a plan: %v", err)
		}
		p, err := GetPlan(ctx, d, w.stA, pid, now)
		wantErr(t, "get plan", err, nil)
		// 200,001 × 3/4 = 150,000.75 and × 1/4 = 50,000.25: the odd fen goes
		// to the larger remainder.
		if p.Rule != RuleProportional || p.NoticeDays != 30 || fmt.Sprint(shares(p)) != "[150001 50000]" || p.LeftFen != 0 {
			t.Fatalf("plan: %s %d %v left %d", p.Rule, p.NoticeDays, shares(p), p.LeftFen)
		}
		notice := rt0.Add(24 * time.Hour)
		steps := []struct {
			name string
			do   func(at time.Time) error
			at   time.Time
			want error
		}{
			{"execute before the notice", func(at time.Time) error { return ExecutePlan(ctx, d, w.stA, w.who, pid, at) }, now, domain.ErrConflict},
			{"pay before execution", func(at time.Time) error {
				_, err := RecordPayment(ctx, d, w.stA, w.who, pid, NewPayment{VictimID: p.Lines[0].VictimID, AmountFen: 1}, at)
				return err
			}, now, domain.ErrConflict},
			{"publish the notice", func(at time.Time) error { return PublishNotice(ctx, d, w.stA, w.who, pid, notice, at) }, now, nil},
			{"publish twice", func(at time.Time) error { return PublishNotice(ctx, d, w.stA, w.who, pid, notice, at) }, now, domain.ErrConflict},
			{"execute during the notice", func(at time.Time) error { return ExecutePlan(ctx, d, w.stA, w.who, pid, at) }, notice.Add(29 * 24 * time.Hour), domain.ErrConflict},
			{"objection without text", func(at time.Time) error {
				_, err := AddObjection(ctx, d, w.stA, w.who, pid, "丙", " ", at)
				return err
			}, notice.Add(24 * time.Hour), domain.ErrInvalid},
			{"objection", func(at time.Time) error {
				_, err := AddObjection(ctx, d, w.stA, w.who, pid, "丙", "本人也向该账户转账 5 万元", at)
				return err
			}, notice.Add(24 * time.Hour), nil},
			{"execute with an open objection after the notice", func(at time.Time) error { return ExecutePlan(ctx, d, w.stA, w.who, pid, at) }, notice.Add(31 * 24 * time.Hour), domain.ErrConflict},
		}
		for _, s := range steps {
			wantErr(t, s.name, s.do(s.at), s.want)
		}
		after := notice.Add(31 * 24 * time.Hour)
		p, _ = GetPlan(ctx, d, w.stA, pid, after)
		if p.Executable || p.Blocker == "" || len(p.Objections) != 1 {
			t.Fatalf("blocked plan: %+v", p)
		}
		wantErr(t, "resolve", ResolveObjection(ctx, d, w.stA, w.who, p.Objections[0].ID, "经核实不属本案，另案处理", after), nil)
		wantErr(t, "resolve twice", ResolveObjection(ctx, d, w.stA, w.who, p.Objections[0].ID, "x", after), domain.ErrConflict)
		wantErr(t, "execute", ExecutePlan(ctx, d, w.stA, w.who, pid, after), nil)
		_, err = AddObjection(ctx, d, w.stA, w.who, pid, "丁", "迟到的异议", after)
		wantErr(t, "objection after execution", err, domain.ErrConflict)
		v1, v2 := p.Lines[0].VictimID, p.Lines[1].VictimID
		pays := []struct {
			victim, fen int64
			want        error
		}{
			{v1, 100_000, nil}, {v1, 60_000, domain.ErrConflict}, {v1, 50_001, nil}, {v2, 0, domain.ErrInvalid},
			{v2, 50_000, nil}, {v2, 1, domain.ErrConflict}, {999, 1, domain.ErrInvalid},
		}
		for i, x := range pays {
			_, err := RecordPayment(ctx, d, w.stA, w.who, pid, NewPayment{VictimID: x.victim, AmountFen: x.fen, PaidAt: after, Reference: fmt.Sprint("转账-", i)}, after)
			wantErr(t, fmt.Sprint("payment ", i), err, x.want)
		}
		v, err := GetCaseReturns(ctx, d, w.stA, c, after)
		wantErr(t, "view", err, nil)
		a := v.Accounts[0]
		if a.PaidFen != 200_001 || a.LeftFen != 0 || a.CurrentPlan().OutstandingFen != 0 || len(a.CurrentPlan().Payments) != 3 {
			t.Fatalf("after payments: %+v", a)
		}
		// The export has the view's numbers.
		var buf bytes.Buffer
		wantErr(t, "export", WriteXLSX(&buf, v), nil)
		f, err := excelize.OpenReader(&buf)
		wantErr(t, "open export", err, nil)
		rows, err := f.GetRows("返还计算")
		wantErr(t, "read export", err, nil)
		want := append([][]string{SheetHeader}, SheetRows(v)...)
		if len(rows) != len(want)+1 {
			t.Fatalf("export has %d rows, want %d", len(rows), len(want)+1)
		}
		for i, r := range want {
			if fmt.Sprint(rows[i+1]) != fmt.Sprint(r) {
				t.Fatalf("export row %d: %v, want %v", i+1, rows[i+1], r)
			}
		}
		if rows[2][9] != money.FormatYuan(150_001) || rows[3][9] != money.FormatYuan(50_000) || rows[4][6] != "合计" || rows[4][9] != "2,000.01" {
			t.Fatalf("export numbers: %v", rows[2:])
		}
		events, err := funds.CaseTimeline(ctx, d, w.stA, c)
		if err != nil || len(events) != 8 { // plan, notice, objection, resolved, executed, 3 payments
			t.Fatalf("timeline: %d %v", len(events), err)
		}
		if _, err := funds.CaseTimeline(ctx, d, w.stB, c); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("another station read the timeline: %v", err)
		}
	})
}

// A single victim's account is returned without notice, the rest stays
// frozen; a newly identified victim starts a new plan over what is left;
// a draft is superseded by a new plan.
func TestReturnWorkflowNewVictim(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newReturnWorld(t, d)
		ctx := context.Background()
		c := w.newCase(t, w.stA, rt0, victim("甲", "6222A", "6217Z", 100_000, rt0))
		fr := w.freeze(t, c, "6217Z", 250_000, rt0.Add(time.Hour))
		now := rt0.Add(2 * time.Hour)
		draft, err := CreatePlan(ctx, d, w.stA, w.who, fr, now)
		wantErr(t, "draft plan", err, nil)
		pid, err := CreatePlan(ctx, d, w.stA, w.who, fr, now)
		wantErr(t, "second plan", err, nil)
		old, _ := GetPlan(ctx, d, w.stA, draft, now)
		if old.Status != PlanSuperseded || old.SupersededBy != pid || old.Executable {
			t.Fatalf("superseded draft: %+v", old)
		}
		p, _ := GetPlan(ctx, d, w.stA, pid, now)
		if p.Rule != RuleSingleVictim || p.NoticeDays != 0 || fmt.Sprint(shares(p)) != "[100000]" || p.LeftFen != 150_000 || !p.Executable {
			t.Fatalf("single victim plan: %+v", p)
		}
		wantErr(t, "execute without notice", ExecutePlan(ctx, d, w.stA, w.who, pid, now), nil)
		// A new victim while the executed plan is unpaid: refused.
		var v2 int64
		if err := d.QueryRow(ctx, `INSERT INTO victims (case_id, name, area_id, loss_fen) VALUES (?, '乙', ?, 200000) RETURNING id`, c, w.stA.ID).Scan(&v2); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, `INSERT INTO case_transfers (case_id, victim_id, at, to_account, amount_fen) VALUES (?,?,?,?,?)`, c, v2, db.Millis(rt0), "6217Z", 200_000); err != nil {
			t.Fatal(err)
		}
		_, err = CreatePlan(ctx, d, w.stA, w.who, fr, now)
		wantErr(t, "new plan before the old one is paid", err, domain.ErrConflict)
		_, err = RecordPayment(ctx, d, w.stA, w.who, pid, NewPayment{VictimID: p.Lines[0].VictimID, AmountFen: 100_000, Reference: "R1"}, now)
		wantErr(t, "pay", err, nil)
		np, err := CreatePlan(ctx, d, w.stA, w.who, fr, now.Add(time.Hour))
		wantErr(t, "plan for the new victim", err, nil)
		p2, _ := GetPlan(ctx, d, w.stA, np, now)
		// 甲 has had all of his loss back; 乙 is alone on the 150,000 left.
		if p2.FrozenFen != 150_000 || p2.Rule != RuleSingleVictim || len(p2.Lines) != 1 || p2.Lines[0].VictimID != v2 || p2.Lines[0].ShareFen != 150_000 || p2.LeftFen != 0 {
			t.Fatalf("new victim's plan: %+v", p2)
		}
		v, _ := GetCaseReturns(ctx, d, w.stA, c, now)
		if len(v.Accounts) != 1 || len(v.Accounts[0].Plans) != 3 || v.Accounts[0].CurrentPlan().ID != np || v.Accounts[0].LeftFen != 150_000 {
			t.Fatalf("view: %+v", v)
		}
		// A lapsed freeze cannot be planned or executed.
		if _, err := d.Exec(ctx, `UPDATE partner_requests SET status = 'lapsed' WHERE id = ?`, fr); err != nil {
			t.Fatal(err)
		}
		wantErr(t, "execute on a lapsed freeze", ExecutePlan(ctx, d, w.stA, w.who, np, now), domain.ErrConflict)
		_, err = CreatePlan(ctx, d, w.stA, w.who, fr, now)
		wantErr(t, "plan on a lapsed freeze", err, domain.ErrConflict)
	})
}

// Two victims whose deposits the trace follows by time: each gets what is
// traced to them (FIFO at the freeze).
func TestReturnPlanTraced(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newReturnWorld(t, d)
		ctx := context.Background()
		c := w.newCase(t, w.stA, rt0, victim("甲", "6222A", "6217T", 100_000, rt0), victim("乙", "6222B", "6217T", 50_000, rt0.Add(5*time.Minute)))
		bal := []int64{100_000, 150_000, 70_000}
		rows := []struct {
			at      time.Duration
			fen     int64
			counter string
		}{{0, 100_000, "6222A"}, {5 * time.Minute, 50_000, "6222B"}, {10 * time.Minute, -80_000, "6217OUT"}}
		for i, r := range rows {
			if _, err := d.Exec(ctx, `INSERT INTO statement_rows (account, at, amount_fen, balance_fen, counter_account, summary, row_key) VALUES (?,?,?,?,?,?,?)`,
				"6217T", db.Millis(rt0.Add(r.at)), r.fen, bal[i], r.counter, "转账", fmt.Sprint("t", i)); err != nil {
				t.Fatal(err)
			}
		}
		fr := w.freeze(t, c, "6217T", 70_000, rt0.Add(time.Hour))
		pid, err := CreatePlan(ctx, d, w.stA, w.who, fr, rt0.Add(2*time.Hour))
		wantErr(t, "plan", err, nil)
		p, _ := GetPlan(ctx, d, w.stA, pid, rt0)
		// FIFO: the 80,000 out spends 甲's money first: 20,000 of 甲 and all
		// 50,000 of 乙 remain.
		if p.Rule != RuleTraced || fmt.Sprint(shares(p)) != "[20000 50000]" || p.NoticeDays != 0 || p.LeftFen != 0 {
			t.Fatalf("traced plan: %s %v %+v", p.Rule, shares(p), p.Lines)
		}
	})
}

// A single-victim plan has no notice (Art. 8): publishing one is refused and
// the plan is executed straight from the draft.
func TestReturnPlanSingleVictimNoNotice(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newReturnWorld(t, d)
		ctx := context.Background()
		c := w.newCase(t, w.stA, rt0, victim("甲", "6222A", "6217S", 100_000, rt0))
		fr := w.freeze(t, c, "6217S", 80_000, rt0.Add(time.Hour))
		now := rt0.Add(2 * time.Hour)
		pid, err := CreatePlan(ctx, d, w.stA, w.who, fr, now)
		wantErr(t, "plan", err, nil)
		p, _ := GetPlan(ctx, d, w.stA, pid, now)
		if p.Rule != RuleSingleVictim || p.NoticeDays != 0 || p.StatusName != "待执行" {
			t.Fatalf("single-victim plan: %s notice %d status %q", p.Rule, p.NoticeDays, p.StatusName)
		}
		wantErr(t, "notice of a single-victim plan", PublishNotice(ctx, d, w.stA, w.who, pid, now, now), domain.ErrConflict)
		p, _ = GetPlan(ctx, d, w.stA, pid, now)
		if p.Status != PlanDraft || !p.NoticeStartsAt.IsZero() {
			t.Fatalf("a notice of 0 days was recorded: %s %v", p.Status, p.NoticeStartsAt)
		}
		wantErr(t, "execute without notice", ExecutePlan(ctx, d, w.stA, w.who, pid, now), nil)
	})
}
