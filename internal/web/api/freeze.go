package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/returns"
	"github.com/fanzha/fanzha/internal/web"
)

func (s *handler) handleFreezes(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	caseID, err := web.QueryInt(r, "case")
	if err != nil {
		return err
	}
	list, err := partner.ListFreezes(r.Context(), s.DB, p.Scope, partner.FreezeFilter{Status: r.URL.Query().Get("status"), CaseID: caseID}, s.Now())
	if err != nil {
		return err
	}
	m, err := s.Masker(r, p, "freezes", "")
	if err != nil {
		return err
	}
	for i := range list {
		list[i] = list[i].Masked(m)
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"freezes": list})
	return nil
}

func (s *handler) handleFreeze(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return writeOne(s, w, r, p, "partner_request", func(ctx context.Context, id int64) (partner.FreezeRow, error) {
		return partner.GetFreeze(ctx, s.DB, p.Scope, id, s.Now())
	})
}

// freezeAnswer writes the freeze after a change.
func (s *handler) freezeAnswer(w http.ResponseWriter, r *http.Request, p *auth.Principal, status int, id int64) error {
	f, err := partner.GetFreeze(r.Context(), s.DB, p.Scope, id, s.Now())
	if err != nil {
		return err
	}
	web.WriteJSON(w, status, f.Masked(auth.Masker{}))
	return nil
}

func (s *handler) handleFreezeSend(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	if err := partner.Send(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, s.Now()); err != nil {
		return err
	}
	return s.freezeAnswer(w, r, p, http.StatusOK, id)
}

func (s *handler) handleFreezeConfirm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var in struct {
		FrozenFen int64  `json:"frozen_fen"`
		Reference string `json:"reference"`
	}
	if err := web.DecodeJSON(r, &in, 1<<12); err != nil {
		return err
	}
	if err := partner.Confirm(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, in.FrozenFen, in.Reference, s.Now()); err != nil {
		return err
	}
	return s.freezeAnswer(w, r, p, http.StatusOK, id)
}

func (s *handler) handleFreezeReject(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := web.DecodeJSON(r, &in, 1<<12); err != nil {
		return err
	}
	if err := partner.Reject(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, in.Reason, s.Now()); err != nil {
		return err
	}
	return s.freezeAnswer(w, r, p, http.StatusOK, id)
}

func (s *handler) handleFreezeRenew(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.freezeFollow(w, r, p, partner.Renew)
}

// handleFreezeConvert converts a confirmed stop-payment to a freeze (止付转冻结).
func (s *handler) handleFreezeConvert(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.freezeFollow(w, r, p, partner.Convert)
}

func (s *handler) handleFreezeRelease(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.freezeFollow(w, r, p, partner.Release)
}

func (s *handler) freezeFollow(w http.ResponseWriter, r *http.Request, p *auth.Principal, fn func(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, id int64, reason string, now time.Time) (int64, error)) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := web.DecodeJSON(r, &in, 1<<12); err != nil {
		return err
	}
	newID, err := fn(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, in.Reason, s.Now())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"request_id": newID, "status": "sent", "prior_id": id})
	return nil
}

func (s *handler) handleFreezeTerms(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	t, err := partner.LoadTerms(r.Context(), s.DB)
	if err != nil {
		return err
	}
	rem := func(ds []time.Duration) []string {
		out := []string{}
		for _, d := range ds {
			out = append(out, partner.Term{Dur: d}.String())
		}
		return out
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"stop_payment": t.StopPayment.String(), "freeze": t.Freeze.String(),
		"remind_stop_payment": rem(t.RemindStopPayment), "remind_freeze": rem(t.RemindFreeze), "setting": t.String()})
	return nil
}

func (s *handler) handleCaseTimeline(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	events, err := funds.CaseTimeline(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"events": events})
	return nil
}

func (s *handler) handleCaseReturns(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return writeOne(s, w, r, p, "case", func(ctx context.Context, id int64) (returns.CaseReturns, error) {
		return returns.GetCaseReturns(ctx, s.DB, p.Scope, id, s.Now())
	})
}

