package sim

import (
	"context"
	"testing"
)

// Same days, same staffing, the same product: 「下一条」 in fanzha's order
// keeps at least 20% more money than in arrival order. (`fanzha bench
// dispatch` replays the default seeded week; the test the first two days.)
func TestFanzhaBeatsFIFO(t *testing.T) {
	if testing.Short() {
		t.Skip("replays two county days through the product")
	}
	r, err := CompareDispatch(context.Background(), DefaultDayConfig(1), 2)
	if err != nil {
		t.Fatal(err)
	}
	if r.FIFO.Warnings != r.Fanzha.Warnings || r.FIFO.AtRiskFen != r.Fanzha.AtRiskFen {
		t.Fatalf("policies saw different days: %+v vs %+v", r.FIFO, r.Fanzha)
	}
	ratio := float64(r.Fanzha.KeptFen) / float64(r.FIFO.KeptFen)
	if ratio < 1.2 {
		t.Fatalf("fanzha kept %.3f× FIFO's money, want ≥ 1.2", ratio)
	}
	if r.Fanzha.InTimeShare() <= r.FIFO.InTimeShare() {
		t.Fatalf("fanzha reached fewer fund/high warnings in time: %.3f vs %.3f", r.Fanzha.InTimeShare(), r.FIFO.InTimeShare())
	}
	// Deterministic from the seed.
	again, err := CompareDispatch(context.Background(), DefaultDayConfig(1), 1)
	if err != nil {
		t.Fatal(err)
	}
	if again.PerDay[0] != r.PerDay[0] {
		t.Fatalf("same seed, different result: %+v then %+v", r.PerDay[0], again.PerDay[0])
	}
}
