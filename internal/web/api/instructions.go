package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/fanzha/fanzha/internal/assess"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/consult"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/dissuade"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/instruction"
	"github.com/fanzha/fanzha/internal/web"
)

// Handlers of routes_instructions.go.

type (
	pendingBody struct {
		Now     time.Time             `json:"now"`
		Total   int                   `json:"total"`
		Overdue int                   `json:"overdue"`
		Offset  int                   `json:"offset"`
		Items   []instruction.Pending `json:"items"`
	}
	followupsBody struct {
		Items []dissuade.Followup `json:"items"`
	}
	followupBody struct {
		ID     int64  `json:"id"`
		Result string `json:"result"`
		Note   string `json:"note"`
	}
	rateRow struct {
		dissuade.RateRow
		DissuasionPermille int64 `json:"dissuasion_permille"`
		RelapsePermille    int64 `json:"relapse_permille"`
	}
	dissuasionBody struct {
		From      time.Time          `json:"from"`
		To        time.Time          `json:"to"`
		Total     rateRow            `json:"total"`
		ByStation []rateRow          `json:"by_station"`
		ByOfficer []rateRow          `json:"by_officer"`
		Relapses  []dissuade.Relapse `json:"relapses"`
	}
	leagueFigure struct {
		Key          string `json:"key"`
		Name         string `json:"name"`
		Unit         string `json:"unit"`
		HigherBetter bool   `json:"higher_better"`
	}
	leagueBody struct {
		From    time.Time      `json:"from"`
		To      time.Time      `json:"to"`
		AreaID  int64          `json:"area_id"`
		Area    string         `json:"area"`
		Unit    string         `json:"unit"` // what a row is: 派出所 or 乡镇/街道
		Figures []leagueFigure `json:"figures"`
		Rows    []assess.Row   `json:"rows"`
	}
	consultationsBody struct {
		Items []consult.Consultation `json:"items"`
	}
	convertedBody struct {
		WarningID int64 `json:"warning_id"`
	}
	statusBody struct {
		Status string `json:"status"`
	}
	supervisionTasksBody struct {
		Offset int           `json:"offset"`
		Items  []assess.Task `json:"items"`
	}
	closeTaskBody struct {
		Note string `json:"note"` // 整改情况: what was done about the red figures
	}
	registrationsBody struct {
		assess.ImportResult
		Error string `json:"error,omitempty"`
	}
)

func (s *handler) handlePendingFeedback(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	offset, err := web.QueryInt(r, "offset")
	if err != nil {
		return err
	}
	limit, err := web.QueryInt(r, "limit")
	if err != nil {
		return err
	}
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	now := s.Now()
	all, err := instruction.PendingFeedback(r.Context(), s.DB, p.Scope, now)
	if err != nil {
		return err
	}
	onlyOverdue := r.URL.Query().Get("overdue") == "1"
	b := pendingBody{Now: now.UTC(), Items: []instruction.Pending{}, Offset: int(max(offset, 0))}
	var list []instruction.Pending
	for _, it := range all {
		if it.Overdue {
			b.Overdue++
		}
		if !onlyOverdue || it.Overdue {
			list = append(list, it)
		}
	}
	b.Total = len(list)
	if b.Offset < len(list) {
		b.Items = list[b.Offset:min(len(list), b.Offset+int(limit))]
	}
	web.WriteJSON(w, http.StatusOK, b)
	return nil
}

// handleFeedbackFile answers the feedback file of ?from, ?to (a date as
// the end includes that day), default the last 30 days.
func (s *handler) handleFeedbackFile(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	from, to, err := s.Period(r, 30)
	if err != nil {
		return err
	}
	return s.WriteFeedbackFile(w, r, p, from, to, r.URL.Query().Get("layout"))
}

func (s *handler) handleImportInstructions(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	name, f, err := web.UploadedFile(r, "file")
	if err != nil {
		return err
	}
	defer f.Close()
	rep, err := s.ImportInstructions(r, p, name, f)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, rep)
	return nil
}

func (s *handler) handleWarningInstruction(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	in, err := instruction.Get(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, in)
	return nil
}

func (s *handler) handleSignInstruction(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	if err := instruction.Sign(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, s.Now()); err != nil {
		return err
	}
	s.Publish([]int64{id})
	in, err := instruction.Get(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, in)
	return nil
}

func (s *handler) handleWarningHistory(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return writeOne(s, w, r, p, "warning", func(ctx context.Context, id int64) (dissuade.History, error) {
		return dissuade.PersonHistory(ctx, s.DB, p.Scope, id)
	})
}

// followupsOf is the caller's open follow-ups due within days days.
func (s *handler) followupsOf(r *http.Request, p *auth.Principal, days int64) (followupsBody, error) {
	now := s.Now()
	y, m, d := now.In(s.Loc).Date()
	until := time.Date(y, m, d, 0, 0, 0, 0, s.Loc).AddDate(0, 0, int(days))
	list, err := dissuade.Due(r.Context(), s.DB, p.Scope, p.User.ID, until, now)
	if err != nil {
		return followupsBody{}, err
	}
	mk, err := s.Masker(r, p, "followup", "list")
	if err != nil {
		return followupsBody{}, err
	}
	b := followupsBody{Items: []dissuade.Followup{}}
	for _, f := range list {
		b.Items = append(b.Items, f.Masked(mk))
	}
	return b, nil
}

