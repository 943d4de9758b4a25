package instruction

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
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

// reportSelect reads the reports of instructions in one statement: the
// instruction, its warning's record (the warning it was merged into, when
// merged) and the contact fields from correlated subqueries on the
// contacts index (the attempt that reached the person, else the latest
// tried), so a file of thousands of rows is one round trip.
const reportSelect = `SELECT i.warning_id, i.number, i.level, i.issuer, i.feedback_version, p.person_name,
	COALESCE(st.name, ''), COALESCE(u.display_name, ''), p.status, p.outcome, p.kept_fen, p.onsite_at, COALESCE(c.case_no, ''),
	(SELECT COUNT(*) FROM contacts k WHERE k.warning_id = p.id),
	(SELECT k.method FROM contacts k WHERE k.warning_id = p.id AND k.result IN ('reached', 'safe', 'at_risk') ORDER BY k.at, k.id LIMIT 1),
	(SELECT k.at FROM contacts k WHERE k.warning_id = p.id AND k.result IN ('reached', 'safe', 'at_risk') ORDER BY k.at, k.id LIMIT 1),
	(SELECT k.method FROM contacts k WHERE k.warning_id = p.id ORDER BY k.at DESC, k.id DESC LIMIT 1),
	(SELECT k.at FROM contacts k WHERE k.warning_id = p.id ORDER BY k.at DESC, k.id DESC LIMIT 1)
	FROM instructions i JOIN warnings w ON w.id = i.warning_id
	JOIN warnings p ON p.id = COALESCE(w.merged_into, w.id)
	LEFT JOIN areas st ON st.id = p.station_id LEFT JOIN users u ON u.id = p.assignee_id
	LEFT JOIN cases c ON c.id = p.case_id`

// Reports builds the reports of the instructions in scope issued in
// [from, to), oldest first, each with the version last sent.
func Reports(ctx context.Context, q db.Querier, scope area.Node, from, to time.Time) ([]Report, error) {
	c1, a1 := area.UnderClause("w.station_id", scope)
	c2, a2 := area.UnderClause("w.area_id", scope)
	rows, err := q.Query(ctx, reportSelect+` WHERE i.received_at >= ? AND i.received_at < ? AND (`+c1+` OR `+c2+`)
		ORDER BY i.received_at, i.warning_id`, db.Millis(from), db.Millis(to), a1, a2)
	if err != nil {
		return nil, fmt.Errorf("feedback reports: %w", err)
	}
	defer rows.Close()
	var out []Report
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// scanReport reads one row of reportSelect.
func scanReport(sc interface{ Scan(...any) error }) (Report, error) {
	var r Report
	var st string
	var onsite, reachedAt, lastAt sql.NullInt64
	var reachedBy, lastBy sql.NullString
	if err := sc.Scan(&r.WarningID, &r.Number, &r.Level, &r.Issuer, &r.Version, &r.Person, &r.Station, &r.Officer,
		&st, &r.Outcome, &r.KeptFen, &onsite, &r.CaseNo, &r.Attempts, &reachedBy, &reachedAt, &lastBy, &lastAt); err != nil {
		return r, err
	}
	if onsite.Valid {
		r.Onsite, r.OnsiteAt = true, db.Time(onsite.Int64)
	}
	switch {
	case reachedBy.Valid:
		r.Reached, r.ContactMethod, r.ContactAt = true, warning.ContactMethodName(reachedBy.String), db.Time(reachedAt.Int64)
	case lastBy.Valid:
		r.ContactMethod, r.ContactAt = warning.ContactMethodName(lastBy.String), db.Time(lastAt.Int64)
	}
	r.Result = resultText(r.Outcome, st)
	return r, nil
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
// writes its history with it). Each instruction's row is locked before its
// last version is read, in warning id order, so two exports running at
// once never both write the next version: the second waits for the first
// and then finds the content already sent (both succeed, one version).
func RecordTx(ctx context.Context, tx *db.Tx, reports []Report, door string, userID int64, now time.Time) (Sent, error) {
	var s Sent
	order := make([]int, 0, len(reports))
	for i, r := range reports {
		if r.Ready() {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return reports[order[a]].WarningID < reports[order[b]].WarningID })
	done := make([]Report, len(reports))
	fresh := make([]bool, len(reports))
	for _, i := range order {
		r := reports[i]
		// The no-op UPDATE is the row lock on both engines (SQLite has one
		// writer at a time anyway).
		if _, err := tx.Exec(ctx, `UPDATE instructions SET feedback_version = feedback_version WHERE warning_id = ?`, r.WarningID); err != nil {
			return s, fmt.Errorf("lock instruction %s: %w", r.Number, err)
		}
		var last string
		var ver int64
		err := tx.QueryRow(ctx, `SELECT digest, version FROM instruction_reports WHERE warning_id = ? ORDER BY version DESC LIMIT 1`,
			r.WarningID).Scan(&last, &ver)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return s, fmt.Errorf("last report of %s: %w", r.Number, err)
		}
		dg := r.digest()
		if dg == last {
			r.Version = ver
			done[i] = r
			continue
		}
		r.Version, r.SentAt = ver+1, now
		payload, _ := json.Marshal(r)
		if _, err := tx.Exec(ctx, `INSERT INTO instruction_reports (warning_id, version, door, payload, digest, user_id, sent_at)
			VALUES (?,?,?,?,?,?,?)`, r.WarningID, r.Version, door, string(payload), dg, nullable(userID), db.Millis(now)); err != nil {
			return s, fmt.Errorf("record report %s v%d: %w", r.Number, r.Version, err)
		}
		if _, err := tx.Exec(ctx, `UPDATE instructions SET fed_back_at = COALESCE(fed_back_at, ?), feedback_version = ? WHERE warning_id = ?`,
			db.Millis(now), r.Version, r.WarningID); err != nil {
			return s, fmt.Errorf("mark %s reported: %w", r.Number, err)
		}
		what := "反馈"
		if r.Version > 1 {
			what = fmt.Sprintf("续报（第 %d 次）", r.Version)
		}
		if err := warning.AddEvent(ctx, tx, r.WarningID, now, "feedback", userID,
			fmt.Sprintf("向%s级下发单位%s指令 %s 处置结果：%s", LevelName(r.Level), what, r.Number, r.Result)); err != nil {
			return s, err
		}
		done[i], fresh[i] = r, true
	}
	// The answer keeps the callers' order (the file's rows).
	for i, r := range reports {
		if !r.Ready() {
			continue
		}
		s.Reports = append(s.Reports, done[i])
		if fresh[i] {
			s.New = append(s.New, done[i])
		}
	}
	return s, nil
}

func nullable(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
