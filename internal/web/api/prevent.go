package api

import (
	"net/http"
	"strconv"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/fraudtype"
	"github.com/fanzha/fanzha/internal/prevent"
	"github.com/fanzha/fanzha/internal/web"
)

func (s *handler) handlePreventionOptions(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	places, err := prevent.Places(r.Context(), s.DB, p.Scope)
	if err != nil {
		return err
	}
	var types []prevent.Option
	for _, t := range fraudtype.All() {
		types = append(types, prevent.Option{Code: string(t.Code), Name: t.Name})
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"kinds": prevent.Kinds, "audiences": prevent.Audiences,
		"organiser_kinds": prevent.OrganiserKinds, "fraud_types": types, "places": places,
		"limits": map[string]any{"max_photos": prevent.MaxPhotos, "max_photo_bytes": prevent.MaxPhotoBytes,
			"photo_types": []string{"image/jpeg", "image/png", "image/webp"}}})
	return nil
}

func (s *handler) handlePreventionEvents(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f := prevent.Filter{Kind: r.URL.Query().Get("kind"), CreatedBy: web.OwnOnly(p)}
	var err error
	if f.From, err = s.QueryTime(r, "from"); err != nil {
		return err
	}
	if f.To, err = s.QueryTime(r, "to"); err != nil {
		return err
	}
	if f.AreaID, err = web.QueryInt(r, "area_id"); err != nil {
		return err
	}
	limit, err := web.QueryInt(r, "limit")
	if err != nil {
		return err
	}
	f.Limit = int(limit)
	list, err := prevent.List(r.Context(), s.DB, p.Scope, f)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"events": list})
	return nil
}

func (s *handler) handlePreventionEvent(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	e, err := prevent.Get(r.Context(), s.DB, p.Scope, id, web.OwnOnly(p))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, e)
	return nil
}

func (s *handler) handlePreventionPhoto(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	ph, data, err := prevent.PhotoData(r.Context(), s.DB, p.Scope, id, web.OwnOnly(p))
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

func (s *handler) handleCreatePreventionEvent(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	e, photos, err := s.ReadEvent(w, r)
	if err != nil {
		return err
	}
	id, err := prevent.Create(r.Context(), s.DB, p.Scope, auth.AuditFor(p, web.ClientIP(r), web.RequestID(r.Context())), e, photos, s.Now())
	if err != nil {
		return err
	}
	ev, err := prevent.Get(r.Context(), s.DB, p.Scope, id, 0)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, ev)
	return nil
}

func (s *handler) handleCoverage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	c, _, err := s.Coverage(r, p)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, c)
	return nil
}

func (s *handler) handleSurveys(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	scope, err := s.SubScope(r, p)
	if err != nil {
		return err
	}
	t, err := prevent.Trends(r.Context(), s.DB, scope, s.Loc)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, t)
	return nil
}

func (s *handler) handleCreateSurvey(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var b web.SurveyBody
	if err := web.DecodeJSON(r, &b, 64<<10); err != nil {
		return err
	}
	id, err := s.RecordSurvey(r, p, b)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]int64{"id": id})
	return nil
}

func (s *handler) handleTargeting(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	t, err := s.Targeting(r, p)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, t)
	return nil
}
