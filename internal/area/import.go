package area

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/tabular"
)

// Importing the tree from a table (CSV in UTF-8 or GBK, or .xlsx): a header
// row naming the columns 代码, 上级代码, 级别, 名称 and optionally 别名, 人口,
// 老年人, 未成年人, 学生; one node a row, in any order. The whole file is
// checked first and every bad row reported with its row number; one bad row
// and nothing is stored. Codes already in the database update their node
// (name, aliases, figures) when the parent is the same; moving a node is an
// explicit console action, never a side effect of an import.

// Column names accepted for each field.
var (
	colCode       = []string{"代码", "编码", "区划代码", "code"}
	colParent     = []string{"上级代码", "上级编码", "父级代码", "parent_code", "parent"}
	colLevel      = []string{"级别", "层级", "level"}
	colName       = []string{"名称", "name"}
	colAliases    = []string{"别名", "aliases", "alias"}
	colPopulation = []string{"人口", "户籍人口", "常住人口", "population"}
	colElderly    = []string{"老年人", "老年人口", "elderly"}
	colMinors     = []string{"未成年人", "minors"}
	colStudents   = []string{"学生", "students"}
)

// Header is the column row of imports and exports.
var Header = []string{"代码", "上级代码", "级别", "名称", "别名", "人口", "老年人", "未成年人", "学生"}

// RowError is one bad row of an import.
type RowError struct {
	Row    int    `json:"row"`
	Code   string `json:"code,omitempty"`
	Reason string `json:"reason"`
}

// ImportReport is the answer to an import.
type ImportReport struct {
	File      string     `json:"file,omitempty"`
	Encoding  string     `json:"encoding"`
	Rows      int        `json:"rows"`      // data rows read
	Created   int        `json:"created"`   // new nodes
	Updated   int        `json:"updated"`   // existing codes whose name, aliases or figures changed
	Unchanged int        `json:"unchanged"` // existing codes already as in the file
	ByLevel   []LevelNum `json:"by_level"`  // rows of the file per level
	Errors    []RowError `json:"errors,omitempty"`
	Stored    bool       `json:"stored"` // false when any row was bad: nothing was imported
}

// LevelNum counts the rows of one level.
type LevelNum struct {
	Level Level  `json:"level"`
	Name  string `json:"name"`
	N     int    `json:"n"`
}

// ErrBadRows is returned (wrapping domain.ErrInvalid) with a report whose
// Errors list the bad rows; nothing was imported.
var ErrBadRows = domain.Invalid("文件中有错误行，整份文件未导入")

// importRow is one data row as read.
type importRow struct {
	line       int
	code       string
	parentCode string
	level      Level
	kind       string
	name       string
	aliases    string
	fig        Figures
	given      [4]bool // population, elderly, minors, students present in the row
	parent     *importRow
	existing   *Node
	sort       int64
}

func (r *importRow) figs() [4]*int64 {
	return [4]*int64{&r.fig.Population, &r.fig.Elderly, &r.fig.Minors, &r.fig.Students}
}

// parseCount reads a figure: a non-negative integer, thousands separators
// allowed ("12,345"), and "12345.0" as Excel sometimes writes it.
func parseCount(s string) (int64, string) {
	s = strings.NewReplacer(",", "", "，", "", " ", "").Replace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 {
			return 0, "不能为负数"
		}
		return n, ""
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(int64(f)) {
		if f < 0 {
			return 0, "不能为负数"
		}
		return int64(f), ""
	}
	return 0, "不是整数"
}

