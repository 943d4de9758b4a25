package intel

import (
	"sort"
	"strconv"
)

// Group is a candidate gang (团伙): a dense community inside a connected
// component of strong links, with the cases it touches.
type Group struct {
	ID        int32          `json:"id"`        // the community label (smallest node id it grew from)
	Component int32          `json:"component"` // the connected component it lies in
	Size      int            `json:"size"`
	ByType    map[string]int `json:"by_type"`
	Cases     []string       `json:"cases"` // case ids (keys of the case nodes)
	Members   []int32        `json:"-"`
}

// Groups finds the groups of at least minSize nodes that contain at least
// one non-case entity, largest first (among groups of one size, those
// touching most cases first).
func (g *Graph) Groups(minSize int) []Group {
	comp := g.Components()
	comm := g.groupLabels()
	// Sizes first, so only groups big enough get built.
	size := make([]int32, len(g.ents))
	for _, l := range comm {
		size[l]++
	}
	byLabel := map[int32]*Group{}
	for v := int32(0); v < int32(len(g.ents)); v++ {
		if int(size[comm[v]]) < minSize {
			continue
		}
		gr := byLabel[comm[v]]
		if gr == nil {
			gr = &Group{ID: comm[v], Component: comp[v], ByType: map[string]int{}, Members: make([]int32, 0, size[comm[v]])}
			byLabel[comm[v]] = gr
		}
		gr.Size++
		gr.ByType[g.ents[v].Type.String()]++
		gr.Members = append(gr.Members, v)
		if g.ents[v].Type == TCase {
			gr.Cases = append(gr.Cases, g.ents[v].Key)
		}
	}
	var out []Group
	for _, gr := range byLabel {
		if gr.Size >= minSize && gr.Size > len(gr.Cases) {
			out = append(out, *gr)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Size != out[j].Size {
			return out[i].Size > out[j].Size
		}
		if len(out[i].Cases) != len(out[j].Cases) {
			return len(out[i].Cases) > len(out[j].Cases)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// CaseLink is two cases that share entities (串并案).
type CaseLink struct {
	A, B   string   `json:"-"`
	CaseA  int64    `json:"case_a"`
	CaseB  int64    `json:"case_b"`
	Shared []Entity `json:"-"`
}

// LinkedCases returns the pairs of cases joined through a shared entity
// (an entity linked to both case nodes by a strong link), with the shared
// entities named. Victims are not shared entities: they reach a case by a
// weak link.
func (g *Graph) LinkedCases() []CaseLink {
	pairs := map[[2]int32][]Entity{}
	for v := int32(0); v < int32(len(g.ents)); v++ {
		if g.ents[v].Type == TCase {
			continue
		}
		var cases []int32
		for _, e := range g.adj[g.start[v]:g.start[v+1]] {
			// Links are sorted by neighbour: a case joined by two kinds of
			// link appears once.
			if e.kind.Strong() && g.ents[e.to].Type == TCase && (len(cases) == 0 || cases[len(cases)-1] != e.to) {
				cases = append(cases, e.to)
			}
		}
		for i := 0; i < len(cases); i++ {
			for j := i + 1; j < len(cases); j++ {
				a, b := min(cases[i], cases[j]), max(cases[i], cases[j])
				pairs[[2]int32{a, b}] = append(pairs[[2]int32{a, b}], g.ents[v])
			}
		}
	}
	out := make([]CaseLink, 0, len(pairs))
	for p, shared := range pairs {
		a, _ := strconv.ParseInt(g.ents[p[0]].Key, 10, 64)
		b, _ := strconv.ParseInt(g.ents[p[1]].Key, 10, 64)
		if a > b {
			a, b = b, a
		}
		out = append(out, CaseLink{A: g.ents[p[0]].Key, B: g.ents[p[1]].Key, CaseA: a, CaseB: b, Shared: shared})
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i].Shared) != len(out[j].Shared) {
			return len(out[i].Shared) > len(out[j].Shared)
		}
		if out[i].CaseA != out[j].CaseA {
			return out[i].CaseA < out[j].CaseA
		}
		return out[i].CaseB < out[j].CaseB
	})
	return out
}

// CasesLinkedTo returns the cases linked to one case, with what they share.
func (g *Graph) CasesLinkedTo(caseID int64) []CaseLink {
	var out []CaseLink
	key := strconv.FormatInt(caseID, 10)
	for _, l := range g.LinkedCases() {
		if l.A == key || l.B == key {
			out = append(out, l)
		}
	}
	return out
}
