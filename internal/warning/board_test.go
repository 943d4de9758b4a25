package warning

import (
	"testing"
	"time"
)

// The board: warnings waiting for a contact first, by the money expected
// to be kept by calling now (not by deadline: overdue rows stay marked where
// they stand); then contacted ones with an on-site check, earliest deadline
// first; rows without a live deadline last, newest first.
func TestSortBoard(t *testing.T) {
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	item := func(id int64, g Grade, amount int64, waited time.Duration, due time.Duration, kind string) BoardItem {
		it := BoardItem{DueKind: kind, Waiting: kind == "contact", WaitingSince: now.Add(-waited)}
		it.ID, it.Grade, it.AmountFen, it.ReceivedAt = id, g, amount, now.Add(-waited)
		if kind != "none" {
			it.Due = now.Add(due)
			it.Overdue = it.Due.Before(now)
		}
		it.setPriority(now)
		return it
	}
	cases := []struct {
		name  string
		items []BoardItem
		want  []int64
	}{
		{"expected money beats the nearest deadline", []BoardItem{
			item(1, GradeOrdinary, 2000_00, 10*time.Minute, -time.Minute, "contact"),
			item(2, GradeFund, 60000_00, 5*time.Minute, 10*time.Minute, "contact")}, []int64{2, 1}},
		{"a fund warning whose money has likely gone falls back", []BoardItem{
			item(1, GradeFund, 60000_00, 6*time.Hour, -5*time.Hour, "contact"),
			item(2, GradeHigh, 20000_00, 10*time.Minute, 20*time.Minute, "contact")}, []int64{2, 1}},
		{"waiting, then on-site by deadline, then none newest first", []BoardItem{
			item(1, GradeHigh, 0, 3*time.Hour, 0, "none"),
			item(2, GradeHigh, 0, 2*time.Hour, 0, "none"),
			item(3, GradeHigh, 0, time.Hour, 2*time.Hour, "onsite"),
			item(4, GradeHigh, 0, time.Hour, -time.Hour, "onsite"),
			item(5, GradeOrdinary, 100_00, time.Hour, -30*time.Minute, "contact")}, []int64{5, 4, 3, 2, 1}},
		{"ties: older first, then id", []BoardItem{
			item(5, GradeOrdinary, 0, time.Minute, time.Minute, "contact"),
			item(4, GradeOrdinary, 0, time.Minute, time.Minute, "contact")}, []int64{4, 5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			SortBoard(c.items)
			for i, it := range c.items {
				if it.ID != c.want[i] {
					t.Fatalf("order %v, want %v", ids(c.items), c.want)
				}
			}
			for _, it := range c.items {
				if it.Waiting != (it.Why != "") {
					t.Errorf("row %d: waiting %v but why %q", it.ID, it.Waiting, it.Why)
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
