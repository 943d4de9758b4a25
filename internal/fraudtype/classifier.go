package fraudtype

import (
	"bytes"
	_ "embed"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"
)

// shippedModel is the model produced by
// "fanzha fraudtype train --out internal/fraudtype/model/shipped.bin" from
// the project's own corpus (corpus*.go); see docs/FRAUDTYPE.md.
//
//go:embed model/shipped.bin
var shippedModel []byte

// Classifier suggests the fraud type of a text and whether it is a scam at
// all. It is immutable after construction and safe for concurrent use.
type Classifier struct {
	m      *Model
	normal int   // index of the Normal class, -1 when the model has none
	rules  []int // class index per rule in Rules, -1 when the model lacks the type
}

// New returns a classifier over a trained model.
func New(m *Model) *Classifier {
	c := &Classifier{m: m, normal: m.classIndex(Normal)}
	for _, r := range Rules {
		c.rules = append(c.rules, m.classIndex(string(r.Type)))
	}
	return c
}

var (
	shippedOnce sync.Once
	shipped     *Classifier
	shippedErr  error
)

// Shipped returns the classifier of the model embedded in the binary,
// decoded once and shared.
func Shipped() (*Classifier, error) {
	shippedOnce.Do(func() {
		m, err := UnmarshalModel(shippedModel)
		if err != nil {
			shippedErr = fmt.Errorf("fraudtype: shipped model: %w", err)
			return
		}
		shipped = New(m)
	})
	return shipped, shippedErr
}

// Serving is the shipped classifier as the intake and the cases use it to
// suggest a type: nil when the embedded model cannot be decoded (logged
// once), so warnings and cases without a type stay untyped instead of
// failing.
func Serving() *Classifier { return serving() }

var serving = sync.OnceValue(func() *Classifier {
	c, err := Shipped()
	if err != nil {
		slog.Error("fraud-type classifier unavailable; warnings and cases without a type stay untyped", "err", err)
		return nil
	}
	return c
})

// Load returns a classifier over the model file at path (a model a centre
// trained on its own cases with "fanzha fraudtype train").
func Load(path string) (*Classifier, error) {
	m, err := LoadModelFile(path)
	if err != nil {
		return nil, err
	}
	return New(m), nil
}

// Model returns the classifier's model.
func (c *Classifier) Model() *Model { return c.m }

// Scored is one fraud type with its probability.
type Scored struct {
	Type Code    `json:"type"`
	Name string  `json:"name"`
	Prob float64 `json:"prob"`
}

// Prediction is the classifier's answer for one text.
type Prediction struct {
	// Type is the suggested fraud type: the most probable one given that the
	// text is a scam. It is set even when Scam is false, because a case
	// narrative is a fraud by definition and only its type is in question.
	Type Code `json:"type"`
	// Scam tells whether the text looks like a scam rather than a normal
	// message (ScamProb ≥ 0.5, or a rule fired).
	Scam bool `json:"scam"`
	// ScamProb is the probability that the text is a scam: 1 − P(normal).
	ScamProb float64 `json:"scam_prob"`
	// Top holds the most probable fraud types (at most 3), with their
	// probabilities given that the text is a scam.
	Top []Scored `json:"top"`
	// Phrases are the normalised phrases that pushed the decision most:
	// towards Type when Scam, towards "normal message" otherwise.
	Phrases []string `json:"phrases"`
	// Rules names the explicit rules that fired (see Rules).
	Rules []string `json:"rules,omitempty"`
}

// scratch holds the per-call buffers of Predict.
type scratch struct {
	n     normalizer
	fs    []feature
	z     []float32
	fired []int
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{
		n:  normalizer{rs: make([]rune, 0, 256), buf: make([]byte, 0, 512), units: make([]unit, 0, 256)},
		fs: make([]feature, 0, 1024),
	}
}}

// phrasePattern is a rule phrase or prevention cue prepared for matching:
// its bytes, and the bloom bits of its units, which must all be set in the
// text's bloom for the phrase to occur (most texts fail this cheap test for
// most phrases, sparing a substring search).
type phrasePattern struct {
	b     []byte
	bloom [4]uint64
}

func newPattern(s string) phrasePattern {
	var n normalizer
	n.run(s)
	return phrasePattern{b: []byte(string(n.buf)), bloom: n.bloom}
}

func (p *phrasePattern) in(n *normalizer) bool {
	for i, w := range p.bloom {
		if w&^n.bloom[i] != 0 {
			return false
		}
	}
	return bytes.Contains(n.buf, p.b)
}

// rulePatterns holds the phrases of each rule in Rules, cuePatterns the
// prevention cues.
var rulePatterns = func() [][]phrasePattern {
	out := make([][]phrasePattern, len(Rules))
	for i, r := range Rules {
		for _, p := range r.Phrases {
			out[i] = append(out[i], newPattern(p))
		}
	}
	return out
}()

var cuePatterns = func() []phrasePattern {
	out := make([]phrasePattern, len(preventionCues))
	for i, c := range preventionCues {
		out[i] = newPattern(c)
	}
	return out
}()

// score normalises text, extracts its features and computes the class
// log-odds including rule boosts, into s.
func (c *Classifier) score(text string, s *scratch) {
	s.n.run(text)
	s.fs = s.n.features(s.fs[:0])
	k := len(c.m.classes)
	if cap(s.z) < k {
		s.z = make([]float32, k)
	}
	s.z = s.z[:k]
	c.m.logits(s.fs, s.z)
	s.fired = matchRules(&s.n, s.fired[:0])
	for _, r := range s.fired {
		if ci := c.rules[r]; ci >= 0 {
			s.z[ci] += ruleBoost
		}
	}
}

