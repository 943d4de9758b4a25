package console

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/investigation"
	"github.com/fanzha/fanzha/internal/web"
	"github.com/fanzha/fanzha/internal/zone"
)

// The case page's 办案进度 and 犯罪嫌疑人 panels (internal/investigation):
// the lifecycle state, its history, the next steps as a form, the step
// waiting for approval with the approver's form; the suspects with their
// dispositions and the forms to add both. The forms post to the routes
// below, which call the same use cases as the API.

// caseProgressView is the data of the two panels.
type caseProgressView struct {
	State     investigation.CaseState
	History   []investigation.Transition
	Steps     []investigation.Step // the next steps the caller's role may take
	CanDecide bool                 // the caller approves or rejects the pending step
	Suspects  []investigation.Suspect
	Roles     []web.Option // suspect roles
	Kinds     []web.Option // dispositions
	Today     string       // the date inputs' default and maximum
}

func (s *handler) caseProgressPages() {
	m := s.Mux
	m.HandleFunc("POST /cases/{id}/steps", s.Page(auth.CapCaseRead, s.handleStepForm))
	m.HandleFunc("POST /cases/{id}/steps/decision", s.Page(auth.CapCaseRead, s.handleDecisionForm))
	m.HandleFunc("POST /cases/{id}/suspects/{sid}/dispositions", s.Page(auth.CapCaseWrite, s.handleDispositionForm))
}

// caseProgress reads the panels of case id for p, masked by m.
func (s *handler) caseProgress(r *http.Request, p *auth.Principal, id int64, m auth.Masker) (caseProgressView, error) {
	v := caseProgressView{Today: s.Now().In(zone.Shanghai).Format("2006-01-02")}
	var err error
	if v.State, err = investigation.StateOf(r.Context(), s.DB, p.Scope, id); err != nil {
		return v, err
	}
	if v.State.Pending != nil {
		pt := v.State.Pending.Masked(m)
		v.State.Pending = &pt
		v.CanDecide = slices.Contains(investigation.Approvers, p.User.Role)
	}
	if v.History, err = investigation.History(r.Context(), s.DB, p.Scope, id); err != nil {
		return v, err
	}
	for i := range v.History {
		v.History[i] = v.History[i].Masked(m)
	}
	for _, st := range v.State.Next {
		if slices.Contains(st.Roles, p.User.Role) {
			v.Steps = append(v.Steps, st)
		}
	}
	if v.Suspects, err = investigation.CaseSuspects(r.Context(), s.DB, p.Scope, id); err != nil {
		return v, err
	}
	for i := range v.Suspects {
		v.Suspects[i] = v.Suspects[i].Masked(m)
	}
	for _, r := range investigation.Roles {
		v.Roles = append(v.Roles, web.Option{Value: string(r), Name: investigation.RoleName(r)})
	}
	for _, k := range investigation.Kinds {
		v.Kinds = append(v.Kinds, web.Option{Value: string(k), Name: investigation.KindName(k)})
	}
	return v, nil
}

// formDay reads a date field (YYYY-MM-DD, Beijing time); empty is the zero
// time (the use case takes now). Today's date is now, so that a step done
// today is not dated before the one just before it.
func (s *handler) formDay(r *http.Request, name string) (time.Time, error) {
	v := strings.TrimSpace(r.FormValue(name))
	if v == "" {
		return time.Time{}, nil
	}
	d, err := time.ParseInLocation("2006-01-02", v, zone.Shanghai)
	if err != nil {
		return time.Time{}, web.Errorf(http.StatusBadRequest, "bad_date", "日期 %q 应为 YYYY-MM-DD", v)
	}
	if now := s.Now(); d.Format("2006-01-02") == now.In(zone.Shanghai).Format("2006-01-02") {
		return now, nil
	}
	return d, nil
}

func (s *handler) handleStepForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	at, err := s.formDay(r, "at")
	if err != nil {
		return err
	}
	t, err := investigation.Move(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), investigation.Request{CaseID: id,
		Action: investigation.Action(r.FormValue("action")), At: at, DocNo: r.FormValue("doc_no"), Reason: r.FormValue("reason")}, s.Now())
	if err != nil {
		return err
	}
	msg := "已办理“" + t.ActionName + "”"
	if t.Status == investigation.StatusPending {
		msg = "“" + t.ActionName + "”已提交，待领导审批"
	}
	web.RedirectFlash(w, r, fmt.Sprintf("/cases/%d#progress", id), msg)
	return nil
}

