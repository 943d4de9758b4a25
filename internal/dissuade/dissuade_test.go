package dissuade_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/dissuade"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/testworld"
	"github.com/fanzha/fanzha/internal/warning"
)

const day = 24 * time.Hour

// Follow-ups are scheduled after a successful dissuasion of a fund or
// high-risk warning only, at the offsets in force, once, on the list of
// the officer who dissuaded.
func TestFollowupScheduling(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		p := warning.DefaultPolicy()
		a := w.Actor(w.OffA)
		cases := []struct {
			ref     string
			grade   warning.Grade
			outcome warning.Outcome
			want    int
		}{
			{"F-1", warning.GradeFund, warning.OutcomeDissuaded, 2},
			{"H-1", warning.GradeHigh, warning.OutcomeDissuaded, 2},
			{"O-1", warning.GradeOrdinary, warning.OutcomeDissuaded, 0},
			{"H-2", warning.GradeHigh, warning.OutcomeFalseAlarm, 0},
		}
		ids := map[string]int64{}
		for i, c := range cases {
			id := w.Warn(t, c.ref, c.grade, fmt.Sprintf("1380000%04d", i), "", "青石镇李家村")
			ids[c.ref] = id
			if _, err := warning.SetOutcome(ctx, d, p, a, id, warning.OutcomeInput{Outcome: c.outcome}, w.Now); err != nil {
				t.Fatal(err)
			}
		}
		n, err := dissuade.Schedule(ctx, d, w.Now.Add(time.Minute))
		if err != nil || n != 4 {
			t.Fatalf("scheduled %d (%v), want 4", n, err)
		}
		if n, _ := dissuade.Schedule(ctx, d, w.Now.Add(2*time.Minute)); n != 0 {
			t.Fatalf("a second sweep scheduled %d more", n)
		}
		for _, c := range cases {
			if got := testworld.Count(t, d, `SELECT COUNT(*) FROM followups WHERE warning_id = ? AND user_id = ?`, ids[c.ref], w.OffA.ID); got != c.want {
				t.Errorf("%s: %d follow-ups on the dissuader's list, want %d", c.ref, got, c.want)
			}
		}
		var due1, due2 int64
		if err := d.QueryRow(ctx, `SELECT MIN(due_at), MAX(due_at) FROM followups WHERE warning_id = ?`, ids["F-1"]).Scan(&due1, &due2); err != nil {
			t.Fatal(err)
		}
		if db.Time(due1).Sub(w.Now) != 3*day || db.Time(due2).Sub(w.Now) != 7*day {
			t.Fatalf("follow-ups at +%v and +%v, want +3d and +7d", db.Time(due1).Sub(w.Now), db.Time(due2).Sub(w.Now))
		}

		// A stored setting moves the next ones.
		testworld.SetSetting(t, d, dissuade.FirstFollowupSetting, "1d")
		id := w.Warn(t, "F-2", warning.GradeFund, "13800009999", "", "青石镇李家村")
		if _, err := warning.SetOutcome(ctx, d, p, a, id, warning.OutcomeInput{Outcome: warning.OutcomeDissuaded}, w.Now); err != nil {
			t.Fatal(err)
		}
		if _, err := dissuade.Schedule(ctx, d, w.Now); err != nil {
			t.Fatal(err)
		}
		if err := d.QueryRow(ctx, `SELECT MIN(due_at) FROM followups WHERE warning_id = ?`, id).Scan(&due1); err != nil || db.Time(due1).Sub(w.Now) != day {
			t.Fatalf("first follow-up with the setting at +%v (%v), want +1d", db.Time(due1).Sub(w.Now), err)
		}

		// The list on day 4: the first call of F-1, H-1 and F-2, not the second ones.
		list, err := dissuade.Due(ctx, d, w.StA, w.OffA.ID, w.Now.Add(4*day), w.Now.Add(4*day))
		if err != nil || len(list) != 3 || !list[0].Overdue {
			t.Fatalf("day-4 list: %+v %v", list, err)
		}
		if other, _ := dissuade.Due(ctx, d, w.StB, w.OffA.ID, w.Now.Add(4*day), w.Now); len(other) != 0 {
			t.Fatalf("another station's scope lists %d follow-ups", len(other))
		}
		testworld.WantKind(t, dissuade.Done(ctx, d, w.StB, w.Entry(w.OffB), list[0].ID, "safe", "", w.Now), domain.ErrNotFound, "")
		testworld.WantKind(t, dissuade.Done(ctx, d, w.StA, w.Entry(w.OffA), list[0].ID, "fine", "", w.Now), domain.ErrInvalid, "回访结果")
		if err := dissuade.Done(ctx, d, w.StA, w.Entry(w.OffA), list[0].ID, "safe", "本人称已卸载涉诈软件", w.Now.Add(4*day)); err != nil {
			t.Fatal(err)
		}
		testworld.WantKind(t, dissuade.Done(ctx, d, w.StA, w.Entry(w.OffA), list[0].ID, "safe", "", w.Now), domain.ErrConflict, "已登记")
		if list, _ := dissuade.Due(ctx, d, w.StA, w.OffA.ID, w.Now.Add(4*day), w.Now); len(list) != 2 {
			t.Fatalf("after one call the list has %d, want 2", len(list))
		}
	})
}

