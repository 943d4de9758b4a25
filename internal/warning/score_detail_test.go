package warning

import (
	"context"
	"errors"
	"testing"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
)

// The parts of a warning's score are read in the caller's jurisdiction
// (as is whether a warning lies in it, InScope):
// they add up to the score the intake gave; another station's warning is
// not found, as is a warning that does not exist.
func TestScoreDetail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newTestCounty(t, d)
		res, err := c.intake.Submit(ctx, []Input{sample("S-1", "13800000041", "云溪县青石镇李家村3组12号")}, SubmitOptions{})
		if err != nil {
			t.Fatal(err)
		}
		id := res.Items[0].ID
		w, err := Get(ctx, d, c.stA, id)
		if err != nil {
			t.Fatal(err)
		}
		parts, err := ScoreDetail(ctx, d, c.stA, id)
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, p := range parts {
			if p.Reason == "" {
				t.Errorf("a score part without a reason: %+v", parts)
			}
			sum += p.Points
		}
		if len(parts) == 0 || sum != w.Priority {
			t.Errorf("parts %+v add up to %d, want the warning's score %d", parts, sum, w.Priority)
		}
		if _, err := ScoreDetail(ctx, d, c.stB, id); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("station B reads station A's score: %v, want not found", err)
		}
		if _, err := ScoreDetail(ctx, d, c.root, id+1000); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("a warning that does not exist: %v, want not found", err)
		}
		// InScope answers the same for what hangs off a warning.
		if err := InScope(ctx, d, c.stA, id); err != nil {
			t.Errorf("station A's own warning: %v", err)
		}
		if err := InScope(ctx, d, c.stB, id); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("station B, station A's warning: %v, want not found", err)
		}
	})
}
