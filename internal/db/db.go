// Package db opens fanzha's database on one of its two engines (SQLite, the
// embedded default, or PostgreSQL, chosen by a postgres:// URL), applies the
// embedded migrations and offers the few helpers every domain package uses:
// placeholder rebinding, transactions, time conversion and the list-query
// builder (Where, Page in listquery.go).
//
// Conventions shared by all packages:
//   - queries are written with '?' placeholders; DB.Rebind turns them into
//     $1, $2 … for PostgreSQL;
//   - times are stored as BIGINT milliseconds since the Unix epoch, UTC, so
//     comparisons, ordering and day bucketing are identical on both engines;
//   - money is BIGINT fen (1 yuan = 100 fen), never a float;
//   - booleans are INTEGER 0/1.
package db

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"           // SQLite driver "sqlite"

	"github.com/fanzha/fanzha/internal/domain"
)

// Dialect names the SQL engine behind a DB.
type Dialect string

// The two engines fanzha runs on.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is a database handle that knows its dialect.
type DB struct {
	*sql.DB
	Dialect Dialect
	// DSN is what the handle was opened with (the SQLite file path or the
	// PostgreSQL URL with its password), kept for tools that need a second
	// connection such as benchmarks.
	DSN string
	// writers (SQLite) admits one InTx of this process at a time, in
	// arrival order, before BEGIN IMMEDIATE asks SQLite for the write lock.
	// SQLite's own wait for a busy lock polls with growing sleeps (1, 2,
	// 5 … 100 ms): a commit queued behind the audit sealer's transaction
	// slept up to tens of milliseconds after the lock was free, and every
	// intake caller of that group commit with it. A channel hands the turn
	// over at once. Other processes (fanzha import while serve runs) still
	// meet SQLite's busy wait.
	writers chan struct{}
	// writer (SQLite) is the one connection InTx writes through while it
	// holds the turn. SQLite empties a connection's page cache whenever
	// another connection wrote since its last transaction, so transactions
	// spread over the pool each started from a cold cache and read the
	// indexes' upper pages again; one writer connection keeps them.
	writer *sql.DB
}

// Close closes the database handle (and the SQLite writer connection).
func (d *DB) Close() error {
	if d.writer != nil {
		d.writer.Close()
	}
	return d.DB.Close()
}

// writerWait is how long InTx waits for its turn before asking SQLite
// anyway (which then waits up to busy_timeout): the same order of time, so
// a transaction begun inside another on the same handle fails as before
// instead of hanging.
const writerWait = 10 * time.Second

// ErrNotFound is returned by helpers when a single-row query finds nothing.
// It wraps domain.ErrNotFound.
var ErrNotFound = fmt.Errorf("db: %w", domain.ErrNotFound)

// IsPostgresURL reports whether dsn selects PostgreSQL.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database named by dsn. A postgres:// or postgresql:// URL
// selects PostgreSQL; anything else is taken as the path of a SQLite file
// (created with its directory if missing). An empty dsn means
// dataDir/fanzha.db. Open does not migrate; call Migrate.
func Open(ctx context.Context, dsn, dataDir string) (*DB, error) {
	if IsPostgresURL(dsn) {
		return openPostgres(ctx, dsn)
	}
	if dsn == "" {
		if dataDir == "" {
			dataDir = "."
		}
		dsn = filepath.Join(dataDir, "fanzha.db")
	}
	return openSQLite(ctx, dsn)
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create data directory %s: %w", dir, err)
		}
	}
	// WAL lets readers run while one writer commits; busy_timeout makes a
	// second writer wait instead of failing; synchronous=FULL syncs the WAL
	// at every commit, so what fanzha has acknowledged (a warning, an
	// outcome, a deadline) survives a crash or a power cut. The automatic
	// checkpoint runs inside the COMMIT of the writer that crosses its
	// limit (every intake caller of that group commit waits for it), so the
	// limit is high (32,768 pages, 128 MB): servers move the log in the
	// background (RunCheckpoints) long before it, and the limit only
	// bounds the log of a process that does not. journal_size_limit gives
	// the disk back after a large log was checkpointed.
	q := "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_pragma=cache_size(-65536)&_pragma=mmap_size(268435456)&_pragma=temp_store(memory)&_pragma=wal_autocheckpoint(32768)&_pragma=journal_size_limit(67108864)&_txlock=immediate"
	sdb, err := sql.Open("sqlite", "file:"+path+q)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// SQLite allows one writer at a time; a small pool keeps readers
	// concurrent without piling up writers on the lock.
	sdb.SetMaxOpenConns(8)
	sdb.SetMaxIdleConns(8)
	sdb.SetConnMaxIdleTime(0)
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	wdb, err := sql.Open("sqlite", "file:"+path+q)
	if err != nil {
		sdb.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxIdleTime(0)
	return &DB{DB: sdb, Dialect: SQLite, DSN: path, writers: make(chan struct{}, 1), writer: wdb}, nil
}

