package instruction_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/instruction"
	"github.com/fanzha/fanzha/internal/testworld"
	"github.com/fanzha/fanzha/internal/warning"
)

func TestParseLevel(t *testing.T) {
	for _, c := range []struct {
		in   string
		want instruction.Level
		bad  bool
	}{
		{"部", instruction.Ministry, false}, {"公安部反诈中心", instruction.Ministry, false}, {"省厅", instruction.Province, false},
		{"市局", instruction.City, false}, {"县", instruction.County, false}, {"中国工商银行", instruction.Bank, false},
		{"中国移动", instruction.Operator, false}, {"operator", instruction.Operator, false}, {"", "", true}, {"乡镇", "", true},
	} {
		got, err := instruction.ParseLevel(c.in)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("ParseLevel(%q) = %q, %v; want %q (error %v)", c.in, got, err, c.want, c.bad)
		}
	}
}

// Each level's instruction gets that level's default deadlines from its
// issuing time; a stored setting changes one level only; a deadline
// written in the file wins over both.
func TestDeadlinesPerLevel(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		testworld.SetSetting(t, d, instruction.FeedbackSetting(instruction.City), "12h")
		testworld.SetSetting(t, d, instruction.SignSetting(instruction.City), "15m")
		issued := "2026-11-02 09:00"
		lines := []string{header}
		for i, l := range instruction.Levels {
			lines = append(lines, fmt.Sprintf("ZL-%d,%s,上级中心,%s,高危,张%d,1380000%04d,青石镇李家村,police,,冒充公检法,", i, instruction.LevelName(l), issued, i, i))
		}
		lines = append(lines, "ZL-X,省,省厅,"+issued+",高危,李四,13900000001,青石镇李家村,police,,冒充公检法,2026-11-02 13:30")
		rep := w.importCSV(t, lines...)
		if rep.Registered != len(instruction.Levels)+1 {
			t.Fatalf("registered %d, want %d: %+v", rep.Registered, len(instruction.Levels)+1, rep.Intake)
		}
		at := time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC) // 09:00 Shanghai
		want := map[string][2]time.Duration{}
		for i, l := range instruction.Levels {
			dl := instruction.DefaultDeadlines[l]
			if l == instruction.City {
				dl = instruction.Deadlines{Sign: 15 * time.Minute, Feedback: 12 * time.Hour}
			}
			want[fmt.Sprintf("ZL-%d", i)] = [2]time.Duration{dl.Sign, dl.Feedback}
		}
		want["ZL-X"] = [2]time.Duration{instruction.DefaultDeadlines[instruction.Province].Sign, 4*time.Hour + 30*time.Minute}
		for num, wd := range want {
			var sign, fb int64
			if err := d.QueryRow(ctx, `SELECT sign_due_at, feedback_due_at FROM instructions WHERE number = ?`, num).Scan(&sign, &fb); err != nil {
				t.Fatal(err)
			}
			if got := db.Time(sign).Sub(at); got != wd[0] {
				t.Errorf("%s: sign within %v, want %v", num, got, wd[0])
			}
			if got := db.Time(fb).Sub(at); got != wd[1] {
				t.Errorf("%s: feedback within %v, want %v", num, got, wd[1])
			}
		}
		// The same file again changes nothing.
		w.importCSV(t, lines...)
		if n := testworld.Count(t, d, `SELECT COUNT(*) FROM instructions`); n != len(want) {
			t.Fatalf("%d instructions after a second import, want %d", n, len(want))
		}
	})
}

// Signing is automatic when the warning is assigned (the default), or by
// hand: then only an officer who sees the warning signs, once.
func TestSignAutoOrManual(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		w.importCSV(t, header, "ZL-A,市,市局,2026-11-02 09:50,高危,王秀英,13800000001,青石镇李家村,police,,冒充公检法,")
		var mode string
		var by int64
		if err := d.QueryRow(ctx, `SELECT sign_mode, signed_by FROM instructions WHERE number = 'ZL-A'`).Scan(&mode, &by); err != nil {
			t.Fatal(err)
		}
		if mode != "auto" || by != w.OffA.ID {
			t.Fatalf("auto sign: mode %q by %d, want auto by %d", mode, by, w.OffA.ID)
		}

		testworld.SetSetting(t, d, instruction.AutoSignSetting, "false")
		w.importCSV(t, header, "ZL-M,市,市局,2026-11-02 09:50,高危,赵六,13800000002,青石镇李家村,police,,冒充公检法,")
		id := w.idOf(t, "ZL-M")
		if n := testworld.Count(t, d, `SELECT COUNT(*) FROM instructions WHERE warning_id = ? AND signed_at IS NULL`, id); n != 1 {
			t.Fatal("manual mode: the instruction was signed without an officer")
		}
		res, err := (&instruction.Watcher{DB: d, Now: func() time.Time { return w.Now }}).Sweep(ctx)
		if err != nil || res.Signed != 0 {
			t.Fatalf("manual mode: a sweep signed %d (%v)", res.Signed, err)
		}
		err = instruction.Sign(ctx, d, w.StB, w.Entry(w.OffB), id, w.Now)
		testworld.WantKind(t, err, domain.ErrNotFound, "")
		if err := instruction.Sign(ctx, d, w.StA, w.Entry(w.OffA), id, w.Now); err != nil {
			t.Fatal(err)
		}
		testworld.WantKind(t, instruction.Sign(ctx, d, w.StA, w.Entry(w.OffA), id, w.Now), domain.ErrConflict, "已于")
		if n := testworld.Count(t, d, `SELECT COUNT(*) FROM warning_events WHERE warning_id = ? AND kind = 'signed'`, id); n != 1 {
			t.Fatalf("%d sign lines on the timeline, want 1", n)
		}
	})
}

