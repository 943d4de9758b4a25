// Package investigation is 侦办与打击: a case as investigators work it from
// the report to 结案 (the lifecycle, with leaders' approvals), the suspects
// with their roles and dispositions, and the 打击战果 figures every bulletin
// carries. docs/INVESTIGATION.md describes the states, who may move a case,
// and how each figure is counted.
//
// The case itself (table cases) is funds'; this package reads it through
// funds and owns the lifecycle's tables. The state lives in the lifecycle's
// own table (case_states) rather than in cases.status because a step may
// wait for a leader's approval (a pending row in case_transitions that
// leaves the state as it is), the nine states would change the meaning of
// the coarse status the current case list, its filter and the assignment
// load read, and funds is being kept small. Each step also sets that coarse
// status (open | investigating | solved | closed) through
// funds.SetCaseStatus in the same transaction, so nothing that reads it
// goes stale, and writes a line of the case timeline (funds.AddCaseEvent).
package investigation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/zone"
)

// State is where a case stands in its lifecycle.
type State string

// The states, in their usual order.
const (
	Reported      State = "reported"      // 接报
	Accepted      State = "accepted"      // 受理
	Filed         State = "filed"         // 立案
	NotFiled      State = "not_filed"     // 不予立案
	Investigating State = "investigating" // 侦查
	Solved        State = "solved"        // 破案
	Prosecuted    State = "prosecuted"    // 移送起诉
	Closed        State = "closed"        // 结案
	Withdrawn     State = "withdrawn"     // 撤案
)

// States lists every state in display order.
var States = []State{Reported, Accepted, Filed, NotFiled, Investigating, Solved, Prosecuted, Closed, Withdrawn}

var stateNames = map[State]string{Reported: "接报", Accepted: "受理", Filed: "立案", NotFiled: "不予立案",
	Investigating: "侦查", Solved: "破案", Prosecuted: "移送起诉", Closed: "结案", Withdrawn: "撤案"}

// StateName is the Chinese name of a state.
func StateName(s State) string {
	if n, ok := stateNames[s]; ok {
		return n
	}
	return string(s)
}

// Coarse is the case's coarse status (cases.status) a state maps to.
func (s State) Coarse() string {
	switch s {
	case Reported, Accepted:
		return "open"
	case Filed, Investigating:
		return "investigating"
	case Solved, Prosecuted:
		return "solved"
	}
	return "closed"
}

// Action is a step of the lifecycle.
type Action string

// The steps.
const (
	Accept      Action = "accept"      // 受理
	File        Action = "file"        // 立案
	Refuse      Action = "not_file"    // 不予立案
	Investigate Action = "investigate" // 开始侦查
	Solve       Action = "solve"       // 破案
	Prosecute   Action = "prosecute"   // 移送起诉
	Close       Action = "close"       // 结案
	Withdraw    Action = "withdraw"    // 撤案
)

// Step is the rule of one action: from which states, to which, the legal
// document it issues, whether the document number and a reason are
// required, who may ask for it, and whether a leader's approval is needed
// by default (the setting ApprovalSetting(action) changes that).
type Step struct {
	Action      Action      `json:"action"`
	Name        string      `json:"name"`
	From        []State     `json:"from"`
	To          State       `json:"to"`
	Document    string      `json:"document,omitempty"`
	NeedsDoc    bool        `json:"needs_doc"`
	NeedsReason bool        `json:"needs_reason"`
	Roles       []auth.Role `json:"roles"`
	Approval    bool        `json:"approval_default"`
}