func (s *handler) handleDecisionForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	approve := r.FormValue("approve") == "1"
	t, err := investigation.Decide(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, approve, r.FormValue("note"), s.Now())
	if err != nil {
		return err
	}
	msg := "已批准“" + t.ActionName + "”"
	if !approve {
		msg = "已退回“" + t.ActionName + "”申请"
	}
	web.RedirectFlash(w, r, fmt.Sprintf("/cases/%d#progress", id), msg)
	return nil
}

func (s *handler) handleSuspectForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return web.Errorf(http.StatusBadRequest, "bad_form", "表单无法读取：%v", err)
	}
	in := investigation.SuspectInput{Name: r.FormValue("name"), IDNumber: r.FormValue("id_number"),
		Role: investigation.Role(r.FormValue("role")), Note: r.FormValue("note")}
	if v := strings.TrimSpace(r.FormValue("phone")); v != "" {
		in.Phones = []string{v}
	}
	if v := strings.TrimSpace(r.FormValue("account")); v != "" {
		in.Accounts = []string{v}
	}
	if _, err := investigation.AddSuspect(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, in, s.Now()); err != nil {
		return err
	}
	web.RedirectFlash(w, r, "/cases/"+strconv.FormatInt(id, 10)+"#suspects", "已登记犯罪嫌疑人")
	return nil
}

func (s *handler) handleDispositionForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	sid, err := strconv.ParseInt(r.PathValue("sid"), 10, 64)
	if err != nil || sid <= 0 {
		return web.Errorf(http.StatusBadRequest, "bad_id", "嫌疑人编号 %q 不是有效的正整数", r.PathValue("sid"))
	}
	at, err := s.formDay(r, "at")
	if err != nil {
		return err
	}
	kind := investigation.Kind(r.FormValue("kind"))
	if _, err := investigation.Dispose(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), investigation.DispositionInput{SuspectID: sid,
		CaseID: id, Kind: kind, At: at, Unit: r.FormValue("unit"), Place: r.FormValue("place"), DocNo: r.FormValue("doc_no"),
		Note: r.FormValue("note")}, s.Now()); err != nil {
		return err
	}
	web.RedirectFlash(w, r, "/cases/"+strconv.FormatInt(id, 10)+"#suspects", "已登记“"+investigation.KindName(kind)+"”")
	return nil
}

// caseStatesView is the cases list's lifecycle part: the tabs (cases per
// state, and those waiting for approval) and, when one is chosen, its
// cases.
type caseStatesView struct {
	Tabs      []stateTab
	Chosen    bool // a state or 待审批 is chosen: Rows replace the list
	Rows      []investigation.CaseRow
	Pager     web.Keyset
	Pending   int64 // cases with a step waiting for approval
	PendingOn bool  // the 待审批 tab is chosen
}

// stateTab is one tab of the list: a state and its count.
type stateTab struct {
	State investigation.State
	Name  string
	Count int64
	On    bool
}

// caseStates reads the list's lifecycle part for ?state= and ?pending=1.
func (s *handler) caseStates(r *http.Request, p *auth.Principal, before int64) (caseStatesView, error) {
	var v caseStatesView
	f := investigation.ListFilter{State: investigation.State(r.URL.Query().Get("state")), Pending: r.URL.Query().Get("pending") == "1",
		BeforeID: before, Limit: 100}
	counts, err := investigation.StateCounts(r.Context(), s.DB, p.Scope)
	if err != nil {
		return v, err
	}
	for _, st := range investigation.States {
		v.Tabs = append(v.Tabs, stateTab{State: st, Name: investigation.StateName(st), Count: counts[st], On: st == f.State})
	}
	pending, err := investigation.PendingApprovals(r.Context(), s.DB, p.Scope) // one pending step per case
	if err != nil {
		return v, err
	}
	v.Pending = int64(len(pending))
	if f.State == "" && !f.Pending {
		return v, nil
	}
	v.Chosen, v.PendingOn = true, f.Pending
	if v.Rows, err = investigation.ListCases(r.Context(), s.DB, p.Scope, f); err != nil {
		return v, err
	}
	var next int64
	if len(v.Rows) == f.Limit {
		next = v.Rows[len(v.Rows)-1].ID
	}
	pendingArg := ""
	if f.Pending {
		pendingArg = "1"
	}
	v.Pager = web.NewKeyset(before, next, "state", string(f.State), "pending", pendingArg)
	return v, nil
}
