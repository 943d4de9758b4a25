package roster

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/notify"
	"github.com/fanzha/fanzha/internal/zone"
)

// Gap is a span when a node of the roster has nobody on duty: a station
// without a dissuader, or the centre without a duty officer.
type Gap struct {
	AreaID   int64     `json:"area_id"`
	AreaName string    `json:"area_name"`
	Duty     Duty      `json:"duty"`
	Start    time.Time `json:"starts_at"`
	End      time.Time `json:"ends_at"`
}

// Text describes the gap in Chinese (Shanghai time).
func (g Gap) Text() string {
	who := "劝阻民警"
	if g.Duty == DutyOfficer {
		who = "值班民警"
	}
	return fmt.Sprintf("%s %s 无%s在岗", g.AreaName, span(g.Start, g.End), who)
}

// Gaps lists the gaps in [from, to) of the roster nodes in scope (the
// centre when scope is the county, and every station that is not retired),
// by start. Gaps are clipped to the window.
func Gaps(ctx context.Context, q db.Querier, scope area.Node, from, to time.Time) ([]Gap, error) {
	nodes, err := Nodes(ctx, q, scope)
	if err != nil {
		return nil, err
	}
	slots, err := Window(ctx, q, from, to)
	if err != nil {
		return nil, err
	}
	cover := map[int64][]Interval{}
	for _, s := range slots {
		cover[s.AreaID] = append(cover[s.AreaID], Interval{s.Start, s.End})
	}
	var out []Gap
	for _, n := range nodes {
		duty := DutyAt(n)
		var mine []Interval
		for _, s := range slots {
			if s.AreaID == n.ID && s.Duty == duty {
				mine = append(mine, Interval{s.Start, s.End})
			}
		}
		for _, iv := range uncovered(from, to, mine) {
			out = append(out, Gap{AreaID: n.ID, AreaName: n.Name, Duty: duty, Start: iv.Start, End: iv.End})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, nil
}

// uncovered returns the parts of [from, to) no interval covers.
func uncovered(from, to time.Time, ivs []Interval) []Interval {
	sort.Slice(ivs, func(i, j int) bool { return ivs[i].Start.Before(ivs[j].Start) })
	var out []Interval
	at := from
	for _, iv := range ivs {
		if !iv.End.After(at) {
			continue
		}
		if iv.Start.After(at) {
			end := iv.Start
			if end.After(to) {
				end = to
			}
			if end.After(at) {
				out = append(out, Interval{at, end})
			}
		}
		if iv.End.After(at) {
			at = iv.End
		}
		if !at.Before(to) {
			return out
		}
	}
	if at.Before(to) {
		out = append(out, Interval{at, to})
	}
	return out
}

// GapWatch announces the gaps of the next 24 hours to the escalation
// webhooks through the notify outbox, each once, before it begins (a gap
// already under way when first seen — at start, or made by a sudden leave
// — is announced at once). The gap is claimed in roster_gap_alerts (unique
// node and start) in the transaction that enqueues the message, so two
// replicas never send it twice. A gap filled before it begins is simply no
// longer found. Run also materialises the weekly patterns ahead every hour.
type GapWatch struct {
	DB      *db.DB
	Targets func(ctx context.Context) []notify.Target
	BaseURL string
	Log     *slog.Logger
	Now     func() time.Time

	materialisedAt time.Time
}

// Lookahead is how far ahead gaps are announced.
const Lookahead = 24 * time.Hour

// Sweep announces the gaps not yet announced and returns them.
func (w *GapWatch) Sweep(ctx context.Context) ([]Gap, error) {
	now := w.now()
	var targets []notify.Target
	if w.Targets != nil {
		targets = w.Targets(ctx)
	}
	if len(targets) == 0 {
		return nil, nil // nothing to send to; announced once webhooks are set
	}
	root, err := area.Root(ctx, w.DB)
	if err != nil {
		return nil, err
	}
	// Look back one lookahead so a gap under way keeps its true start (and
	// so its key) from one sweep to the next.
	gaps, err := Gaps(ctx, w.DB, root, now.Add(-Lookahead), now.Add(Lookahead))
	if err != nil {
		return nil, err
	}
	var sent []Gap
	lookback := now.Add(-Lookahead)
	for _, g := range gaps {
		if !g.End.After(now) {
			continue // over
		}
		err := w.DB.InTx(ctx, func(tx *db.Tx) error {
			if !g.Start.After(lookback) {
				// Under way for longer than the look-back: its key is the end
				// of the node's last shift of that duty (0 when it never had
				// one), the same on every replica whatever its clock.
				var last sql.NullInt64
				if err := tx.QueryRow(ctx, `SELECT MAX(ends_at) FROM duty_shifts WHERE area_id = ? AND duty = ? AND ends_at <= ?`,
					g.AreaID, string(g.Duty), db.Millis(g.Start)).Scan(&last); err != nil {
					return err
				}
				g.Start = time.UnixMilli(last.Int64).UTC()
			}
			// A gap overlapping one announced is the same gap, perhaps
			// shortened or moved by an edit since.
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM roster_gap_alerts WHERE area_id = ? AND starts_at < ? AND ends_at > ?`,
				g.AreaID, db.Millis(g.End), db.Millis(g.Start)).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			res, err := tx.Exec(ctx, `INSERT INTO roster_gap_alerts (area_id, duty, starts_at, ends_at, sent_at) VALUES (?,?,?,?,?)
				ON CONFLICT (area_id, starts_at) DO NOTHING`, g.AreaID, string(g.Duty), db.Millis(g.Start), db.Millis(g.End), db.Millis(now))
			if err != nil {
				return fmt.Errorf("claim roster gap: %w", err)
			}
			if k, _ := res.RowsAffected(); k == 0 {
				return nil // announced already (by another replica)
			}
			title := "【排班缺岗】" + g.AreaName + " " + g.Start.In(zone.Shanghai).Format("01-02 15:04") + " 起无人在岗"
			text := g.Text()
			if g.Start.UnixMilli() == 0 {
				title = "【排班缺岗】" + g.AreaName + " 没有排班"
				text = fmt.Sprintf("%s 至 %s 没有排班，无人在岗（已开始）", g.AreaName, g.End.In(zone.Shanghai).Format("01-02 15:04"))
			} else if !g.Start.After(now) {
				text += "（已开始）"
			} else {
				text += fmt.Sprintf("\n距开始还有 %s，请尽快补排班次", g.Start.Sub(now).Round(time.Minute))
			}
			m := notify.Message{Kind: "roster_gap", At: now, Title: title, Text: text,
				Data: map[string]any{"area_id": g.AreaID, "duty": g.Duty, "starts_at": g.Start, "ends_at": g.End}}
			if w.BaseURL != "" {
				m.Link = fmt.Sprintf("%s/admin/roster?area=%d", w.BaseURL, g.AreaID)
			}
			if err := notify.Enqueue(ctx, tx, targets, m); err != nil {
				return err
			}
			sent = append(sent, g)
			return auth.Audit(ctx, tx, auth.AuditEntry{At: now, Username: "system", Action: auth.AuditCreate,
				ObjectType: "roster_gap", ObjectID: fmt.Sprint(g.AreaID), Detail: "缺岗提醒：" + g.Text()})
		})
		if err != nil {
			return sent, err
		}
	}
	if len(sent) > 0 {
		w.log().Warn("roster gaps announced", "count", len(sent))
	}
	return sent, nil
}

// Run materialises the patterns and sweeps at once, then sweeps every
// interval (and materialises every hour) until ctx ends.
func (w *GapWatch) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		now := w.now()
		if w.materialisedAt.IsZero() || now.Sub(w.materialisedAt) >= time.Hour || now.Before(w.materialisedAt) {
			// One replica at a time: the shifts are unique per pattern and
			// start, but the check that an officer is not double-booked
			// reads what the other replica has not committed yet.
			var n int
			_, err := w.DB.RunExclusive(ctx, "roster.materialise", func(ctx context.Context) error {
				var err error
				n, err = MaterialiseAhead(ctx, w.DB, now)
				return err
			})
			if err != nil && ctx.Err() == nil {
				w.log().Error("roster patterns", "err", err)
			} else {
				w.materialisedAt = now
				if n > 0 {
					w.log().Info("roster patterns materialised", "shifts", n)
				}
			}
		}
		if _, err := w.Sweep(ctx); err != nil && ctx.Err() == nil {
			w.log().Error("roster gap sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (w *GapWatch) now() time.Time {
	if w.Now != nil {
		return w.Now().UTC()
	}
	return time.Now().UTC()
}

func (w *GapWatch) log() *slog.Logger {
	if w.Log != nil {
		return w.Log
	}
	return slog.Default()
}
