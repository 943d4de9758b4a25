package intel

import (
	"math"
	"slices"
)

// Which strong links hold a group together. A strong link says two
// entities are connected, not that they work together: a scam number that
// the fraudsters' shared pool hands to every gang is named in one warning
// next to one gang's account and in the next warning next to another's,
// and a mule account pays out once to an account nobody knows anything
// else about. Following every strong link therefore chains gangs and
// their pool into one group of a thousand entities.
//
// A link ties its two ends into one group only when it is corroborated
// and embedded in their surroundings:
//
//   - a link that says only that one warning named both ends (a number and
//     an account or web address named together, a case and the contacts
//     of its warning) ties nothing until a second warning names them
//     together: named once, they may be chance or the shared pool;
//   - an end with no other strong link (a leaf) is not tied: it has
//     nothing to overlap and is placed by attachTo below;
//   - the neighbourhoods of the two ends overlap by at least Cohesion in
//     the structural similarity of SCAN (Xu et al., 2007),
//
//     σ(u, v) = |Γ(u) ∩ Γ(v)| / √(|Γ(u)| · |Γ(v)|),
//
//     Γ(x) being x and its strong neighbours that are not hubs.
//
// Inside a gang the accounts share devices, IPs and each other, so σ is
// high (0.4–1); a number of the shared pool is named with dozens of web
// addresses and accounts that have nothing else in common, so its links
// score about 0.05 and tie nothing. Label propagation runs over the
// ties only (the merge step, which joins pieces of one sparse group, also
// counts the other strong links between pieces). Afterwards an entity
// left alone (no tie: a case, a holder, a contact) joins the group that
// holds at least half of its strong links and more than any other group
// (attachTo); one that spreads over several groups, or an account known
// only from one transfer with a member, stays out of every group and is
// shown on the group pages it touches as a linked entity outside the
// group: the shared contacts.

// coNamed reports whether a link kind says only that one warning named
// both ends (a scam number and an account or a web address, a case and
// the contacts of its warnings). Named together once, two contacts may
// be chance or the shared pool; only when two warnings or more name them
// together can the link tie them.
func (k LinkKind) coNamed() bool { return k == LSameWarning || k == LCaseContact }

// Cohesion is the least structural similarity of a tie.
const Cohesion = 0.2

// ties marks, per half-edge of adj, the links that hold groups together:
// strong links between two non-hubs, named together by two warnings or
// more when that is all they say, whose ends pass tied.
func (g *Graph) ties() []bool {
	g.tieOnce.Do(func() {
		g.Hubs()
		nb, nstart := g.strongNeighbours()
		g.tie = make([]bool, len(g.adj))
		for v := int32(0); v < int32(len(g.ents)); v++ {
			if g.hub[v] {
				continue
			}
			a := nb[nstart[v]:nstart[v+1]]
			for i := g.start[v]; i < g.start[v+1]; i++ {
				e := g.adj[i]
				if !e.kind.Strong() || g.hub[e.to] || (e.kind.coNamed() && e.seen < 2) {
					continue
				}
				g.tie[i] = tied(a, nb[nstart[e.to]:nstart[e.to+1]])
			}
		}
	})
	return g.tie
}

// tied decides whether a link between two nodes with the given sorted,
// distinct strong neighbours (each holding the other) is a tie: neither
// is a leaf and their structural similarity is at least Cohesion.
func tied(a, b []int32) bool {
	common := 2 // closed neighbourhoods: both ends are in both
	for x, y := 0, 0; x < len(a) && y < len(b); {
		switch {
		case a[x] < b[y]:
			x++
		case a[x] > b[y]:
			y++
		default:
			common++
			x++
			y++
		}
	}
	return len(a) > 1 && len(b) > 1 && float64(common) >= Cohesion*math.Sqrt(float64(len(a)+1)*float64(len(b)+1))
}

// strongNeighbours lists the distinct strong neighbours of every node that
// are not hubs, sorted (hubs get none): node v's are nb[start[v]:start[v+1]].
func (g *Graph) strongNeighbours() (nb, start []int32) {
	n := len(g.ents)
	start = make([]int32, n+1)
	nb = make([]int32, 0, len(g.adj))
	for v := 0; v < n; v++ {
		start[v] = int32(len(nb))
		if g.hub[v] {
			continue
		}
		last := int32(-1)
		for _, e := range g.adj[g.start[v]:g.start[v+1]] {
			// adj is sorted by neighbour: repeats are adjacent.
			if e.kind.Strong() && !g.hub[e.to] && e.to != last {
				nb = append(nb, e.to)
				last = e.to
			}
		}
	}
	start[n] = int32(len(nb))
	return nb, start
}

