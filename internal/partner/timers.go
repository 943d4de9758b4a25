package partner

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/notify"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/zone"
)

// Reminders and escalation of unanswered requests, and the announcement of
// every request to its unit's webhook, run on stored timers
// (partner_request_timers): a sweep gives each new request its row —
// announcing it to the unit's webhook in the same transaction — and then
// fires the reminders and escalations whose time has come. Because the
// timers are columns, the first sweep after a restart catches up on
// everything that fell due while the server was down.
//
// The freeze / stop-payment / release lifecycle has its own deadlines and
// reminders; for those kinds the sweep only announces. The kinds below get a
// reminder at their due time and an escalation to the centre a grace later.

// DueWithin is the answer time of a request kind (zero for unknown kinds).
func DueWithin(kind string) time.Duration { return answerWithin[kind] }

// escalateAfter is how long after the due time an unanswered request of a
// reminded kind is escalated to the centre.
var escalateAfter = map[string]time.Duration{
	"suspend_card": 30 * time.Minute, "suspend_number": 30 * time.Minute,
	"query": 24 * time.Hour, "holder_check": 24 * time.Hour,
}

// historicAfter: requests older than this when the sweep first meets them
// are neither announced nor reminded.
const historicAfter = 7 * 24 * time.Hour

// Sweeper announces, reminds and escalates partner requests.
type Sweeper struct {
	DB      *db.DB
	Targets []notify.Target // the centre's escalation receivers
	// TargetSource, when set, gives the receivers in force at each sweep
	// (the settings edited in the console) instead of Targets.
	TargetSource func(ctx context.Context) []notify.Target
	BaseURL      string // the console's public URL, for links
	Log          *slog.Logger
	Now          func() time.Time
}

// TimerSweepResult counts what one sweep of the request timers did.
type TimerSweepResult struct {
	Timed, Announced, Reminded, Escalated int
}

func (s *Sweeper) targets(ctx context.Context) []notify.Target {
	if s.TargetSource != nil {
		return s.TargetSource(ctx)
	}
	return s.Targets
}

func (s *Sweeper) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Sweep runs once.
func (s *Sweeper) Sweep(ctx context.Context) (TimerSweepResult, error) {
	var res TimerSweepResult
	now := s.now()
	// New requests (not drafts): give them timers and announce them, oldest first.
	rows, err := s.DB.Query(ctx, `SELECT r.id FROM partner_requests r LEFT JOIN partner_request_timers t ON t.request_id = r.id
		WHERE t.request_id IS NULL AND r.status <> 'drafted' ORDER BY r.id LIMIT 500`)
	if err != nil {
		return res, fmt.Errorf("new partner requests: %w", err)
	}
	ids, err := db.Int64s(rows)
	if err != nil {
		return res, err
	}
	for _, id := range ids {
		announced, err := s.start(ctx, id, now)
		if err != nil {
			return res, err
		}
		res.Timed++
		if announced {
			res.Announced++
		}
	}
	for _, step := range []struct {
		col, at string
		n       *int
	}{{"reminded_at", "remind_at", &res.Reminded}, {"escalated_at", "escalate_at", &res.Escalated}} {
		rows, err := s.DB.Query(ctx, `SELECT t.request_id FROM partner_request_timers t JOIN partner_requests r ON r.id = t.request_id
			WHERE t.`+step.col+` IS NULL AND t.`+step.at+` <= ? AND r.status IN ('sent', 'seen') ORDER BY t.request_id LIMIT 500`, db.Millis(now))
		if err != nil {
			return res, fmt.Errorf("due partner timers: %w", err)
		}
		ids, err := db.Int64s(rows)
		if err != nil {
			return res, err
		}
		for _, id := range ids {
			fired, err := s.fire(ctx, id, step.col, now)
			if err != nil {
				return res, err
			}
			if fired {
				*step.n++
			}
		}
	}
	return res, nil
}

func (s *Sweeper) link(path string) string {
	if s.BaseURL == "" {
		return ""
	}
	return s.BaseURL + path
}

// requestMessage is what a unit's webhook receives about a request: what
// the unit must act on, never who asked or about whom beyond that.
func (s *Sweeper) requestMessage(kind, title string, r Request, now time.Time) notify.Message {
	text := fmt.Sprintf("请求 #%d：%s", r.ID, r.KindName)
	if r.Account != "" {
		text += "，账号 " + r.Account
	}
	if r.Phone != "" {
		text += "，号码 " + r.Phone
	}
	if r.AmountFen > 0 {
		text += fmt.Sprintf("，金额 %d.%02d 元", r.AmountFen/100, r.AmountFen%100)
	}
	if !r.DueAt.IsZero() {
		text += "，请于 " + r.DueAt.In(zone.Shanghai).Format("2006-01-02 15:04") + " 前答复"
	}
	data := map[string]any{"request_id": r.ID, "kind": r.Kind, "unit_id": r.UnitID, "account": r.Account, "phone": r.Phone,
		"amount_fen": r.AmountFen, "reason": r.Reason, "status": r.Status}
	if !r.DueAt.IsZero() {
		data["due_at"] = r.DueAt
	}
	return notify.Message{Kind: kind, Title: title, Text: text, Link: s.link("/inbox"), Data: data, At: now}
}