// readRows reads and checks each row on its own (the checks that need the
// whole tree come later).
func readRows(r tabular.Reader) ([]*importRow, []RowError, error) {
	head, _, err := r.Next()
	if errors.Is(err, io.EOF) {
		return nil, nil, domain.Invalid("文件是空的：第 1 行应为表头（代码、上级代码、级别、名称…）")
	}
	if err != nil {
		return nil, nil, domain.Invalid("%v", err)
	}
	h := tabular.NewHeader(head)
	ci := map[string]int{
		"code": h.Find(colCode...), "parent": h.Find(colParent...), "level": h.Find(colLevel...), "name": h.Find(colName...),
		"aliases": h.Find(colAliases...), "pop": h.Find(colPopulation...), "eld": h.Find(colElderly...),
		"min": h.Find(colMinors...), "stu": h.Find(colStudents...),
	}
	var missing []string
	for _, c := range []struct{ key, name string }{{"code", "代码"}, {"parent", "上级代码"}, {"level", "级别"}, {"name", "名称"}} {
		if ci[c.key] < 0 {
			missing = append(missing, c.name)
		}
	}
	if len(missing) > 0 {
		return nil, nil, domain.Invalid("表头缺少列：%s（第 1 行应为：%s）", strings.Join(missing, "、"), strings.Join(Header, "、"))
	}
	var rows []*importRow
	var bad []RowError
	for {
		rec, line, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if line > 0 {
				bad = append(bad, RowError{Row: line, Reason: err.Error()})
				continue
			}
			return nil, nil, domain.Invalid("%v", err)
		}
		ir := &importRow{line: line, code: tabular.Cell(rec, ci["code"]), parentCode: tabular.Cell(rec, ci["parent"]),
			name: tabular.Cell(rec, ci["name"]), aliases: NormalizeAliases(tabular.Cell(rec, ci["aliases"])), sort: int64(len(rows))}
		rows = append(rows, ir)
		var reasons []string
		if msg := CheckCode(ir.code); msg != "" {
			reasons = append(reasons, msg)
		}
		if ir.parentCode != "" && CheckCode(ir.parentCode) != "" {
			reasons = append(reasons, fmt.Sprintf("上级代码 %q 格式不对", ir.parentCode))
		}
		if msg := checkName(ir.name); msg != "" {
			reasons = append(reasons, msg)
		}
		lv := tabular.Cell(rec, ci["level"])
		if lv == "" {
			reasons = append(reasons, "级别为空（应为 派出所、乡镇街道、村社区 或 网格；省级部署另有 市、县）")
		} else if l, kind, ok := ParseLevel(lv); !ok {
			reasons = append(reasons, fmt.Sprintf("级别 %q 不认识（应为 派出所、乡镇街道、村社区 或 网格；省级部署另有 市、县）", lv))
		} else if l == Province {
			reasons = append(reasons, "省（中心）在系统初始化时已建立，文件中只列市、县及以下各级")
		} else {
			ir.level = l
			ir.kind = kind
			if kind == "" {
				ir.kind = KindFor(l, ir.name)
			}
		}
		labels := [4]string{"人口", "老年人", "未成年人", "学生"}
		cols := [4]int{ci["pop"], ci["eld"], ci["min"], ci["stu"]}
		ptrs := ir.figs()
		for k := range cols {
			v := tabular.Cell(rec, cols[k])
			if v == "" {
				continue
			}
			n, msg := parseCount(v)
			if msg != "" {
				reasons = append(reasons, fmt.Sprintf("%s %q %s", labels[k], v, msg))
				continue
			}
			*ptrs[k] = n
			ir.given[k] = true
		}
		if ir.given[0] {
			for k := 1; k < 4; k++ {
				if ir.given[k] && *ptrs[k] > ir.fig.Population {
					reasons = append(reasons, fmt.Sprintf("%s %d 多于人口 %d", labels[k], *ptrs[k], ir.fig.Population))
				}
			}
		}
		if len(reasons) > 0 {
			bad = append(bad, RowError{Row: line, Code: ir.code, Reason: strings.Join(reasons, "；")})
		}
	}
	return rows, bad, nil
}

// loadAll reads every node, by id and by code.
func loadAll(ctx context.Context, q db.Querier) (map[int64]Node, map[string]Node, error) {
	rows, err := q.Query(ctx, `SELECT `+nodeColumns+` FROM areas`)
	if err != nil {
		return nil, nil, fmt.Errorf("load areas: %w", err)
	}
	defer rows.Close()
	byID, byCode := map[int64]Node{}, map[string]Node{}
	for rows.Next() {
		n, err := scanNode(rows)
		if err != nil {
			return nil, nil, err
		}
		byID[n.ID] = n
		byCode[n.Code] = n
	}
	return byID, byCode, rows.Err()
}

