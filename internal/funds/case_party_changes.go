package funds

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// PartyChangeKind is what a change after the report did.
type PartyChangeKind string

// The kinds of change (case_party_changes.kind).
const (
	VictimAdded       PartyChangeKind = "victim_added"
	VictimCorrected   PartyChangeKind = "victim_corrected"
	TransferAdded     PartyChangeKind = "transfer_added"
	TransferCorrected PartyChangeKind = "transfer_corrected"
	TransferRemoved   PartyChangeKind = "transfer_removed"
	AccountAdded      PartyChangeKind = "account_added"
)

// partyKinds: the Chinese name, the unit it is counted in, and whether it
// changes the trace (victims are named in it; transfers are its starts).
// A linked account is not a trace input.
var partyKinds = map[PartyChangeKind]struct {
	name, unit string
	trace      bool
}{
	VictimAdded: {"新增受害人", "名", true}, VictimCorrected: {"更正受害人", "次", true}, TransferAdded: {"新增转账", "笔", true},
	TransferCorrected: {"更正转账", "笔", true}, TransferRemoved: {"删除转账", "笔", true}, AccountAdded: {"新增涉案账户", "个", false},
}

// traceKinds lists, in display order, the kinds that change a trace.
var traceKinds = []PartyChangeKind{VictimAdded, VictimCorrected, TransferAdded, TransferCorrected, TransferRemoved}

// PartyChangeName is the Chinese name of a kind of change.
func PartyChangeName(k PartyChangeKind) string {
	if v, ok := partyKinds[k]; ok {
		return v.name
	}
	return string(k)
}

// PartyRecord is a victim, transfer or linked account as it was before or
// after a change (one of the three is set).
type PartyRecord struct {
	Victim   *Victim      `json:"victim,omitempty"`
	Transfer *Transfer    `json:"transfer,omitempty"`
	Account  *CaseAccount `json:"account,omitempty"`
}

// Masked returns the record with numbers masked by m.
func (r PartyRecord) Masked(m auth.Masker) PartyRecord {
	if r.Victim != nil {
		v := Case{Victims: []Victim{*r.Victim}}.Masked(m).Victims[0]
		r.Victim = &v
	}
	if r.Transfer != nil {
		t := Case{Transfers: []Transfer{*r.Transfer}}.Masked(m).Transfers[0]
		r.Transfer = &t
	}
	if r.Account != nil {
		a := r.Account.Masked(m)
		r.Account = &a
	}
	return r
}

func (r PartyRecord) empty() bool { return r.Victim == nil && r.Transfer == nil && r.Account == nil }

// PartyChange is a line of a case's history of changes after the report.
type PartyChange struct {
	ID        int64           `json:"id"`
	At        time.Time       `json:"at"`
	Kind      PartyChangeKind `json:"kind"`
	KindName  string          `json:"kind_name"`
	SubjectID int64           `json:"subject_id"`
	Before    *PartyRecord    `json:"before,omitempty"`
	After     *PartyRecord    `json:"after,omitempty"`
	Reason    string          `json:"reason,omitempty"`
	UserName  string          `json:"user_name,omitempty"`
}

// Masked returns the change with numbers masked by m.
func (c PartyChange) Masked(m auth.Masker) PartyChange {
	if c.Before != nil {
		b := c.Before.Masked(m)
		c.Before = &b
	}
	if c.After != nil {
		a := c.After.Masked(m)
		c.After = &a
	}
	c.Reason = m.Text(c.Reason)
	return c
}

// partyChange is what one change wrote, for its history row, timeline line
// and audit line.
type partyChange struct {
	kind          PartyChangeKind
	subject       int64
	before, after PartyRecord
	reason, text  string
	object        string // audit object type
}

