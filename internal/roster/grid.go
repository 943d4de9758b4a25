package roster

import (
	"sort"
	"time"

	"github.com/fanzha/fanzha/internal/zone"
)

// The roster grid of the console: a row per day, a column per band (the
// distinct start–end times of the shifts), and the day's gaps.

// GridCell is one cell of the grid: the shifts of a band on a day.
type GridCell struct {
	Shifts []Shift
}

// GridDay is one row of the grid.
type GridDay struct {
	Date  string // 12-08 周二
	Day   string // 2026-12-08
	Today bool
	Cells []GridCell
	Gaps  []string // 16:00–18:00
}

// Grid is the roster of days days from the day of from (Asia/Shanghai):
// shifts go to the day they start on, gaps are cut at midnight.
type Grid struct {
	Bands []string // 08:00–18:00, by start
	Days  []GridDay
}

// clock writes a time of day; the end of a day is 24:00.
func clock(t time.Time, endOfDay bool) string {
	s := t.In(zone.Shanghai).Format("15:04")
	if endOfDay && s == "00:00" {
		return "24:00"
	}
	return s
}

// BuildGrid lays shifts and gaps out for days days from the day of from,
// from's day marked today.
func BuildGrid(shifts []Shift, gaps []Gap, from time.Time, days int) Grid {
	today := DayOf(from)
	end := today.AddDate(0, 0, days)
	band := func(sh Shift) string { return clock(sh.Start, false) + "–" + clock(sh.End, true) }
	var g Grid
	seen := map[string]bool{}
	for _, sh := range shifts {
		if b := band(sh); !seen[b] {
			seen[b] = true
			g.Bands = append(g.Bands, b)
		}
	}
	sort.Strings(g.Bands)
	col := map[string]int{}
	for i, b := range g.Bands {
		col[b] = i
	}
	weekdays := WeekdayLabels()
	for d := today; d.Before(end); d = d.AddDate(0, 0, 1) {
		day := GridDay{Date: d.Format("01-02") + " 周" + weekdays[(int(d.Weekday())+6)%7], Day: d.Format(DayLayout),
			Today: d.Equal(today), Cells: make([]GridCell, len(g.Bands))}
		next := d.AddDate(0, 0, 1)
		for _, sh := range shifts {
			if !sh.Start.Before(d) && sh.Start.Before(next) {
				c := &day.Cells[col[band(sh)]]
				c.Shifts = append(c.Shifts, sh)
			}
		}
		for _, gp := range gaps {
			if gp.Start.Before(next) && gp.End.After(d) {
				gs, ge := gp.Start, gp.End
				if gs.Before(d) {
					gs = d
				}
				if ge.After(next) {
					ge = next
				}
				es := clock(ge, false)
				if ge.Equal(next) {
					es = "24:00"
				}
				day.Gaps = append(day.Gaps, clock(gs, false)+"–"+es)
			}
		}
		g.Days = append(g.Days, day)
	}
	return g
}
