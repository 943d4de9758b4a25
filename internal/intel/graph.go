package intel

import (
	"slices"
	"sort"
	"sync"
)

// EntityType is the kind of a node of the entity graph.
type EntityType uint8

// Entity types.
const (
	TPerson EntityType = iota
	TPhone
	TCard
	TDevice // IMEI / MAC
	TIP
	TAddress
	TURL
	TApp
	TCase
	numTypes
)

var typeCodes = [numTypes]string{"person", "phone", "card", "device", "ip", "address", "url", "app", "case"}

// TypeLabels are the Chinese names of the entity types.
var TypeLabels = [numTypes]string{"人员", "电话", "银行卡", "设备", "IP", "地址", "网址", "APP", "案件"}

func (t EntityType) String() string { return typeCodes[t] }

// ParseEntityType reads a type code.
func ParseEntityType(s string) (EntityType, bool) {
	for i, c := range typeCodes {
		if c == s {
			return EntityType(i), true
		}
	}
	return 0, false
}

// Entity is a node: a type and a key (the number, address, case id …).
type Entity struct {
	Type EntityType
	Key  string
}

// Link kinds: what joins two entities. Strong links say the two belong to
// one actor or one operation (a card and its holder, a scam number and the
// account named with it, a case and the account its victim paid, money
// between accounts, an account and the device or IP it was used from);
// weak links join a victim to what reached them, which must not merge gangs.
type LinkKind uint8

// Link kinds.
const (
	LHolder      LinkKind = iota // person ↔ their phone / card / address (strong)
	LSameWarning                 // scam phone ↔ scam account / URL / app named in one warning (strong)
	LCasePaid                    // case ↔ account its victims paid (strong)
	LCaseContact                 // case ↔ scam phone / URL / app of its warnings (strong)
	LTransfer                    // account ↔ account, money moved (strong)
	LUsedFrom                    // account ↔ IP / device of its transactions (strong)
	LVictim                      // case ↔ victim, victim ↔ scam contact (weak)
	numLinkKinds
)

var linkLabels = [numLinkKinds]string{"持有", "同一预警", "受害人转入", "案件涉及号码", "资金往来", "交易设备/IP", "受害关系"}

// Strong reports whether a link kind joins entities into one group.
func (k LinkKind) Strong() bool { return k != LVictim }

// Label is the Chinese name of a link kind.
func (k LinkKind) Label() string { return linkLabels[k] }

// Graph is the entity graph in compressed sparse rows: node ids are int32,
// adj[start[v]:start[v+1]] are v's links (each undirected link stored at
// both ends). Built once, read-only after.
type Graph struct {
	ents  []Entity
	index map[Entity]int32
	start []int32
	adj   []halfEdge
	// evidence of each undirected link: the record that says it
	evidence []string

	salt      []byte    // the reference salt (LoadRefSalt); nil for graphs not read from a database
	hubOnce   sync.Once // finds the hubs on first use (Hubs)
	hub       []bool
	hubs      []int32
	refOnce   sync.Once // builds refs on the first ByRef
	refs      map[string]int32
	tieOnce   sync.Once // finds the links that hold groups together (ties)
	tie       []bool
	labelOnce sync.Once // the communities, found once (groupLabels)
	label     []int32
	labelSize []int32 // members per community label
}

type halfEdge struct {
	to   int32
	kind LinkKind
	seen uint8 // how many times the link was given (records showing it), at most 255
	ev   int32 // index into evidence, −1 none
}

// GraphBuilder collects entities and links.
type GraphBuilder struct {
	g     Graph
	edges []rawEdge
	evIdx map[string]int32
}

type rawEdge struct {
	a, b int32
	kind LinkKind
	ev   int32
}

// NewGraphBuilder returns an empty builder.
func NewGraphBuilder() *GraphBuilder {
	return &GraphBuilder{g: Graph{index: map[Entity]int32{}}, evIdx: map[string]int32{}}
}

