package intel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/tabular"
	"github.com/fanzha/fanzha/internal/zone"
)

// Implicated outlets (涉两卡单位): the bank branches and telecom outlets
// that issued implicated cards. A bank card is implicated when an analyst
// confirmed it as a mule, a victim of a case paid it, or it is on the watch
// list; a phone card when it is confirmed or on the phone watch list. Its
// outlet is the one an imported list (card_outlets) names, else the
// statement's 开户网点 (accounts.branch). Outlets are ranked by implicated
// cards opened in the period asked (by opening date; cards whose opening
// date is unknown count when no period is given).

// Outlet is one row of the ranking.
type Outlet struct {
	Kind       string `json:"kind"` // account | phone
	Issuer     string `json:"issuer"`
	Outlet     string `json:"outlet"`
	Implicated int    `json:"implicated"` // implicated cards
	Confirmed  int    `json:"confirmed"`  // of which confirmed (label or case)
	Watched    int    `json:"watched"`    // of which on the watch list only
	Known      int    `json:"known"`      // cards of this outlet known to fanzha
}

// OutletFilter selects the period (opening dates in [From, To)).
type OutletFilter struct {
	From, To time.Time
	Limit    int
}

// RankOutlets ranks outlets by implicated cards, within the jurisdiction.
func RankOutlets(ctx context.Context, q db.Querier, scope area.Node, f OutletFilter) ([]Outlet, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	var cards []card
	cond, args := visibleAccounts("a.number", scope)
	rows, err := q.Query(ctx, `SELECT 'account', a.number, COALESCE(o.issuer, a.bank), COALESCE(o.outlet, a.branch),
		COALESCE(o.opened_at, a.opened_at, 0)
		FROM accounts a LEFT JOIN card_outlets o ON o.kind = 'account' AND o.subject = a.number
		WHERE COALESCE(o.outlet, a.branch) <> '' AND `+cond, args...)
	if err != nil {
		return nil, fmt.Errorf("outlets: %w", err)
	}
	if cards, err = appendCards(cards, rows); err != nil {
		return nil, err
	}
	pcond, pargs := visiblePhones("o.subject", scope)
	rows, err = q.Query(ctx, `SELECT 'phone', o.subject, o.issuer, o.outlet, COALESCE(o.opened_at, 0) FROM card_outlets o
		WHERE o.kind = 'phone' AND `+pcond, pargs...)
	if err != nil {
		return nil, fmt.Errorf("outlets: %w", err)
	}
	if cards, err = appendCards(cards, rows); err != nil {
		return nil, err
	}
	confirmed := map[string]bool{}
	watched := map[string]bool{}
	for _, kind := range []string{KindAccount, KindPhone} {
		labels, err := Labels(ctx, q, kind)
		if err != nil {
			return nil, err
		}
		for s, mule := range labels {
			if mule {
				confirmed[kind+"|"+s] = true
			}
		}
	}
	rows, err = q.Query(ctx, `SELECT DISTINCT to_account FROM case_transfers`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return nil, err
		}
		confirmed["account|"+s] = true
	}
	rows.Close()
	rows, err = q.Query(ctx, `SELECT kind, subject FROM intel_scores WHERE watch = 1`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var k, s string
		if err := rows.Scan(&k, &s); err != nil {
			rows.Close()
			return nil, err
		}
		watched[k+"|"+s] = true
	}
	rows.Close()
	byOutlet := map[string]*Outlet{}
	for _, c := range cards {
		if !f.From.IsZero() || !f.To.IsZero() {
			if c.opened == 0 || (!f.From.IsZero() && c.opened < db.Millis(f.From)) || (!f.To.IsZero() && c.opened >= db.Millis(f.To)) {
				continue
			}
		}
		key := c.kind + "|" + c.issuer + "|" + c.outlet
		o := byOutlet[key]
		if o == nil {
			o = &Outlet{Kind: c.kind, Issuer: c.issuer, Outlet: c.outlet}
			byOutlet[key] = o
		}
		o.Known++
		switch {
		case confirmed[c.kind+"|"+c.subject]:
			o.Implicated++
			o.Confirmed++
		case watched[c.kind+"|"+c.subject]:
			o.Implicated++
			o.Watched++
		}
	}
	out := make([]Outlet, 0, len(byOutlet))
	for _, o := range byOutlet {
		if o.Implicated > 0 {
			out = append(out, *o)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Implicated != out[j].Implicated {
			return out[i].Implicated > out[j].Implicated
		}
		if out[i].Confirmed != out[j].Confirmed {
			return out[i].Confirmed > out[j].Confirmed
		}
		return out[i].Issuer+out[i].Outlet < out[j].Issuer+out[j].Outlet
	})
	if len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// WriteOutletsXLSX writes the ranking as an Excel workbook for the
