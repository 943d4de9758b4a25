package warning

import (
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/zone"
)

// The spans of the bulletin page begin at midnight of the day, the first of
// the month and the first of the year in the local zone, or 7 days back,
// and all end now.
func TestRecentSpans(t *testing.T) {
	loc := zone.Shanghai
	for _, c := range []struct {
		now  time.Time
		want []string // starts, in loc
	}{
		{time.Date(2026, 12, 5, 10, 30, 0, 0, loc), []string{"2026-12-05 00:00", "2026-11-28 10:30", "2026-12-01 00:00", "2026-01-01 00:00"}},
		// 01:00 on 1 January in Beijing is still 31 December in UTC.
		{time.Date(2025, 12, 31, 17, 0, 0, 0, time.UTC), []string{"2026-01-01 00:00", "2025-12-25 01:00", "2026-01-01 00:00", "2026-01-01 00:00"}},
	} {
		spans := recentSpans(c.now, loc)
		if len(spans) != 4 || spans[0].label != "今日" || spans[3].label != "本年" {
			t.Fatalf("spans %+v", spans)
		}
		for i, s := range spans {
			if got := s.from.In(loc).Format("2006-01-02 15:04"); got != c.want[i] || !s.to.Equal(c.now) {
				t.Errorf("%v %s: from %s to %v, want from %s to now", c.now, s.label, got, s.to, c.want[i])
			}
		}
	}
}
