package area

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// Editing the tree. Every change runs in one transaction that also writes
// its audit line and bumps the tree's generation counter, so intake's
// address matcher and routing follow it with the next warning, on every
// replica. Each function takes the caller's scope (their node): a node
// outside it is "not found".

// Auditor writes the audit line of a change inside the change's transaction.
// Package auth imports this package (a principal's scope is a Node), so the
// caller supplies the writer; AuditFunc in web and the CLI wraps
// auth.Audit with the caller's entry, action is one of auth's Audit*
// constants and objectID the node's code.
type Auditor func(ctx context.Context, q db.Querier, action, objectID, detail string) error

// Audit actions used here (the values of auth.AuditCreate / AuditUpdate).
const (
	auditCreate = "create"
	auditUpdate = "update"
)

// levelOrder is the depth of each level, the root's being 0.
var levelOrder = map[Level]int{Province: -2, City: -1, County: 0, Station: 1, Town: 2, Village: 3, Cell: 4}

// Levels lists the levels a node can have below the root, top down: the
// cities and counties of a province, then the county's own levels.
var Levels = []Level{City, County, Station, Town, Village, Cell}

// ChildLevel is the level of a node's children ("" for a cell).
func ChildLevel(l Level) Level {
	switch l {
	case Province:
		return City
	case City:
		return County
	case County:
		return Station
	case Station:
		return Town
	case Town:
		return Village
	case Village:
		return Cell
	}
	return ""
}

// ParentLevel is the level a node's parent must have.
func ParentLevel(l Level) Level {
	switch l {
	case City:
		return Province
	case County:
		return City
	case Station:
		return County
	case Town:
		return Station
	case Village:
		return Town
	case Cell:
		return Village
	}
	return ""
}

// GenericLevelName is the level's name in import files and exports.
func GenericLevelName(l Level) string {
	switch l {
	case Station:
		return "派出所"
	case Town:
		return "乡镇街道"
	case Village:
		return "村社区"
	case Cell:
		return "网格"
	case County:
		return "县"
	case City:
		return "市"
	case Province:
		return "省"
	}
	return string(l)
}

// ParseLevel reads a level as files write it: the generic names (派出所,
// 乡镇街道, 村社区, 网格), the English ones, or a kind (镇, 乡, 街道, 村,
// 社区), which also fixes the node's kind. ok is false for anything else.
func ParseLevel(s string) (l Level, kind string, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "派出所", "station", "所":
		return Station, "派出所", true
	case "乡镇街道", "乡镇/街道", "乡镇", "town", "乡镇（街道）":
		return Town, "", true
	case "镇":
		return Town, "镇", true
	case "乡":
		return Town, "乡", true
	case "街道", "街道办事处":
		return Town, "街道", true
	case "村社区", "村/社区", "村（社区）", "village", "community":
		return Village, "", true
	case "村", "行政村", "村委会":
		return Village, "村", true
	case "社区", "居委会":
		return Village, "社区", true
	case "网格", "cell", "grid":
		return Cell, "网格", true
	case "县", "county", "县（中心）", "县级":
		return County, "县", true
	case "区", "旗":
		return County, strings.TrimSpace(s), true
	case "县级市":
		return County, "市", true
	case "市", "city", "地级市", "市（州）", "州", "盟":
		return City, "市", true
	case "省", "province", "自治区":
		return Province, "省", true
	}
	return "", "", false
}

// KindFor derives a node's kind from its level and the suffix of its name
// when the level does not say (镇 / 乡 / 街道, 村 / 社区).
func KindFor(l Level, name string) string {
	switch l {
	case Station:
		return "派出所"
	case Cell:
		return "网格"
	case County:
		for _, k := range []string{"区", "旗", "市"} {
			if strings.HasSuffix(name, k) {
				return k
			}
		}
		return "县"
	case City:
		for _, k := range []string{"州", "盟"} {
			if strings.HasSuffix(name, k) {
				return k
			}
		}
		return "市"
	case Province:
		for _, k := range []string{"自治区", "市"} {
			if strings.HasSuffix(name, k) {
				return k
			}
		}
		return "省"
	case Town:
		switch {
		case strings.HasSuffix(name, "街道"), strings.HasSuffix(name, "街道办事处"):
			return "街道"
		case strings.HasSuffix(name, "乡"):
			return "乡"
		case strings.HasSuffix(name, "镇"):
			return "镇"
		}
		return "乡镇"
	case Village:
		switch {
		case strings.HasSuffix(name, "社区"), strings.HasSuffix(name, "居委会"):
			return "社区"
		}
		return "村"
	}
	return ""
}

