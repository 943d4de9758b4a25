package investigation_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/funds"
	inv "github.com/fanzha/fanzha/internal/investigation"
)

// now is when the officers act in these tests: after every step's date.
var now = time.Date(2026, 11, 5, 9, 0, 0, 0, time.UTC)

// A case goes 接报 → 受理 → 立案 (approved) → 侦查 → 破案 → 移送起诉
// (approved) → 结案: each step dated, with its officer and document, on the
// history, the case timeline and the audit log; the coarse status the
// case list reads follows.
func TestLifecycleFullPath(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		id := w.newCase(t, d, w.vA, t0)
		move := func(who auth.AuditEntry, a inv.Action, at time.Time, doc, reason string) inv.Transition {
			t.Helper()
			tr, err := inv.Move(ctx, d, w.scopeOf(who), who, inv.Request{CaseID: id, Action: a, At: at, DocNo: doc, Reason: reason}, now)
			if err != nil {
				t.Fatalf("%s: %v", a, err)
			}
			return tr
		}
		approve := func() {
			t.Helper()
			if _, err := inv.Decide(ctx, d, w.root, w.leader, id, true, "同意", now); err != nil {
				t.Fatal(err)
			}
		}
		state := func(want inv.State, coarse string) {
			t.Helper()
			cs, err := inv.StateOf(ctx, d, w.stA, id)
			if err != nil {
				t.Fatal(err)
			}
			c, err := funds.GetCase(ctx, d, w.stA, id)
			if err != nil {
				t.Fatal(err)
			}
			if cs.State != want || c.Status != coarse {
				t.Fatalf("state %s, case status %s; want %s, %s", cs.State, c.Status, want, coarse)
			}
		}
		state(inv.Reported, "open")
		if tr := move(w.duty, inv.Accept, day(0), "", ""); tr.Status != inv.StatusDone {
			t.Fatalf("受理 status %s", tr.Status)
		}
		state(inv.Accepted, "open")
		if tr := move(w.inv, inv.File, day(1), "青公（刑）立字〔2026〕101号", ""); tr.Status != inv.StatusPending {
			t.Fatalf("立案 needs approval by default, got %s", tr.Status)
		}
		state(inv.Accepted, "open") // waits for the leader
		approve()
		state(inv.Filed, "investigating")
		move(w.inv, inv.Investigate, day(1), "", "")
		sid, err := inv.AddSuspect(ctx, d, w.stA, w.inv, id, inv.SuspectInput{Name: "张某", Role: inv.Mule}, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := inv.Dispose(ctx, d, w.stA, w.inv, inv.DispositionInput{SuspectID: sid, CaseID: id, Kind: inv.Caught,
			At: day(3), Unit: "青石派出所", Place: "广东省东莞市"}, now); err != nil {
			t.Fatal(err)
		}
		move(w.inv, inv.Solve, day(4), "", "")
		state(inv.Solved, "solved")
		move(w.inv, inv.Prosecute, day(20), "青公（刑）诉字〔2026〕7号", "")
		approve()
		state(inv.Prosecuted, "solved")
		move(w.inv, inv.Close, day(30), "", "")
		state(inv.Closed, "closed")

		hist, err := inv.History(ctx, d, w.stA, id)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range hist {
			got = append(got, string(h.Action)+":"+h.Status)
		}
		want := []string{"accept:done", "file:done", "investigate:done", "solve:done", "prosecute:done", "close:done"}
		if len(got) != len(want) {
			t.Fatalf("history %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("history %v, want %v", got, want)
			}
		}
		if f := hist[1]; f.DocNo != "青公（刑）立字〔2026〕101号" || f.Document != "立案决定书" || !f.At.Equal(day(1)) ||
			f.UserName != "inv" || f.DeciderName != "leader" {
			t.Errorf("立案 line %+v", f)
		}
		// Timeline: 6 steps + 2 approval requests + the suspect + 抓获.
		tl, err := funds.CaseTimeline(ctx, d, w.stA, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(tl) != 10 {
			t.Errorf("timeline has %d lines, want 10: %+v", len(tl), tl)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_log WHERE object_type = 'case' AND object_id = ? AND detail LIKE 'lifecycle %'`,
			itoa(id)); n != 8 {
			t.Errorf("%d lifecycle audit lines, want 8 (6 steps, 2 of them asked then approved)", n)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Every refusal is a domain error with a Chinese message saying what to do,
// and changes nothing.
func TestLifecycleRefusals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		setSetting(t, d, inv.ApprovalSetting(inv.File), "false")
		// One case per starting state, built through the lifecycle.
		at := func(s inv.State) int64 {
			id := w.newCase(t, d, w.vA, t0)
			path := map[inv.State][]inv.Action{
				inv.Reported: nil, inv.Accepted: {inv.Accept}, inv.Filed: {inv.Accept, inv.File},
				inv.Investigating: {inv.Accept, inv.File, inv.Investigate},
			}[s]
			for i, a := range path {
				if _, err := inv.Move(ctx, d, w.stA, w.inv, inv.Request{CaseID: id, Action: a, At: day(i), DocNo: "文书1号"}, now); err != nil {
					t.Fatal(err)
				}
			}
			return id
		}
		for _, c := range []struct {
			name  string
			from  inv.State
			who   auth.AuditEntry
			req   inv.Request
			kind  error
			words string
		}{
			{"skipping 受理 and 立案", inv.Reported, w.inv, inv.Request{Action: inv.Investigate}, domain.ErrConflict, "案件当前为“接报”，不能直接“开始侦查”"},
			{"破案 from 接报", inv.Reported, w.inv, inv.Request{Action: inv.Solve}, domain.ErrConflict, "须从“侦查”办理"},
			{"结案 before 破案", inv.Investigating, w.inv, inv.Request{Action: inv.Close}, domain.ErrConflict, "“破案”或“移送起诉”"},
			{"破案 without a suspect", inv.Investigating, w.inv, inv.Request{Action: inv.Solve, At: day(5)}, domain.ErrRule, "破案须至少有一名犯罪嫌疑人已被抓获或处理"},
			{"a dissuader may not accept", inv.Reported, w.diss, inv.Request{Action: inv.Accept}, domain.ErrForbidden, "劝阻民警无权办理“受理”"},
			{"a leader may not file", inv.Accepted, w.leader, inv.Request{Action: inv.File, DocNo: "x"}, domain.ErrForbidden, "无权办理“立案”"},
			{"the duty officer may not file", inv.Accepted, w.duty, inv.Request{Action: inv.File, DocNo: "x"}, domain.ErrForbidden, "无权办理“立案”"},
			{"立案 without its document", inv.Accepted, w.inv, inv.Request{Action: inv.File}, domain.ErrInvalid, "须填写《立案决定书》文书号"},
			{"不予立案 without a reason", inv.Accepted, w.inv, inv.Request{Action: inv.Refuse, DocNo: "不立字1号"}, domain.ErrInvalid, "须填写理由"},
			{"撤案 without its document", inv.Investigating, w.inv, inv.Request{Action: inv.Withdraw, Reason: "非诈骗"}, domain.ErrInvalid, "《撤销案件决定书》"},
			{"a date in the future", inv.Reported, w.inv, inv.Request{Action: inv.Accept, At: now.Add(48 * time.Hour)}, domain.ErrInvalid, "不能晚于今天"},
			{"a date before the last step", inv.Accepted, w.inv, inv.Request{Action: inv.File, DocNo: "x", At: day(-3)}, domain.ErrInvalid, "不能早于上一环节“受理”的日期（2026-10-01）"},
			{"another station's case", inv.Reported, w.invB, inv.Request{Action: inv.Accept}, domain.ErrNotFound, ""},
			{"an unknown step", inv.Reported, w.inv, inv.Request{Action: "reopen"}, domain.ErrInvalid, "办案环节 \"reopen\" 无效"},
		} {
			t.Run(c.name, func(t *testing.T) {
				id := at(c.from)
				c.req.CaseID = id
				before := count(t, d, `SELECT COUNT(*) FROM case_transitions WHERE case_id = ?`, id)
				_, err := inv.Move(ctx, d, w.scopeOf(c.who), c.who, c.req, now)
				wantErr(t, err, c.kind, c.words)
				if after := count(t, d, `SELECT COUNT(*) FROM case_transitions WHERE case_id = ?`, id); after != before {
					t.Errorf("a refused step stored a transition")
				}
				cs, err := inv.StateOf(ctx, d, w.root, id)
				if err != nil || cs.State != c.from {
					t.Errorf("state %s after a refusal, want %s (%v)", cs.State, c.from, err)
				}
			})
		}
	})
}

// Which steps need a leader's approval is a setting: 立案 waits by default,
// 开始侦查 does not until the setting says so. A pending step blocks the
// next one; only an approver in whose scope the case lies decides, never
// on their own request; a rejection needs a reason and leaves the state,
// and the officer may ask again.
func TestLifecycleApprovals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		id := w.newCase(t, d, w.vA, t0)
		move := func(a inv.Action, doc string) (inv.Transition, error) {
			return inv.Move(ctx, d, w.stA, w.inv, inv.Request{CaseID: id, Action: a, At: day(1), DocNo: doc}, now)
		}
		if _, err := move(inv.Accept, ""); err != nil {
			t.Fatal(err)
		}
		tr, err := move(inv.File, "立字1号")
		if err != nil || tr.Status != inv.StatusPending {
			t.Fatalf("立案 %v %v, want pending", tr.Status, err)
		}
		_, err = move(inv.Investigate, "")
		wantErr(t, err, domain.ErrConflict, "本案“立案”正在等待领导审批")
		pend, err := inv.PendingApprovals(ctx, d, w.root)
		if err != nil || len(pend) != 1 || pend[0].CaseID != id {
			t.Fatalf("pending approvals %+v %v", pend, err)
		}
		if l, _ := inv.ListCases(ctx, d, w.root, inv.ListFilter{Pending: true}); len(l) != 1 || !l[0].Pending {
			t.Fatalf("list of pending cases %+v", l)
		}
		_, err = inv.Decide(ctx, d, w.stA, w.inv, id, true, "", now)
		wantErr(t, err, domain.ErrForbidden, "只有领导可以审批")
		_, err = inv.Decide(ctx, d, w.stB, w.headB, id, true, "", now)
		wantErr(t, err, domain.ErrNotFound, "")
		_, err = inv.Decide(ctx, d, w.stA, w.headA, id, false, " ", now)
		wantErr(t, err, domain.ErrInvalid, "退回申请须写明理由")
		if _, err := inv.Decide(ctx, d, w.stA, w.headA, id, false, "文书号有误，报案人电话 13812345678 未核实", now); err != nil {
			t.Fatal(err)
		}
		// The timeline shows numbers in free text masked; the history keeps
		// them for those who may unmask.
		if n := count(t, d, `SELECT COUNT(*) FROM case_events WHERE case_id = ? AND detail LIKE '%13812345678%'`, id); n != 0 {
			t.Errorf("the timeline shows a full phone number")
		}
		if n := count(t, d, `SELECT COUNT(*) FROM case_events WHERE case_id = ? AND detail LIKE '退回“立案”申请：文书号有误，报案人电话 138****5678 未核实'`, id); n != 1 {
			t.Errorf("the rejection is not on the timeline as written")
		}
		if cs, _ := inv.StateOf(ctx, d, w.stA, id); cs.State != inv.Accepted || cs.Pending != nil {
			t.Fatalf("after a rejection: %+v", cs)
		}
		_, err = inv.Decide(ctx, d, w.root, w.leader, id, true, "", now)
		wantErr(t, err, domain.ErrConflict, "没有待审批")
		if _, err := move(inv.File, "立字2号"); err != nil {
			t.Fatal(err)
		}
		if _, err := inv.Decide(ctx, d, w.root, w.leader, id, true, "", now); err != nil {
			t.Fatal(err)
		}
		// 开始侦查 needs no approval until the setting asks for it.
		setSetting(t, d, inv.ApprovalSetting(inv.Investigate), "true")
		if tr, err := move(inv.Investigate, ""); err != nil || tr.Status != inv.StatusPending {
			t.Fatalf("开始侦查 with approval on: %v %v", tr.Status, err)
		}
		hist, _ := inv.History(ctx, d, w.stA, id)
		var statuses []string
		for _, h := range hist {
			statuses = append(statuses, h.Status)
		}
		if len(hist) != 4 || hist[1].Status != inv.StatusRejected || hist[1].DecisionNote != "文书号有误，报案人电话 13812345678 未核实" || hist[2].Status != inv.StatusDone {
			t.Fatalf("history statuses %v", statuses)
		}
		if m := hist[1].Masked(auth.Masker{}); m.DecisionNote != "文书号有误，报案人电话 138****5678 未核实" {
			t.Errorf("masked note %q", m.DecisionNote)
		}
		// An investigator of the centre cannot approve either.
		_, err = inv.Decide(ctx, d, w.root, w.inv2, id, true, "", now)
		wantErr(t, err, domain.ErrForbidden, "只有领导可以审批")
	})
}

// The case list filters by state within the caller's scope, and counts
// per state.
func TestListCasesByState(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		a1 := w.newCase(t, d, w.vA, t0)
		a2 := w.newCase(t, d, w.vA, t0)
		b1 := w.newCase(t, d, w.vB, t0)
		for _, c := range []struct {
			id  int64
			who auth.AuditEntry
		}{{a1, w.inv}, {b1, w.invB}} {
			if _, err := inv.Move(ctx, d, w.scopeOf(c.who), c.who, inv.Request{CaseID: c.id, Action: inv.Accept, At: day(0)}, now); err != nil {
				t.Fatal(err)
			}
		}
		ids := func(scope string, f inv.ListFilter) []int64 {
			node := w.root
			if scope == "A" {
				node = w.stA
			}
			rows, err := inv.ListCases(ctx, d, node, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, r := range rows {
				out = append(out, r.ID)
			}
			return out
		}
		eq := func(got []int64, want ...int64) {
			t.Helper()
			if len(got) != len(want) {
				t.Fatalf("got %v, want %v", got, want)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("got %v, want %v", got, want)
				}
			}
		}
		eq(ids("C", inv.ListFilter{State: inv.Accepted}), b1, a1)
		eq(ids("A", inv.ListFilter{State: inv.Accepted}), a1)
		eq(ids("A", inv.ListFilter{State: inv.Reported}), a2)
		eq(ids("A", inv.ListFilter{}), a2, a1)
		_, err := inv.ListCases(ctx, d, w.root, inv.ListFilter{State: "open"})
		wantErr(t, err, domain.ErrInvalid, "案件状态 \"open\" 无效")
		counts, err := inv.StateCounts(ctx, d, w.stA)
		if err != nil || counts[inv.Accepted] != 1 || counts[inv.Reported] != 1 || counts[inv.Solved] != 0 {
			t.Fatalf("counts %v %v", counts, err)
		}
	})
}

// Two officers taking the same step on one case at the same moment (two
// requests, or two replicas on PostgreSQL): one step is taken, the other is
// refused as a conflict with the state it finds; two leaders approving the
// same request: one approval.
func TestLifecycleConcurrentSteps(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		for round := 0; round < 5; round++ {
			id := w.newCase(t, d, w.vA, t0)
			errs := make(chan error, 2)
			for _, who := range []auth.AuditEntry{w.inv, w.inv2} {
				go func() {
					_, err := inv.Move(ctx, d, w.root, who, inv.Request{CaseID: id, Action: inv.Accept, At: day(0)}, now)
					errs <- err
				}()
			}
			var ok, conflict int
			for range 2 {
				switch err := <-errs; {
				case err == nil:
					ok++
				case errorsIs(err, domain.ErrConflict):
					conflict++
				default:
					t.Fatal(err)
				}
			}
			if ok != 1 || conflict != 1 {
				t.Fatalf("round %d: %d steps taken, %d refused; want 1 and 1", round, ok, conflict)
			}
			if _, err := inv.Move(ctx, d, w.stA, w.inv, inv.Request{CaseID: id, Action: inv.File, At: day(1), DocNo: "立字"}, now); err != nil {
				t.Fatal(err)
			}
			for _, who := range []auth.AuditEntry{w.leader, w.headA} {
				go func() {
					_, err := inv.Decide(ctx, d, w.scopeOf(who), who, id, true, "", now)
					errs <- err
				}()
			}
			ok, conflict = 0, 0
			for range 2 {
				switch err := <-errs; {
				case err == nil:
					ok++
				case errorsIs(err, domain.ErrConflict):
					conflict++
				default:
					t.Fatal(err)
				}
			}
			if ok != 1 || conflict != 1 {
				t.Fatalf("round %d: %d approvals, %d refused; want 1 and 1", round, ok, conflict)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM case_transitions WHERE case_id = ?`, id); n != 2 {
				t.Fatalf("round %d: %d transitions, want 2", round, n)
			}
		}
	})
}
