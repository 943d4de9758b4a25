package api

import (
	"bytes"
	"encoding/json"
	"github.com/fanzha/fanzha/internal/dissuade"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/instruction"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/web"
)

// batchRequest is a batch of warnings, each of which may carry the
// instruction it came as (instruction.Incoming).
type batchRequest struct {
	Warnings     []instruction.Incoming `json:"warnings"`
	AllOrNothing bool                   `json:"all_or_nothing"`
}

// handleCreateWarnings takes one warning (a JSON object) or a batch
// ({"warnings": […], "all_or_nothing": false}) of up to 10,000. The answer
// comes after the warnings are durably stored: 201 when something new was
// stored, 200 when everything was already there (a re-sent warning), 422
// when nothing could be taken.
func (s *handler) handleCreateWarnings(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<20))
	if err != nil {
		return web.Errorf(http.StatusRequestEntityTooLarge, "too_large", "请求体过大（上限 64 MB）或读取失败：%v", err)
	}
	trimmed := bytes.TrimSpace(body)
	var req batchRequest
	single := false
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	switch {
	case bytes.HasPrefix(trimmed, []byte(`{"warnings"`)) || bytes.Contains(trimmed[:min(len(trimmed), 64)], []byte(`"warnings"`)):
		if err := dec.Decode(&req); err != nil {
			return web.Errorf(http.StatusBadRequest, "bad_json", "批量预警 JSON 无效：%v", err)
		}
	case bytes.HasPrefix(trimmed, []byte("[")):
		if err := dec.Decode(&req.Warnings); err != nil {
			return web.Errorf(http.StatusBadRequest, "bad_json", "预警数组 JSON 无效：%v", err)
		}
	default:
		var one instruction.Incoming
		if err := dec.Decode(&one); err != nil {
			return web.Errorf(http.StatusBadRequest, "bad_json", "预警 JSON 无效：%v", err)
		}
		req.Warnings, single = []instruction.Incoming{one}, true
	}
	if len(req.Warnings) == 0 {
		return web.Errorf(http.StatusBadRequest, "empty", "没有预警：请求体应为一条预警对象，或 {\"warnings\": [...]}")
	}
	if len(req.Warnings) > warning.MaxBatch {
		return web.Errorf(http.StatusRequestEntityTooLarge, "too_many", "一次最多提交 %d 条预警，本次 %d 条", warning.MaxBatch, len(req.Warnings))
	}
	in, err := s.WarningIntake(r.Context())
	if err != nil {
		return err
	}
	who := auth.AuditFor(p, web.ClientIP(r), web.RequestID(r.Context()))
	// A warning sent with its instruction registers it, as an imported
	// instruction file does.
	sub, err := instruction.Submit(r.Context(), s.DB, in, req.Warnings,
		warning.SubmitOptions{AllOrNothing: req.AllOrNothing, Door: "api", UserID: p.User.ID, Audit: &who}, s.Now())
	if err != nil {
		return err
	}
	res := &sub.BatchResult
	if err := res.ForScope(r.Context(), s.DB, p.Scope); err != nil {
		return err
	}
	status := http.StatusCreated
	switch {
	case !res.Stored || res.Created+res.Merged+res.Duplicates == 0:
		status = http.StatusUnprocessableEntity
	case res.Created+res.Merged == 0:
		status = http.StatusOK
	}
	if single {
		it := res.Items[0]
		if it.Status == warning.ItemRejected {
			return web.Errorf(http.StatusUnprocessableEntity, "invalid_warning", "预警未接收：%s", it.Error)
		}
		web.WriteJSON(w, status, it)
		return nil
	}
	web.WriteJSON(w, status, sub)
	return nil
}

