package db

import (
	"context"
	"fmt"
)

// Names of the generation counters. A change to the thing named bumps its
// counter in the same transaction; a process that caches it compares the
// counter with the one it loaded and reloads when they differ. This is how a
// change made in the console reaches intake at once, and how a change made on
// one replica reaches the others.
const (
	GenTree       = "tree"       // the jurisdiction tree: nodes, names, aliases, retirement
	GenRoster     = "roster"     // the duty roster
	GenSettings   = "settings"   // settings edited in the console
	GenUsers      = "users"      // users: roles, jurisdiction, disabling
	GenUnits      = "units"      // member units
	GenStatements = "statements" // statement rows (imports): case traces cached on it
	// GenWarningHistory is bumped by database triggers (migration 00020),
	// not by Bump: any change to a warning received more than 24 hours ago
	// by the database's clock (SELECT ms FROM db_clock).
	GenWarningHistory = "warning_history"
	// GenGraphDeletes is bumped by database triggers (migration 00040) on
	// any delete from the tables the intel graph is built from.
	GenGraphDeletes = "graph_deletes"
)

// Bump advances the generation counter name. Call it in the transaction that
// makes the change, so readers never see the new counter with the old data.
func Bump(ctx context.Context, q Querier, name string) error {
	res, err := q.Exec(ctx, `UPDATE generations SET n = n + 1 WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("bump generation %s: %w", name, err)
	}
	if k, _ := res.RowsAffected(); k > 0 {
		return nil
	}
	if _, err := q.Exec(ctx, `INSERT INTO generations (name, n) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET n = generations.n + 1`, name); err != nil {
		return fmt.Errorf("bump generation %s: %w", name, err)
	}
	return nil
}

// Generations reads every counter (one small query; absent counters are 0).
func Generations(ctx context.Context, q Querier) (map[string]int64, error) {
	rows, err := q.Query(ctx, `SELECT name, n FROM generations`)
	if err != nil {
		return nil, fmt.Errorf("read generations: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			return nil, err
		}
		out[name] = n
	}
	return out, rows.Err()
}
