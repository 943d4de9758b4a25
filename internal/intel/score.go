package intel

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// Weights turn feature signals into a score: each feature contributes
// Points[f] × Signal[f] + Step[f] × [Signal[f] > 0] points, rounded to a
// hundredth of a point, and the score is the sum of the contributions, so
// an explanation adds up to its score exactly. Step is a feature's points
// for being present at all (one repeated split, one closed triad), Points
// its points per unit of signal: together a two-piece monotone transform
// of each feature, still one contribution per feature. An account at or
// above Threshold is on the watch list.
type Weights struct {
	Points    [NumFeatures]float64
	Step      [NumFeatures]float64
	Threshold float64
	Source    string // "default", or what the weights were fitted on
}

// DefaultWeights are set by hand before any label exists: the behaviours
// the banks' and the ministry's mule typologies name first (fast in and
// out, pass-through, splits, cash-out, links to case accounts) weigh most.
// docs/INTEL.md gives the reasoning.
func DefaultWeights() Weights {
	var w Weights
	w.Points[FastOut1h] = 12
	w.Points[FastOut24h] = 8
	w.Points[PassThrough] = 10
	w.Points[Degree] = 10
	w.Points[PerDay] = 5
	w.Points[SubThreshold] = 10
	w.Points[RepeatedSplits] = 25
	w.Points[Night] = 5
	w.Points[YoungLarge] = 10
	w.Points[CashOut] = 10
	w.Points[SourceRegions] = 8
	w.Points[RoundTrip] = 15
	w.Points[CaseLinks] = 30
	w.Points[RiskyPeers] = 12
	// Network structure: secondary to the behaviours above.
	w.Points[ClosedTriads] = 10
	w.Points[RecurringPeers] = 8
	w.Points[RiskyExposure] = 10
	w.Threshold = 40
	w.Source = "default"
	return w
}

type weightsJSON struct {
	Points    map[string]float64 `json:"points"`
	Steps     map[string]float64 `json:"steps,omitempty"`
	Threshold float64            `json:"threshold"`
	Source    string             `json:"source"`
}

