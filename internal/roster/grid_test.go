package roster

import (
	"reflect"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/zone"
)

// The grid puts each shift in its day's row and its band's column (bands
// by start time; a shift ending at midnight ends at 24:00), cuts gaps at
// midnight, and marks today.
func TestBuildGrid(t *testing.T) {
	at := func(day, hm string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", day+" "+hm, zone.Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	sh := func(id int64, day, from, to string, next bool) Shift {
		end := at(day, to)
		if next {
			end = end.AddDate(0, 0, 1)
		}
		return Shift{ID: id, Start: at(day, from), End: end}
	}
	now := at("2026-12-08", "10:30") // a Tuesday
	for _, c := range []struct {
		name   string
		shifts []Shift
		gaps   []Gap
		days   int
		bands  []string
		cells  map[string][][]int64 // day → shift ids per band
		gapsOn map[string][]string
	}{
		{name: "empty", days: 2, bands: nil, cells: map[string][][]int64{"2026-12-08": {}, "2026-12-09": {}}},
		{name: "bands by start, midnight is 24:00", days: 2,
			shifts: []Shift{sh(1, "2026-12-08", "18:00", "00:00", true), sh(2, "2026-12-08", "08:00", "18:00", false), sh(3, "2026-12-09", "08:00", "18:00", false)},
			bands:  []string{"08:00–18:00", "18:00–24:00"},
			cells:  map[string][][]int64{"2026-12-08": {{2}, {1}}, "2026-12-09": {{3}, nil}}},
		{name: "a shift belongs to the day it starts on; shifts outside the days are left out", days: 1,
			shifts: []Shift{sh(1, "2026-12-08", "22:00", "06:00", true), sh(2, "2026-12-09", "08:00", "18:00", false)},
			bands:  []string{"08:00–18:00", "22:00–06:00"},
			cells:  map[string][][]int64{"2026-12-08": {nil, {1}}}},
		{name: "gaps cut at midnight", days: 2,
			gaps:   []Gap{{Start: at("2026-12-08", "20:00"), End: at("2026-12-09", "07:00")}, {Start: at("2026-12-09", "16:00"), End: at("2026-12-09", "18:00")}},
			cells:  map[string][][]int64{"2026-12-08": {}, "2026-12-09": {}},
			gapsOn: map[string][]string{"2026-12-08": {"20:00–24:00"}, "2026-12-09": {"00:00–07:00", "16:00–18:00"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := BuildGrid(c.shifts, c.gaps, now, c.days)
			if !reflect.DeepEqual(g.Bands, c.bands) {
				t.Errorf("bands %q, want %q", g.Bands, c.bands)
			}
			if len(g.Days) != c.days {
				t.Fatalf("%d days, want %d", len(g.Days), c.days)
			}
			if g.Days[0].Date != "12-08 周二" || !g.Days[0].Today || (c.days > 1 && g.Days[1].Today) {
				t.Errorf("first day %q today %v", g.Days[0].Date, g.Days[0].Today)
			}
			for _, d := range g.Days {
				want := c.cells[d.Day]
				if len(d.Cells) != len(g.Bands) {
					t.Fatalf("%s: %d cells for %d bands", d.Day, len(d.Cells), len(g.Bands))
				}
				for i, cell := range d.Cells {
					var ids []int64
					for _, s := range cell.Shifts {
						ids = append(ids, s.ID)
					}
					var w []int64
					if i < len(want) {
						w = want[i]
					}
					if !reflect.DeepEqual(ids, w) {
						t.Errorf("%s band %s: shifts %v, want %v", d.Day, g.Bands[i], ids, w)
					}
				}
				if !reflect.DeepEqual(d.Gaps, c.gapsOn[d.Day]) {
					t.Errorf("%s gaps %q, want %q", d.Day, d.Gaps, c.gapsOn[d.Day])
				}
			}
		})
	}
}