// attach gives each node alone in its community (no tie) to a community
// (see attachTo): first the nodes with two strong links or more, reading
// the communities as they were before any node attaches (so the order
// does not matter), then the leaves, which follow their neighbour where
// it went. A node left alone keeps its leaves: an account known only with
// its case and the IP it was used from is a group of three.
func (g *Graph) attach(label []int32) {
	n := len(g.ents)
	size := make([]int32, n)
	for _, l := range label {
		size[l]++
	}
	join := make([]int32, n)
	copy(join, label)
	leafOf := map[int32]int32{} // leaf → its neighbour
	count := map[int32]int{}
	for v := int32(0); v < int32(n); v++ {
		if g.hub[v] || size[label[v]] > 1 {
			continue
		}
		clear(count)
		total := 0
		last, only := int32(-1), LinkKind(0)
		for _, e := range g.adj[g.start[v]:g.start[v+1]] {
			if !e.kind.Strong() || g.hub[e.to] || e.to == last {
				continue
			}
			last, only = e.to, e.kind
			total++
			if l := label[e.to]; size[l] > 1 {
				count[l]++
			}
		}
		if total == 1 {
			if _, ok := attachTo(map[int32]int{last: 1}, 1, only); ok {
				leafOf[v] = last
			}
			continue
		}
		if l, ok := attachTo(count, total, only); ok {
			join[v] = l
		}
	}
	for v, u := range leafOf {
		if _, ok := leafOf[u]; ok {
			join[v] = min(v, u) // two leaves of each other: one pair
		} else {
			join[v] = join[u]
		}
	}
	copy(label, join)
}

// attachTo is the attachment rule. count says how many of a lone node's
// distinct strong links (hubs aside) go into each community (for a leaf:
// its neighbour), total how many it has, kind the kind of its link when it
// has one. With two links or more it joins the community holding at least
// half of them and strictly more than any other. A leaf follows its
// neighbour, unless its link is a transfer: an account seen only as the
// counterparty of one transfer of the group's accounts (where the money
// went next or came from) is a lead to follow, not a member, and is shown
// on the group page as an entity outside the group.
func attachTo(count map[int32]int, total int, kind LinkKind) (int32, bool) {
	best, bestN, second := int32(-1), 0, 0
	for l, c := range count {
		switch {
		case c > bestN || (c == bestN && l < best):
			second = max(second, bestN)
			best, bestN = l, c
		case c > second:
			second = c
		}
	}
	if total == 1 {
		return best, bestN == 1 && kind != LTransfer
	}
	return best, total >= 2 && bestN > 0 && 2*bestN >= total && bestN > second
}

// groupLabels is Communities(10), computed once per graph (groups list,
// group pages and the evaluation all read it), with the size of each
// community.
func (g *Graph) groupLabels() []int32 {
	g.labelOnce.Do(func() {
		g.label = g.Communities(10)
		g.labelSize = make([]int32, len(g.ents))
		for _, l := range g.label {
			g.labelSize[l]++
		}
	})
	return g.label
}

// LinkedOutside is an entity linked to a group by strong links without
// being a member: a contact shared with other groups, a hub, an account
// the group paid once.
type LinkedOutside struct {
	Node   int32
	Links  int // distinct members it has strong links with
	Groups int // groups of at least minSize it has strong links into, this one included
}

// OutsideOf lists the entities outside a group that its members have
// strong links with, those linked to most members first (then those
// shared by most groups).
func (g *Graph) OutsideOf(gr Group, minSize int) []LinkedOutside {
	label := g.groupLabels()
	in := make(map[int32]bool, len(gr.Members))
	for _, v := range gr.Members {
		in[v] = true
	}
	links := map[int32]int{}
	for _, v := range gr.Members {
		last := int32(-1)
		for _, e := range g.adj[g.start[v]:g.start[v+1]] {
			if e.kind.Strong() && !in[e.to] && e.to != last {
				links[e.to]++
				last = e.to
			}
		}
	}
	out := make([]LinkedOutside, 0, len(links))
	groups := map[int32]bool{}
	for u, n := range links {
		clear(groups)
		for _, e := range g.adj[g.start[u]:g.start[u+1]] {
			if l := label[e.to]; e.kind.Strong() && int(g.labelSize[l]) >= minSize {
				groups[l] = true
			}
		}
		out = append(out, LinkedOutside{Node: u, Links: n, Groups: len(groups)})
	}
	slices.SortFunc(out, func(a, b LinkedOutside) int {
		if a.Links != b.Links {
			return b.Links - a.Links
		}
		if a.Groups != b.Groups {
			return b.Groups - a.Groups
		}
		return int(a.Node - b.Node)
	})
	return out
}