// Import reads a tree file and stores it: all of it, or — when any row is
// bad — nothing, with every bad row in the report (and ErrBadRows). The
// caller's scope must be a centre (a county, or a city or province above
// counties): rows without a parent go under it, and parents named must lie
// in it. One transaction, one audit line, and the tree's generation is
// bumped, so routing follows at once.
func Import(ctx context.Context, d *db.DB, scope Node, audit Auditor, name string, r tabular.Reader) (ImportReport, error) {
	rep := ImportReport{File: name, Encoding: r.Encoding()}
	if !scope.Level.Centre() {
		return rep, domain.Forbidden("只有县（中心）及以上的管理员可以导入辖区树")
	}
	rows, bad, err := readRows(r)
	if err != nil {
		return rep, err
	}
	rep.Rows = len(rows)
	if len(rows) == 0 && len(bad) == 0 {
		return rep, domain.Invalid("文件只有表头，没有数据行")
	}
	err = d.InTx(ctx, func(tx *db.Tx) error {
		root, err := Get(ctx, tx, scope.ID)
		if err != nil {
			return domain.Invalid("尚未建立县（中心），请先完成系统初始化")
		}
		byID, byCode, err := loadAll(ctx, tx)
		if err != nil {
			return err
		}
		bad = append(bad, resolve(rows, root, byID, byCode)...)
		if len(bad) > 0 {
			return ErrBadRows
		}
		if err := store(ctx, tx, root, byID, byCode, rows, &rep); err != nil {
			return err
		}
		byLevel := map[Level]int{}
		for _, ir := range rows {
			byLevel[ir.level]++
		}
		var counts []string
		for _, l := range Levels {
			if byLevel[l] > 0 {
				rep.ByLevel = append(rep.ByLevel, LevelNum{Level: l, Name: GenericLevelName(l), N: byLevel[l]})
				counts = append(counts, fmt.Sprintf("%s %d", l, byLevel[l]))
			}
		}
		if err := audit(ctx, tx, auditCreate, "import", fmt.Sprintf("import %s (%s): %d rows (%s): %d created, %d updated, %d unchanged",
			name, rep.Encoding, rep.Rows, strings.Join(counts, ", "), rep.Created, rep.Updated, rep.Unchanged)); err != nil {
			return err
		}
		return db.Bump(ctx, tx, db.GenTree)
	})
	if errors.Is(err, ErrBadRows) || len(bad) > 0 {
		rep.Errors = groupErrors(bad)
		rep.Created, rep.Updated, rep.Unchanged = 0, 0, 0
		return rep, ErrBadRows
	}
	if err != nil {
		return rep, err
	}
	rep.Stored = true
	return rep, nil
}