func (s *handler) handleFollowups(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	days, err := web.QueryInt(r, "days")
	if err != nil {
		return err
	}
	if days <= 0 {
		days = 1
	}
	b, err := s.followupsOf(r, p, min(days, 60))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, b)
	return nil
}

func (s *handler) handleFollowupDone(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in followupBody
	if err := web.DecodeJSON(r, &in, 1<<14); err != nil {
		return err
	}
	if in.ID <= 0 {
		return web.Errorf(http.StatusBadRequest, "bad_id", "请给出回访编号 id")
	}
	if err := dissuade.Done(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), in.ID, in.Result, in.Note, s.Now()); err != nil {
		return err
	}
	b, err := s.followupsOf(r, p, 1)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, b)
	return nil
}

func withPermille(r dissuade.RateRow) rateRow {
	return rateRow{RateRow: r, DissuasionPermille: r.DissuasionPermille(), RelapsePermille: r.RelapsePermille()}
}

func (s *handler) handleDissuasionFigures(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	scope, err := s.ScopeParam(r, p)
	if err != nil {
		return err
	}
	from, to, err := s.Period(r, 30)
	if err != nil {
		return err
	}
	rates, err := dissuade.DissuasionRates(r.Context(), s.DB, scope, from, to)
	if err != nil {
		return err
	}
	b := dissuasionBody{From: from, To: to, Total: withPermille(rates.Total), ByStation: []rateRow{}, ByOfficer: []rateRow{},
		Relapses: rates.Relapses}
	for _, x := range rates.ByStation {
		b.ByStation = append(b.ByStation, withPermille(x))
	}
	for _, x := range rates.ByOfficer {
		b.ByOfficer = append(b.ByOfficer, withPermille(x))
	}
	if b.Relapses == nil {
		b.Relapses = []dissuade.Relapse{}
	}
	web.WriteJSON(w, http.StatusOK, b)
	return nil
}

func (s *handler) handleLeague(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	lg, err := s.League(r, p)
	if err != nil {
		return err
	}
	b := leagueBody{From: lg.From, To: lg.To, AreaID: lg.Scope.ID, Area: lg.Scope.FullName, Unit: web.LeagueUnitName(lg.Scope),
		Rows: lg.Rows}
	for _, f := range assess.Figures {
		b.Figures = append(b.Figures, leagueFigure{f.Key, f.Name, f.Unit, f.HigherBetter})
	}
	if b.Rows == nil {
		b.Rows = []assess.Row{}
	}
	web.WriteJSON(w, http.StatusOK, b)
	return nil
}

func (s *handler) handleConsultations(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	from, to, err := s.Period(r, 30)
	if err != nil {
		return err
	}
	list, err := consult.List(r.Context(), s.DB, p.Scope, from, to, r.URL.Query().Get("status"))
	if err != nil {
		return err
	}
	m, err := s.Masker(r, p, "consultation", "list")
	if err != nil {
		return err
	}
	b := consultationsBody{Items: []consult.Consultation{}}
	for _, c := range list {
		b.Items = append(b.Items, c.Masked(m))
	}
	web.WriteJSON(w, http.StatusOK, b)
	return nil
}

func (s *handler) handleLogConsultation(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in consult.Input
	if err := web.DecodeJSON(r, &in, 1<<16); err != nil {
		return err
	}
	id, err := consult.Log(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), in, s.Now())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, idBody{ID: id})
	return nil
}

func (s *handler) handleConvertConsultation(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var in web.ConvertInput
	if err := web.DecodeJSON(r, &in, 1<<14); err != nil {
		return err
	}
	wid, err := s.ConvertConsultation(r, p, id, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, convertedBody{WarningID: wid})
	return nil
}

func (s *handler) handleCloseConsultation(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	if err := consult.Close(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, s.Now()); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, statusBody{Status: "closed"})
	return nil
}

func (s *handler) handleConsultationLead(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	// Asked first: a caller refused unmask=1 converts nothing.
	m, err := s.Masker(r, p, "consultation", strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	lead, err := consult.ConvertToCardLead(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, s.Now())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, lead.Masked(m))
	return nil
}

func (s *handler) handleSupervisionTasks(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	offset, err := web.QueryInt(r, "offset")
	if err != nil {
		return err
	}
	limit, err := web.QueryInt(r, "limit")
	if err != nil {
		return err
	}
	page := db.Page{Limit: int(limit), Offset: int(offset)}.Clamp(50, 500)
	list, err := assess.Tasks(r.Context(), s.DB, p.Scope, r.URL.Query().Get("status"), page)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, supervisionTasksBody{Offset: page.Offset, Items: list})
	return nil
}

func (s *handler) handleCloseSupervisionTask(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var in closeTaskBody
	if err := web.DecodeJSON(r, &in, 1<<14); err != nil {
		return err
	}
	if err := assess.CloseTask(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, in.Note, s.Now()); err != nil {
		return err
	}
	t, err := assess.GetTask(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, t)
	return nil
}

func (s *handler) handleImportRegistrations(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	name, f, err := web.UploadedFile(r, "file")
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := assess.ImportRegistrations(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), name, f, s.Now())
	if res.Errors == nil {
		res.Errors = []assess.RowError{}
	}
	if err != nil {
		if len(res.Errors) > 0 && errors.Is(err, domain.ErrInvalid) {
			web.WriteJSON(w, http.StatusUnprocessableEntity, registrationsBody{ImportResult: res, Error: err.Error()})
			return nil
		}
		return err
	}
	web.WriteJSON(w, http.StatusOK, registrationsBody{ImportResult: res})
	return nil
}
