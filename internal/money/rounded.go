package money

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ParseYuanRounded reads a decimal yuan amount with any number of decimals
// (a data set's, not a person's: ParseYuan refuses more than two) and
// rounds it to fen, half up (away from zero).
func ParseYuanRounded(s string) (int64, error) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimLeft(s, "+-")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" {
		whole = "0"
	}
	if len(whole) > 15 {
		return 0, errors.New("too large")
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, err
	}
	for _, c := range frac {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("not a number")
		}
	}
	frac += "000"
	f, _ := strconv.ParseInt(frac[:2], 10, 64)
	fen := w*100 + f
	if frac[2] >= '5' {
		fen++
	}
	if neg {
		fen = -fen
	}
	return fen, nil
}
