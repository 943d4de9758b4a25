package instruction_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/instruction"
	"github.com/fanzha/fanzha/internal/testworld"
	"github.com/fanzha/fanzha/internal/warning"
)

// A warning sent as JSON with its instruction (the API and the stream take
// this shape) registers the instruction as an imported file would: the
// level's source, the number as reference, the issuer's own deadline when
// given and the level's default otherwise; sent again it changes nothing;
// an unreadable instruction refuses the submission before anything is
// stored; a warning without one stays an ordinary warning.
func TestSubmitRegistersInstruction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		body := `{"warnings": [
			{"grade": "high", "person": {"name": "王秀英", "phone": "13800000201", "address": "青石镇李家村"}, "fraud_type": "police",
			 "received_at": "2026-11-02T01:00:00Z",
			 "instruction": {"level": "省厅", "number": "SJ-API-1", "issuer": "省反诈中心", "feedback_due": "2026-11-02T05:00:00Z"}},
			{"grade": "fund", "person": {"name": "李建国", "phone": "13800000202", "address": "城关街道新华社区"}, "fraud_type": "investment",
			 "received_at": "2026-11-02T01:00:00Z",
			 "instruction": {"level": "bank", "number": "YH-API-2"}},
			{"source": "hotline", "source_ref": "RX-1", "person": {"name": "赵丽", "phone": "13800000203", "address": "城关街道新华社区"}}
		]}`
		var req struct {
			Warnings []instruction.Incoming `json:"warnings"`
		}
		if err := json.Unmarshal([]byte(body), &req); err != nil {
			t.Fatal(err)
		}
		opt := warning.SubmitOptions{Door: "api", UserID: w.Duty.ID}
		sub, err := instruction.Submit(ctx, d, w.Intake, req.Warnings, opt, w.Now)
		if err != nil || sub.Created != 3 || sub.Registered != 2 {
			t.Fatalf("submit: %+v %v", sub, err)
		}
		rec := time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)
		for _, c := range []struct {
			number, level, source string
			sign, feedback        time.Time
		}{
			{"SJ-API-1", "province", "upper", rec.Add(instruction.DefaultDeadlines[instruction.Province].Sign), rec.Add(4 * time.Hour)},
			{"YH-API-2", "bank", "bank", rec.Add(instruction.DefaultDeadlines[instruction.Bank].Sign), rec.Add(instruction.DefaultDeadlines[instruction.Bank].Feedback)},
		} {
			var level, source, ref string
			var sign, fb int64
			if err := d.QueryRow(ctx, `SELECT i.level, w.source, w.source_ref, i.sign_due_at, i.feedback_due_at FROM instructions i
				JOIN warnings w ON w.id = i.warning_id WHERE i.number = ?`, c.number).Scan(&level, &source, &ref, &sign, &fb); err != nil {
				t.Fatalf("%s: %v", c.number, err)
			}
			if level != c.level || source != c.source || ref != c.number || !db.Time(sign).Equal(c.sign) || !db.Time(fb).Equal(c.feedback) {
				t.Errorf("%s: level %s source %s ref %s sign %v feedback %v; want %s %s %s %v %v", c.number, level, source, ref,
					db.Time(sign), db.Time(fb), c.level, c.source, c.number, c.sign, c.feedback)
			}
		}
		if n := testworld.Count(t, d, `SELECT COUNT(*) FROM instructions`); n != 2 {
			t.Fatalf("%d instructions, want 2 (the hotline warning is none)", n)
		}
		// Sent again: duplicates, nothing new.
		again, err := instruction.Submit(ctx, d, w.Intake, req.Warnings, opt, w.Now)
		if err != nil || again.Duplicates != 3 || again.Registered != 0 {
			t.Fatalf("sent again: %+v %v", again, err)
		}
		// The queue has them both.
		q, err := instruction.PendingFeedback(ctx, d, w.Root, w.Now)
		if err != nil || len(q) != 2 {
			t.Fatalf("待反馈: %+v %v", q, err)
		}
		bad := []instruction.Incoming{
			{Input: warning.Input{Person: warning.Person{Phone: "13800000204", Address: "青石镇李家村"}}, Instruction: &instruction.Ref{Level: "乡镇", Number: "X-1"}},
		}
		_, err = instruction.Submit(ctx, d, w.Intake, bad, opt, w.Now)
		testworld.WantKind(t, err, domain.ErrInvalid, "第 1 条预警")
		bad[0].Instruction = &instruction.Ref{Level: "市"}
		_, err = instruction.Submit(ctx, d, w.Intake, bad, opt, w.Now)
		testworld.WantKind(t, err, domain.ErrInvalid, "指令编号为空")
		if n := testworld.Count(t, d, `SELECT COUNT(*) FROM warnings WHERE person_phone = '13800000204'`); n != 0 {
			t.Fatalf("a refused submission stored %d warnings", n)
		}
	})
}

