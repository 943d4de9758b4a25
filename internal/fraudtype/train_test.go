package fraudtype

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"sync"
	"testing"
)

// projectCorpus is the project corpus, generated once for all tests.
var projectCorpus = sync.OnceValue(func() []Example { return Corpus(CorpusSeed) })

// smallCorpus is a slice of the project corpus, every 12th text, enough
// for tests that train.
func smallCorpus() []Example {
	var out []Example
	for i, ex := range projectCorpus() {
		if i%12 == 0 {
			out = append(out, ex)
		}
	}
	return out
}

func TestTrainingIsDeterministic(t *testing.T) {
	ex := smallCorpus()
	opt := DefaultTrainOptions()
	opt.Epochs = 2
	encode := func(opt TrainOptions) []byte {
		m, err := Train(ex, opt)
		if err != nil {
			t.Fatal(err)
		}
		b, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b := encode(opt), encode(opt)
	if !bytes.Equal(a, b) {
		t.Fatal("two trainings with the same data and seed gave different model bytes")
	}
	opt.Seed++
	if bytes.Equal(a, encode(opt)) {
		t.Error("a different seed gave the same model: the seed is not used")
	}
}

func TestCorpusIsDeterministicAndClean(t *testing.T) {
	a, b := projectCorpus(), Corpus(CorpusSeed)
	if len(a) != len(b) {
		t.Fatalf("corpus sizes differ: %d, %d", len(a), len(b))
	}
	count := map[string]int{}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("corpus differs at %d", i)
		}
		count[a[i].Label]++
		// Template syntax must never leak into a text.
		if strings.ContainsAny(a[i].Text, "(){}|?") {
			t.Errorf("template syntax left in %q", a[i].Text)
		}
	}
	if count[Normal] < 5000 {
		t.Errorf("only %d normal texts", count[Normal])
	}
	for _, typ := range all {
		if count[string(typ.Code)] < 500 {
			t.Errorf("type %s has %d texts", typ.Code, count[string(typ.Code)])
		}
	}
}

// TestHandExamplesNotInCorpus checks that no test text was used in
// training: none equals, contains or is contained in a corpus text after
// normalisation.
func TestHandExamplesNotInCorpus(t *testing.T) {
	corpus := projectCorpus()
	norm := make([]string, len(corpus))
	for i, ex := range corpus {
		norm[i] = Normalize(ex.Text)
	}
	for _, ex := range handExamples {
		h := Normalize(ex.text)
		for i, c := range norm {
			if strings.Contains(c, h) || (len(c) > 30 && strings.Contains(h, c)) {
				t.Errorf("hand example %q overlaps corpus text %q", ex.text, corpus[i].Text)
			}
		}
	}
}

func TestShippedModelMatchesCorpus(t *testing.T) {
	c := shippedClassifier(t)
	info := c.Model().Info()
	corpus := projectCorpus()
	d := sha256.New()
	for _, ex := range corpus {
		d.Write([]byte(ex.Label + "\t" + ex.Text + "\n"))
	}
	var sum [32]byte
	copy(sum[:], d.Sum(nil))
	if info.CorpusSHA256 != sum || info.Examples != len(corpus) {
		t.Fatal("the shipped model was not trained on the current corpus: run fanzha fraudtype train --out internal/fraudtype/model/shipped.bin")
	}
	opt := DefaultTrainOptions()
	if info.Seed != opt.Seed || info.Epochs != opt.Epochs {
		t.Fatalf("shipped model trained with seed %d, %d epochs; defaults are %d, %d", info.Seed, info.Epochs, opt.Seed, opt.Epochs)
	}
	if len(shippedModel) > 20<<20 {
		t.Errorf("shipped model is %d bytes, over 20 MB", len(shippedModel))
	}
}

// TestShippedModelReproducible retrains the shipped model from the corpus
// and compares bytes: the shipped file is exactly what the train command
// produces.
func TestShippedModelReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("retraining the shipped model takes a few seconds")
	}
	m, err := TrainShipped()
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, shippedModel) {
		t.Fatal("retraining gives a model different from model/shipped.bin: run fanzha fraudtype train --out internal/fraudtype/model/shipped.bin")
	}
}

func TestModelRoundTripAndDamage(t *testing.T) {
	m, err := UnmarshalModel(shippedModel)
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, shippedModel) {
		t.Fatal("decode + encode changed the model bytes")
	}
	bad := bytes.Clone(b)
	bad[len(bad)/2] ^= 0x40
	if _, err := UnmarshalModel(bad); err == nil {
		t.Error("a damaged model loaded")
	}
	if _, err := UnmarshalModel(b[:len(b)-10]); err == nil {
		t.Error("a truncated model loaded")
	}
	if _, err := UnmarshalModel([]byte("not a model")); err == nil {
		t.Error("garbage loaded")
	}
}

func TestTrainRejectsBadInput(t *testing.T) {
	if _, err := Train(nil, DefaultTrainOptions()); err == nil {
		t.Error("trained on nothing")
	}
	if _, err := Train([]Example{{"a", Normal}, {"b", "nonsense"}}, DefaultTrainOptions()); err == nil {
		t.Error("accepted an unknown label")
	}
	if _, err := Train([]Example{{"a", Normal}, {"b", Normal}}, DefaultTrainOptions()); err == nil {
		t.Error("trained with one class")
	}
}
