// Package tabular reads the tables people and banks send: CSV (UTF-8, with
// or without BOM, or GBK/GB18030 as Chinese Excel saves it; comma, tab or
// semicolon separated) and Excel .xlsx. Rows stream one at a time, so a
// million-row file is never held in memory, and each carries its row number
// in the file (the header is row 1) for error reports.
package tabular

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"github.com/fanzha/fanzha/internal/domain"
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

// ErrUnsupported is returned for files that are neither CSV nor XLSX; it
// wraps domain.ErrInvalid.
var ErrUnsupported = fmt.Errorf("unsupported file type: %w", domain.ErrInvalid)

// Limits on what one file may make the server hold. A row, a cell or a
// workbook over them is refused with a LimitError naming the row: real
// tables (statements, rosters, trees, officer lists) stay far below them,
// while a crafted file (one 200 MB cell, a zip bomb, thousands of columns)
// would otherwise take the server's memory or disk.
const (
	// MaxCellBytes bounds one cell's text.
	MaxCellBytes = 32 << 10
	// MaxColumns bounds the columns of a row (trailing empty cells are
	// not counted).
	MaxColumns = 1000
	// MaxRowBytes bounds one row's text, all cells together.
	MaxRowBytes = 1 << 20
	// MaxXLSXBytes bounds an .xlsx file as uploaded (compressed); larger
	// tables come as CSV, which is streamed.
	MaxXLSXBytes = 64 << 20
	// MaxUnzipBytes bounds all parts of a workbook uncompressed; the
	// worksheet beyond maxXMLInMemory is unpacked to a temporary file
	// removed on Close.
	MaxUnzipBytes = 512 << 20
	// maxXMLInMemory is excelize's UnzipXMLSizeLimit: larger worksheets
	// are read from a temporary file, row by row.
	maxXMLInMemory = 16 << 20
	// maxSharedStringsBytes and maxSharedStrings bound the shared-string
	// table, which excelize holds in memory whole.
	maxSharedStringsBytes = 64 << 20
	maxSharedStrings      = 1_000_000
	// maxOtherPartBytes bounds every other part (styles, workbook, …),
	// read into memory whole.
	maxOtherPartBytes = 16 << 20
	// maxInMemoryBytes bounds all the parts excelize holds in memory
	// whole: every part but a worksheet over maxXMLInMemory.
	maxInMemoryBytes = 96 << 20
	// maxTagBytes bounds one XML tag with its attributes.
	maxTagBytes = 64 << 10
	// maxCellElements bounds the cell elements of a worksheet row: Excel
	// has 16,384 columns. Empty styled cells may pad a row that far;
	// MaxColumns applies to the cells up to the last one with a value.
	maxCellElements = 16384
)

// ErrTooLarge is what every LimitError is (errors.Is); it wraps
// domain.ErrTooLarge.
var ErrTooLarge = fmt.Errorf("table over its size limits: %w", domain.ErrTooLarge)

// LimitError is a file, row or cell over a limit. Its text is the Chinese
// message for the person who uploaded the file; Line is the row (0 for the
// whole file).
type LimitError struct {
	Line int
	Msg  string
}

func (e *LimitError) Error() string        { return e.Msg }
func (e *LimitError) Is(target error) bool { return target == ErrTooLarge }

// Unwrap makes the error one of the domain family: kind TooLarge, with the
// same message.
func (e *LimitError) Unwrap() error { return domain.TooLarge("%s", e.Msg) }

func limitErr(line int, format string, args ...any) error {
	return &LimitError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// checkRow applies the row and cell limits to a row as read; it returns
// the row without trailing empty cells when it is wider than MaxColumns.
func checkRow(rec []string, line int) ([]string, error) {
	if len(rec) > MaxColumns {
		n := len(rec)
		for n > 0 && strings.TrimSpace(rec[n-1]) == "" {
			n--
		}
		if n > MaxColumns {
			return nil, limitErr(line, "第 %d 行有 %d 列，超过 %d 列的上限", line, n, MaxColumns)
		}
		rec = rec[:n]
	}
	total := 0
	for i, f := range rec {
		if len(f) > MaxCellBytes {
			return nil, limitErr(line, "第 %d 行第 %d 列内容有 %d 字节，超过每格 %d KB 的上限", line, i+1, len(f), MaxCellBytes>>10)
		}
		total += len(f)
	}
	if total > MaxRowBytes {
		return nil, limitErr(line, "第 %d 行内容超过 %d MB 的上限", line, MaxRowBytes>>20)
	}
	return rec, nil
}

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
		return nil, domain.Invalid("不支持 .xls (Excel 97-2003) 文件，请在 Excel 中另存为 .xlsx 或 CSV").With(ErrUnsupported)
	}
	return openCSV(br)
}

