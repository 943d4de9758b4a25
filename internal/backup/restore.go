package backup

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// lineReader reads lines of any length (a row may hold a photo).
type lineReader struct{ br *bufio.Reader }

func newLineReader(r io.Reader) *lineReader { return &lineReader{br: bufio.NewReaderSize(r, 1<<16)} }

func (l *lineReader) next() ([]byte, error) {
	line, err := l.br.ReadBytes('\n')
	if err == io.EOF {
		if len(line) > 0 {
			return nil, errors.New("last line does not end in a newline")
		}
		return nil, io.EOF
	}
	return line, err
}

// seeded lists the tables a fresh migration to version fills with rows
// (reference data); a restore target may hold those rows and still count as
// empty. It migrates a throw-away SQLite database to find out.
func seeded(ctx context.Context, version int64) (map[string]bool, error) {
	dir, err := os.MkdirTemp("", "fanzha-restore-probe-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	p, err := db.Open(ctx, "", dir)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	if _, err := p.MigrateTo(ctx, version); err != nil {
		return nil, err
	}
	counts, err := rowCounts(ctx, p)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for t, n := range counts {
		if n > 0 {
			out[t] = true
		}
	}
	return out, nil
}

// rowCounts counts the rows of every table of d (none when d has no tables).
func rowCounts(ctx context.Context, d *db.DB) (map[string]int64, error) {
	tables, err := catalog(ctx, d.DB, d.Dialect)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, t := range tables {
		var n int64
		if err := d.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+quote(t.Name)).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t.Name, err)
		}
		out[t.Name] = n
	}
	return out, nil
}

// currentVersion is the target's schema version (0 when never migrated).
func currentVersion(ctx context.Context, d *db.DB) (int64, error) {
	var n int
	q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '` + gooseTable + `'`
	if d.Dialect == db.Postgres {
		q = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '` + gooseTable + `'`
	}
	if err := d.DB.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, nil
	}
	return schemaVersion(ctx, d.DB)
}

// Restore loads the archive at path into d, which must be empty, and puts
// the archive's files into dataDir. It verifies the archive first (nothing
// is touched when it is corrupt), migrates d to the archive's schema
// version, loads every table in one transaction, checks every table's count
// and checksum against the manifest before committing, and finally migrates
// d to this binary's schema. An encrypted archive needs its key among keys.
func Restore(ctx context.Context, d *db.DB, path, dataDir string, keys ...Key) (Manifest, error) {
	m, err := Verify(path, keys...)
	if err != nil {
		return m, err
	}
	latest, err := db.LatestVersion()
	if err != nil {
		return m, err
	}
	if m.SchemaVersion > latest {
		return m, domain.Invalid("the archive has schema version %d, this fanzha knows up to %d: restore with a newer fanzha", m.SchemaVersion, latest)
	}
	cur, err := currentVersion(ctx, d)
	if err != nil {
		return m, err
	}
	if cur > m.SchemaVersion {
		return m, fmt.Errorf("%w (it is migrated to schema %d, the archive is at %d): restore into a new, unmigrated database",
			errNotEmpty, cur, m.SchemaVersion)
	}
	ref, err := seeded(ctx, max(cur, 1))
	if err != nil {
		return m, fmt.Errorf("restore: %w", err)
	}
	counts, err := rowCounts(ctx, d)
	if err != nil {
		return m, err
	}
	var full []string
	for t, n := range counts {
		if n > 0 && !ref[t] {
			full = append(full, fmt.Sprintf("%s (%d rows)", t, n))
		}
	}
	if len(full) > 0 {
		sort.Strings(full)
		return m, fmt.Errorf("%w: %s", errNotEmpty, strings.Join(full, ", "))
	}
	for _, f := range m.Files {
		if _, err := os.Stat(filepath.Join(dataDir, filepath.FromSlash(f.Path))); err == nil {
			return m, fmt.Errorf("%w: the data directory already has %s", errNotEmpty, f.Path)
		}
	}
	if _, err := d.MigrateTo(ctx, m.SchemaVersion); err != nil {
		return m, err
	}
	if ref, err = seeded(ctx, m.SchemaVersion); err != nil {
		return m, fmt.Errorf("restore: %w", err)
	}
	var written []string
	err = d.InTx(ctx, func(tx *db.Tx) error {
		return load(ctx, d, tx, path, dataDir, m, ref, &written, keys)
	})
	if err != nil {
		for i := len(written) - 1; i >= 0; i-- {
			os.Remove(written[i])
		}
		return m, err
	}
	if _, err := d.Migrate(ctx); err != nil {
		return m, fmt.Errorf("restored; migrating to the current schema failed: %w", err)
	}
	return m, nil
}

type deferred struct {
	table, column string
	id, value     any
}

