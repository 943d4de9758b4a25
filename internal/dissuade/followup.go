// Package dissuade is 劝阻质量: whether a dissuasion lasts. It schedules the
// follow-up calls (回访) after a successful dissuasion of a fund or
// high-risk warning and keeps them on the dissuader's list, measures the
// rate of people defrauded after a successful dissuasion per station and
// officer with the list behind it, gathers a person's earlier warnings,
// contacts and cases for the warning page, and holds the rule that an
// unreachable fund or high-risk warning is called at least three times
// (on at least two numbers where known) before an on-site visit is
// recorded. docs/INSTRUCTIONS.md defines the figures.
package dissuade

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/zone"
)

// Settings of the follow-up offsets after a successful dissuasion.
const (
	FirstFollowupSetting  = "followup.first"
	SecondFollowupSetting = "followup.second"
)

// DefaultFollowups are the offsets when no setting is stored: +3 and +7 days.
var DefaultFollowups = []time.Duration{3 * 24 * time.Hour, 7 * 24 * time.Hour}

// Followups reads the offsets in force.
func Followups(ctx context.Context, q db.Querier) ([]time.Duration, error) {
	out := append([]time.Duration(nil), DefaultFollowups...)
	for i, key := range []string{FirstFollowupSetting, SecondFollowupSetting} {
		var v string
		err := q.QueryRow(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("follow-up setting: %w", err)
		}
		if d, ok := zone.ParseSpan(v); ok {
			out[i] = d
		}
	}
	return out, nil
}

// ScheduleWindow bounds how far back a sweep looks for dissuasions without
// follow-ups (a server down for a week still schedules them).
const ScheduleWindow = 30 * 24 * time.Hour

