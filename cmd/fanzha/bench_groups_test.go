package main

import (
	"context"
	"testing"

	"github.com/fanzha/fanzha/internal/intel"
)

// The groups of the demo county are ones a person can work: the shared
// pool of scam numbers and web addresses every gang's warnings name does
// not chain gangs into one group of a thousand entities, and the planted
// gangs are still found (purity and recall no worse than before the
// split: 0.979 and 0.898 on seed 1).
func TestDemoCountyGroupsWorkable(t *testing.T) {
	g, sum, err := demoCountyGraph(context.Background(), 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	ev := intel.EvalGroups(g, sum.Gangs, 3)
	t.Logf("%+v", ev)
	if ev.Gangs != 30 {
		t.Fatalf("%d planted gangs in the graph, want 30", ev.Gangs)
	}
	if ev.Largest > 200 {
		t.Errorf("the largest group holds %d entities, more than 200", ev.Largest)
	}
	if ev.Purity < 0.979 || ev.Recall < 0.898 {
		t.Errorf("purity %.3f recall %.3f, want at least 0.979 and 0.898", ev.Purity, ev.Recall)
	}
	// No group is made of the shared pool: before the split one group held
	// all of its 120 web addresses and about 700 numbers.
	for _, gr := range g.Groups(3) {
		if gr.ByType["url"] > 10 {
			t.Errorf("a group of %d entities (%s) holds %d web addresses of the shared pool", gr.Size, intel.Composition(gr.ByType), gr.ByType["url"])
		}
	}
}