// resolve links each row to its parent (a row of the file, a node of the
// database or the root) and checks what needs the whole tree: duplicate
// codes, unknown parents, cycles, the level order and moves.
func resolve(rows []*importRow, root Node, byID map[int64]Node, byCode map[string]Node) []RowError {
	var bad []RowError
	inFile := map[string]*importRow{}
	badRow := map[*importRow]bool{}
	for _, ir := range rows {
		if ir.code == "" {
			continue
		}
		if first, dup := inFile[ir.code]; dup {
			bad = append(bad, RowError{Row: ir.line, Code: ir.code, Reason: fmt.Sprintf("代码 %s 重复（第 %d 行已有）", ir.code, first.line)})
			badRow[ir] = true
			continue
		}
		inFile[ir.code] = ir
		if ir.code == root.Code {
			bad = append(bad, RowError{Row: ir.line, Code: ir.code, Reason: fmt.Sprintf("代码 %s 是%s本身的代码", ir.code, levelLabel(root.Level))})
			badRow[ir] = true
		}
	}
	// Parents.
	type parentRef struct {
		row  *importRow
		node Node
		ok   bool
	}
	parents := map[*importRow]parentRef{}
	for _, ir := range rows {
		if badRow[ir] {
			continue
		}
		switch {
		case ir.parentCode == "" || ir.parentCode == root.Code:
			parents[ir] = parentRef{node: root, ok: true}
		case ir.parentCode == ir.code:
			bad = append(bad, RowError{Row: ir.line, Code: ir.code, Reason: "上级代码就是本行代码（上级关系成环）"})
			badRow[ir] = true
		case inFile[ir.parentCode] != nil:
			ir.parent = inFile[ir.parentCode]
			parents[ir] = parentRef{row: ir.parent, ok: true}
		default:
			n, ok := byCode[ir.parentCode]
			if ok && !root.Contains(n) {
				bad = append(bad, RowError{Row: ir.line, Code: ir.code, Reason: fmt.Sprintf("上级 %s（%s）不在本辖区内", n.Name, n.Code)})
				badRow[ir] = true
				continue
			}
			if !ok {
				bad = append(bad, RowError{Row: ir.line, Code: ir.code, Reason: fmt.Sprintf("上级代码 %s 不存在（文件和系统中都没有）", ir.parentCode)})
				badRow[ir] = true
				continue
			}
			if n.Retired {
				bad = append(bad, RowError{Row: ir.line, Code: ir.code, Reason: fmt.Sprintf("上级 %s（%s）已撤销", n.Name, n.Code)})
				badRow[ir] = true
				continue
			}
			parents[ir] = parentRef{node: n, ok: true}
		}
	}
	// Cycles among the file's rows: follow parents within the file.
	inCycle := map[*importRow]bool{}
	for _, ir := range rows {
		if badRow[ir] || inCycle[ir] {
			continue
		}
		seen := map[*importRow]int{}
		var chain []*importRow
		for x := ir; x != nil; x = x.parent {
			if at, ok := seen[x]; ok {
				cyc := chain[at:]
				names := make([]string, 0, len(cyc)+1)
				for _, c := range cyc {
					names = append(names, c.code)
				}
				names = append(names, cyc[0].code)
				for _, c := range cyc {
					if !inCycle[c] {
						inCycle[c] = true
						bad = append(bad, RowError{Row: c.line, Code: c.code, Reason: "上级关系成环：" + strings.Join(names, " → ")})
					}
				}
				break
			}
			seen[x] = len(chain)
			chain = append(chain, x)
		}
	}
	for c := range inCycle {
		badRow[c] = true
	}
	// Level order, existing codes and moves.
	for _, ir := range rows {
		if badRow[ir] || ir.level == "" {
			continue
		}
		pr := parents[ir]
		if !pr.ok {
			continue
		}
		var pLevel Level
		var pName string
		if pr.row != nil {
			pLevel, pName = pr.row.level, pr.row.name+"（"+pr.row.code+"）"
		} else {
			pLevel, pName = pr.node.Level, pr.node.Name+"（"+pr.node.Code+"）"
		}
		if pLevel != "" && pLevel != ParentLevel(ir.level) {
			bad = append(bad, RowError{Row: ir.line, Code: ir.code, Reason: fmt.Sprintf("级别顺序不对：%s的上级应为%s，%s是%s",
				GenericLevelName(ir.level), levelLabel(ParentLevel(ir.level)), pName, levelLabel(pLevel))})
			continue
		}
		if n, ok := byCode[ir.code]; ok {
			wantParent := pr.node.ID
			if pr.row != nil {
				if ex, ok := byCode[pr.row.code]; ok {
					wantParent = ex.ID
				} else {
					wantParent = -1 // a new node: certainly another parent
				}
			}
			switch {
			case n.ParentID != wantParent:
				cur := byID[n.ParentID]
				bad = append(bad, RowError{Row: ir.line, Code: ir.code, Reason: fmt.Sprintf("代码 %s 已存在，上级是 %s（%s），与文件不同；移动节点请在控制台使用「移动」",
					ir.code, cur.Name, cur.Code)})
			case n.Level != ir.level:
				bad = append(bad, RowError{Row: ir.line, Code: ir.code, Reason: fmt.Sprintf("代码 %s 已存在，级别是%s，与文件（%s）不同",
					ir.code, levelLabel(n.Level), GenericLevelName(ir.level))})
			case n.Retired:
				bad = append(bad, RowError{Row: ir.line, Code: ir.code, Reason: fmt.Sprintf("代码 %s（%s）已撤销，不能再导入", ir.code, n.Name)})
			default:
				ex := n
				ir.existing = &ex
			}
		}
	}
	return bad
}

