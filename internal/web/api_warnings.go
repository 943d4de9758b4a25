package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/settings"
	"github.com/fanzha/fanzha/internal/warning"
)

// warningIntake returns the intake pipeline, built on first use (the demo
// county's tree may be generated after the server starts).
func (s *Server) warningIntake(ctx context.Context) (*warning.Intake, error) {
	s.intakeMu.Lock()
	defer s.intakeMu.Unlock()
	if s.intake != nil {
		return s.intake, nil
	}
	in, err := warning.NewIntake(ctx, s.db, s.policy, s.now)
	if err != nil {
		return nil, err
	}
	// The deadlines and score points in force follow 系统设置: read now
	// (after NewIntake read the generations, so a change in between is
	// read again at the next batch) and whenever the settings change.
	in.PolicySource = s.settings.Policy
	p, err := s.settings.Policy(ctx)
	if err != nil {
		return nil, err
	}
	in.SetPolicy(p)
	in.OnStored = s.publish
	s.intake = in
	return in, nil
}

// policyNow is the warning policy in force (系统设置 under the start-up
// flags), for contacts and outcomes that set on-site deadlines.
func (s *Server) policyNow(ctx context.Context) warning.Policy {
	p, err := s.settings.CachedPolicy(ctx)
	if err != nil {
		s.log.Error("read settings; using the start-up deadlines", "err", err)
		return s.policy
	}
	return p
}

// Settings is the store of the settings in force.
func (s *Server) Settings() *settings.Store { return s.settings }

// Intake gives other doors (the command line, the stream consumer, the
// demo trickle) the same pipeline the API uses.
func (s *Server) Intake(ctx context.Context) (*warning.Intake, error) { return s.warningIntake(ctx) }

// PublishWarnings tells open duty boards that warnings changed.
func (s *Server) PublishWarnings(ids []int64) { s.publish(ids) }

func (s *Server) actor(r *http.Request, p *auth.Principal) warning.Actor {
	return warning.Actor{UserID: p.User.ID, Scope: p.Scope, Audit: auth.AuditFor(p, clientIP(r), requestID(r.Context()))}
}

type batchRequest struct {
	Warnings     []warning.Input `json:"warnings"`
	AllOrNothing bool            `json:"all_or_nothing"`
}

// handleCreateWarnings takes one warning (a JSON object) or a batch
// ({"warnings": […], "all_or_nothing": false}) of up to 10,000. The answer
// comes after the warnings are durably stored: 201 when something new was
// stored, 200 when everything was already there (a re-sent warning), 422
// when nothing could be taken.
func (s *Server) handleCreateWarnings(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<20))
	if err != nil {
		return errorf(http.StatusRequestEntityTooLarge, "too_large", "请求体过大（上限 64 MB）或读取失败：%v", err)
	}
	trimmed := bytes.TrimSpace(body)
	var req batchRequest
	single := false
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	switch {
	case bytes.HasPrefix(trimmed, []byte(`{"warnings"`)) || bytes.Contains(trimmed[:min(len(trimmed), 64)], []byte(`"warnings"`)):
		if err := dec.Decode(&req); err != nil {
			return errorf(http.StatusBadRequest, "bad_json", "批量预警 JSON 无效：%v", err)
		}
	case bytes.HasPrefix(trimmed, []byte("[")):
		if err := dec.Decode(&req.Warnings); err != nil {
			return errorf(http.StatusBadRequest, "bad_json", "预警数组 JSON 无效：%v", err)
		}
	default:
		var one warning.Input
		if err := dec.Decode(&one); err != nil {
			return errorf(http.StatusBadRequest, "bad_json", "预警 JSON 无效：%v", err)
		}
		req.Warnings, single = []warning.Input{one}, true
	}
	if len(req.Warnings) == 0 {
		return errorf(http.StatusBadRequest, "empty", "没有预警：请求体应为一条预警对象，或 {\"warnings\": [...]}")
	}
	if len(req.Warnings) > warning.MaxBatch {
		return errorf(http.StatusRequestEntityTooLarge, "too_many", "一次最多提交 %d 条预警，本次 %d 条", warning.MaxBatch, len(req.Warnings))
	}
	in, err := s.warningIntake(r.Context())
	if err != nil {
		return err
	}
	who := auth.AuditFor(p, clientIP(r), requestID(r.Context()))
	res, err := in.Submit(r.Context(), req.Warnings, warning.SubmitOptions{AllOrNothing: req.AllOrNothing, Door: "api", UserID: p.User.ID, Audit: &who})
	if err != nil {
		return err
	}
	if err := res.ForScope(r.Context(), s.db, p.Scope); err != nil {
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
			return errorf(http.StatusUnprocessableEntity, "invalid_warning", "预警未接收：%s", it.Error)
		}
		writeJSON(w, status, it)
		return nil
	}
	writeJSON(w, status, res)
	return nil
}

