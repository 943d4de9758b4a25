package warning

import "github.com/fanzha/fanzha/internal/fraudtype"

// Scoring gives every warning a priority: the order in which the duty board
// and a dissuader's queue are worked. It is a sum of points, each for a
// reason a person at risk needs a call sooner; the table is documented in
// docs/WARNINGS.md and tested in score_test.go.
//
//	grade                fund 600 · high 300 · ordinary 0
//	amount at risk       ≥ ¥1,000,000: 200 · ≥ ¥100,000: 150 · ≥ ¥10,000: 100 · ≥ ¥1,000: 50 · > 0: 20
//	age                  ≥ 70: 100 · 60–69: 80 · under 18: 80 · 18–22: 30
//	fraud type           see typePoints (scams that empty savings in one call score highest)
//	repeats              40 for each earlier warning about the person in 90 days, at most 120
//	known scam contact   100 when the scam number/account already appears in a case
//
// Grades dominate (a fund warning always outranks a high-risk one with no
// money named, because the fund warning means money is moving now); within
// a grade the other points order the queue (with the default points; a
// centre that changes them in the console decides the order itself).

// ScoreInput is what the score depends on.
type ScoreInput struct {
	Grade         Grade
	AmountFen     int64
	Age           int // 0 when unknown
	FraudType     string
	PriorWarnings int  // earlier warnings about the same person in 90 days
	ContactInCase bool // the scam contact is already in a case
}

// ScorePart is one reason in a score, for the explanation on the warning page.
type ScorePart struct {
	Reason string `json:"reason"`
	Points int64  `json:"points"`
}

// ScorePoints are the points of the score. The defaults (DefaultScorePoints)
// are the table above; a centre may change them in the console (系统设置),
// and intake scores the next warning with the points in force.
type ScorePoints struct {
	GradeFund     int64 // fund warning: money is moving now
	GradeHigh     int64 // high-risk warning
	GradeOrdinary int64 // ordinary warning

	Amount1M   int64 // amount at risk ≥ ¥1,000,000
	Amount100K int64 // ≥ ¥100,000
	Amount10K  int64 // ≥ ¥10,000
	Amount1K   int64 // ≥ ¥1,000
	AmountAny  int64 // any amount named

	Age70      int64 // 70 and over
	Age60      int64 // 60–69
	Minor      int64 // under 18
	StudentAge int64 // 18–22

	RepeatEach int64 // per earlier warning about the person in 90 days
	RepeatMax  int64 // cap of the repeat points

	ContactInCase int64 // the scam number/account already appears in a case

	// Types are the points per fraud type; a type not listed scores 0.
	Types map[fraudtype.Code]int64
}

// DefaultScorePoints are the points documented above.
func DefaultScorePoints() ScorePoints {
	return ScorePoints{
		GradeFund: 600, GradeHigh: 300, GradeOrdinary: 0,
		Amount1M: 200, Amount100K: 150, Amount10K: 100, Amount1K: 50, AmountAny: 20,
		Age70: 100, Age60: 80, Minor: 80, StudentAge: 30,
		RepeatEach: 40, RepeatMax: 120,
		ContactInCase: 100,
		Types: map[fraudtype.Code]int64{
			fraudtype.Police:          60,
			fraudtype.ScreenShare:     60,
			fraudtype.Investment:      50,
			fraudtype.AIFace:          50,
			fraudtype.CustomerService: 40,
			fraudtype.Boss:            40,
			fraudtype.HealthCare:      40,
			fraudtype.Loan:            30,
			fraudtype.Credit:          30,
			fraudtype.Romance:         30,
			fraudtype.Rebate:          20,
			fraudtype.Game:            20,
			fraudtype.PartTime:        20,
			fraudtype.Shopping:        20,
			fraudtype.OverseasJob:     20,
			fraudtype.Other:           10,
		},
	}
}

var defaultPoints = DefaultScorePoints()

// Score returns the priority and its parts with the default points.
func Score(in ScoreInput) (int64, []ScorePart) { return defaultPoints.Score(in) }

// Score returns the priority and its parts with these points.
func (sp ScorePoints) Score(in ScoreInput) (int64, []ScorePart) {
	var parts []ScorePart
	add := func(reason string, p int64) {
		if p != 0 {
			parts = append(parts, ScorePart{reason, p})
		}
	}
	switch in.Grade {
	case GradeFund:
		add("等级："+GradeName(in.Grade), sp.GradeFund)
	case GradeHigh:
		add("等级："+GradeName(in.Grade), sp.GradeHigh)
	case GradeOrdinary:
		add("等级："+GradeName(in.Grade), sp.GradeOrdinary)
	}
	yuan := in.AmountFen / 100
	switch {
	case yuan >= 1_000_000:
		add("涉及金额 ≥ 100 万元", sp.Amount1M)
	case yuan >= 100_000:
		add("涉及金额 ≥ 10 万元", sp.Amount100K)
	case yuan >= 10_000:
		add("涉及金额 ≥ 1 万元", sp.Amount10K)
	case yuan >= 1_000:
		add("涉及金额 ≥ 1000 元", sp.Amount1K)
	case in.AmountFen > 0:
		add("涉及金额", sp.AmountAny)
	}
	switch {
	case in.Age >= 70:
		add("70 岁以上老人", sp.Age70)
	case in.Age >= 60:
		add("60 岁以上老人", sp.Age60)
	case in.Age > 0 && in.Age < 18:
		add("未成年人", sp.Minor)
	case in.Age >= 18 && in.Age <= 22:
		add("学生年龄段", sp.StudentAge)
	}
	if p, ok := sp.Types[fraudtype.Code(in.FraudType)]; ok {
		add("诈骗类型："+fraudtype.Name(fraudtype.Code(in.FraudType)), p)
	}
	if in.PriorWarnings > 0 {
		p := sp.RepeatEach * int64(in.PriorWarnings)
		if p > sp.RepeatMax {
			p = sp.RepeatMax
		}
		add("90 天内重复预警", p)
	}
	if in.ContactInCase {
		add("涉诈号码/账户已在案件中出现", sp.ContactInCase)
	}
	var total int64
	for _, p := range parts {
		total += p.Points
	}
	return total, parts
}

// InferGrade gives a grade to a warning whose sender gave none: money named
// by a bank or with a known amount is a fund warning; the elderly, minors
// and the scams that strike in one call are high-risk; the rest ordinary.
func InferGrade(source Source, amountFen int64, age int, fraudType string) Grade {
	if amountFen > 0 && (source == SourceBank || amountFen >= 1_000_000) {
		return GradeFund
	}
	switch fraudtype.Code(fraudType) {
	case fraudtype.Police, fraudtype.ScreenShare, fraudtype.Investment, fraudtype.AIFace:
		return GradeHigh
	}
	if age >= 60 || (age > 0 && age < 18) || amountFen > 0 {
		return GradeHigh
	}
	return GradeOrdinary
}

// GradeRank orders grades: higher is more urgent.
func GradeRank(g Grade) int {
	switch g {
	case GradeFund:
		return 3
	case GradeHigh:
		return 2
	case GradeOrdinary:
		return 1
	}
	return 0
}
