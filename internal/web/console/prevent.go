package console

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/fraudtype"
	"github.com/fanzha/fanzha/internal/prevent"
	"github.com/fanzha/fanzha/internal/web"
	"github.com/fanzha/fanzha/internal/zone"
)

// preventRoutes registers the console pages of 宣传防范 (prevention
// events, coverage, surveys, targeting), 研判通报 (bulletins) and the 大屏
// dashboard. routes() calls it once.
func (s *handler) preventRoutes() {
	m := s.Mux
	s.bulletinRoutes()
	m.HandleFunc("GET /prevention/new", s.Page(auth.CapPreventWrite, s.handlePreventionNewPage))
	m.HandleFunc("POST /prevention/events", s.Page(auth.CapPreventWrite, s.handlePreventionForm))
	m.HandleFunc("GET /prevention/events/{id}", s.Page(auth.CapPreventRead, s.handlePreventionEventPage))
	m.HandleFunc("GET /prevention/coverage", s.Page(auth.CapPreventRead, s.handleCoveragePage))
	m.HandleFunc("GET /prevention/surveys", s.Page(auth.CapPreventRead, s.handleSurveysPage))
	m.HandleFunc("POST /prevention/surveys", s.Page(auth.CapPreventWrite, s.handleSurveyForm))
	m.HandleFunc("GET /prevention/targeting", s.Page(auth.CapPreventRead, s.handleTargetingPage))
}

func init() {
	web.Funcs["localday"] = func(t time.Time) string { return t.In(zone.Shanghai).Format("2006-01-02") }
	web.Funcs["pkind"] = prevent.KindName
	web.Funcs["paud"] = prevent.AudienceName
	web.Funcs["porg"] = prevent.OrganiserKindName
	web.Funcs["pm"] = func(p int64) string { return fmt.Sprintf("%d.%d%%", p/10, p%10) }
	web.Funcs["bykind"] = func(m map[string]int64) string {
		var parts []string
		for _, k := range prevent.Kinds {
			if n := m[k.Code]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", k.Name, n))
			}
		}
		return strings.Join(parts, "、")
	}
}

// preventionForm is what the phone form needs.
type preventionForm struct {
	Places     any
	Kinds      []prevent.Option
	Audiences  []prevent.Option
	Organisers []prevent.Option
	Types      []fraudtype.Type
	Organiser  string
	OrgKind    string
	Now        string
	MaxPhotos  int
	MaxMB      int
}

func (s *handler) handlePreventionNewPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	places, err := prevent.Places(r.Context(), s.DB, p.Scope)
	if err != nil {
		return err
	}
	orgKind := "station"
	if p.User.Role == auth.RoleGrid {
		orgKind = "grid_worker"
	}
	s.Render(w, r, http.StatusOK, "prevention_new", web.Page{Title: "登记宣传活动", Active: "/prevention", Data: preventionForm{
		Places: places, Kinds: prevent.Kinds, Audiences: prevent.Audiences, Organisers: prevent.OrganiserKinds,
		Types: fraudtype.All(), Organiser: p.User.DisplayName, OrgKind: orgKind, Now: s.Now().In(s.Loc).Format("2006-01-02T15:04"),
		MaxPhotos: prevent.MaxPhotos, MaxMB: prevent.MaxPhotoBytes >> 20}})
	return nil
}

func (s *handler) handlePreventionForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	e, photos, err := s.ReadEvent(w, r)
	if err != nil {
		return err
	}
	id, err := prevent.Create(r.Context(), s.DB, p.Scope, auth.AuditFor(p, web.ClientIP(r), web.RequestID(r.Context())), e, photos, s.Now())
	if err != nil {
		return err
	}
	web.RedirectFlash(w, r, "/prevention/events/"+strconv.FormatInt(id, 10), fmt.Sprintf("已登记宣传活动 #%d（照片 %d 张）", id, len(photos)))
	return nil
}

func (s *handler) handlePreventionEventPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	e, err := prevent.Get(r.Context(), s.DB, p.Scope, id, web.OwnOnly(p))
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "prevention_event", web.Page{Title: e.Title, Active: "/prevention", Data: e})
	return nil
}

// coverageView is the data of the coverage page.
type coverageView struct {
	C      prevent.Coverage
	From   string
	To     string
	AreaID int64
	Query  string
}

func (s *handler) handleCoveragePage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	c, scope, err := s.Coverage(r, p)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "coverage", web.Page{Title: "宣传覆盖", Active: "/prevention", Data: coverageView{
		C: c, From: c.From.In(s.Loc).Format("2006-01-02"), To: c.To.Add(-time.Millisecond).In(s.Loc).Format("2006-01-02"), AreaID: scope.ID,
		Query: r.URL.RawQuery}})
	return nil
}

// surveysView is the data of the surveys page.
type surveysView struct {
	T        prevent.SurveyTrends
	Places   []area.Node
	Methods  []prevent.Option
	Today    string
	CanWrite bool
}

func (s *handler) handleSurveysPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	t, err := prevent.Trends(r.Context(), s.DB, p.Scope, s.Loc)
	if err != nil {
		return err
	}
	places, err := prevent.Places(r.Context(), s.DB, p.Scope)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "surveys", web.Page{Title: "知晓率调查", Active: "/prevention", Data: surveysView{
		T: t, Places: places, Methods: prevent.SurveyMethods, Today: s.Now().In(s.Loc).Format("2006-01-02"),
		CanWrite: p.Can(auth.CapPreventWrite)}})
	return nil
}

func (s *handler) handleSurveyForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var b web.SurveyBody
	var err error
	if b.AreaID, err = web.FormInt(r, "area_id"); err != nil {
		return err
	}
	if b.Sample, err = web.FormInt(r, "sample"); err != nil {
		return err
	}
	if b.Aware, err = web.FormInt(r, "aware"); err != nil {
		return err
	}
	b.Day, b.Method, b.Note = r.FormValue("day"), r.FormValue("method"), r.FormValue("note")
	id, err := s.RecordSurvey(r, p, b)
	if err != nil {
		return err
	}
	web.RedirectFlash(w, r, "/prevention/surveys", fmt.Sprintf("已记录知晓率调查 #%d", id))
	return nil
}

func (s *handler) handleTargetingPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	t, err := s.Targeting(r, p)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "targeting", web.Page{Title: "精准滴灌", Active: "/prevention", Data: t})
	return nil
}

// preventionView is the data of the prevention page.
type preventionView struct {
	Events    []prevent.Event
	ByStation []prevent.StationCoverage
	Towns     []prevent.TownCoverage
	Own       bool
	CanWrite  bool
}

func (s *handler) handlePreventionPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	events, err := prevent.List(r.Context(), s.DB, p.Scope, prevent.Filter{CreatedBy: web.OwnOnly(p), Limit: 100})
	if err != nil {
		return err
	}
	// The same coverage as /prevention/coverage (docs/PREVENTION.md).
	cov, err := prevent.ComputeCoverage(r.Context(), s.DB, p.Scope, s.Now().AddDate(0, 0, -30), s.Now())
	if err != nil {
		return err
	}
	by := cov.Stations
	s.Render(w, r, http.StatusOK, "prevention", web.Page{Title: "宣传防范", Active: "/prevention", Data: preventionView{Events: events, ByStation: by,
		Towns: cov.Towns, Own: web.OwnOnly(p) != 0, CanWrite: p.Can(auth.CapPreventWrite)}})
	return nil
}
