package bulletin

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// The daily bulletin is generated once a day, at a configured local hour,
// for the previous day, for the county and each station. The hour is stored
// in settings (key bulletin.daily_hour, default 8); each generated bulletin
// is a row of bulletin_runs, unique per kind, node and period start (the
// insert is the claim, so with several replicas each is stored once). The
// scheduler asks "is yesterday's bulletin there?" rather than keeping a
// timer, so a server that was down at the hour generates it at its first
// tick after start, and a restart never generates it twice.

// HourSetting is the settings key of the daily bulletin's hour.
const HourSetting = "bulletin.daily_hour"

// DefaultDailyHour is the hour used while none is configured.
const DefaultDailyHour = 8

// EnabledSetting is the settings key turning the daily bulletin on or off
// ("true"/"false"; on while none is stored). Edited in 系统设置.
const EnabledSetting = "bulletin.daily_enabled"

// DailyEnabled reports whether the daily bulletin is generated.
func DailyEnabled(ctx context.Context, q db.Querier) (bool, error) {
	var v string
	err := q.QueryRow(ctx, `SELECT value FROM settings WHERE key = ?`, EnabledSetting).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("bulletin on/off: %w", err)
	}
	on, err := strconv.ParseBool(v)
	if err != nil {
		return true, nil
	}
	return on, nil
}

// DailyHour reads the configured hour.
func DailyHour(ctx context.Context, q db.Querier) (int, error) {
	var v string
	err := q.QueryRow(ctx, `SELECT value FROM settings WHERE key = ?`, HourSetting).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultDailyHour, nil
	}
	if err != nil {
		return 0, fmt.Errorf("bulletin hour: %w", err)
	}
	h, err := strconv.Atoi(v)
	if err != nil || h < 0 || h > 23 {
		return DefaultDailyHour, nil
	}
	return h, nil
}

// SetDailyHour stores the hour (0–23).
func SetDailyHour(ctx context.Context, d *db.DB, hour int) error {
	if hour < 0 || hour > 23 {
		return domain.Invalid("时刻应在 0 到 23 之间")
	}
	return d.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM settings WHERE key = ?`, HourSetting); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)`, HourSetting, strconv.Itoa(hour)); err != nil {
			return err
		}
		return db.Bump(ctx, tx, db.GenSettings) // the settings page and other replicas follow
	})
}

// Run is one stored bulletin.
type Run struct {
	ID          int64      `json:"id"`
	Kind        PeriodKind `json:"kind"`
	AreaID      int64      `json:"area_id"`
	AreaName    string     `json:"area_name"`
	From        time.Time  `json:"from"`
	To          time.Time  `json:"to"`
	GeneratedAt time.Time  `json:"generated_at"`
	Cases       int64      `json:"cases"`
	LossFen     int64      `json:"loss_fen"`
	Warnings    int64      `json:"warnings"`
}

// Store writes a computed bulletin as a run; false when that kind, node
// and period start is already stored.
func Store(ctx context.Context, q db.Querier, b Bulletin) (bool, error) {
	summary, err := json.Marshal(b.Cur)
	if err != nil {
		return false, err
	}
	// The unique key is the claim: a second writer of the same bulletin
	// (another replica, a person generating it by hand) stores nothing.
	res, err := q.Exec(ctx, `INSERT INTO bulletin_runs (kind, area_id, period_from, period_to, generated_at, summary) VALUES (?,?,?,?,?,?)
		ON CONFLICT (kind, area_id, period_from) DO NOTHING`,
		string(b.Kind), b.AreaID, db.Millis(b.Period.From), db.Millis(b.Period.To), db.Millis(b.GeneratedAt), string(summary))
	if err != nil {
		return false, fmt.Errorf("store bulletin: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store bulletin: %w", err)
	}
	return n == 1, nil
}