var ownCode = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// CheckCode validates a node's code: the national 12-digit 统计用区划代码
// (or its 6/9-digit prefixes), or the centre's own code of letters, digits,
// '-' and '_', at most 32 characters. The answer is a Chinese reason, "" when
// the code is fine.
func CheckCode(code string) string {
	switch {
	case code == "":
		return "代码为空"
	case !ownCode.MatchString(code):
		return fmt.Sprintf("代码 %q 格式不对：应为 12 位统计用区划代码，或不超过 32 位的字母、数字、'-'、'_'", code)
	}
	return ""
}

// NormalizeAliases turns an alias list written with ；; | 、 or commas into
// the stored form, '|' separated, without blanks and repeats.
func NormalizeAliases(s string) string {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case '；', ';', '|', '、', ',', '，', '\n':
			return true
		}
		return false
	})
	seen := map[string]bool{}
	out := parts[:0]
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" || seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, p)
	}
	return strings.Join(out, "|")
}

// checkName validates a node's name.
func checkName(name string) string {
	switch {
	case name == "":
		return "名称为空"
	case utf8.RuneCountInString(name) > 64:
		return "名称过长（不超过 64 个字）"
	}
	return ""
}

// Figures is a node's population profile.
type Figures struct {
	Population int64 `json:"population"`
	Elderly    int64 `json:"elderly"`
	Minors     int64 `json:"minors"`
	Students   int64 `json:"students"`
}

// Check returns a Chinese reason when the figures cannot be right.
func (f Figures) Check() string {
	switch {
	case f.Population < 0 || f.Elderly < 0 || f.Minors < 0 || f.Students < 0:
		return "人口数字不能为负数"
	case f.Elderly > f.Population:
		return fmt.Sprintf("老年人 %d 多于人口 %d", f.Elderly, f.Population)
	case f.Minors > f.Population:
		return fmt.Sprintf("未成年人 %d 多于人口 %d", f.Minors, f.Population)
	case f.Students > f.Population:
		return fmt.Sprintf("学生 %d 多于人口 %d", f.Students, f.Population)
	}
	return ""
}

func (n Node) figures() Figures {
	return Figures{Population: n.Population, Elderly: n.Elderly, Minors: n.Minors, Students: n.Students}
}

// fullNameBase is what a child's full name starts with: a station's
// children are written from the county ("清河县柳湾镇", not with the station's
// name), as people write addresses.
func fullNameBase(parent Node, grand func(id int64) (Node, bool)) string {
	for parent.Level == Station {
		g, ok := grand(parent.ParentID)
		if !ok {
			return ""
		}
		parent = g
	}
	return parent.FullName
}

// getIn returns a node of the caller's scope, or ErrNotFound.
func getIn(ctx context.Context, q db.Querier, scope Node, id int64) (Node, error) {
	n, err := Get(ctx, q, id)
	if err != nil || !scope.Contains(n) {
		return Node{}, domain.NotFound("辖区节点 %d 不存在或不在本人辖区内", id)
	}
	return n, nil
}

