package instruction

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/warning"
)

// Report is the result report of one instruction, built from its warning's
// record (the warning it was merged into, when merged): how the person was
// contacted, whether they were reached, the result, the money kept, the
// on-site check and the case number when defrauded. It is what goes back
// to the issuer in every door (file row, webhook, NATS); Version counts the
// reports sent (1: the first, more: 续报).
type Report struct {
	WarningID     int64     `json:"warning_id"`
	Number        string    `json:"number"`
	Level         Level     `json:"level"`
	Issuer        string    `json:"issuer,omitempty"`
	Person        string    `json:"person"`
	Station       string    `json:"station"`
	Officer       string    `json:"officer"`
	ContactMethod string    `json:"contact_method"` // Chinese label of the method that reached the person (else the latest tried)
	ContactAt     time.Time `json:"contact_at,omitzero"`
	Attempts      int       `json:"attempts"`
	Reached       bool      `json:"reached"`
	Outcome       string    `json:"outcome"` // warning outcome code; '' while being worked
	Result        string    `json:"result"`  // Chinese
	KeptFen       int64     `json:"kept_fen"`
	Onsite        bool      `json:"onsite"`
	OnsiteAt      time.Time `json:"onsite_at,omitzero"`
	CaseNo        string    `json:"case_no,omitempty"`
	Version       int64     `json:"version"`
	SentAt        time.Time `json:"sent_at,omitzero"`
}

// Ready reports whether the warning has a result to report.
func (r Report) Ready() bool { return r.Outcome != "" }

