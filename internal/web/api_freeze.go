package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/partner"
)

func (s *Server) auditEntry(r *http.Request, p *auth.Principal) auth.AuditEntry {
	return auth.AuditFor(p, clientIP(r), requestID(r.Context()))
}

func (s *Server) handleFreezes(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	caseID, err := queryInt(r, "case")
	if err != nil {
		return err
	}
	list, err := partner.ListFreezes(r.Context(), s.db, p.Scope, partner.FreezeFilter{Status: r.URL.Query().Get("status"), CaseID: caseID}, s.now())
	if err != nil {
		return err
	}
	m, err := s.masker(r, p, "freezes", "")
	if err != nil {
		return err
	}
	for i := range list {
		list[i] = list[i].Masked(m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"freezes": list})
	return nil
}

func (s *Server) handleFreeze(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, err := partner.GetFreeze(r.Context(), s.db, p.Scope, id, s.now())
	if err != nil {
		return err
	}
	m, err := s.masker(r, p, "partner_request", strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f.Masked(m))
	return nil
}

// freezeAnswer writes the freeze after a change.
func (s *Server) freezeAnswer(w http.ResponseWriter, r *http.Request, p *auth.Principal, status int, id int64) error {
	f, err := partner.GetFreeze(r.Context(), s.db, p.Scope, id, s.now())
	if err != nil {
		return err
	}
	writeJSON(w, status, f.Masked(auth.Masker{}))
	return nil
}

func (s *Server) handleFreezeSend(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := partner.Send(r.Context(), s.db, p.Scope, s.auditEntry(r, p), id, s.now()); err != nil {
		return err
	}
	return s.freezeAnswer(w, r, p, http.StatusOK, id)
}

func (s *Server) handleFreezeConfirm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		FrozenFen int64  `json:"frozen_fen"`
		Reference string `json:"reference"`
	}
	if err := decodeJSON(r, &in, 1<<12); err != nil {
		return err
	}
	if err := partner.Confirm(r.Context(), s.db, p.Scope, s.auditEntry(r, p), id, in.FrozenFen, in.Reference, s.now()); err != nil {
		return err
	}
	return s.freezeAnswer(w, r, p, http.StatusOK, id)
}

func (s *Server) handleFreezeReject(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(r, &in, 1<<12); err != nil {
		return err
	}
	if err := partner.Reject(r.Context(), s.db, p.Scope, s.auditEntry(r, p), id, in.Reason, s.now()); err != nil {
		return err
	}
	return s.freezeAnswer(w, r, p, http.StatusOK, id)
}

func (s *Server) handleFreezeRenew(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.freezeFollow(w, r, p, partner.Renew)
}

// handleFreezeConvert converts a confirmed stop-payment to a freeze (止付转冻结).
func (s *Server) handleFreezeConvert(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.freezeFollow(w, r, p, partner.Convert)
}

func (s *Server) handleFreezeRelease(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.freezeFollow(w, r, p, partner.Release)
}

func (s *Server) freezeFollow(w http.ResponseWriter, r *http.Request, p *auth.Principal, fn func(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, id int64, reason string, now time.Time) (int64, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(r, &in, 1<<12); err != nil {
		return err
	}
	newID, err := fn(r.Context(), s.db, p.Scope, s.auditEntry(r, p), id, in.Reason, s.now())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"request_id": newID, "status": "sent", "prior_id": id})
	return nil
}

func (s *Server) handleFreezeTerms(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	t, err := partner.LoadTerms(r.Context(), s.db)
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
	writeJSON(w, http.StatusOK, map[string]any{"stop_payment": t.StopPayment.String(), "freeze": t.Freeze.String(),
		"remind_stop_payment": rem(t.RemindStopPayment), "remind_freeze": rem(t.RemindFreeze), "setting": t.String()})
	return nil
}

