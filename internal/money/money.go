// Package money handles amounts: integer fen (1 yuan = 100 fen) everywhere,
// parsed from and formatted to the yuan strings people and banks write,
// exactly, without floating point.
package money

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/fanzha/fanzha/internal/domain"
)

// ParseYuan converts a yuan amount written by a person or a bank ("1,234.50",
// "-0.01", "¥300", "3万") into integer fen exactly, without floating point.
func ParseYuan(s string) (int64, error) {
	s = strings.TrimSpace(s)
	s = strings.NewReplacer(",", "", "，", "", "¥", "", "￥", "", "元", "", " ", "").Replace(s)
	if s == "" {
		return 0, nil
	}
	mult := int64(1)
	if strings.HasSuffix(s, "万") {
		mult = 10000
		s = strings.TrimSuffix(s, "万")
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && !hasDot {
		return 0, domain.Invalid("金额 %q 不是数字", s)
	}
	if whole == "" {
		whole = "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, domain.Invalid("金额 %q 不是数字", s)
	}
	// Fractional digits: up to 2 for yuan (fen); with 万 up to 6.
	maxFrac := 2
	if mult == 10000 {
		maxFrac = 6
	}
	if len(frac) > maxFrac {
		return 0, domain.Invalid("金额 %q 小数位过多（精确到分）", s)
	}
	for _, r := range frac {
		if r < '0' || r > '9' {
			return 0, domain.Invalid("金额 %q 不是数字", s)
		}
	}
	padded := frac + strings.Repeat("0", maxFrac-len(frac))
	f := int64(0)
	if padded != "" {
		f, _ = strconv.ParseInt(padded, 10, 64)
	}
	// total fen = (whole + frac/10^maxFrac) * mult * 100
	var fen int64
	if mult == 1 {
		fen = w*100 + f
	} else {
		// frac has 6 digits of 万 = 10^-6 * 10^4 yuan = 10^-2 yuan = fen.
		fen = w*mult*100 + f
	}
	if w > 1<<50 {
		return 0, domain.Invalid("金额 %q 过大", s)
	}
	if neg {
		fen = -fen
	}
	return fen, nil
}

// FormatYuan writes fen as yuan with two decimals and thousands separators.
func FormatYuan(fen int64) string {
	neg := fen < 0
	if neg {
		fen = -fen
	}
	whole := strconv.FormatInt(fen/100, 10)
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	s := fmt.Sprintf("%s.%02d", b.String(), fen%100)
	if neg {
		return "-" + s
	}
	return s
}
