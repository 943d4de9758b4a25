package bulletin

import "strconv"

// Change is how a figure moved against a base period (环比 or 同比).
//
// The percentage is computed exactly in integers: tenths of a percent
// q = round(|cur − base| × 1000 / base), rounded half up (away from zero
// on the magnitude), then written with one decimal and the sign of
// cur − base: "+25.4%", "-38.9%", "0.0%". When the base is 0 there is no
// percentage and the text is "—" (even if cur is 0 too).
type Change struct {
	Cur   int64  `json:"cur"`
	Base  int64  `json:"base"`
	Delta int64  `json:"delta"`
	Text  string `json:"text"`
}

// NewChange compares cur with base.
func NewChange(cur, base int64) Change {
	c := Change{Cur: cur, Base: base, Delta: cur - base}
	c.Text = PercentChange(cur, base)
	return c
}

// PercentChange is the Change text of cur against base.
func PercentChange(cur, base int64) string {
	if base <= 0 {
		return "—"
	}
	d := cur - base
	mag := d
	if mag < 0 {
		mag = -mag
	}
	q := (mag*1000*2 + base) / (2 * base)
	sign := ""
	switch {
	case d > 0:
		sign = "+"
	case d < 0:
		sign = "-"
	}
	if q == 0 {
		sign = ""
	}
	return sign + strconv.FormatInt(q/10, 10) + "." + strconv.FormatInt(q%10, 10) + "%"
}

// PointChange is the change of a rate held in per mille, in percentage
// points with one decimal ("+1.2个百分点"); "—" when either rate has no
// denominator (curOK / baseOK false).
func PointChange(cur, base int64, curOK, baseOK bool) string {
	if !curOK || !baseOK {
		return "—"
	}
	d := cur - base
	sign := ""
	if d > 0 {
		sign = "+"
	} else if d < 0 {
		sign, d = "-", -d
	}
	return sign + strconv.FormatInt(d/10, 10) + "." + strconv.FormatInt(d%10, 10) + "个百分点"
}

// Permille is a per mille, rounded half up; 0 when den is 0.
func Permille(num, den int64) int64 {
	if den <= 0 {
		return 0
	}
	return (num*1000*2 + den) / (2 * den)
}

// PermilleText writes a per mille as a percentage with one decimal, "—"
// without a denominator.
func PermilleText(p int64, ok bool) string {
	if !ok {
		return "—"
	}
	return strconv.FormatInt(p/10, 10) + "." + strconv.FormatInt(p%10, 10) + "%"
}

// Count writes an integer with thousands separators.
func Count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3+1)
	if neg {
		out = append(out, '-')
	}
	for i := 0; i < len(s); i++ {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}