// The defrauded-after-dissuasion rate: a case of the dissuaded person
// (phone or ID number) reported within 30 days after the dissuasion counts,
// one later or earlier does not; the figures agree with a loop over the
// raw records.
func TestDefraudedAfterDissuasion(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		p := warning.DefaultPolicy()
		type person struct {
			ref, phone, idn, addr string
			outcome               warning.Outcome
			caseAfter             time.Duration // 0: no case; negative: before the dissuasion
			casePhone, caseID     bool
			relapse               bool
		}
		people := []person{
			{"D-1", "13900000001", "", "青石镇李家村", warning.OutcomeDissuaded, 10 * day, true, false, true},
			{"D-2", "13900000002", "110101199001011234", "青石镇李家村", warning.OutcomeDissuaded, 29 * day, false, true, true},
			{"D-3", "13900000003", "", "青石镇李家村", warning.OutcomeDissuaded, 31 * day, true, false, false},
			{"D-4", "13900000004", "", "青石镇李家村", warning.OutcomeDissuaded, -2 * day, true, false, false},
			{"D-5", "13900000005", "", "城关街道新华社区", warning.OutcomeDissuaded, 3 * day, true, false, true},
			{"D-6", "13900000006", "", "城关街道新华社区", warning.OutcomeDissuaded, 0, false, false, false},
			{"D-7", "13900000007", "", "城关街道新华社区", warning.OutcomeUnreachable, 5 * day, true, false, false},
			{"D-8", "13900000008", "", "青石镇李家村", warning.OutcomeFalseAlarm, 0, false, false, false},
		}
		for i, pp := range people {
			id := w.Warn(t, pp.ref, warning.GradeOrdinary, pp.phone, pp.idn, pp.addr)
			a := w.Actor(w.OffA)
			if pp.addr != "青石镇李家村" {
				a = w.Actor(w.OffB)
			}
			if _, err := warning.SetOutcome(ctx, d, p, a, id, warning.OutcomeInput{Outcome: pp.outcome}, w.Now); err != nil {
				t.Fatal(err)
			}
			if pp.caseAfter != 0 {
				ph, idn := "", ""
				if pp.casePhone {
					ph = pp.phone
				}
				if pp.caseID {
					idn = pp.idn
				}
				w.VictimCase(t, fmt.Sprintf("AJ-%d", i), ph, idn, w.Now.Add(pp.caseAfter))
			}
		}
		from, to := w.Now.Add(-day), w.Now.Add(day)
		r, err := dissuade.DissuasionRates(ctx, d, w.Root, from, to)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, x := range r.Relapses {
			got[x.CaseNo] = true
		}
		for i, pp := range people {
			if got[fmt.Sprintf("AJ-%d", i)] != pp.relapse {
				t.Errorf("%s: relapse %v, want %v", pp.ref, !pp.relapse, pp.relapse)
			}
		}
		// The loop over raw records.
		type raw struct {
			id, outcomeAt, station int64
			phone, idn, outcome    string
		}
		var ws []raw
		rows, err := d.Query(ctx, `SELECT id, COALESCE(outcome_at, 0), COALESCE(station_id, 0), person_phone, person_id_number, outcome FROM warnings WHERE status = 'closed'`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var x raw
			if err := rows.Scan(&x.id, &x.outcomeAt, &x.station, &x.phone, &x.idn, &x.outcome); err != nil {
				t.Fatal(err)
			}
			ws = append(ws, x)
		}
		rows.Close()
		vs := testworld.ReadVictims(t, d)
		closed, dissuaded, relapsed := map[int64]int{}, map[int64]int{}, map[int64]int{}
		for _, x := range ws {
			if x.outcome == "false_alarm" || x.outcomeAt < db.Millis(from) || x.outcomeAt >= db.Millis(to) {
				continue
			}
			closed[x.station]++
			if x.outcome != "dissuaded" {
				continue
			}
			dissuaded[x.station]++
			if vs.Relapsed(x.phone, x.idn, x.outcomeAt, dissuade.After) {
				relapsed[x.station]++
			}
		}
		if len(r.ByStation) != 2 {
			t.Fatalf("stations %+v", r.ByStation)
		}
		for _, s := range r.ByStation {
			if s.Closed != closed[s.ID] || s.Dissuaded != dissuaded[s.ID] || s.Relapsed != relapsed[s.ID] {
				t.Errorf("%s: %+v, loop: closed %d dissuaded %d relapsed %d", s.Name, s, closed[s.ID], dissuaded[s.ID], relapsed[s.ID])
			}
		}
		// 青石: 4 dissuaded, 2 relapsed → 500‰; 城关: 2 of 3 dissuaded, 1 relapsed.
		if r.Total.Dissuaded != 6 || r.Total.Relapsed != 3 || r.Total.RelapsePermille() != 500 || r.Total.Closed != 7 {
			t.Fatalf("total %+v", r.Total)
		}
		if len(r.ByOfficer) != 2 {
			t.Fatalf("officers %+v", r.ByOfficer)
		}
		// A station sees its own only.
		rb, _ := dissuade.DissuasionRates(ctx, d, w.StB, from, to)
		if rb.Total.Dissuaded != 2 || rb.Total.Relapsed != 1 || len(rb.Relapses) != 1 || rb.Relapses[0].Days() != 3 {
			t.Fatalf("station B: %+v", rb)
		}
	})
}

