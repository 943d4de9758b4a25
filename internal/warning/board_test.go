package warning

import (
	"testing"
	"time"
)

// The board is sorted by the time left to each row's current deadline: the
// earliest deadline on top (so overdue rows first, most overdue first),
// priority plays no part, rows without a live deadline last.
func TestSortBoard(t *testing.T) {
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	item := func(id int64, prio int64, due time.Duration, kind string) BoardItem {
		it := BoardItem{DueKind: kind}
		it.ID, it.Priority, it.ReceivedAt = id, prio, now.Add(-time.Hour+time.Duration(id)*time.Minute)
		if kind != "none" {
			it.Due = now.Add(due)
			it.Overdue = it.Due.Before(now)
		}
		return it
	}
	cases := []struct {
		name  string
		items []BoardItem
		want  []int64
	}{
		{"time left beats priority", []BoardItem{item(1, 900, 28*time.Minute+21*time.Second, "contact"), item(2, 100, 9*time.Minute+6*time.Second, "contact")}, []int64{2, 1}},
		{"overdue on top, most overdue first", []BoardItem{item(1, 900, time.Minute, "contact"), item(2, 0, -2*time.Minute, "onsite"), item(3, 0, -10*time.Minute, "contact")}, []int64{3, 2, 1}},
		{"no live deadline last, newest first", []BoardItem{item(1, 900, 0, "none"), item(2, 0, 0, "none"), item(3, 0, time.Hour, "onsite")}, []int64{3, 2, 1}},
		{"ties by id", []BoardItem{item(5, 0, time.Minute, "contact"), item(4, 0, time.Minute, "onsite")}, []int64{4, 5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			SortBoard(c.items)
			for i, it := range c.items {
				if it.ID != c.want[i] {
					t.Fatalf("order %v, want %v", ids(c.items), c.want)
				}
			}
		})
	}
}

func ids(items []BoardItem) []int64 {
	out := []int64{}
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

func TestLiveDeadlines(t *testing.T) {
	due := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		name                  string
		w                     Warning
		contact, onsite, late bool
	}{
		{"open, not contacted", Warning{Status: "open", ContactDueAt: due, OnsiteDueAt: due}, true, true, false},
		{"contacted in time", Warning{Status: "open", ContactDueAt: due, FirstContactAt: due.Add(-time.Minute), OnsiteDueAt: due}, false, true, false},
		{"closed in time", Warning{Status: "closed", ContactDueAt: due, FirstContactAt: due.Add(-time.Minute), OnsiteDueAt: due}, false, false, false},
		{"contacted late", Warning{Status: "closed", ContactDueAt: due, FirstContactAt: due.Add(time.Minute)}, false, false, true},
		{"onsite done", Warning{Status: "open", ContactDueAt: due, OnsiteDueAt: due, OnsiteAt: due}, true, false, false},
	}
	for _, c := range cases {
		if c.w.ContactLive() != c.contact || c.w.OnsiteLive() != c.onsite || c.w.ContactLate() != c.late {
			t.Errorf("%s: live contact %v onsite %v late %v", c.name, c.w.ContactLive(), c.w.OnsiteLive(), c.w.ContactLate())
		}
	}
}
