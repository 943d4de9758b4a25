package intel

import (
	"fmt"
	"math"
	"sort"

	"github.com/fanzha/fanzha/internal/domain"
)

// Fitting: the weights are refit from labelled accounts by logistic
// regression on the signals (L2-regularised, Newton's method). A feature
// whose fitted coefficient is negative is dropped (weight 0) and the rest
// refit, so every contribution still reads "raised the score by". Points are
// ten per unit of log-odds, and the threshold is where the fitted
// probability of being a mule reaches one half.

// PointsPerLogit scales fitted coefficients into points.
const PointsPerLogit = 10

// ErrTooFewLabels is returned when a fit has no example of a class.
var ErrTooFewLabels = domain.Invalid("拟合需要两类已标注的账户：确认涉诈的和已排除的，各至少一个")

// Example is one labelled account's signals.
type Example struct {
	Signal [NumFeatures]float32
	Mule   bool
}

// FitReport describes a fit.
type FitReport struct {
	Examples, Mules int
	Iterations      int
	// On the fitting examples, at the fitted threshold:
	Precision, Recall float64
	AvgPrecision      float64
}

// column is one fitted coefficient: a feature's signal (step false) or its
// presence, signal > 0 (step true).
type column struct {
	f    Feature
	step bool
}

func (c column) x(e *Example) float64 {
	v := float64(e.Signal[c.f])
	if c.step {
		if v > 0 {
			return 1
		}
		return 0
	}
	return v
}