// Node interns an entity.
func (b *GraphBuilder) Node(t EntityType, key string) int32 {
	e := Entity{t, key}
	if id, ok := b.g.index[e]; ok {
		return id
	}
	id := int32(len(b.g.ents))
	b.g.ents = append(b.g.ents, e)
	b.g.index[e] = id
	return id
}

// Nodes adds n anonymous nodes of a type keyed by their number (generated
// graphs) and returns the first id.
func (b *GraphBuilder) Nodes(t EntityType, n int) int32 {
	first := int32(len(b.g.ents))
	b.g.ents = slices.Grow(b.g.ents, n)
	for i := 0; i < n; i++ {
		b.g.ents = append(b.g.ents, Entity{Type: t})
	}
	return first
}

// Link joins two nodes; evidence says which record shows it ("" none).
func (b *GraphBuilder) Link(a, c int32, kind LinkKind, evidence string) {
	if a == c {
		return
	}
	ev := int32(-1)
	if evidence != "" {
		var ok bool
		if ev, ok = b.evIdx[evidence]; !ok {
			ev = int32(len(b.g.evidence))
			b.g.evidence = append(b.g.evidence, evidence)
			b.evIdx[evidence] = ev
		}
	}
	b.edges = append(b.edges, rawEdge{a, c, kind, ev})
}

// LinkByKey is Link by entities.
func (b *GraphBuilder) LinkByKey(ta EntityType, ka string, tb EntityType, kb string, kind LinkKind, evidence string) {
	if ka == "" || kb == "" {
		return
	}
	b.Link(b.Node(ta, ka), b.Node(tb, kb), kind, evidence)
}

// Build returns the graph; repeated links between the same two nodes of the
// same kind are kept once, with how many times they were given.
func (b *GraphBuilder) Build() *Graph {
	g := &b.g
	n := len(g.ents)
	g.start = make([]int32, n+1)
	for _, e := range b.edges {
		g.start[e.a+1]++
		g.start[e.b+1]++
	}
	for i := 0; i < n; i++ {
		g.start[i+1] += g.start[i]
	}
	g.adj = make([]halfEdge, g.start[n])
	pos := make([]int32, n)
	copy(pos, g.start[:n])
	for _, e := range b.edges {
		g.adj[pos[e.a]] = halfEdge{e.b, e.kind, 1, e.ev}
		pos[e.a]++
		g.adj[pos[e.b]] = halfEdge{e.a, e.kind, 1, e.ev}
		pos[e.b]++
	}
	b.edges = nil
	// Deduplicate each adjacency list in place (sorted by neighbour, kind).
	w := int32(0)
	lo := int32(0)
	for v := 0; v < n; v++ {
		hi := g.start[v+1]
		list := g.adj[lo:hi]
		sort.Slice(list, func(i, j int) bool {
			if list[i].to != list[j].to {
				return list[i].to < list[j].to
			}
			return list[i].kind < list[j].kind
		})
		g.start[v] = w
		for i := range list {
			if i > 0 && list[i].to == list[i-1].to && list[i].kind == list[i-1].kind {
				if g.adj[w-1].seen < 255 {
					g.adj[w-1].seen++
				}
				continue
			}
			g.adj[w] = list[i]
			w++
		}
		lo = hi
	}
	g.start[n] = w
	g.adj = g.adj[:w:w]
	return g
}

// Len is the number of nodes; Links the number of undirected links.
func (g *Graph) Len() int   { return len(g.ents) }
func (g *Graph) Links() int { return len(g.adj) / 2 }

// Entity returns a node's entity.
func (g *Graph) Entity(v int32) Entity { return g.ents[v] }

// Find returns the node of an entity.
func (g *Graph) Find(t EntityType, key string) (int32, bool) {
	v, ok := g.index[Entity{t, key}]
	return v, ok
}

// Edge is one link of an expansion or a group.
type Edge struct {
	A, B     int32
	Kind     LinkKind
	Evidence string
}

// Expansion is the result of a k-hop expansion.
type Expansion struct {
	Nodes     []int32 // the start first, then in breadth-first order
	Hop       []int8  // hop of each node
	Edges     []Edge  // links among the returned nodes
	Truncated bool    // the cap stopped the expansion
}

