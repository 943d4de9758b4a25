package bulletin

import (
	"bytes"
	"embed"
	"html/template"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/fanzha/fanzha/internal/zone"
)

//go:embed templates/print.html
var printFS embed.FS

var printTmpl = template.Must(template.New("print.html").Funcs(template.FuncMap{
	"day":   func(t time.Time) string { return t.Format("2006-01-02") },
	"last":  func(t time.Time) string { return t.AddDate(0, 0, -1).Format("2006-01-02") },
	"stamp": func(t time.Time) string { return t.In(zone.Shanghai).Format("2006-01-02 15:04") },
}).ParseFS(printFS, "templates/print.html"))

// PrintOptions are the links of the printable page (none for an archived
// or benchmark rendering).
type PrintOptions struct {
	Links  bool
	XLSX   string // the Excel link of the same bulletin
	Script string // the console script (binds the print button; inline handlers are refused by the CSP)
}

// RenderHTML writes the bulletin as a printable A4 page (Chinese official
// typography: 仿宋 body, 黑体 headings, red title rule), a complete HTML
// document with its own print CSS.
func RenderHTML(w io.Writer, b Bulletin, o PrintOptions) error {
	var buf bytes.Buffer
	if err := printTmpl.Execute(&buf, map[string]any{"B": b, "Links": o.Links, "XLSX": o.XLSX, "Script": o.Script}); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteExcel writes the bulletin as an XLSX workbook: a sheet 通报 with the
// title, the period lines, the highlights and every table in page order,
// and one sheet per table. Cells hold the page's text; cells that are plain
// numbers on the page (counts, yuan) are written as numbers so they can be
// summed, their value equal to the page's text without separators.
func WriteExcel(w io.Writer, b Bulletin) error {
	f := excelize.NewFile()
	defer f.Close()
	const main = "通报"
	if err := f.SetSheetName("Sheet1", main); err != nil {
		return err
	}
	set := func(sheet string, r, c int, v string) error {
		cell, err := excelize.CoordinatesToCellName(c, r)
		if err != nil {
			return err
		}
		if n, ok := plainNumber(v); ok {
			return f.SetCellValue(sheet, cell, n)
		}
		return f.SetCellStr(sheet, cell, v)
	}
	if err := f.SetCellStr(main, "A1", b.Title); err != nil {
		return err
	}
	_ = f.SetCellStr(main, "A2", "统计期间："+b.PeriodLabel+"（"+b.Period.From.Format("2006-01-02")+" 至 "+b.Period.To.AddDate(0, 0, -1).Format("2006-01-02")+"）")
	row := 3
	for _, h := range b.Highlights {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		_ = f.SetCellStr(main, cell, h)
		row++
	}
	for _, t := range b.Tables {
		row++
		cell, _ := excelize.CoordinatesToCellName(1, row)
		_ = f.SetCellStr(main, cell, t.Title)
		row++
		sheet := t.Title
		if _, err := f.NewSheet(sheet); err != nil {
			return err
		}
		for c, h := range t.Header {
			if err := set(main, row, c+1, h); err != nil {
				return err
			}
			if err := set(sheet, 1, c+1, h); err != nil {
				return err
			}
		}
		row++
		for r, cells := range t.Rows {
			for c, v := range cells {
				if err := set(main, row, c+1, v); err != nil {
					return err
				}
				if err := set(sheet, r+2, c+1, v); err != nil {
					return err
				}
			}
			row++
		}
		_ = f.SetColWidth(sheet, "A", "A", 22)
		_ = f.SetColWidth(sheet, "B", "G", 14)
	}
	_ = f.SetColWidth(main, "A", "A", 24)
	_ = f.SetColWidth(main, "B", "G", 15)
	f.SetActiveSheet(0)
	return f.Write(w)
}

// plainNumber reads "1,234" or "12,345.67" (no sign, no percent) as a
// number.
func plainNumber(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	digits := make([]byte, 0, len(s))
	dot := false
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch >= '0' && ch <= '9':
			digits = append(digits, ch)
		case ch == ',':
		case ch == '.' && !dot:
			dot = true
			digits = append(digits, ch)
		default:
			return 0, false
		}
	}
	n, err := strconv.ParseFloat(string(digits), 64)
	return n, err == nil
}
