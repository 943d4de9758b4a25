package warning

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/fanzha/fanzha/internal/area"
)

// AddressMatcher matches free-text Chinese addresses to nodes of the
// jurisdiction tree. It is built once from the tree and is safe for
// concurrent use.
type AddressMatcher struct {
	nodes  map[int64]area.Node
	byName map[string][]int64 // name forms -> node ids
	full   map[string]bool    // form+id that is the node's full name (with its suffix)
	// dels indexes every name form of 3 or more characters by each of its
	// one-character deletions: two strings one substitution, insertion or
	// deletion apart share a deletion ("symmetric delete"), so a typo in
	// a place name is found without comparing against every name.
	dels   map[string][]fuzzyName
	maxLen int      // longest name form, in runes
	county []string // forms of the county's name
}

// AddressMatch is the result of matching one address.
type AddressMatch struct {
	NodeID     int64      // deepest node matched, 0 when none
	StationID  int64      // the station of that node
	Level      area.Level // level of the node
	Confidence int        // 0..100
	Reason     string     // for the duty officer, Chinese
	Matched    []string   // name fragments that matched
}

var adminSuffixes = []string{"社区", "街道", "派出所", "网格", "村", "镇", "乡", "居委会", "村委会"}

// nameForms are the ways people write a node's name: the full name, the
// name without its administrative suffix (青石镇 → 青石), and its aliases.
func nameForms(n area.Node) []string {
	forms := []string{n.Name}
	for _, s := range adminSuffixes {
		if base, ok := strings.CutSuffix(n.Name, s); ok && utf8.RuneCountInString(base) >= 2 {
			forms = append(forms, base)
			break
		}
	}
	for _, a := range strings.Split(n.Aliases, "|") {
		if a = strings.TrimSpace(a); a != "" {
			forms = append(forms, a)
		}
	}
	return forms
}

