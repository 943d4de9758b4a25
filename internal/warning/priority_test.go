package warning

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestMoneyStillThere(t *testing.T) {
	cases := []struct {
		name   string
		g      Grade
		waited time.Duration
		want   float64
	}{
		{"fund, just arrived", GradeFund, 0, 1},
		{"fund at its median fuse", GradeFund, 25 * time.Minute, 0.5},
		{"high at its median fuse", GradeHigh, 150 * time.Minute, 0.5},
		{"ordinary: only 30% would pay at all", GradeOrdinary, 0, 0.3},
		{"ordinary at its median fuse", GradeOrdinary, 20 * time.Hour, 0.15},
		{"unknown grade counts as ordinary", Grade("x"), 0, 0.3},
	}
	for _, c := range cases {
		if got := MoneyStillThere(c.g, c.waited); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if a, b := MoneyStillThere(GradeHigh, time.Hour), MoneyStillThere(GradeHigh, 2*time.Hour); !(a > b) {
		t.Errorf("chance does not fall with waiting: %v then %v", a, b)
	}
}

func TestExpectedKept(t *testing.T) {
	cases := []struct {
		name        string
		g           Grade
		amount      int64
		waited      time.Duration
		fen, chance int64
		guessed     bool
		why         string
	}{
		{"fund at the median: half the amount", GradeFund, 80000_00, 25 * time.Minute, 40000_00, 500, false, "预计可挽回 ¥40,000：涉案 ¥80,000 × 资金尚未转出的概率 50%（资金预警，已等待 25 分钟）"},
		{"no amount: the grade's typical amount", GradeHigh, 0, 0, 15000_00, 1000, true, "金额未报，按高危常见金额 ¥15,000 估计"},
		{"ordinary fresh: 30%", GradeOrdinary, 1000_00, 0, 300_00, 300, false, "× 资金尚未转出的概率 30%"},
		{"hours waited", GradeHigh, 10000_00, 150 * time.Minute, 5000_00, 500, false, "已等待 2 小时 30 分钟"},
	}
	for _, c := range cases {
		e := ExpectedKept(c.g, c.amount, c.waited)
		if e.KeptFen != c.fen || e.ChancePermille != c.chance || e.AmountGuessed != c.guessed {
			t.Errorf("%s: %+v, want %d fen, %d‰, guessed %v", c.name, e, c.fen, c.chance, c.guessed)
		}
		if !strings.Contains(e.Why(), c.why) {
			t.Errorf("%s: why %q, want it to contain %q", c.name, e.Why(), c.why)
		}
	}
}

// The order a free officer works: a fresh fund warning jumps a list of
// ordinary ones pushed earlier; a fund warning whose money has most likely
// gone falls behind a fresh high-risk one; FIFO takes the oldest.
func TestDispatchOrderAhead(t *testing.T) {
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	item := func(id int64, g Grade, amount int64, waited time.Duration) BoardItem {
		it := BoardItem{Waiting: true, WaitingSince: now.Add(-waited)}
		it.ID, it.Grade, it.AmountFen = id, g, amount
		it.setPriority(now)
		return it
	}
	cases := []struct {
		name  string
		order DispatchOrder
		a, b  BoardItem
		ahead bool
	}{
		{"fresh fund before older ordinary", ByExpectedKept, item(2, GradeFund, 50000_00, time.Minute), item(1, GradeOrdinary, 1000_00, 2*time.Minute), true},
		{"FIFO: older ordinary first", ByArrival, item(2, GradeFund, 50000_00, time.Minute), item(1, GradeOrdinary, 1000_00, 2*time.Minute), false},
		{"stale fund behind fresh high", ByExpectedKept, item(1, GradeFund, 50000_00, 5*time.Hour), item(2, GradeHigh, 30000_00, time.Minute), false},
		{"more money first within a grade", ByExpectedKept, item(2, GradeHigh, 40000_00, 10*time.Minute), item(1, GradeHigh, 10000_00, 10*time.Minute), true},
		{"equal: older first", ByExpectedKept, item(2, GradeOrdinary, 0, 0), item(1, GradeOrdinary, 0, 0), false},
	}
	for _, c := range cases {
		if got := c.order.Ahead(c.a, c.b); got != c.ahead {
			t.Errorf("%s: Ahead = %v (a %s, b %s)", c.name, got, c.a.Why, c.b.Why)
		}
	}
}