// MaxExpand is the most nodes an expansion returns.
const MaxExpand = 5000

// Expand returns the nodes within hops links of start (breadth first),
// following only links into nodes whose type passes allow (nil allows
// all; the start is always in), at most limit nodes (≤ MaxExpand), and the
// links among them.
func (g *Graph) Expand(start int32, hops int, allow func(EntityType) bool, limit int) Expansion {
	if limit <= 0 || limit > MaxExpand {
		limit = MaxExpand
	}
	seen := map[int32]int32{start: 0} // node → position in Nodes
	ex := Expansion{Nodes: []int32{start}, Hop: []int8{0}}
	frontier := []int32{start}
outer:
	for h := 1; h <= hops && len(frontier) > 0; h++ {
		var next []int32
		for _, v := range frontier {
			for _, e := range g.adj[g.start[v]:g.start[v+1]] {
				if _, ok := seen[e.to]; ok {
					continue
				}
				if allow != nil && !allow(g.ents[e.to].Type) {
					continue
				}
				if len(ex.Nodes) >= limit {
					ex.Truncated = true
					break outer
				}
				seen[e.to] = int32(len(ex.Nodes))
				ex.Nodes = append(ex.Nodes, e.to)
				ex.Hop = append(ex.Hop, int8(h))
				next = append(next, e.to)
			}
		}
		frontier = next
	}
	for _, v := range ex.Nodes {
		for _, e := range g.adj[g.start[v]:g.start[v+1]] {
			if e.to > v {
				if _, ok := seen[e.to]; ok {
					ev := ""
					if e.ev >= 0 {
						ev = g.evidence[e.ev]
					}
					ex.Edges = append(ex.Edges, Edge{v, e.to, e.kind, ev})
				}
			}
		}
	}
	return ex
}

// unionFind is a disjoint-set forest over node ids: each entry its parent,
// a root its own.
type unionFind []int32

// reset makes every node its own set.
func (u unionFind) reset() {
	for i := range u {
		u[i] = int32(i)
	}
}

// find returns the root of x's set, halving the path on the way.
func (u unionFind) find(x int32) int32 {
	for u[x] != x {
		u[x] = u[u[x]]
		x = u[x]
	}
	return x
}

// Components labels every node with its connected component over strong
// links (union-find with path halving); the label is the smallest node id
// of the component.
func (g *Graph) Components() []int32 {
	n := len(g.ents)
	parent := make(unionFind, n)
	parent.reset()
	find := parent.find
	for v := 0; v < n; v++ {
		for _, e := range g.adj[g.start[v]:g.start[v+1]] {
			if e.to > int32(v) && e.kind.Strong() {
				a, b := find(int32(v)), find(e.to)
				if a != b {
					if a < b {
						parent[b] = a
					} else {
						parent[a] = b
					}
				}
			}
		}
	}
	for v := 0; v < n; v++ {
		parent[v] = find(int32(v))
	}
	return parent
}

