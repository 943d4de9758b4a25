package intel

import (
	"math/rand/v2"
	"strconv"
)

// GenerateGraph builds a seeded entity graph for benchmarks: nodes entities
// of mixed types in planted groups of groupSize, about links links of which
// four in five are strong links inside a group and one in five a weak link
// between random nodes (victims reached by many scam contacts).
func GenerateGraph(nodes, links, groupSize int, seed uint64) *Graph {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := NewGraphBuilder()
	b.g.ents = make([]Entity, 0, nodes)
	for i := 0; i < nodes; i++ {
		b.g.ents = append(b.g.ents, Entity{Type: EntityType(i % int(TCase))})
	}
	b.edges = make([]rawEdge, 0, links)
	strong := links * 4 / 5
	kinds := []LinkKind{LHolder, LSameWarning, LTransfer, LUsedFrom}
	for i := 0; i < strong; i++ {
		g := r.IntN(nodes / groupSize)
		a := int32(g*groupSize + r.IntN(groupSize))
		c := int32(g*groupSize + r.IntN(groupSize))
		if a != c {
			b.edges = append(b.edges, rawEdge{a, c, kinds[i%len(kinds)], -1})
		}
	}
	for i := strong; i < links; i++ {
		b.edges = append(b.edges, rawEdge{int32(r.IntN(nodes)), int32(r.IntN(nodes)), LVictim, -1})
	}
	return b.Build()
}

// GenerateFlows builds seeded transfers for benchmarks: accounts accounts
// and transfers transfers over 90 days in time order; one account in a
// hundred is a mule that receives from many and forwards most of it within
// the hour.
func GenerateFlows(accounts, transfers int, seed uint64) *FlowBuilder {
	r := rand.New(rand.NewPCG(seed, seed^0x2545f4914f6cdd1d))
	b := NewFlowBuilder(transfers)
	for i := 0; i < accounts; i++ {
		b.Account("6217" + strconv.Itoa(10_000_000_000+i))
	}
	start := int64(1_767_225_600_000) // 2026-01-01 UTC
	step := int64(90*dayMs) / int64(transfers)
	at := start
	mules := max(1, accounts/100)
	for i := 0; i < transfers; i++ {
		at += step
		amt := int64(1_000 + r.IntN(500_000))
		if r.IntN(10) == 0 {
			m := int32(r.IntN(mules) * 100)
			src := int32(r.IntN(accounts))
			b.Add(src, m, at, amt, int32(-1))
			if i+1 < transfers {
				i++
				b.Add(m, int32(r.IntN(accounts)), at+int64(r.IntN(50*60_000)), amt-amt/50, -1)
			}
			continue
		}
		b.Add(int32(r.IntN(accounts)), int32(r.IntN(accounts)), at, amt, -1)
	}
	return b
}
