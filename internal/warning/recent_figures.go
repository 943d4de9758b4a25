package warning

import (
	"context"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
)

// SpanFigures are the warning figures of a span ending now.
type SpanFigures struct {
	Label string // 今日, 近 7 天, 本月, 本年
	F     Figures
}

type span struct {
	label    string
	from, to time.Time
}

// recentSpans are today, the last 7 days, this month and this year up to
// now; days, months and years begin at midnight in loc.
func recentSpans(now time.Time, loc *time.Location) []span {
	l := now.In(loc)
	return []span{
		{"今日", time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc), now},
		{"近 7 天", now.AddDate(0, 0, -7), now},
		{"本月", time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, loc), now},
		{"本年", time.Date(l.Year(), 1, 1, 0, 0, 0, 0, loc), now},
	}
}

// RecentFigures computes the figures of scope for today, the last 7 days,
// this month and this year up to now: through the figure cache c when
// given (closed days held in memory), else ComputeFigures.
func RecentFigures(ctx context.Context, q db.Querier, c *FigureCache, scope area.Node, now time.Time, loc *time.Location) ([]SpanFigures, error) {
	var out []SpanFigures
	for _, s := range recentSpans(now, loc) {
		var f Figures
		var err error
		if c != nil {
			f, err = c.Figures(ctx, q, scope, s.from, s.to, now)
		} else {
			f, err = ComputeFigures(ctx, q, scope, s.from, s.to, now)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, SpanFigures{Label: s.label, F: f})
	}
	return out, nil
}
