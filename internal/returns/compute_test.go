package returns

import (
	"math/rand/v2"
	"testing"
)

func TestReturnRules(t *testing.T) {
	cases := []struct {
		name   string
		frozen int64
		claims []Claim
		rule   Rule
		shares []int64
		left   int64
	}{
		{"single victim, frozen below loss", 800_000, []Claim{{VictimID: 1, LossFen: 1_000_000}}, RuleSingleVictim, []int64{800_000}, 0},
		{"single victim, frozen above loss", 1_500_000, []Claim{{VictimID: 1, LossFen: 1_000_000}}, RuleSingleVictim, []int64{1_000_000}, 500_000},
		{"traced by time", 900_000, []Claim{{VictimID: 1, LossFen: 1_000_000, TracedFen: 600_000, Traced: true},
			{VictimID: 2, LossFen: 500_000, TracedFen: 300_000, Traced: true}}, RuleTraced, []int64{600_000, 300_000}, 0},
		{"traced, capped by loss", 900_000, []Claim{{VictimID: 1, LossFen: 100_000, TracedFen: 600_000, Traced: true},
			{VictimID: 2, LossFen: 500_000, TracedFen: 300_000, Traced: true}}, RuleTraced, []int64{100_000, 300_000}, 500_000},
		{"traced exceeds frozen: scaled", 300, []Claim{{VictimID: 1, LossFen: 1000, TracedFen: 200, Traced: true},
			{VictimID: 2, LossFen: 1000, TracedFen: 200, Traced: true}}, RuleTraced, []int64{150, 150}, 0},
		{"proportional thirds with largest remainder", 100, []Claim{{VictimID: 1, LossFen: 1000}, {VictimID: 2, LossFen: 1000},
			{VictimID: 3, LossFen: 1000}}, RuleProportional, []int64{34, 33, 33}, 0},
		{"proportional by loss", 1_000_000, []Claim{{VictimID: 7, LossFen: 3_000_000}, {VictimID: 3, LossFen: 1_000_000}},
			RuleProportional, []int64{250_000, 750_000}, 0},
		{"proportional: frozen above total losses", 5_000, []Claim{{VictimID: 1, LossFen: 1_000}, {VictimID: 2, LossFen: 2_000}},
			RuleProportional, []int64{1_000, 2_000}, 2_000},
		{"one traced one not: proportional", 1_000, []Claim{{VictimID: 1, LossFen: 2_000, TracedFen: 900, Traced: true},
			{VictimID: 2, LossFen: 2_000}}, RuleProportional, []int64{500, 500}, 0},
		{"remainder ties go to the larger loss", 10, []Claim{{VictimID: 1, LossFen: 1}, {VictimID: 2, LossFen: 2}},
			RuleProportional, []int64{1, 2}, 7},
	}
	for _, c := range cases {
		got, err := Compute(c.frozen, c.claims)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got.Rule != c.rule {
			t.Errorf("%s: rule %s, want %s", c.name, got.Rule, c.rule)
		}
		if len(got.Shares) != len(c.shares) {
			t.Fatalf("%s: %d shares", c.name, len(got.Shares))
		}
		for i, s := range got.Shares {
			if s.ShareFen != c.shares[i] || s.Basis == "" {
				t.Errorf("%s: share %d = %d (%s), want %d", c.name, i, s.ShareFen, s.Basis, c.shares[i])
			}
		}
		if got.LeftFen != c.left || got.ReturnedFen+got.LeftFen != c.frozen {
			t.Errorf("%s: returned %d left %d, want left %d", c.name, got.ReturnedFen, got.LeftFen, c.left)
		}
		if (got.Rule == RuleProportional && len(got.Shares) > 1) != (got.NoticeDays == 30) {
			t.Errorf("%s: notice days %d", c.name, got.NoticeDays)
		}
	}
}

// Property: proportional shares add up exactly, never exceed a loss, and
// differ from the exact proportion by less than one fen.
func TestReturnRoundingSumsExactly(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 2000; n++ {
		k := 2 + rng.IntN(20)
		claims := make([]Claim, k)
		var total int64
		for i := range claims {
			claims[i] = Claim{VictimID: int64(i + 1), LossFen: 1 + rng.Int64N(50_000_000)}
			total += claims[i].LossFen
		}
		frozen := rng.Int64N(total + total/3)
		c, err := Compute(frozen, claims)
		if err != nil {
			t.Fatal(err)
		}
		pot := min(frozen, total)
		var sum int64
		for _, s := range c.Shares {
			sum += s.ShareFen
			if s.ShareFen > s.LossFen || s.ShareFen < 0 {
				t.Fatalf("share %d above loss %d", s.ShareFen, s.LossFen)
			}
			exact := float64(pot) * float64(s.LossFen) / float64(total)
			if d := float64(s.ShareFen) - exact; d <= -1 || d >= 1 {
				t.Fatalf("share %d vs exact %.3f", s.ShareFen, exact)
			}
		}
		if sum != pot || c.LeftFen != frozen-pot {
			t.Fatalf("shares sum %d, want %d (frozen %d, losses %d)", sum, pot, frozen, total)
		}
	}
}

func TestReturnRejectsBadInput(t *testing.T) {
	if _, err := Compute(-1, nil); err == nil {
		t.Error("negative frozen accepted")
	}
	if _, err := Compute(10, []Claim{{VictimID: 1, LossFen: 5}, {VictimID: 1, LossFen: 5}}); err == nil {
		t.Error("duplicate victim accepted")
	}
}
