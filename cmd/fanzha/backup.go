package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fanzha/fanzha/internal/backup"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/zone"
)

func init() {
	register("backup", "back up the database and data files to one archive; backup verify|stats", runBackup)
	register("restore", "restore an archive into an empty database and data directory", runRestore)
	register("db", "database tools: db check prints counts and checksums of every table", runDBTool)
}

const backupUsage = `usage:
  fanzha backup --data DIR [--db URL] [--key-file KEY] --out FILE   write an archive while the server runs
                                                   (encrypted with AES-256-GCM when a key is given)
  fanzha backup verify [--key-file KEY ...] FILE   check an archive's integrity
  fanzha backup stats --data DIR [--db URL]        counts and checksums of every table (= fanzha db check)
  fanzha backup keygen --out KEY                   make a new backup key file (mode 600)
The key may also come from FANZHA_BACKUP_KEY (64 hex digits). Keep old keys as long as their archives.`

func runBackup(ctx context.Context, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "verify":
			return runBackupVerify(args[1:], os.Stdout)
		case "stats", "check":
			return runDBCheck(ctx, args[1:], os.Stdout)
		case "keygen":
			return runBackupKeygen(args[1:], os.Stdout)
		}
	}
	fs := newFlags("backup")
	data := fs.String("data", "./data", "data directory: the SQLite file and the files to archive")
	dsn := fs.String("db", "", "database: empty for SQLite in --data, or a postgres:// URL")
	out := fs.String("out", "", "the archive to write (.tar.gz, or .tar.gz.enc when encrypted)")
	var kf keyFiles
	fs.Var(&kf, "key-file", "encrypt the archive with the backup key in this file (or set FANZHA_BACKUP_KEY)")
	fs.Usage = func() { fmt.Fprintln(fs.Output(), backupUsage); fs.PrintDefaults() }
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	keys, err := kf.load()
	if err != nil {
		return err
	}
	if len(keys) > 1 {
		return fmt.Errorf("%w: give one key to encrypt with (%d given by --key-file and FANZHA_BACKUP_KEY)", errUsage, len(keys))
	}
	if *out == "" || fs.NArg() > 0 {
		return fmt.Errorf("%w: --out FILE is required\n%s", errUsage, backupUsage)
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("%s exists: choose a new file name", *out)
	}
	d, err := openExisting(ctx, *dsn, *data)
	if err != nil {
		return err
	}
	defer d.Close()
	start := time.Now()
	o := backup.Options{DataDir: *data}
	enc := ""
	if len(keys) == 1 {
		o.Key = &keys[0]
		enc = ", encrypted with key id " + keys[0].ID
	}
	m, err := backup.Create(ctx, d, *out, o)
	if err != nil {
		return err
	}
	var rows int64
	for _, t := range m.Tables {
		rows += t.Rows
	}
	fmt.Printf("wrote %s: schema %d (%s), %d tables, %d rows, %d files%s, %.1fs\n", *out, m.SchemaVersion, m.Engine,
		len(m.Tables), rows, len(m.Files), enc, time.Since(start).Seconds())
	return nil
}

func runBackupVerify(args []string, w io.Writer) error {
	fs := newFlags("backup verify")
	var kf keyFiles
	fs.Var(&kf, "key-file", "backup key file of an encrypted archive; repeat it to give old keys too")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: fanzha backup verify [--key-file KEY ...] FILE", errUsage)
	}
	keys, err := kf.load()
	if err != nil {
		return err
	}
	m, err := backup.Verify(fs.Arg(0), keys...)
	if err != nil {
		return err
	}
	printSums(w, m.SchemaVersion, string(m.Engine), m.CreatedAt, m.Tables)
	fmt.Fprintf(w, "%s: OK — %d tables and %d files match their checksums\n", fs.Arg(0), len(m.Tables), len(m.Files))
	return nil
}

// runDBCheck prints the schema version and every table's row count and
// SHA-256, read in one snapshot: the same figures as an archive's manifest
// (and `fanzha backup verify`), so a database restored by any means —
// fanzha restore, pg_restore — can be compared with its source.
func runDBCheck(ctx context.Context, args []string, w io.Writer) error {
	fs := newFlags("db check")
	data := fs.String("data", "./data", "data directory holding the SQLite file")
	dsn := fs.String("db", "", "database: empty for SQLite in --data, or a postgres:// URL")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	d, err := openExisting(ctx, *dsn, *data)
	if err != nil {
		return err
	}
	defer d.Close()
	v, sums, err := backup.Stats(ctx, d)
	if err != nil {
		return err
	}
	printSums(w, v, string(d.Dialect), time.Now(), sums)
	return nil
}

func printSums(w io.Writer, version int64, engine string, at time.Time, sums []backup.TableSum) {
	fmt.Fprintf(w, "schema %d  engine %s  at %s\n", version, engine, at.In(zone.Shanghai).Format("2006-01-02 15:04:05"))
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "table\trows\tsha256")
	for _, s := range sums {
		fmt.Fprintf(tw, "%s\t%d\t%s\n", s.Name, s.Rows, s.SHA256)
	}
	tw.Flush()
}

func runDBTool(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "check" {
		return fmt.Errorf("%w: fanzha db check --data DIR [--db URL]", errUsage)
	}
	return runDBCheck(ctx, args[1:], os.Stdout)
}

