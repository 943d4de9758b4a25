package console

import (
	"net/http"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/bulletin"
	"github.com/fanzha/fanzha/internal/investigation"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/web"
)

// The 大屏's 本年打击战果: the strike figures of the caller's node since 1
// January (investigation.StrikeIn, the same counting as every bulletin's
// 打击战果 table) with 同比 against the same days of last year, and the
// year's stop-payments, freezes and returns (partner.ComputeFundsFigures,
// as the bulletin's rows).

// dashboardStrike is the 大屏's strike strip.
type dashboardStrike struct {
	Year    int
	Figures []strikeFigure
}

// strikeFigure is one counter of the strip.
type strikeFigure struct {
	Key   string // a stable id for tests and styling
	Label string
	Value string
	Yoy   string // 同比 text, "" where none is shown
}

// yearStrike computes this year's strike figures of p's jurisdiction.
func (s *handler) yearStrike(r *http.Request, p *auth.Principal) (dashboardStrike, error) {
	now := s.Now().In(s.Loc)
	from := time.Date(now.Year(), 1, 1, 0, 0, 0, 0, s.Loc)
	to := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.Loc).AddDate(0, 0, 1) // through today
	cur, err := investigation.StrikeIn(r.Context(), s.DB, p.Scope, investigation.Window{From: from, To: to})
	if err != nil {
		return dashboardStrike{}, err
	}
	ago, err := investigation.StrikeIn(r.Context(), s.DB, p.Scope, investigation.Window{From: from.AddDate(-1, 0, 0), To: to.AddDate(-1, 0, 0)})
	if err != nil {
		return dashboardStrike{}, err
	}
	funds, err := partner.ComputeFundsFigures(r.Context(), s.DB, p.Scope, from, to)
	if err != nil {
		return dashboardStrike{}, err
	}
	count := func(key, label, unit string, c, a int64) strikeFigure {
		return strikeFigure{Key: key, Label: label + "（" + unit + "）", Value: web.Thousands(c), Yoy: "同比 " + bulletin.PercentChange(c, a)}
	}
	t := funds.Total
	return dashboardStrike{Year: now.Year(), Figures: []strikeFigure{
		count("solved", "破案", "起", cur.Solved, ago.Solved),
		count("criminal", "刑事打击", "人", cur.Criminal, ago.Criminal),
		count("administrative", "行政处理", "人", cur.Administrative, ago.Administrative),
		count("caught", "抓获", "人", cur.Caught, ago.Caught),
		count("gangs", "打掉团伙", "个", cur.Gangs, ago.Gangs),
		{Key: "stopped", Label: "止付（万元）", Value: web.Wan(t.StoppedFen), Yoy: web.Thousands(t.StoppedAccounts) + " 个账户"},
		{Key: "frozen", Label: "冻结（万元）", Value: web.Wan(t.FrozenFen), Yoy: web.Thousands(t.FrozenAccounts) + " 个账户"},
		{Key: "returned", Label: "返还（万元）", Value: web.Wan(t.ReturnedFen)},
	}}, nil
}
