package tabular

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/fanzha/fanzha/internal/tabular/tabulartest"
)

// filler yields the same byte forever.
type filler byte

func (f filler) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(f)
	}
	return len(p), nil
}

// countingReader counts what was read of it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// heapGrowth runs f and reports how far the heap in use rose above where
// it started (sampled after f and at every call of sample).
func heapGrowth(t *testing.T, f func(sample func())) uint64 {
	t.Helper()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapInuse, ms.HeapInuse
	sample := func() {
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}
	f(sample)
	sample()
	return peak - base
}

// firstError reads rows until an error or the end.
func firstError(r Reader) (rows int, line int, err error) {
	for {
		_, l, err := r.Next()
		if err == io.EOF {
			return rows, 0, nil
		}
		if err != nil {
			return rows, l, err
		}
		rows++
	}
}

// A 200 MB cell in a CSV is refused at its row, and the reader takes only
// about a row's limit of it: the rest of the file is never read.
func TestCSVHugeCellRefused(t *testing.T) {
	const huge = 200 << 20
	for _, enc := range []string{"utf-8", "gb18030"} {
		head := "户名,账号,摘要\n王秀英,6222000000000001,转账\n李建国,6222000000000002,\""
		var src io.Reader = io.MultiReader(strings.NewReader(head), io.LimitReader(filler('x'), huge), strings.NewReader("\"\n"))
		if enc == "gb18030" {
			gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(head))
			src = io.MultiReader(bytes.NewReader(gbk), io.LimitReader(filler(0xB0), huge), strings.NewReader("\"\n"))
		}
		cr := &countingReader{r: src}
		var rows, line int
		var err error
		grow := heapGrowth(t, func(func()) {
			r, oerr := Open("s.csv", cr)
			if oerr != nil {
				t.Fatal(oerr)
			}
			rows, line, err = firstError(r)
		})
		if !errors.Is(err, ErrTooLarge) || line != 3 || !strings.Contains(err.Error(), "第 3 行") {
			t.Errorf("%s: rows %d, line %d, err %v; want a limit error at row 3", enc, rows, line, err)
		}
		if rows != 2 {
			t.Errorf("%s: %d rows before the huge cell, want 2", enc, rows)
		}
		if cr.n > 4*MaxRowBytes {
			t.Errorf("%s: read %d bytes of a file with a 200 MB cell, want about %d", enc, cr.n, MaxRowBytes)
		}
		if grow > 64<<20 {
			t.Errorf("%s: heap grew %d MB", enc, grow>>20)
		}
	}
}

// Cells over MaxCellBytes, rows wider than MaxColumns and rows over
// MaxRowBytes are refused with their row number, in CSV and in Excel; a
// row padded with empty cells is not too wide.
func TestRowAndCellLimits(t *testing.T) {
	wide := func(n int, v string) []string {
		r := make([]string, n)
		for i := range r {
			r[i] = v
		}
		return r
	}
	padded := append([]string{"a", "b"}, wide(12000, "")...)
	cases := []struct {
		name string
		row  []string
		want string // "" for accepted
	}{
		{"long cell", []string{"王秀英", strings.Repeat("中", MaxCellBytes/3+1)}, "第 2 行第 2 列"},
		{"cell at the limit", []string{"王秀英", strings.Repeat("x", MaxCellBytes)}, ""},
		{"10,000 columns", wide(10000, "1"), "第 2 行有"},
		{"padded row", padded, ""},
		{"long row", wide(40, strings.Repeat("y", 30<<10)), "第 2 行内容超过"},
	}
	for _, c := range cases {
		// CSV.
		var b strings.Builder
		b.WriteString("a,b\n")
		b.WriteString(strings.Join(c.row, ","))
		b.WriteString("\n3,4\n")
		r, err := Open("x.csv", strings.NewReader(b.String()))
		if err != nil {
			t.Fatal(err)
		}
		check := func(kind string, rows int, line int, err error) {
			t.Helper()
			if c.want == "" {
				if err != nil || rows != 3 {
					t.Errorf("%s %s: %d rows, %v; want accepted", kind, c.name, rows, err)
				}
				return
			}
			if !errors.Is(err, ErrTooLarge) || line != 2 || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s %s: line %d, err %v; want %q", kind, c.name, line, err, c.want)
			}
		}
		rows, line, err := firstError(r)
		check("csv", rows, line, err)

		// Excel (excelize keeps a cell to 32,767 characters, enough here).
		f := excelize.NewFile()
		_ = f.SetSheetRow("Sheet1", "A1", &[]any{"a", "b"})
		row := make([]any, len(c.row))
		for i, v := range c.row {
			row[i] = v
		}
		if len(row) > 16384 {
			row = row[:16384]
		}
		if err := f.SetSheetRow("Sheet1", "A2", &row); err != nil {
			t.Fatal(err)
		}
		_ = f.SetSheetRow("Sheet1", "A3", &[]any{"3", "4"})
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		xr, err := Open("x.xlsx", bytes.NewReader(buf.Bytes()))
		if err != nil {
			if c.want != "" && errors.Is(err, ErrTooLarge) && strings.Contains(err.Error(), "第 2 行") {
				continue // refused when the workbook was checked
			}
			t.Fatalf("xlsx %s: %v", c.name, err)
		}
		rows, line, err = firstError(xr)
		xr.Close()
		check("xlsx", rows, line, err)
	}
}