// Runs lists the stored bulletins of nodes under scope, newest first.
func Runs(ctx context.Context, q db.Querier, scope area.Node, limit int) ([]Run, error) {
	cond, arg := area.UnderClause("r.area_id", scope)
	rows, err := q.Query(ctx, `SELECT r.id, r.kind, r.area_id, a.full_name, r.period_from, r.period_to, r.generated_at, r.summary
		FROM bulletin_runs r JOIN areas a ON a.id = r.area_id WHERE `+cond+` ORDER BY r.period_from DESC, a.path LIMIT `+strconv.Itoa(limit), arg)
	if err != nil {
		return nil, fmt.Errorf("bulletin runs: %w", err)
	}
	defer rows.Close()
	out := []Run{}
	for rows.Next() {
		var r Run
		var from, to, at int64
		var summary string
		if err := rows.Scan(&r.ID, &r.Kind, &r.AreaID, &r.AreaName, &from, &to, &at, &summary); err != nil {
			return nil, err
		}
		r.From, r.To, r.GeneratedAt = db.Time(from), db.Time(to), db.Time(at)
		var f Figures
		if json.Unmarshal([]byte(summary), &f) == nil {
			r.Cases, r.LossFen, r.Warnings = f.Cases, f.LossFen, f.Warnings
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Scheduler generates the daily bulletin at the configured hour.
type Scheduler struct {
	DB  *db.DB
	Loc *time.Location
	Log *slog.Logger
	Now func() time.Time // time.Now when nil
}

// DailyJob names the daily bulletin's lock (db.RunExclusive).
const DailyJob = "bulletin.daily"

// Tick generates yesterday's daily bulletins (county and stations) when the
// local hour has come and they are not stored yet; it returns how many it
// stored. Every replica ticks: on PostgreSQL the tick runs under the job's
// advisory lock, so while one replica generates the others skip quietly
// (0, nil), and a replica ticking afterwards finds the bulletins stored.
func (s *Scheduler) Tick(ctx context.Context) (int, error) {
	stored := 0
	_, err := s.DB.RunExclusive(ctx, DailyJob, func(ctx context.Context) error {
		var err error
		stored, err = s.tick(ctx)
		return err
	})
	return stored, err
}

func (s *Scheduler) tick(ctx context.Context) (int, error) {
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	if on, err := DailyEnabled(ctx, s.DB); err != nil || !on {
		return 0, err
	}
	hour, err := DailyHour(ctx, s.DB)
	if err != nil {
		return 0, err
	}
	local := now.In(s.Loc)
	if local.Hour() < hour {
		return 0, nil
	}
	p, err := PeriodOf(Daily, local.AddDate(0, 0, -1), s.Loc)
	if err != nil {
		return 0, err
	}
	root, err := area.Root(ctx, s.DB)
	if errors.Is(err, area.ErrNotFound) {
		return 0, nil // first start not done yet: no county, nothing to report
	}
	if err != nil {
		return 0, err
	}
	// The root, the cities and counties of a province, and the stations.
	nodes := []area.Node{root}
	for _, lv := range []area.Level{area.City, area.County, area.Station} {
		if lv == root.Level {
			continue
		}
		ns, err := area.ByLevel(ctx, s.DB, root, lv)
		if err != nil {
			return 0, err
		}
		nodes = append(nodes, ns...)
	}
	stored := 0
	for _, n := range nodes {
		var exists int
		if err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM bulletin_runs WHERE kind = ? AND area_id = ? AND period_from = ?`,
			string(Daily), n.ID, db.Millis(p.From)).Scan(&exists); err != nil {
			return stored, err
		}
		if exists > 0 {
			continue
		}
		b, err := Compute(ctx, s.DB, n, p, now, s.Loc)
		if err != nil {
			return stored, fmt.Errorf("daily bulletin of %s: %w", n.Name, err)
		}
		var ok bool
		err = s.DB.InTx(ctx, func(tx *db.Tx) error {
			var err error
			if ok, err = Store(ctx, tx, b); err != nil || !ok {
				return err
			}
			// The scheduler's work is in the audit log like a person's.
			return auth.Audit(ctx, tx, auth.AuditEntry{At: now, Username: "scheduler", Action: auth.AuditCreate,
				ObjectType: "bulletin_run", ObjectID: strconv.FormatInt(n.ID, 10), Detail: b.Title})
		})
		if err != nil {
			return stored, err
		}
		if ok {
			stored++
		}
	}
	return stored, nil
}

// Run ticks every interval until ctx ends; the first tick is at once.
func (s *Scheduler) Run(ctx context.Context, every time.Duration) {
	db.Every(ctx, every, s.Log, "daily bulletin", func(ctx context.Context) error {
		n, err := s.Tick(ctx)
		if err == nil && n > 0 {
			s.Log.Info("daily bulletin generated", "bulletins", n)
		}
		return err
	})
}