// changeParties runs one change of a case's parties (see case_parties.go).
func changeParties(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, caseID int64, now time.Time,
	change func(tx *db.Tx, c Case) (partyChange, error)) error {
	if !who.Role.Can(auth.CapCaseWrite) {
		return domain.Forbidden("%s无权登记或更正受害人、转账和涉案账户", auth.RoleName(who.Role))
	}
	err := d.InTx(ctx, func(tx *db.Tx) error {
		if err := CaseInScope(ctx, tx, scope, caseID); err != nil {
			return err
		}
		// The row lock orders changes of one case on PostgreSQL, so each
		// recomputation reads the transfers the previous one left.
		if _, err := tx.Exec(ctx, `UPDATE cases SET updated_at = ? WHERE id = ?`, db.Millis(now), caseID); err != nil {
			return fmt.Errorf("case %d: %w", caseID, err)
		}
		c, err := GetCase(ctx, tx, scope, caseID)
		if err != nil {
			return err
		}
		ch, err := change(tx, c)
		if err != nil {
			return err
		}
		ch.reason = strings.TrimSpace(ch.reason)
		var changeID int64
		err = tx.QueryRow(ctx, `INSERT INTO case_party_changes (case_id, at, kind, subject_id, before_json, after_json, reason, user_id)
			VALUES (?,?,?,?,?,?,?,?) RETURNING id`, caseID, db.Millis(now), string(ch.kind), ch.subject, recordJSON(ch.before), recordJSON(ch.after),
			ch.reason, nullID(who.UserID)).Scan(&changeID)
		if err != nil {
			return fmt.Errorf("case %d history: %w", caseID, err)
		}
		if partyKinds[ch.kind].trace {
			if _, err := tx.Exec(ctx, `INSERT INTO case_trace_marks (case_id, changed_at, changed_id) VALUES (?,?,?)
				ON CONFLICT (case_id) DO UPDATE SET changed_at = excluded.changed_at, changed_id = excluded.changed_id`,
				caseID, db.Millis(now), changeID); err != nil {
				return fmt.Errorf("case %d trace mark: %w", caseID, err)
			}
		}
		if err := recomputeLosses(ctx, tx, caseID); err != nil {
			return err
		}
		text := ch.text
		if ch.reason != "" && ch.kind != TransferRemoved {
			text += "，原因：" + ch.reason
		}
		if err := AddCaseEvent(ctx, tx, caseID, now, "parties", who.UserID, text); err != nil {
			return err
		}
		action := auth.AuditUpdate
		switch ch.kind {
		case VictimAdded, TransferAdded, AccountAdded:
			action = auth.AuditCreate
		case TransferRemoved:
			action = auth.AuditDelete
		}
		e := who.With(action, ch.object, strconv.FormatInt(ch.subject, 10))
		e.At, e.Detail = now, "case "+strconv.FormatInt(caseID, 10)
		if ch.reason != "" {
			e.Detail += "; " + auth.MaskNumbersInText(ch.reason)
		}
		return auth.Audit(ctx, tx, e)
	})
	if err != nil {
		return err
	}
	forgetCaseTrace(caseID)
	return nil
}

func recordJSON(r PartyRecord) string {
	if r.empty() {
		return ""
	}
	b, err := json.Marshal(r)
	if err != nil {
		panic(err) // plain structs always encode
	}
	return string(b)
}

// recomputeLosses sets each victim's loss to the sum of their transfers
// (a victim without transfers keeps the loss given for them) and the
// case's loss to the sum of its victims'. Every figure reads these columns
// (bulletins, the 大屏, series, campaigns, returns), none keeps a copy.
func recomputeLosses(ctx context.Context, q db.Querier, caseID int64) error {
	if _, err := q.Exec(ctx, `UPDATE victims SET loss_fen = (SELECT SUM(t.amount_fen) FROM case_transfers t WHERE t.victim_id = victims.id)
		WHERE case_id = ? AND EXISTS (SELECT 1 FROM case_transfers t WHERE t.victim_id = victims.id)`, caseID); err != nil {
		return fmt.Errorf("case %d victims' losses: %w", caseID, err)
	}
	if _, err := q.Exec(ctx, `UPDATE cases SET loss_fen = (SELECT COALESCE(SUM(v.loss_fen), 0) FROM victims v WHERE v.case_id = cases.id)
		WHERE id = ?`, caseID); err != nil {
		return fmt.Errorf("case %d loss: %w", caseID, err)
	}
	return nil
}