func openPostgres(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open postgres %s: %w", RedactURL(url), err)
	}
	// Every statement is planned for its values. The jurisdiction is a
	// path prefix (area.UnderClause, `a.path LIKE ?`) whose selectivity is
	// all in the value — a village's few rows or a province's every row —
	// and the generic plan PostgreSQL switches a prepared statement to
	// after five runs guesses a handful of rows: a province's monthly
	// warnings aggregate took 2 s as a nested loop over its 3,225 nodes
	// against 70 ms planned for '/1/%'.
	if _, ok := cfg.RuntimeParams["plan_cache_mode"]; !ok {
		cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}
	pdb := stdlib.OpenDB(*cfg)
	pdb.SetMaxOpenConns(16)
	pdb.SetMaxIdleConns(16)
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := pdb.PingContext(pctx); err != nil {
		pdb.Close()
		return nil, fmt.Errorf("connect to postgres %s: %w", RedactURL(url), err)
	}
	return &DB{DB: pdb, Dialect: Postgres, DSN: url}, nil
}

// RedactURL hides the password of a database URL for logs and errors.
func RedactURL(u string) string {
	at := strings.LastIndex(u, "@")
	scheme := strings.Index(u, "://")
	if at < 0 || scheme < 0 {
		return u
	}
	cred := u[scheme+3 : at]
	if i := strings.Index(cred, ":"); i >= 0 {
		return u[:scheme+3] + cred[:i] + ":***" + u[at:]
	}
	return u
}

// Rebind rewrites '?' placeholders to the dialect's form. Question marks
// inside single-quoted string literals are left alone.
func (d *DB) Rebind(q string) string {
	if d.Dialect != Postgres {
		return q
	}
	return rebindDollar(q)
}

func rebindDollar(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	inStr := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inStr = !inStr
			b.WriteByte(c)
		case c == '?' && !inStr:
			n++
			b.WriteByte('$')
			b.WriteString(fmt.Sprint(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Exec runs a statement written with '?' placeholders.
func (d *DB) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return d.DB.ExecContext(ctx, d.Rebind(q), args...)
}

// Query runs a query written with '?' placeholders.
func (d *DB) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return d.DB.QueryContext(ctx, d.Rebind(q), args...)
}

// QueryRow runs a single-row query written with '?' placeholders.
func (d *DB) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return d.DB.QueryRowContext(ctx, d.Rebind(q), args...)
}

// Tx is a transaction that rebinds placeholders like DB.
type Tx struct {
	*sql.Tx
	db *DB
}

// Dialect returns the engine of the transaction.
func (t *Tx) Dialect() Dialect { return t.db.Dialect }

// Rebind rewrites placeholders for the transaction's engine.
func (t *Tx) Rebind(q string) string { return t.db.Rebind(q) }

// Exec runs a statement inside the transaction.
func (t *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.Tx.ExecContext(ctx, t.db.Rebind(q), args...)
}

// Query runs a query inside the transaction.
func (t *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(ctx, t.db.Rebind(q), args...)
}

// QueryRow runs a single-row query inside the transaction.
func (t *Tx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(ctx, t.db.Rebind(q), args...)
}

// Prepare prepares a statement inside the transaction.
func (t *Tx) Prepare(ctx context.Context, q string) (*sql.Stmt, error) {
	return t.Tx.PrepareContext(ctx, t.db.Rebind(q))
}