// digest is the hash of what the issuer reads (not the version or time).
func (r Report) digest() string {
	r.Version, r.SentAt = 0, time.Time{}
	b, _ := json.Marshal(r)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Reports builds the reports of the instructions in scope issued in
// [from, to), oldest first, each with the version last sent.
func Reports(ctx context.Context, q db.Querier, scope area.Node, from, to time.Time) ([]Report, error) {
	c1, a1 := area.UnderClause("w.station_id", scope)
	c2, a2 := area.UnderClause("w.area_id", scope)
	rows, err := q.Query(ctx, `SELECT i.warning_id, i.number, i.level, i.issuer, i.feedback_version, p.id, p.person_name,
		COALESCE(st.name, ''), COALESCE(u.display_name, ''), p.status, p.outcome, p.kept_fen, p.onsite_at, COALESCE(c.case_no, '')
		FROM instructions i JOIN warnings w ON w.id = i.warning_id
		JOIN warnings p ON p.id = COALESCE(w.merged_into, w.id)
		LEFT JOIN areas st ON st.id = p.station_id LEFT JOIN users u ON u.id = p.assignee_id
		LEFT JOIN cases c ON c.id = p.case_id
		WHERE i.received_at >= ? AND i.received_at < ? AND (`+c1+` OR `+c2+`)
		ORDER BY i.received_at, i.warning_id`, db.Millis(from), db.Millis(to), a1, a2)
	if err != nil {
		return nil, fmt.Errorf("feedback reports: %w", err)
	}
	var out []Report
	var primary []int64
	var status []string
	for rows.Next() {
		var r Report
		var pid int64
		var st string
		var onsite sql.NullInt64
		if err := rows.Scan(&r.WarningID, &r.Number, &r.Level, &r.Issuer, &r.Version, &pid, &r.Person, &r.Station, &r.Officer,
			&st, &r.Outcome, &r.KeptFen, &onsite, &r.CaseNo); err != nil {
			rows.Close()
			return nil, err
		}
		if onsite.Valid {
			r.Onsite, r.OnsiteAt = true, db.Time(onsite.Int64)
		}
		out, primary, status = append(out, r), append(primary, pid), append(status, st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := contactsOf(ctx, q, primary[i], &out[i]); err != nil {
			return nil, err
		}
		out[i].Result = resultText(out[i].Outcome, status[i])
	}
	return out, nil
}

// contactsOf fills the contact fields of a report from the attempts.
func contactsOf(ctx context.Context, q db.Querier, warningID int64, r *Report) error {
	rows, err := q.Query(ctx, `SELECT at, method, result FROM contacts WHERE warning_id = ? ORDER BY at, id`, warningID)
	if err != nil {
		return fmt.Errorf("contacts of warning %d: %w", warningID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var at int64
		var method, result string
		if err := rows.Scan(&at, &method, &result); err != nil {
			return err
		}
		r.Attempts++
		reached := result == "reached" || result == "safe" || result == "at_risk"
		if r.Reached {
			continue
		}
		r.ContactMethod, r.ContactAt = warning.ContactMethodName(method), db.Time(at)
		r.Reached = reached
	}
	return rows.Err()
}

func resultText(outcome, status string) string {
	switch {
	case outcome == "":
		return "处置中"
	case outcome == string(warning.OutcomeUnreachable) && status == "open":
		return "无法联系，落地核查中"
	}
	return warning.OutcomeName(warning.Outcome(outcome))
}

// Sent is what recording a set of reports did.
type Sent struct {
	Reports []Report // every ready report with its version now
	New     []Report // those recorded now: first reports and 续报
}

// Record stores a new version of each ready report whose content differs
// from the last one sent (the first report, or a 续报 after the result
// changed) and marks the instruction reported back; reports not ready (no
// result yet) are left out. inTx, when set, runs in the same transaction
// with the new versions (the webhook door writes its outbox rows there).
func Record(ctx context.Context, d *db.DB, reports []Report, door string, userID int64, now time.Time,
	inTx func(ctx context.Context, tx *db.Tx, fresh []Report) error) (Sent, error) {
	var s Sent
	err := d.InTx(ctx, func(tx *db.Tx) error {
		var err error
		s, err = RecordTx(ctx, tx, reports, door, userID, now)
		if err != nil {
			return err
		}
		if inTx != nil && len(s.New) > 0 {
			return inTx(ctx, tx, s.New)
		}
		return nil
	})
	return s, err
}

// RecordTx is Record inside the caller's transaction (the demo county
// writes its history with it).
func RecordTx(ctx context.Context, tx *db.Tx, reports []Report, door string, userID int64, now time.Time) (Sent, error) {
	var s Sent
	err := func() error {
		for _, r := range reports {
			if !r.Ready() {
				continue
			}
			var last string
			var ver int64
			err := tx.QueryRow(ctx, `SELECT digest, version FROM instruction_reports WHERE warning_id = ? ORDER BY version DESC LIMIT 1`,
				r.WarningID).Scan(&last, &ver)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("last report of %s: %w", r.Number, err)
			}
			dg := r.digest()
			if dg == last {
				r.Version = ver
				s.Reports = append(s.Reports, r)
				continue
			}
			r.Version, r.SentAt = ver+1, now
			payload, _ := json.Marshal(r)
			if _, err := tx.Exec(ctx, `INSERT INTO instruction_reports (warning_id, version, door, payload, digest, user_id, sent_at)
				VALUES (?,?,?,?,?,?,?)`, r.WarningID, r.Version, door, string(payload), dg, nullable(userID), db.Millis(now)); err != nil {
				return fmt.Errorf("record report %s v%d: %w", r.Number, r.Version, err)
			}
			if _, err := tx.Exec(ctx, `UPDATE instructions SET fed_back_at = COALESCE(fed_back_at, ?), feedback_version = ? WHERE warning_id = ?`,
				db.Millis(now), r.Version, r.WarningID); err != nil {
				return fmt.Errorf("mark %s reported: %w", r.Number, err)
			}
			what := "反馈"
			if r.Version > 1 {
				what = fmt.Sprintf("续报（第 %d 次）", r.Version)
			}
			if err := warning.AddEvent(ctx, tx, r.WarningID, now, "feedback", userID,
				fmt.Sprintf("向%s级下发单位%s指令 %s 处置结果：%s", LevelName(r.Level), what, r.Number, r.Result)); err != nil {
				return err
			}
			s.Reports, s.New = append(s.Reports, r), append(s.New, r)
		}
		return nil
	}()
	return s, err
}

func nullable(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
