package roster

import (
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/zone"
)

func sh(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, zone.Shanghai)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestPatternOccurrences(t *testing.T) {
	// 2026-12-07 is a Monday.
	mon, wed, sat, sun := WeekdayBit(time.Monday), WeekdayBit(time.Wednesday), WeekdayBit(time.Saturday), WeekdayBit(time.Sunday)
	cases := []struct {
		name     string
		p        Pattern
		from, to string
		want     [][2]string
	}{
		{"every day, day shift", Pattern{Weekdays: AllWeek, StartMinute: 8 * 60, Minutes: 8 * 60, From: "2026-12-01"},
			"2026-12-07 00:00", "2026-12-09 00:00",
			[][2]string{{"2026-12-07 08:00", "2026-12-07 16:00"}, {"2026-12-08 08:00", "2026-12-08 16:00"}}},
		{"weekdays Mon+Wed only", Pattern{Weekdays: mon | wed, StartMinute: 9 * 60, Minutes: 60, From: "2026-12-01"},
			"2026-12-07 00:00", "2026-12-14 00:00",
			[][2]string{{"2026-12-07 09:00", "2026-12-07 10:00"}, {"2026-12-09 09:00", "2026-12-09 10:00"}}},
		{"overnight crosses midnight, belongs to its start day", Pattern{Weekdays: sat, StartMinute: 22 * 60, Minutes: 10 * 60, From: "2026-12-01"},
			"2026-12-12 00:00", "2026-12-14 00:00",
			[][2]string{{"2026-12-12 22:00", "2026-12-13 08:00"}}},
		{"weekend, 24 h", Pattern{Weekdays: sat | sun, StartMinute: 0, Minutes: 24 * 60, From: "2026-12-01"},
			"2026-12-11 00:00", "2026-12-15 00:00",
			[][2]string{{"2026-12-12 00:00", "2026-12-13 00:00"}, {"2026-12-13 00:00", "2026-12-14 00:00"}}},
		{"from date in the window", Pattern{Weekdays: AllWeek, StartMinute: 16 * 60, Minutes: 8 * 60, From: "2026-12-08"},
			"2026-12-07 00:00", "2026-12-09 00:00",
			[][2]string{{"2026-12-08 16:00", "2026-12-09 00:00"}}},
		{"until date inclusive", Pattern{Weekdays: AllWeek, StartMinute: 0, Minutes: 8 * 60, From: "2026-12-01", Until: "2026-12-08"},
			"2026-12-07 00:00", "2026-12-11 00:00",
			[][2]string{{"2026-12-07 00:00", "2026-12-07 08:00"}, {"2026-12-08 00:00", "2026-12-08 08:00"}}},
		{"start before window excluded", Pattern{Weekdays: AllWeek, StartMinute: 8 * 60, Minutes: 8 * 60, From: "2026-12-01"},
			"2026-12-07 09:00", "2026-12-08 09:00",
			[][2]string{{"2026-12-08 08:00", "2026-12-08 16:00"}}},
		{"window across a month end (no DST in zone.Shanghai)", Pattern{Weekdays: AllWeek, StartMinute: 2 * 60, Minutes: 60, From: "2026-03-01"},
			"2027-03-28 00:00", "2027-03-30 00:00",
			[][2]string{{"2027-03-28 02:00", "2027-03-28 03:00"}, {"2027-03-29 02:00", "2027-03-29 03:00"}}},
		{"no weekday", Pattern{Weekdays: 0, StartMinute: 0, Minutes: 60, From: "2026-12-01"}, "2026-12-07 00:00", "2026-12-14 00:00", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.p.Occurrences(sh(c.from), sh(c.to))
			if len(got) != len(c.want) {
				t.Fatalf("got %d occurrences %v, want %d", len(got), got, len(c.want))
			}
			for i, w := range c.want {
				if !got[i].Start.Equal(sh(w[0])) || !got[i].End.Equal(sh(w[1])) {
					t.Errorf("occurrence %d: %v–%v, want %s–%s", i, got[i].Start.In(zone.Shanghai), got[i].End.In(zone.Shanghai), w[0], w[1])
				}
			}
		})
	}
}

func TestUncoveredAndSubtract(t *testing.T) {
	from, to := sh("2026-12-07 00:00"), sh("2026-12-08 00:00")
	ivs := []Interval{{sh("2026-12-07 08:00"), sh("2026-12-07 16:00")}, {sh("2026-12-07 06:00"), sh("2026-12-07 09:00")},
		{sh("2026-12-07 20:00"), sh("2026-12-08 04:00")}}
	got := uncovered(from, to, ivs)
	want := [][2]string{{"2026-12-07 00:00", "2026-12-07 06:00"}, {"2026-12-07 16:00", "2026-12-07 20:00"}}
	if len(got) != len(want) {
		t.Fatalf("uncovered: %v", got)
	}
	for i, w := range want {
		if !got[i].Start.Equal(sh(w[0])) || !got[i].End.Equal(sh(w[1])) {
			t.Errorf("gap %d: %v", i, got[i])
		}
	}
	parts := subtract(Interval{sh("2026-12-07 08:00"), sh("2026-12-07 16:00")}, []Interval{{sh("2026-12-07 10:00"), sh("2026-12-07 11:00")}})
	if len(parts) != 2 || !parts[0].End.Equal(sh("2026-12-07 10:00")) || !parts[1].Start.Equal(sh("2026-12-07 11:00")) {
		t.Fatalf("subtract: %v", parts)
	}
	if p := subtract(Interval{sh("2026-12-07 08:00"), sh("2026-12-07 16:00")}, []Interval{{sh("2026-12-07 00:00"), sh("2026-12-08 00:00")}}); len(p) != 0 {
		t.Fatalf("leave covering the shift leaves %v", p)
	}
}
