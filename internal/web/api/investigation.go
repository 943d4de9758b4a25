package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/bulletin"
	"github.com/fanzha/fanzha/internal/investigation"
	"github.com/fanzha/fanzha/internal/web"
)

// The handlers of the 侦办与打击 routes: each reads the request, calls the
// use case of internal/investigation with the caller's scope and audit
// entry, and writes the answer masked for the caller.

type (
	lifecycleBody struct {
		State   investigation.CaseState    `json:"state"`
		History []investigation.Transition `json:"history"`
	}
	stepBody struct {
		Action investigation.Action `json:"action"`
		At     string               `json:"at,omitempty"` // YYYY-MM-DD or RFC 3339; empty: now
		DocNo  string               `json:"doc_no,omitempty"`
		Reason string               `json:"reason,omitempty"`
	}
	decisionBody struct {
		Approve bool   `json:"approve"`
		Note    string `json:"note,omitempty"`
	}
	approvalsBody struct {
		Approvals []investigation.Transition `json:"approvals"`
	}
	suspectsBody struct {
		Suspects []investigation.Suspect `json:"suspects"`
	}
	suspectBody struct {
		SuspectID int64              `json:"suspect_id,omitempty"` // link a suspect already known
		Name      string             `json:"name,omitempty"`
		IDNumber  string             `json:"id_number,omitempty"`
		Phones    []string           `json:"phones,omitempty"`
		Accounts  []string           `json:"accounts,omitempty"`
		Role      investigation.Role `json:"role,omitempty"`
		Note      string             `json:"note,omitempty"`
	}
	dispositionBody struct {
		Kind  investigation.Kind `json:"kind"`
		At    string             `json:"at,omitempty"` // YYYY-MM-DD or RFC 3339; empty: now
		Unit  string             `json:"unit,omitempty"`
		Place string             `json:"place,omitempty"`
		DocNo string             `json:"doc_no,omitempty"`
		Note  string             `json:"note,omitempty"`
	}
	strikeBody struct {
		NodeID   int64                `json:"node_id"`
		NodeName string               `json:"node_name"`
		Period   investigation.Window `json:"period"`
		Previous investigation.Window `json:"previous"` // 环比
		YearAgo  investigation.Window `json:"year_ago"` // 同比
		Rows     []strikeRow          `json:"rows"`
	}
	strikeRow struct {
		investigation.StrikeRow
		MoM bulletin.Change `json:"mom"` // 环比
		YoY bulletin.Change `json:"yoy"` // 同比
	}
)

// dayOrTime reads a step's or a disposition's date: YYYY-MM-DD (local
// midnight; today is now, so that a step dated today is never before one
// taken earlier today) or RFC 3339; empty is the zero time (the use case
// takes now).
func (s *handler) dayOrTime(field, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", v, s.Loc); err == nil {
		if now := s.Now(); v == now.In(s.Loc).Format("2006-01-02") {
			return now, nil
		}
		return t, nil
	}
	return time.Time{}, web.Errorf(http.StatusBadRequest, "bad_param", "%s=%q 应为日期 YYYY-MM-DD 或 RFC 3339 时间", field, v)
}

func (s *handler) handleCaseLifecycle(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	st, err := investigation.StateOf(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	h, err := investigation.History(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	m, err := s.Masker(r, p, "case", strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	for i := range h {
		h[i] = h[i].Masked(m)
	}
	if st.Pending != nil {
		pt := st.Pending.Masked(m)
		st.Pending = &pt
	}
	web.WriteJSON(w, http.StatusOK, lifecycleBody{State: st, History: h})
	return nil
}

func (s *handler) handleCaseStep(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var in stepBody
	if err := web.DecodeJSON(r, &in, 1<<14); err != nil {
		return err
	}
	at, err := s.dayOrTime("at", in.At)
	if err != nil {
		return err
	}
	t, err := investigation.Move(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p),
		investigation.Request{CaseID: id, Action: in.Action, At: at, DocNo: in.DocNo, Reason: in.Reason}, s.Now())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, t.Masked(auth.Masker{}))
	return nil
}

func (s *handler) handleCaseDecision(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var in decisionBody
	if err := web.DecodeJSON(r, &in, 1<<14); err != nil {
		return err
	}
	t, err := investigation.Decide(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, in.Approve, in.Note, s.Now())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, t.Masked(auth.Masker{}))
	return nil
}

