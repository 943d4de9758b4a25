package area

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/tabular"
)

// Exporting the tree in the import's columns, parents before children, so
// that the file imports again into a fresh database as the same tree.
// Retired nodes are left out (an export is the tree in service); stations
// are written with an empty 上级代码 (they hang under whatever county the
// file is imported into).

// ExportRows returns the header and one row per live node under root
// (root itself excluded), depth first in the tree's order.
func ExportRows(ctx context.Context, q db.Querier, root Node) ([][]string, error) {
	nodes, err := Subtree(ctx, q, root)
	if err != nil {
		return nil, err
	}
	byID := map[int64]Node{}
	children := map[int64][]Node{}
	for _, n := range nodes {
		byID[n.ID] = n
		if n.ID != root.ID {
			children[n.ParentID] = append(children[n.ParentID], n)
		}
	}
	for _, c := range children {
		sort.SliceStable(c, func(i, j int) bool {
			if c[i].Sort != c[j].Sort {
				return c[i].Sort < c[j].Sort
			}
			return c[i].ID < c[j].ID
		})
	}
	out := [][]string{append([]string(nil), Header...)}
	var walk func(id int64)
	walk = func(id int64) {
		for _, n := range children[id] {
			if n.Retired {
				continue
			}
			parent := ""
			if p := byID[n.ParentID]; p.ParentID != 0 {
				parent = p.Code
			}
			out = append(out, []string{n.Code, parent, GenericLevelName(n.Level), n.Name, joinAliases(n.Aliases),
				strconv.FormatInt(n.Population, 10), strconv.FormatInt(n.Elderly, 10),
				strconv.FormatInt(n.Minors, 10), strconv.FormatInt(n.Students, 10)})
			walk(n.ID)
		}
	}
	walk(root.ID)
	return out, nil
}

// joinAliases writes stored aliases ('|' separated) as people do: with ；.
func joinAliases(s string) string {
	out := []rune{}
	for _, r := range s {
		if r == '|' {
			out = append(out, '；')
			continue
		}
		out = append(out, r)
	}
	return string(out)
}

// WriteCSV writes the tree as CSV in UTF-8 with a BOM (Excel opens it
// without mojibake).
func WriteCSV(ctx context.Context, q db.Querier, root Node, w io.Writer) (int, error) {
	rows, err := ExportRows(ctx, q, root)
	if err != nil {
		return 0, err
	}
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return 0, err
	}
	cw := tabular.NewCSVWriter(w)
	if err := cw.WriteAll(rows); err != nil {
		return 0, fmt.Errorf("write CSV: %w", err)
	}
	return len(rows) - 1, nil
}

// WriteXLSX writes the tree as an Excel workbook, codes as text cells (a
// 12-digit code must not turn into a number) and figures as numbers.
func WriteXLSX(ctx context.Context, q db.Querier, root Node, w io.Writer) (int, error) {
	rows, err := ExportRows(ctx, q, root)
	if err != nil {
		return 0, err
	}
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "辖区树"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return 0, err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return 0, err
	}
	if err := f.SetColStyle(sheet, "A:B", text); err != nil {
		return 0, err
	}
	_ = f.SetColWidth(sheet, "A", "B", 16)
	_ = f.SetColWidth(sheet, "C", "C", 10)
	_ = f.SetColWidth(sheet, "D", "E", 20)
	for i, row := range rows {
		vals := make([]any, len(row))
		for k, v := range row {
			vals[k] = v
			if i > 0 && k >= 5 {
				if n, err := strconv.ParseInt(v, 10, 64); err == nil {
					vals[k] = n
				}
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
			return 0, fmt.Errorf("write Excel row %d: %w", i+1, err)
		}
	}
	if err := f.Write(w); err != nil {
		return 0, fmt.Errorf("write Excel: %w", err)
	}
	return len(rows) - 1, nil
}
