package backup

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/fanzha/fanzha/internal/db"
)

// reader is what the snapshot reads through: a *sql.Conn holding a SQLite
// read transaction, or a *sql.Tx. Catalog queries take no parameters (table
// names come from the catalog itself and are quoted), so no rebinding is
// needed.
type reader interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// gooseTable is goose's bookkeeping; the schema version is in the
// manifest and a restore migrates to it, so the table itself is not copied.
const gooseTable = "goose_db_version"

// table is one table of the catalog.
type table struct {
	Name    string
	Columns []string // sorted by name: the canonical order, the same on both engines
	HasID   bool     // an integer id column: rows are read in id order
	// FKs maps a column to the table it references.
	FKs map[string]string
}

// quote quotes an identifier for both engines.
func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// literal quotes a string literal (catalog names only).
func literal(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }

func strings1(ctx context.Context, r reader, q string) ([]string, error) {
	rows, err := r.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// derivedTables are kept by triggers from other tables (migration 00035:
// officer_load from warnings): an archive leaves them out, and a restore
// rebuilds them as it loads the tables they derive from.
var derivedTables = map[string]bool{"officer_load": true}

// catalog lists the tables of the database (minus goose's and SQLite's
// own, and the derived tables) with their columns and foreign keys, in an order that loads every
// referenced table before the tables referencing it (cycles and self
// references are resolved at load time, see restore).
func catalog(ctx context.Context, r reader, dialect db.Dialect) ([]table, error) {
	var names []string
	var err error
	if dialect == db.Postgres {
		names, err = strings1(ctx, r, `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
	} else {
		names, err = strings1(ctx, r, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	}
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	var tables []table
	for _, n := range names {
		if n == gooseTable || derivedTables[n] {
			continue
		}
		t := table{Name: n, FKs: map[string]string{}}
		if dialect == db.Postgres {
			t.Columns, err = strings1(ctx, r, `SELECT column_name FROM information_schema.columns
				WHERE table_schema = current_schema() AND table_name = `+literal(n))
		} else {
			t.Columns, err = strings1(ctx, r, `SELECT name FROM pragma_table_info(`+literal(n)+`)`)
		}
		if err != nil {
			return nil, fmt.Errorf("columns of %s: %w", n, err)
		}
		sort.Strings(t.Columns)
		for _, c := range t.Columns {
			if c == "id" {
				t.HasID = true
			}
		}
		fks, err := foreignKeys(ctx, r, dialect, n)
		if err != nil {
			return nil, fmt.Errorf("foreign keys of %s: %w", n, err)
		}
		for col, ref := range fks {
			t.FKs[col] = ref
		}
		tables = append(tables, t)
	}
	return loadOrder(tables), nil
}

func foreignKeys(ctx context.Context, r reader, dialect db.Dialect, name string) (map[string]string, error) {
	var q string
	if dialect == db.Postgres {
		q = `SELECT kcu.column_name, ccu.table_name
			FROM information_schema.table_constraints tc
			JOIN information_schema.key_column_usage kcu
			  ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
			JOIN information_schema.constraint_column_usage ccu
			  ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema
			WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema() AND tc.table_name = ` + literal(name)
	} else {
		q = `SELECT "from", "table" FROM pragma_foreign_key_list(` + literal(name) + `)`
	}
	rows, err := r.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var col, ref string
		if err := rows.Scan(&col, &ref); err != nil {
			return nil, err
		}
		out[col] = ref
	}
	return out, rows.Err()
}

// loadOrder sorts tables so that referenced tables come first (Kahn's
// algorithm, ties by name); tables on a cycle follow in name order.
func loadOrder(tables []table) []table {
	byName := map[string]table{}
	deps := map[string]map[string]bool{}
	for _, t := range tables {
		byName[t.Name] = t
		deps[t.Name] = map[string]bool{}
		for _, ref := range t.FKs {
			if ref != t.Name {
				deps[t.Name][ref] = true
			}
		}
	}
	for n, ds := range deps {
		for d := range ds {
			if _, ok := byName[d]; !ok {
				delete(deps[n], d)
			}
		}
	}
	var out []table
	done := map[string]bool{}
	for len(out) < len(tables) {
		var ready []string
		for _, t := range tables {
			if done[t.Name] {
				continue
			}
			ok := true
			for d := range deps[t.Name] {
				if !done[d] {
					ok = false
					break
				}
			}
			if ok {
				ready = append(ready, t.Name)
			}
		}
		if len(ready) == 0 { // a cycle: take the rest by name, deferring at load
			for _, t := range tables {
				if !done[t.Name] {
					ready = append(ready, t.Name)
				}
			}
		}
		sort.Strings(ready)
		for _, n := range ready {
			done[n] = true
			out = append(out, byName[n])
		}
	}
	return out
}