// The 待反馈 queue is paged: each page holds at most its limit, the pages
// walk the queue nearest deadline first without gaps or repeats, and every
// page tells the queue's length and how many are overdue.
func TestPendingFeedbackPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		lines := []string{header}
		for i := range 7 {
			// Feedback deadlines 11:00, 12:00 … 17:00 on 11-02 (Shanghai).
			lines = append(lines, fmt.Sprintf("PG-%d,市,市局,2026-11-02 09:00,高危,甲%d,1370000%04d,青石镇李家村,police,,冒充公检法,2026-11-02 %02d:00", i, i, i, 17-i))
		}
		w.importCSV(t, lines...)
		at := time.Date(2026, 11, 2, 5, 30, 0, 0, time.UTC) // 13:30 Shanghai: 11:00, 12:00, 13:00 passed
		var seen []string
		for off := 0; off < 9; off += 3 {
			page, err := instruction.PendingFeedbackPage(ctx, d, w.Root, at, db.Page{Limit: 3, Offset: off})
			if err != nil {
				t.Fatal(err)
			}
			if page.Total != 7 || page.Overdue != 3 || page.Limit != 3 {
				t.Fatalf("page at %d: total %d overdue %d limit %d, want 7, 3, 3", off, page.Total, page.Overdue, page.Limit)
			}
			for _, p := range page.Items {
				seen = append(seen, p.Number)
			}
		}
		want := []string{"PG-6", "PG-5", "PG-4", "PG-3", "PG-2", "PG-1", "PG-0"}
		if fmt.Sprint(seen) != fmt.Sprint(want) {
			t.Fatalf("pages walked %v, want %v", seen, want)
		}
		all, err := instruction.PendingFeedback(ctx, d, w.Root, at)
		if err != nil || len(all) != 7 || !all[0].Overdue || all[3].Overdue {
			t.Fatalf("PendingFeedback: %d rows %v", len(all), err)
		}
		// Station B sees none of them (the people live in station A's town).
		b, err := instruction.PendingFeedbackPage(ctx, d, w.StB, at, db.Page{})
		if err != nil || b.Total != 0 || len(b.Items) != 0 || b.Limit != instruction.DefaultQueuePage {
			t.Fatalf("station B: %+v %v", b, err)
		}
	})
}

// Two duty officers export the feedback file at the same moment, each
// through its own connection pool as two replicas would: both exports
// succeed and carry every row, and each instruction has one version.
func TestConcurrentFeedbackExports(t *testing.T) {
	d := dbtest.Postgres(t)
	ctx := context.Background()
	w := newWorld(t, d)
	const n = 40
	lines := []string{header}
	for i := range n {
		lines = append(lines, fmt.Sprintf("CE-%d,省,省厅,2026-11-02 09:00,高危,甲%d,1360000%04d,青石镇李家村,police,,冒充公检法,", i, i, i))
	}
	w.importCSV(t, lines...)
	p := warning.DefaultPolicy()
	a := w.Actor(w.OffA)
	for i := range n {
		id := w.idOf(t, fmt.Sprintf("CE-%d", i))
		if _, err := warning.SetOutcome(ctx, d, p, a, id, warning.OutcomeInput{Outcome: warning.OutcomeDissuaded}, w.Now); err != nil {
			t.Fatal(err)
		}
	}
	d2, err := db.Open(ctx, d.DSN, "")
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	layout, _ := instruction.LayoutByName("")
	from, to := w.Now.Add(-24*time.Hour), w.Now.Add(time.Hour)
	var wg sync.WaitGroup
	start := make(chan struct{})
	sent := make([]instruction.Sent, 2)
	errs := make([]error, 2)
	for i, h := range []*db.DB{d, d2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, sent[i], errs[i] = instruction.ExportFeedback(ctx, h, w.Root, from, to, layout, w.Duty.ID, w.Now.Add(time.Hour))
		}()
	}
	close(start)
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil || len(sent[i].Reports) != n {
			t.Fatalf("export %d: %d rows, %v", i, len(sent[i].Reports), errs[i])
		}
	}
	if got := len(sent[0].New) + len(sent[1].New); got != n {
		t.Fatalf("the two exports recorded %d new reports, want %d", got, n)
	}
	if v := testworld.Count(t, d, `SELECT COUNT(*) FROM instruction_reports`); v != n {
		t.Fatalf("%d report versions, want %d", v, n)
	}
	if v := testworld.Count(t, d, `SELECT COUNT(*) FROM instruction_reports WHERE version <> 1`); v != 0 {
		t.Fatalf("%d reports recorded as a 续报", v)
	}
}