// The 待反馈 queue shows the caller's instructions not reported back yet,
// the nearest deadline first, with the time left.
func TestPendingFeedbackQueue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		w.importCSV(t, header,
			"ZL-1,省,省厅,2026-11-02 09:00,高危,甲,13800000011,青石镇李家村,police,,冒充公检法,2026-11-02 12:00",
			"ZL-2,部,部中心,2026-11-02 09:00,高危,乙,13800000012,青石镇李家村,police,,冒充公检法,2026-11-02 11:00",
			"ZL-3,县,县局,2026-11-02 09:00,高危,丙,13800000013,城关街道新华社区,police,,冒充公检法,2026-11-02 09:30")
		list, err := instruction.PendingFeedback(ctx, d, w.StA, w.Now)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].Number != "ZL-2" || list[1].Number != "ZL-1" {
			t.Fatalf("station A queue: %+v", list)
		}
		if list[0].Left != time.Hour || list[0].LevelName != "部" || list[0].Overdue {
			t.Fatalf("ZL-2: left %v, level %q, overdue %v", list[0].Left, list[0].LevelName, list[0].Overdue)
		}
		all, err := instruction.PendingFeedback(ctx, d, w.Root, w.Now)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 3 || all[0].Number != "ZL-3" || !all[0].Overdue || all[0].Left != -30*time.Minute {
			t.Fatalf("county queue: %+v", all)
		}
	})
}

// A feedback deadline missed while no server ran is escalated by the first
// sweep of a new watcher, once; a sign deadline too.
func TestOverdueFeedbackEscalatesAfterRestart(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		testworld.SetSetting(t, d, instruction.AutoSignSetting, "false")
		w.importCSV(t, header, "ZL-9,市,市局,2026-11-02 09:00,高危,甲,13800000021,青石镇李家村,police,,冒充公检法,2026-11-02 12:00")
		id := w.idOf(t, "ZL-9")
		before := &instruction.Watcher{DB: d, Now: func() time.Time { return w.Now }}
		if res, err := before.Sweep(ctx); err != nil || len(res.Escalated) != 0 {
			t.Fatalf("before the deadlines: %+v %v", res, err)
		}
		// The server is down from 10:00 to 13:00; a new watcher starts.
		later := w.Now.Add(3 * time.Hour)
		after := &instruction.Watcher{DB: d, Now: func() time.Time { return later }}
		res, err := after.Sweep(ctx)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]bool{}
		for _, b := range res.Escalated {
			kinds[b.Kind] = true
		}
		if len(res.Escalated) != 2 || !kinds["sign"] || !kinds["feedback"] {
			t.Fatalf("escalated %+v, want the sign and the feedback deadline", res.Escalated)
		}
		if res, _ := after.Sweep(ctx); len(res.Escalated) != 0 {
			t.Fatalf("second sweep escalated again: %+v", res.Escalated)
		}
		if n := testworld.Count(t, d, `SELECT COUNT(*) FROM warning_events WHERE warning_id = ? AND kind = 'escalated' AND detail LIKE '%反馈超时%'`, id); n != 1 {
			t.Fatalf("%d feedback escalation lines, want 1", n)
		}
		list, _ := instruction.PendingFeedback(ctx, d, area.Node(w.Root), later)
		if len(list) != 1 || !list[0].Escalated || !list[0].Overdue {
			t.Fatalf("queue after escalation: %+v", list)
		}
	})
}

// Two instructions about one person: the intake merges the second warning
// into the first; both stay in the queue, each is reported with the
// result of the warning that was worked.
func TestMergedInstructionsReportedBoth(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		w.importCSV(t, header,
			"HB-1,省,省厅,2026-11-02 09:00,高危,甲,13800000041,青石镇李家村,police,,冒充公检法,",
			"HB-2,银行,工商银行,2026-11-02 09:05,高危,甲,13800000041,青石镇李家村,police,,冒充公检法,")
		id1 := w.idOf(t, "HB-1")
		list, err := instruction.PendingFeedback(ctx, d, w.StA, w.Now)
		if err != nil || len(list) != 2 {
			t.Fatalf("queue %+v %v", list, err)
		}
		p := warning.DefaultPolicy()
		if _, err := warning.SetOutcome(ctx, d, p, w.Actor(w.OffA), id1, warning.OutcomeInput{Outcome: warning.OutcomeDissuaded}, w.Now); err != nil {
			t.Fatal(err)
		}
		_, sent, err := instruction.ExportFeedback(ctx, d, w.Root, w.Now.Add(-24*time.Hour), w.Now.Add(time.Hour), instruction.Layouts[0], w.Duty.ID, w.Now)
		if err != nil || len(sent.New) != 2 || sent.New[0].Result != "劝阻成功" || sent.New[1].Result != "劝阻成功" {
			t.Fatalf("export: %+v %v", sent.New, err)
		}
		if list, _ := instruction.PendingFeedback(ctx, d, w.StA, w.Now); len(list) != 0 {
			t.Fatalf("queue after the export: %+v", list)
		}
	})
}
