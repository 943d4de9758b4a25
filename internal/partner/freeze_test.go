package partner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/notify"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

var t0 = time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC) // 10:00 in Shanghai

type world struct {
	d              *db.DB
	root, stA, stB area.Node
	bank, bank2    int64
	caseA, caseB   int64
	inv            auth.AuditEntry
	bankWho        auth.AuditEntry
}

// newWorld is newCounty with a case in each station, reported at t0.
func newWorld(t *testing.T, d *db.DB) *world {
	t.Helper()
	ctx := context.Background()
	w := newCounty(t, d)
	for i, st := range []area.Node{w.stA, w.stB} {
		var id int64
		if err := d.QueryRow(ctx, `INSERT INTO cases (case_no, area_id, station_id, reported_at, loss_fen, created_at, updated_at)
			VALUES (?,?,?,?,100,?,?) RETURNING id`, "AJ-"+st.Code, st.ID, st.ID, db.Millis(t0), db.Millis(t0), db.Millis(t0)).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			w.caseA = id
		} else {
			w.caseB = id
		}
	}
	return w
}

// newCounty is a county with two stations (青石, 城关) and two banks, and
// no cases.
func newCounty(t *testing.T, d *db.DB) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{d: d}
	mk := func(n *area.Node) {
		if err := area.Create(ctx, d, n); err != nil {
			t.Fatal(err)
		}
	}
	w.root = area.Node{Level: area.County, Code: "C", Name: "云溪县"}
	mk(&w.root)
	w.stA = area.Node{ParentID: w.root.ID, Level: area.Station, Code: "A", Name: "青石派出所"}
	mk(&w.stA)
	w.stB = area.Node{ParentID: w.root.ID, Level: area.Station, Code: "B", Name: "城关派出所"}
	mk(&w.stB)
	for i, code := range []string{"B1", "B2"} {
		var id int64
		if err := d.QueryRow(ctx, `INSERT INTO units (kind, code, name, created_at) VALUES ('bank',?,?,0) RETURNING id`, code, "银行"+code).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			w.bank = id
		} else {
			w.bank2 = id
		}
	}
	w.inv = auth.AuditEntry{Username: "inv", Role: auth.RoleInvestigator}
	w.bankWho = auth.AuditEntry{Username: "bank", Role: auth.RolePartner}
	return w
}

func (w *world) request(t *testing.T, kind string, draft bool, at time.Time) int64 {
	t.Helper()
	id, err := CreateForCase(context.Background(), w.d, w.stA, w.inv, 0, w.caseA,
		CaseRequest{Kind: kind, UnitID: w.bank, Account: "6222000011112222", AmountFen: 500_000, Reason: "涉案账户", Draft: draft}, at)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (w *world) status(t *testing.T, id int64) (string, time.Time, time.Time) {
	t.Helper()
	var st string
	var starts, expires *int64
	if err := w.d.QueryRow(context.Background(), `SELECT status, term_starts_at, expires_at FROM partner_requests WHERE id = ?`, id).Scan(&st, &starts, &expires); err != nil {
		t.Fatal(err)
	}
	var s, e time.Time
	if starts != nil {
		s = db.Time(*starts)
	}
	if expires != nil {
		e = db.Time(*expires)
	}
	return st, s, e
}

func TestParseTerms(t *testing.T) {
	cases := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"", "stop_payment=2d,freeze=6mo,remind_stop_payment=12h,remind_freeze=7d/1d", false},
		{"freeze=3mo", "stop_payment=2d,freeze=3mo,remind_stop_payment=12h,remind_freeze=7d/1d", false},
		{"stop_payment=72h,remind_freeze=1d/14d/3d", "stop_payment=3d,freeze=6mo,remind_stop_payment=12h,remind_freeze=14d/3d/1d", false},
		{"remind_stop_payment=none", "stop_payment=2d,freeze=6mo,remind_stop_payment=none,remind_freeze=7d/1d", false},
		{"freeze=0mo", "", true},
		{"freeze=-1h", "", true},
		{"thaw=1d", "", true},
		{"freeze", "", true},
	}
	for _, c := range cases {
		got, err := ParseTerms(c.in)
		if (err != nil) != c.wantErr {
			t.Errorf("ParseTerms(%q) error %v", c.in, err)
			continue
		}
		if err == nil && got.String() != c.want {
			t.Errorf("ParseTerms(%q) = %s, want %s", c.in, got, c.want)
		}
		if err == nil {
			again, err := ParseTerms(got.String())
			if err != nil || again.String() != got.String() {
				t.Errorf("round trip of %s: %s %v", got, again, err)
			}
		}
	}
	// Six months are calendar months in Shanghai.
	if e := (Term{Months: 6}).From(t0); !e.Equal(time.Date(2026, 9, 10, 2, 0, 0, 0, time.UTC)) {
		t.Errorf("6 months from %s: %s", t0, e)
	}
}

