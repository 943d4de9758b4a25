package warning

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
)

// FigureCache holds in memory what the figures read of every warning
// received on closed days (FigureRow), for all scopes at once, so the figures
// of a period (ComputeFigures) and the home page's live figures read only the
// last day or two from the database. docs/BENCHMARKS.md ("pages") tells why.
//
// Staying exact: the cache is keyed by the generation counter
// 'warning_history', which triggers in the database (migration 00020) bump
// on any insert, change or delete of a warning received more than 24 hours
// ago by the database's clock, and by the tree's counter (a node moved
// changes which warnings lie under a scope). It holds only days that ended
// 25 hours or more before the database's clock, so a change to any row it
// holds bumps the counter, whichever server or replica makes it; each call
// reads the counters first and the rows after, so a change that commits in
// between only costs a second load. Days since are read on every call.
//
// The zero of a *FigureCache (nil) computes everything from the database.
type FigureCache struct {
	loc *time.Location
	mu  sync.Mutex
	h   *figureHistory
}

// NewFigureCache returns an empty cache whose days are cut in loc.
func NewFigureCache(loc *time.Location) *FigureCache { return &FigureCache{loc: loc} }

// historyLag is how long before the database's clock a day must have ended
// to be held: the triggers' 24 hours and an hour for a write transaction
// still open while a server reads.
const historyLag = 25 * time.Hour

// NoTime stands for a NULL time in a FigureRow.
const NoTime int64 = math.MinInt64

// FigureRow is what the figures read of one warning (times in Unix ms,
// NoTime for NULL). The triggers of migration 00020 list these columns: a
// column added here must be added there.
type FigureRow struct {
	ReceivedAt     int64
	AreaID         int64
	StationID      int64 // 0: no station
	Grade          Grade
	Source         Source
	Status         string
	Outcome        Outcome
	KeptFen        int64
	ContactDueAt   int64
	FirstContactAt int64
	OnsiteDueAt    int64
	OnsiteAt       int64
	EscalatedAt    int64
}

const figureColumns = `w.received_at, w.area_id, COALESCE(w.station_id, 0), w.grade, w.source, w.status, w.outcome, w.kept_fen,
	w.contact_due_at, w.first_contact_at, w.onsite_due_at, w.onsite_at, w.escalated_at`

// figureHistory is the rows of [from, upto), as of the counters gen and
// treeGen; immutable once built.
type figureHistory struct {
	gen, treeGen int64
	from, upto   int64
	rows         []FigureRow // by ReceivedAt
	paths        map[int64]string
	maxArea      int64
}

// FigureSnapshot is the warnings of one scope as one call sees them: the
// cached days and the rows received since, read live.
type FigureSnapshot struct {
	h    *figureHistory
	in   []bool // area id → under the scope
	live []FigureRow
}

// Snapshot reads the counters, refreshes the cached days if they changed or
// a day has closed, and reads the warnings of scope received since.
func (c *FigureCache) Snapshot(ctx context.Context, q db.Querier, scope area.Node, now time.Time) (*FigureSnapshot, error) {
	var gen, treeGen, clock int64
	err := q.QueryRow(ctx, `SELECT COALESCE((SELECT n FROM generations WHERE name = ?), 0),
		COALESCE((SELECT n FROM generations WHERE name = ?), 0), (SELECT ms FROM db_clock)`,
		db.GenWarningHistory, db.GenTree).Scan(&gen, &treeGen, &clock)
	if err != nil {
		return nil, fmt.Errorf("figure cache counters: %w", err)
	}
	cut := min(db.Millis(now), clock-historyLag.Milliseconds())
	local := time.UnixMilli(cut).In(c.loc)
	upto := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, c.loc)
	// From 1 January of the year a month before: this year's figures, the
	// 30-day trend and the last 7 days are always held.
	from := time.Date(upto.AddDate(0, 0, -31).Year(), 1, 1, 0, 0, 0, 0, c.loc)
	h, err := c.history(ctx, q, gen, treeGen, db.Millis(from), db.Millis(upto))
	if err != nil {
		return nil, err
	}
	s := &FigureSnapshot{h: h, in: make([]bool, h.maxArea+1)}
	for id, p := range h.paths {
		s.in[id] = strings.HasPrefix(p, scope.Path)
	}
	s.live, err = readFigureRows(ctx, q, `SELECT `+figureColumns+` FROM warnings w JOIN areas a ON a.id = w.area_id
		WHERE a.path LIKE ? AND w.received_at >= ? ORDER BY w.received_at`, scope.SubtreePattern(), h.upto)
	if err != nil {
		return nil, fmt.Errorf("figure cache recent warnings: %w", err)
	}
	return s, nil
}

