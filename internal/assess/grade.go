// Package assess is what stations are assessed on: a league table of the
// stations (or towns) under a node for any period, each figure with its
// colour by configurable thresholds (红/橙/黄/绿) and the unit's colour
// the worst of its figures. docs/INSTRUCTIONS.md defines the figures.
package assess

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// Colour is a grade of the four-colour scale, worst first.
type Colour string

// Colours.
const (
	Red    Colour = "red"
	Orange Colour = "orange"
	Yellow Colour = "yellow"
	Green  Colour = "green"
	None   Colour = "" // no data: not graded
)

var colourRank = map[Colour]int{Red: 0, Orange: 1, Yellow: 2, Green: 3}

// Rank orders colours worst first: red 0 … green 3, not graded (None) last.
func Rank(c Colour) int {
	if r, ok := colourRank[c]; ok {
		return r
	}
	return len(colourRank)
}

// ColourName is the Chinese label of a colour.
func ColourName(c Colour) string {
	switch c {
	case Red:
		return "红"
	case Orange:
		return "橙"
	case Yellow:
		return "黄"
	case Green:
		return "绿"
	}
	return "—"
}

// Worse returns the worse of two colours; None never wins.
func Worse(a, b Colour) Colour {
	if a == None {
		return b
	}
	if b == None {
		return a
	}
	if Rank(b) < Rank(a) {
		return b
	}
	return a
}

// Thresholds grade one figure: the bounds between red|orange, orange|yellow
// and yellow|green. When HigherBetter, a value below Red is red, below
// Orange orange, below Yellow yellow, else green; otherwise a value above
// Red is red, above Orange orange, above Yellow yellow, else green.
type Thresholds struct {
	Red, Orange, Yellow int64
	HigherBetter        bool
}

// Grade colours a value.
func (t Thresholds) Grade(v int64) Colour {
	if t.HigherBetter {
		switch {
		case v < t.Red:
			return Red
		case v < t.Orange:
			return Orange
		case v < t.Yellow:
			return Yellow
		}
		return Green
	}
	switch {
	case v > t.Red:
		return Red
	case v > t.Orange:
		return Orange
	case v > t.Yellow:
		return Yellow
	}
	return Green
}

// String writes thresholds as stored: red/orange/yellow.
func (t Thresholds) String() string {
	return fmt.Sprintf("%d/%d/%d", t.Red, t.Orange, t.Yellow)
}

// ParseThresholds reads "red/orange/yellow" for a figure, checking the
// order its direction needs.
func ParseThresholds(v string, higherBetter bool) (Thresholds, error) {
	parts := strings.Split(strings.TrimSpace(v), "/")
	if len(parts) != 3 {
		return Thresholds{}, domain.Invalid("应为三个界值“红/橙/黄”，如 800/850/900")
	}
	var n [3]int64
	for i, p := range parts {
		x, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
		if err != nil || x < 0 {
			return Thresholds{}, domain.Invalid("界值 %q 应为非负整数", p)
		}
		n[i] = x
	}
	t := Thresholds{Red: n[0], Orange: n[1], Yellow: n[2], HigherBetter: higherBetter}
	if higherBetter && !(t.Red <= t.Orange && t.Orange <= t.Yellow) {
		return Thresholds{}, domain.Invalid("越高越好的指标，界值应从小到大：红 ≤ 橙 ≤ 黄")
	}
	if !higherBetter && !(t.Red >= t.Orange && t.Orange >= t.Yellow) {
		return Thresholds{}, domain.Invalid("越低越好的指标，界值应从大到小：红 ≥ 橙 ≥ 黄")
	}
	return t, nil
}

// Figure is one column of the league table.
type Figure struct {
	Key          string
	Name         string
	Unit         string // ‰ or 每万人
	HigherBetter bool
	Default      Thresholds
}

// Figures are the graded figures, in table order. Rates are in ‰; per
// 10,000 inhabitants figures in hundredths (so 1.25 cases is 125).
var Figures = []Figure{
	{"dissuasion", "劝阻成功率", "‰", true, Thresholds{800, 850, 900, true}},
	{"relapse", "劝阻后被骗率", "‰", false, Thresholds{50, 30, 10, false}},
	{"first_contact", "首次联系及时率", "‰", true, Thresholds{800, 900, 950, true}},
	{"feedback", "指令反馈及时率", "‰", true, Thresholds{800, 900, 950, true}},
	{"onsite", "落地核查率", "‰", true, Thresholds{800, 900, 950, true}},
	{"cases_per_10k", "每万人发案数", "每万人（百分之一）", false, Thresholds{300, 200, 100, false}},
	{"coverage", "宣传覆盖率", "‰", true, Thresholds{500, 700, 900, true}},
	{"app_per_10k", "每万人反诈APP注册数", "每万人", true, Thresholds{2000, 3000, 4000, true}},
}

// FigureByKey finds a figure.
func FigureByKey(k string) (Figure, bool) {
	for _, f := range Figures {
		if f.Key == k {
			return f, true
		}
	}
	return Figure{}, false
}

// Setting is the settings key of a figure's thresholds.
func Setting(key string) string { return "assess." + key }

// LoadThresholds reads the stored thresholds over the defaults.
func LoadThresholds(ctx context.Context, q db.Querier) (map[string]Thresholds, error) {
	out := map[string]Thresholds{}
	for _, f := range Figures {
		out[f.Key] = f.Default
		var v string
		err := q.QueryRow(ctx, `SELECT value FROM settings WHERE key = ?`, Setting(f.Key)).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("thresholds of %s: %w", f.Key, err)
		}
		if t, err := ParseThresholds(v, f.HigherBetter); err == nil {
			out[f.Key] = t
		}
	}
	return out, nil
}