// Fit fits weights to labelled examples: per feature, points per unit of
// signal and points for presence (Weights.Step). Features in fixed keep the
// points and steps of base (used to fit in two stages, see FitFlows).
func Fit(ex []Example, base Weights, fixed map[Feature]bool) (Weights, FitReport, error) {
	rep := FitReport{Examples: len(ex)}
	for _, e := range ex {
		if e.Mule {
			rep.Mules++
		}
	}
	if rep.Mules == 0 || rep.Mules == len(ex) {
		return base, rep, ErrTooFewLabels
	}
	active := map[column]bool{}
	for f := Feature(0); f < NumFeatures; f++ {
		if !fixed[f] {
			active[column{f, false}] = true
			active[column{f, true}] = true
		}
	}
	var beta []float64
	var cols []column
	for round := 0; round < 2*int(NumFeatures); round++ {
		cols = cols[:0]
		for f := Feature(0); f < NumFeatures; f++ {
			for _, st := range []bool{false, true} {
				if active[column{f, st}] {
					cols = append(cols, column{f, st})
				}
			}
		}
		var it int
		beta, it = logistic(ex, cols, base, fixed)
		rep.Iterations += it
		neg := false
		for i, c := range cols {
			if beta[i+1] < 0 {
				delete(active, c)
				neg = true
			}
		}
		if !neg {
			break
		}
	}
	w := Weights{Source: "fit"}
	for f := Feature(0); f < NumFeatures; f++ {
		if fixed[f] {
			w.Points[f] = base.Points[f]
			w.Step[f] = base.Step[f]
		}
	}
	for i, c := range cols {
		if c.step {
			w.Step[c.f] = round2(beta[i+1] * PointsPerLogit)
		} else {
			w.Points[c.f] = round2(beta[i+1] * PointsPerLogit)
		}
	}
	w.Threshold = round2(-beta[0] * PointsPerLogit)
	// Quality on the fitting examples.
	scores := make([]int64, len(ex))
	labels := make([]bool, len(ex))
	for i, e := range ex {
		for f := Feature(0); f < NumFeatures; f++ {
			scores[i] += w.centi(f, e.Signal[f])
		}
		labels[i] = e.Mule
	}
	m := Evaluate(scores, labels, w.ThresholdCenti())
	rep.Precision, rep.Recall, rep.AvgPrecision = m.Precision, m.Recall, m.AvgPrecision
	return w, rep, nil
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// logistic fits an intercept and one coefficient per column by Newton's
// method with a small ridge penalty; fixed features enter as an offset of
// base's points and steps.
func logistic(ex []Example, cols []column, base Weights, fixed map[Feature]bool) ([]float64, int) {
	k := len(cols) + 1
	beta := make([]float64, k)
	const lambda = 1e-3
	x := make([]float64, k)
	grad := make([]float64, k)
	hess := make([][]float64, k)
	for i := range hess {
		hess[i] = make([]float64, k)
	}
	it := 0
	for ; it < 50; it++ {
		for i := range grad {
			grad[i] = 0
			for j := range hess[i] {
				hess[i][j] = 0
			}
		}
		for ei := range ex {
			e := &ex[ei]
			x[0] = 1
			for i, c := range cols {
				x[i+1] = c.x(e)
			}
			z := 0.0
			for f := range fixed {
				z += float64(base.centi(f, e.Signal[f])) / 100 / PointsPerLogit
			}
			for i := range x {
				z += beta[i] * x[i]
			}
			p := 1 / (1 + math.Exp(-z))
			y := 0.0
			if e.Mule {
				y = 1
			}
			wgt := math.Max(p*(1-p), 1e-9)
			for i := range x {
				grad[i] += (y - p) * x[i]
				for j := range x {
					hess[i][j] += wgt * x[i] * x[j]
				}
			}
		}
		n := float64(len(ex))
		for i := 1; i < k; i++ {
			grad[i] -= lambda * n * beta[i]
			hess[i][i] += lambda * n
		}
		step := solve(hess, grad)
		maxStep := 0.0
		for i := range beta {
			beta[i] += step[i]
			maxStep = math.Max(maxStep, math.Abs(step[i]))
		}
		if maxStep < 1e-6 {
			break
		}
	}
	return beta, it + 1
}

// solve solves a·x = b by Gaussian elimination with partial pivoting (a and
// b are overwritten).
func solve(a [][]float64, b []float64) []float64 {
	n := len(b)
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		a[c], a[p] = a[p], a[c]
		b[c], b[p] = b[p], b[c]
		if math.Abs(a[c][c]) < 1e-12 {
			a[c][c] = 1e-12
		}
		for r := c + 1; r < n; r++ {
			m := a[r][c] / a[c][c]
			for j := c; j < n; j++ {
				a[r][j] -= m * a[c][j]
			}
			b[r] -= m * b[c]
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := b[r]
		for j := r + 1; j < n; j++ {
			s -= a[r][j] * x[j]
		}
		x[r] = s / a[r][r]
	}
	return x
}

// FitFlows fits weights to the labelled accounts of f in two stages:
// RiskyPeers depends on which counterparties pass the threshold, so the
// other features are fitted first, the first-pass watch list computed with
// them, and then all features fitted together. labels maps account ids to
// mule (true) or cleared (false).
func FitFlows(f *Flows, labels map[int32]bool, confirmed []bool) (Weights, FitReport, error) {
	return FitFlowSets([]FlowSet{{Flows: f, Labels: labels, Confirmed: confirmed}})
}

// FlowSet is one graph of transfers with its labelled accounts, for a fit
// on several graphs at once (their account ids are their own).
type FlowSet struct {
	Flows     *Flows
	Labels    map[int32]bool
	Confirmed []bool
}

// FitFlowSets fits the weights on the labelled accounts of all the sets
// together, in the two stages of FitFlows.
func FitFlowSets(sets []FlowSet) (Weights, FitReport, error) {
	examples := func(w Weights) []Example {
		var ex []Example
		for _, set := range sets {
			s := ScoreFlows(set.Flows, w, set.Confirmed)
			ids := make([]int32, 0, len(set.Labels))
			for id := range set.Labels {
				ids = append(ids, id)
			}
			sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
			for _, id := range ids {
				ex = append(ex, Example{Signal: s.Signal[id], Mule: set.Labels[id]})
			}
		}
		return ex
	}
	// Stage 1: RiskyPeers and RiskyExposure held at 0.
	base := DefaultWeights()
	base.Points[RiskyPeers] = 0
	base.Points[RiskyExposure] = 0
	base.Step[RiskyPeers] = 0
	base.Step[RiskyExposure] = 0
	w1, _, err := Fit(examples(base), base, map[Feature]bool{RiskyPeers: true, RiskyExposure: true})
	if err != nil {
		return w1, FitReport{}, err
	}
	// Stage 2: RiskyPeers and RiskyExposure from the stage-1 watch list.
	w2, rep, err := Fit(examples(w1), w1, nil)
	if err != nil {
		return w2, rep, err
	}
	return w2, rep, nil
}

// Metrics are ranking and threshold figures of scores against labels.
type Metrics struct {
	N, Positives   int
	PrecisionAt    map[int]float64 // precision among the top k
	RecallAt1Pct   float64         // recall among the top 1% of accounts
	AvgPrecision   float64         // area under the precision-recall curve (average precision)
	Precision      float64         // at the threshold
	Recall         float64         // at the threshold
	AboveThreshold int
}

// Evaluate ranks scores (ties broken by index, so the figures are
// deterministic) and measures them against labels.
func Evaluate(scores []int64, labels []bool, threshold int64) Metrics {
	m := Metrics{N: len(scores), PrecisionAt: map[int]float64{}}
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
		if labels[i] {
			m.Positives++
		}
	}
	sort.SliceStable(idx, func(i, j int) bool { return scores[idx[i]] > scores[idx[j]] })
	onePct := max(1, len(scores)/100)
	tp := 0
	var ap float64
	tpAbove := 0
	for r, i := range idx {
		if labels[i] {
			tp++
			ap += float64(tp) / float64(r+1)
		}
		if r+1 == onePct && m.Positives > 0 {
			m.RecallAt1Pct = float64(tp) / float64(m.Positives)
		}
		for _, k := range []int{10, 100, 1000} {
			if r+1 == k {
				m.PrecisionAt[k] = float64(tp) / float64(k)
			}
		}
		if scores[i] >= threshold {
			m.AboveThreshold++
			if labels[i] {
				tpAbove++
			}
		}
	}
	if m.Positives > 0 {
		m.AvgPrecision = ap / float64(m.Positives)
		m.Recall = float64(tpAbove) / float64(m.Positives)
	}
	if m.AboveThreshold > 0 {
		m.Precision = float64(tpAbove) / float64(m.AboveThreshold)
	}
	return m
}

// String is a one-line summary.
func (m Metrics) String() string {
	return fmt.Sprintf("accounts=%d positives=%d p@100=%.4f recall@1%%=%.4f pr_auc=%.4f threshold: flagged=%d precision=%.4f recall=%.4f",
		m.N, m.Positives, m.PrecisionAt[100], m.RecallAt1Pct, m.AvgPrecision, m.AboveThreshold, m.Precision, m.Recall)
}