// regulator's interviews (约谈).
func WriteOutletsXLSX(w io.Writer, list []Outlet, period string) error {
	x := excelize.NewFile()
	defer x.Close()
	sheet := "涉两卡单位"
	x.SetSheetName("Sheet1", sheet)
	x.SetCellValue(sheet, "A1", "涉两卡单位排名 "+period)
	head := []any{"名次", "类别", "发卡行/运营商", "开户网点/营业厅", "涉案卡数", "其中已确认", "其中高风险", "已知卡数"}
	if err := x.SetSheetRow(sheet, "A2", &head); err != nil {
		return err
	}
	for i, o := range list {
		kind := "银行卡"
		if o.Kind == KindPhone {
			kind = "电话卡"
		}
		row := []any{i + 1, kind, o.Issuer, o.Outlet, o.Implicated, o.Confirmed, o.Watched, o.Known}
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		if err := x.SetSheetRow(sheet, cell, &row); err != nil {
			return err
		}
	}
	return x.Write(w)
}

// ImportOutlets reads a list of cards and where they were issued (CSV or
// Excel with columns 卡号/号码, 类别 (银行卡/电话卡), 发卡行/运营商,
// 开户网点/营业厅, 开户日期) into card_outlets, replacing earlier entries of
// the same card. It returns the rows stored.
func ImportOutlets(ctx context.Context, d *db.DB, name string, r io.Reader) (int, error) {
	tr, err := tabular.Open(name, r)
	if err != nil {
		return 0, err
	}
	defer tr.Close()
	head, _, err := tr.Next()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	h := tabular.NewHeader(head)
	cNum, cKind := h.Find("卡号", "号码", "账号", "手机号"), h.Find("类别", "类型")
	cIss, cOut, cDate := h.Find("发卡行", "运营商", "开户行"), h.Find("开户网点", "营业厅", "网点"), h.Find("开户日期", "开卡日期")
	if cNum < 0 || cOut < 0 {
		return 0, domain.Invalid("%s 缺少 卡号/号码 或 开户网点/营业厅 列", name)
	}
	n := 0
	err = d.InTx(ctx, func(tx *db.Tx) error {
		for {
			row, line, err := tr.Next()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%s 第 %d 行: %w", name, line, err)
			}
			num := strings.TrimSpace(tabular.Cell(row, cNum))
			outlet := strings.TrimSpace(tabular.Cell(row, cOut))
			if num == "" || outlet == "" {
				continue
			}
			kind := KindAccount
			if k := tabular.Cell(row, cKind); strings.Contains(k, "电话") || strings.Contains(k, "手机") || k == "phone" {
				kind = KindPhone
			}
			var opened any
			if ds := strings.TrimSpace(tabular.Cell(row, cDate)); ds != "" {
				t, err := time.ParseInLocation("2006-01-02", ds, zone.Shanghai)
				if err != nil {
					return domain.Invalid("%s 第 %d 行: 开户日期 %q 应为 YYYY-MM-DD", name, line, ds)
				}
				opened = db.Millis(t)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO card_outlets (kind, subject, issuer, outlet, opened_at) VALUES (?,?,?,?,?)
				ON CONFLICT (kind, subject) DO UPDATE SET issuer = excluded.issuer, outlet = excluded.outlet, opened_at = excluded.opened_at`,
				kind, num, strings.TrimSpace(tabular.Cell(row, cIss)), outlet, opened); err != nil {
				return err
			}
			n++
		}
	})
	return n, err
}

// card is an account or phone number with where it was issued.
type card struct {
	kind, subject, issuer, outlet string
	opened                        int64
}

// appendCards reads rows of (kind, subject, issuer, outlet, opened) and
// closes them.
func appendCards(cards []card, rows *sql.Rows) ([]card, error) {
	defer rows.Close()
	for rows.Next() {
		var c card
		if err := rows.Scan(&c.kind, &c.subject, &c.issuer, &c.outlet, &c.opened); err != nil {
			return nil, err
		}
		cards = append(cards, c)
	}
	return cards, rows.Err()
}