// Every move of the lifecycle, legal and illegal, on both engines.
func TestFreezeLifecycleTransitions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		type step struct {
			name string
			do   func(id int64, at time.Time) error
			want error // nil, domain.ErrConflict, domain.ErrInvalid, domain.ErrNotFound
			then string
		}
		send := func(id int64, at time.Time) error { return Send(ctx, d, w.stA, w.inv, id, at) }
		confirm := func(fen int64) func(int64, time.Time) error {
			return func(id int64, at time.Time) error {
				return Confirm(ctx, d, w.stA, w.inv, id, fen, "冻字2026-001", at)
			}
		}
		reject := func(id int64, at time.Time) error { return Reject(ctx, d, w.stA, w.inv, id, "账户已销户", at) }
		answer := func(status string, fen int64) func(int64, time.Time) error {
			return func(id int64, at time.Time) error {
				return Respond(ctx, d, w.bank, w.bankWho, id, Answer{Status: status, Result: "已办理", ResultFen: fen, Reference: "回执-9"}, at)
			}
		}
		renew := func(id int64, at time.Time) error {
			_, err := Renew(ctx, d, w.stA, w.inv, id, "续冻", at)
			return err
		}
		release := func(id int64, at time.Time) error {
			_, err := Release(ctx, d, w.stA, w.inv, id, "返还完毕", at)
			return err
		}
		otherStation := func(id int64, at time.Time) error { return Send(ctx, d, w.stB, w.inv, id, at) }
		otherBank := func(id int64, at time.Time) error {
			return Respond(ctx, d, w.bank2, w.bankWho, id, Answer{Status: "done", ResultFen: 1}, at)
		}
		scenarios := []struct {
			name  string
			kind  string
			draft bool
			steps []step
		}{
			{"draft, send, bank confirms", "freeze", true, []step{
				{"bank cannot answer a draft", answer("done", 100), domain.ErrNotFound, "drafted"},
				{"confirm a draft", confirm(100), domain.ErrConflict, "drafted"},
				{"another station cannot send", otherStation, domain.ErrNotFound, "drafted"},
				{"send", send, nil, "sent"},
				{"send twice", send, domain.ErrConflict, "sent"},
				{"renew before confirmation", renew, domain.ErrConflict, "sent"},
				{"release before confirmation", release, domain.ErrConflict, "sent"},
				{"another bank answers", otherBank, domain.ErrNotFound, "sent"},
				{"bank seen", answer("seen", 0), nil, "seen"},
				{"bank done without amount", answer("done", 0), domain.ErrInvalid, "seen"},
				{"bank done with amount", answer("done", 480_000), nil, "confirmed"},
				{"confirm again", confirm(1), domain.ErrConflict, "confirmed"},
				{"reject after confirmation", reject, domain.ErrConflict, "confirmed"},
				{"bank answers again", answer("refused", 0), domain.ErrConflict, "confirmed"},
			}},
			{"sent at once, rejected", "stop_payment", false, []step{
				{"send a sent request", send, domain.ErrConflict, "sent"},
				{"reject", reject, nil, "rejected"},
				{"confirm a rejected one", confirm(100), domain.ErrConflict, "rejected"},
				{"release a rejected one", release, domain.ErrConflict, "rejected"},
			}},
			{"stop-payment confirmed by the investigator, not renewable, released", "stop_payment", false, []step{
				{"confirm", confirm(300_000), nil, "confirmed"},
				{"renew a stop-payment", renew, domain.ErrConflict, "confirmed"},
				{"release", release, nil, "confirmed"},
				{"second release while one is pending", release, domain.ErrConflict, "confirmed"},
			}},
		}
		for _, sc := range scenarios {
			at := t0
			id := w.request(t, sc.kind, sc.draft, at)
			for _, s := range sc.steps {
				at = at.Add(time.Minute)
				err := s.do(id, at)
				switch {
				case s.want == nil && err != nil:
					t.Errorf("%s / %s: %v", sc.name, s.name, err)
				case s.want != nil && !errors.Is(err, s.want):
					t.Errorf("%s / %s: error %v, want %v", sc.name, s.name, err, s.want)
				}
				if s.want == domain.ErrConflict && err != nil && !strings.Contains(err.Error(), "当前状态") && !strings.Contains(err.Error(), "已答复") && !strings.Contains(err.Error(), "待银行答复") {
					t.Errorf("%s / %s: conflict without the current status: %v", sc.name, s.name, err)
				}
				if st, _, _ := w.status(t, id); st != s.then {
					t.Errorf("%s / %s: status %s, want %s", sc.name, s.name, st, s.then)
				}
			}
		}
		// The confirmed stop-payment runs 48 hours from the confirmation.
		var spID int64
		_ = d.QueryRow(ctx, `SELECT id FROM partner_requests WHERE kind = 'stop_payment' AND status = 'confirmed'`).Scan(&spID)
		_, starts, expires := w.status(t, spID)
		if expires.Sub(starts) != 48*time.Hour {
			t.Errorf("stop-payment term %s – %s", starts, expires)
		}
		// The bank confirms the release: the stop-payment is released.
		var relID int64
		_ = d.QueryRow(ctx, `SELECT id FROM partner_requests WHERE kind = 'release' AND prior_id = ?`, spID).Scan(&relID)
		if err := Respond(ctx, d, w.bank, w.bankWho, relID, Answer{Status: "done", Result: "已解除"}, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if st, _, _ := w.status(t, spID); st != "released" {
			t.Errorf("after the release: %s", st)
		}
		// Every change is audited and on the case timeline.
		var audits, events int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE object_type = 'partner_request'`).Scan(&audits)
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM case_events WHERE case_id = ?`, w.caseA).Scan(&events)
		if audits < 11 || events < 9 {
			t.Errorf("audit lines %d, timeline events %d", audits, events)
		}
		// The bank's inbox never shows a draft.
		w.request(t, "freeze", true, t0)
		inbox, err := Inbox(ctx, d, w.bank, t0, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range inbox {
			if r.Status == "drafted" {
				t.Fatal("a draft reached the bank's inbox")
			}
		}
	})
}

