package warning

import "testing"

func TestScore(t *testing.T) {
	cases := []struct {
		name string
		in   ScoreInput
		want int64
	}{
		{"ordinary, nothing known", ScoreInput{Grade: GradeOrdinary}, 0},
		{"high-risk elderly police scam", ScoreInput{Grade: GradeHigh, Age: 72, FraudType: "police"}, 300 + 100 + 60},
		{"fund warning ¥50,000", ScoreInput{Grade: GradeFund, AmountFen: 5_000_000}, 600 + 100},
		{"fund warning ¥2,000,000 age 65", ScoreInput{Grade: GradeFund, AmountFen: 200_000_000, Age: 65}, 600 + 200 + 80},
		{"minor game scam", ScoreInput{Grade: GradeOrdinary, Age: 15, FraudType: "game"}, 80 + 20},
		{"student age rebate", ScoreInput{Grade: GradeOrdinary, Age: 20, FraudType: "rebate"}, 30 + 20},
		{"repeats capped at 120", ScoreInput{Grade: GradeHigh, PriorWarnings: 5}, 300 + 120},
		{"two repeats", ScoreInput{Grade: GradeHigh, PriorWarnings: 2}, 300 + 80},
		{"known contact", ScoreInput{Grade: GradeOrdinary, ContactInCase: true}, 100},
		{"small amount", ScoreInput{Grade: GradeOrdinary, AmountFen: 50_00}, 20},
		{"amount ¥1,000 exactly", ScoreInput{Grade: GradeOrdinary, AmountFen: 1000_00}, 50},
		{"unknown fraud type adds nothing", ScoreInput{Grade: GradeOrdinary, FraudType: "nonsense"}, 0},
	}
	for _, c := range cases {
		got, parts := Score(c.in)
		if got != c.want {
			t.Errorf("%s: score %d, want %d (%v)", c.name, got, c.want, parts)
		}
		var sum int64
		for _, p := range parts {
			sum += p.Points
		}
		if sum != got {
			t.Errorf("%s: parts add to %d, score %d", c.name, sum, got)
		}
	}
	// A fund warning always outranks any high-risk one without money.
	maxHigh, _ := Score(ScoreInput{Grade: GradeHigh, Age: 80, FraudType: "police", PriorWarnings: 9, ContactInCase: true})
	minFund, _ := Score(ScoreInput{Grade: GradeFund})
	if minFund <= maxHigh-100-120-60 || minFund < 600 {
		t.Errorf("fund base %d not dominant over high base", minFund)
	}
}

func TestInferGrade(t *testing.T) {
	cases := []struct {
		src    Source
		amount int64
		age    int
		typ    string
		want   Grade
	}{
		{SourceBank, 100, 30, "", GradeFund},
		{SourceUpper, 2_000_000, 30, "", GradeFund},
		{SourceUpper, 500_00, 30, "", GradeHigh},
		{SourceOperator, 0, 30, "police", GradeHigh},
		{SourceOperator, 0, 66, "rebate", GradeHigh},
		{SourceOperator, 0, 16, "game", GradeHigh},
		{SourceHotline, 0, 35, "rebate", GradeOrdinary},
		{SourceHotline, 0, 0, "", GradeOrdinary},
	}
	for _, c := range cases {
		if got := InferGrade(c.src, c.amount, c.age, c.typ); got != c.want {
			t.Errorf("InferGrade(%s, %d, %d, %q) = %s, want %s", c.src, c.amount, c.age, c.typ, got, c.want)
		}
	}
}