// MarshalJSON writes the points by feature code.
func (w Weights) MarshalJSON() ([]byte, error) {
	j := weightsJSON{Points: map[string]float64{}, Threshold: w.Threshold, Source: w.Source}
	for f := Feature(0); f < NumFeatures; f++ {
		j.Points[Features[f].Code] = w.Points[f]
		if w.Step[f] != 0 {
			if j.Steps == nil {
				j.Steps = map[string]float64{}
			}
			j.Steps[Features[f].Code] = w.Step[f]
		}
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads points and steps by feature code; a code not given
// weighs 0.
func (w *Weights) UnmarshalJSON(b []byte) error {
	var j weightsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*w = Weights{Threshold: j.Threshold, Source: j.Source}
	for code, p := range j.Points {
		f, ok := FeatureByCode(code)
		if !ok {
			return fmt.Errorf("weights: unknown feature %q", code)
		}
		if math.IsNaN(p) || math.IsInf(p, 0) {
			return fmt.Errorf("weights: feature %q: not a number", code)
		}
		w.Points[f] = p
	}
	for code, p := range j.Steps {
		f, ok := FeatureByCode(code)
		if !ok {
			return fmt.Errorf("weights: unknown feature %q", code)
		}
		if math.IsNaN(p) || math.IsInf(p, 0) {
			return fmt.Errorf("weights: feature %q: not a number", code)
		}
		w.Step[f] = p
	}
	return nil
}

// FeatureByCode finds a feature by its code.
func FeatureByCode(code string) (Feature, bool) {
	for f := Feature(0); f < NumFeatures; f++ {
		if Features[f].Code == code {
			return f, true
		}
	}
	return 0, false
}

// centi returns a feature's contribution in hundredths of a point.
func (w *Weights) centi(f Feature, signal float32) int64 {
	p := w.Points[f] * float64(signal)
	if signal > 0 {
		p += w.Step[f]
	}
	return int64(math.Round(p * 100))
}

// ThresholdCenti is the watch-list threshold in hundredths of a point.
func (w *Weights) ThresholdCenti() int64 { return int64(math.Round(w.Threshold * 100)) }

// Contribution is one line of an explanation.
type Contribution struct {
	Feature string  `json:"feature"`
	Label   string  `json:"label"`
	Value   float64 `json:"value"`  // the raw value, in the feature's unit
	Signal  float64 `json:"signal"` // in [0, 1]
	Points  float64 `json:"points"` // the contribution to the score
}

// Scores are the results of scoring every account of a Flows.
type Scores struct {
	Flows   *Flows
	Weights Weights
	Centi   []int64                // account id → score in hundredths of a point
	Value   [][NumFeatures]float32 // account id → raw feature values
	Signal  [][NumFeatures]float32 // account id → signals
}

// Score returns the score of account id in points.
func (s *Scores) Score(id int32) float64 { return float64(s.Centi[id]) / 100 }

// Watch reports whether an account is on the watch list.
func (s *Scores) Watch(id int32) bool { return s.Centi[id] >= s.Weights.ThresholdCenti() }

// Explain lists the contributions of every feature to an account's score,
// largest first; their Points add up to Score(id) exactly (both are sums of
// the same hundredths).
func (s *Scores) Explain(id int32) []Contribution {
	out := make([]Contribution, 0, NumFeatures)
	for f := Feature(0); f < NumFeatures; f++ {
		out = append(out, Contribution{
			Feature: Features[f].Code, Label: Features[f].Label,
			Value:  float64(s.Value[id][f]),
			Signal: float64(s.Signal[id][f]),
			Points: float64(s.Weights.centi(f, s.Signal[id][f])) / 100,
		})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Points > out[j].Points })
	return out
}

// Ranked returns account ids by score, highest first (ties by id).
func (s *Scores) Ranked() []int32 {
	ids := make([]int32, len(s.Centi))
	for i := range ids {
		ids[i] = int32(i)
	}
	sort.Slice(ids, func(i, j int) bool {
		if s.Centi[ids[i]] != s.Centi[ids[j]] {
			return s.Centi[ids[i]] > s.Centi[ids[j]]
		}
		return ids[i] < ids[j]
	})
	return ids
}

// exposureScale turns RiskyExposure into "risky counterparties that deal
// with 20 accounts each" before squashing.
const exposureScale = 20

// ScoreFlows scores every account of f. confirmed, when not nil, marks the
// account ids confirmed as mules or named in cases (CaseLinks counts the
// counterparties so marked). Scoring is two passes: every feature but
// RiskyPeers first; then RiskyPeers counts the counterparties whose first
// score reached the threshold, and the final score adds it.
func ScoreFlows(f *Flows, w Weights, confirmed []bool) *Scores {
	n := f.Accounts()
	s := &Scores{Flows: f, Weights: w, Centi: make([]int64, n),
		Value: make([][NumFeatures]float32, n), Signal: make([][NumFeatures]float32, n)}
	first := make([]bool, n)
	thr := w.ThresholdCenti()
	f.parallel(func(sc *scratch, a int32) {
		v := f.vector(sc, a)
		if confirmed != nil {
			c := f.linkCount(sc, a, func(c int32) bool { return confirmed[c] })
			v.Value[CaseLinks] = float64(c)
			v.Signal[CaseLinks] = math.Min(1, float64(c)/3)
		}
		var sum int64
		for k := Feature(0); k < NumFeatures; k++ {
			s.Value[a][k] = float32(v.Value[k])
			s.Signal[a][k] = float32(v.Signal[k])
			sum += w.centi(k, s.Signal[a][k])
		}
		s.Centi[a] = sum
		first[a] = sum >= thr
	})
	f.parallel(func(sc *scratch, a int32) {
		c, exp := f.linkWeight(sc, a, func(c int32) bool { return first[c] },
			func(c int32) float64 { return 1 / math.Max(1, float64(s.Value[c][Degree])) })
		s.Value[a][RiskyPeers] = float32(c)
		s.Signal[a][RiskyPeers] = float32(squash(float64(c), 5))
		s.Centi[a] += w.centi(RiskyPeers, s.Signal[a][RiskyPeers])
		s.Value[a][RiskyExposure] = float32(exp)
		s.Signal[a][RiskyExposure] = float32(squash(exposureScale*exp, 10))
		s.Centi[a] += w.centi(RiskyExposure, s.Signal[a][RiskyExposure])
	})
	return s
}
