package sim

import (
	"math"
	"testing"
)

func TestDispatchPoliciesOrder(t *testing.T) {
	ws := []*SimWarning{
		{ID: 0, Station: 0, Grade: "ordinary", Arrive: 0, AmountFen: 100000},
		{ID: 1, Station: 0, Grade: "fund", Arrive: 600, AmountFen: 5000000},
		{ID: 2, Station: 1, Grade: "high", Arrive: 10, AmountFen: 2000000},
	}
	if i := (FIFO{}).Pick(ws, 0, 700); i != 0 {
		t.Errorf("FIFO at station 0 picked %d, want the oldest (0)", i)
	}
	if i := (FIFO{}).Pick(ws, -1, 700); i != 0 {
		t.Errorf("FIFO centre picked %d, want 0", i)
	}
	if i := (LossWeighted{}).Pick(ws, 0, 700); i != 1 {
		t.Errorf("fanzha at station 0 picked %d, want the fund warning (1)", i)
	}
	if i := (LossWeighted{}).Pick(ws, 1, 700); i != 2 {
		t.Errorf("fanzha at station 1 picked %d, want 2 (its only warning)", i)
	}
	// A fund warning whose money has almost surely moved falls behind a
	// fresh high-risk one.
	old := []*SimWarning{
		{Station: 0, Grade: "fund", Arrive: 0, AmountFen: 5000000},
		{Station: 0, Grade: "high", Arrive: 5*3600 - 60, AmountFen: 3000000},
	}
	if i := (LossWeighted{}).Pick(old, 0, 5*3600); i != 1 {
		t.Errorf("fanzha picked the stale fund warning")
	}
}

func TestTransferSurvival(t *testing.T) {
	if s := transferSurvival("fund", 0); s != 1 {
		t.Errorf("survival at 0 = %v", s)
	}
	if s := transferSurvival("fund", 25*60); math.Abs(s-0.5) > 1e-9 {
		t.Errorf("fund survival at the median = %v, want 0.5", s)
	}
	if a, b := transferSurvival("high", 3600), transferSurvival("high", 7200); !(a > b) {
		t.Errorf("survival not decreasing: %v then %v", a, b)
	}
}

// Same days, same staffing: fanzha's dispatch keeps at least 20% more money
// than first-come-first-served on the default seeded week.
func TestFanzhaBeatsFIFO(t *testing.T) {
	r := CompareDispatch(DefaultDayConfig(1), 7)
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
	r2 := CompareDispatch(DefaultDayConfig(1), 7)
	if r2.Fanzha.KeptFen != r.Fanzha.KeptFen || r2.FIFO.KeptFen != r.FIFO.KeptFen {
		t.Fatal("same seed, different result")
	}
}
