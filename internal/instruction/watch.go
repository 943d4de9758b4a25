package instruction

import (
	"context"
	"fmt"
	"log/slog"
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
		var err error
		res.Escalated, err = db.ClaimAll(func() ([]Breach, error) {
			return db.All(ctx, tx, func(sc db.Scanner) (Breach, error) {
				var b Breach
				var due int64
				err := sc.Scan(&b.WarningID, &b.Kind, &b.Number, &b.Level, &due)
				b.DueAt = db.Time(due)
				return b, err
			}, `SELECT warning_id, 'sign', number, level, sign_due_at FROM instructions
			WHERE signed_at IS NULL AND sign_due_at < ? AND sign_escalated_at IS NULL
			UNION ALL
			SELECT warning_id, 'feedback', number, level, feedback_due_at FROM instructions
			WHERE fed_back_at IS NULL AND feedback_due_at < ? AND feedback_escalated_at IS NULL
			ORDER BY 1 LIMIT 500`, db.Millis(now), db.Millis(now))
		}, func(b Breach) int64 { return b.WarningID }, func(b Breach) (bool, error) {
			// Met meanwhile, or escalated by another replica: not won.
			q := `UPDATE instructions SET sign_escalated_at = ? WHERE warning_id = ? AND signed_at IS NULL AND sign_escalated_at IS NULL`
			if b.Kind == "feedback" {
				q = `UPDATE instructions SET feedback_escalated_at = ? WHERE warning_id = ? AND fed_back_at IS NULL AND feedback_escalated_at IS NULL`
			}
			return db.Claim(ctx, tx, q, db.Millis(now), b.WarningID)
		}, func(b Breach) error { return w.escalate(ctx, tx, b, targets, now) })
		if err != nil {
			return fmt.Errorf("missed instruction deadlines: %w", err)
		}
		return nil
	})
	if err == nil && len(res.Escalated) > 0 {
		w.log().Warn("instruction deadlines missed, escalated", "count", len(res.Escalated))
	}
	return res, err
}

// escalate writes the timeline line of a won breach and queues its
// notification, inside the sweep's transaction.
func (w *Watcher) escalate(ctx context.Context, tx *db.Tx, b Breach, targets []notify.Target, now time.Time) error {
	what := "签收"
	if b.Kind == "feedback" {
		what = "反馈"
	}
	text := fmt.Sprintf("%s级指令 %s %s超时（应于 %s 前%s，已超 %s），已升级至中心值班", LevelName(b.Level), b.Number, what,
		clock(b.DueAt), what, now.Sub(b.DueAt).Round(time.Second))
	if err := warning.AddEvent(ctx, tx, b.WarningID, now, "escalated", 0, text); err != nil {
		return err
	}
	if len(targets) == 0 {
		return nil
	}
	m := notify.Message{Kind: "escalation", At: now, Title: fmt.Sprintf("指令 %s %s超时", b.Number, what), Text: text,
		Data: map[string]any{"warning_id": b.WarningID, "instruction": b.Number, "deadline": "instruction_" + b.Kind, "due_at": b.DueAt}}
	if w.BaseURL != "" {
		m.Link = w.BaseURL + "/warnings/" + strconv.FormatInt(b.WarningID, 10)
	}
	return notify.Enqueue(ctx, tx, targets, m)
}

// autoSign signs the unsigned instructions whose warning now has an
// officer (assigned later than intake: 「下一条」, a handover), at the
// moment the sweep sees it; the conditional UPDATE signs each once.
func (w *Watcher) autoSign(ctx context.Context, now time.Time) (int, error) {
	type pair struct{ id, user int64 }
	var signed []pair
	err := w.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		signed, err = db.ClaimAll(func() ([]pair, error) {
			return db.All(ctx, tx, func(sc db.Scanner) (pair, error) {
				var p pair
				return p, sc.Scan(&p.id, &p.user)
			}, `SELECT i.warning_id, w.assignee_id FROM instructions i JOIN warnings w ON w.id = i.warning_id
			WHERE i.signed_at IS NULL AND w.assignee_id IS NOT NULL ORDER BY i.warning_id LIMIT 500`)
		}, func(p pair) int64 { return p.id }, func(p pair) (bool, error) {
			return db.Claim(ctx, tx, `UPDATE instructions SET signed_at = ?, signed_by = ?, sign_mode = 'auto'
				WHERE warning_id = ? AND signed_at IS NULL`, db.Millis(now), p.user, p.id)
		}, func(p pair) error {
			return warning.AddEvent(ctx, tx, p.id, now, "signed", p.user, "分派即自动签收")
		})
		if err != nil {
			return fmt.Errorf("sign instructions: %w", err)
		}
		return nil
	})
	return len(signed), err
}

// Run sweeps at once and then every interval until ctx ends.
func (w *Watcher) Run(ctx context.Context, every time.Duration) {
	db.Every(ctx, every, w.log(), "instruction sweep", func(ctx context.Context) error {
		_, err := w.Sweep(ctx)
		return err
	})
}

func (w *Watcher) log() *slog.Logger {
	if w.Log != nil {
		return w.Log
	}
	return slog.Default()
}