type csvReader struct {
	cr    *csv.Reader
	guard *rowGuard
	enc   string
	line  int
	err   error // sticky: after a row over the limit the stream is not trusted
}

// errRowTooLong is the rowGuard's refusal.
var errRowTooLong = errors.New("row too long")

// rowGuard sits under the CSV parser and fails a read when more than max
// bytes were taken since the last record began (reset by Next), so that
// one endless line or an unclosed quote never makes the parser hold more
// than about a row's limit (plus its read-ahead buffer).
type rowGuard struct {
	r   io.Reader
	n   int
	max int
}

func (g *rowGuard) Read(p []byte) (int, error) {
	if g.n > g.max {
		return 0, errRowTooLong
	}
	n, err := g.r.Read(p)
	g.n += n
	return n, err
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
	guard := &rowGuard{r: src, max: MaxRowBytes}
	sb := bufio.NewReaderSize(guard, 64<<10)
	first, _ := sb.Peek(4096)
	cr := csv.NewReader(sb)
	cr.Comma = sniffDelimiter(first)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = false
	return &csvReader{cr: cr, guard: guard, enc: enc}, nil
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
	if c.err != nil {
		return nil, c.line, c.err
	}
	for {
		c.guard.n = 0
		rec, err := c.cr.Read()
		if err != nil {
			if errors.Is(err, errRowTooLong) {
				c.err = limitErr(c.line+1, "第 %d 行内容超过 %d MB 的上限（单元格过长或引号未闭合），其后的内容未读取", c.line+1, MaxRowBytes>>20)
				return nil, c.line + 1, c.err
			}
			if errors.Is(err, io.EOF) {
				return nil, 0, io.EOF
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				c.line = pe.Line
				return nil, pe.Line, domain.Invalid("第 %d 行 CSV 格式错误：%v", pe.Line, pe.Err)
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
		rec, err = checkRow(rec, line)
		if err != nil {
			return nil, line, err
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
	f      *excelize.File
	rows   *excelize.Rows
	tmpDir string
	line   int
}

// openXLSX streams the first sheet of a workbook. The file is read whole
// (excelize needs random access) up to MaxXLSXBytes, checked against the
// workbook limits without unpacking it into memory (checkWorkbook), then
// opened with excelize's unzip limits and a temporary directory of its
// own, removed on Close or on failure.
func openXLSX(r io.Reader) (Reader, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxXLSXBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read file: %w", err)
	}
	if len(data) > MaxXLSXBytes {
		return nil, limitErr(0, "Excel 文件超过 %d MB 的上限，请另存为 CSV 后导入或分批导入", MaxXLSXBytes>>20)
	}
	if err := checkWorkbook(data); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "fanzha-xlsx-")
	if err != nil {
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: MaxUnzipBytes, UnzipXMLSizeLimit: maxXMLInMemory, TmpDir: dir})
	if err != nil {
		if f != nil {
			_ = f.Close()
		}
		_ = os.RemoveAll(dir)
		if strings.Contains(err.Error(), "unzip size exceeds") {
			return nil, limitErr(0, "Excel 文件解压后超过 %d MB 的上限（可能是压缩炸弹），未读取", MaxUnzipBytes>>20)
		}
		return nil, errNotXLSX
	}
	fail := func(err error) (Reader, error) {
		_ = f.Close()
		_ = os.RemoveAll(dir)
		return nil, err
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return fail(domain.Invalid("Excel 文件没有工作表"))
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return fail(fmt.Errorf("读取工作表 %s：%w", sheets[0], err))
	}
	return &xlsxReader{f: f, rows: rows, tmpDir: dir}, nil
}

// checkWorkbook refuses a workbook over the limits before excelize opens
// it: the parts' sizes as the archive declares them (archive/zip refuses
// to inflate a part beyond its declared size, so a lying header fails as a
// damaged file), then one streaming pass over the worksheets and the
// shared strings (scanXML) for cells, tags and rows over the limits —
// memory stays at a read buffer whatever the file expands to.
// errNotXLSX is what a person reads when a file named .xlsx is not a
// workbook; the library's own message (「zip: not a valid zip file」) is
// no help to them.
var errNotXLSX = domain.Invalid("打开 Excel 文件失败（文件损坏或不是 .xlsx 格式），请在 Excel 中另存为 .xlsx 或 CSV 后重试")

func checkWorkbook(data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return errNotXLSX
	}
	var total, inMemory uint64
	for _, zf := range zr.File {
		size := zf.UncompressedSize64
		total += size
		if total > MaxUnzipBytes {
			return limitErr(0, "Excel 文件解压后超过 %d MB 的上限（可能是压缩炸弹），未读取", MaxUnzipBytes>>20)
		}
		name := strings.ToLower(strings.ReplaceAll(zf.Name, "\\", "/"))
		sheet := strings.HasPrefix(name, "xl/worksheets/sheet")
		if !sheet || size <= maxXMLInMemory {
			// excelize holds this part in memory whole.
			inMemory += size
			if inMemory > maxInMemoryBytes {
				return limitErr(0, "Excel 文件的工作表、图片等内容解压后超过 %d MB 的上限，请只保留要导入的工作表，或另存为 CSV 后导入", maxInMemoryBytes>>20)
			}
		}
		switch {
		case sheet:
		case name == "xl/sharedstrings.xml":
			if size > maxSharedStringsBytes {
				return limitErr(0, "Excel 文件的共享字符串表解压后超过 %d MB 的上限，请另存为 CSV 后导入", maxSharedStringsBytes>>20)
			}
		default:
			if size > maxOtherPartBytes {
				return limitErr(0, "Excel 文件的组成部分 %s 解压后超过 %d MB 的上限，未读取", zf.Name, maxOtherPartBytes>>20)
			}
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return errNotXLSX
		}
		err = scanXML(rc, name == "xl/sharedstrings.xml")
		rc.Close()
		if err != nil {
			if errors.Is(err, ErrTooLarge) {
				return err
			}
			return errNotXLSX
		}
	}
	return nil
}