// An unreached fund or high-risk warning needs three calls, on two numbers
// when two are known, before a visit is recorded.
func TestOnsiteNeedsCallsFirst(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		p := warning.DefaultPolicy()
		a := w.Actor(w.OffA)
		call := func(id int64, result string) {
			t.Helper()
			if err := dissuade.RecordContact(ctx, d, p, a, id, warning.ContactInput{Method: "call", Result: result}, w.Now); err != nil {
				t.Fatal(err)
			}
		}
		visit := func(id int64) error {
			return dissuade.RecordContact(ctx, d, p, a, id, warning.ContactInput{Method: "visit", Result: "safe"}, w.Now)
		}
		// One number known: three calls.
		one := w.Warn(t, "V-1", warning.GradeFund, "13700000001", "", "青石镇李家村")
		call(one, "no_answer")
		call(one, "no_answer")
		testworld.WantKind(t, visit(one), domain.ErrRule, "至少电话联系 3 次")
		call(one, "no_answer")
		if err := visit(one); err != nil {
			t.Fatalf("visit after three calls: %v", err)
		}
		// Two numbers known (two warnings of one ID number): both called.
		idn := "110101198001011230"
		old := w.Warn(t, "V-2a", warning.GradeHigh, "13700000002", idn, "青石镇李家村")
		if _, err := warning.SetOutcome(ctx, d, p, a, old, warning.OutcomeInput{Outcome: warning.OutcomeFalseAlarm}, w.Now); err != nil {
			t.Fatal(err)
		}
		two := w.Warn(t, "V-2b", warning.GradeHigh, "13700000003", idn, "青石镇李家村")
		for range 3 {
			call(two, "no_answer")
		}
		testworld.WantKind(t, visit(two), domain.ErrRule, "已知 2 个号码")
		if err := d.QueryRow(ctx, `SELECT 1`).Scan(new(int)); err != nil {
			t.Fatal(err)
		}
		// A call on the other number (recorded on its warning, reopened here by a fixture row).
		if _, err := d.Exec(ctx, `INSERT INTO contacts (warning_id, at, method, result, created_at) VALUES (?,?,'call','no_answer',?)`,
			old, db.Millis(w.Now), db.Millis(w.Now)); err != nil {
			t.Fatal(err)
		}
		if err := visit(two); err != nil {
			t.Fatalf("visit after calls on both numbers: %v", err)
		}
		// Reached already, or an ordinary warning: no rule.
		reached := w.Warn(t, "V-3", warning.GradeFund, "13700000004", "", "青石镇李家村")
		call(reached, "at_risk")
		if err := visit(reached); err != nil {
			t.Fatalf("visit after reaching the person: %v", err)
		}
		ord := w.Warn(t, "V-4", warning.GradeOrdinary, "13700000005", "", "青石镇李家村")
		if err := visit(ord); err != nil {
			t.Fatalf("visit on an ordinary warning: %v", err)
		}
	})
}

// The warning page's history: the person's earlier warnings with their
// contacts and their cases, nothing of other people, nothing later.
func TestPersonHistory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		p := warning.DefaultPolicy()
		a := w.Actor(w.OffA)
		first := w.Warn(t, "P-1", warning.GradeHigh, "13600000001", "", "青石镇李家村")
		if err := warning.RecordContact(ctx, d, p, a, first, warning.ContactInput{Method: "call", Result: "reached"}, w.Now); err != nil {
			t.Fatal(err)
		}
		if _, err := warning.SetOutcome(ctx, d, p, a, first, warning.OutcomeInput{Outcome: warning.OutcomeDissuaded}, w.Now); err != nil {
			t.Fatal(err)
		}
		w.VictimCase(t, "AJ-P", "13600000001", "", w.Now.Add(day))
		w.Warn(t, "P-X", warning.GradeHigh, "13600000099", "", "青石镇李家村")
		w.Now = w.Now.Add(2 * day)
		second := w.Warn(t, "P-2", warning.GradeHigh, "13600000001", "", "青石镇李家村")
		h, err := dissuade.PersonHistory(ctx, d, w.StA, second)
		if err != nil {
			t.Fatal(err)
		}
		if len(h.Warnings) != 1 || h.Warnings[0].ID != first || len(h.Warnings[0].Contacts) != 1 || h.Warnings[0].Contacts[0].Result != "已联系上" {
			t.Fatalf("earlier warnings %+v", h.Warnings)
		}
		if len(h.Cases) != 1 || h.Cases[0].CaseNo != "AJ-P" {
			t.Fatalf("cases %+v", h.Cases)
		}
		if _, err := dissuade.PersonHistory(ctx, d, w.StB, second); err == nil {
			t.Fatal("another station read the history")
		}
	})
}
