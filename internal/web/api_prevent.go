package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/fraudtype"
	"github.com/fanzha/fanzha/internal/prevent"
)

// preventRoutes registers the console pages of 宣传防范 (prevention
// events, coverage, surveys, targeting), 研判通报 (bulletins) and the 大屏
// dashboard. routes() calls it once.
func (s *Server) preventRoutes() {
	m := s.mux
	s.bulletinRoutes()
	m.HandleFunc("GET /prevention/new", s.page(auth.CapPreventWrite, s.handlePreventionNewPage))
	m.HandleFunc("POST /prevention/events", s.page(auth.CapPreventWrite, s.handlePreventionForm))
	m.HandleFunc("GET /prevention/events/{id}", s.page(auth.CapPreventRead, s.handlePreventionEventPage))
	m.HandleFunc("GET /prevention/coverage", s.page(auth.CapPreventRead, s.handleCoveragePage))
	m.HandleFunc("GET /prevention/surveys", s.page(auth.CapPreventRead, s.handleSurveysPage))
	m.HandleFunc("POST /prevention/surveys", s.page(auth.CapPreventWrite, s.handleSurveyForm))
	m.HandleFunc("GET /prevention/targeting", s.page(auth.CapPreventRead, s.handleTargetingPage))
}

// ownOnly is the creator filter of prevention lists: grid workers and
// schools (role grid) see the events they logged themselves; officers see
// every event of their jurisdiction.
func ownOnly(p *auth.Principal) int64 {
	if p.User.Role == auth.RoleGrid {
		return p.User.ID
	}
	return 0
}

func (s *Server) handlePreventionOptions(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	places, err := s.preventionPlaces(r, p)
	if err != nil {
		return err
	}
	var types []prevent.Option
	for _, t := range fraudtype.All() {
		types = append(types, prevent.Option{Code: string(t.Code), Name: t.Name})
	}
	writeJSON(w, http.StatusOK, map[string]any{"kinds": prevent.Kinds, "audiences": prevent.Audiences,
		"organiser_kinds": prevent.OrganiserKinds, "fraud_types": types, "places": places,
		"limits": map[string]any{"max_photos": prevent.MaxPhotos, "max_photo_bytes": prevent.MaxPhotoBytes,
			"photo_types": []string{"image/jpeg", "image/png", "image/webp"}}})
	return nil
}

// preventionPlaces are the nodes an event may be logged at: towns,
// villages and cells under the caller's node.
func (s *Server) preventionPlaces(r *http.Request, p *auth.Principal) ([]area.Node, error) {
	nodes, err := area.Subtree(r.Context(), s.db, p.Scope)
	if err != nil {
		return nil, err
	}
	out := make([]area.Node, 0, len(nodes))
	for _, n := range nodes {
		if (n.Level == area.Town || n.Level == area.Village || n.Level == area.Cell) && !n.Retired {
			n.Shape = ""
			out = append(out, n)
		}
	}
	return out, nil
}

// periodParams reads from/to (dates or RFC 3339) with a default of the last
// days days up to now; a date as to includes that day.
func (s *Server) periodParams(r *http.Request, days int) (time.Time, time.Time, error) {
	from, err := s.queryTime(r, "from")
	if err != nil {
		return from, from, err
	}
	to, err := s.queryTime(r, "to")
	if err != nil {
		return from, to, err
	}
	if to.IsZero() {
		to = s.now()
	} else if len(r.URL.Query().Get("to")) == len("2006-01-02") {
		// A date as the end includes that whole day, as people read "到 11-23".
		to = to.AddDate(0, 0, 1)
	}
	if from.IsZero() {
		from = to.AddDate(0, 0, -days)
	}
	if !from.Before(to) {
		return from, to, errorf(http.StatusBadRequest, "bad_param", "开始时间应早于结束时间")
	}
	return from, to, nil
}

