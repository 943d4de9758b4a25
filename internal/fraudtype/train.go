package fraudtype

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Example is one labelled text: Label is Normal or a taxonomy code.
type Example struct {
	Text  string
	Label string
}

// TrainOptions are the settings of Train. The zero value is not useful; start
// from DefaultTrainOptions.
type TrainOptions struct {
	Seed         uint64  // seed of the example order; same seed and data give the same model bytes
	Epochs       int     // passes over the data
	LearningRate float64 // AdaGrad base step
	L2           float64 // L2 penalty per update on the weights touched
	Balance      bool    // weight classes inversely to their frequency (optimises macro-F1)
}

// DefaultTrainOptions returns the settings used for the shipped model.
func DefaultTrainOptions() TrainOptions {
	return TrainOptions{Seed: 1, Epochs: 6, LearningRate: 0.5, L2: 1e-6, Balance: true}
}

// gradSkip is the smallest class gradient worth an update: classes the model
// already scores near 0 (or near 1 when right) contribute nothing useful,
// and skipping them makes later epochs several times faster. It is a
// constant, so training stays deterministic.
const gradSkip = 1e-4

// pruneBelow drops feature rows whose largest weight is below it: they do
// not change a prediction and would only grow the model file.
const pruneBelow = 2e-3

// Train fits a multinomial logistic regression with AdaGrad on the hashed
// features of the examples. It is single-threaded and visits the examples in
// an order drawn from opt.Seed, so the same data and options always give
// the same model, byte for byte (on the same CPU architecture).
func Train(examples []Example, opt TrainOptions) (*Model, error) {
	if len(examples) == 0 {
		return nil, errors.New("fraudtype: train: no examples")
	}
	if opt.Epochs <= 0 || opt.LearningRate <= 0 || opt.L2 < 0 {
		return nil, fmt.Errorf("fraudtype: train: bad options %+v", opt)
	}
	classes, err := classList(examples)
	if err != nil {
		return nil, err
	}
	k := len(classes)
	if k < 2 {
		return nil, fmt.Errorf("fraudtype: train: need at least two classes, have %v", classes)
	}

	// Featurise once: per example a sorted list of (bucket, value).
	type span struct{ lo, hi int }
	var (
		idxs   []uint32
		vals   []float32
		spans  = make([]span, len(examples))
		labels = make([]int, len(examples))
		count  = make([]int, k)
		digest = sha256.New()
		n      = &normalizer{}
		fs     []feature
	)
	for i, ex := range examples {
		labels[i] = slices.Index(classes, ex.Label)
		count[labels[i]]++
		digest.Write([]byte(ex.Label))
		digest.Write([]byte{'\t'})
		digest.Write([]byte(ex.Text))
		digest.Write([]byte{'\n'})
		n.run(ex.Text)
		fs = n.features(fs[:0])
		slices.SortFunc(fs, func(a, b feature) int { return int(a.idx) - int(b.idx) })
		lo := len(idxs)
		v := float32(1 / math.Sqrt(float64(max(len(fs), 1))))
		for j, f := range fs {
			if j > 0 && fs[j-1].idx == f.idx {
				vals[len(vals)-1] += v
				continue
			}
			idxs = append(idxs, f.idx)
			vals = append(vals, v)
		}
		spans[i] = span{lo, len(idxs)}
	}
	weight := classWeights(classes, count, opt.Balance)

	const dim = 1 << featureBits
	var (
		w     = make([]float32, dim*k)
		g2    = make([]float32, dim*k) // AdaGrad: sum of squared gradients
		bias  = make([]float32, k)
		bg2   = make([]float32, k)
		z     = make([]float32, k)
		grad  = make([]float32, k)
		lr    = float32(opt.LearningRate)
		l2    = float32(opt.L2)
		order = make([]int, len(examples))
		rng   = rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x5DEECE66D))
	)
	for i := range order {
		order[i] = i
	}
	const eps = 1e-8
	for range opt.Epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, e := range order {
			sp := spans[e]
			copy(z, bias)
			for j := sp.lo; j < sp.hi; j++ {
				row := w[int(idxs[j])*k : int(idxs[j])*k+k]
				x := vals[j]
				for c, wc := range row {
					z[c] += x * wc
				}
			}
			softmax(z)
			y := labels[e]
			for c := range grad {
				t := float32(0)
				if c == y {
					t = 1
				}
				grad[c] = (z[c] - t) * weight[y]
			}
			for c, gc := range grad {
				if gc > -gradSkip && gc < gradSkip {
					continue
				}
				bg2[c] += gc * gc
				bias[c] -= lr * gc / float32(math.Sqrt(float64(bg2[c])+eps))
				for j := sp.lo; j < sp.hi; j++ {
					p := int(idxs[j])*k + c
					g := gc*vals[j] + l2*w[p]
					g2[p] += g * g
					w[p] -= lr * g / float32(math.Sqrt(float64(g2[p])+eps))
				}
			}
		}
	}

	m := quantize(classes, bias, w)
	m.info = ModelInfo{Seed: opt.Seed, Epochs: opt.Epochs, Examples: len(examples)}
	copy(m.info.CorpusSHA256[:], digest.Sum(nil))
	return m, nil
}

