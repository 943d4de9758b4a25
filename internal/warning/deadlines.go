package warning

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/notify"
	"github.com/fanzha/fanzha/internal/zone"
)

// Deadlines are stored on the warning rows (contact_due_at, onsite_due_at),
// not in timers held in memory. The Escalator sweeps the table: at start it
// catches at once every deadline that passed while the server was down, and
// then it runs every second. A breach is escalated once per deadline:
// escalated_at records the last escalation, and a deadline later than it is
// a new breach.
//
// A first-contact deadline is met by a contact attempt made after the
// latest intake (a merged warning may call for a new contact).

// Breach is one missed deadline.
type Breach struct {
	WarningID int64
	Kind      string // contact | onsite
	DueAt     time.Time
	Grade     Grade
	Station   string
	Person    string
}

// Escalator finds missed deadlines and escalates them to the centre: a
// timeline event, escalated_at (the duty board shows it red), and
// notifications to the configured webhooks, all in one transaction. Any
// number of replicas may sweep one database: each warning is claimed by a
// conditional UPDATE (claimBreach) and only the winner writes the event and
// the notification.
type Escalator struct {
	DB      *db.DB
	Now     func() time.Time
	Targets []notify.Target
	// TargetSource, when set, gives the webhooks in force at each sweep
	// (the settings edited in the console) instead of Targets.
	TargetSource func(ctx context.Context) []notify.Target
	BaseURL      string // console URL for links in messages
	Log          *slog.Logger
	OnChange     func(ids []int64)
}

const breachQuery = `SELECT w.id, 'contact', w.contact_due_at, w.grade, COALESCE(st.name, ''), w.person_name
	FROM warnings w LEFT JOIN areas st ON st.id = w.station_id
	WHERE w.status = 'open' AND w.contact_due_at < ?
	  AND (w.last_contact_at IS NULL OR w.last_contact_at < COALESCE(w.last_intake_at, w.received_at))
	  AND (w.escalated_at IS NULL OR w.escalated_at < w.contact_due_at)
	UNION ALL
	SELECT w.id, 'onsite', w.onsite_due_at, w.grade, COALESCE(st.name, ''), w.person_name
	FROM warnings w LEFT JOIN areas st ON st.id = w.station_id
	WHERE w.status = 'open' AND w.onsite_due_at IS NOT NULL AND w.onsite_due_at < ? AND w.onsite_at IS NULL
	  AND (w.escalated_at IS NULL OR w.escalated_at < w.onsite_due_at)
	ORDER BY 3 LIMIT 500`