func runRestore(ctx context.Context, args []string) error {
	fs := newFlags("restore")
	data := fs.String("data", "", "the NEW data directory: the SQLite file (unless --db) and the archive's files go here")
	dsn := fs.String("db", "", "database: empty for SQLite in --data, or a postgres:// URL of an empty database")
	var kf keyFiles
	fs.Var(&kf, "key-file", "backup key file of an encrypted archive; repeat it to give old keys too (or set FANZHA_BACKUP_KEY)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *data == "" || fs.NArg() != 1 {
		return fmt.Errorf("%w: fanzha restore --data NEWDIR [--db URL] [--key-file KEY ...] FILE", errUsage)
	}
	keys, err := kf.load()
	if err != nil {
		return err
	}
	file := fs.Arg(0)
	if _, err := os.Stat(file); err != nil {
		return err
	}
	d, err := db.Open(ctx, *dsn, *data)
	if err != nil {
		return err
	}
	defer d.Close()
	start := time.Now()
	m, err := backup.Restore(ctx, d, file, *data, keys...)
	if err != nil {
		return err
	}
	var rows int64
	for _, t := range m.Tables {
		rows += t.Rows
	}
	target := filepath.Join(*data, "fanzha.db")
	if d.Dialect == db.Postgres {
		target = db.RedactURL(d.DSN)
	}
	fmt.Printf("restored %s into %s: schema %d from %s of %s, %d tables, %d rows, %d files, every checksum matches (%.1fs)\n",
		file, target, m.SchemaVersion, m.Engine, m.CreatedAt.In(zone.Shanghai).Format("2006-01-02 15:04:05"),
		len(m.Tables), rows, len(m.Files), time.Since(start).Seconds())
	return nil
}

// nightlyFlags configure serve's nightly backup.
type nightlyFlags struct {
	dir     string
	keep    int
	at      string
	keyFile string
}

func (f *nightlyFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&f.dir, "backup-dir", "", "directory of the nightly backup archives (empty: no nightly backup)")
	fs.IntVar(&f.keep, "backup-keep", 14, "nightly archives kept; older ones are removed")
	fs.StringVar(&f.at, "backup-at", "02:30", "time of the nightly backup, HH:MM Asia/Shanghai")
	fs.StringVar(&f.keyFile, "backup-key-file", "", "encrypt the nightly archives with the backup key in this file (or set FANZHA_BACKUP_KEY)")
}

// check validates the flags (before anything starts).
func (f *nightlyFlags) check() error {
	if _, _, err := backup.ParseAt(f.at); err != nil {
		return fmt.Errorf("%w: --backup-at: %v", errUsage, err)
	}
	if f.keep < 1 {
		return fmt.Errorf("%w: --backup-keep must be at least 1", errUsage)
	}
	return nil
}

// start runs the nightly backup when --backup-dir is set.
func (f *nightlyFlags) start(ctx context.Context, d *db.DB, dataDir string, log *slog.Logger) error {
	if f.dir == "" {
		return nil
	}
	if err := f.check(); err != nil {
		return err
	}
	h, m, _ := backup.ParseAt(f.at)
	if err := os.MkdirAll(f.dir, 0o750); err != nil {
		return fmt.Errorf("--backup-dir: %w", err)
	}
	var kf keyFiles
	if f.keyFile != "" {
		kf = keyFiles{f.keyFile}
	}
	keys, err := kf.load()
	if err != nil {
		return err
	}
	if len(keys) > 1 {
		return fmt.Errorf("%w: give one nightly backup key (--backup-key-file or FANZHA_BACKUP_KEY, not both)", errUsage)
	}
	host, _ := os.Hostname()
	n := &backup.Nightly{DB: d, Dir: f.dir, Keep: f.keep, Hour: h, Minute: m, Loc: zone.Shanghai, DataDir: dataDir,
		Host: fmt.Sprintf("%s:%d", host, os.Getpid()), Log: log}
	keyID := "none (archives in clear)"
	if len(keys) == 1 {
		n.Key, keyID = &keys[0], keys[0].ID
	}
	go n.Run(ctx, 30*time.Second)
	log.Info("nightly backup on", "dir", f.dir, "at", f.at, "keep", f.keep, "key_id", keyID)
	return nil
}

// openExisting opens the database as it is, without migrating it: backing
// up or checking a live centre must not change its schema (a newer binary
// run beside an older server would otherwise migrate the server's database).
func openExisting(ctx context.Context, dsn, data string) (*db.DB, error) {
	if !db.IsPostgresURL(dsn) {
		p := dsn
		if p == "" {
			p = filepath.Join(data, "fanzha.db")
		}
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("no database at %s: %w", p, err)
		}
	}
	return db.Open(ctx, dsn, data)
}

// keyFiles is a repeatable --key-file flag.
type keyFiles []string

func (k *keyFiles) String() string { return strings.Join(*k, ",") }

func (k *keyFiles) Set(v string) error {
	*k = append(*k, v)
	return nil
}

// load reads the key files, then the key in FANZHA_BACKUP_KEY if set.
func (k keyFiles) load() ([]backup.Key, error) {
	var keys []backup.Key
	for _, f := range k {
		key, err := backup.ReadKeyFile(f)
		if err != nil {
			return nil, err
		}
		keys = append(keys, key)
	}
	if v := os.Getenv("FANZHA_BACKUP_KEY"); v != "" {
		key, err := backup.ParseKey([]byte(v))
		if err != nil {
			return nil, fmt.Errorf("FANZHA_BACKUP_KEY: %w", err)
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// runBackupKeygen writes a new random backup key to a new file, readable
// by its owner only.
func runBackupKeygen(args []string, w io.Writer) error {
	fs := newFlags("backup keygen")
	out := fs.String("out", "", "the key file to create")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		return fmt.Errorf("%w: fanzha backup keygen --out FILE", errUsage)
	}
	k, text, err := backup.NewKey()
	if err != nil {
		return err
	}
	f, err := os.OpenFile(*out, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("create key file: %w", err)
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote backup key %s (key id %s): keep a copy away from the backups; archives made with it cannot be read without it\n", *out, k.ID)
	return nil
}
