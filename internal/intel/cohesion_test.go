package intel

import (
	"fmt"
	"testing"
)

func TestTiedRule(t *testing.T) {
	seq := func(from, n int32) []int32 {
		out := make([]int32, n)
		for i := range out {
			out[i] = from + int32(i)
		}
		return out
	}
	for _, c := range []struct {
		name string
		a, b []int32 // sorted strong neighbours; 0 and 1 are the two ends
		want bool
	}{
		{"two accounts of one device and IP", []int32{1, 10, 11}, []int32{0, 10, 11}, true},
		// σ = 2/√(3·3): an account and the device it alone was used from
		// with one other account.
		{"a link between two nodes of few links", []int32{1, 5}, []int32{0, 6}, true},
		{"a leaf never ties", []int32{1}, []int32{0, 7}, false},
		{"nor a leaf on the other end", []int32{1, 7}, []int32{0}, false},
		// A pool number named with 20 web addresses and one of them named
		// with 80 numbers, one case named with both: σ = 3/√(21·81) ≈ 0.07.
		{"a shared pool number and address", append([]int32{1, 2}, seq(100, 18)...), append([]int32{0, 2}, seq(200, 78)...), false},
		// σ = 3/√(4·4) = 0.75.
		{"one shared neighbour among few", []int32{1, 2, 3}, []int32{0, 2, 4}, true},
		// σ = 3/√(16·16) ≈ 0.19: below Cohesion.
		{"one shared neighbour among many", append([]int32{1, 2}, seq(100, 13)...), append([]int32{0, 2}, seq(200, 13)...), false},
		// σ = 4/√(16·16) = 0.25.
		{"two shared neighbours among many", append([]int32{1, 2, 3}, seq(100, 12)...), append([]int32{0, 2, 3}, seq(200, 12)...), true},
	} {
		if got := tied(c.a, c.b); got != c.want {
			t.Errorf("%s: tied %v, want %v", c.name, got, c.want)
		}
	}
}

func TestAttachRule(t *testing.T) {
	for _, c := range []struct {
		name  string
		count map[int32]int
		total int
		kind  LinkKind
		want  int32 // -1: stays alone
	}{
		{"a case paid into one account", map[int32]int{7: 1}, 1, LCasePaid, 7},
		{"a holder's phone", map[int32]int{7: 1}, 1, LHolder, 7},
		{"an account paid once by the group", map[int32]int{7: 1}, 1, LTransfer, -1},
		{"a leaf of a lone node (counted as its neighbour)", map[int32]int{3: 1}, 1, LUsedFrom, 3},
		{"a case: two paid accounts of one gang, a pool number, a web address", map[int32]int{7: 2}, 4, LCaseContact, 7},
		{"a case split between two gangs", map[int32]int{7: 1, 9: 1}, 3, LCasePaid, -1},
		{"most links in one gang", map[int32]int{7: 3, 9: 1}, 4, LCasePaid, 7},
		{"a pool number: one gang account among twenty links", map[int32]int{7: 1}, 20, LSameWarning, -1},
		{"a holder of two gang accounts and one other", map[int32]int{7: 2, 9: 1}, 3, LHolder, 7},
	} {
		l, ok := attachTo(c.count, c.total, c.kind)
		got := int32(-1)
		if ok {
			got = l
		}
		if got != c.want {
			t.Errorf("%s: joins %d, want %d", c.name, got, c.want)
		}
	}
}

// Two gangs whose warnings name numbers of one shared pool (each number
// with accounts of both gangs and with many web addresses) stay two groups;
// the pool's numbers and addresses and the accounts a gang paid out to once
// belong to no group and are listed as linked entities outside the gang's
// group; a case its victim paid into a gang account is in the gang's group.
func TestSharedPoolDoesNotMergeGangs(t *testing.T) {
	b := NewGraphBuilder()
	var gangs [][]int32
	for _, name := range []string{"a", "c"} {
		ids := clique(b, name, 5)
		dev := b.Node(TDevice, name+"-mac")
		for _, v := range ids {
			b.Link(v, dev, LUsedFrom, "")
		}
		gangs = append(gangs, ids)
	}
	var pool []int32
	for i := 0; i < 40; i++ {
		p := b.Node(TPhone, fmt.Sprint("pool", i))
		pool = append(pool, p)
		b.Link(p, gangs[i%2][i%5], LSameWarning, "")
		b.Link(p, gangs[(i+1)%2][(i+2)%5], LSameWarning, "")
		for k := 0; k < 6; k++ {
			u := b.Node(TURL, fmt.Sprint("url", (i*7+k*13)%30))
			b.Link(p, u, LSameWarning, "")
			pool = append(pool, u)
		}
	}
	exit := b.Node(TCard, "exit")
	b.Link(gangs[0][0], exit, LTransfer, "")
	cs := b.Node(TCase, "1")
	b.Link(cs, gangs[0][1], LCasePaid, "")
	b.Link(cs, pool[0], LCaseContact, "")
	g := b.Build()

	comm := g.groupLabels()
	for k, ids := range gangs {
		for _, v := range ids {
			if comm[v] != comm[ids[0]] {
				t.Fatalf("gang %d split", k)
			}
		}
	}
	if comm[gangs[0][0]] == comm[gangs[1][0]] {
		t.Fatal("the shared pool merged the two gangs")
	}
	for _, v := range append(pool, exit) {
		if comm[v] == comm[gangs[0][0]] || comm[v] == comm[gangs[1][0]] {
			t.Fatalf("%v is a member of a gang's group", g.Entity(v))
		}
	}
	if comm[cs] != comm[gangs[0][0]] {
		t.Fatal("the case is not in the group of the gang its victim paid")
	}
	sizes := []int{}
	for _, gr := range g.Groups(3) {
		sizes = append(sizes, gr.Size)
	}
	if len(sizes) != 2 || sizes[0] != 7 || sizes[1] != 6 {
		t.Fatalf("group sizes %v, want [7 6] (five accounts, the device, the case)", sizes)
	}
	gr, _ := g.GroupOf(gangs[0][0])
	out := g.OutsideOf(gr, 3)
	seen := map[int32]int{}
	for _, o := range out {
		seen[o.Node] = o.Links
	}
	if seen[exit] != 1 {
		t.Fatalf("the account paid once is not listed outside the group: %+v", out)
	}
	if n, ok := seen[pool[0]]; !ok || n != 2 {
		t.Fatalf("the pool number named with a gang account and the case: %d links, listed %v", n, ok)
	}
	for _, o := range out {
		if o.Node == pool[0] && o.Groups != 2 {
			t.Fatalf("the pool number touches %d groups, want 2 (both gangs)", o.Groups)
		}
	}
}
