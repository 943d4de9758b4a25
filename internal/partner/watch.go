package partner

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/notify"
	"github.com/fanzha/fanzha/internal/zone"
)

// FreezeWatch keeps the legal terms of stop-payments and freezes. Terms are
// columns (expires_at), not timers in memory: every sweep marks lapsed the
// confirmed measures whose term has passed and reminds the investigator of
// those about to lapse, so the first sweep at start catches everything that
// happened while the server was down. A reminder is recorded per term and
// lead (freeze_reminders), so it is sent once; after a long stop only the
// nearest due lead is sent, the longer ones are recorded as passed.
type FreezeWatch struct {
	DB      *db.DB
	Now     func() time.Time
	Targets []notify.Target // where reminders are delivered (the centre's group robots, webhooks)
	// TargetSource, when set, gives the receivers in force at each sweep
	// (the settings edited in the console) instead of Targets.
	TargetSource func(ctx context.Context) []notify.Target
	BaseURL      string // console URL for links in messages
	Log          *slog.Logger
	OnChange     func(requestIDs []int64)
}

// SweepResult says what a sweep did.
type SweepResult struct {
	Lapsed   []int64 // requests marked lapsed
	Reminded []int64 // requests reminded about
}

type watched struct {
	id, caseID, expires, frozen int64
	kind, account, caseNo, bank string
	investigator                string
}