// matchRules returns the indices of the rules whose phrases all occur in the
// normalised text of n, appended to dst; none when the text reads as a
// prevention message (see preventionCues).
func matchRules(n *normalizer, dst []int) []int {
	for i := range cuePatterns {
		if cuePatterns[i].in(n) {
			return dst
		}
	}
next:
	for i, phrases := range rulePatterns {
		for j := range phrases {
			if !phrases[j].in(n) {
				continue next
			}
		}
		dst = append(dst, i)
	}
	return dst
}

// Predict classifies one text.
func (c *Classifier) Predict(text string) Prediction {
	s := scratchPool.Get().(*scratch)
	defer scratchPool.Put(s)
	c.score(text, s)
	k := len(c.m.classes)
	p := make([]float64, k)
	mx := math.Inf(-1)
	for _, x := range s.z {
		mx = math.Max(mx, float64(x))
	}
	var sum float64
	for i, x := range s.z {
		p[i] = math.Exp(float64(x) - mx)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}

	var pred Prediction
	pred.ScamProb = 1
	if c.normal >= 0 {
		pred.ScamProb = 1 - p[c.normal]
	}
	if len(s.n.units) == 0 {
		// Nothing to read (empty or only spaces and controls): the
		// probabilities are the priors, which say nothing about this text.
		pred.ScamProb = 0
	}
	pred.Scam = pred.ScamProb >= 0.5 || len(s.fired) > 0
	for _, r := range s.fired {
		pred.Rules = append(pred.Rules, Rules[r].Name)
	}

	// Fraud types by probability given a scam.
	order := make([]int, 0, k)
	var fraudSum float64
	for i := range p {
		if i != c.normal {
			order = append(order, i)
			fraudSum += p[i]
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case p[a] > p[b]:
			return -1
		case p[a] < p[b]:
			return 1
		}
		return 0
	})
	for _, i := range order[:min(3, len(order))] {
		code := Code(c.m.classes[i])
		pred.Top = append(pred.Top, Scored{Type: code, Name: Name(code), Prob: p[i] / fraudSum})
	}
	explain := c.normal
	if len(order) > 0 {
		pred.Type = Code(c.m.classes[order[0]])
		if pred.Scam || c.normal < 0 {
			explain = order[0]
		}
	}
	pred.Phrases = c.phrases(s, explain)
	return pred
}

// maxPhrases is how many driving phrases a prediction reports.
const maxPhrases = 5

// phrases returns the phrases whose features pushed most towards class ci,
// measured as value × (weight of ci − mean weight over classes), the part of
// the weight that favours ci over the others. Only features of two units or
// more with some text in them are quoted: a lone "的" or "【" may weigh,
// but it explains nothing to an officer. Phrases do not overlap; rule
// phrases come first.
func (c *Classifier) phrases(s *scratch, ci int) []string {
	var out []string
	for _, r := range s.fired {
		if Rules[r].Type == Code(c.m.classes[ci]) {
			for _, ph := range Rules[r].Phrases {
				if len([]rune(ph)) >= 2 && !slices.Contains(out, ph) {
					out = append(out, ph)
				}
			}
		}
	}
	// Contribution of each feature occurrence to class ci, relative to the
	// mean over classes; keep the best few candidates by insertion.
	const candidates = 4 * maxPhrases
	var cand [candidates]int
	var candC [candidates]float32
	nc := 0
	k := float32(len(c.m.classes))
	for i, f := range s.fs {
		r := c.m.rowOf[f.idx]
		if r < 0 || !s.n.quotable(f) {
			continue
		}
		contrib := c.m.scale[r] * (float32(c.m.q[int(r)*len(c.m.classes)+ci]) - float32(c.m.rowSum[r])/k)
		if contrib <= 0 || (nc == candidates && contrib <= candC[nc-1]) {
			continue
		}
		j := min(nc, candidates-1)
		for j > 0 && candC[j-1] < contrib {
			cand[j], candC[j] = cand[j-1], candC[j-1]
			j--
		}
		cand[j], candC[j] = i, contrib
		nc = min(nc+1, candidates)
	}
	// Greedy: best first, skipping phrases that overlap one already taken.
	type span struct{ start, end int32 }
	var taken [maxPhrases]span
	nt := 0
	for _, i := range cand[:nc] {
		if len(out) >= maxPhrases || nt == maxPhrases {
			break
		}
		f := s.fs[i]
		overlaps := false
		for _, q := range taken[:nt] {
			if f.start < q.end && f.start+f.n > q.start {
				overlaps = true
				break
			}
		}
		if overlaps {
			continue
		}
		taken[nt] = span{f.start, f.start + f.n}
		nt++
		ph := s.n.phrase(f.start, f.n)
		if !slices.ContainsFunc(out, func(o string) bool { return strings.Contains(o, ph) }) {
			out = append(out, ph)
		}
	}
	return out
}

// classifyAmong returns the index of the most likely class among those with
// allowed[i] true, after rule boosts. The evaluation uses it to restrict the
// decision to the classes an evaluation set can hold.
func (c *Classifier) classifyAmong(text string, allowed []bool) int {
	s := scratchPool.Get().(*scratch)
	defer scratchPool.Put(s)
	c.score(text, s)
	best := -1
	for i, x := range s.z {
		if allowed[i] && (best < 0 || x > s.z[best]) {
			best = i
		}
	}
	return best
}