// NewAddressMatcher indexes the tree (every node, from area.Subtree of the root).
func NewAddressMatcher(nodes []area.Node) *AddressMatcher {
	m := &AddressMatcher{nodes: make(map[int64]area.Node, len(nodes)), byName: map[string][]int64{}, full: map[string]bool{},
		dels: map[string][]fuzzyName{}}
	for _, n := range nodes {
		m.nodes[n.ID] = n
		// The root's name (the county's, or a province's) is a prefix to
		// strip; the cities and counties of a province are places like
		// any other, which tell apart the towns of the same name in
		// different counties.
		if n.ParentID == 0 && n.Level.Centre() {
			m.county = nameForms(n)
			continue
		}
		for k, f := range nameForms(n) {
			f = foldAddress(f)
			if k == 0 {
				m.full[f+"#"+itoa64(n.ID)] = true
			}
			if !containsID(m.byName[f], n.ID) {
				m.byName[f] = append(m.byName[f], n.ID)
			}
			if l := utf8.RuneCountInString(f); l > m.maxLen {
				m.maxLen = l
			}
			if n.Level != area.Station && !n.Level.Centre() && utf8.RuneCountInString(f) >= 3 {
				for _, d := range deletions(f) {
					m.dels[d] = append(m.dels[d], fuzzyName{id: n.ID, form: f})
				}
			}
		}
	}
	return m
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// foldAddress makes full-width characters half-width and drops spaces and
// punctuation that people put anywhere in addresses.
func foldAddress(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= '！' && r <= '～':
			r = r - '！' + '!'
		case r == '\u3000':
			continue
		}
		if unicode.IsSpace(r) || r == ',' || r == '，' || r == '、' || r == '-' || r == '—' || r == '(' || r == ')' || r == '（' || r == '）' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// foreignMarkers are places that show an address lies outside the county.
var foreignMarkers = []string{"省", "市", "自治区", "区", "县"}

// Match finds the node an address belongs to.
func (m *AddressMatcher) Match(addr string) AddressMatch {
	s := foldAddress(addr)
	if s == "" {
		return AddressMatch{Reason: "未匹配：地址为空"}
	}
	// Strip everything up to and including the county's name: 省/市 prefixes
	// are then ours.
	hasCounty := false
	for _, c := range m.county {
		if i := strings.Index(s, foldAddress(c)); i >= 0 {
			s = s[i+len(foldAddress(c)):]
			hasCounty = true
			break
		}
	}
	runes := []rune(s)
	var hits []addrHit
	for i := 0; i < len(runes); i++ {
		for l := min(m.maxLen, len(runes)-i); l >= 2; l-- {
			f := string(runes[i : i+l])
			if ids, ok := m.byName[f]; ok {
				street := streetAfter(runes[i+l:])
				for _, id := range ids {
					// A short form followed by 路/巷/小区… is a street or a
					// compound named after the place (幸福路), not the place.
					if street && !m.full[f+"#"+itoa64(id)] {
						continue
					}
					hits = append(hits, addrHit{id: id, pos: i, form: f, runes: l})
				}
				break // the longest form at this position
			}
		}
	}
	res, ok := m.decide(hits)
	if ok && res.NodeID != 0 && (res.Level == area.Village || res.Level == area.Cell) {
		return res
	}
	// No village found exactly, or an ambiguous one: try place names one
	// typo away (青石真 for 青石镇, 桃圆村 for 桃源村).
	if fz := m.fuzzyHits(runes); len(fz) > 0 {
		if r2, ok2 := m.decide(append(hits, fz...)); ok2 && (r2.Level == area.Village || r2.Level == area.Cell) {
			r2.Confidence = min(r2.Confidence, 60)
			r2.Reason += "（按近似名称匹配，请核对）"
			return r2
		}
	}
	if ok {
		return res
	}
	{
		if !hasCounty {
			for _, mk := range foreignMarkers {
				if strings.Contains(s, mk) {
					return AddressMatch{Reason: "未匹配：地址不在本县（" + truncateRunes(addr, 20) + "）"}
				}
			}
		}
		return AddressMatch{Reason: "未匹配：未找到乡镇/街道或村/社区名称"}
	}
}

// streetSuffixes follow a name that is a street, road or compound, not an
// administrative place: 幸福路, 人民大道, 新华小区, 桃源花园.
var streetSuffixes = []string{"路", "大道", "大街", "巷", "弄", "胡同", "小区", "花园", "家园", "苑", "广场", "大厦", "公寓", "商场", "市场", "桥"}

func streetAfter(rest []rune) bool {
	if len(rest) == 0 {
		return false
	}
	s := string(rest[:min(len(rest), 2)])
	for _, suf := range streetSuffixes {
		if strings.HasPrefix(s, suf) {
			return true
		}
	}
	return false
}

// addrHit is a place name found in an address.
type addrHit struct {
	id    int64
	pos   int
	form  string
	runes int
	fuzzy bool // found one typo away
}

// decide picks the node for a set of hits; ok is false when there are none.
func (m *AddressMatcher) decide(hits []addrHit) (AddressMatch, bool) {
	if len(hits) == 0 {
		return AddressMatch{}, false
	}
	// Score each candidate node: its depth, plus matched ancestors (a
	// village whose town is also named is near certain), plus the full
	// name written out (桃源村 rather than 桃源, which may be part of a
	// compound's name), plus its ancestor written right before it.
	type place struct {
		form     string
		pos, end int
		full     bool
	}
	matched := map[int64]place{}
	for _, h := range hits {
		pl := place{form: h.form, pos: h.pos, end: h.pos + h.runes, full: m.full[h.form+"#"+itoa64(h.id)]}
		if prev, ok := matched[h.id]; !ok || (pl.full && !prev.full) || len(h.form) > len(prev.form) {
			matched[h.id] = pl
		}
	}
	// Administrative places written out with their suffix (城关街道,
	// 东风社区, 李家村) outrank street names and partial matches: a candidate
	// that lies outside a place so named (neither in it nor containing it)
	// loses 20 points for each such name.
	named := map[string][]int64{}
	for _, h := range hits {
		if lv := m.nodes[h.id].Level; !h.fuzzy && (lv == area.Town || lv == area.Village || lv == area.Cell) && m.full[h.form+"#"+itoa64(h.id)] {
			if !containsID(named[h.form], h.id) {
				named[h.form] = append(named[h.form], h.id)
			}
		}
	}
	related := func(a, b int64) bool { // one is the other or its ancestor
		for x := a; x != 0; x = m.nodes[x].ParentID {
			if x == b {
				return true
			}
		}
		for x := b; x != 0; x = m.nodes[x].ParentID {
			if x == a {
				return true
			}
		}
		return false
	}
	score := func(id int64) int {
		n := m.nodes[id]
		pl := matched[id]
		sc := levelDepth(n.Level) * 10
		if pl.full {
			sc += 5
		}
		for _, ids := range named {
			inside := false
			for _, o := range ids {
				if related(id, o) {
					inside = true
					break
				}
			}
			if !inside {
				sc -= 20
			}
		}
		for anc := n.ParentID; anc != 0; anc = m.nodes[anc].ParentID {
			if ap, ok := matched[anc]; ok {
				sc += 15
				if ap.end == pl.pos {
					sc += 3
				}
			}
		}
		return sc
	}
	best, bestScore := int64(0), 0
	tie := false
	for id := range matched {
		sc := score(id)
		if best == 0 || sc > bestScore {
			best, bestScore, tie = id, sc, false
		} else if sc == bestScore && id != best {
			tie = true
			if id < best {
				best = id
			}
		}
	}
	n := m.nodes[best]
	if tie {
		// Several equally good candidates: route to the station they share,
		// if any.
		var cands []area.Node
		for id := range matched {
			if score(id) == bestScore {
				cands = append(cands, m.nodes[id])
			}
		}
		st := cands[0].StationID
		for _, c := range cands[1:] {
			if c.StationID != st {
				st = 0
			}
		}
		if st == 0 {
			return AddressMatch{Reason: "有歧义：‘" + matched[best].form + "’对应多个辖区，地址未写明乡镇或街道", Matched: []string{matched[best].form}}, true
		}
		sn := m.nodes[st]
		return AddressMatch{NodeID: st, StationID: st, Level: area.Station, Confidence: 60,
			Reason: "匹配到 " + sn.Name + "（‘" + matched[best].form + "’在本所辖区有多处）", Matched: []string{matched[best].form}}, true
	}
	// A grid cell like 第3网格 after a village.
	var frags []string
	for anc := n.ID; anc != 0; anc = m.nodes[anc].ParentID {
		if f, ok := matched[anc]; ok {
			frags = append([]string{f.form}, frags...)
		}
	}
	conf := max(30, min(70+min(bestScore, 30), 100))
	return AddressMatch{NodeID: n.ID, StationID: n.StationID, Level: n.Level, Confidence: conf,
		Reason: "匹配到 " + n.FullName + "（" + strings.Join(frags, "+") + "）", Matched: frags}, true
}

func levelDepth(l area.Level) int {
	switch l {
	case area.Station:
		return 1
	case area.Town:
		return 2
	case area.Village:
		return 3
	case area.Cell:
		return 4
	}
	return 0
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

func itoa64(v int64) string { return strconv.FormatInt(v, 10) }

// fuzzyName is a name form reachable by one deletion.
type fuzzyName struct {
	id   int64
	form string
}

// deletions returns s with each one of its characters removed.
func deletions(s string) []string {
	r := []rune(s)
	out := make([]string, 0, len(r))
	for i := range r {
		out = append(out, string(r[:i])+string(r[i+1:]))
	}
	return out
}

// fuzzyHits finds town and village names written with one character
// wrong, missing or extra. Only names of three or more characters are
// considered, so two-character abbreviations never match by accident.
func (m *AddressMatcher) fuzzyHits(runes []rune) []addrHit {
	var out []addrHit
	seen := map[[2]int64]bool{}
	add := func(id int64, pos, n int, form string) {
		k := [2]int64{id, int64(pos)}
		if seen[k] || streetAfter(runes[pos+n:]) {
			return
		}
		seen[k] = true
		out = append(out, addrHit{id: id, pos: pos, form: form, runes: n, fuzzy: true})
	}
	for i := 0; i < len(runes); i++ {
		for l := 2; l <= m.maxLen+1 && i+l <= len(runes); l++ {
			sub := string(runes[i : i+l])
			if l >= 2 {
				// The address lacks a character: sub is a deletion of a name.
				for _, fn := range m.dels[sub] {
					add(fn.id, i, l, fn.form)
				}
			}
			if l < 3 {
				continue
			}
			for _, d := range deletions(sub) {
				// One character substituted: both lose it.
				for _, fn := range m.dels[d] {
					if utf8.RuneCountInString(fn.form) == l {
						add(fn.id, i, l, fn.form)
					}
				}
				// One character too many in the address.
				if utf8.RuneCountInString(d) >= 3 {
					for _, id := range m.byName[d] {
						add(id, i, l, d)
					}
				}
			}
		}
	}
	return out
}