func (s *handler) handleApprovals(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	list, err := investigation.PendingApprovals(r.Context(), s.DB, p.Scope)
	if err != nil {
		return err
	}
	m, err := s.Masker(r, p, "case_transitions", "pending")
	if err != nil {
		return err
	}
	for i := range list {
		list[i] = list[i].Masked(m)
	}
	web.WriteJSON(w, http.StatusOK, approvalsBody{Approvals: list})
	return nil
}

func (s *handler) handleCaseSuspects(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	list, err := investigation.CaseSuspects(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	m, err := s.ViewMasker(r, p, "case", id)
	if err != nil {
		return err
	}
	for i := range list {
		list[i] = list[i].Masked(m)
	}
	web.WriteJSON(w, http.StatusOK, suspectsBody{Suspects: list})
	return nil
}

func (s *handler) handleAddSuspect(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var in suspectBody
	if err := web.DecodeJSON(r, &in, 1<<14); err != nil {
		return err
	}
	who := s.AuditEntry(r, p)
	sid := in.SuspectID
	if sid != 0 {
		err = investigation.LinkSuspect(r.Context(), s.DB, p.Scope, who, sid, id, s.Now())
	} else {
		sid, err = investigation.AddSuspect(r.Context(), s.DB, p.Scope, who, id, investigation.SuspectInput{Name: in.Name,
			IDNumber: in.IDNumber, Phones: in.Phones, Accounts: in.Accounts, Role: in.Role, Note: in.Note}, s.Now())
	}
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, idBody{ID: sid})
	return nil
}

func (s *handler) handleDisposition(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	sid, err := strconv.ParseInt(r.PathValue("sid"), 10, 64)
	if err != nil || sid <= 0 {
		return web.Errorf(http.StatusBadRequest, "bad_id", "嫌疑人编号 %q 不是有效的正整数", r.PathValue("sid"))
	}
	var in dispositionBody
	if err := web.DecodeJSON(r, &in, 1<<14); err != nil {
		return err
	}
	at, err := s.dayOrTime("at", in.At)
	if err != nil {
		return err
	}
	did, err := investigation.Dispose(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), investigation.DispositionInput{SuspectID: sid,
		CaseID: id, Kind: in.Kind, At: at, Unit: in.Unit, Place: in.Place, DocNo: in.DocNo, Note: in.Note}, s.Now())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, idBody{ID: did})
	return nil
}

func (s *handler) handleSuspect(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	sp, err := investigation.GetSuspect(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	m, err := s.ViewMasker(r, p, "suspect", id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, sp.Masked(m))
	return nil
}

func (s *handler) handleStrikeFigures(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	node := p.Scope
	nid, err := web.QueryInt(r, "node")
	if err != nil {
		return err
	}
	if nid != 0 {
		if node, err = area.GetUnder(r.Context(), s.DB, p.Scope, nid); err != nil {
			return err
		}
	}
	from, to := r.URL.Query().Get("from"), r.URL.Query().Get("to")
	var pr bulletin.Period
	switch {
	case from == "" && to == "":
		pr, err = bulletin.PeriodOf(bulletin.Monthly, s.Now(), s.Loc)
	case from == "" || to == "":
		return web.Errorf(http.StatusBadRequest, "bad_param", "from 和 to 须同时给出（YYYY-MM-DD）")
	default:
		var first, last time.Time
		if first, err = time.ParseInLocation("2006-01-02", from, s.Loc); err != nil {
			return web.Errorf(http.StatusBadRequest, "bad_param", "from=%q 应为日期 YYYY-MM-DD", from)
		}
		if last, err = time.ParseInLocation("2006-01-02", to, s.Loc); err != nil {
			return web.Errorf(http.StatusBadRequest, "bad_param", "to=%q 应为日期 YYYY-MM-DD", to)
		}
		pr, err = bulletin.CustomPeriod(first, last, s.Loc)
	}
	if err != nil {
		return err
	}
	prev, ago := pr.Previous(), pr.YearAgo()
	win := func(p bulletin.Period) investigation.Window { return investigation.Window{From: p.From, To: p.To} }
	st, err := investigation.StrikeFigures(r.Context(), s.DB, node, win(pr), win(prev), win(ago))
	if err != nil {
		return err
	}
	out := strikeBody{NodeID: st.NodeID, NodeName: st.NodeName, Period: win(pr), Previous: win(prev), YearAgo: win(ago)}
	for _, row := range st.Rows() {
		out.Rows = append(out.Rows, strikeRow{StrikeRow: row, MoM: bulletin.NewChange(row.Current, row.Previous),
			YoY: bulletin.NewChange(row.Current, row.YearAgo)})
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}