func (s *Server) handlePreventionEvents(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f := prevent.Filter{Kind: r.URL.Query().Get("kind"), CreatedBy: ownOnly(p)}
	var err error
	if f.From, err = s.queryTime(r, "from"); err != nil {
		return err
	}
	if f.To, err = s.queryTime(r, "to"); err != nil {
		return err
	}
	if f.AreaID, err = queryInt(r, "area_id"); err != nil {
		return err
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	f.Limit = int(limit)
	list, err := prevent.List(r.Context(), s.db, p.Scope, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": list})
	return nil
}

func (s *Server) handlePreventionEvent(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	e, err := prevent.Get(r.Context(), s.db, p.Scope, id, ownOnly(p))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (s *Server) handlePreventionPhoto(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ph, data, err := prevent.PhotoData(r.Context(), s.db, p.Scope, id, ownOnly(p))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", ph.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Header().Set("ETag", `"`+ph.SHA256[:16]+`"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(data)
	return nil
}

// maxEventBody bounds an event upload: every photo at its limit plus the
// form fields.
const maxEventBody = prevent.MaxPhotos*prevent.MaxPhotoBytes + 1<<20

// readEvent reads an event from a JSON body or a multipart form (the
// console's form and API clients with photos use multipart: fields as in
// the JSON, audience and fraud_types repeated or comma-separated, files
// under "photos").
func (s *Server) readEvent(w http.ResponseWriter, r *http.Request) (prevent.NewEvent, []prevent.NewPhoto, error) {
	var e prevent.NewEvent
	ct := r.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "application/json") {
		err := decodeJSON(r, &e, 1<<20)
		return e, nil, err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxEventBody)
	if strings.HasPrefix(ct, "multipart/form-data") {
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return e, nil, errorf(http.StatusRequestEntityTooLarge, "too_large", "上传内容超过 %d MB 上限", maxEventBody>>20)
			}
			return e, nil, errorf(http.StatusBadRequest, "bad_form", "表单无法读取：%v", err)
		}
	} else if err := r.ParseForm(); err != nil {
		return e, nil, errorf(http.StatusBadRequest, "bad_form", "表单无法读取：%v", err)
	}
	var err error
	num := func(name string) int64 {
		if err != nil {
			return 0
		}
		var n int64
		n, err = formInt(r, name)
		return n
	}
	e.AreaID = num("area_id")
	e.Reached = num("reached")
	e.Posters = num("posters")
	e.Leaflets = num("leaflets")
	e.Folders = num("folders")
	if err != nil {
		return e, nil, err
	}
	e.Kind = r.FormValue("kind")
	e.Title = r.FormValue("title")
	e.Place = r.FormValue("place")
	e.OrganiserKind = r.FormValue("organiser_kind")
	e.Organiser = r.FormValue("organiser")
	e.Note = r.FormValue("note")
	e.Audience = r.Form["audience"]
	e.FraudTypes = r.Form["fraud_types"]
	if v := strings.TrimSpace(r.FormValue("at")); v != "" {
		t, perr := time.Parse(time.RFC3339, v)
		if perr != nil {
			t, perr = time.ParseInLocation("2006-01-02T15:04", v, s.loc)
		}
		if perr != nil {
			return e, nil, errorf(http.StatusBadRequest, "bad_param", "活动时间 %q 格式应为 2006-01-02T15:04", v)
		}
		e.At = t.UTC()
	}
	var photos []prevent.NewPhoto
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["photos"] {
			if fh.Size == 0 && fh.Filename == "" {
				continue
			}
			if fh.Size > prevent.MaxPhotoBytes {
				return e, nil, errorf(http.StatusBadRequest, "invalid", "照片 %s 超过 %d MB", fh.Filename, prevent.MaxPhotoBytes>>20)
			}
			f, err := fh.Open()
			if err != nil {
				return e, nil, err
			}
			data, err := io.ReadAll(io.LimitReader(f, prevent.MaxPhotoBytes+1))
			f.Close()
			if err != nil {
				return e, nil, err
			}
			photos = append(photos, prevent.NewPhoto{Name: fh.Filename, Data: data})
		}
	}
	return e, photos, nil
}

func (s *Server) handleCreatePreventionEvent(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	e, photos, err := s.readEvent(w, r)
	if err != nil {
		return err
	}
	id, err := prevent.Create(r.Context(), s.db, p.Scope, auth.AuditFor(p, clientIP(r), requestID(r.Context())), e, photos, s.now())
	if err != nil {
		return err
	}
	ev, err := prevent.Get(r.Context(), s.db, p.Scope, id, 0)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, ev)
	return nil
}

