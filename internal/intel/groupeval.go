package intel

import "slices"

// GroupEval measures the groups of a graph against known gangs (sets of
// account numbers), such as the mule gangs the demo county plants.
type GroupEval struct {
	Gangs   int `json:"gangs"`     // gangs with at least one account in the graph
	Groups  int `json:"groups"`    // groups found (at least minSize nodes)
	Touched int `json:"touched"`   // groups holding a gang account
	Largest int `json:"largest"`   // entities of the largest group
	MaxCase int `json:"max_cases"` // cases of the group with most cases
	Hubs    int `json:"hubs"`      // nodes left out of the propagation as hubs
	// Purity: over the groups holding gang accounts, the share of those
	// accounts that belong to the group's main gang (1 when no group mixes
	// two gangs), weighted by gang accounts.
	Purity float64 `json:"purity"`
	// Recall: per gang, the share of its accounts found together in its
	// best group, averaged over the gangs (1 when no gang is split or
	// left out).
	Recall float64 `json:"recall"`
}

// EvalGroups compares g.Groups(minSize) with gangs.
func EvalGroups(g *Graph, gangs [][]string, minSize int) GroupEval {
	groups := g.Groups(minSize)
	gangOf := map[int32]int{} // node -> gang index
	sizes := make([]int, len(gangs))
	var ev GroupEval
	for i, accts := range gangs {
		for _, a := range accts {
			if v, ok := g.Find(TCard, a); ok {
				gangOf[v] = i
				sizes[i]++
			}
		}
		if sizes[i] > 0 {
			ev.Gangs++
		}
	}
	ev.Groups = len(groups)
	ev.Hubs = len(g.Hubs())
	best := make([]int, len(gangs)) // per gang: most accounts in one group
	pure, total := 0, 0
	for _, gr := range groups {
		ev.Largest = max(ev.Largest, gr.Size)
		ev.MaxCase = max(ev.MaxCase, len(gr.Cases))
		count := map[int]int{}
		for _, v := range gr.Members {
			if k, ok := gangOf[v]; ok {
				count[k]++
			}
		}
		if len(count) == 0 {
			continue
		}
		ev.Touched++
		top, sum := 0, 0
		for k, n := range count {
			sum += n
			top = max(top, n)
			best[k] = max(best[k], n)
		}
		pure += top
		total += sum
	}
	if total > 0 {
		ev.Purity = float64(pure) / float64(total)
	}
	for i, n := range sizes {
		if n > 0 {
			ev.Recall += float64(best[i]) / float64(n)
		}
	}
	if ev.Gangs > 0 {
		ev.Recall /= float64(ev.Gangs)
	}
	return ev
}

// HubDegree is the number of strong links above which a node is a hub: an
// entity every gang uses (a popular meeting app, a payment aggregator, a
// shared outlet) that says nothing about who works together. Hubs take no
// part in grouping (they would pull every gang into one) and are shown
// apart.
const HubDegree = 100

// Hubs lists the hubs, busiest first.
func (g *Graph) Hubs() []int32 {
	g.hubOnce.Do(func() {
		g.hub = make([]bool, len(g.ents))
		for v := int32(0); v < int32(len(g.ents)); v++ {
			if g.StrongDegree(v) > HubDegree {
				g.hub[v] = true
				g.hubs = append(g.hubs, v)
			}
		}
		slices.SortFunc(g.hubs, func(a, b int32) int { return g.StrongDegree(b) - g.StrongDegree(a) })
	})
	return g.hubs
}

// IsHub reports whether v is a hub.
func (g *Graph) IsHub(v int32) bool {
	g.Hubs()
	return g.hub[v]
}

// StrongDegree is the number of strong links of a node.
func (g *Graph) StrongDegree(v int32) int {
	n := 0
	for _, e := range g.adj[g.start[v]:g.start[v+1]] {
		if e.kind.Strong() {
			n++
		}
	}
	return n
}
