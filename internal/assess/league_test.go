package assess_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/assess"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/testworld"
	"github.com/fanzha/fanzha/internal/warning"
)

// The league table of the county: one row per station with its figures
// and colours; a stored threshold changes the colour; a station's own
// table has its towns.
func TestLeague(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		if _, err := d.Exec(ctx, `UPDATE areas SET population = 20000 WHERE id = ?`, w.StA.ID); err != nil {
			t.Fatal(err)
		}
		p := warning.DefaultPolicy()
		a := w.Actor(w.OffA)
		// Station A: 3 dissuaded, 1 defrauded; first contact on time for 3 of 4.
		for i := range 4 {
			id := w.Warn(t, fmt.Sprintf("A-%d", i), warning.GradeHigh, fmt.Sprintf("1350000%04d", i), "", "青石镇李家村")
			at := w.Now.Add(5 * time.Minute)
			if i == 3 {
				at = w.Now.Add(2 * time.Hour) // late: the high-risk deadline is 30 minutes
			}
			if err := warning.RecordContact(ctx, d, p, a, id, warning.ContactInput{Method: "call", Result: "reached", At: at}, at); err != nil {
				t.Fatal(err)
			}
			o := warning.OutcomeDissuaded
			if i == 3 {
				o = warning.OutcomeDefrauded
			}
			if _, err := warning.SetOutcome(ctx, d, p, a, id, warning.OutcomeInput{Outcome: o}, at); err != nil {
				t.Fatal(err)
			}
		}
		from, to := w.Now.Add(-time.Hour), w.Now.Add(24*time.Hour)
		lg, err := assess.Compute(ctx, d, w.Root, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if len(lg.Rows) != 2 {
			t.Fatalf("rows %+v", lg.Rows)
		}
		ra := lg.Rows[0]
		if ra.AreaID != w.StA.ID {
			ra = lg.Rows[1]
		}
		want := map[string]assess.Value{
			"dissuasion":    {Value: 750, Num: 3, Den: 4, Colour: assess.Red},
			"relapse":       {Value: 0, Num: 0, Den: 3, Colour: assess.Green},
			"first_contact": {Value: 750, Num: 3, Den: 4, Colour: assess.Red},
			"cases_per_10k": {Value: 50, Num: 1, Den: 20000, Colour: assess.Green}, // 1 case in 20,000 people: 0.50 per 10,000
		}
		for k, v := range want {
			if got := ra.Figures[k]; got != v {
				t.Errorf("%s: %+v, want %+v", k, got, v)
			}
		}
		if ra.Figures["feedback"].Colour != assess.None || ra.Colour != assess.Red || ra.Cases != 1 {
			t.Fatalf("row A: %+v", ra)
		}
		// Lower bounds: 750‰ is yellow, on-time 750‰ too; the row is then yellow.
		testworld.SetSetting(t, d, assess.Setting("dissuasion"), "500/600/700")
		testworld.SetSetting(t, d, assess.Setting("first_contact"), "600/700/800")
		lg, _ = assess.Compute(ctx, d, w.Root, from, to)
		for _, r := range lg.Rows {
			if r.AreaID != w.StA.ID {
				continue
			}
			// No prevention event reached the station's one village: coverage
			// 0‰ is red, and the row with it.
			if r.Figures["dissuasion"].Colour != assess.Green || r.Figures["first_contact"].Colour != assess.Yellow ||
				r.Figures["coverage"] != (assess.Value{Value: 0, Num: 0, Den: 1, Colour: assess.Red}) || r.Colour != assess.Red {
				t.Fatalf("row A after the settings: %+v", r)
			}
		}
		st, err := assess.Compute(ctx, d, w.StA, from, to)
		if err != nil || len(st.Rows) != 1 || st.Rows[0].Name != "青石镇" {
			t.Fatalf("station table: %+v %v", st.Rows, err)
		}
	})
}