// bombWorkbook is tabulartest.Workbook, failing the test on error.
func bombWorkbook(t *testing.T, sheet tabulartest.Sheet) []byte {
	t.Helper()
	data, err := tabulartest.Workbook(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

const (
	sheetHead = tabulartest.SheetHead
	sheetTail = tabulartest.SheetTail
)

// Hole 3: an .xlsx of about 1 MB whose sheet expands to 1 GB is refused
// with a clear message, quickly and without the memory growing; so is the
// same bomb with a lying size in its header, and a sheet that stays under
// the total limit but carries one 100 MB cell. Nothing is left in the
// temporary directory.
func TestXLSXZipBombRefused(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	cases := []struct {
		name string
		part tabulartest.Sheet
		want string
	}{
		{"1 GB sheet", tabulartest.Sheet{Prefix: sheetHead, Suffix: sheetTail, Fill: 'a', N: 1 << 30}, "压缩炸弹"},
		{"1 GB sheet declared 4 KB", tabulartest.Sheet{Prefix: sheetHead, Suffix: sheetTail, Fill: 'a', N: 1 << 30, Declared: 4 << 10}, "文件损坏"},
		{"one 100 MB cell", tabulartest.Sheet{Prefix: sheetHead, Suffix: sheetTail, Fill: 'a', N: 100 << 20}, "第 2 行有单元格内容超过"},
		{"ten 15 MB images", tabulartest.Sheet{Prefix: sheetHead + "x", Suffix: sheetTail, Media: 10, MediaBytes: 15 << 20}, "图片等内容解压后超过"},
		{"a 100 MB tag", tabulartest.Sheet{Prefix: sheetHead + `x</t></is></c><c r="B2" `, Suffix: `/></row></sheetData></worksheet>`, Fill: ' ', N: 100 << 20}, "第 2 行的 XML 标记"},
	}
	for _, c := range cases {
		data := bombWorkbook(t, c.part)
		if len(data) > 2<<20 {
			t.Fatalf("%s: the bomb is %d bytes, meant to be small", c.name, len(data))
		}
		var err error
		grow := heapGrowth(t, func(func()) {
			var r Reader
			r, err = Open("bomb.xlsx", bytes.NewReader(data))
			if err == nil {
				_, _, err = firstError(r)
				r.Close()
			}
		})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
		if grow > 64<<20 {
			t.Errorf("%s: heap grew %d MB", c.name, grow>>20)
		}
		if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
			t.Errorf("%s: %d files left in the temporary directory", c.name, len(entries))
		}
	}
	// A row of many cell elements is refused by the check as well.
	var cells strings.Builder
	for i := 0; i < maxCellElements+1; i++ {
		cells.WriteString(`<c><v>1</v></c>`)
	}
	data := bombWorkbook(t, tabulartest.Sheet{Prefix: strings.TrimSuffix(sheetHead, `<c r="A2" t="inlineStr"><is><t>`) + cells.String(), Suffix: `</row></sheetData></worksheet>`})
	if _, err := Open("wide.xlsx", bytes.NewReader(data)); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "第 2 行有超过 16384 个单元格") {
		t.Errorf("wide row: %v", err)
	}
}

