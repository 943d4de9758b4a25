package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/intel"
	"github.com/fanzha/fanzha/internal/sim"
)

// groupsEvalNow is the "now" of the county the evaluation generates: a
// fixed date, so a seed gives the same county and the same figures on any
// day.
var groupsEvalNow = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)

// intelGroupsEval generates the demo county in a temporary folder (it may
// import the demo generator: it is a benchmark, see nosim_test.go) and
// measures the intel groups of the whole county against its planted mule
// gangs, printing purity and recall.
func intelGroupsEval(ctx context.Context, args []string) error {
	fs := newFlags("intel groups-eval")
	seed := fs.Int64("seed", 1, "seed of the demo county")
	scale := fs.Float64("scale", 1, "scale of the demo county (0 < s ≤ 1)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	t0 := time.Now()
	g, sum, err := demoCountyGraph(ctx, *seed, *scale)
	if err != nil {
		return err
	}
	fmt.Printf("demo county seed %d: %d cases, %d planted gangs, graph of %d entities and %d links (%.1f s)\n",
		*seed, sum.Cases, len(sum.Gangs), g.Len(), g.Links(), time.Since(t0).Seconds())
	t1 := time.Now()
	ev := intel.EvalGroups(g, sum.Gangs, 3)
	fmt.Printf("groups: %d (%d hold gang accounts), largest %d entities, most cases in one group %d, hubs %d (%.2f s)\n",
		ev.Groups, ev.Touched, ev.Largest, ev.MaxCase, ev.Hubs, time.Since(t1).Seconds())
	if gs := g.Groups(3); len(gs) > 0 {
		top := slices.Clone(gs[0].Members)
		slices.SortFunc(top, func(a, b int32) int { return g.StrongDegree(b) - g.StrongDegree(a) })
		fmt.Printf("largest group %s; busiest members:", intel.Composition(gs[0].ByType))
		for _, v := range top[:min(8, len(top))] {
			fmt.Printf(" %s(%d)", intel.TypeLabels[g.Entity(v).Type], g.StrongDegree(v))
		}
		fmt.Println()
	}
	fmt.Printf("RESULT gangs=%d purity=%.3f recall=%.3f largest=%d max_cases=%d\n", ev.Gangs, ev.Purity, ev.Recall, ev.Largest, ev.MaxCase)
	return nil
}

// demoCountyGraph generates the demo county of a seed (at groupsEvalNow)
// in a temporary folder and returns its county-wide entity graph and what
// the generator planted.
func demoCountyGraph(ctx context.Context, seed int64, scale float64) (*intel.Graph, sim.Summary, error) {
	dir, err := os.MkdirTemp("", "fanzha-groups-eval-")
	if err != nil {
		return nil, sim.Summary{}, err
	}
	defer os.RemoveAll(dir)
	d, err := openDB(ctx, "", dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return nil, sim.Summary{}, err
	}
	defer d.Close()
	auth.BcryptCost = 4
	sum, err := sim.Generate(ctx, d, sim.Options{Seed: seed, Now: groupsEvalNow, Scale: scale})
	if err != nil {
		return nil, sum, fmt.Errorf("generate demo county: %w", err)
	}
	root, err := area.Root(ctx, d)
	if err != nil {
		return nil, sum, err
	}
	g, err := intel.BuildGraph(ctx, d, root)
	return g, sum, err
}