func load(ctx context.Context, d *db.DB, tx *db.Tx, path, dataDir string, m Manifest, ref map[string]bool, written *[]string, keys []Key) error {
	tables, err := catalog(ctx, tx.Tx, d.Dialect)
	if err != nil {
		return err
	}
	byName := map[string]table{}
	for _, t := range tables {
		byName[t.Name] = t
	}
	if len(tables) != len(m.Tables) {
		return domain.Invalid("the target has %d tables at schema %d, the archive %d", len(tables), m.SchemaVersion, len(m.Tables))
	}
	for _, ts := range m.Tables {
		t, ok := byName[ts.Name]
		if !ok || strings.Join(t.Columns, ",") != strings.Join(ts.Columns, ",") {
			return domain.Invalid("table %s of the archive does not match the schema %d of this fanzha", ts.Name, m.SchemaVersion)
		}
	}
	for t := range ref { // reference rows of the migration make way for the archive's
		if _, err := tx.Exec(ctx, `DELETE FROM `+quote(t)); err != nil {
			return fmt.Errorf("clear %s: %w", t, err)
		}
	}
	ar, err := openArchive(path, keys)
	if err != nil {
		return err
	}
	defer ar.Close()
	loaded := map[string]bool{}
	var later []deferred
	err = ar.walk(func(ts TableSum, r io.Reader) (TableSum, error) {
		t := byName[ts.Name]
		ins := newInserter(ctx, tx, t)
		// A column referring to a table not loaded yet (the table itself, or
		// a cycle) is inserted empty and set once everything is in.
		defer_ := map[int]bool{}
		for i, c := range t.Columns {
			if refT, ok := t.FKs[c]; ok && !loaded[refT] {
				defer_[i] = true
			}
		}
		idCol := -1
		for i, c := range t.Columns {
			if c == "id" {
				idCol = i
			}
		}
		got, err := scanTable(ts, r, func(line []byte) error {
			vals, err := decodeLine(line, len(t.Columns))
			if err != nil {
				return fmt.Errorf("%w: %v", ErrCorrupt, err)
			}
			for i := range defer_ {
				if vals[i] == nil {
					continue
				}
				if idCol < 0 {
					return domain.Invalid("%s.%s refers to rows not loaded yet and the table has no id", t.Name, t.Columns[i])
				}
				later = append(later, deferred{table: t.Name, column: t.Columns[i], id: vals[idCol], value: vals[i]})
				vals[i] = nil
			}
			return ins.add(vals)
		})
		if err != nil {
			return got, err
		}
		if err := ins.flush(); err != nil {
			return got, err
		}
		loaded[t.Name] = true
		return got, nil
	}, func(f FileSum, r io.Reader) error {
		dst := filepath.Join(dataDir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
			return err
		}
		out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
		if err != nil {
			return fmt.Errorf("restore file %s: %w", f.Path, err)
		}
		*written = append(*written, dst)
		_, err = io.Copy(out, r)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		return err
	})
	if err != nil {
		return err
	}
	for _, dv := range later {
		if _, err := tx.Exec(ctx, `UPDATE `+quote(dv.table)+` SET `+quote(dv.column)+` = ? WHERE id = ?`, dv.value, dv.id); err != nil {
			return fmt.Errorf("restore %s.%s of row %v: %w", dv.table, dv.column, dv.id, err)
		}
	}
	if d.Dialect == db.Postgres {
		for _, t := range tables {
			if !t.HasID {
				continue
			}
			var seq *string
			if err := tx.QueryRow(ctx, `SELECT pg_get_serial_sequence(?, 'id')`, quote(t.Name)).Scan(&seq); err != nil {
				return fmt.Errorf("sequence of %s: %w", t.Name, err)
			}
			if seq == nil {
				continue
			}
			if _, err := tx.Exec(ctx, `SELECT setval(?, COALESCE((SELECT MAX(id) FROM `+quote(t.Name)+`), 0) + 1, false)`, *seq); err != nil {
				return fmt.Errorf("reset sequence of %s: %w", t.Name, err)
			}
		}
	}
	// What the database now holds, read back, must be what was backed up.
	for _, ts := range m.Tables {
		got, err := dumpTable(ctx, tx.Tx, byName[ts.Name], io.Discard)
		if err != nil {
			return err
		}
		if got.Rows != ts.Rows || got.SHA256 != ts.SHA256 {
			return fmt.Errorf("restore: table %s reads back %d rows with checksum %.12s…, the manifest says %d rows, %.12s…",
				ts.Name, got.Rows, got.SHA256, ts.Rows, ts.SHA256)
		}
	}
	return nil
}

// inserter writes rows with multi-row INSERTs.
type inserter struct {
	ctx  context.Context
	tx   *db.Tx
	t    table
	args []any
	rows int
	max  int
}

func newInserter(ctx context.Context, tx *db.Tx, t table) *inserter {
	per := 30000 / max(len(t.Columns), 1) // under both engines' limits on parameters
	return &inserter{ctx: ctx, tx: tx, t: t, max: min(per, 500)}
}

func (in *inserter) add(vals []any) error {
	in.args = append(in.args, vals...)
	in.rows++
	if in.rows >= in.max {
		return in.flush()
	}
	return nil
}

func (in *inserter) flush() error {
	if in.rows == 0 {
		return nil
	}
	cols := make([]string, len(in.t.Columns))
	for i, c := range in.t.Columns {
		cols[i] = quote(c)
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	var b strings.Builder
	b.WriteString(`INSERT INTO ` + quote(in.t.Name) + ` (` + strings.Join(cols, ", ") + `) VALUES `)
	for i := 0; i < in.rows; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(one)
	}
	if _, err := in.tx.Exec(in.ctx, b.String(), in.args...); err != nil {
		return fmt.Errorf("load %s: %w", in.t.Name, err)
	}
	in.args, in.rows = in.args[:0], 0
	return nil
}
