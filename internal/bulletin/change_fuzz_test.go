package bulletin

import (
	"strconv"
	"strings"
	"testing"
)

// The integer percentage equals the exact rational one for any counts and
// fen amounts a county can have (up to ¥10 billion).
func FuzzPercentChange(f *testing.F) {
	for _, s := range [][2]int64{{0, 0}, {1, 3}, {2, 3}, {1602, 2620}, {999_999_999_999, 1}, {5, 1_000_000}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, cur, base int64) {
		const limit = 1_000_000_000_000 // fen
		if cur < 0 || base < 0 || cur > limit || base > limit {
			t.Skip()
		}
		if got, want := PercentChange(cur, base), refPercent(cur, base); got != want {
			t.Fatalf("PercentChange(%d, %d) = %q, exact %q", cur, base, got, want)
		}
	})
}

// plainNumber reads back exactly what Count and Yuan write, and nothing
// with a sign, a percent or other text.
func FuzzPlainNumber(f *testing.F) {
	f.Add(int64(1234567), "+12.5%")
	f.Add(int64(0), "—")
	f.Fuzz(func(t *testing.T, n int64, other string) {
		if n < 0 {
			n = -n
		}
		if n < 0 {
			t.Skip()
		}
		if v, ok := plainNumber(Count(n)); !ok || strconv.FormatFloat(v, 'f', 0, 64) != strconv.FormatFloat(float64(n), 'f', 0, 64) {
			t.Fatalf("Count(%d) read back as %v %v", n, v, ok)
		}
		if n < 1<<50 {
			if v, ok := plainNumber(Yuan(n)); !ok || v*100 < float64(n)-0.5 || v*100 > float64(n)+0.5 {
				t.Fatalf("Yuan(%d) read back as %v %v", n, v, ok)
			}
		}
		if strings.ContainsAny(other, "+-%—个") {
			if _, ok := plainNumber(other); ok {
				t.Fatalf("plainNumber(%q) accepted", other)
			}
		}
	})
}
