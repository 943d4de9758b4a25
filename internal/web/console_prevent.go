package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/fraudtype"
	"github.com/fanzha/fanzha/internal/prevent"
	"github.com/fanzha/fanzha/internal/zone"
)

func init() {
	funcs["localday"] = func(t time.Time) string { return t.In(zone.Shanghai).Format("2006-01-02") }
	funcs["pkind"] = prevent.KindName
	funcs["paud"] = prevent.AudienceName
	funcs["porg"] = prevent.OrganiserKindName
	funcs["pm"] = func(p int64) string { return fmt.Sprintf("%d.%d%%", p/10, p%10) }
	funcs["bykind"] = func(m map[string]int64) string {
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

func (s *Server) handlePreventionNewPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	places, err := s.preventionPlaces(r, p)
	if err != nil {
		return err
	}
	orgKind := "station"
	if p.User.Role == auth.RoleGrid {
		orgKind = "grid_worker"
	}
	s.render(w, r, http.StatusOK, "prevention_new", page{Title: "登记宣传活动", Active: "/prevention", Data: preventionForm{
		Places: places, Kinds: prevent.Kinds, Audiences: prevent.Audiences, Organisers: prevent.OrganiserKinds,
		Types: fraudtype.All(), Organiser: p.User.DisplayName, OrgKind: orgKind, Now: s.now().In(s.loc).Format("2006-01-02T15:04"),
		MaxPhotos: prevent.MaxPhotos, MaxMB: prevent.MaxPhotoBytes >> 20}})
	return nil
}

func (s *Server) handlePreventionForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	e, photos, err := s.readEvent(w, r)
	if err != nil {
		return err
	}
	id, err := prevent.Create(r.Context(), s.db, p.Scope, auth.AuditFor(p, clientIP(r), requestID(r.Context())), e, photos, s.now())
	if err != nil {
		return err
	}
	redirectFlash(w, r, "/prevention/events/"+strconv.FormatInt(id, 10), fmt.Sprintf("已登记宣传活动 #%d（照片 %d 张）", id, len(photos)))
	return nil
}

func (s *Server) handlePreventionEventPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	e, err := prevent.Get(r.Context(), s.db, p.Scope, id, ownOnly(p))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "prevention_event", page{Title: e.Title, Active: "/prevention", Data: e})
	return nil
}

func (s *Server) handleCoveragePage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	c, scope, err := s.coverage(r, p)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "coverage", page{Title: "宣传覆盖", Active: "/prevention", Data: map[string]any{
		"C": c, "From": c.From.In(s.loc).Format("2006-01-02"), "To": c.To.Add(-time.Millisecond).In(s.loc).Format("2006-01-02"), "AreaID": scope.ID,
		"Query": r.URL.RawQuery}})
	return nil
}

func (s *Server) handleSurveysPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	t, err := prevent.Trends(r.Context(), s.db, p.Scope, s.loc)
	if err != nil {
		return err
	}
	places, err := s.preventionPlaces(r, p)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "surveys", page{Title: "知晓率调查", Active: "/prevention", Data: map[string]any{
		"T": t, "Places": places, "Methods": prevent.SurveyMethods, "Today": s.now().In(s.loc).Format("2006-01-02"),
		"CanWrite": p.Can(auth.CapPreventWrite)}})
	return nil
}

func (s *Server) handleSurveyForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var b surveyBody
	var err error
	if b.AreaID, err = formInt(r, "area_id"); err != nil {
		return err
	}
	if b.Sample, err = formInt(r, "sample"); err != nil {
		return err
	}
	if b.Aware, err = formInt(r, "aware"); err != nil {
		return err
	}
	b.Day, b.Method, b.Note = r.FormValue("day"), r.FormValue("method"), r.FormValue("note")
	id, err := s.recordSurvey(r, p, b)
	if err != nil {
		return err
	}
	redirectFlash(w, r, "/prevention/surveys", fmt.Sprintf("已记录知晓率调查 #%d", id))
	return nil
}

func (s *Server) handleTargetingPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	t, err := s.targeting(r, p)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "targeting", page{Title: "精准滴灌", Active: "/prevention", Data: t})
	return nil
}