// classWeights returns the weight of an example of each class. Balanced
// weights make every class count the same in total, except that Normal
// counts as much as all fraud types together: the scam flag is a two-way
// decision, and with 16 fraud types against one normal class a plain
// balance would put the prior odds of "scam" at 16 to 1.
func classWeights(classes []string, count []int, balance bool) []float32 {
	k := len(classes)
	w := make([]float32, k)
	total := 0
	for _, n := range count {
		total += n
	}
	hasNormal := slices.Contains(classes, Normal)
	for c := range w {
		w[c] = 1
		if !balance || count[c] == 0 {
			continue
		}
		share := float64(k) // the class's share of the total weight is 1/share
		if hasNormal {
			share = 2
			if classes[c] != Normal {
				share = 2 * float64(k-1)
			}
		}
		w[c] = float32(float64(total) / (share * float64(count[c])))
	}
	return w
}

// quantize turns dense float weights into the model's int8 rows, dropping
// rows with no weight of consequence.
func quantize(classes []string, bias, w []float32) *Model {
	k := len(classes)
	m := &Model{classes: classes, bias: slices.Clone(bias), rowOf: make([]int32, 1<<featureBits)}
	for idx := range m.rowOf {
		m.rowOf[idx] = -1
		row := w[idx*k : idx*k+k]
		var amax float32
		for _, x := range row {
			amax = max(amax, float32(math.Abs(float64(x))))
		}
		if amax < pruneBelow {
			continue
		}
		scale := amax / 127
		m.rowOf[idx] = int32(len(m.scale))
		m.scale = append(m.scale, scale)
		for _, x := range row {
			m.q = append(m.q, int8(math.Round(float64(x/scale))))
		}
	}
	m.sumRows()
	return m
}

// softmax turns scores into probabilities in place.
func softmax(z []float32) {
	mx := z[0]
	for _, x := range z[1:] {
		mx = max(mx, x)
	}
	var sum float32
	for i, x := range z {
		e := float32(math.Exp(float64(x - mx)))
		z[i] = e
		sum += e
	}
	for i := range z {
		z[i] /= sum
	}
}

// classList returns the classes of the examples in a fixed order: Normal
// first, then the taxonomy's display order. It rejects unknown labels.
func classList(examples []Example) ([]string, error) {
	seen := map[string]bool{}
	for i, ex := range examples {
		if ex.Label != Normal && !Valid(Code(ex.Label)) {
			return nil, fmt.Errorf("fraudtype: train: example %d: unknown label %q", i+1, ex.Label)
		}
		seen[ex.Label] = true
	}
	var classes []string
	if seen[Normal] {
		classes = append(classes, Normal)
	}
	for _, t := range all {
		if seen[string(t.Code)] {
			classes = append(classes, string(t.Code))
		}
	}
	return classes, nil
}

// TrainShipped trains the shipped model: the project corpus generated with
// CorpusSeed, under DefaultTrainOptions. "fanzha fraudtype train" without a
// DATA folder runs exactly this, so its output is byte for byte the file in
// model/shipped.bin.
func TrainShipped() (*Model, error) {
	return Train(Corpus(CorpusSeed), DefaultTrainOptions())
}