// InTx runs fn in a transaction, committing when fn returns nil and rolling
// back otherwise. On SQLite the transaction takes the write lock at BEGIN
// (_txlock=immediate), so two writers never deadlock on lock upgrade.
func (d *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	pool := d.DB
	if d.writers != nil {
		release, turn, err := d.writerTurn(ctx)
		if err != nil {
			return err
		}
		defer release()
		if turn && d.writer != nil {
			pool = d.writer
		}
	}
	stx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	tx := &Tx{Tx: stx, db: d}
	if err := fn(tx); err != nil {
		_ = stx.Rollback()
		return err
	}
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// writerTurn waits for this process's turn to write (SQLite); release
// gives it to the next.
func (d *DB) writerTurn(ctx context.Context) (release func(), turn bool, err error) {
	release = func() { <-d.writers }
	select {
	case d.writers <- struct{}{}:
		return release, true, nil
	default:
	}
	t := time.NewTimer(writerWait)
	defer t.Stop()
	select {
	case d.writers <- struct{}{}:
		return release, true, nil
	case <-t.C:
		return func() {}, false, nil
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
}

// Querier is what both DB and Tx offer; domain functions that may run inside
// or outside a transaction take a Querier.
type Querier interface {
	Exec(ctx context.Context, q string, args ...any) (sql.Result, error)
	Query(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, q string, args ...any) *sql.Row
	Rebind(q string) string
}

var (
	_ Querier = (*DB)(nil)
	_ Querier = (*Tx)(nil)
)

// Millis converts a time to the stored form: milliseconds since the epoch.
// The zero time is stored as 0.
func Millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// Time converts a stored millisecond value back to a UTC time; 0 gives the
// zero time.
func Time(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// NullMillis converts an optional time: the zero time becomes SQL NULL.
func NullMillis(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

// NullTime converts an optional stored time back.
func NullTime(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.UnixMilli(n.Int64).UTC()
}

// CheckpointEvery is how often serve moves the SQLite log into the
// database file. Each checkpoint ends with an fsync of what it copied, and
// a commit's fsync of the log waits behind it on the same disk: every 2 s
// the copy was 40–60 MB under 500 warnings/s and single POSTs committing
// then took ~100 ms (p99.9 55–63 ms, max 64–71 ms in bench ingest); every
// 500 ms the flushes are a quarter of that (p99.9 28–33 ms, max 35–39 ms).
const CheckpointEvery = 500 * time.Millisecond

// RunCheckpoints moves the SQLite write-ahead log into the database file
// every interval with a PASSIVE checkpoint, which never blocks writers, so
// the writer rarely pays for an automatic checkpoint inside a commit. It
// does nothing on PostgreSQL.
func (d *DB) RunCheckpoints(ctx context.Context, every time.Duration) {
	d.RunCheckpointsObserved(ctx, every, nil)
}

// Checkpoint is the outcome of one background checkpoint.
type Checkpoint struct {
	Took         time.Duration
	LogPages     int // pages in the write-ahead log
	CopiedPages  int // pages of it now in the database file
	Busy         bool
	Restarted    bool          // the log was large, fully copied, and started over (RESTART)
	Restart      time.Duration // of Took, the RESTART: the time writers of this process waited
	Err          error
	StartedAfter time.Duration // since RunCheckpointsObserved started
}

// restartAbove is the log size (pages) from which a fully copied log is
// restarted by a RESTART checkpoint (a quarter of wal_autocheckpoint).
const restartAbove = 8192

func (d *DB) checkpoint(ctx context.Context, mode string) Checkpoint {
	t0 := time.Now()
	var c Checkpoint
	var busy int
	c.Err = d.DB.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &c.LogPages, &c.CopiedPages)
	c.Busy, c.Took = busy != 0, time.Since(t0)
	return c
}

// RunCheckpointsObserved is RunCheckpoints telling fn (when not nil) about
// every checkpoint (bench ingest times them).
func (d *DB) RunCheckpointsObserved(ctx context.Context, every time.Duration, fn func(Checkpoint)) {
	if d.Dialect != SQLite {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	start := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c := d.checkpoint(ctx, "PASSIVE")
			c.StartedAfter = time.Since(start) - c.Took
			if c.Err == nil && c.LogPages >= restartAbove && c.CopiedPages == c.LogPages {
				// Everything is copied but readers kept the log from
				// starting over; wait for them (in this process's writer
				// turn, so the intake's next commit follows at once) and
				// restart it, before it reaches wal_autocheckpoint and every
				// COMMIT checkpoints.
				if release, _, err := d.writerTurn(ctx); err == nil {
					r := d.checkpoint(ctx, "RESTART")
					release()
					r.StartedAfter = time.Since(start) - r.Took
					c.Took += r.Took
					c.Restart = r.Took
					c.Err, c.Busy, c.Restarted = r.Err, r.Busy, r.Err == nil && !r.Busy
				}
			}
			if fn != nil {
				fn(c)
			}
		}
	}
}

// Int64s reads a one-column result of integers (ids, mostly) and closes
// the rows.
func Int64s(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
