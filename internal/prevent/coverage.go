package prevent

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
)

// Coverage is who prevention reached in a period under one node.
//
// Definitions (docs/PREVENTION.md):
//   - a village or community is reached when at least one event in [From, To)
//     took place at the village itself or at one of its grid cells;
//   - a grid cell is reached when an event took place at that cell;
//   - an event at a town or street counts for the town's figures (events,
//     people) but reaches none of its villages: the centres count
//     "every administrative village reached" by events held there;
//   - people are the sum of the events' reported reach (人次, not distinct
//     people).
type Coverage struct {
	Scope         string            `json:"scope"`
	From          time.Time         `json:"from"`
	To            time.Time         `json:"to"`
	Events        int64             `json:"events"`
	People        int64             `json:"people"`
	Villages      int64             `json:"villages"`
	VillagesHit   int64             `json:"villages_reached"`
	Cells         int64             `json:"cells"`
	CellsHit      int64             `json:"cells_reached"`
	Permille      int64             `json:"coverage_permille"` // villages reached per mille of villages, rounded half up
	ByKind        []KindReach       `json:"by_kind"`
	Stations      []StationCoverage `json:"stations"`
	Tree          *TreeNode         `json:"tree"`
	VillageDetail []VillageCoverage `json:"villages_detail"`
	// Towns are the towns/streets under the scope with their grid cells
	// not reached (by village), for the 未开展活动的网格 list.
	Towns []TownCoverage `json:"towns"`
	// Bands are the legend of the map: every tree node's colour is one of
	// them (Band).
	Bands []Band `json:"bands"`
}

// CellRef is a grid cell in a not-reached list.
type CellRef struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Village string `json:"village"`
}

// TownCoverage is one town's or street's cells and the cells not reached.
type TownCoverage struct {
	ID              int64     `json:"id"`
	Name            string    `json:"name"`
	Cells           int64     `json:"cells"`
	CellsHit        int64     `json:"cells_reached"`
	CellsNotReached []CellRef `json:"cells_not_reached"`
}

// Band is one colour of the coverage map and its legend.
type Band struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Colour string `json:"colour"`
}

// Bands of the coverage map, in legend order. A node is coloured by the
// real share of what it holds that was reached: none (0), some (more than
// 0 and less than all, however close to all: 9/10 is 部分) or all; a node
// with nothing to reach is grey.
var Bands = []Band{
	{"none", "未覆盖", "#dc2626"},
	{"some", "部分覆盖", "#f59e0b"},
	{"all", "全部覆盖", "#16a34a"},
	{"empty", "无村/社区或网格", "#9ca3af"},
}

// BandOf is the band of hit out of total.
func BandOf(hit, total int64) Band {
	switch {
	case total <= 0:
		return Bands[3]
	case hit <= 0:
		return Bands[0]
	case hit >= total:
		return Bands[2]
	}
	return Bands[1]
}

// KindReach is the events and people of one kind of event.
type KindReach struct {
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	Events   int64  `json:"events"`
	People   int64  `json:"people"`
	Villages int64  `json:"villages"` // villages reached by at least one event of this kind
}

// StationCoverage is one station's coverage, with the villages it missed.
type StationCoverage struct {
	StationID   int64             `json:"station_id"`
	Name        string            `json:"name"`
	Villages    int64             `json:"villages"`
	VillagesHit int64             `json:"villages_reached"`
	Cells       int64             `json:"cells"`
	CellsHit    int64             `json:"cells_reached"`
	Events      int64             `json:"events"`
	People      int64             `json:"people"`
	Permille    int64             `json:"coverage_permille"`
	NotReached  []VillageCoverage `json:"not_reached"`
}

// VillageCoverage is one village's or community's figures in the period.
type VillageCoverage struct {
	ID         int64            `json:"id"`
	Name       string           `json:"name"`
	FullName   string           `json:"full_name"`
	Town       string           `json:"town"`
	Population int64            `json:"population"`
	Elderly    int64            `json:"elderly"`
	Students   int64            `json:"students"`
	Events     int64            `json:"events"`
	People     int64            `json:"people"`
	Cells      int64            `json:"cells"`
	CellsHit   int64            `json:"cells_reached"`
	ByKind     map[string]int64 `json:"by_kind"` // events per kind
	// CellsNotReached are the village's grid cells without an event in the
	// period, in path order.
	CellsNotReached []CellRef `json:"cells_not_reached"`
}

