package main

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"time"

	"github.com/fanzha/fanzha/internal/intel"
)

// benchIntel measures the 两卡研判 engine on generated data: finding all
// groups of an entity graph, 3-hop expansions (capped at 5,000 nodes), and
// scoring every account from a transfer set.
func benchIntel(args []string) error {
	fs := newFlags("bench intel")
	nodes := fs.Int("entities", 1_000_000, "entities in the generated graph")
	links := fs.Int("links", 5_000_000, "links in the generated graph")
	group := fs.Int("group-size", 50, "size of the planted groups")
	accounts := fs.Int("accounts", 1_000_000, "accounts to score")
	transfers := fs.Int("transfers", 10_000_000, "transfers to score from")
	expands := fs.Int("expands", 1000, "3-hop expansions to time")
	seed := fs.Uint64("seed", 1, "seed of the generated data")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	t0 := time.Now()
	g := intel.GenerateGraph(*nodes, *links, *group, *seed)
	fmt.Printf("graph: %d entities, %d links (deduplicated) generated in %.1fs, GOMAXPROCS=%d\n", g.Len(), g.Links(), time.Since(t0).Seconds(), runtime.GOMAXPROCS(0))

	t1 := time.Now()
	groups := g.Groups(3)
	groupsS := time.Since(t1).Seconds()
	fmt.Printf("groups: %d groups of ≥3 in %.2fs\n", len(groups), groupsS)

	r := rand.New(rand.NewPCG(*seed, 7))
	lat := make([]float64, 0, *expands)
	reached := 0
	for i := 0; i < *expands; i++ {
		v := int32(r.IntN(g.Len()))
		t := time.Now()
		ex := g.Expand(v, 3, nil, intel.MaxExpand)
		lat = append(lat, float64(time.Since(t).Microseconds())/1000)
		reached += len(ex.Nodes)
	}
	slices.Sort(lat)
	p := func(q float64) float64 { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
	fmt.Printf("expand 3 hops: %d starts, mean %d nodes, p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
		*expands, reached/max(1, *expands), p(0.5), p(0.99), lat[len(lat)-1])
	g = nil
	runtime.GC()

	t2 := time.Now()
	fb := intel.GenerateFlows(*accounts, *transfers, *seed)
	fmt.Printf("transfers: %d accounts, %d transfers generated in %.1fs\n", *accounts, *transfers, time.Since(t2).Seconds())
	t3 := time.Now()
	f := fb.Build()
	s := intel.ScoreFlows(f, intel.DefaultWeights(), nil)
	scoreS := time.Since(t3).Seconds()
	watch := 0
	for id := int32(0); id < int32(f.Accounts()); id++ {
		if s.Watch(id) {
			watch++
		}
	}
	fmt.Printf("scoring: %d accounts from %d transfers (index and score) in %.2fs, %d on the watch list\n", f.Accounts(), f.Transfers(), scoreS, watch)
	fmt.Printf("RESULT accounts=%d groups_s=%.3f expand3_p99_ms=%.3f score_s=%.3f\n", f.Accounts(), groupsS, p(0.99), scoreS)
	return nil
}
