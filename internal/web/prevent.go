package web

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/prevent"
)

// 宣传防范 helpers both doors use: period parameters, reading an event with
// its photos, coverage, surveys, targeting.

// periodParams reads from/to (dates or RFC 3339) with a default of the last
// days days up to now; a date as to includes that day.
func (s *Server) periodParams(r *http.Request, days int) (time.Time, time.Time, error) {
	from, err := s.QueryTime(r, "from")
	if err != nil {
		return from, from, err
	}
	to, err := s.QueryTime(r, "to")
	if err != nil {
		return from, to, err
	}
	if to.IsZero() {
		to = s.Now()
	} else if len(r.URL.Query().Get("to")) == len("2006-01-02") {
		// A date as the end includes that whole day, as people read "到 11-23".
		to = to.AddDate(0, 0, 1)
	}
	if from.IsZero() {
		from = to.AddDate(0, 0, -days)
	}
	if !from.Before(to) {
		return from, to, Errorf(http.StatusBadRequest, "bad_param", "开始时间应早于结束时间")
	}
	return from, to, nil
}

// ReadEvent reads an event from a JSON body or a multipart form (the
// console's form and API clients with photos use multipart: fields as in
// the JSON, audience and fraud_types repeated or comma-separated, files
// under "photos").
func (s *Server) ReadEvent(w http.ResponseWriter, r *http.Request) (prevent.NewEvent, []prevent.NewPhoto, error) {
	var e prevent.NewEvent
	ct := r.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "application/json") {
		err := DecodeJSON(r, &e, 1<<20)
		return e, nil, err
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxEventBody)
	if strings.HasPrefix(ct, "multipart/form-data") {
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return e, nil, Errorf(http.StatusRequestEntityTooLarge, "too_large", "上传内容超过 %d MB 上限", MaxEventBody>>20)
			}
			return e, nil, Errorf(http.StatusBadRequest, "bad_form", "表单无法读取：%v", err)
		}
	} else if err := r.ParseForm(); err != nil {
		return e, nil, Errorf(http.StatusBadRequest, "bad_form", "表单无法读取：%v", err)
	}
	var err error
	num := func(name string) int64 {
		if err != nil {
			return 0
		}
		var n int64
		n, err = FormInt(r, name)
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
			t, perr = time.ParseInLocation("2006-01-02T15:04", v, s.Loc)
		}
		if perr != nil {
			return e, nil, Errorf(http.StatusBadRequest, "bad_param", "活动时间 %q 格式应为 2006-01-02T15:04", v)
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
				return e, nil, Errorf(http.StatusBadRequest, "invalid", "照片 %s 超过 %d MB", fh.Filename, prevent.MaxPhotoBytes>>20)
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

// Coverage computes the coverage the request asks for (?area_id= under the
// caller's node, ?from=&to= or the last 30 days) and returns it with the
// node it is for; API and console page answer the same figures.
func (s *Server) Coverage(r *http.Request, p *auth.Principal) (prevent.Coverage, area.Node, error) {
	scope, err := s.SubScope(r, p)
	if err != nil {
		return prevent.Coverage{}, area.Node{}, err
	}
	from, to, err := s.periodParams(r, 30)
	if err != nil {
		return prevent.Coverage{}, area.Node{}, err
	}
	c, err := prevent.ComputeCoverage(r.Context(), s.DB, scope, from, to)
	return c, scope, err
}

type SurveyBody struct {
	AreaID int64  `json:"area_id"`
	Day    string `json:"day"` // YYYY-MM-DD (Asia/Shanghai)
	Sample int64  `json:"sample"`
	Aware  int64  `json:"aware"`
	Method string `json:"method"`
	Note   string `json:"note"`
}

func (s *Server) RecordSurvey(r *http.Request, p *auth.Principal, b SurveyBody) (int64, error) {
	day, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(b.Day), s.Loc)
	if err != nil {
		return 0, Errorf(http.StatusBadRequest, "bad_param", "调查日期 %q 格式应为 YYYY-MM-DD", b.Day)
	}
	return prevent.RecordSurvey(r.Context(), s.DB, p.Scope, auth.AuditFor(p, ClientIP(r), RequestID(r.Context())),
		prevent.NewSurvey{AreaID: b.AreaID, Day: day.UTC(), Sample: b.Sample, Aware: b.Aware, Method: b.Method, Note: b.Note}, s.Now())
}

func (s *Server) targetingParams(r *http.Request) (prevent.TargetingParams, error) {
	var tp prevent.TargetingParams
	cd, err := QueryInt(r, "case_days")
	if err != nil {
		return tp, err
	}
	qd, err := QueryInt(r, "quiet_days")
	if err != nil {
		return tp, err
	}
	lim, err := QueryInt(r, "limit")
	if err != nil {
		return tp, err
	}
	if cd < 0 || cd > 730 || qd < 0 || qd > 730 || lim < 0 || lim > 500 {
		return tp, Errorf(http.StatusBadRequest, "bad_param", "case_days、quiet_days 应在 0 到 730 之间，limit 不超过 500")
	}
	return prevent.TargetingParams{CaseDays: int(cd), QuietDays: int(qd), Limit: int(lim)}, nil
}

// Targeting computes the to-do list the request asks for (?area_id= under
// the caller's node and the targeting parameters); API and console page
// answer the same list.
func (s *Server) Targeting(r *http.Request, p *auth.Principal) (prevent.Targeting, error) {
	scope, err := s.SubScope(r, p)
	if err != nil {
		return prevent.Targeting{}, err
	}
	tp, err := s.targetingParams(r)
	if err != nil {
		return prevent.Targeting{}, err
	}
	return prevent.ComputeTargeting(r.Context(), s.DB, scope, tp, s.Now(), s.Loc)
}