// scanXML walks the bytes of a worksheet or the shared-string table
// without building anything: text between tags is at most a cell's limit
// escaped (an entity is at most 6 bytes per character), a tag at most
// maxTagBytes, a row at most maxCellElements cell elements, the table at most
// maxSharedStrings strings. Row numbers count <row> elements.
func scanXML(r io.Reader, sharedStrings bool) error {
	br := bufio.NewReaderSize(r, 64<<10)
	const maxText = 6 * MaxCellBytes
	var (
		inTag                      bool
		text, tag, row, cells      int
		strs                       int
		name                       [8]byte
		nameLen                    int
		nameDone, closing, started bool
	)
	for {
		b, err := br.ReadByte()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if !inTag {
			if b == '<' {
				inTag, tag, nameLen, nameDone, closing, started = true, 0, 0, false, false, false
				text = 0
				continue
			}
			text++
			if text > maxText {
				if sharedStrings {
					return limitErr(0, "Excel 文件第 %d 个共享字符串超过每格 %d KB 的上限", strs, MaxCellBytes>>10)
				}
				return limitErr(row, "第 %d 行有单元格内容超过每格 %d KB 的上限", row, MaxCellBytes>>10)
			}
			continue
		}
		tag++
		if tag > maxTagBytes {
			return limitErr(row, "第 %d 行的 XML 标记超过 %d KB，文件异常，未读取", row, maxTagBytes>>10)
		}
		if !nameDone {
			switch {
			case b == '/' && !started:
				closing = true
				continue
			case b == ' ' || b == '>' || b == '/' || b == '\t' || b == '\n' || b == '\r':
				nameDone = true
				if !closing && nameLen <= len(name) {
					local := name[:nameLen]
					if i := bytes.IndexByte(local, ':'); i >= 0 {
						local = local[i+1:]
					}
					switch string(local) {
					case "row":
						row++
						cells = 0
					case "c":
						cells++
						if cells > maxCellElements {
							return limitErr(row, "第 %d 行有超过 %d 个单元格，超过 Excel 的列数上限，文件异常，未读取", row, maxCellElements)
						}
					case "si":
						strs++
						if strs > maxSharedStrings {
							return limitErr(0, "Excel 文件的共享字符串超过 %d 个的上限，请另存为 CSV 后导入", maxSharedStrings)
						}
					}
				}
			default:
				started = true
				if nameLen < len(name) {
					name[nameLen] = b
				}
				nameLen++ // a name longer than name is none of those counted
			}
		}
		if b == '>' {
			inTag = false
		}
	}
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
		rec, err = checkRow(rec, x.line)
		if err != nil {
			return nil, x.line, err
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
	err := x.f.Close()
	if rerr := os.RemoveAll(x.tmpDir); err == nil {
		err = rerr
	}
	return err
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