func (s *Sweeper) start(ctx context.Context, id int64, now time.Time) (bool, error) {
	announced := false
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		r, err := scanRequest(tx.QueryRow(ctx, selectRequest+` WHERE r.id = ?`, id), now)
		if err != nil {
			return fmt.Errorf("request %d: %w", id, err)
		}
		var remind, escalate any
		// A request already a week old when first swept (one from before
		// this feature, in an upgraded database) gets no reminders.
		recent := now.Sub(r.CreatedAt) < historicAfter
		if grace, ok := escalateAfter[r.Kind]; ok && recent && (r.Status == "sent" || r.Status == "seen") {
			due := r.DueAt
			if due.IsZero() {
				due = r.CreatedAt.Add(answerWithin[r.Kind])
			}
			remind, escalate = db.Millis(due), db.Millis(due.Add(grace))
		}
		res, err := tx.Exec(ctx, `INSERT INTO partner_request_timers (request_id, unit_id, remind_at, escalate_at) VALUES (?,?,?,?)
			ON CONFLICT (request_id) DO NOTHING`, id, nullable(r.UnitID), remind, escalate)
		if err != nil {
			return fmt.Errorf("timers of request %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 || r.UnitID == 0 || !recent {
			return nil
		}
		announced, err = enqueueForUnit(ctx, tx, r.UnitID, s.requestMessage("partner_request", "新的协查请求："+r.KindName, r, now))
		if err != nil || !announced {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE partner_request_timers SET announced_at = ? WHERE request_id = ?`, db.Millis(now), id)
		return err
	})
	return announced, err
}

// fire sends a reminder (col reminded_at) or an escalation (escalated_at).
func (s *Sweeper) fire(ctx context.Context, id int64, col string, now time.Time) (bool, error) {
	fired := false
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE partner_request_timers SET `+col+` = ? WHERE request_id = ? AND `+col+` IS NULL`, db.Millis(now), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		fired = true
		r, err := scanRequest(tx.QueryRow(ctx, selectRequest+` WHERE r.id = ?`, id), now)
		if err != nil {
			return fmt.Errorf("request %d: %w", id, err)
		}
		if col == "reminded_at" {
			_, err := enqueueForUnit(ctx, tx, r.UnitID, s.requestMessage("partner_reminder", "协查请求到期提醒："+r.KindName, r, now))
			return err
		}
		// Escalation: the unit is told again, the centre's receivers hear
		// of it, and the warning that asked gets it on its timeline.
		if _, err := enqueueForUnit(ctx, tx, r.UnitID, s.requestMessage("partner_escalation", "协查请求已逾期："+r.KindName, r, now)); err != nil {
			return err
		}
		due := r.DueAt
		if due.IsZero() {
			due = r.CreatedAt.Add(answerWithin[r.Kind])
		}
		title := fmt.Sprintf("成员单位逾期未答复：%s 请求 #%d", r.UnitName, r.ID)
		text := fmt.Sprintf("%s（%s）应于 %s 前答复，至今未办结。", r.UnitName, r.KindName, due.In(zone.Shanghai).Format("2006-01-02 15:04"))
		link := "/partners"
		if r.WarningID != 0 {
			link = "/warnings/" + strconv.FormatInt(r.WarningID, 10)
		} else if r.CaseID != 0 {
			link = "/cases/" + strconv.FormatInt(r.CaseID, 10)
		}
		if err := notify.Enqueue(ctx, tx, s.targets(ctx), notify.Message{Kind: "partner_escalation", Title: title, Text: text, Link: s.link(link),
			Data: map[string]any{"request_id": r.ID, "unit_id": r.UnitID, "warning_id": r.WarningID, "case_id": r.CaseID}, At: now}); err != nil {
			return err
		}
		if r.WarningID != 0 {
			if err := warning.AddEvent(ctx, tx, r.WarningID, now, "emergency", 0,
				fmt.Sprintf("协查请求 #%d（%s）%s 逾期未答复，已升级提醒", r.ID, r.KindName, r.UnitName)); err != nil {
				return err
			}
		}
		return nil
	})
	return fired, err
}

// Run sweeps until ctx ends, every interval; the first sweep is at once.
func (s *Sweeper) Run(ctx context.Context, every time.Duration) {
	db.Every(ctx, every, s.Log, "partner request sweep", func(ctx context.Context) error {
		_, err := s.Sweep(ctx)
		return err
	})
}