func levelLabel(l Level) string {
	if l.Centre() {
		return LevelName(l)
	}
	return GenericLevelName(l)
}

// depth is a row's distance from a node of the database.
func (r *importRow) depth() int {
	d := 0
	for x := r.parent; x != nil; x = x.parent {
		d++
	}
	return d
}

// store writes the checked rows: parents before children, then the
// figures left empty as the sums of the children, then the county's.
func store(ctx context.Context, tx *db.Tx, root Node, byID map[int64]Node, byCode map[string]Node, rows []*importRow, rep *ImportReport) error {
	order := append([]*importRow(nil), rows...)
	sort.SliceStable(order, func(i, j int) bool { return order[i].depth() < order[j].depth() })
	stored := map[string]Node{} // code → node as stored now
	nextSort := map[int64]int64{}
	sortUnder := func(parentID int64) (int64, error) {
		if s, ok := nextSort[parentID]; ok {
			nextSort[parentID] = s + 1
			return s, nil
		}
		var m int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(sort), -1) FROM areas WHERE parent_id = ?`, parentID).Scan(&m); err != nil {
			return 0, fmt.Errorf("import areas: %w", err)
		}
		nextSort[parentID] = m + 2
		return m + 1, nil
	}
	lookup := func(id int64) (Node, bool) {
		if n, ok := byID[id]; ok {
			return n, true
		}
		for _, n := range stored {
			if n.ID == id {
				return n, true
			}
		}
		return Node{}, false
	}
	var renamed []int64
	for _, ir := range order {
		var parent Node
		switch {
		case ir.parent != nil:
			parent = stored[ir.parent.code]
		case ir.parentCode == "" || ir.parentCode == root.Code:
			parent = root
		default:
			parent = byCode[ir.parentCode]
		}
		if ex := ir.existing; ex != nil {
			n := *ex
			fig := n.figures()
			ptrs := [4]*int64{&fig.Population, &fig.Elderly, &fig.Minors, &fig.Students}
			for k, given := range ir.given {
				if given {
					*ptrs[k] = *ir.figs()[k]
				}
			}
			kind := n.Kind
			if ir.name != n.Name || (ir.kind != "" && ir.kind != n.Kind) {
				kind = ir.kind
			}
			if ir.name == n.Name && ir.aliases == n.Aliases && fig == n.figures() && kind == n.Kind {
				rep.Unchanged++
			} else {
				if _, err := tx.Exec(ctx, `UPDATE areas SET name = ?, kind = ?, aliases = ?, population = ?, elderly = ?, minors = ?, students = ? WHERE id = ?`,
					ir.name, kind, ir.aliases, fig.Population, fig.Elderly, fig.Minors, fig.Students, n.ID); err != nil {
					return fmt.Errorf("import: update %s: %w", n.Code, err)
				}
				if ir.name != n.Name {
					renamed = append(renamed, n.ID)
					n.FullName = fullNameBase(parent, lookup) + ir.name
				}
				n.Name, n.Kind, n.Aliases = ir.name, kind, ir.aliases
				n.Population, n.Elderly, n.Minors, n.Students = fig.Population, fig.Elderly, fig.Minors, fig.Students
				rep.Updated++
			}
			stored[ir.code] = n
			continue
		}
		s, err := sortUnder(parent.ID)
		if err != nil {
			return err
		}
		n := Node{ParentID: parent.ID, Level: ir.level, Kind: ir.kind, Code: ir.code, Name: ir.name,
			FullName: fullNameBase(parent, lookup) + ir.name, Aliases: ir.aliases,
			Population: ir.fig.Population, Elderly: ir.fig.Elderly, Minors: ir.fig.Minors, Students: ir.fig.Students, Sort: s}
		if err := insertNode(ctx, tx, &n, parent); err != nil {
			return err
		}
		stored[ir.code] = n
		rep.Created++
	}
	for _, id := range renamed {
		if err := rebuild(ctx, tx, id); err != nil {
			return err
		}
	}
	// Figures left empty: the sums of the children, deepest rows first so
	// that sums add up level by level.
	byDepth := append([]*importRow(nil), rows...)
	sort.SliceStable(byDepth, func(i, j int) bool { return levelOrder[byDepth[i].level] > levelOrder[byDepth[j].level] })
	cols := [4]string{"population", "elderly", "minors", "students"}
	for _, ir := range byDepth {
		n := stored[ir.code]
		if ir.given == [4]bool{true, true, true, true} {
			continue
		}
		var kids int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM areas WHERE parent_id = ? AND retired_at IS NULL`, n.ID).Scan(&kids); err != nil {
			return fmt.Errorf("import: children of %s: %w", n.Code, err)
		}
		if kids == 0 {
			continue // a leaf keeps what it had (0 when new)
		}
		for k, col := range cols {
			if ir.given[k] {
				continue
			}
			if _, err := tx.Exec(ctx, `UPDATE areas SET `+col+` = (SELECT COALESCE(SUM(c.`+col+`), 0) FROM areas c
				WHERE c.parent_id = areas.id AND c.retired_at IS NULL) WHERE id = ?`, n.ID); err != nil {
				return fmt.Errorf("import: sum %s of %s: %w", col, n.Code, err)
			}
		}
	}
	// The centres above the file's rows (the scope, and the county, city
	// and province above them) get the sums of their children, deepest
	// first; stations and towns not in the file keep their figures.
	inFile := map[int64]bool{}
	above := map[int64]int{} // node id → depth
	for _, ir := range rows {
		inFile[stored[ir.code].ID] = true
	}
	for _, ir := range rows {
		ids := strings.Split(strings.Trim(stored[ir.code].Path, "/"), "/")
		for k, s := range ids[:len(ids)-1] {
			id, err := strconv.ParseInt(s, 10, 64)
			if err == nil && !inFile[id] && byID[id].Level.Centre() {
				above[id] = k
			}
		}
	}
	above[root.ID] = strings.Count(root.Path, "/") - 2
	ups := make([]int64, 0, len(above))
	for id := range above {
		ups = append(ups, id)
	}
	sort.Slice(ups, func(i, j int) bool { return above[ups[i]] > above[ups[j]] })
	for _, id := range ups {
		if _, err := tx.Exec(ctx, `UPDATE areas SET
		population = (SELECT COALESCE(SUM(c.population), 0) FROM areas c WHERE c.parent_id = areas.id AND c.retired_at IS NULL),
		elderly = (SELECT COALESCE(SUM(c.elderly), 0) FROM areas c WHERE c.parent_id = areas.id AND c.retired_at IS NULL),
		minors = (SELECT COALESCE(SUM(c.minors), 0) FROM areas c WHERE c.parent_id = areas.id AND c.retired_at IS NULL),
		students = (SELECT COALESCE(SUM(c.students), 0) FROM areas c WHERE c.parent_id = areas.id AND c.retired_at IS NULL)
		WHERE id = ?`, id); err != nil {
			return fmt.Errorf("import: figures of %d: %w", id, err)
		}
	}
	return nil
}

// groupErrors sorts bad rows by row number and joins the reasons of one row.
func groupErrors(bad []RowError) []RowError {
	sort.SliceStable(bad, func(i, j int) bool { return bad[i].Row < bad[j].Row })
	var out []RowError
	for _, e := range bad {
		if k := len(out) - 1; k >= 0 && out[k].Row == e.Row {
			if !strings.Contains(out[k].Reason, e.Reason) {
				out[k].Reason += "；" + e.Reason
			}
			if out[k].Code == "" {
				out[k].Code = e.Code
			}
			continue
		}
		out = append(out, e)
	}
	return out
}