// A large sheet (over the part excelize keeps in memory) is unpacked to a
// temporary file, which Close removes.
func TestXLSXTempFileRemoved(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var rows strings.Builder
	for i := 3; rows.Len() < maxXMLInMemory+1<<20; i++ {
		fmt.Fprintf(&rows, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>王秀英%d</t></is></c></row>`, i, i, i)
	}
	data := bombWorkbook(t, tabulartest.Sheet{Prefix: strings.TrimSuffix(sheetHead, `<row r="2"><c r="A2" t="inlineStr"><is><t>`) + rows.String(), Suffix: `</sheetData></worksheet>`})
	r, err := Open("big.xlsx", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	if row, line, err := r.Next(); err != nil || row[0] != "王秀英3" || line != 3 {
		t.Fatalf("second row %q line %d: %v", row, line, err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) == 0 {
		t.Fatal("expected excelize to unpack the large sheet to a temporary file")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("%d files left in the temporary directory after Close", len(entries))
	}
}

// GBK garbage, random bytes and unclosed quotes read as rows or fail with
// errors, never hold more than about a row.
func TestGarbageStaysBounded(t *testing.T) {
	rnd := rand.New(rand.NewSource(18))
	garbage := make([]byte, 16<<20)
	rnd.Read(garbage)
	gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(strings.Repeat("姓名,电话,\"地址\n", 1<<18)))
	for name, data := range map[string][]byte{"random": garbage, "gbk unclosed quotes": gbk,
		"one line": bytes.Repeat([]byte("x"), 16<<20)} {
		grow := heapGrowth(t, func(sample func()) {
			r, err := Open("g.csv", bytes.NewReader(data))
			if err != nil {
				return
			}
			for i := 0; ; i++ {
				row, _, err := r.Next()
				if err != nil {
					break
				}
				if _, err := checkRow(row, 1); err != nil {
					t.Errorf("%s: a row over the limits came through: %v", name, err)
				}
				if i%1000 == 0 {
					sample()
				}
			}
		})
		if grow > 64<<20 {
			t.Errorf("%s: heap grew %d MB", name, grow>>20)
		}
	}
}

// FuzzScanXML: scanXML never panics and refuses only with limit errors.
func FuzzScanXML(f *testing.F) {
	f.Add([]byte(sheetHead + "x" + sheetTail))
	f.Add([]byte(`<x:row><x:c/><x:c></x:c></x:row><si><t>a</t></si>`))
	f.Add([]byte(`<</>>< / ><row`))
	f.Fuzz(func(t *testing.T, data []byte) {
		err := scanXML(bytes.NewReader(data), len(data)%2 == 0)
		if err != nil && !errors.Is(err, ErrTooLarge) {
			t.Fatalf("unexpected error %v", err)
		}
	})
}

// FuzzOpenXLSX: any bytes given as an .xlsx open or fail with an error,
// rows come within the limits, and nothing is left in the temporary
// directory after Close.
func FuzzOpenXLSX(f *testing.F) {
	good := excelize.NewFile()
	_ = good.SetSheetRow("Sheet1", "A1", &[]any{"户名", "=1+1", "+86 138"})
	_ = good.SetCellFormula("Sheet1", "B2", "SUM(A1:A9)")
	var buf bytes.Buffer
	_ = good.Write(&buf)
	f.Add(buf.Bytes())
	small, _ := tabulartest.Workbook(tabulartest.Sheet{Prefix: sheetHead, Suffix: sheetTail, Fill: 'a', N: 1 << 20})
	f.Add(small)
	f.Add([]byte("PK\x03\x04 not a zip"))
	tmp := f.TempDir()
	f.Setenv("TMPDIR", tmp)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Open("f.xlsx", bytes.NewReader(data))
		if err == nil {
			for i := 0; i < 10000; i++ {
				row, line, err := r.Next()
				if err != nil {
					break
				}
				if _, err := checkRow(row, line); err != nil {
					t.Fatalf("row over the limits came through: %v", err)
				}
			}
			r.Close()
		}
		if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
			t.Fatalf("%d files left in the temporary directory", len(entries))
		}
	})
}
