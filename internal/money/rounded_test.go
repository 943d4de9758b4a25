package money

import "testing"

func TestParseYuanRounded(t *testing.T) {
	for s, want := range map[string]int64{"100.005": 10001, "100.0049": 10000, "0.5": 50, "7": 700, "-1.235": -124} {
		if got, err := ParseYuanRounded(s); err != nil || got != want {
			t.Errorf("ParseYuanRounded(%q) = %d, %v", s, got, err)
		}
	}
	for _, s := range []string{"1.2x", "1234567890123456"} {
		if _, err := ParseYuanRounded(s); err == nil {
			t.Errorf("ParseYuanRounded(%q) accepted", s)
		}
	}
}
