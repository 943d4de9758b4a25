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
// a grade the other points order the queue.

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

var gradePoints = map[Grade]int64{GradeFund: 600, GradeHigh: 300, GradeOrdinary: 0}

var typePoints = map[fraudtype.Code]int64{
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
}

// Score returns the priority and its parts.
func Score(in ScoreInput) (int64, []ScorePart) {
	var parts []ScorePart
	add := func(reason string, p int64) {
		if p != 0 {
			parts = append(parts, ScorePart{reason, p})
		}
	}
	add("等级："+GradeName(in.Grade), gradePoints[in.Grade])
	yuan := in.AmountFen / 100
	switch {
	case yuan >= 1_000_000:
		add("涉及金额 ≥ 100 万元", 200)
	case yuan >= 100_000:
		add("涉及金额 ≥ 10 万元", 150)
	case yuan >= 10_000:
		add("涉及金额 ≥ 1 万元", 100)
	case yuan >= 1_000:
		add("涉及金额 ≥ 1000 元", 50)
	case in.AmountFen > 0:
		add("涉及金额", 20)
	}
	switch {
	case in.Age >= 70:
		add("70 岁以上老人", 100)
	case in.Age >= 60:
		add("60 岁以上老人", 80)
	case in.Age > 0 && in.Age < 18:
		add("未成年人", 80)
	case in.Age >= 18 && in.Age <= 22:
		add("学生年龄段", 30)
	}
	if p, ok := typePoints[fraudtype.Code(in.FraudType)]; ok {
		add("诈骗类型："+fraudtype.Name(fraudtype.Code(in.FraudType)), p)
	}
	if in.PriorWarnings > 0 {
		p := int64(40 * in.PriorWarnings)
		if p > 120 {
			p = 120
		}
		add("90 天内重复预警", p)
	}
	if in.ContactInCase {
		add("涉诈号码/账户已在案件中出现", 100)
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
