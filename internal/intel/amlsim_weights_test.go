package intel

import (
	"strings"
	"testing"
)

// The shipped AMLSim weights load, come from both public folders and keep
// the features a fit found useful.
func TestShippedAMLSimWeights(t *testing.T) {
	w, err := AMLSimWeights()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(w.Source, "20K_cycle200") || !strings.Contains(w.Source, "20K_fanin200") {
		t.Fatalf("source %q", w.Source)
	}
	nonzero := 0
	for f := Feature(0); f < NumFeatures; f++ {
		if w.Points[f] < 0 || w.Step[f] < 0 {
			t.Fatalf("negative weight for %s", Features[f].Code)
		}
		if w.Points[f] > 0 || w.Step[f] > 0 {
			nonzero++
		}
	}
	if nonzero < 4 || w.Threshold <= 0 {
		t.Fatalf("%d features weighted, threshold %v", nonzero, w.Threshold)
	}
}