// Schedule creates the follow-ups of every fund or high-risk warning
// dissuaded successfully in the last ScheduleWindow that has none yet, due
// at the outcome plus each offset, on the list of the officer who
// dissuaded. Rows are unique per warning and sequence, so sweeps of several
// replicas create each once. It returns how many it created.
func Schedule(ctx context.Context, d *db.DB, now time.Time) (int, error) {
	offsets, err := Followups(ctx, d)
	if err != nil {
		return 0, err
	}
	made := 0
	err = d.InTx(ctx, func(tx *db.Tx) error {
		made = 0
		rows, err := tx.Query(ctx, `SELECT w.id, w.outcome_at, w.assignee_id FROM warnings w
			WHERE w.outcome = 'dissuaded' AND w.status = 'closed' AND w.grade IN ('fund', 'high') AND w.outcome_at >= ?
			  AND NOT EXISTS (SELECT 1 FROM followups f WHERE f.warning_id = w.id)
			ORDER BY w.id LIMIT 1000`, db.Millis(now.Add(-ScheduleWindow)))
		if err != nil {
			return fmt.Errorf("dissuasions to follow up: %w", err)
		}
		type due struct {
			id, at int64
			user   sql.NullInt64
		}
		var todo []due
		for rows.Next() {
			var x due
			if err := rows.Scan(&x.id, &x.at, &x.user); err != nil {
				rows.Close()
				return err
			}
			todo = append(todo, x)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, x := range todo {
			var when []string
			for i, off := range offsets {
				at := db.Time(x.at).Add(off)
				res, err := tx.Exec(ctx, `INSERT INTO followups (warning_id, seq, user_id, due_at, created_at) VALUES (?,?,?,?,?)
					ON CONFLICT DO NOTHING`, x.id, i+1, x.user, db.Millis(at), db.Millis(now))
				if err != nil {
					return fmt.Errorf("follow-up of warning %d: %w", x.id, err)
				}
				if n, _ := res.RowsAffected(); n == 1 {
					made++
					when = append(when, at.In(zone.Shanghai).Format("01-02"))
				}
			}
			if len(when) > 0 {
				if err := warning.AddEvent(ctx, tx, x.id, now, "followup", 0, "劝阻成功，安排回访："+strings.Join(when, "、")); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return made, err
}

// Followup is one follow-up call on an officer's list.
type Followup struct {
	ID        int64     `json:"id"`
	WarningID int64     `json:"warning_id"`
	Seq       int64     `json:"seq"`
	Person    string    `json:"person"`
	Phone     string    `json:"phone"`
	Grade     string    `json:"grade"`
	DueAt     time.Time `json:"due_at"`
	Overdue   bool      `json:"overdue"`
	DoneAt    time.Time `json:"done_at,omitzero"`
	Result    string    `json:"result,omitempty"`
}

// Masked masks the person's phone for the caller.
func (f Followup) Masked(m auth.Masker) Followup {
	f.Phone = m.Phone(f.Phone)
	return f
}

// Due lists an officer's open follow-ups due before until (the dissuader's
// list: today's and the overdue ones), the earliest first, inside scope.
func Due(ctx context.Context, q db.Querier, scope area.Node, userID int64, until, now time.Time) ([]Followup, error) {
	c1, a1 := area.UnderClause("w.area_id", scope)
	c2, a2 := area.UnderClause("w.station_id", scope)
	rows, err := q.Query(ctx, `SELECT f.id, f.warning_id, f.seq, w.person_name, w.person_phone, w.grade, f.due_at
		FROM followups f JOIN warnings w ON w.id = f.warning_id
		WHERE f.user_id = ? AND f.done_at IS NULL AND f.due_at < ? AND (`+c1+` OR `+c2+`)
		ORDER BY f.due_at, f.id`, userID, db.Millis(until), a1, a2)
	if err != nil {
		return nil, fmt.Errorf("follow-ups: %w", err)
	}
	defer rows.Close()
	var out []Followup
	for rows.Next() {
		var f Followup
		var due int64
		if err := rows.Scan(&f.ID, &f.WarningID, &f.Seq, &f.Person, &f.Phone, &f.Grade, &due); err != nil {
			return nil, err
		}
		f.DueAt = db.Time(due)
		f.Overdue = f.DueAt.Before(now)
		out = append(out, f)
	}
	return out, rows.Err()
}

var followupResults = map[string]string{"safe": "情况稳定", "at_risk": "仍有被骗风险", "defrauded": "已被骗", "unreachable": "未联系上"}

// FollowupResultName is the Chinese label of a follow-up result.
func FollowupResultName(r string) string {
	if n, ok := followupResults[r]; ok {
		return n
	}
	return r
}

// Done records a follow-up call's result. A person found defrauded is
// reported on the warning's timeline for the case to be opened from the
// report; the rate below counts the case once it exists.
func Done(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, id int64, result, note string, now time.Time) error {
	if _, ok := followupResults[result]; !ok {
		return domain.Invalid("回访结果 %q 无效（safe/at_risk/defrauded/unreachable）", result)
	}
	return d.InTx(ctx, func(tx *db.Tx) error {
		c1, a1 := area.UnderClause("w.area_id", scope)
		c2, a2 := area.UnderClause("w.station_id", scope)
		var wid, seq int64
		var done sql.NullInt64
		err := tx.QueryRow(ctx, `SELECT f.warning_id, f.seq, f.done_at FROM followups f JOIN warnings w ON w.id = f.warning_id
			WHERE f.id = ? AND (`+c1+` OR `+c2+`)`, id, a1, a2).Scan(&wid, &seq, &done)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("follow-up %d: %w", id, domain.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if done.Valid {
			return domain.Conflict("该回访已登记")
		}
		if _, err := tx.Exec(ctx, `UPDATE followups SET done_at = ?, done_by = ?, result = ?, note = ? WHERE id = ? AND done_at IS NULL`,
			db.Millis(now), who.UserID, result, strings.TrimSpace(note), id); err != nil {
			return fmt.Errorf("follow-up %d: %w", id, err)
		}
		detail := fmt.Sprintf("第 %d 次回访：%s", seq, FollowupResultName(result))
		if n := strings.TrimSpace(note); n != "" {
			detail += "（" + n + "）"
		}
		if err := warning.AddEvent(ctx, tx, wid, now, "followup", who.UserID, detail); err != nil {
			return err
		}
		e := who.With(auth.AuditUpdate, "followup", strconv.FormatInt(id, 10))
		e.At, e.Detail = now, "followup "+result
		return auth.Audit(ctx, tx, e)
	})
}

// Scheduler runs Schedule at once and then every interval until ctx ends.
type Scheduler struct {
	DB  *db.DB
	Now func() time.Time
	Log *slog.Logger
}

// Run schedules follow-ups until ctx ends.
func (s *Scheduler) Run(ctx context.Context, every time.Duration) {
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	db.Every(ctx, every, log, "follow-up scheduling", func(ctx context.Context) error {
		now := time.Now().UTC()
		if s.Now != nil {
			now = s.Now()
		}
		n, err := Schedule(ctx, s.DB, now)
		if err == nil && n > 0 {
			log.Info("follow-ups scheduled", "count", n)
		}
		return err
	})
}
