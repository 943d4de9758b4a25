// Package tabular reads the tables people and banks send: CSV (UTF-8, with
// or without BOM, or GBK/GB18030 as Chinese Excel saves it; comma, tab or
// semicolon separated) and Excel .xlsx. Rows stream one at a time, so a
// million-row file is never held in memory, and each carries its row number
// in the file (the header is row 1) for error reports.
package tabular

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// Reader yields the rows of a table.
type Reader interface {
	// Next returns the next row and its 1-based row number in the file, or
	// io.EOF. Empty rows are skipped.
	Next() (row []string, line int, err error)
	// Encoding names the detected text encoding ("utf-8", "gb18030", "xlsx").
	Encoding() string
	Close() error
}

// ErrUnsupported is returned for files that are neither CSV nor XLSX.
var ErrUnsupported = errors.New("unsupported file type")

// Open reads a table from r; name (the file name) decides between Excel and
// CSV, and the content is sniffed as well (an .xlsx is a ZIP file).
func Open(name string, r io.Reader) (Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(4)
	ext := strings.ToLower(filepath.Ext(name))
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) || ext == ".xlsx" {
		return openXLSX(br)
	}
	if ext == ".xls" {
		return nil, fmt.Errorf("%w: .xls (Excel 97-2003) — 请在 Excel 中另存为 .xlsx 或 CSV", ErrUnsupported)
	}
	return openCSV(br)
}

type csvReader struct {
	cr   *csv.Reader
	enc  string
	line int
}

// openCSV decides the encoding from the first 64 KiB: valid UTF-8 (or a
// UTF-8 BOM) is UTF-8, anything else is read as GB18030, the superset of
// GBK that Chinese Windows writes.
func openCSV(br *bufio.Reader) (Reader, error) {
	sample, err := br.Peek(64 << 10)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("read file: %w", err)
	}
	var src io.Reader = br
	enc := "utf-8"
	switch {
	case bytes.HasPrefix(sample, []byte("\xEF\xBB\xBF")):
		_, _ = br.Discard(3)
	case !validUTF8Prefix(sample):
		enc = "gb18030"
		src = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
	}
	sb := bufio.NewReaderSize(src, 64<<10)
	first, _ := sb.Peek(4096)
	cr := csv.NewReader(sb)
	cr.Comma = sniffDelimiter(first)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = false
	return &csvReader{cr: cr, enc: enc}, nil
}

// validUTF8Prefix reports whether b is UTF-8, allowing a rune cut at the end.
func validUTF8Prefix(b []byte) bool {
	for i := 0; i < 4 && len(b) > 0; i++ {
		if utf8.Valid(b) {
			return true
		}
		r, _ := utf8.DecodeLastRune(b)
		if r != utf8.RuneError {
			return false
		}
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}

func sniffDelimiter(b []byte) rune {
	line := b
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		line = b[:i]
	}
	best, n := ',', bytes.Count(line, []byte(","))
	for _, d := range []rune{'\t', ';', '|'} {
		if c := bytes.Count(line, []byte(string(d))); c > n {
			best, n = d, c
		}
	}
	return best
}

func (c *csvReader) Next() ([]string, int, error) {
	for {
		rec, err := c.cr.Read()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, 0, io.EOF
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				c.line = pe.Line
				return nil, pe.Line, fmt.Errorf("第 %d 行 CSV 格式错误：%v", pe.Line, pe.Err)
			}
			return nil, c.line, fmt.Errorf("read CSV: %w", err)
		}
		line, _ := c.cr.FieldPos(0)
		c.line = line
		if blank(rec) {
			continue
		}
		for i := range rec {
			rec[i] = strings.ToValidUTF8(strings.TrimSpace(rec[i]), "\uFFFD")
		}
		return rec, line, nil
	}
}

func (c *csvReader) Encoding() string { return c.enc }
func (c *csvReader) Close() error     { return nil }

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

type xlsxReader struct {
	f    *excelize.File
	rows *excelize.Rows
	line int
}

// openXLSX streams the first sheet of a workbook.
func openXLSX(r io.Reader) (Reader, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, fmt.Errorf("打开 Excel 文件失败（文件损坏或不是 .xlsx）：%w", err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, fmt.Errorf("Excel 文件没有工作表")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("读取工作表 %s：%w", sheets[0], err)
	}
	return &xlsxReader{f: f, rows: rows}, nil
}

func (x *xlsxReader) Next() ([]string, int, error) {
	for x.rows.Next() {
		x.line++
		rec, err := x.rows.Columns()
		if err != nil {
			return nil, x.line, fmt.Errorf("第 %d 行读取失败：%w", x.line, err)
		}
		if blank(rec) {
			continue
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		return rec, x.line, nil
	}
	if err := x.rows.Error(); err != nil {
		return nil, x.line, fmt.Errorf("read Excel rows: %w", err)
	}
	return nil, 0, io.EOF
}

func (x *xlsxReader) Encoding() string { return "xlsx" }

func (x *xlsxReader) Close() error {
	_ = x.rows.Close()
	return x.f.Close()
}

// Header maps column names to indexes, matching any of several names per
// field (banks and centres name the same column differently).
type Header map[string]int

// NewHeader indexes a header row; names are compared without spaces,
// parentheses content and case.
func NewHeader(row []string) Header {
	h := Header{}
	for i, name := range row {
		k := NormalizeName(name)
		if _, dup := h[k]; !dup && k != "" {
			h[k] = i
		}
	}
	return h
}

// NormalizeName folds a column name: trims, drops spaces, a BOM, a unit in
// parentheses ("金额(元)" → "金额") and lowercases ASCII.
func NormalizeName(s string) string {
	s = strings.TrimPrefix(strings.TrimSpace(s), "\uFEFF")
	for _, p := range []string{"(", "（"} {
		if i := strings.Index(s, p); i > 0 {
			s = s[:i]
		}
	}
	s = strings.ReplaceAll(s, " ", "")
	s = strings.ReplaceAll(s, "\u3000", "")
	return strings.ToLower(s)
}

// Find returns the index of the first of names present, or -1.
func (h Header) Find(names ...string) int {
	for _, n := range names {
		if i, ok := h[NormalizeName(n)]; ok {
			return i
		}
	}
	return -1
}

// Cell returns row[i], or "" when i is -1 or beyond the row.
func Cell(row []string, i int) string {
	if i < 0 || i >= len(row) {
		return ""
	}
	return row[i]
}