func (s *handler) handleWarningTimeline(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	events, err := warning.Timeline(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	merged, err := warning.Merged(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	m, err := s.Masker(r, p, "warning", strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	for i := range merged {
		merged[i] = merged[i].Masked(m)
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"events": events, "merged": merged})
	return nil
}

func (s *handler) handleWarningContact(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var c warning.ContactInput
	if err := web.DecodeJSON(r, &c, 1<<16); err != nil {
		return err
	}
	if err := dissuade.RecordContact(r.Context(), s.DB, s.PolicyNow(r.Context()), s.Actor(r, p), id, c, s.Now()); err != nil {
		return err
	}
	s.Publish([]int64{id})
	web.WriteJSON(w, http.StatusCreated, map[string]any{"status": "recorded"})
	return nil
}

func (s *handler) handleWarningOutcome(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var o warning.OutcomeInput
	if err := web.DecodeJSON(r, &o, 1<<16); err != nil {
		return err
	}
	res, err := warning.SetOutcome(r.Context(), s.DB, s.PolicyNow(r.Context()), s.Actor(r, p), id, o, s.Now())
	if err != nil {
		return err
	}
	s.Publish([]int64{id})
	web.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (s *handler) handleWarningHandover(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var h warning.HandoverInput
	if err := web.DecodeJSON(r, &h, 1<<16); err != nil {
		return err
	}
	if err := warning.Handover(r.Context(), s.DB, s.Actor(r, p), id, h, s.Now()); err != nil {
		return err
	}
	s.Publish([]int64{id})
	web.WriteJSON(w, http.StatusOK, map[string]any{"status": "handed over"})
	return nil
}

func (s *handler) handleWarningEmergency(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var e warning.EmergencyInput
	if err := web.DecodeJSON(r, &e, 1<<16); err != nil {
		return err
	}
	reqID, err := warning.RequestEmergency(r.Context(), s.DB, s.Actor(r, p), id, e, s.Now())
	if err != nil {
		return err
	}
	s.Publish([]int64{id})
	web.WriteJSON(w, http.StatusCreated, map[string]any{"request_id": reqID, "status": "sent"})
	return nil
}

// handleNextWarning is 「下一条」: it hands the caller the waiting warning of
// their jurisdiction where a call now is expected to keep the most money,
// claimed for them (warning.Next); 404 nothing_waiting when there is none.
func (s *handler) handleNextWarning(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	res, err := warning.Next(r.Context(), s.DB, s.Actor(r, p), warning.ByExpectedKept, s.Now())
	if err != nil {
		return err
	}
	s.Publish([]int64{res.Warning.ID})
	m, err := s.Masker(r, p, "warning", strconv.FormatInt(res.Warning.ID, 10))
	if err != nil {
		return err
	}
	res.Warning = res.Warning.Masked(m)
	web.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (s *handler) handleBoard(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f := warning.BoardFilter{Grade: warning.Grade(r.URL.Query().Get("grade")), FraudType: r.URL.Query().Get("type")}
	var err error
	if f.StationID, err = web.QueryInt(r, "station"); err != nil {
		return err
	}
	if v := r.URL.Query().Get("mine"); v == "1" || strings.EqualFold(v, "true") {
		f.AssigneeID = p.User.ID
	}
	items, err := warning.Board(r.Context(), s.DB, p.Scope, f, s.Now())
	if err != nil {
		return err
	}
	m, err := s.Masker(r, p, "warning", "board")
	if err != nil {
		return err
	}
	for i := range items {
		items[i].Warning = items[i].Warning.Masked(m)
	}
	if items == nil {
		items = []warning.BoardItem{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"now": s.Now().UTC(), "items": items})
	return nil
}

// handleWarningFigures answers the warning figures of the caller's
// jurisdiction (or ?area= under it) for [from, to) (dates in Asia/Shanghai;
// default: the last 30 days).
func (s *handler) handleWarningFigures(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	scope, err := s.ScopeParam(r, p)
	if err != nil {
		return err
	}
	from, err := s.QueryTime(r, "from")
	if err != nil {
		return err
	}
	to, err := s.QueryTime(r, "to")
	if err != nil {
		return err
	}
	now := s.Now()
	if to.IsZero() {
		to = now
	}
	if from.IsZero() {
		from = to.AddDate(0, 0, -30)
	}
	if !from.Before(to) {
		return web.Errorf(http.StatusBadRequest, "bad_period", "起始时间应早于结束时间")
	}
	f, err := s.Figures.Figures(r.Context(), s.DB, scope, from, to, now)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, f)
	return nil
}

func (s *handler) handleWarningFraudType(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var in struct {
		FraudType string `json:"fraud_type"`
	}
	if err := web.DecodeJSON(r, &in, 1<<12); err != nil {
		return err
	}
	if err := warning.SetFraudType(r.Context(), s.DB, s.Actor(r, p), id, in.FraudType, s.Now()); err != nil {
		return err
	}
	s.Publish([]int64{id})
	web.WriteJSON(w, http.StatusOK, map[string]any{"fraud_type": in.FraudType, "fraud_type_source": "officer"})
	return nil
}