// Steps are the lifecycle's rules, in order.
var Steps = []Step{
	{Action: Accept, Name: "受理", From: []State{Reported}, To: Accepted, Document: "受案登记表",
		Roles: []auth.Role{auth.RoleInvestigator, auth.RoleDuty, auth.RoleAdmin}},
	{Action: File, Name: "立案", From: []State{Accepted}, To: Filed, Document: "立案决定书", NeedsDoc: true,
		Roles: []auth.Role{auth.RoleInvestigator, auth.RoleAdmin}, Approval: true},
	{Action: Refuse, Name: "不予立案", From: []State{Accepted}, To: NotFiled, Document: "不予立案通知书", NeedsDoc: true, NeedsReason: true,
		Roles: []auth.Role{auth.RoleInvestigator, auth.RoleAdmin}, Approval: true},
	{Action: Investigate, Name: "开始侦查", From: []State{Filed}, To: Investigating,
		Roles: []auth.Role{auth.RoleInvestigator, auth.RoleAdmin}},
	{Action: Solve, Name: "破案", From: []State{Investigating}, To: Solved, Document: "破案报告",
		Roles: []auth.Role{auth.RoleInvestigator, auth.RoleAdmin}},
	{Action: Prosecute, Name: "移送起诉", From: []State{Solved}, To: Prosecuted, Document: "起诉意见书", NeedsDoc: true,
		Roles: []auth.Role{auth.RoleInvestigator, auth.RoleAdmin}, Approval: true},
	{Action: Close, Name: "结案", From: []State{Solved, Prosecuted}, To: Closed, Document: "结案报告",
		Roles: []auth.Role{auth.RoleInvestigator, auth.RoleAdmin}},
	{Action: Withdraw, Name: "撤案", From: []State{Filed, Investigating, Solved}, To: Withdrawn, Document: "撤销案件决定书",
		NeedsDoc: true, NeedsReason: true, Roles: []auth.Role{auth.RoleInvestigator, auth.RoleAdmin}, Approval: true},
}

// Approvers are the roles that approve or reject a pending step: the
// centre's leaders and, for their station's cases, the station heads.
var Approvers = []auth.Role{auth.RoleLeader, auth.RoleStationHead}

// StepOf is the rule of an action.
func StepOf(a Action) (Step, bool) {
	for _, s := range Steps {
		if s.Action == a {
			return s, true
		}
	}
	return Step{}, false
}

// ActionName is the Chinese name of an action.
func ActionName(a Action) string {
	if s, ok := StepOf(a); ok {
		return s.Name
	}
	return string(a)
}

// ApprovalSetting is the settings key that says whether an action needs a
// leader's approval ("true" / "false"; internal/settings registers it).
func ApprovalSetting(a Action) string { return "investigation.approve." + string(a) }

// NeedsApproval reports whether an action needs a leader's approval now:
// the stored setting, or the step's default.
func NeedsApproval(ctx context.Context, q db.Querier, a Action) (bool, error) {
	s, ok := StepOf(a)
	if !ok {
		return false, domain.Invalid("办案环节 %q 无效", a)
	}
	var v string
	err := q.QueryRow(ctx, `SELECT value FROM settings WHERE key = ?`, ApprovalSetting(a)).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return s.Approval, nil
	}
	if err != nil {
		return false, fmt.Errorf("approval setting of %s: %w", a, err)
	}
	return v == "true", nil
}

// Available lists the steps a case in state s may take next.
func Available(s State) []Step {
	var out []Step
	for _, st := range Steps {
		if slices.Contains(st.From, s) {
			out = append(out, st)
		}
	}
	return out
}

// Request asks for one step on a case.
type Request struct {
	CaseID int64     `json:"case_id"`
	Action Action    `json:"action"`
	At     time.Time `json:"at"` // the step's date; zero: now
	DocNo  string    `json:"doc_no,omitempty"`
	Reason string    `json:"reason,omitempty"`
}