// history returns the cached days [from, upto) as of gen and treeGen,
// loading what is missing.
func (c *FigureCache) history(ctx context.Context, q db.Querier, gen, treeGen, from, upto int64) (*figureHistory, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.h
	if old != nil && old.gen == gen && old.treeGen == treeGen && old.from == from && old.upto == upto {
		return old, nil
	}
	h := &figureHistory{gen: gen, treeGen: treeGen, from: from, upto: upto}
	load := from
	if old != nil && old.gen == gen && old.treeGen == treeGen && old.from == from && old.upto < upto {
		// A day closed and nothing held changed: read only the new days.
		h.paths, h.maxArea = old.paths, old.maxArea
		h.rows = append(make([]FigureRow, 0, len(old.rows)+len(old.rows)/64), old.rows...)
		load = old.upto
	} else if err := h.loadPaths(ctx, q); err != nil {
		return nil, err
	}
	rows, err := readFigureRows(ctx, q, `SELECT `+figureColumns+` FROM warnings w
		WHERE w.received_at >= ? AND w.received_at < ? ORDER BY w.received_at`, load, upto)
	if err != nil {
		return nil, fmt.Errorf("figure cache: %w", err)
	}
	for _, r := range rows {
		if _, ok := h.paths[r.AreaID]; !ok {
			// A node added since the tree was read.
			if err := h.loadPaths(ctx, q); err != nil {
				return nil, err
			}
			break
		}
	}
	h.rows = append(h.rows, rows...)
	c.h = h
	return h, nil
}

func (h *figureHistory) loadPaths(ctx context.Context, q db.Querier) error {
	rows, err := q.Query(ctx, `SELECT id, path FROM areas`)
	if err != nil {
		return fmt.Errorf("figure cache areas: %w", err)
	}
	defer rows.Close()
	h.paths, h.maxArea = map[int64]string{}, 0
	for rows.Next() {
		var id int64
		var p string
		if err := rows.Scan(&id, &p); err != nil {
			return err
		}
		h.paths[id] = p
		h.maxArea = max(h.maxArea, id)
	}
	return rows.Err()
}

func readFigureRows(ctx context.Context, q db.Querier, query string, args ...any) ([]FigureRow, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []FigureRow
	// Few distinct strings: share them instead of one copy per row.
	intern := map[string]string{}
	str := func(s string) string {
		if v, ok := intern[s]; ok {
			return v
		}
		intern[s] = s
		return s
	}
	for rows.Next() {
		var r FigureRow
		var grade, source, status, outcome string
		var due, fc, od, oa, esc sql.NullInt64
		if err := rows.Scan(&r.ReceivedAt, &r.AreaID, &r.StationID, &grade, &source, &status, &outcome, &r.KeptFen,
			&due, &fc, &od, &oa, &esc); err != nil {
			return nil, err
		}
		r.Grade, r.Source, r.Status, r.Outcome = Grade(str(grade)), Source(str(source)), str(status), Outcome(str(outcome))
		r.ContactDueAt, r.FirstContactAt, r.OnsiteDueAt, r.OnsiteAt, r.EscalatedAt = orNoTime(due), orNoTime(fc), orNoTime(od), orNoTime(oa), orNoTime(esc)
		out = append(out, r)
	}
	return out, rows.Err()
}