// rebuild recomputes path, station and full name of node id and everything
// under it from the node's current parent, after a rename, a move or a
// merge. Only rows that change are written.
func rebuild(ctx context.Context, q db.Querier, id int64) error {
	top, err := Get(ctx, q, id)
	if err != nil {
		return err
	}
	var parent Node
	ancestors := map[int64]Node{}
	if top.ParentID != 0 {
		if parent, err = Get(ctx, q, top.ParentID); err != nil {
			return err
		}
		ancestors[parent.ID] = parent
		for a := parent; a.ParentID != 0; {
			if a, err = Get(ctx, q, a.ParentID); err != nil {
				return err
			}
			ancestors[a.ID] = a
		}
	}
	nodes, err := Subtree(ctx, q, top)
	if err != nil {
		return err
	}
	children := map[int64][]Node{}
	for _, n := range nodes {
		if n.ID != top.ID {
			children[n.ParentID] = append(children[n.ParentID], n)
		}
	}
	fresh := map[int64]Node{}
	lookup := func(id int64) (Node, bool) {
		if n, ok := fresh[id]; ok {
			return n, true
		}
		n, ok := ancestors[id]
		return n, ok
	}
	var walk func(n, parent Node) error
	walk = func(n, parent Node) error {
		old := n
		if parent.ID == 0 {
			n.Path = "/" + strconv.FormatInt(n.ID, 10) + "/"
			n.StationID = 0
			n.FullName = n.Name
		} else {
			n.Path = parent.Path + strconv.FormatInt(n.ID, 10) + "/"
			n.StationID = parent.StationID
			n.FullName = fullNameBase(parent, lookup) + n.Name
		}
		if n.Level == Station {
			n.StationID = n.ID
		}
		if parent.ID == 0 && n.Level.Centre() {
			n.FullName = old.FullName // the root's full name is set at setup
			if n.Name != old.Name && strings.HasSuffix(old.FullName, old.Name) {
				n.FullName = strings.TrimSuffix(old.FullName, old.Name) + n.Name
			}
		}
		fresh[n.ID] = n
		if n.Path != old.Path || n.StationID != old.StationID || n.FullName != old.FullName {
			var station any
			if n.StationID != 0 {
				station = n.StationID
			}
			if _, err := q.Exec(ctx, `UPDATE areas SET path = ?, station_id = ?, full_name = ? WHERE id = ?`,
				n.Path, station, n.FullName, n.ID); err != nil {
				return fmt.Errorf("rebuild area %s: %w", n.Code, err)
			}
		}
		for _, c := range children[n.ID] {
			if err := walk(c, n); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(top, parent)
}

// NodeInput is a new node, or the editable fields of one.
type NodeInput struct {
	Level   Level  `json:"level,omitempty"`
	Code    string `json:"code,omitempty"`
	Name    string `json:"name"`
	Aliases string `json:"aliases"` // separated by ；; | or 、
	Figures
}

// AddChild creates a node under parent. The level is the one below the
// parent's (a level given must agree); the kind follows the name's suffix.
func AddChild(ctx context.Context, d *db.DB, scope Node, audit Auditor, parentID int64, in NodeInput) (Node, error) {
	in.Code, in.Name = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name)
	var n Node
	err := d.InTx(ctx, func(tx *db.Tx) error {
		parent, err := getIn(ctx, tx, scope, parentID)
		if err != nil {
			return err
		}
		if parent.Retired {
			return domain.Invalid("上级 %s 已撤销，不能再添加下级", parent.FullName)
		}
		level := ChildLevel(parent.Level)
		if level == "" {
			return domain.Invalid("网格是最末一级，不能再添加下级")
		}
		kind := KindFor(level, in.Name)
		if in.Level != "" {
			l, k, ok := ParseLevel(string(in.Level))
			if !ok {
				return domain.Invalid("级别 %q 不认识", in.Level)
			}
			if l != level {
				return domain.Invalid("%s的下级应为%s，不能是%s", LevelName(parent.Level), LevelName(level), LevelName(l))
			}
			if k != "" && k != "派出所" && k != "网格" {
				kind = k
			}
		}
		if msg := CheckCode(in.Code); msg != "" {
			return domain.Invalid("%s", msg)
		}
		if msg := checkName(in.Name); msg != "" {
			return domain.Invalid("%s", msg)
		}
		if msg := in.Figures.Check(); msg != "" {
			return domain.Invalid("%s", msg)
		}
		if err := codeFree(ctx, tx, in.Code); err != nil {
			return err
		}
		var maxSort int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(sort), -1) FROM areas WHERE parent_id = ?`, parent.ID).Scan(&maxSort); err != nil {
			return fmt.Errorf("add area: %w", err)
		}
		grand := func(id int64) (Node, bool) {
			g, err := Get(ctx, tx, id)
			return g, err == nil
		}
		n = Node{ParentID: parent.ID, Level: level, Kind: kind, Code: in.Code, Name: in.Name,
			FullName: fullNameBase(parent, grand) + in.Name, Aliases: NormalizeAliases(in.Aliases),
			Population: in.Population, Elderly: in.Elderly, Minors: in.Minors, Students: in.Students, Sort: maxSort + 1}
		if err := insertNode(ctx, tx, &n, parent); err != nil {
			return err
		}
		if err := audit(ctx, tx, auditCreate, n.Code, fmt.Sprintf("add %s %s under %s", level, n.FullName, parent.Code)); err != nil {
			return err
		}
		return db.Bump(ctx, tx, db.GenTree)
	})
	return n, err
}

func codeFree(ctx context.Context, q db.Querier, code string) error {
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM areas WHERE code = ?`, code).Scan(&n); err != nil {
		return fmt.Errorf("check area code: %w", err)
	}
	if n > 0 {
		return domain.Conflict("代码 %s 已存在", code)
	}
	return nil
}

// Update renames a node and sets its aliases and figures; the full names of
// its subtree follow the new name.
func Update(ctx context.Context, d *db.DB, scope Node, audit Auditor, id int64, in NodeInput) (Node, error) {
	in.Name = strings.TrimSpace(in.Name)
	var out Node
	err := d.InTx(ctx, func(tx *db.Tx) error {
		n, err := getIn(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		if msg := checkName(in.Name); msg != "" {
			return domain.Invalid("%s", msg)
		}
		if msg := in.Figures.Check(); msg != "" {
			return domain.Invalid("%s", msg)
		}
		aliases := NormalizeAliases(in.Aliases)
		kind := n.Kind
		if n.Name != in.Name && (n.Level == Town || n.Level == Village) {
			kind = KindFor(n.Level, in.Name)
		}
		if _, err := tx.Exec(ctx, `UPDATE areas SET name = ?, kind = ?, aliases = ?, population = ?, elderly = ?, minors = ?, students = ? WHERE id = ?`,
			in.Name, kind, aliases, in.Population, in.Elderly, in.Minors, in.Students, n.ID); err != nil {
			return fmt.Errorf("update area %s: %w", n.Code, err)
		}
		if in.Name != n.Name {
			if err := rebuild(ctx, tx, n.ID); err != nil {
				return err
			}
		}
		var changes []string
		if in.Name != n.Name {
			changes = append(changes, fmt.Sprintf("name %s → %s", n.Name, in.Name))
		}
		if aliases != n.Aliases {
			changes = append(changes, fmt.Sprintf("aliases %q → %q", n.Aliases, aliases))
		}
		if in.Figures != n.figures() {
			changes = append(changes, fmt.Sprintf("figures %d/%d/%d/%d → %d/%d/%d/%d", n.Population, n.Elderly, n.Minors, n.Students,
				in.Population, in.Elderly, in.Minors, in.Students))
		}
		if len(changes) == 0 {
			changes = append(changes, "no change")
		}
		if err := audit(ctx, tx, auditUpdate, n.Code, "edit "+strings.Join(changes, "; ")); err != nil {
			return err
		}
		if out, err = Get(ctx, tx, n.ID); err != nil {
			return err
		}
		return db.Bump(ctx, tx, db.GenTree)
	})
	return out, err
}

// Move puts a node (and its subtree) under another parent of the level
// above its own; paths, stations and full names of the subtree follow.
func Move(ctx context.Context, d *db.DB, scope Node, audit Auditor, id, newParentID int64) (Node, error) {
	var out Node
	err := d.InTx(ctx, func(tx *db.Tx) error {
		n, err := getIn(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		if n.ParentID == 0 {
			return domain.Invalid("%s是根节点，不能移动", LevelName(n.Level))
		}
		np, err := getIn(ctx, tx, scope, newParentID)
		if err != nil {
			return err
		}
		switch {
		case np.ID == n.ParentID:
			return domain.Invalid("%s 已在 %s 之下", n.Name, np.FullName)
		case n.Contains(np):
			return domain.Invalid("不能把 %s 移到它自己或它的下级之下", n.FullName)
		case np.Retired:
			return domain.Invalid("%s 已撤销，不能作为上级", np.FullName)
		case np.Level != ParentLevel(n.Level):
			return domain.Invalid("%s的上级应为%s，%s是%s", LevelName(n.Level), LevelName(ParentLevel(n.Level)), np.FullName, LevelName(np.Level))
		}
		old, err := Get(ctx, tx, n.ParentID)
		if err != nil {
			return err
		}
		var maxSort int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(sort), -1) FROM areas WHERE parent_id = ?`, np.ID).Scan(&maxSort); err != nil {
			return fmt.Errorf("move area: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE areas SET parent_id = ?, sort = ? WHERE id = ?`, np.ID, maxSort+1, n.ID); err != nil {
			return fmt.Errorf("move area %s: %w", n.Code, err)
		}
		if err := rebuild(ctx, tx, n.ID); err != nil {
			return err
		}
		if out, err = Get(ctx, tx, n.ID); err != nil {
			return err
		}
		if err := audit(ctx, tx, auditUpdate, n.Code, fmt.Sprintf("move %s from %s (%s) to %s (%s)", n.FullName, old.Code, old.Name, np.Code, np.Name)); err != nil {
			return err
		}
		return db.Bump(ctx, tx, db.GenTree)
	})
	return out, err
}

// MergeReport says what a merge moved.
type MergeReport struct {
	From     Node           `json:"from"`
	Into     Node           `json:"into"`
	Children int            `json:"children"` // direct children moved under Into
	Moved    map[string]int `json:"moved"`    // records re-pointed, by table
	// Kept lists tables whose records stay with the retired node because
	// moving them would collide with Into's own (e.g. a bulletin already
	// sent for both for the same period).
	Kept []string `json:"kept,omitempty"`
}

// Merge folds node from into node into of the same level: from's children
// go under into, every record pointing at from (users, warnings, cases,
// victims, prevention events, duty shifts, surveys, … — every table with an
// area_id column) points at into, records whose station changes follow
// (station_id), and from is retired and marked merged into into.
func Merge(ctx context.Context, d *db.DB, scope Node, audit Auditor, fromID, intoID int64, now time.Time) (MergeReport, error) {
	rep := MergeReport{Moved: map[string]int{}}
	err := d.InTx(ctx, func(tx *db.Tx) error {
		from, err := getIn(ctx, tx, scope, fromID)
		if err != nil {
			return err
		}
		into, err := getIn(ctx, tx, scope, intoID)
		if err != nil {
			return err
		}
		switch {
		case from.ID == into.ID:
			return domain.Invalid("不能把节点合并到它自己")
		case from.ParentID == 0 || into.ParentID == 0:
			return domain.Invalid("根节点（%s）不能合并", LevelName(map[bool]Level{true: from.Level, false: into.Level}[from.ParentID == 0]))
		case from.Level != into.Level:
			return domain.Invalid("只能合并同一级别的节点（%s 是%s，%s 是%s）", from.Name, LevelName(from.Level), into.Name, LevelName(into.Level))
		case from.Retired:
			return domain.Invalid("%s 已撤销", from.FullName)
		case into.Retired:
			return domain.Invalid("%s 已撤销，不能作为合并目标", into.FullName)
		}
		// The nodes whose records may change station: from's whole subtree.
		sub, err := Subtree(ctx, tx, from)
		if err != nil {
			return err
		}
		ids := make([]string, 0, len(sub))
		for _, n := range sub {
			ids = append(ids, strconv.FormatInt(n.ID, 10))
		}
		var maxSort int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(sort), -1) FROM areas WHERE parent_id = ?`, into.ID).Scan(&maxSort); err != nil {
			return fmt.Errorf("merge areas: %w", err)
		}
		kids, err := Children(ctx, tx, from.ID)
		if err != nil {
			return err
		}
		for i, c := range kids {
			if _, err := tx.Exec(ctx, `UPDATE areas SET parent_id = ?, sort = ? WHERE id = ?`, into.ID, maxSort+1+int64(i), c.ID); err != nil {
				return fmt.Errorf("merge areas: move %s: %w", c.Code, err)
			}
			if err := rebuild(ctx, tx, c.ID); err != nil {
				return err
			}
		}
		rep.Children = len(kids)
		areaTables, err := tablesWithColumn(ctx, tx, "area_id")
		if err != nil {
			return err
		}
		stationTables, err := tablesWithColumn(ctx, tx, "station_id")
		if err != nil {
			return err
		}
		hasStation := map[string]bool{}
		for _, t := range stationTables {
			hasStation[t] = true
		}
		for i, t := range areaTables {
			k, ok, err := guarded(ctx, tx, fmt.Sprintf("merge_%d", i), `UPDATE `+t+` SET area_id = ? WHERE area_id = ?`, into.ID, from.ID)
			if err != nil {
				return err
			}
			if !ok {
				rep.Kept = append(rep.Kept, t)
				continue
			}
			if k > 0 {
				rep.Moved[t] += int(k)
			}
			if hasStation[t] {
				// Records under from's subtree take their node's station
				// (it changes when into lies in another station).
				if _, err := tx.Exec(ctx, `UPDATE `+t+` SET station_id = (SELECT a.station_id FROM areas a WHERE a.id = `+t+`.area_id)
					WHERE area_id IN (`+strings.Join(append(ids, strconv.FormatInt(into.ID, 10)), ",")+`)`); err != nil {
					return fmt.Errorf("merge areas: stations of %s: %w", t, err)
				}
			}
		}
		if from.Level == Station {
			// Records routed to the station itself (an unmatched address
			// sent to it by the duty officer) go to into.
			for i, t := range stationTables {
				if t == "areas" {
					continue
				}
				k, ok, err := guarded(ctx, tx, fmt.Sprintf("merge_st_%d", i), `UPDATE `+t+` SET station_id = ? WHERE station_id = ?`, into.ID, from.ID)
				if err != nil {
					return err
				}
				if ok && k > 0 && !containsStr(areaTables, t) {
					rep.Moved[t] += int(k)
				}
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE areas SET retired_at = ?, merged_into = ? WHERE id = ?`, db.Millis(now), into.ID, from.ID); err != nil {
			return fmt.Errorf("merge areas: retire %s: %w", from.Code, err)
		}
		if rep.From, err = Get(ctx, tx, from.ID); err != nil {
			return err
		}
		if rep.Into, err = Get(ctx, tx, into.ID); err != nil {
			return err
		}
		var moved []string
		for _, t := range sortedKeys(rep.Moved) {
			moved = append(moved, fmt.Sprintf("%s %d", t, rep.Moved[t]))
		}
		detail := fmt.Sprintf("merge %s (%s) into %s (%s): %d children; records: %s", from.FullName, from.Code, into.FullName, into.Code,
			rep.Children, strings.Join(moved, ", "))
		if len(rep.Kept) > 0 {
			detail += "; kept on the retired node: " + strings.Join(rep.Kept, ", ")
		}
		if err := audit(ctx, tx, auditUpdate, from.Code, detail); err != nil {
			return err
		}
		for _, g := range []string{db.GenTree, db.GenUsers, db.GenRoster} {
			if err := db.Bump(ctx, tx, g); err != nil {
				return err
			}
		}
		return nil
	})
	return rep, err
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// guarded runs one statement under a savepoint: when it fails (a unique key
// the update would break), the savepoint is rolled back and ok is false.
func guarded(ctx context.Context, tx *db.Tx, name, stmt string, args ...any) (int64, bool, error) {
	if _, err := tx.Exec(ctx, `SAVEPOINT `+name); err != nil {
		return 0, false, fmt.Errorf("savepoint: %w", err)
	}
	res, err := tx.Exec(ctx, stmt, args...)
	if err != nil {
		if _, rerr := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT `+name); rerr != nil {
			return 0, false, fmt.Errorf("rollback to savepoint after %v: %w", err, rerr)
		}
		_, _ = tx.Exec(ctx, `RELEASE SAVEPOINT `+name)
		return 0, false, nil
	}
	if _, err := tx.Exec(ctx, `RELEASE SAVEPOINT `+name); err != nil {
		return 0, false, fmt.Errorf("release savepoint: %w", err)
	}
	k, _ := res.RowsAffected()
	return k, true, nil
}

// tablesWithColumn lists the tables (other than areas) that have a column of
// that name, from the catalogue, so tables added by later migrations are
// merged too.
func tablesWithColumn(ctx context.Context, tx *db.Tx, column string) ([]string, error) {
	var q string
	if tx.Dialect() == db.Postgres {
		q = `SELECT table_name FROM information_schema.columns WHERE column_name = ? AND table_schema = current_schema()
			AND table_name <> 'areas' ORDER BY table_name`
	} else {
		q = `SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND p.name = ?
			AND m.name <> 'areas' ORDER BY m.name`
	}
	rows, err := tx.Query(ctx, q, column)
	if err != nil {
		return nil, fmt.Errorf("tables with %s: %w", column, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Retire takes a node and its subtree out of service: they keep their
// records but route nothing and are offered nowhere. It refuses the root
// and a subtree where active users are still bound (they must be moved
// first; the error names them).
func Retire(ctx context.Context, d *db.DB, scope Node, audit Auditor, id int64, now time.Time) (int, error) {
	var count int
	err := d.InTx(ctx, func(tx *db.Tx) error {
		n, err := getIn(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		if n.ParentID == 0 {
			return domain.Invalid("%s是根节点，不能撤销", LevelName(n.Level))
		}
		if n.Retired {
			return domain.Conflict("%s 已撤销", n.FullName)
		}
		rows, err := tx.Query(ctx, `SELECT u.username, u.display_name FROM users u JOIN areas a ON a.id = u.area_id
			WHERE a.path LIKE ? AND u.disabled = 0 ORDER BY u.username`, n.SubtreePattern())
		if err != nil {
			return fmt.Errorf("retire area: users: %w", err)
		}
		var users []string
		for rows.Next() {
			var un, dn string
			if err := rows.Scan(&un, &dn); err != nil {
				rows.Close()
				return err
			}
			if dn != "" && dn != un {
				un += "（" + dn + "）"
			}
			users = append(users, un)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(users) > 0 {
			shown := users
			if len(shown) > 10 {
				shown = shown[:10]
			}
			more := ""
			if len(users) > len(shown) {
				more = fmt.Sprintf(" 等 %d 人", len(users))
			}
			return domain.Conflict("%s 下还有在用账号：%s%s；请先把他们调到其他节点或停用", n.FullName, strings.Join(shown, "、"), more)
		}
		res, err := tx.Exec(ctx, `UPDATE areas SET retired_at = ? WHERE path LIKE ? AND retired_at IS NULL`, db.Millis(now), n.SubtreePattern())
		if err != nil {
			return fmt.Errorf("retire area %s: %w", n.Code, err)
		}
		k, _ := res.RowsAffected()
		count = int(k)
		if err := audit(ctx, tx, auditUpdate, n.Code, fmt.Sprintf("retire %s and its subtree: %d nodes", n.FullName, count)); err != nil {
			return err
		}
		return db.Bump(ctx, tx, db.GenTree)
	})
	return count, err
}

// Live drops retired nodes from a list, for pickers of new records.
func Live(nodes []Node) []Node {
	out := nodes[:0:0]
	for _, n := range nodes {
		if !n.Retired {
			out = append(out, n)
		}
	}
	return out
}

// ByCode returns the node with a code.
func ByCode(ctx context.Context, q db.Querier, code string) (Node, error) {
	var id int64
	if err := q.QueryRow(ctx, `SELECT id FROM areas WHERE code = ?`, code).Scan(&id); err != nil {
		return Node{}, domain.NotFound("没有代码为 %s 的辖区节点", code)
	}
	return Get(ctx, q, id)
}
