package warning

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/money"
)

// The dispatch priority: the money expected to be kept by calling this
// person now. It is the amount at risk times the chance that the money has
// not moved yet, given the warning's grade and how long it has waited since
// its last intake. The duty board, each dissuader's 「我的预警」 and 「下一条」
// all order waiting warnings by it (SortBoard, Ahead); docs/DISPATCH.md
// explains the rules and `fanzha bench dispatch` measures them.

// fuse is what history says of a grade's time to transfer: when a person
// nobody reaches pays the fraudster. Lognormal with the given median and
// spread; Pays is the share of the grade's warnings whose money would move
// at all (most ordinary warnings are people who were never going to pay).
type fuse struct {
	Median  time.Duration
	Sigma   float64
	Pays    float64
	Typical int64 // the grade's typical amount at risk (fen), used when the sender gave none
}

var fuses = map[Grade]fuse{
	GradeFund:     {Median: 25 * time.Minute, Sigma: 0.8, Pays: 1, Typical: 60000_00},
	GradeHigh:     {Median: 150 * time.Minute, Sigma: 0.9, Pays: 1, Typical: 15000_00},
	GradeOrdinary: {Median: 20 * time.Hour, Sigma: 0.7, Pays: 0.3, Typical: 2000_00},
}

func fuseOf(g Grade) fuse {
	if f, ok := fuses[g]; ok {
		return f
	}
	return fuses[GradeOrdinary]
}

// MoneyStillThere is the chance that the money of a warning of grade g is
// still there after it waited: the share of the grade's time-to-transfer
// distribution beyond waited, times the share of such warnings that would
// pay at all.
func MoneyStillThere(g Grade, waited time.Duration) float64 {
	f := fuseOf(g)
	if waited <= 0 {
		return f.Pays
	}
	z := (math.Log(waited.Seconds()) - math.Log(f.Median.Seconds())) / f.Sigma
	return f.Pays * 0.5 * math.Erfc(z/math.Sqrt2)
}

// Expected is the priority of a waiting warning and its reasons.
type Expected struct {
	// KeptFen is the money expected to be kept by calling now:
	// AtRiskFen × Chance.
	KeptFen int64 `json:"expected_fen"`
	// Chance that the money has not moved yet, in thousandths.
	ChancePermille int64 `json:"chance_permille"`
	AtRiskFen      int64 `json:"at_risk_fen"`
	// AmountGuessed: the sender gave no amount; AtRiskFen is the grade's
	// typical amount.
	AmountGuessed bool          `json:"amount_guessed,omitempty"`
	Waited        time.Duration `json:"-"`
	Grade         Grade         `json:"-"`
	value         float64       // unrounded AtRiskFen × chance, for ordering
}

// ExpectedKept is the dispatch priority of a warning of grade g with
// amountFen at risk (0: unknown) that has waited since its last intake.
func ExpectedKept(g Grade, amountFen int64, waited time.Duration) Expected {
	e := Expected{AtRiskFen: amountFen, Waited: max(waited, 0), Grade: g}
	if amountFen <= 0 {
		e.AtRiskFen, e.AmountGuessed = fuseOf(g).Typical, true
	}
	chance := MoneyStillThere(g, waited)
	e.value = float64(e.AtRiskFen) * chance
	e.KeptFen = int64(math.Round(e.value))
	e.ChancePermille = int64(math.Round(chance * 1000))
	return e
}

// Why says in Chinese why the warning stands where it does: the expected
// money and the chance, with the amount and the wait they come from.
func (e Expected) Why() string {
	amount := "涉案 ¥" + yuanText(e.AtRiskFen)
	if e.AmountGuessed {
		amount = "金额未报，按" + GradeName(e.Grade) + "常见金额 ¥" + yuanText(e.AtRiskFen) + " 估计"
	}
	return fmt.Sprintf("预计可挽回 ¥%s：%s × 资金尚未转出的概率 %s（%s，已等待 %s）",
		yuanText(e.KeptFen), amount, permilleText(e.ChancePermille), GradeName(e.Grade), waitText(e.Waited))
}

// yuanText is fen as whole yuan with thousands separators.
func yuanText(fen int64) string {
	return strings.TrimSuffix(money.FormatYuan((fen+50)/100*100), ".00")
}

func permilleText(p int64) string {
	if p < 10 && p > 0 {
		return fmt.Sprintf("%.1f%%", float64(p)/10)
	}
	return fmt.Sprintf("%d%%", (p+5)/10)
}

func waitText(d time.Duration) string {
	m := int(d / time.Minute)
	if m < 60 {
		return fmt.Sprintf("%d 分钟", m)
	}
	return fmt.Sprintf("%d 小时 %d 分钟", m/60, m%60)
}

// DispatchOrder is the order in which waiting warnings are worked.
type DispatchOrder int

const (
	// ByExpectedKept is fanzha's order: the most money expected to be kept
	// by calling now first.
	ByExpectedKept DispatchOrder = iota
	// ByArrival is first come, first served: the oldest last intake first.
	// Only `fanzha bench dispatch` uses it, as the baseline.
	ByArrival
)

// Ahead reports whether waiting warning a is worked before b under order:
// for ByExpectedKept the greater expected money first, then the one that
// has waited longer, then the lower id; for ByArrival the one that has
// waited longer, then the lower id. The board, 「我的预警」 and 「下一条」
// decide with this one function.
func (o DispatchOrder) Ahead(a, b BoardItem) bool {
	if o == ByExpectedKept && a.Expected.value != b.Expected.value {
		return a.Expected.value > b.Expected.value
	}
	if !a.WaitingSince.Equal(b.WaitingSince) {
		return a.WaitingSince.Before(b.WaitingSince)
	}
	return a.ID < b.ID
}