// TreeNode is the jurisdiction tree down to villages with coverage, for the
// map-like view (an ECharts treemap): size is the population, colour the
// share of villages reached (a village: reached or not).
type TreeNode struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	Level       area.Level `json:"level"`
	Value       int64      `json:"value"` // population (at least 1, so empty nodes still show)
	Events      int64      `json:"events"`
	People      int64      `json:"people"`
	Villages    int64      `json:"villages"`
	VillagesHit int64      `json:"villages_reached"`
	Permille    int64      `json:"coverage_permille"`
	// Cells and the cells reached under the node.
	Cells    int64 `json:"cells"`
	CellsHit int64 `json:"cells_reached"`
	// Band is the node's colour (Bands): a cell by whether it was reached;
	// a village with cells by the share of its cells reached (a village
	// whose event reached 2 of its 6 cells is 部分), without cells by
	// whether it was reached; any other node by the share of its villages
	// reached.
	Band     string      `json:"band"`
	Colour   string      `json:"colour"`
	Children []*TreeNode `json:"children,omitempty"`
}

func permille(a, b int64) int64 {
	if b == 0 {
		return 0
	}
	return (a*1000*2 + b) / (2 * b)
}

// ComputeCoverage computes coverage under scope for events in [from, to).
func ComputeCoverage(ctx context.Context, q db.Querier, scope area.Node, from, to time.Time) (Coverage, error) {
	c := Coverage{Scope: scope.FullName, From: from.UTC(), To: to.UTC()}
	nodes, err := area.Subtree(ctx, q, scope)
	if err != nil {
		return c, err
	}
	byID := make(map[int64]*area.Node, len(nodes))
	for i := range nodes {
		byID[nodes[i].ID] = &nodes[i]
	}
	type tally struct{ events, people int64 }
	perArea := map[int64]*tally{}
	perAreaKind := map[int64]map[string]int64{}
	kindTotals := map[string]*KindReach{}
	cond, arg := area.UnderClause("area_id", scope)
	rows, err := q.Query(ctx, `SELECT area_id, kind, COUNT(*), COALESCE(SUM(reached), 0) FROM prevention_events
		WHERE `+cond+` AND at >= ? AND at < ? GROUP BY area_id, kind`, arg, db.Millis(from), db.Millis(to))
	if err != nil {
		return c, fmt.Errorf("coverage events: %w", err)
	}
	for rows.Next() {
		var id, n, people int64
		var kind string
		if err := rows.Scan(&id, &kind, &n, &people); err != nil {
			rows.Close()
			return c, err
		}
		t := perArea[id]
		if t == nil {
			t = &tally{}
			perArea[id] = t
			perAreaKind[id] = map[string]int64{}
		}
		t.events += n
		t.people += people
		perAreaKind[id][kind] += n
		k := kindTotals[kind]
		if k == nil {
			k = &KindReach{Kind: kind, Name: KindName(kind)}
			kindTotals[kind] = k
		}
		k.Events += n
		k.People += people
		c.Events += n
		c.People += people
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return c, err
	}

	// Villages with their cells; kinds reaching each village.
	villages := map[int64]*VillageCoverage{}
	var villageOrder []int64
	villageKinds := map[int64]map[string]bool{}
	for _, n := range nodes {
		if n.Level != area.Village {
			continue
		}
		v := &VillageCoverage{ID: n.ID, Name: n.Name, FullName: n.FullName, Population: n.Population, Elderly: n.Elderly,
			Students: n.Students, ByKind: map[string]int64{}}
		if t := byID[n.ParentID]; t != nil {
			v.Town = t.Name
		} else if p, err := area.Get(ctx, q, n.ParentID); err == nil {
			v.Town = p.Name
		}
		villages[n.ID] = v
		villageOrder = append(villageOrder, n.ID)
		villageKinds[n.ID] = map[string]bool{}
	}
	villageOf := func(n *area.Node) *VillageCoverage {
		if n.Level == area.Village {
			return villages[n.ID]
		}
		if n.Level == area.Cell {
			return villages[n.ParentID]
		}
		return nil
	}
	for _, n := range nodes {
		if n.Level == area.Cell {
			if v := villages[n.ParentID]; v != nil {
				v.Cells++
				if perArea[n.ID] != nil {
					v.CellsHit++
				} else {
					v.CellsNotReached = append(v.CellsNotReached, CellRef{ID: n.ID, Name: n.Name, Village: v.Name})
				}
			}
			c.Cells++
			if perArea[n.ID] != nil {
				c.CellsHit++
			}
		}
	}
	for id, t := range perArea {
		n := byID[id]
		if n == nil {
			continue
		}
		if v := villageOf(n); v != nil {
			v.Events += t.events
			v.People += t.people
			for k, x := range perAreaKind[id] {
				v.ByKind[k] += x
				villageKinds[v.ID][k] = true
			}
		}
	}
	for _, id := range villageOrder {
		v := villages[id]
		c.Villages++
		if v.Events > 0 {
			c.VillagesHit++
		}
		for k := range villageKinds[id] {
			kindTotals[k].Villages++
		}
		c.VillageDetail = append(c.VillageDetail, *v)
	}
	c.Permille = permille(c.VillagesHit, c.Villages)
	for _, k := range Kinds {
		if t := kindTotals[k.Code]; t != nil {
			c.ByKind = append(c.ByKind, *t)
		}
	}
	for code, t := range kindTotals {
		if !validOption(Kinds, code) {
			c.ByKind = append(c.ByKind, *t)
		}
	}

	// The tree, bottom-up: children in path order.
	tree := map[int64]*TreeNode{}
	for _, n := range nodes {
		tn := &TreeNode{ID: n.ID, Name: n.Name, Level: n.Level, Value: max(n.Population, 1)}
		tree[n.ID] = tn
		if n.Level == area.Cell {
			tn.Cells = 1
			if t := perArea[n.ID]; t != nil {
				tn.Events, tn.People, tn.CellsHit = t.events, t.people, 1
			}
			continue
		}
		if t := perArea[n.ID]; t != nil {
			tn.Events, tn.People = t.events, t.people
		}
		if v := villages[n.ID]; v != nil {
			tn.Events, tn.People = v.Events, v.People
			tn.Villages = 1
			if v.Events > 0 {
				tn.VillagesHit = 1
			}
		}
	}
	// Depth-first accumulation: deeper paths first.
	// A village's events and people already include its cells'.
	order := make([]area.Node, 0, len(nodes))
	order = append(order, nodes...)
	sort.SliceStable(order, func(i, j int) bool { return len(order[i].Path) > len(order[j].Path) })
	for _, n := range order {
		tn := tree[n.ID]
		if n.ID == scope.ID {
			continue
		}
		if p := tree[n.ParentID]; p != nil {
			p.Villages += tn.Villages
			p.VillagesHit += tn.VillagesHit
			p.Cells += tn.Cells
			p.CellsHit += tn.CellsHit
			if n.Level != area.Cell || villages[p.ID] == nil {
				p.Events += tn.Events
				p.People += tn.People
			}
		}
	}
	for _, n := range nodes {
		if n.ID == scope.ID {
			continue
		}
		if p := tree[n.ParentID]; p != nil {
			p.Children = append(p.Children, tree[n.ID])
		}
	}
	for _, tn := range tree {
		tn.Permille = permille(tn.VillagesHit, tn.Villages)
		var b Band
		switch {
		case tn.Level == area.Cell || (tn.Level == area.Village && tn.Cells > 0):
			b = BandOf(tn.CellsHit, tn.Cells)
		default:
			b = BandOf(tn.VillagesHit, tn.Villages)
		}
		tn.Band, tn.Colour = b.Code, b.Colour
		if len(tn.Children) > 0 {
			var sum int64
			for _, ch := range tn.Children {
				sum += ch.Value
			}
			tn.Value = max(sum, 1)
		}
	}
	c.Tree = tree[scope.ID]
	if c.Tree == nil {
		b := BandOf(0, 0)
		c.Tree = &TreeNode{ID: scope.ID, Name: scope.Name, Level: scope.Level, Value: max(scope.Population, 1), Events: c.Events, People: c.People,
			Band: b.Code, Colour: b.Colour}
	}
	c.Bands = Bands

	// Towns with their cells not reached, village by village in path order.
	for _, n := range nodes {
		if n.Level != area.Town {
			continue
		}
		tc := TownCoverage{ID: n.ID, Name: n.Name, CellsNotReached: []CellRef{}}
		for _, id := range villageOrder {
			if v := byID[id]; v.ParentID == n.ID {
				vc := villages[id]
				tc.Cells += vc.Cells
				tc.CellsHit += vc.CellsHit
				tc.CellsNotReached = append(tc.CellsNotReached, vc.CellsNotReached...)
			}
		}
		c.Towns = append(c.Towns, tc)
	}
	if len(c.Towns) == 0 && scope.Level == area.Village {
		// A grid worker's village: its own list.
		if v := villages[scope.ID]; v != nil {
			c.Towns = append(c.Towns, TownCoverage{ID: scope.ID, Name: v.Name, Cells: v.Cells, CellsHit: v.CellsHit, CellsNotReached: v.CellsNotReached})
		}
	}

	// Per station (or the scope itself below station level).
	var stations []area.Node
	for _, n := range nodes {
		if n.Level == area.Station {
			stations = append(stations, n)
		}
	}
	if len(stations) == 0 {
		stations = []area.Node{scope}
	}
	for _, st := range stations {
		sc := StationCoverage{StationID: st.ID, Name: st.Name}
		for _, id := range villageOrder {
			n := byID[id]
			if !st.Contains(*n) {
				continue
			}
			v := villages[id]
			sc.Villages++
			sc.Cells += v.Cells
			sc.CellsHit += v.CellsHit
			if v.Events > 0 {
				sc.VillagesHit++
			} else {
				sc.NotReached = append(sc.NotReached, *v)
			}
		}
		for id, t := range perArea {
			if n := byID[id]; n != nil && st.Contains(*n) {
				sc.Events += t.events
				sc.People += t.people
			}
		}
		sc.Permille = permille(sc.VillagesHit, sc.Villages)
		c.Stations = append(c.Stations, sc)
	}
	return c, nil
}
