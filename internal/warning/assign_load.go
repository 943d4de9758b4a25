package warning

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/fanzha/fanzha/internal/db"
)

// Assignment by load, decided in the database. Intake gives a new warning to
// the on-duty dissuader of its station with the fewest open warnings. The
// open load is the officer_load table (migration 00035), which triggers keep
// equal to the count of each officer's open warnings whatever changes them
// (intake, 下一条, handover, outcome), so every replica reads the same truth
// and nothing is cached in a process.
//
// On PostgreSQL a batch takes an advisory lock per station it routes to
// (after the person locks, ascending, so two batches never deadlock) and
// reads the load after the lock: a second replica's batch for the station
// waits, then sees the first one's assignments. Intake writes its own
// change to officer_load in one statement at the end of its transaction
// (the trigger stands aside, see fanzha.load_counted), so the load rows are
// the last locks it takes. SQLite has one writer at a time: the write lock
// taken at BEGIN serialises batches, and its row triggers count.
const stationLockSpace = 0x667b // pg_advisory_xact_lock(int, int): fanzha intake, per station

// routeItems matches every item's address to its place and station before
// the batch takes its locks.
func routeItems(tree *treeIndex, items []*normalized) {
	for _, n := range items {
		n.route = tree.matcher.Match(n.Person.Address)
	}
}

// stationKeys are the distinct stations the items are routed to, ascending.
func stationKeys(items []*normalized) []int64 {
	var out []int64
	for _, n := range items {
		if s := n.route.StationID; s != 0 {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// lockStations takes the stations' advisory locks and tells the load
// triggers that this transaction counts its own assignments (PostgreSQL
// only).
func lockStations(ctx context.Context, tx *db.Tx, stations []int64) error {
	if tx.Dialect() != db.Postgres {
		return nil
	}
	var flag string
	var n int
	if err := tx.QueryRow(ctx, `SELECT set_config('fanzha.load_counted', '1', true),
		(SELECT count(pg_advisory_xact_lock(?, (k % 2147483647)::int)) FROM unnest(?::bigint[]) AS k)`,
		stationLockSpace, stations).Scan(&flag, &n); err != nil {
		return fmt.Errorf("intake station locks: %w", err)
	}
	return nil
}

// readLoad reads the open load of the on-duty dissuaders of the stations,
// inside the batch's transaction (after lockStations).
func readLoad(ctx context.Context, tx *db.Tx, stations []int64, onDuty map[int64][]int64) (map[int64]int, error) {
	var users []int64
	for _, s := range stations {
		users = append(users, onDuty[s]...)
	}
	load := make(map[int64]int, len(users))
	if len(users) == 0 {
		return load, nil
	}
	slices.Sort(users)
	users = slices.Compact(users)
	var q string
	var args []any
	if tx.Dialect() == db.Postgres {
		q, args = `SELECT user_id, open_count FROM officer_load WHERE user_id = ANY(?)`, []any{users}
	} else {
		q = `SELECT user_id, open_count FROM officer_load WHERE user_id IN (` + strings.TrimSuffix(strings.Repeat("?,", len(users)), ",") + `)`
		for _, u := range users {
			args = append(args, u)
		}
	}
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read open load: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var uid int64
		var n int
		if err := rows.Scan(&uid, &n); err != nil {
			return nil, err
		}
		load[uid] = n
	}
	return load, rows.Err()
}

// countAssigned adds the batch's assignments to officer_load (PostgreSQL,
// where the trigger stands aside for intake), in one statement, ascending.
func countAssigned(ctx context.Context, tx *db.Tx, assigned map[int64]int) error {
	if tx.Dialect() != db.Postgres || len(assigned) == 0 {
		return nil
	}
	users := make([]int64, 0, len(assigned))
	for u, k := range assigned {
		if k != 0 {
			users = append(users, u)
		}
	}
	if len(users) == 0 {
		return nil
	}
	slices.Sort(users)
	counts := make([]int64, len(users))
	for i, u := range users {
		counts[i] = int64(assigned[u])
	}
	if _, err := tx.Exec(ctx, `INSERT INTO officer_load (user_id, open_count)
		SELECT u, n FROM unnest(?::bigint[], ?::bigint[]) AS x(u, n) ORDER BY u
		ON CONFLICT (user_id) DO UPDATE SET open_count = officer_load.open_count + EXCLUDED.open_count`, users, counts); err != nil {
		return fmt.Errorf("count assignments: %w", err)
	}
	return nil
}

// assign picks the on-duty dissuader of the station with the fewest open
// warnings (ties: the lowest user id, so the choice is reproducible).
func (b *batch) assign(stationID int64) int64 {
	cands := b.onDuty[stationID]
	if len(cands) == 0 {
		return 0
	}
	best := cands[0]
	for _, c := range cands[1:] {
		if b.load[c]+b.assigned[c] < b.load[best]+b.assigned[best] {
			best = c
		}
	}
	b.assigned[best]++
	return best
}
