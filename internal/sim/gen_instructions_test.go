package sim

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/dissuade"
	"github.com/fanzha/fanzha/internal/instruction"
	"github.com/fanzha/fanzha/internal/testworld"
	"github.com/fanzha/fanzha/internal/warning"
)

// The demo county has instructions from every level, most reported back and
// some awaiting feedback, and some people defrauded after a successful
// dissuasion; the defrauded-after-dissuasion figures agree with a loop over
// the raw records.
func TestGeneratedInstructionsAndRelapses(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		auth.BcryptCost = 4
		if _, err := Generate(ctx, d, Options{Seed: 7, Now: testNow, Scale: 0.4}); err != nil {
			t.Fatal(err)
		}
		for _, l := range instruction.Levels {
			var n, fed int
			if err := d.QueryRow(ctx, `SELECT COUNT(*), COUNT(fed_back_at) FROM instructions WHERE level = ?`, string(l)).Scan(&n, &fed); err != nil {
				t.Fatal(err)
			}
			if n == 0 || fed == 0 || fed == n {
				t.Errorf("level %s: %d instructions, %d reported back; want some of each", l, n, fed)
			}
		}
		root, err := area.Root(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		pending, err := instruction.PendingFeedback(ctx, d, root, testNow)
		if err != nil || len(pending) == 0 {
			t.Fatalf("待反馈: %d (%v)", len(pending), err)
		}

		from, to := testNow.AddDate(0, 0, -120), testNow
		r, err := dissuade.DissuasionRates(ctx, d, root, from, to)
		if err != nil {
			t.Fatal(err)
		}
		// The loop over the raw rows.
		type wr struct {
			id, at, station int64
			phone, idn      string
		}
		var ws []wr
		closed := 0
		rows, err := d.Query(ctx, `SELECT id, outcome_at, COALESCE(station_id, 0), person_phone, person_id_number, outcome FROM warnings
			WHERE status = 'closed' AND outcome_at >= ? AND outcome_at < ?`, db.Millis(from), db.Millis(to))
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var x wr
			var outcome string
			if err := rows.Scan(&x.id, &x.at, &x.station, &x.phone, &x.idn, &outcome); err != nil {
				t.Fatal(err)
			}
			if outcome != "" && outcome != "false_alarm" {
				closed++
			}
			if outcome == "dissuaded" {
				ws = append(ws, x)
			}
		}
		rows.Close()
		vs := testworld.ReadVictims(t, d)
		relapsed := map[int64]int{}
		total := 0
		for _, x := range ws {
			if vs.Relapsed(x.phone, x.idn, x.at, dissuade.After) {
				relapsed[x.station]++
				total++
			}
		}
		if r.Total.Dissuaded != len(ws) || r.Total.Closed != closed || r.Total.Relapsed != total || len(r.Relapses) != total {
			t.Fatalf("rates %+v (relapses %d); loop: dissuaded %d closed %d relapsed %d", r.Total, len(r.Relapses), len(ws), closed, total)
		}
		if total == 0 {
			t.Fatal("the demo county has no one defrauded after a successful dissuasion")
		}
		for _, s := range r.ByStation {
			if s.Relapsed != relapsed[s.ID] {
				t.Errorf("%s: relapsed %d, loop %d", s.Name, s.Relapsed, relapsed[s.ID])
			}
		}
		t.Logf("dissuaded %d, relapsed %d (%d‰), closed %d, awaiting feedback %d", len(ws), total, r.Total.RelapsePermille(), closed, len(pending))

		// The live trickle's warnings arrive as instructions: each is
		// registered and awaits its feedback with time left.
		in, err := warning.NewIntake(ctx, d, warning.DefaultPolicy(), nil)
		if err != nil {
			t.Fatal(err)
		}
		before := testworld.Count(t, d, `SELECT COUNT(*) FROM instructions`)
		tr := &Trickle{Intake: in, Policy: warning.DefaultPolicy()}
		rng := rand.New(rand.NewPCG(7, 8))
		for i := range 12 {
			if err := tr.addOne(ctx, d, rng, i); err != nil {
				t.Fatal(err)
			}
		}
		if n := testworld.Count(t, d, `SELECT COUNT(*) FROM instructions`); n != before+12 {
			t.Fatalf("the trickle registered %d instructions for 12 warnings", n-before)
		}
		live, err := instruction.PendingFeedbackPage(ctx, d, root, time.Now(), db.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if fresh := live.Total - live.Overdue; fresh < 12 {
			t.Fatalf("%d instructions await feedback with time left, want the trickle's 12", fresh)
		}
	})
}