// Communities refines components into dense groups by label propagation
// over the ties (strong links embedded in their surroundings, see
// cohesion.go): every node starts with its own label and repeatedly
// takes the label most common among its tied neighbours, visiting the
// nodes in a fixed pseudo-random order; a node keeps its label when it is
// among the most common, and other ties go to the label with the smallest
// hash. Both rules keep one label from flooding a whole component through
// chains of ties. It stops when no label changes or after rounds rounds.
// Label propagation can leave a dense group cut in two; a merge step joins
// two communities when the strong links between them are at least a sixth of the
// smaller one's link ends (mergeLoose). Last, a node left alone joins the
// community that holds most of its strong links (attach). Hubs (HubDegree)
// neither take nor pass labels: each keeps its own. The result is
// deterministic.
func (g *Graph) Communities(rounds int) []int32 {
	n := len(g.ents)
	tie := g.ties()
	label := make([]int32, n)
	order := make([]int32, n)
	// A fixed permutation, so runs agree: stepping by a stride coprime
	// with n visits every node once, in an order unrelated to the ids.
	stride := 1
	for _, p := range []int{1_000_003, 999_983, 7_919, 104_729} {
		if gcd(p, n) == 1 {
			stride = p
			break
		}
	}
	x := 0
	for i := range label {
		label[i] = int32(i)
		order[i] = int32(x)
		x = (x + stride) % max(n, 1)
	}
	var labs []int32
	for r := 0; r < rounds; r++ {
		changed := 0
		for _, v := range order {
			if g.hub[v] {
				continue
			}
			labs = labs[:0]
			for i := g.start[v]; i < g.start[v+1]; i++ {
				if tie[i] {
					labs = append(labs, label[g.adj[i].to])
				}
			}
			if len(labs) == 0 {
				continue
			}
			sortI32(labs)
			cur := label[v]
			best, bestN, curN := cur, int32(0), int32(0)
			for i := 0; i < len(labs); {
				j := i
				for j < len(labs) && labs[j] == labs[i] {
					j++
				}
				c := int32(j - i)
				if labs[i] == cur {
					curN = c
				}
				if c > bestN || (c == bestN && mix(uint32(labs[i])) < mix(uint32(best))) {
					best, bestN = labs[i], c
				}
				i = j
			}
			if curN == bestN {
				best = cur
			}
			if best != cur {
				label[v] = best
				changed++
			}
		}
		if changed == 0 {
			break
		}
	}
	g.mergeLoose(label)
	g.attach(label)
	return label
}

// mergeLoose merges communities joined by many strong links: a and b, each
// grown from ties (two members or more), merge when the strong links
// between them are at least a sixth of the smaller volume (sum of strong
// degrees, hubs aside) of the two. Label propagation over a sparse group
// can leave it cut in pieces that no tie joins but many links do; a node
// alone (no tie) is left to attach. Merging repeats until nothing merges
// (at most a few passes); labels become the smallest label merged.
func (g *Graph) mergeLoose(label []int32) {
	n := len(g.ents)
	vol := make([]int64, n)
	size := make([]int32, n)
	parent := make(unionFind, n)
	for pass := 0; pass < 4; pass++ {
		clear(vol)
		clear(size)
		for _, l := range label {
			size[l]++
		}
		between := map[[2]int32]int64{}
		for v := 0; v < n; v++ {
			lv := label[v]
			if g.hub[v] || size[lv] < 2 {
				continue
			}
			for _, e := range g.adj[g.start[v]:g.start[v+1]] {
				if !e.kind.Strong() || g.hub[e.to] {
					continue
				}
				vol[lv]++
				if lu := label[e.to]; lu != lv && int32(v) < e.to && size[lu] > 1 {
					between[[2]int32{min(lu, lv), max(lu, lv)}]++
				}
			}
		}
		parent.reset()
		find := parent.find
		pairs := make([][2]int32, 0, len(between))
		for p := range between {
			pairs = append(pairs, p)
		}
		slices.SortFunc(pairs, func(x, y [2]int32) int {
			if x[0] != y[0] {
				return int(x[0] - y[0])
			}
			return int(x[1] - y[1])
		})
		merged := 0
		for _, p := range pairs {
			if 6*between[p] >= min(vol[p[0]], vol[p[1]]) {
				a, b := find(p[0]), find(p[1])
				if a != b {
					parent[max(a, b)] = min(a, b)
					merged++
				}
			}
		}
		if merged == 0 {
			return
		}
		for v := range label {
			label[v] = find(label[v])
		}
	}
}

// mix is a 32-bit integer hash (a fixed bijection).
func mix(x uint32) uint32 {
	x ^= x >> 16
	x *= 0x7feb352d
	x ^= x >> 15
	x *= 0x846ca68b
	x ^= x >> 16
	return x
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func sortI32(k []int32) {
	if len(k) < 24 {
		for i := 1; i < len(k); i++ {
			for j := i; j > 0 && k[j] < k[j-1]; j-- {
				k[j], k[j-1] = k[j-1], k[j]
			}
		}
		return
	}
	slices.Sort(k)
}