func orNoTime(n sql.NullInt64) int64 {
	if n.Valid {
		return n.Int64
	}
	return NoTime
}

// Covers tells whether the snapshot holds every warning received at or
// after from.
func (s *FigureSnapshot) Covers(from time.Time) bool { return db.Millis(from) >= s.h.from }

// Each calls fn with every warning of the scope received in [from, to), in
// order of receipt; a zero to has no end. from must be covered (Covers).
func (s *FigureSnapshot) Each(from, to time.Time, fn func(r *FigureRow)) {
	lo, hi := db.Millis(from), int64(math.MaxInt64)
	if !to.IsZero() {
		hi = db.Millis(to)
	}
	rows := s.h.rows
	for i := sort.Search(len(rows), func(i int) bool { return rows[i].ReceivedAt >= lo }); i < len(rows) && rows[i].ReceivedAt < hi; i++ {
		if a := rows[i].AreaID; a < int64(len(s.in)) && s.in[a] {
			fn(&rows[i])
		}
	}
	for i := sort.Search(len(s.live), func(i int) bool { return s.live[i].ReceivedAt >= lo }); i < len(s.live) && s.live[i].ReceivedAt < hi; i++ {
		fn(&s.live[i])
	}
}

// Figures is ComputeFigures(ctx, q, scope, from, to, now), read through the
// cache when it holds the period.
func (c *FigureCache) Figures(ctx context.Context, q db.Querier, scope area.Node, from, to, now time.Time) (Figures, error) {
	if c == nil {
		return ComputeFigures(ctx, q, scope, from, to, now)
	}
	s, err := c.Snapshot(ctx, q, scope, now)
	if err != nil {
		return Figures{}, err
	}
	if !s.Covers(from) {
		return ComputeFigures(ctx, q, scope, from, to, now)
	}
	return s.Figures(from, to, now), nil
}

// Figures computes from the snapshot what ComputeFigures computes with SQL;
// from must be covered (Covers).
func (s *FigureSnapshot) Figures(from, to, now time.Time) Figures {
	f := Figures{From: from.UTC(), To: to.UTC(), ByGrade: map[Grade]int64{}, BySource: map[Source]int64{}}
	nowMs := db.Millis(now)
	var ms []int64
	s.Each(from, to, func(r *FigureRow) {
		f.Received++
		f.ByGrade[r.Grade]++
		f.BySource[r.Source]++
		if r.Status == "merged" {
			return
		}
		f.Handled++
		if r.Status == "open" {
			f.Open++
		}
		if r.Status == "closed" {
			switch r.Outcome {
			case OutcomeDissuaded:
				f.Dissuaded++
			case OutcomeDefrauded:
				f.Defrauded++
			case OutcomeUnreachable:
				f.Unreached++
			case OutcomeFalseAlarm:
				f.FalseAlarm++
			}
		}
		if r.OnsiteDueAt != NoTime {
			f.OnsiteRequired++
			if r.OnsiteAt != NoTime {
				f.OnsiteDone++
				if r.OnsiteAt <= r.OnsiteDueAt {
					f.OnsiteInTime++
				}
			}
		}
		if r.ContactDueAt != NoTime && (r.FirstContactAt != NoTime && r.FirstContactAt > r.ContactDueAt ||
			r.FirstContactAt == NoTime && r.ContactDueAt < nowMs) {
			f.ContactBreaches++
		}
		if r.EscalatedAt != NoTime {
			f.Escalated++
		}
		f.KeptFen += r.KeptFen
		if r.FirstContactAt != NoTime {
			ms = append(ms, r.FirstContactAt-r.ReceivedAt)
		}
	})
	if d := f.Dissuaded + f.Defrauded + f.Unreached; d > 0 {
		f.DissuasionPermille = (f.Dissuaded*1000 + d/2) / d
	}
	f.Contacted = int64(len(ms))
	f.FirstContactP50s = quantileSeconds(ms, 0.5)
	f.FirstContactP90s = quantileSeconds(ms, 0.9)
	return f
}