func (s *Server) handleWarningTimeline(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	events, err := warning.Timeline(r.Context(), s.db, p.Scope, id)
	if err != nil {
		return err
	}
	merged, err := warning.Merged(r.Context(), s.db, p.Scope, id)
	if err != nil {
		return err
	}
	m, err := s.masker(r, p, "warning", strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	for i := range merged {
		merged[i] = merged[i].Masked(m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": events, "merged": merged})
	return nil
}

func (s *Server) handleWarningContact(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var c warning.ContactInput
	if err := decodeJSON(r, &c, 1<<16); err != nil {
		return err
	}
	if err := warning.RecordContact(r.Context(), s.db, s.policyNow(r.Context()), s.actor(r, p), id, c, s.now()); err != nil {
		return err
	}
	s.publish([]int64{id})
	writeJSON(w, http.StatusCreated, map[string]any{"status": "recorded"})
	return nil
}

func (s *Server) handleWarningOutcome(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var o warning.OutcomeInput
	if err := decodeJSON(r, &o, 1<<16); err != nil {
		return err
	}
	res, err := warning.SetOutcome(r.Context(), s.db, s.policyNow(r.Context()), s.actor(r, p), id, o, s.now())
	if err != nil {
		return err
	}
	s.publish([]int64{id})
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) handleWarningHandover(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var h warning.HandoverInput
	if err := decodeJSON(r, &h, 1<<16); err != nil {
		return err
	}
	if err := warning.Handover(r.Context(), s.db, s.actor(r, p), id, h, s.now()); err != nil {
		return err
	}
	s.publish([]int64{id})
	writeJSON(w, http.StatusOK, map[string]any{"status": "handed over"})
	return nil
}

func (s *Server) handleWarningEmergency(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var e warning.EmergencyInput
	if err := decodeJSON(r, &e, 1<<16); err != nil {
		return err
	}
	reqID, err := warning.RequestEmergency(r.Context(), s.db, s.actor(r, p), id, e, s.now())
	if err != nil {
		return err
	}
	s.publish([]int64{id})
	writeJSON(w, http.StatusCreated, map[string]any{"request_id": reqID, "status": "sent"})
	return nil
}

// handleNextWarning is 「下一条」: it hands the caller the waiting warning of
// their jurisdiction where a call now is expected to keep the most money,
// claimed for them (warning.Next); 404 nothing_waiting when there is none.
func (s *Server) handleNextWarning(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	res, err := warning.Next(r.Context(), s.db, s.actor(r, p), warning.ByExpectedKept, s.now())
	if err != nil {
		return err
	}
	s.publish([]int64{res.Warning.ID})
	m, err := s.masker(r, p, "warning", strconv.FormatInt(res.Warning.ID, 10))
	if err != nil {
		return err
	}
	res.Warning = res.Warning.Masked(m)
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) handleBoard(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f := warning.BoardFilter{Grade: warning.Grade(r.URL.Query().Get("grade")), FraudType: r.URL.Query().Get("type")}
	var err error
	if f.StationID, err = queryInt(r, "station"); err != nil {
		return err
	}
	if v := r.URL.Query().Get("mine"); v == "1" || strings.EqualFold(v, "true") {
		f.AssigneeID = p.User.ID
	}
	items, err := warning.Board(r.Context(), s.db, p.Scope, f, s.now())
	if err != nil {
		return err
	}
	m, err := s.masker(r, p, "warning", "board")
	if err != nil {
		return err
	}
	for i := range items {
		items[i].Warning = items[i].Warning.Masked(m)
	}
	if items == nil {
		items = []warning.BoardItem{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"now": s.now().UTC(), "items": items})
	return nil
}

// handleWarningFigures answers the warning figures of the caller's
// jurisdiction (or ?area= under it) for [from, to) (dates in Asia/Shanghai;
// default: the last 30 days).
func (s *Server) handleWarningFigures(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	scope, err := s.scopeParam(r, p)
	if err != nil {
		return err
	}
	from, err := s.queryTime(r, "from")
	if err != nil {
		return err
	}
	to, err := s.queryTime(r, "to")
	if err != nil {
		return err
	}
	now := s.now()
	if to.IsZero() {
		to = now
	}
	if from.IsZero() {
		from = to.AddDate(0, 0, -30)
	}
	if !from.Before(to) {
		return errorf(http.StatusBadRequest, "bad_period", "起始时间应早于结束时间")
	}
	f, err := s.figures.Figures(r.Context(), s.db, scope, from, to, now)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

func (s *Server) handleWarningFraudType(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		FraudType string `json:"fraud_type"`
	}
	if err := decodeJSON(r, &in, 1<<12); err != nil {
		return err
	}
	if err := warning.SetFraudType(r.Context(), s.db, s.actor(r, p), id, in.FraudType, s.now()); err != nil {
		return err
	}
	s.publish([]int64{id})
	writeJSON(w, http.StatusOK, map[string]any{"fraud_type": in.FraudType, "fraud_type_source": "officer"})
	return nil
}
