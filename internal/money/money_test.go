package money

import "testing"

func TestParseYuan(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1,234.50", 123450, true},
		{"-0.01", -1, true},
		{"0.1", 10, true},
		{"¥300", 30000, true},
		{"3万", 3_000_000, true},
		{"3.5万", 3_500_000, true},
		{"", 0, true},
		{"12.345", 0, false},
		{"abc", 0, false},
		{"1.2.3", 0, false},
		{"  88 ", 8800, true},
		{"1，000元", 100000, true},
	}
	for _, c := range cases {
		got, err := ParseYuan(c.in)
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("ParseYuan(%q) = %d, %v; want %d ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestFormatYuan(t *testing.T) {
	for _, c := range []struct {
		fen  int64
		want string
	}{{0, "0.00"}, {1, "0.01"}, {-1, "-0.01"}, {123450, "1,234.50"}, {100000000, "1,000,000.00"}, {99, "0.99"}} {
		if got := FormatYuan(c.fen); got != c.want {
			t.Errorf("FormatYuan(%d) = %q, want %q", c.fen, got, c.want)
		}
	}
}