// Transition is one line of a case's lifecycle history.
type Transition struct {
	ID           int64     `json:"id"`
	CaseID       int64     `json:"case_id"`
	Action       Action    `json:"action"`
	ActionName   string    `json:"action_name"`
	From         State     `json:"from"`
	To           State     `json:"to"`
	At           time.Time `json:"at"`
	Document     string    `json:"document,omitempty"`
	DocNo        string    `json:"doc_no,omitempty"`
	Reason       string    `json:"reason,omitempty"`
	Status       string    `json:"status"` // done | pending | rejected
	UserID       int64     `json:"user_id,omitempty"`
	UserName     string    `json:"user_name,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	DecidedBy    int64     `json:"decided_by,omitempty"`
	DeciderName  string    `json:"decider_name,omitempty"`
	DecidedAt    time.Time `json:"decided_at,omitzero"`
	DecisionNote string    `json:"decision_note,omitempty"`
}

// Masked returns the transition with numbers in its free text (reason,
// decision note) masked by m.
func (t Transition) Masked(m auth.Masker) Transition {
	t.Reason, t.DecisionNote = m.Text(t.Reason), m.Text(t.DecisionNote)
	return t
}

// Transition statuses.
const (
	StatusDone     = "done"
	StatusPending  = "pending"
	StatusRejected = "rejected"
)

// CaseState is where a case stands, with its pending step if one waits for
// approval.
type CaseState struct {
	CaseID  int64       `json:"case_id"`
	State   State       `json:"state"`
	Name    string      `json:"name"`
	Since   time.Time   `json:"since"`
	Pending *Transition `json:"pending,omitempty"`
	Next    []Step      `json:"next"`
}

// StateOf reads the state of a case in scope; a case outside the scope is
// not found.
func StateOf(ctx context.Context, q db.Querier, scope area.Node, caseID int64) (CaseState, error) {
	c, err := caseIn(ctx, q, scope, caseID)
	if err != nil {
		return CaseState{}, err
	}
	return stateOf(ctx, q, c)
}

// caseRef is what the lifecycle reads of a case (funds' table cases).
type caseRef struct {
	ID         int64
	ReportedAt time.Time
}

// caseIn reads a case in scope; a case outside the scope is not found.
func caseIn(ctx context.Context, q db.Querier, scope area.Node, id int64) (caseRef, error) {
	c := caseRef{ID: id}
	var reported int64
	err := q.QueryRow(ctx, `SELECT c.reported_at FROM cases c JOIN areas a ON a.id = c.area_id WHERE c.id = ? AND a.path LIKE ?`,
		id, scope.SubtreePattern()).Scan(&reported)
	if errors.Is(err, sql.ErrNoRows) {
		return caseRef{}, fmt.Errorf("case %d: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return caseRef{}, fmt.Errorf("case %d: %w", id, err)
	}
	c.ReportedAt = db.Time(reported)
	return c, nil
}

// lockCase makes sure the case has its state row and takes that row's
// write lock for the rest of the transaction (a no-op UPDATE): two steps on
// one case at once, on two replicas, run one after the other, and the
// second reads the state the first left. SQLite's writers are serialised
// already.
func lockCase(ctx context.Context, q db.Querier, c caseRef, now time.Time) error {
	if _, err := q.Exec(ctx, `INSERT INTO case_states (case_id, state, since, updated_at) VALUES (?,?,?,?) ON CONFLICT DO NOTHING`,
		c.ID, string(Reported), db.Millis(c.ReportedAt), db.Millis(now)); err != nil {
		return fmt.Errorf("case %d state: %w", c.ID, err)
	}
	if _, err := q.Exec(ctx, `UPDATE case_states SET updated_at = updated_at WHERE case_id = ?`, c.ID); err != nil {
		return fmt.Errorf("case %d lock: %w", c.ID, err)
	}
	return nil
}

func stateOf(ctx context.Context, q db.Querier, c caseRef) (CaseState, error) {
	cs := CaseState{CaseID: c.ID, State: Reported, Since: c.ReportedAt}
	var state string
	var since int64
	err := q.QueryRow(ctx, `SELECT state, since FROM case_states WHERE case_id = ?`, c.ID).Scan(&state, &since)
	switch {
	case err == nil:
		cs.State, cs.Since = State(state), db.Time(since)
	case !errors.Is(err, sql.ErrNoRows):
		return CaseState{}, fmt.Errorf("state of case %d: %w", c.ID, err)
	}
	cs.Name = StateName(cs.State)
	hist, err := history(ctx, q, c.ID, `AND t.status = 'pending'`)
	if err != nil {
		return CaseState{}, err
	}
	if len(hist) > 0 {
		cs.Pending = &hist[0]
	} else {
		cs.Next = Available(cs.State)
	}
	if cs.Next == nil {
		cs.Next = []Step{}
	}
	return cs, nil
}

// Move asks for a step on a case in scope for the caller (who), in one
// transaction: the step is checked against the case's state, the caller's
// role and the step's rules, then done at once — state changed, the coarse
// status set, a timeline line and an audit line written — or, when the
// step needs a leader's approval, stored as pending (the state stays until
// a leader decides). It returns the stored transition.
func Move(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, r Request, now time.Time) (Transition, error) {
	return db.InTxValue(ctx, d, func(tx *db.Tx) (Transition, error) { return MoveIn(ctx, tx, scope, who, r, now) })
}

// MoveIn is Move inside the caller's transaction (the demo county uses it).
func MoveIn(ctx context.Context, q db.Querier, scope area.Node, who auth.AuditEntry, r Request, now time.Time) (Transition, error) {
	step, ok := StepOf(r.Action)
	if !ok {
		return Transition{}, domain.Invalid("办案环节 %q 无效", r.Action)
	}
	if !slices.Contains(step.Roles, who.Role) {
		return Transition{}, domain.Forbidden("%s无权办理“%s”", auth.RoleName(who.Role), step.Name)
	}
	c, err := caseIn(ctx, q, scope, r.CaseID)
	if err != nil {
		return Transition{}, err
	}
	if err := lockCase(ctx, q, c, now); err != nil {
		return Transition{}, err
	}
	cs, err := stateOf(ctx, q, c)
	if err != nil {
		return Transition{}, err
	}
	if cs.Pending != nil {
		return Transition{}, domain.Conflict("本案“%s”正在等待领导审批，审批后才能办理下一环节", cs.Pending.ActionName)
	}
	if !slices.Contains(step.From, cs.State) {
		return Transition{}, domain.Conflict("案件当前为“%s”，不能直接“%s”（须从%s办理）", cs.Name, step.Name, stateList(step.From))
	}
	if r.At.IsZero() {
		r.At = now
	}
	r.DocNo, r.Reason = strings.TrimSpace(r.DocNo), strings.TrimSpace(r.Reason)
	if r.At.After(now.Add(time.Minute)) {
		return Transition{}, domain.Invalid("“%s”的日期不能晚于今天", step.Name)
	}
	if r.At.Before(cs.Since) {
		return Transition{}, domain.Invalid("“%s”的日期不能早于上一环节“%s”的日期（%s）", step.Name, cs.Name,
			cs.Since.In(zone.Shanghai).Format("2006-01-02"))
	}
	if step.NeedsDoc && r.DocNo == "" {
		return Transition{}, domain.Invalid("“%s”须填写《%s》文书号", step.Name, step.Document)
	}
	if step.NeedsReason && r.Reason == "" {
		return Transition{}, domain.Invalid("“%s”须填写理由", step.Name)
	}
	if len([]rune(r.DocNo)) > 100 || len([]rune(r.Reason)) > 2000 {
		return Transition{}, domain.Invalid("文书号最长 100 字，理由最长 2000 字")
	}
	if step.Action == Solve {
		n, err := disposedSuspects(ctx, q, c.ID)
		if err != nil {
			return Transition{}, err
		}
		if n == 0 {
			return Transition{}, domain.Refuse("no_disposed_suspect", "破案须至少有一名犯罪嫌疑人已被抓获或处理：请先在本案添加嫌疑人并登记处置（如抓获）")
		}
	}
	approval, err := NeedsApproval(ctx, q, step.Action)
	if err != nil {
		return Transition{}, err
	}
	t := Transition{CaseID: c.ID, Action: step.Action, ActionName: step.Name, From: cs.State, To: step.To, At: r.At,
		Document: step.Document, DocNo: r.DocNo, Reason: r.Reason, Status: StatusDone, UserID: who.UserID,
		UserName: who.Username, CreatedAt: now}
	if approval {
		t.Status = StatusPending
	}
	err = q.QueryRow(ctx, `INSERT INTO case_transitions (case_id, action, from_state, to_state, at, doc_no, reason, status, user_id, created_at)
		VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id`, c.ID, string(t.Action), string(t.From), string(t.To), db.Millis(t.At),
		t.DocNo, t.Reason, t.Status, nullID(who.UserID), db.Millis(now)).Scan(&t.ID)
	if err != nil {
		return Transition{}, fmt.Errorf("case %d %s: %w", c.ID, step.Action, err)
	}
	text := describe(t)
	if approval {
		text = "申请" + text + "，待领导审批"
	} else if err := apply(ctx, q, t, now); err != nil {
		return Transition{}, err
	}
	if err := funds.AddCaseEvent(ctx, q, c.ID, now, "lifecycle", who.UserID, text); err != nil {
		return Transition{}, err
	}
	e := who.With(auth.AuditUpdate, "case", strconv.FormatInt(c.ID, 10))
	e.At, e.Detail = now, "lifecycle "+string(t.Action)+" "+t.Status+" transition "+strconv.FormatInt(t.ID, 10)
	return t, auth.Audit(ctx, q, e)
}

// Decide approves or rejects the pending step of a case in scope; the
// caller (who) must be an approver. An approved step takes effect on the
// date it was asked for (the state changes now, dated then); a rejected one
// leaves the state, and the case may ask again.
func Decide(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, caseID int64, approve bool, note string, now time.Time) (Transition, error) {
	return db.InTxValue(ctx, d, func(tx *db.Tx) (Transition, error) { return DecideIn(ctx, tx, scope, who, caseID, approve, note, now) })
}

// DecideIn is Decide inside the caller's transaction.
func DecideIn(ctx context.Context, q db.Querier, scope area.Node, who auth.AuditEntry, caseID int64, approve bool, note string, now time.Time) (Transition, error) {
	if !slices.Contains(Approvers, who.Role) {
		return Transition{}, domain.Forbidden("只有领导可以审批办案环节")
	}
	c, err := caseIn(ctx, q, scope, caseID)
	if err != nil {
		return Transition{}, err
	}
	if err := lockCase(ctx, q, c, now); err != nil {
		return Transition{}, err
	}
	cs, err := stateOf(ctx, q, c)
	if err != nil {
		return Transition{}, err
	}
	if cs.Pending == nil {
		return Transition{}, domain.Conflict("本案没有待审批的办案环节")
	}
	t := *cs.Pending
	note = strings.TrimSpace(note)
	if !approve && note == "" {
		return Transition{}, domain.Invalid("退回申请须写明理由")
	}
	status := StatusDone
	if !approve {
		status = StatusRejected
	}
	res, err := q.Exec(ctx, `UPDATE case_transitions SET status = ?, decided_by = ?, decided_at = ?, decision_note = ?
		WHERE id = ? AND status = 'pending'`, status, nullID(who.UserID), db.Millis(now), note, t.ID)
	if err != nil {
		return Transition{}, fmt.Errorf("decide transition %d: %w", t.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return Transition{}, domain.Conflict("该申请已被他人审批")
	}
	t.Status, t.DecidedBy, t.DeciderName, t.DecidedAt, t.DecisionNote = status, who.UserID, who.Username, now, note
	text := "批准" + describe(t)
	if approve {
		if t.From != cs.State {
			return Transition{}, domain.Conflict("案件状态已变化，无法批准")
		}
		if err := apply(ctx, q, t, now); err != nil {
			return Transition{}, err
		}
	} else {
		text = "退回“" + t.ActionName + "”申请：" + auth.MaskNumbersInText(note)
	}
	if err := funds.AddCaseEvent(ctx, q, c.ID, now, "lifecycle", who.UserID, text); err != nil {
		return Transition{}, err
	}
	e := who.With(auth.AuditUpdate, "case", strconv.FormatInt(c.ID, 10))
	e.At, e.Detail = now, "lifecycle "+string(t.Action)+" "+status+" transition "+strconv.FormatInt(t.ID, 10)
	return t, auth.Audit(ctx, q, e)
}

// apply moves the case (locked by lockCase) from the transition's state to
// its target and sets the coarse status.
func apply(ctx context.Context, q db.Querier, t Transition, now time.Time) error {
	res, err := q.Exec(ctx, `UPDATE case_states SET state = ?, since = ?, updated_at = ? WHERE case_id = ? AND state = ?`,
		string(t.To), db.Millis(t.At), db.Millis(now), t.CaseID, string(t.From))
	if err != nil {
		return fmt.Errorf("case %d state: %w", t.CaseID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("case %d is no longer %s: %w", t.CaseID, t.From, domain.ErrConflict)
	}
	return funds.SetCaseStatus(ctx, q, t.CaseID, t.To.Coarse(), now)
}

// describe is a transition as a timeline line: 立案（立案决定书 X公立字〔2026〕12号）：理由.
func describe(t Transition) string {
	s := t.ActionName
	if t.DocNo != "" {
		s += "（《" + t.Document + "》" + t.DocNo + "）"
	}
	s += "，日期 " + t.At.In(zone.Shanghai).Format("2006-01-02")
	if t.Reason != "" {
		s += "，理由：" + auth.MaskNumbersInText(t.Reason) // the timeline is shown as written
	}
	return s
}

func stateList(ss []State) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = "“" + StateName(s) + "”"
	}
	return strings.Join(names, "或")
}

// History is the lifecycle of a case in scope, oldest first: every step
// done, pending or rejected.
func History(ctx context.Context, q db.Querier, scope area.Node, caseID int64) ([]Transition, error) {
	if _, err := caseIn(ctx, q, scope, caseID); err != nil {
		return nil, err
	}
	return history(ctx, q, caseID, "")
}

func history(ctx context.Context, q db.Querier, caseID int64, and string) ([]Transition, error) {
	rows, err := q.Query(ctx, `SELECT t.id, t.case_id, t.action, t.from_state, t.to_state, t.at, t.doc_no, t.reason, t.status,
		COALESCE(t.user_id, 0), COALESCE(u.display_name, ''), t.created_at, COALESCE(t.decided_by, 0), COALESCE(v.display_name, ''),
		COALESCE(t.decided_at, 0), t.decision_note
		FROM case_transitions t LEFT JOIN users u ON u.id = t.user_id LEFT JOIN users v ON v.id = t.decided_by
		WHERE t.case_id = ? `+and+` ORDER BY t.id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("lifecycle of case %d: %w", caseID, err)
	}
	defer rows.Close()
	out := []Transition{}
	for rows.Next() {
		var t Transition
		var action, from, to string
		var at, created, decided int64
		if err := rows.Scan(&t.ID, &t.CaseID, &action, &from, &to, &at, &t.DocNo, &t.Reason, &t.Status, &t.UserID, &t.UserName,
			&created, &t.DecidedBy, &t.DeciderName, &decided, &t.DecisionNote); err != nil {
			return nil, fmt.Errorf("lifecycle of case %d: %w", caseID, err)
		}
		t.Action, t.From, t.To = Action(action), State(from), State(to)
		t.At, t.CreatedAt = db.Time(at), db.Time(created)
		if decided != 0 {
			t.DecidedAt = db.Time(decided)
		}
		step, _ := StepOf(t.Action)
		t.ActionName, t.Document = step.Name, step.Document
		out = append(out, t)
	}
	return out, rows.Err()
}

// PendingApprovals lists the steps waiting for a leader's approval on cases
// in scope, oldest first (a leader's to-do list).
func PendingApprovals(ctx context.Context, q db.Querier, scope area.Node) ([]Transition, error) {
	cond, arg := area.UnderClause("c.area_id", scope)
	ids, err := q.Query(ctx, `SELECT DISTINCT t.case_id FROM case_transitions t JOIN cases c ON c.id = t.case_id
		WHERE t.status = 'pending' AND `+cond+` ORDER BY t.case_id`, arg)
	if err != nil {
		return nil, fmt.Errorf("pending approvals: %w", err)
	}
	caseIDs, err := db.Int64s(ids)
	if err != nil {
		return nil, fmt.Errorf("pending approvals: %w", err)
	}
	out := []Transition{}
	for _, id := range caseIDs {
		h, err := history(ctx, q, id, `AND t.status = 'pending'`)
		if err != nil {
			return nil, err
		}
		out = append(out, h...)
	}
	slices.SortFunc(out, func(a, b Transition) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