func (s *Server) handleCaseTimeline(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	events, err := funds.CaseTimeline(r.Context(), s.db, p.Scope, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": events})
	return nil
}

func (s *Server) handleCaseReturns(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := funds.GetCaseReturns(r.Context(), s.db, p.Scope, id, s.now())
	if err != nil {
		return err
	}
	m, err := s.masker(r, p, "case", strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v.Masked(m))
	return nil
}

func (s *Server) handleCaseReturnsXLSX(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.writeReturnsXLSX(w, r, p)
}

// writeReturnsXLSX answers a case's return calculation as a workbook, with
// the account numbers in full (the document goes to the bank and the
// court), and audits the export.
func (s *Server) writeReturnsXLSX(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := funds.GetCaseReturns(r.Context(), s.db, p.Scope, id, s.now())
	if err != nil {
		return err
	}
	if !p.Can(auth.CapUnmask) {
		v = v.Masked(auth.Masker{})
	}
	if err := s.audit(r, p, auth.AuditExport, "case_returns", strconv.FormatInt(id, 10), fmt.Sprintf("%d frozen accounts", len(v.Accounts))); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="returns-%s.xlsx"`, v.CaseNo))
	return funds.WriteReturnsXLSX(w, v)
}

func (s *Server) handleCreateReturnPlan(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	planID, err := funds.CreateReturnPlan(r.Context(), s.db, p.Scope, s.auditEntry(r, p), id, s.now())
	if err != nil {
		return err
	}
	return s.planAnswer(w, r, p, http.StatusCreated, planID)
}

func (s *Server) planAnswer(w http.ResponseWriter, r *http.Request, p *auth.Principal, status int, id int64) error {
	plan, err := funds.GetReturnPlan(r.Context(), s.db, p.Scope, id, s.now())
	if err != nil {
		return err
	}
	plan.Account = auth.Masker{}.Card(plan.Account)
	writeJSON(w, status, plan)
	return nil
}

func (s *Server) handleReturnPlan(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.planAnswer(w, r, p, http.StatusOK, id)
}

func (s *Server) handleReturnNotice(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		StartsAt time.Time `json:"starts_at"`
	}
	// The body is optional: none means the notice starts now.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<12))
	if err != nil {
		return errorf(http.StatusRequestEntityTooLarge, "too_large", "请求体超过 %d 字节上限", 1<<12)
	}
	if len(bytes.TrimSpace(body)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			return errorf(http.StatusBadRequest, "bad_json", "请求体不是有效的 JSON：%v", err)
		}
	}
	if err := funds.PublishNotice(r.Context(), s.db, p.Scope, s.auditEntry(r, p), id, in.StartsAt, s.now()); err != nil {
		return err
	}
	return s.planAnswer(w, r, p, http.StatusOK, id)
}

func (s *Server) handleReturnObjection(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Objector string `json:"objector"`
		Text     string `json:"text"`
	}
	if err := decodeJSON(r, &in, 1<<16); err != nil {
		return err
	}
	oid, err := funds.AddObjection(r.Context(), s.db, p.Scope, s.auditEntry(r, p), id, in.Objector, in.Text, s.now())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"objection_id": oid, "plan_id": id})
	return nil
}

func (s *Server) handleResolveObjection(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Resolution string `json:"resolution"`
	}
	if err := decodeJSON(r, &in, 1<<16); err != nil {
		return err
	}
	if err := funds.ResolveObjection(r.Context(), s.db, p.Scope, s.auditEntry(r, p), id, in.Resolution, s.now()); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"objection_id": id, "status": "resolved"})
	return nil
}

func (s *Server) handleExecuteReturnPlan(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := funds.ExecutePlan(r.Context(), s.db, p.Scope, s.auditEntry(r, p), id, s.now()); err != nil {
		return err
	}
	return s.planAnswer(w, r, p, http.StatusOK, id)
}

func (s *Server) handleReturnPayment(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in funds.NewPayment
	if err := decodeJSON(r, &in, 1<<12); err != nil {
		return err
	}
	if _, err := funds.RecordPayment(r.Context(), s.db, p.Scope, s.auditEntry(r, p), id, in, s.now()); err != nil {
		return err
	}
	return s.planAnswer(w, r, p, http.StatusCreated, id)
}

func (s *Server) handleFundsFigures(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	scope, err := s.scopeParam(r, p)
	if err != nil {
		return err
	}
	from, to, err := s.figuresPeriod(r)
	if err != nil {
		return err
	}
	f, err := partner.ComputeFundsFigures(r.Context(), s.db, scope, from, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

// figuresPeriod reads ?from=&to= (dates are Asia/Shanghai days, the "to"
// day included); the default is the last 30 days.
func (s *Server) figuresPeriod(r *http.Request) (time.Time, time.Time, error) {
	from, err := s.queryTime(r, "from")
	if err != nil {
		return from, from, err
	}
	to, err := s.queryTime(r, "to")
	if err != nil {
		return from, to, err
	}
	if v := r.URL.Query().Get("to"); len(v) == len("2006-01-02") {
		to = to.AddDate(0, 0, 1)
	}
	if to.IsZero() {
		to = s.now()
	}
	if from.IsZero() {
		from = to.AddDate(0, 0, -30)
	}
	if !from.Before(to) {
		return from, to, errorf(http.StatusBadRequest, "bad_param", "from 应早于 to")
	}
	return from, to, nil
}
