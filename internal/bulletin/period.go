package bulletin

import (
	"time"

	"github.com/fanzha/fanzha/internal/domain"
)

// PeriodKind is the kind of a bulletin's period.
type PeriodKind string

// The kinds of bulletin.
const (
	Daily   PeriodKind = "daily"
	Weekly  PeriodKind = "weekly"
	Monthly PeriodKind = "monthly"
	Custom  PeriodKind = "custom"
)

// KindName is the Chinese name of a bulletin kind.
func KindName(k PeriodKind) string {
	switch k {
	case Daily:
		return "日报"
	case Weekly:
		return "周报"
	case Monthly:
		return "月报"
	}
	return "专题通报"
}

// Period is a half-open interval [From, To) of local days.
type Period struct {
	Kind PeriodKind `json:"kind"`
	From time.Time  `json:"from"`
	To   time.Time  `json:"to"` // exclusive
}

func midnight(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
}

// PeriodOf is the period of the kind containing day, with days cut in loc:
// a daily bulletin covers the local day, a weekly one Monday to Sunday, a
// monthly one the calendar month.
func PeriodOf(kind PeriodKind, day time.Time, loc *time.Location) (Period, error) {
	d := midnight(day, loc)
	switch kind {
	case Daily:
		return Period{kind, d, d.AddDate(0, 0, 1)}, nil
	case Weekly:
		back := (int(d.Weekday()) + 6) % 7 // days since Monday
		from := d.AddDate(0, 0, -back)
		return Period{kind, from, from.AddDate(0, 0, 7)}, nil
	case Monthly:
		from := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, loc)
		return Period{kind, from, from.AddDate(0, 1, 0)}, nil
	}
	return Period{}, domain.Invalid("通报类型 %q 无效（daily / weekly / monthly / custom）", kind)
}

// CustomPeriod is [first, last] as whole local days (last included).
func CustomPeriod(first, last time.Time, loc *time.Location) (Period, error) {
	from, to := midnight(first, loc), midnight(last, loc).AddDate(0, 0, 1)
	if !from.Before(to) {
		return Period{}, domain.Invalid("结束日期不能早于开始日期")
	}
	if to.Sub(from) > 3*366*24*time.Hour {
		return Period{}, domain.Invalid("自定义期间最长三年")
	}
	return Period{Custom, from, to}, nil
}

// Previous is the period the 环比 compares with: the day, week or calendar
// month before; for a custom period that is exactly one calendar week
// (Monday to Sunday), month, quarter or year, the calendar unit before
// (11-01..11-30 compares with 10-01..10-31); for any other custom period,
// the same number of days just before.
func (p Period) Previous() Period {
	if p.Kind == Custom {
		if from, ok := p.calendarPrevious(); ok {
			return Period{p.Kind, from, p.From}
		}
	}
	switch p.Kind {
	case Daily:
		return Period{p.Kind, p.From.AddDate(0, 0, -1), p.From}
	case Weekly:
		return Period{p.Kind, p.From.AddDate(0, 0, -7), p.From}
	case Monthly:
		return Period{p.Kind, p.From.AddDate(0, -1, 0), p.From}
	}
	days := p.days()
	return Period{p.Kind, p.From.AddDate(0, 0, -days), p.From}
}

// calendarPrevious is the start of the calendar unit before p when p is
// exactly one calendar week, month, quarter or year.
func (p Period) calendarPrevious() (time.Time, bool) {
	f := p.From
	if f.Weekday() == time.Monday && p.To.Equal(f.AddDate(0, 0, 7)) {
		return f.AddDate(0, 0, -7), true
	}
	if f.Day() != 1 {
		return time.Time{}, false
	}
	switch {
	case p.To.Equal(f.AddDate(0, 1, 0)):
		return f.AddDate(0, -1, 0), true
	case (f.Month()-1)%3 == 0 && p.To.Equal(f.AddDate(0, 3, 0)):
		return f.AddDate(0, -3, 0), true
	case f.Month() == time.January && p.To.Equal(f.AddDate(1, 0, 0)):
		return f.AddDate(-1, 0, 0), true
	}
	return time.Time{}, false
}

// YearAgo is the period the 同比 compares with: the same calendar dates one
// year earlier (a month: the same month; a week: the same dates, which
// need not start on a Monday).
func (p Period) YearAgo() Period {
	return Period{p.Kind, p.From.AddDate(-1, 0, 0), p.To.AddDate(-1, 0, 0)}
}

func (p Period) days() int {
	n := 0
	for d := p.From; d.Before(p.To); d = d.AddDate(0, 0, 1) {
		n++
	}
	return n
}

// Label is the period in Chinese, e.g. "2026年10月" or "2026-11-16 至 2026-11-22".
func (p Period) Label() string {
	last := p.To.AddDate(0, 0, -1)
	switch p.Kind {
	case Daily:
		return p.From.Format("2006年1月2日")
	case Monthly:
		return p.From.Format("2006年1月")
	}
	return p.From.Format("2006-01-02") + " 至 " + last.Format("2006-01-02")
}