// A renewal needs the bank's confirmation and runs from the old expiry.
func TestFreezeRenewal(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		id := w.request(t, "freeze", false, t0)
		if err := Respond(ctx, d, w.bank, w.bankWho, id, Answer{Status: "done", ResultFen: 500_000, Reference: "冻-1"}, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		_, _, exp1 := w.status(t, id)
		if want := time.Date(2026, 9, 10, 3, 0, 0, 0, time.UTC); !exp1.Equal(want) {
			t.Fatalf("first term ends %s, want %s", exp1, want)
		}
		renewAt := exp1.Add(-10 * 24 * time.Hour)
		rid, err := Renew(ctx, d, w.stA, w.inv, id, "案件仍在侦办", renewAt)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Renew(ctx, d, w.stA, w.inv, id, "again", renewAt); !errors.Is(err, domain.ErrConflict) {
			t.Fatalf("second pending renewal: %v", err)
		}
		if _, err := Release(ctx, d, w.stA, w.inv, id, "返还完毕", renewAt); !errors.Is(err, domain.ErrConflict) {
			t.Fatalf("release while a renewal waits: %v", err)
		}
		// Until the bank confirms, the old term stands and the renewal waits.
		if st, _, _ := w.status(t, id); st != "confirmed" {
			t.Fatalf("old term while the renewal waits: %s", st)
		}
		if st, _, _ := w.status(t, rid); st != "sent" {
			t.Fatalf("renewal: %s", st)
		}
		if err := Respond(ctx, d, w.bank, w.bankWho, rid, Answer{Status: "done", ResultFen: 500_000, Reference: "续冻-1"}, renewAt.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		st, starts, exp2 := w.status(t, rid)
		if st != "confirmed" || !starts.Equal(exp1) || !exp2.Equal(time.Date(2027, 3, 10, 3, 0, 0, 0, time.UTC)) {
			t.Fatalf("renewal %s %s – %s", st, starts, exp2)
		}
		if st, _, _ := w.status(t, id); st != "renewed" {
			t.Fatalf("old term after the renewal: %s", st)
		}
		// The renewed term is watched, the old one is not lapsed.
		fw := &FreezeWatch{DB: d, Log: quiet, Now: func() time.Time { return exp1.Add(time.Hour) }}
		res, err := fw.Sweep(ctx)
		if err != nil || len(res.Lapsed) != 0 {
			t.Fatalf("sweep after the old expiry: %+v %v", res, err)
		}
		// A renewal confirmed after the old term lapsed starts at the confirmation.
		id2 := w.request(t, "freeze", false, t0)
		_ = Respond(ctx, d, w.bank, w.bankWho, id2, Answer{Status: "done", ResultFen: 1000}, t0)
		_, _, e2 := w.status(t, id2)
		r2, err := Renew(ctx, d, w.stA, w.inv, id2, "续冻", e2.Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := (&FreezeWatch{DB: d, Log: quiet, Now: func() time.Time { return e2.Add(time.Minute) }}).Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		late := e2.Add(2 * time.Hour)
		if err := Respond(ctx, d, w.bank, w.bankWho, r2, Answer{Status: "done", ResultFen: 1000}, late); err != nil {
			t.Fatal(err)
		}
		if st, s, _ := w.status(t, r2); st != "confirmed" || !s.Equal(late) {
			t.Fatalf("late renewal: %s from %s", st, s)
		}
		if st, _, _ := w.status(t, id2); st != "lapsed" {
			t.Fatalf("lapsed term stays lapsed: %s", st)
		}
	})
}

// Terms in the past are lapsed by the first sweep (a server started after
// the expiry); reminders are enqueued once per term and lead, and after a
// long stop only the nearest due one is sent.
func TestFreezeWatchLapseAndReminders(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		targets := []notify.Target{{URL: "http://robot.example/hook", Format: notify.FormatJSON}}
		confirm := func(kind string) (int64, time.Time) {
			id := w.request(t, kind, false, t0)
			if err := Confirm(ctx, d, w.stA, w.inv, id, 200_000, "文书-1", t0); err != nil {
				t.Fatal(err)
			}
			_, _, e := w.status(t, id)
			return id, e
		}
		count := func(q string, args ...any) int {
			var n int
			if err := d.QueryRow(ctx, q, args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		freeze, fexp := confirm("freeze")
		stop, sexp := confirm("stop_payment")
		watch := func(at time.Time) SweepResult {
			res, err := (&FreezeWatch{DB: d, Log: quiet, Targets: targets, Now: func() time.Time { return at }}).Sweep(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		steps := []struct {
			name             string
			at               time.Time
			lapsed, reminded []int64
			outbox           int
		}{
			{"nothing due", t0.Add(time.Hour), nil, nil, 0},
			{"stop-payment 12 h before", sexp.Add(-12*time.Hour + time.Minute), nil, []int64{stop}, 1},
			{"again: nothing new", sexp.Add(-11 * time.Hour), nil, nil, 1},
			{"stop-payment lapses", sexp.Add(time.Second), []int64{stop}, nil, 2},
			{"freeze 7 days before", fexp.Add(-7*24*time.Hour + time.Minute), nil, []int64{freeze}, 3},
			{"again", fexp.Add(-6 * 24 * time.Hour), nil, nil, 3},
			{"freeze 1 day before", fexp.Add(-24*time.Hour + time.Minute), nil, []int64{freeze}, 4},
			{"again", fexp.Add(-time.Hour), nil, nil, 4},
			{"freeze lapses", fexp, []int64{freeze}, nil, 5},
			{"nothing left", fexp.Add(time.Hour), nil, nil, 5},
		}
		for _, s := range steps {
			res := watch(s.at)
			if !sameIDs(res.Lapsed, s.lapsed) || !sameIDs(res.Reminded, s.reminded) {
				t.Errorf("%s: %+v, want lapsed %v reminded %v", s.name, res, s.lapsed, s.reminded)
			}
			if n := count(`SELECT COUNT(*) FROM outbox`); n != s.outbox {
				t.Errorf("%s: outbox %d, want %d", s.name, n, s.outbox)
			}
		}
		if n := count(`SELECT COUNT(*) FROM case_events WHERE kind = 'freeze_reminder'`); n != 3 {
			t.Errorf("reminders on the timeline: %d", n)
		}
		if n := count(`SELECT COUNT(*) FROM case_events WHERE kind = 'freeze_lapsed'`); n != 2 {
			t.Errorf("lapses on the timeline: %d", n)
		}
		// A server down for the whole last week: started 12 hours before the
		// expiry it sends the 1-day reminder only; started after the expiry
		// it lapses the term without reminding.
		f2, e2 := confirm("freeze")
		f3, e3 := confirm("freeze")
		_ = e3
		before := count(`SELECT COUNT(*) FROM outbox`)
		res := watch(e2.Add(-12 * time.Hour))
		if !sameIDs(res.Reminded, []int64{f2, f3}) || count(`SELECT COUNT(*) FROM outbox`) != before+2 {
			t.Fatalf("late start: %+v", res)
		}
		if n := count(`SELECT COUNT(*) FROM freeze_reminders WHERE request_id = ?`, f2); n != 2 {
			t.Fatalf("both leads recorded: %d", n)
		}
		if res := watch(e2.Add(-11 * time.Hour)); len(res.Reminded) != 0 {
			t.Fatalf("the 7-day lead was sent after the 1-day one: %+v", res)
		}
		res = watch(e2.Add(30 * 24 * time.Hour))
		if !sameIDs(res.Lapsed, []int64{f2, f3}) || len(res.Reminded) != 0 {
			t.Fatalf("restart after the expiry: %+v", res)
		}
		var lapsedAt int64
		_ = d.QueryRow(ctx, `SELECT ended_at FROM partner_requests WHERE id = ?`, f2).Scan(&lapsedAt)
		if !db.Time(lapsedAt).Equal(e2) {
			t.Fatalf("lapse recorded at %s, want the expiry %s", db.Time(lapsedAt), e2)
		}
	})
}

func sameIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[int64]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		seen[x]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

// A confirmed stop-payment about to lapse is converted to a freeze: a freeze
// request to the same bank for the amount stopped; the bank's confirmation
// starts the freeze's own term and ends the stop-payment (已转冻结). A
// freeze is not converted, nor twice, nor by another station.
func TestStopPaymentConvertToFreeze(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		id := w.request(t, "stop_payment", false, t0)
		if err := Respond(ctx, d, w.bank, w.bankWho, id, Answer{Status: "done", ResultFen: 300_000, Reference: "止-1"}, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		_, _, stopEnds := w.status(t, id)
		at := stopEnds.Add(-6 * time.Hour)
		if _, err := Convert(ctx, d, w.stB, w.inv, id, "", at); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("another station converted: %v", err)
		}
		fid, err := Convert(ctx, d, w.stA, w.inv, id, "", at)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Convert(ctx, d, w.stA, w.inv, id, "", at); !errors.Is(err, domain.ErrConflict) {
			t.Fatalf("second conversion: %v", err)
		}
		var kind, account string
		var amount, prior int64
		_ = d.QueryRow(ctx, `SELECT kind, account, amount_fen, prior_id FROM partner_requests WHERE id = ?`, fid).Scan(&kind, &account, &amount, &prior)
		if kind != "freeze" || account != "6222000011112222" || amount != 300_000 || prior != id {
			t.Fatalf("freeze request: %s %s %d prior %d", kind, account, amount, prior)
		}
		confirmAt := at.Add(time.Hour)
		if err := Respond(ctx, d, w.bank, w.bankWho, fid, Answer{Status: "done", ResultFen: 300_000, Reference: "冻-9"}, confirmAt); err != nil {
			t.Fatal(err)
		}
		if st, _, _ := w.status(t, id); st != "converted" {
			t.Fatalf("stop-payment after the freeze: %s", st)
		}
		if st, starts, _ := w.status(t, fid); st != "confirmed" || !starts.Equal(confirmAt) {
			t.Fatalf("freeze: %s from %s, want confirmed from %s", st, starts, confirmAt)
		}
		if _, err := Convert(ctx, d, w.stA, w.inv, fid, "", confirmAt); !errors.Is(err, domain.ErrConflict) {
			t.Fatalf("a freeze converted: %v", err)
		}
		if StatusName("converted") != "已转冻结" {
			t.Fatalf("status name: %s", StatusName("converted"))
		}
	})
}

// The freeze list pages, searches account and case numbers, filters by
// station and by the caller's cases, and puts what expires first on top.
func TestListFreezesFilters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		var ids []int64
		for i := range 5 {
			id := w.request(t, "freeze", false, t0.Add(time.Duration(i)*time.Minute))
			// Later confirmations expire later; confirm in reverse order.
			if err := Respond(ctx, d, w.bank, w.bankWho, id, Answer{Status: "done", ResultFen: 100, Reference: "x"}, t0.Add(time.Duration(10-i)*time.Hour)); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		idB, err := CreateForCase(ctx, d, w.root, w.inv, 0, w.caseB, CaseRequest{Kind: "stop_payment", UnitID: w.bank, Account: "6217999988887777", AmountFen: 1}, t0)
		if err != nil {
			t.Fatal(err)
		}
		all, err := ListFreezes(ctx, d, w.root, FreezeFilter{}, t0)
		if err != nil || len(all) != 6 || all[0].ID != ids[4] || all[4].ID != ids[0] || all[5].ID != idB {
			t.Fatalf("order: %v %v", freezeIDs(all), err)
		}
		page2, _ := ListFreezes(ctx, d, w.root, FreezeFilter{Offset: 2, Limit: 2}, t0)
		if fmt.Sprint(freezeIDs(page2)) != fmt.Sprint([]int64{ids[2], ids[1]}) {
			t.Fatalf("page 2: %v", freezeIDs(page2))
		}
		for _, c := range []struct {
			f    FreezeFilter
			want []int64
		}{
			{FreezeFilter{Search: "99998888"}, []int64{idB}},
			{FreezeFilter{Search: "AJ-B"}, []int64{idB}},
			{FreezeFilter{StationID: w.stB.ID}, []int64{idB}},
			{FreezeFilter{StationID: w.stA.ID, Limit: 1}, []int64{ids[4]}},
			{FreezeFilter{Mine: 999}, nil},
		} {
			got, err := ListFreezes(ctx, d, w.root, c.f, t0)
			if err != nil || fmt.Sprint(freezeIDs(got)) != fmt.Sprint(c.want) {
				t.Errorf("%+v: %v %v, want %v", c.f, freezeIDs(got), err, c.want)
			}
		}
	})
}

func freezeIDs(rows []FreezeRow) []int64 {
	var out []int64
	for _, r := range rows {
		out = append(out, r.ID)
	}
	return out
}
