package console

import (
	"net/http"
	"sort"

	"github.com/fanzha/fanzha/internal/assess"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/bulletin"
	"github.com/fanzha/fanzha/internal/web"
)

// The 大屏's 考核排名: this month's league of the caller's node so far
// (bulletin.ComputeDashboardLeague, graded by assess.Compute — the
// function GET /api/v1/figures/league and /league use, with the
// configured thresholds), each unit with its worst colour, the red ones
// first, and how many units are of each colour.

// dashboardLeague is the 大屏's league block.
type dashboardLeague struct {
	Label    string // 2026年12月（截至 12-06 20:15）
	From, To string // the period as /league takes it (YYYY-MM-DD, to included)
	Unit     string // what a row is: 派出所, 乡镇/街道
	Lines    []bulletin.LeagueLine
	Counts   []dashboardColourCount
}

// dashboardColourCount is how many units are of one colour.
type dashboardColourCount struct {
	Colour, Name string
	N            int
}

// monthLeague is this month's league of p's jurisdiction; nil for a
// caller who may not read the figures.
func (s *handler) monthLeague(r *http.Request, p *auth.Principal) (*dashboardLeague, error) {
	if !p.Can(auth.CapFiguresRead) {
		return nil, nil
	}
	board, err := bulletin.ComputeDashboardLeague(r.Context(), s.DB, p.Scope, s.Now(), s.Loc)
	if err != nil {
		return nil, err
	}
	b := &dashboardLeague{Label: board.Label, From: board.From.In(s.Loc).Format("2006-01-02"),
		To: board.To.In(s.Loc).Format("2006-01-02"), Unit: web.LeagueUnitName(p.Scope), Lines: board.Lines,
		Counts: []dashboardColourCount{{string(assess.Red), assess.ColourName(assess.Red), board.Red},
			{string(assess.Orange), assess.ColourName(assess.Orange), board.Orange},
			{string(assess.Yellow), assess.ColourName(assess.Yellow), board.Yellow},
			{string(assess.Green), assess.ColourName(assess.Green), board.Green}}}
	// Worst first: red, orange, yellow, green, then the units not graded.
	sort.SliceStable(b.Lines, func(i, j int) bool { return assess.Rank(b.Lines[i].Colour) < assess.Rank(b.Lines[j].Colour) })
	return b, nil
}
