package instruction

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/notify"
	"github.com/fanzha/fanzha/internal/warning"
)

// Watcher signs instructions whose warning has been assigned (when signing
// is automatic) and escalates missed sign and feedback deadlines to the
// centre, like the warning escalator: the deadlines are columns, the first
// sweep after a restart catches what passed meanwhile, and each breach is
// claimed by a conditional UPDATE so that of several replicas only one
// writes the timeline line and the notification.
type Watcher struct {
	DB           *db.DB
	Now          func() time.Time
	TargetSource func(ctx context.Context) []notify.Target
	BaseURL      string
	Log          *slog.Logger
}

// Breach is one missed instruction deadline that a sweep escalated.
type Breach struct {
	WarningID int64
	Kind      string // sign | feedback
	Number    string
	Level     Level
	DueAt     time.Time
}

// SweepResult counts what one sweep did.
type SweepResult struct {
	Signed    int
	Escalated []Breach
}

// Sweep signs and escalates once.
func (w *Watcher) Sweep(ctx context.Context) (SweepResult, error) {
	now := time.Now().UTC()
	if w.Now != nil {
		now = w.Now().UTC()
	}
	var res SweepResult
	cfg, err := LoadConfig(ctx, w.DB)
	if err != nil {
		return res, err
	}
	if cfg.AutoSign {
		n, err := w.autoSign(ctx, now)
		if err != nil {
			return res, err
		}
		res.Signed = n
	}
	var targets []notify.Target
	if w.TargetSource != nil {
		targets = w.TargetSource(ctx)
	}
	err = w.DB.InTx(ctx, func(tx *db.Tx) error {
		res.Escalated = res.Escalated[:0]
		rows, err := tx.Query(ctx, `SELECT warning_id, 'sign', number, level, sign_due_at FROM instructions
			WHERE signed_at IS NULL AND sign_due_at < ? AND sign_escalated_at IS NULL
			UNION ALL
			SELECT warning_id, 'feedback', number, level, feedback_due_at FROM instructions
			WHERE fed_back_at IS NULL AND feedback_due_at < ? AND feedback_escalated_at IS NULL
			ORDER BY 1 LIMIT 500`, db.Millis(now), db.Millis(now))
		if err != nil {
			return fmt.Errorf("missed instruction deadlines: %w", err)
		}
		var found []Breach
		for rows.Next() {
			var b Breach
			var due int64
			if err := rows.Scan(&b.WarningID, &b.Kind, &b.Number, &b.Level, &due); err != nil {
				rows.Close()
				return err
			}
			b.DueAt = db.Time(due)
			found = append(found, b)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		sort.SliceStable(found, func(i, j int) bool { return found[i].WarningID < found[j].WarningID })
		for _, b := range found {
			q := `UPDATE instructions SET sign_escalated_at = ? WHERE warning_id = ? AND signed_at IS NULL AND sign_escalated_at IS NULL`
			what := "签收"
			if b.Kind == "feedback" {
				q = `UPDATE instructions SET feedback_escalated_at = ? WHERE warning_id = ? AND fed_back_at IS NULL AND feedback_escalated_at IS NULL`
				what = "反馈"
			}
			r, err := tx.Exec(ctx, q, db.Millis(now), b.WarningID)
			if err != nil {
				return fmt.Errorf("escalate instruction %d: %w", b.WarningID, err)
			}
			if n, _ := r.RowsAffected(); n != 1 {
				continue // another replica escalated it, or it was met meanwhile
			}
			res.Escalated = append(res.Escalated, b)
			text := fmt.Sprintf("%s级指令 %s %s超时（应于 %s 前%s，已超 %s），已升级至中心值班", LevelName(b.Level), b.Number, what,
				clock(b.DueAt), what, now.Sub(b.DueAt).Round(time.Second))
			if err := warning.AddEvent(ctx, tx, b.WarningID, now, "escalated", 0, text); err != nil {
				return err
			}
			if len(targets) > 0 {
				m := notify.Message{Kind: "escalation", At: now, Title: fmt.Sprintf("指令 %s %s超时", b.Number, what), Text: text,
					Data: map[string]any{"warning_id": b.WarningID, "instruction": b.Number, "deadline": "instruction_" + b.Kind, "due_at": b.DueAt}}
				if w.BaseURL != "" {
					m.Link = w.BaseURL + "/warnings/" + strconv.FormatInt(b.WarningID, 10)
				}
				if err := notify.Enqueue(ctx, tx, targets, m); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err == nil && len(res.Escalated) > 0 {
		w.log().Warn("instruction deadlines missed, escalated", "count", len(res.Escalated))
	}
	return res, err
}

// autoSign signs the unsigned instructions whose warning now has an
// officer (assigned later than intake: 「下一条」, a handover), at the
// moment the sweep sees it; the conditional UPDATE signs each once.
func (w *Watcher) autoSign(ctx context.Context, now time.Time) (int, error) {
	signed := 0
	err := w.DB.InTx(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT i.warning_id, w.assignee_id FROM instructions i JOIN warnings w ON w.id = i.warning_id
			WHERE i.signed_at IS NULL AND w.assignee_id IS NOT NULL ORDER BY i.warning_id LIMIT 500`)
		if err != nil {
			return fmt.Errorf("instructions to sign: %w", err)
		}
		type pair struct{ id, user int64 }
		var todo []pair
		for rows.Next() {
			var p pair
			if err := rows.Scan(&p.id, &p.user); err != nil {
				rows.Close()
				return err
			}
			todo = append(todo, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, p := range todo {
			r, err := tx.Exec(ctx, `UPDATE instructions SET signed_at = ?, signed_by = ?, sign_mode = 'auto'
				WHERE warning_id = ? AND signed_at IS NULL`, db.Millis(now), p.user, p.id)
			if err != nil {
				return fmt.Errorf("sign instruction %d: %w", p.id, err)
			}
			if n, _ := r.RowsAffected(); n != 1 {
				continue
			}
			signed++
			if err := warning.AddEvent(ctx, tx, p.id, now, "signed", p.user, "分派即自动签收"); err != nil {
				return err
			}
		}
		return nil
	})
	return signed, err
}

// Run sweeps at once and then every interval until ctx ends.
func (w *Watcher) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := w.Sweep(ctx); err != nil && ctx.Err() == nil {
			w.log().Error("instruction sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (w *Watcher) log() *slog.Logger {
	if w.Log != nil {
		return w.Log
	}
	return slog.Default()
}
