package tabular

import (
	"bytes"
	"encoding/csv"
	"testing"
)

func TestSafeCell(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`=HYPERLINK("http://evil.example","点我")`, `'=HYPERLINK("http://evil.example","点我")`},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"-12.50", "-12.50"},
		{"+86", "+86"},
		{"-", "'-"},
		{"王秀英", "王秀英"},
		{"a=b", "a=b"},
		{"", ""},
	} {
		if got := SafeCell(c.in); got != c.want {
			t.Errorf("SafeCell(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCSVWriterNeutralisesFormulas(t *testing.T) {
	var b bytes.Buffer
	w := NewCSVWriter(&b)
	if err := w.WriteAll([][]string{{"user", "n"}, {"=1+1", "-3"}}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[1][0] != "'=1+1" || rows[1][1] != "-3" {
		t.Errorf("rows: %q", rows)
	}
}

func FuzzSafeCell(f *testing.F) {
	for _, s := range []string{"=1", "-1", "@a", "\t", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := SafeCell(s)
		if out != "" && (out[0] == '=' || out[0] == '+' || out[0] == '@' || out[0] == '\t' || out[0] == '\r') {
			t.Errorf("SafeCell(%q) = %q starts a formula", s, out)
		}
	})
}