func (s *Server) handleCoverage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	c, _, err := s.coverage(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// coverage computes the coverage the request asks for (?area_id= under the
// caller's node, ?from=&to= or the last 30 days) and returns it with the
// node it is for; API and console page answer the same figures.
func (s *Server) coverage(r *http.Request, p *auth.Principal) (prevent.Coverage, area.Node, error) {
	scope, err := s.subScope(r, p)
	if err != nil {
		return prevent.Coverage{}, area.Node{}, err
	}
	from, to, err := s.periodParams(r, 30)
	if err != nil {
		return prevent.Coverage{}, area.Node{}, err
	}
	c, err := prevent.ComputeCoverage(r.Context(), s.db, scope, from, to)
	return c, scope, err
}

// subScope is the node ?area_id= names under the caller's node, or the
// caller's node.
func (s *Server) subScope(r *http.Request, p *auth.Principal) (area.Node, error) {
	id, err := queryInt(r, "area_id")
	if err != nil || id == 0 {
		return p.Scope, err
	}
	n, err := area.Get(r.Context(), s.db, id)
	if err != nil || !p.Scope.Contains(n) {
		return area.Node{}, fmt.Errorf("area %d: %w", id, area.ErrNotFound)
	}
	return n, nil
}

func (s *Server) handleSurveys(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	scope, err := s.subScope(r, p)
	if err != nil {
		return err
	}
	t, err := prevent.Trends(r.Context(), s.db, scope, s.loc)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

type surveyBody struct {
	AreaID int64  `json:"area_id"`
	Day    string `json:"day"` // YYYY-MM-DD (Asia/Shanghai)
	Sample int64  `json:"sample"`
	Aware  int64  `json:"aware"`
	Method string `json:"method"`
	Note   string `json:"note"`
}

func (s *Server) recordSurvey(r *http.Request, p *auth.Principal, b surveyBody) (int64, error) {
	day, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(b.Day), s.loc)
	if err != nil {
		return 0, errorf(http.StatusBadRequest, "bad_param", "调查日期 %q 格式应为 YYYY-MM-DD", b.Day)
	}
	return prevent.RecordSurvey(r.Context(), s.db, p.Scope, auth.AuditFor(p, clientIP(r), requestID(r.Context())),
		prevent.NewSurvey{AreaID: b.AreaID, Day: day.UTC(), Sample: b.Sample, Aware: b.Aware, Method: b.Method, Note: b.Note}, s.now())
}

func (s *Server) handleCreateSurvey(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var b surveyBody
	if err := decodeJSON(r, &b, 64<<10); err != nil {
		return err
	}
	id, err := s.recordSurvey(r, p, b)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]int64{"id": id})
	return nil
}

func (s *Server) targetingParams(r *http.Request) (prevent.TargetingParams, error) {
	var tp prevent.TargetingParams
	cd, err := queryInt(r, "case_days")
	if err != nil {
		return tp, err
	}
	qd, err := queryInt(r, "quiet_days")
	if err != nil {
		return tp, err
	}
	lim, err := queryInt(r, "limit")
	if err != nil {
		return tp, err
	}
	if cd < 0 || cd > 730 || qd < 0 || qd > 730 || lim < 0 || lim > 500 {
		return tp, errorf(http.StatusBadRequest, "bad_param", "case_days、quiet_days 应在 0 到 730 之间，limit 不超过 500")
	}
	return prevent.TargetingParams{CaseDays: int(cd), QuietDays: int(qd), Limit: int(lim)}, nil
}

func (s *Server) handleTargeting(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	t, err := s.targeting(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

// targeting computes the to-do list the request asks for (?area_id= under
// the caller's node and the targeting parameters); API and console page
// answer the same list.
func (s *Server) targeting(r *http.Request, p *auth.Principal) (prevent.Targeting, error) {
	scope, err := s.subScope(r, p)
	if err != nil {
		return prevent.Targeting{}, err
	}
	tp, err := s.targetingParams(r)
	if err != nil {
		return prevent.Targeting{}, err
	}
	return prevent.ComputeTargeting(r.Context(), s.db, scope, tp, s.now(), s.loc)
}