// Sweep escalates every missed deadline not yet escalated and returns them.
func (e *Escalator) Sweep(ctx context.Context) ([]Breach, error) {
	now := e.now()
	targets := e.Targets
	if e.TargetSource != nil {
		targets = e.TargetSource(ctx)
	}
	var out []Breach
	err := e.DB.InTx(ctx, func(tx *db.Tx) error {
		// Each warning is claimed with an UPDATE that re-checks the
		// breach (claimBreach), so only the replica that won it writes the
		// event and the notification. A warning's second deadline in the
		// same sweep is escalated with the first.
		claimed := map[int64]bool{}
		var err error
		out, err = db.ClaimAll(func() ([]Breach, error) {
			return db.All(ctx, tx, func(sc db.Scanner) (Breach, error) {
				var b Breach
				var due int64
				err := sc.Scan(&b.WarningID, &b.Kind, &due, &b.Grade, &b.Station, &b.Person)
				b.DueAt = db.Time(due)
				return b, err
			}, breachQuery, db.Millis(now), db.Millis(now))
		}, func(b Breach) int64 { return b.WarningID }, func(b Breach) (bool, error) {
			if claimed[b.WarningID] {
				return true, nil
			}
			ok, err := claimBreach(ctx, tx, b, now)
			claimed[b.WarningID] = ok
			return ok, err
		}, func(b Breach) error { return e.escalate(ctx, tx, b, targets, now) })
		if err != nil {
			return fmt.Errorf("missed deadlines: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) > 0 {
		e.log().Warn("deadlines missed, escalated", "count", len(out))
		if e.OnChange != nil {
			ids := make([]int64, 0, len(out))
			for _, b := range out {
				ids = append(ids, b.WarningID)
			}
			e.OnChange(ids)
		}
	}
	return out, nil
}

// escalate writes the timeline line of a won breach and queues its
// notification, inside the sweep's transaction.
func (e *Escalator) escalate(ctx context.Context, tx *db.Tx, b Breach, targets []notify.Target, now time.Time) error {
	what := "首次联系"
	if b.Kind == "onsite" {
		what = "落地核查"
	}
	late := now.Sub(b.DueAt).Round(time.Second)
	text := fmt.Sprintf("%s超时（应于 %s 前完成，已超 %s），已升级至中心值班", what,
		b.DueAt.In(zone.Shanghai).Format("01-02 15:04"), late)
	if _, err := tx.Exec(ctx, `INSERT INTO warning_events (warning_id, at, kind, detail) VALUES (?,?,?,?)`,
		b.WarningID, db.Millis(now), "escalated", text); err != nil {
		return fmt.Errorf("escalation event: %w", err)
	}
	if len(targets) == 0 {
		return nil
	}
	m := notify.Message{Kind: "escalation", At: now,
		Title: fmt.Sprintf("【%s】预警 #%d %s超时", GradeName(b.Grade), b.WarningID, what),
		Text:  fmt.Sprintf("当事人：%s\n派出所：%s\n%s", maskName(b.Person), orDash(b.Station), text),
		Data:  map[string]any{"warning_id": b.WarningID, "deadline": b.Kind, "due_at": b.DueAt, "grade": b.Grade}}
	if e.BaseURL != "" {
		m.Link = e.BaseURL + "/warnings/" + strconv.FormatInt(b.WarningID, 10)
	}
	return notify.Enqueue(ctx, tx, targets, m)
}

// claimBreach marks a warning escalated if the breach is still one: the
// warning open, the deadline unchanged and unmet, and not escalated since
// it passed. It reports whether this sweep won the warning.
func claimBreach(ctx context.Context, tx *db.Tx, b Breach, now time.Time) (bool, error) {
	q := `UPDATE warnings SET escalated_at = ?, updated_at = ? WHERE id = ? AND status = 'open'
		AND contact_due_at = ? AND (last_contact_at IS NULL OR last_contact_at < COALESCE(last_intake_at, received_at))
		AND (escalated_at IS NULL OR escalated_at < contact_due_at)`
	if b.Kind == "onsite" {
		q = `UPDATE warnings SET escalated_at = ?, updated_at = ? WHERE id = ? AND status = 'open'
		AND onsite_due_at = ? AND onsite_at IS NULL
		AND (escalated_at IS NULL OR escalated_at < onsite_due_at)`
	}
	ok, err := db.Claim(ctx, tx, q, db.Millis(now), db.Millis(now), b.WarningID, db.Millis(b.DueAt))
	if err != nil {
		return false, fmt.Errorf("escalate warning %d: %w", b.WarningID, err)
	}
	return ok, nil
}

// Run sweeps at once and then every interval until ctx ends.
func (e *Escalator) Run(ctx context.Context, every time.Duration) {
	db.Every(ctx, every, e.log(), "deadline sweep", func(ctx context.Context) error {
		_, err := e.Sweep(ctx)
		return err
	})
}

func (e *Escalator) now() time.Time {
	if e.Now != nil {
		return e.Now().UTC()
	}
	return time.Now().UTC()
}

func (e *Escalator) log() *slog.Logger {
	if e.Log != nil {
		return e.Log
	}
	return slog.Default()
}

// maskName keeps the surname only (张**) for messages leaving the system.
func maskName(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return "（未知）"
	}
	out := string(r[0])
	for range r[1:] {
		out += "*"
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "中心队列"
	}
	return s
}
