package tabular

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func readAll(t *testing.T, name string, data []byte) ([][]string, []int, string) {
	t.Helper()
	r, err := Open(name, bytes.NewReader(data))
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	defer r.Close()
	var rows [][]string
	var lines []int
	for {
		row, line, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rows = append(rows, row)
		lines = append(lines, line)
	}
	return rows, lines, r.Encoding()
}

func TestCSVEncodings(t *testing.T) {
	text := "姓名,手机号,地址\n王秀英,13800000001,青石镇李家村\n\n李建国,13800000002,\"城关街道新华社区, 5栋\"\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, enc string
		data      []byte
	}{
		{"utf8.csv", "utf-8", []byte(text)},
		{"bom.csv", "utf-8", append([]byte("\xEF\xBB\xBF"), text...)},
		{"gbk.csv", "gb18030", gbk},
		{"tab.txt", "utf-8", []byte(strings.ReplaceAll(strings.ReplaceAll(text, ",", "\t"), "\"城关街道新华社区\t 5栋\"", "城关街道新华社区, 5栋"))},
	}
	for _, c := range cases {
		rows, lines, enc := readAll(t, c.name, c.data)
		if enc != c.enc {
			t.Errorf("%s: encoding %s, want %s", c.name, enc, c.enc)
		}
		if len(rows) != 3 || rows[1][0] != "王秀英" || rows[2][2] != "城关街道新华社区, 5栋" {
			t.Errorf("%s: rows %q", c.name, rows)
		}
		if lines[0] != 1 || lines[1] != 2 || lines[2] != 4 {
			t.Errorf("%s: line numbers %v, want [1 2 4] (blank line skipped but counted)", c.name, lines)
		}
		h := NewHeader(rows[0])
		if h.Find("电话", "手机号") != 1 || h.Find("不存在") != -1 {
			t.Errorf("%s: header %v", c.name, h)
		}
	}
}

func TestXLSX(t *testing.T) {
	f := excelize.NewFile()
	_ = f.SetSheetRow("Sheet1", "A1", &[]any{"姓名", "金额(元)"})
	_ = f.SetSheetRow("Sheet1", "A2", &[]any{"王秀英", "1,234.50"})
	_ = f.SetSheetRow("Sheet1", "A4", &[]any{"李建国", "-0.01"})
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	rows, lines, enc := readAll(t, "x.xlsx", buf.Bytes())
	if enc != "xlsx" || len(rows) != 3 || rows[2][1] != "-0.01" || lines[2] != 4 {
		t.Fatalf("xlsx rows %q lines %v enc %s", rows, lines, enc)
	}
	if NewHeader(rows[0]).Find("金额") != 1 {
		t.Fatal("unit in parentheses not folded")
	}
}

func TestRejectsXLS(t *testing.T) {
	if _, err := Open("old.xls", strings.NewReader("\xD0\xCF\x11\xE0")); err == nil {
		t.Fatal("xls accepted")
	}
}

// FuzzCSV: any bytes either read as rows or fail with an error; never a
// panic, and every row is valid UTF-8 with a positive line number.
func FuzzCSV(f *testing.F) {
	f.Add([]byte("a,b\n1,2\n"))
	f.Add([]byte("\xEF\xBB\xBF姓名,电话\n王,138\n"))
	f.Add([]byte("\"unterminated,x\n"))
	gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("姓名\t地址\n张三\t云溪县\n"))
	f.Add(gbk)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Open("f.csv", bytes.NewReader(data))
		if err != nil {
			return
		}
		for i := 0; i < 10000; i++ {
			row, line, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				return
			}
			if line <= 0 {
				t.Fatalf("row %q has line %d", row, line)
			}
			for _, c := range row {
				if !utf8Valid(c) {
					t.Fatalf("invalid UTF-8 cell %q", c)
				}
			}
		}
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