// Sweep marks lapsed terms and sends due reminders, in one transaction.
func (w *FreezeWatch) Sweep(ctx context.Context) (SweepResult, error) {
	now := w.now()
	var res SweepResult
	err := w.DB.InTx(ctx, func(tx *db.Tx) error {
		res = SweepResult{}
		terms, err := LoadTerms(ctx, tx)
		if err != nil {
			return err
		}
		// Only terms that need something: passed, or with more leads due
		// than reminders recorded — so a sweep's batch is all work, however
		// many freezes are running.
		due := func(leads []time.Duration) (string, []any) {
			if len(leads) == 0 {
				return "0", nil
			}
			var parts []string
			var args []any
			for _, l := range leads {
				parts = append(parts, "CASE WHEN r.expires_at <= ? THEN 1 ELSE 0 END")
				args = append(args, db.Millis(now.Add(l)))
			}
			return "(" + strings.Join(parts, " + ") + ")", args
		}
		spDue, spArgs := due(terms.RemindStopPayment)
		frDue, frArgs := due(terms.RemindFreeze)
		args := append([]any{db.Millis(now)}, spArgs...)
		args = append(args, frArgs...)
		rows, err := tx.Query(ctx, `SELECT r.id, COALESCE(r.case_id, 0), r.expires_at, r.result_fen, r.kind, r.account, COALESCE(c.case_no, ''),
			COALESCE(u.name, ''), COALESCE(inv.display_name, '')
			FROM partner_requests r LEFT JOIN cases c ON c.id = r.case_id LEFT JOIN units u ON u.id = r.unit_id
			LEFT JOIN users inv ON inv.id = COALESCE(c.investigator_id, r.created_by)
			WHERE r.status = 'confirmed' AND r.kind IN ('stop_payment', 'freeze')
			  AND (r.expires_at <= ? OR CASE WHEN r.kind = 'stop_payment' THEN `+spDue+` ELSE `+frDue+` END >
			       (SELECT COUNT(*) FROM freeze_reminders fr WHERE fr.request_id = r.id AND fr.expires_at = r.expires_at))
			ORDER BY r.expires_at, r.id LIMIT 1000`, args...)
		if err != nil {
			return fmt.Errorf("freezes near expiry: %w", err)
		}
		var list []watched
		for rows.Next() {
			var x watched
			if err := rows.Scan(&x.id, &x.caseID, &x.expires, &x.frozen, &x.kind, &x.account, &x.caseNo, &x.bank, &x.investigator); err != nil {
				rows.Close()
				return err
			}
			list = append(list, x)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, x := range list {
			if x.expires <= db.Millis(now) {
				won, err := w.lapse(ctx, tx, x, now)
				if err != nil {
					return err
				}
				if won {
					res.Lapsed = append(res.Lapsed, x.id)
				}
				continue
			}
			sent, err := w.remind(ctx, tx, x, terms.RemindersOf(x.kind), now)
			if err != nil {
				return err
			}
			if sent {
				res.Reminded = append(res.Reminded, x.id)
			}
		}
		return nil
	})
	if err != nil {
		return SweepResult{}, err
	}
	if n := len(res.Lapsed) + len(res.Reminded); n > 0 {
		w.log().Info("freeze terms swept", "lapsed", len(res.Lapsed), "reminded", len(res.Reminded))
		if w.OnChange != nil {
			w.OnChange(append(append([]int64{}, res.Lapsed...), res.Reminded...))
		}
	}
	return res, nil
}

// lapse marks a term lapsed if it still is confirmed with the same
// expiry, and only then writes the case event, the audit entry and the
// notification: a second replica's UPDATE waits for the first's commit and
// finds the request lapsed (0 rows), and a renewal made meanwhile (a new
// expiry) is left alone. It reports whether this sweep lapsed it.
func (w *FreezeWatch) lapse(ctx context.Context, tx *db.Tx, x watched, now time.Time) (bool, error) {
	r, err := tx.Exec(ctx, `UPDATE partner_requests SET status = 'lapsed', ended_at = expires_at
		WHERE id = ? AND status = 'confirmed' AND expires_at = ?`, x.id, x.expires)
	if err != nil {
		return false, fmt.Errorf("lapse request %d: %w", x.id, err)
	}
	if n, err := r.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	at := db.Time(x.expires)
	text := fmt.Sprintf("%s #%d 已于 %s 到期失效：账号 %s（%s），金额 %s", KindName(x.kind), x.id, at.In(zone.Shanghai).Format("2006-01-02 15:04"),
		auth.MaskCard(x.account), x.bank, yuan(x.frozen))
	if err := caseEvent(ctx, tx, x.caseID, now, "freeze_lapsed", 0, text); err != nil {
		return false, err
	}
	e := auth.AuditEntry{Username: "system", Action: auth.AuditUpdate, ObjectType: "partner_request", ObjectID: strconv.FormatInt(x.id, 10),
		At: now, Detail: "lapsed at " + at.Format(time.RFC3339)}
	if err := auth.Audit(ctx, tx, e); err != nil {
		return false, err
	}
	return true, w.notify(ctx, tx, x, "lapsed", fmt.Sprintf("【已失效】案件 %s %s #%d 已到期", x.caseNo, KindName(x.kind), x.id), text, now)
}

// remind sends the nearest due reminder of a term once and records every
// due lead, so none of them is sent later.
func (w *FreezeWatch) remind(ctx context.Context, tx *db.Tx, x watched, leads []time.Duration, now time.Time) (bool, error) {
	var due []time.Duration
	for _, l := range leads {
		if x.expires-l.Milliseconds() <= db.Millis(now) {
			due = append(due, l)
		}
	}
	if len(due) == 0 {
		return false, nil
	}
	rows, err := tx.Query(ctx, `SELECT lead_ms FROM freeze_reminders WHERE request_id = ? AND expires_at = ?`, x.id, x.expires)
	if err != nil {
		return false, err
	}
	done := map[int64]bool{}
	for rows.Next() {
		var l int64
		if err := rows.Scan(&l); err != nil {
			rows.Close()
			return false, err
		}
		done[l] = true
	}
	rows.Close()
	var nearest time.Duration
	fresh := false
	for _, l := range due {
		if done[l.Milliseconds()] {
			continue
		}
		// The row is the claim: a second replica's insert waits for the
		// first's commit and then inserts nothing.
		r, err := tx.Exec(ctx, `INSERT INTO freeze_reminders (request_id, expires_at, lead_ms, sent_at) VALUES (?,?,?,?)
			ON CONFLICT (request_id, expires_at, lead_ms) DO NOTHING`,
			x.id, x.expires, l.Milliseconds(), db.Millis(now))
		if err != nil {
			return false, fmt.Errorf("record reminder of request %d: %w", x.id, err)
		}
		if n, err := r.RowsAffected(); err != nil {
			return false, err
		} else if n == 0 {
			done[l.Milliseconds()] = true
			continue
		}
		fresh = true
		if nearest == 0 || l < nearest {
			nearest = l
		}
	}
	if !fresh {
		return false, nil
	}
	// A longer lead recorded before means this one is news only if it is
	// nearer than every lead already sent.
	for l := range done {
		if l <= nearest.Milliseconds() {
			return false, nil
		}
	}
	exp := db.Time(x.expires)
	left := exp.Sub(now).Round(time.Minute)
	text := fmt.Sprintf("%s #%d 将于 %s 到期（还剩 %s）：账号 %s（%s），金额 %s。如需继续冻结请及时办理续冻。", KindName(x.kind), x.id,
		exp.In(zone.Shanghai).Format("2006-01-02 15:04"), HumanLeft(left), auth.MaskCard(x.account), x.bank, yuan(x.frozen))
	if x.kind == "stop_payment" {
		text = fmt.Sprintf("%s #%d 将于 %s 到期（还剩 %s）：账号 %s（%s），金额 %s。止付到期前请办理冻结。", KindName(x.kind), x.id,
			exp.In(zone.Shanghai).Format("2006-01-02 15:04"), HumanLeft(left), auth.MaskCard(x.account), x.bank, yuan(x.frozen))
	}
	if x.investigator != "" {
		text = "提醒 " + x.investigator + "：" + text
	}
	if err := caseEvent(ctx, tx, x.caseID, now, "freeze_reminder", 0, text); err != nil {
		return false, err
	}
	return true, w.notify(ctx, tx, x, "reminder", fmt.Sprintf("【到期提醒】案件 %s %s #%d 还剩 %s", x.caseNo, KindName(x.kind), x.id, HumanLeft(left)), text, now)
}

func (w *FreezeWatch) notify(ctx context.Context, tx *db.Tx, x watched, what, title, text string, now time.Time) error {
	targets := w.Targets
	if w.TargetSource != nil {
		targets = w.TargetSource(ctx)
	}
	if len(targets) == 0 {
		return nil
	}
	m := notify.Message{Kind: "freeze_" + what, Title: title, Text: text, At: now,
		Data: map[string]any{"request_id": x.id, "case_id": x.caseID, "kind": x.kind, "expires_at": db.Time(x.expires)}}
	if w.BaseURL != "" {
		m.Link = w.BaseURL + "/freezes"
	}
	return notify.Enqueue(ctx, tx, targets, m)
}

// HumanLeft writes a time left in days and hours, hours and minutes, or minutes.
func HumanLeft(d time.Duration) string {
	if d >= 24*time.Hour {
		return fmt.Sprintf("%d 天 %d 小时", d/(24*time.Hour), (d%(24*time.Hour))/time.Hour)
	}
	if d >= time.Hour {
		return fmt.Sprintf("%d 小时 %d 分", d/time.Hour, (d%time.Hour)/time.Minute)
	}
	return fmt.Sprintf("%d 分钟", d/time.Minute)
}

// Run sweeps at once and then every interval until ctx ends.
func (w *FreezeWatch) Run(ctx context.Context, every time.Duration) {
	db.Every(ctx, every, w.log(), "freeze sweep", func(ctx context.Context) error {
		_, err := w.Sweep(ctx)
		return err
	})
}

func (w *FreezeWatch) now() time.Time {
	if w.Now != nil {
		return w.Now().UTC()
	}
	return time.Now().UTC()
}

func (w *FreezeWatch) log() *slog.Logger {
	if w.Log != nil {
		return w.Log
	}
	return slog.Default()
}
