package intel

import (
	"fmt"
	"slices"
	"testing"
)

// clique links every pair of nodes strongly.
func clique(b *GraphBuilder, prefix string, n int) []int32 {
	ids := make([]int32, n)
	for i := range ids {
		ids[i] = b.Node(TCard, fmt.Sprintf("%s%d", prefix, i))
	}
	for i := range ids {
		for j := i + 1; j < n; j++ {
			b.Link(ids[i], ids[j], LTransfer, "")
		}
	}
	return ids
}

func TestComponentsAndCommunities(t *testing.T) {
	b := NewGraphBuilder()
	a := clique(b, "a", 6)
	c := clique(b, "c", 6)
	d := clique(b, "d", 4)
	// a and c joined by one strong bridge: one component, two communities.
	b.Link(a[0], c[0], LTransfer, "bridge")
	// d joined to a only by a weak (victim) link: its own component.
	b.Link(d[0], a[1], LVictim, "")
	lone := b.Node(TPhone, "lone")
	g := b.Build()

	comp := g.Components()
	for _, v := range append(a, c...) {
		if comp[v] != comp[a[0]] {
			t.Fatalf("a and c should be one component")
		}
	}
	for _, v := range d {
		if comp[v] != comp[d[0]] || comp[v] == comp[a[0]] {
			t.Fatalf("d should be its own component")
		}
	}
	if comp[lone] != lone {
		t.Fatal("an isolated node is its own component")
	}
	comm := g.Communities(10)
	same := func(xs []int32) bool {
		for _, v := range xs {
			if comm[v] != comm[xs[0]] {
				return false
			}
		}
		return true
	}
	if !same(a) || !same(c) || !same(d) {
		t.Fatalf("cliques split: %v", comm)
	}
	if comm[a[0]] == comm[c[0]] {
		t.Fatal("two cliques joined by one bridge should be two communities")
	}
	groups := g.Groups(3)
	var sizes []int
	for _, gr := range groups {
		sizes = append(sizes, gr.Size)
	}
	if !slices.Equal(sizes, []int{6, 6, 4}) {
		t.Fatalf("group sizes %v", sizes)
	}
	// The result is the same on every run.
	if again := g.Communities(10); !slices.Equal(again, comm) {
		t.Fatal("communities not deterministic")
	}
}

func TestExpandHopsFilterAndCap(t *testing.T) {
	// A path p0 - p1 - … - p9, and a phone hanging off p1.
	b := NewGraphBuilder()
	var p []int32
	for i := 0; i < 10; i++ {
		p = append(p, b.Node(TCard, fmt.Sprint("p", i)))
		if i > 0 {
			b.Link(p[i-1], p[i], LTransfer, fmt.Sprintf("流水 %d", i))
		}
	}
	ph := b.Node(TPhone, "138")
	b.Link(p[1], ph, LHolder, "开户资料")
	b.Link(p[1], ph, LHolder, "开户资料") // repeated: kept once
	g := b.Build()
	if g.Links() != 10 {
		t.Fatalf("%d links, want 10", g.Links())
	}
	ex := g.Expand(p[0], 3, nil, 0)
	want := map[int32]int8{p[0]: 0, p[1]: 1, p[2]: 2, ph: 2, p[3]: 3}
	if len(ex.Nodes) != len(want) {
		t.Fatalf("3 hops reach %d nodes, want %d", len(ex.Nodes), len(want))
	}
	for i, v := range ex.Nodes {
		if h, ok := want[v]; !ok || h != ex.Hop[i] {
			t.Fatalf("node %v at hop %d", g.Entity(v), ex.Hop[i])
		}
	}
	if len(ex.Edges) != 4 {
		t.Fatalf("%d links among the expansion, want 4", len(ex.Edges))
	}
	for _, e := range ex.Edges {
		if e.Evidence == "" {
			t.Fatalf("link without evidence: %+v", e)
		}
	}
	// Cards only: the phone is left out.
	ex = g.Expand(p[0], 3, func(t EntityType) bool { return t == TCard }, 0)
	if len(ex.Nodes) != 4 {
		t.Fatalf("filtered expansion %d nodes", len(ex.Nodes))
	}
	// The cap.
	ex = g.Expand(p[0], 9, nil, 3)
	if len(ex.Nodes) != 3 || !ex.Truncated {
		t.Fatalf("capped expansion %d nodes, truncated %v", len(ex.Nodes), ex.Truncated)
	}
	// References find their nodes.
	for _, v := range []int32{p[0], ph} {
		if got, ok := g.ByRef(g.Ref(g.Entity(v))); !ok || got != v {
			t.Fatalf("ref of %v", g.Entity(v))
		}
	}
}

func TestGeneratedGraphGroups(t *testing.T) {
	g := GenerateGraph(10_000, 50_000, 50, 1)
	// 200 planted groups of 50 (about 8 strong links per node inside):
	// most of each planted group shares one community.
	comm := g.Communities(10)
	for p := 0; p < 200; p++ {
		count := map[int32]int{}
		best := 0
		for v := p * 50; v < (p+1)*50; v++ {
			count[comm[v]]++
			best = max(best, count[comm[v]])
		}
		if best < 35 {
			t.Fatalf("planted group %d: largest community holds %d of 50", p, best)
		}
	}
	if n := len(g.Groups(3)); n < 200 || n > 260 {
		t.Fatalf("%d groups", n)
	}
	ex := g.Expand(0, 3, nil, 0)
	if len(ex.Nodes) == 0 || len(ex.Nodes) > MaxExpand {
		t.Fatalf("expansion %d", len(ex.Nodes))
	}
}
