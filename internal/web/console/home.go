package console

import (
	"net/http"

	"github.com/fanzha/fanzha/internal/assess"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/bulletin"
	"github.com/fanzha/fanzha/internal/investigation"
	"github.com/fanzha/fanzha/internal/prevent"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/web"
)

// The home page: figures, recent prevention events, a dissuader's own
// open warnings, an officer's overdue case tasks and a leader's open 督办
// tasks.

// homeView is the data of the home page: the figures (nil for a role
// without them), recent prevention events and, for a dissuader, their own
// open warnings.
type homeView struct {
	O         *bulletin.Overview
	Events    []prevent.Event
	Dissuader bool
	Mine      []warning.BoardItem
	// Overdue are the caller's open case tasks past due (roles that work
	// cases), the same list as GET /api/v1/tasks/overdue.
	Overdue []investigation.Task
	// The dissuader's follow-up calls due today (回访, instructions.go).
	followupsView
	// Supervision is a leader's count of open 督办 tasks (nil for others).
	Supervision *supervisionCount
}

// supervisionCount is the open 督办 tasks of a leader's jurisdiction, and
// of them those assigned to the leader.
type supervisionCount struct{ Open, Mine int }

func (s *handler) handleHome(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if p.User.Role == auth.RolePartner {
		http.Redirect(w, r, "/inbox", http.StatusSeeOther)
		return nil
	}
	var o *bulletin.Overview
	if p.Can(auth.CapFiguresRead) {
		ov, err := bulletin.ComputeOverviewCached(r.Context(), s.DB, s.Figures, p.Scope, s.Now(), s.Loc)
		if err != nil {
			return err
		}
		o = &ov
	}
	var events []prevent.Event
	if p.User.Role == auth.RoleGrid {
		// The same query as GET /api/v1/prevention/events: a grid worker
		// sees the events they logged.
		ev, err := prevent.List(r.Context(), s.DB, p.Scope, prevent.Filter{CreatedBy: web.OwnOnly(p), Limit: 20})
		if err != nil {
			return err
		}
		events = ev
	}
	data := homeView{O: o, Events: events}
	if p.User.Role == auth.RoleDissuader {
		// A dissuader's day starts with their own open warnings, most
		// urgent first; the station's figures follow.
		mine, err := warning.Board(r.Context(), s.DB, p.Scope, warning.BoardFilter{AssigneeID: p.User.ID}, s.Now())
		if err != nil {
			return err
		}
		m := p.Masker(false)
		for i := range mine {
			mine[i].Warning = mine[i].Warning.Masked(m)
		}
		data.Dissuader, data.Mine = true, mine
		fu, err := s.dueFollowups(r, p)
		if err != nil {
			return err
		}
		data.followupsView = followupsView{Followups: fu, Results: followupResults(), CanWrite: p.Can(auth.CapWarningWrite), Next: "/"}
	}
	if p.User.Role == auth.RoleLeader {
		open, mine, err := assess.OpenTasks(r.Context(), s.DB, p.Scope, p.User.ID)
		if err != nil {
			return err
		}
		data.Supervision = &supervisionCount{Open: open, Mine: mine}
	}
	if p.Can(auth.CapCaseWrite) {
		od, err := investigation.OverdueTasks(r.Context(), s.DB, p.Scope, p.User.ID, s.Now())
		if err != nil {
			return err
		}
		data.Overdue = od
	}
	s.Render(w, r, http.StatusOK, "home", web.Page{Title: "首页", Active: "/", Data: data})
	return nil
}