func (s *handler) handleCaseReturnsXLSX(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.WriteReturnsXLSX(w, r, p)
}

func (s *handler) handleCreateReturnPlan(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	planID, err := returns.CreatePlan(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, s.Now())
	if err != nil {
		return err
	}
	return s.planAnswer(w, r, p, http.StatusCreated, planID)
}

func (s *handler) planAnswer(w http.ResponseWriter, r *http.Request, p *auth.Principal, status int, id int64) error {
	plan, err := returns.GetPlan(r.Context(), s.DB, p.Scope, id, s.Now())
	if err != nil {
		return err
	}
	plan.Account = auth.Masker{}.Card(plan.Account)
	web.WriteJSON(w, status, plan)
	return nil
}

func (s *handler) handleReturnPlan(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	return s.planAnswer(w, r, p, http.StatusOK, id)
}

func (s *handler) handleReturnNotice(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var in struct {
		StartsAt time.Time `json:"starts_at"`
	}
	// The body is optional: none means the notice starts now.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<12))
	if err != nil {
		return web.Errorf(http.StatusRequestEntityTooLarge, "too_large", "请求体超过 %d 字节上限", 1<<12)
	}
	if len(bytes.TrimSpace(body)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			return web.Errorf(http.StatusBadRequest, "bad_json", "请求体不是有效的 JSON：%v", err)
		}
	}
	if err := returns.PublishNotice(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, in.StartsAt, s.Now()); err != nil {
		return err
	}
	return s.planAnswer(w, r, p, http.StatusOK, id)
}

func (s *handler) handleReturnObjection(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Objector string `json:"objector"`
		Text     string `json:"text"`
	}
	if err := web.DecodeJSON(r, &in, 1<<16); err != nil {
		return err
	}
	oid, err := returns.AddObjection(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, in.Objector, in.Text, s.Now())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"objection_id": oid, "plan_id": id})
	return nil
}

func (s *handler) handleResolveObjection(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Resolution string `json:"resolution"`
	}
	if err := web.DecodeJSON(r, &in, 1<<16); err != nil {
		return err
	}
	if err := returns.ResolveObjection(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, in.Resolution, s.Now()); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"objection_id": id, "status": "resolved"})
	return nil
}

func (s *handler) handleExecuteReturnPlan(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	if err := returns.ExecutePlan(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, s.Now()); err != nil {
		return err
	}
	return s.planAnswer(w, r, p, http.StatusOK, id)
}

func (s *handler) handleReturnPayment(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var in returns.NewPayment
	if err := web.DecodeJSON(r, &in, 1<<12); err != nil {
		return err
	}
	if _, err := returns.RecordPayment(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, in, s.Now()); err != nil {
		return err
	}
	return s.planAnswer(w, r, p, http.StatusCreated, id)
}

func (s *handler) handleFundsFigures(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	scope, err := s.ScopeParam(r, p)
	if err != nil {
		return err
	}
	from, to, err := s.figuresPeriod(r)
	if err != nil {
		return err
	}
	f, err := partner.ComputeFundsFigures(r.Context(), s.DB, scope, from, to)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, f)
	return nil
}

// figuresPeriod reads ?from=&to= (dates are Asia/Shanghai days, the "to"
// day included); the default is the last 30 days.
func (s *handler) figuresPeriod(r *http.Request) (time.Time, time.Time, error) {
	from, err := s.QueryTime(r, "from")
	if err != nil {
		return from, from, err
	}
	to, err := s.QueryTime(r, "to")
	if err != nil {
		return from, to, err
	}
	if v := r.URL.Query().Get("to"); len(v) == len("2006-01-02") {
		to = to.AddDate(0, 0, 1)
	}
	if to.IsZero() {
		to = s.Now()
	}
	if from.IsZero() {
		from = to.AddDate(0, 0, -30)
	}
	if !from.Before(to) {
		return from, to, web.Errorf(http.StatusBadRequest, "bad_param", "from 应早于 to")
	}
	return from, to, nil
}
