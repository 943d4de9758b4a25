package api

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/bulletin"
	"github.com/fanzha/fanzha/internal/web"
)

func (s *handler) handleBulletinJSON(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	b, err := s.ComputeBulletin(r, p)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, b)
	return nil
}

func (s *handler) handleBulletinXLSX(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	b, err := s.ComputeBulletin(r, p)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := bulletin.WriteExcel(&buf, b); err != nil {
		return err
	}
	if err := s.Audit(r, p, auth.AuditExport, "bulletin", strconv.FormatInt(b.AreaID, 10), b.Title); err != nil {
		return err
	}
	name := fmt.Sprintf("%s-%s-%s.xlsx", b.Scope, b.KindName, b.Period.From.Format("20060102"))
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"bulletin.xlsx\"; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
	return nil
}

func (s *handler) handleBulletinRuns(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	runs, err := bulletin.Runs(r.Context(), s.DB, p.Scope, 100)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"runs": runs})
	return nil
}

func (s *handler) handleBulletinSchedule(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	h, err := bulletin.DailyHour(r.Context(), s.DB)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]int{"daily_hour": h})
	return nil
}

func (s *handler) handleSetBulletinSchedule(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var body struct {
		DailyHour int `json:"daily_hour"`
	}
	if err := web.DecodeJSON(r, &body, 1024); err != nil {
		return err
	}
	if err := bulletin.SetDailyHour(r.Context(), s.DB, body.DailyHour); err != nil {
		return err
	}
	if err := s.Audit(r, p, auth.AuditUpdate, "setting", bulletin.HourSetting, strconv.Itoa(body.DailyHour)); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]int{"daily_hour": body.DailyHour})
	return nil
}

func (s *handler) handleDashboard(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	d, err := bulletin.ComputeDashboardCached(r.Context(), s.DB, s.Figures, p.Scope, s.Now(), s.Loc)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, d)
	return nil
}
