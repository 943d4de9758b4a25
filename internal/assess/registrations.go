package assess

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/tabular"
	"github.com/fanzha/fanzha/internal/zone"
)

// RowError is a row of a registrations file that could not be taken.
type RowError struct {
	Row    int    `json:"row"`
	Reason string `json:"reason"`
}

// ImportResult tells what a registrations import did.
type ImportResult struct {
	Rows   int        `json:"rows"`
	Stored int        `json:"stored"`
	Errors []RowError `json:"errors"`
}

var monthRe = regexp.MustCompile(`^(\d{4})\s*[-/年.]\s*(\d{1,2})\s*月?$`)

// ImportRegistrations reads the monthly 国家反诈中心 APP registrations
// (.xlsx or CSV; columns 地区 (a node's code, name or full name inside the
// caller's scope), 月份 (2026-11, 2026年11月), 注册数) and stores them, all or
// nothing: any bad row refuses the file with every bad row listed. A month
// imported again replaces its count. Import at one level of the tree (the
// league sums the nodes of a unit's subtree).
func ImportRegistrations(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, name string, r io.Reader, now time.Time) (ImportResult, error) {
	var res ImportResult
	nodes, err := area.Subtree(ctx, d, scope)
	if err != nil {
		return res, err
	}
	byKey := map[string]int64{}
	for _, n := range nodes {
		for _, k := range []string{n.Code, n.Name, n.FullName} {
			if k == "" {
				continue
			}
			if prev, ok := byKey[k]; ok && prev != n.ID {
				byKey[k] = -1 // ambiguous name
				continue
			}
			byKey[k] = n.ID
		}
	}
	tr, err := tabular.Open(name, r)
	if err != nil {
		return res, err
	}
	defer tr.Close()
	head, _, err := tr.Next()
	if err != nil {
		return res, domain.Invalid("文件为空：第 1 行应为表头（地区, 月份, 注册数）")
	}
	h := tabular.NewHeader(head)
	ca, cm, cn := h.Find("地区", "区域", "单位", "area"), h.Find("月份", "month"), h.Find("注册数", "注册人数", "count", "APP注册数")
	if ca < 0 || cm < 0 || cn < 0 {
		return res, domain.Invalid("表头须有“地区”“月份”“注册数”三列（第 1 行是：%s）", strings.Join(head, ", "))
	}
	type rec struct {
		area  int64
		month string
		n     int64
	}
	var recs []rec
	for {
		row, line, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return res, err
		}
		res.Rows++
		a := strings.TrimSpace(tabular.Cell(row, ca))
		id, ok := byKey[a]
		switch {
		case !ok:
			res.Errors = append(res.Errors, RowError{line, fmt.Sprintf("地区 %q 不在本辖区的区划中", a)})
			continue
		case id < 0:
			res.Errors = append(res.Errors, RowError{line, fmt.Sprintf("地区 %q 有重名，请写区划代码", a)})
			continue
		}
		m := monthRe.FindStringSubmatch(strings.TrimSpace(tabular.Cell(row, cm)))
		mo := 0
		if m != nil {
			mo, _ = strconv.Atoi(m[2])
		}
		if m == nil || mo < 1 || mo > 12 {
			res.Errors = append(res.Errors, RowError{line, fmt.Sprintf("月份 %q 无效（如 2026-11 或 2026年11月）", tabular.Cell(row, cm))})
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(tabular.Cell(row, cn)), 10, 64)
		if err != nil || n < 0 {
			res.Errors = append(res.Errors, RowError{line, fmt.Sprintf("注册数 %q 应为非负整数", tabular.Cell(row, cn))})
			continue
		}
		recs = append(recs, rec{id, fmt.Sprintf("%s-%02d", m[1], mo), n})
	}
	if len(res.Errors) > 0 {
		return res, domain.Invalid("文件有 %d 行无法导入，未保存任何数据", len(res.Errors))
	}
	err = d.InTx(ctx, func(tx *db.Tx) error {
		for _, x := range recs {
			if _, err := tx.Exec(ctx, `INSERT INTO app_registrations (area_id, month, count, imported_at, user_id) VALUES (?,?,?,?,?)
				ON CONFLICT (area_id, month) DO UPDATE SET count = excluded.count, imported_at = excluded.imported_at, user_id = excluded.user_id`,
				x.area, x.month, x.n, db.Millis(now), who.UserID); err != nil {
				return fmt.Errorf("store registrations: %w", err)
			}
		}
		e := who.With(auth.AuditCreate, "app_registrations", "")
		e.At, e.Detail = now, fmt.Sprintf("%d rows", len(recs))
		return auth.Audit(ctx, tx, e)
	})
	if err == nil {
		res.Stored = len(recs)
	}
	return res, err
}

// registrations sums the registrations of the months of [from, to) (a month
// counts when it begins inside the period) in a unit's subtree.
func registrations(ctx context.Context, q db.Querier, u area.Node, from, to time.Time) (n int64, months int, err error) {
	var ms []any
	m := time.Date(from.In(zone.Shanghai).Year(), from.In(zone.Shanghai).Month(), 1, 0, 0, 0, 0, zone.Shanghai)
	if m.Before(from) {
		m = m.AddDate(0, 1, 0)
	}
	for ; m.Before(to); m = m.AddDate(0, 1, 0) {
		ms = append(ms, m.Format("2006-01"))
	}
	if len(ms) == 0 {
		return 0, 0, nil
	}
	cond, arg := area.UnderClause("area_id", u)
	err = q.QueryRow(ctx, `SELECT COALESCE(SUM(count), 0) FROM app_registrations WHERE month IN (?`+strings.Repeat(",?", len(ms)-1)+`) AND `+cond,
		append(ms, arg)...).Scan(&n)
	return n, len(ms), err
}