// PartyChanges lists the changes made to a case in scope after its report,
// oldest first (a removed transfer is here with what it was).
func PartyChanges(ctx context.Context, q db.Querier, scope area.Node, caseID int64) ([]PartyChange, error) {
	if err := CaseInScope(ctx, q, scope, caseID); err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, `SELECT p.id, p.at, p.kind, p.subject_id, p.before_json, p.after_json, p.reason, COALESCE(u.display_name, '')
		FROM case_party_changes p LEFT JOIN users u ON u.id = p.user_id WHERE p.case_id = ? ORDER BY p.id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("changes of case %d: %w", caseID, err)
	}
	defer rows.Close()
	out := []PartyChange{}
	for rows.Next() {
		var c PartyChange
		var at int64
		var kind, before, after string
		if err := rows.Scan(&c.ID, &at, &kind, &c.SubjectID, &before, &after, &c.Reason, &c.UserName); err != nil {
			return nil, fmt.Errorf("changes of case %d: %w", caseID, err)
		}
		c.At, c.Kind = db.Time(at), PartyChangeKind(kind)
		c.KindName = PartyChangeName(c.Kind)
		for _, x := range []struct {
			raw string
			dst **PartyRecord
		}{{before, &c.Before}, {after, &c.After}} {
			if x.raw == "" {
				continue
			}
			var r PartyRecord
			if err := json.Unmarshal([]byte(x.raw), &r); err != nil {
				return nil, fmt.Errorf("change %d: %w", c.ID, err)
			}
			*x.dst = &r
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// TraceChangeItem counts one kind of change since the last trace.
type TraceChangeItem struct {
	Kind  PartyChangeKind `json:"kind"`
	Count int             `json:"count"`
	Text  string          `json:"text"` // 新增转账 2 笔
}

// TraceChanges says whether a case's trace inputs changed since its trace
// was last looked at, and what changed. A case never traced has nothing
// to compare with (Changed false).
type TraceChanges struct {
	Changed   bool              `json:"changed"`
	ChangedAt time.Time         `json:"changed_at,omitzero"` // the inputs' last change
	SeenAt    time.Time         `json:"seen_at,omitzero"`    // the trace's last look
	Items     []TraceChangeItem `json:"items"`
	Text      string            `json:"text,omitempty"` // 自上次追踪以来案件已变更：新增转账 2 笔
	through   int64             // the newest change read
}

// TraceChangesOf reads what changed in a case's trace inputs since its
// trace was last looked at (the caller has checked the scope).
func TraceChangesOf(ctx context.Context, q db.Querier, caseID int64) (TraceChanges, error) {
	out := TraceChanges{Items: []TraceChangeItem{}}
	var changedAt, seenAt *int64
	var changedID, seenID int64
	err := q.QueryRow(ctx, `SELECT changed_at, changed_id, seen_at, seen_id FROM case_trace_marks WHERE case_id = ?`, caseID).
		Scan(&changedAt, &changedID, &seenAt, &seenID)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return out, nil
		}
		return out, fmt.Errorf("case %d trace mark: %w", caseID, err)
	}
	out.through = changedID
	if changedAt != nil {
		out.ChangedAt = db.Time(*changedAt)
	}
	if seenAt != nil {
		out.SeenAt = db.Time(*seenAt)
	}
	if seenAt == nil || changedID <= seenID {
		return out, nil
	}
	rows, err := q.Query(ctx, `SELECT kind, COUNT(*) FROM case_party_changes WHERE case_id = ? AND id > ? AND id <= ? GROUP BY kind`,
		caseID, seenID, changedID)
	if err != nil {
		return out, fmt.Errorf("case %d changes: %w", caseID, err)
	}
	defer rows.Close()
	counts := map[PartyChangeKind]int{}
	for rows.Next() {
		var kind string
		var n int
		if err := rows.Scan(&kind, &n); err != nil {
			return out, err
		}
		counts[PartyChangeKind(kind)] = n
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	var texts []string
	for _, k := range traceKinds {
		if n := counts[k]; n > 0 {
			it := TraceChangeItem{Kind: k, Count: n, Text: fmt.Sprintf("%s %d %s", partyKinds[k].name, n, partyKinds[k].unit)}
			out.Items = append(out.Items, it)
			texts = append(texts, it.Text)
		}
	}
	if len(texts) > 0 {
		out.Changed = true
		out.Text = "自上次追踪以来案件已变更：" + strings.Join(texts, "，")
	}
	return out, nil
}

// MarkTraceSeen records that a case's trace was looked at (shown, or used
// for a freeze) at now, including the changes ch reported: read ch with
// TraceChangesOf before tracing, so a change made while the trace ran is
// reported at the next look. The changes are reported until then.
func MarkTraceSeen(ctx context.Context, q db.Querier, caseID int64, ch TraceChanges, now time.Time) error {
	if _, err := q.Exec(ctx, `INSERT INTO case_trace_marks (case_id, seen_at, seen_id) VALUES (?,?,?)
		ON CONFLICT (case_id) DO UPDATE SET seen_at = excluded.seen_at,
		seen_id = CASE WHEN excluded.seen_id > case_trace_marks.seen_id THEN excluded.seen_id ELSE case_trace_marks.seen_id END`,
		caseID, db.Millis(now), ch.through); err != nil {
		return fmt.Errorf("case %d trace mark: %w", caseID, err)
	}
	return nil
}
