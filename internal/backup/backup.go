// Package backup makes and restores logical backups of a fanzha centre: a
// tar.gz archive holding manifest.json (schema version, engine, time, and
// per table its row count and a SHA-256 of its rows in a canonical
// encoding), one JSON-lines file per table, and the files of the data
// directory (not the database files nor the NATS store). The archive does
// not depend on the engine: a SQLite county can move to PostgreSQL and back.
//
// Every table is read inside one consistent snapshot (SQLite: one read
// transaction, which WAL keeps stable while the server writes; PostgreSQL:
// a REPEATABLE READ READ ONLY transaction), so the archive is the database
// as of one instant. Tables are listed from the catalog, so a table added
// by a later migration is never forgotten.
//
// Restore loads an archive into an EMPTY database (it refuses otherwise):
// it migrates to the archive's schema version, loads the tables in
// foreign-key order in one transaction, recomputes every checksum and
// compares it with the manifest before it commits, then migrates to the
// binary's schema.
package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// Format is the archive format version written into the manifest.
const Format = 1

// Manifest describes an archive.
type Manifest struct {
	Format        int        `json:"format"`
	App           string     `json:"app"`
	SchemaVersion int64      `json:"schema_version"`
	CreatedAt     time.Time  `json:"created_at"`
	Engine        db.Dialect `json:"engine"`
	// Tables in load order (referenced tables first).
	Tables []TableSum `json:"tables"`
	Files  []FileSum  `json:"files"`
}

// FileSum is one file of the data directory.
type FileSum struct {
	Path   string `json:"path"` // relative, with '/'
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Archive entry names.
const (
	manifestName = "manifest.json"
	tablesDir    = "tables/"
	filesDir     = "files/"
)

// ErrCorrupt marks an archive that fails its checks.
var ErrCorrupt = errors.New("backup archive is corrupt")

// snapshot runs fn with a reader that sees the database as of one instant.
func snapshot(ctx context.Context, d *db.DB, fn func(r reader) error) error {
	if d.Dialect == db.Postgres {
		tx, err := d.DB.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
		if err != nil {
			return fmt.Errorf("begin snapshot: %w", err)
		}
		defer tx.Rollback()
		return fn(tx)
	}
	// SQLite: a deferred transaction on one connection; its first read
	// fixes the snapshot (WAL), later commits by the server are not seen.
	conn, err := d.DB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("snapshot connection: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN DEFERRED"); err != nil {
		return fmt.Errorf("begin snapshot: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
	return fn(conn)
}

func schemaVersion(ctx context.Context, r reader) (int64, error) {
	rows, err := r.QueryContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM `+gooseTable)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	defer rows.Close()
	var v int64
	if rows.Next() {
		if err := rows.Scan(&v); err != nil {
			return 0, err
		}
	}
	return v, rows.Err()
}

// Stats reads the count and checksum of every table of a live database in
// one snapshot, with its schema version — what `fanzha db check` prints to
// compare a database with an archive or with its pg_dump copy.
func Stats(ctx context.Context, d *db.DB) (int64, []TableSum, error) {
	var version int64
	var sums []TableSum
	err := snapshot(ctx, d, func(r reader) error {
		v, err := schemaVersion(ctx, r)
		if err != nil {
			return err
		}
		version = v
		tables, err := catalog(ctx, r, d.Dialect)
		if err != nil {
			return err
		}
		for _, t := range tables {
			s, err := dumpTable(ctx, r, t, io.Discard)
			if err != nil {
				return err
			}
			sums = append(sums, s)
		}
		return nil
	})
	return version, sums, err
}

// Options tune Create.
type Options struct {
	// DataDir is the data directory whose files go into the archive (the
	// database files and the NATS store are skipped). Empty: no files.
	DataDir string
	// Skip lists further paths (absolute or relative to DataDir) to leave
	// out, e.g. a backup directory inside the data directory.
	Skip []string
	Now  func() time.Time
	// Key, when set, encrypts the archive (crypt.go).
	Key *Key
}

// skipped reports whether a data-directory entry stays out of archives.
func skipped(rel string, isDir bool, extra map[string]bool) bool {
	base := path.Base(rel)
	if extra[rel] {
		return true
	}
	if isDir {
		return rel == "nats" // the embedded NATS store: in-flight stream messages, rebuilt on start
	}
	if strings.HasPrefix(base, "fanzha.db") { // fanzha.db, -wal, -shm, -journal
		return true
	}
	if strings.HasSuffix(base, ".part") || (strings.HasPrefix(base, ArchivePrefix) && (strings.HasSuffix(base, ".tar.gz") || strings.HasSuffix(base, ".tar.gz"+EncryptedSuffix))) {
		return true
	}
	return false
}

// Create writes an archive of the database (and the data directory's
// files) to path. It writes path+".part" and renames it when complete, so
// a crash never leaves a truncated archive under the final name.
func Create(ctx context.Context, d *db.DB, out string, o Options) (Manifest, error) {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	dir := filepath.Dir(out)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return Manifest{}, fmt.Errorf("backup directory: %w", err)
	}
	stage, err := os.MkdirTemp(dir, ".fanzha-backup-*")
	if err != nil {
		return Manifest{}, fmt.Errorf("backup staging: %w", err)
	}
	defer os.RemoveAll(stage)

	m := Manifest{Format: Format, App: "fanzha", Engine: d.Dialect}
	err = snapshot(ctx, d, func(r reader) error {
		v, err := schemaVersion(ctx, r)
		if err != nil {
			return err
		}
		m.SchemaVersion = v
		m.CreatedAt = now().UTC().Truncate(time.Millisecond)
		tables, err := catalog(ctx, r, d.Dialect)
		if err != nil {
			return err
		}
		for _, t := range tables {
			f, err := os.Create(filepath.Join(stage, t.Name+".jsonl"))
			if err != nil {
				return err
			}
			s, err := dumpTable(ctx, r, t, f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			m.Tables = append(m.Tables, s)
		}
		return nil
	})
	if err != nil {
		return Manifest{}, err
	}
	// Files of the data directory, copied to the staging area with their
	// checksums (so the manifest can come first in the archive).
	if o.DataDir != "" {
		extra := map[string]bool{}
		absData, _ := filepath.Abs(o.DataDir)
		for _, s := range append(o.Skip, stage, out) {
			if !filepath.IsAbs(s) {
				s = filepath.Join(absData, s)
			}
			if rel, err := filepath.Rel(absData, s); err == nil && !strings.HasPrefix(rel, "..") {
				extra[filepath.ToSlash(rel)] = true
			}
		}
		err := filepath.WalkDir(o.DataDir, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(o.DataDir, p)
			if err != nil || rel == "." {
				return err
			}
			rel = filepath.ToSlash(rel)
			if skipped(rel, e.IsDir(), extra) {
				if e.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if !e.Type().IsRegular() {
				return nil
			}
			fsum, err := copyHashed(p, filepath.Join(stage, "files", filepath.FromSlash(rel)))
			if err != nil {
				return err
			}
			fsum.Path = rel
			m.Files = append(m.Files, fsum)
			return nil
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return Manifest{}, fmt.Errorf("data directory files: %w", err)
		}
	}
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Path < m.Files[j].Path })
	if err := writeArchive(out, stage, m, o.Key); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

func copyHashed(src, dst string) (FileSum, error) {
	in, err := os.Open(src)
	if err != nil {
		return FileSum{}, err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return FileSum{}, err
	}
	out, err := os.Create(dst)
	if err != nil {
		return FileSum{}, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return FileSum{}, err
	}
	return FileSum{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

func writeArchive(out, stage string, m Manifest, key *Key) (err error) {
	part := out + ".part"
	f, err := os.OpenFile(part, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("create %s: %w", part, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(part)
		}
	}()
	var sink io.Writer = f
	var enc io.WriteCloser
	if key != nil {
		if enc, err = key.encryptTo(f); err != nil {
			return fmt.Errorf("encrypt %s: %w", out, err)
		}
		sink = enc
	}
	gz := gzip.NewWriter(sink)
	tw := tar.NewWriter(gz)
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	mtime := m.CreatedAt
	if err := tw.WriteHeader(&tar.Header{Name: manifestName, Mode: 0o600, Size: int64(len(mj)), ModTime: mtime, Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	if _, err := tw.Write(mj); err != nil {
		return err
	}
	add := func(name, src string) error {
		st, err := os.Stat(src)
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: st.Size(), ModTime: mtime, Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		sf, err := os.Open(src)
		if err != nil {
			return err
		}
		defer sf.Close()
		_, err = io.Copy(tw, sf)
		return err
	}
	for _, t := range m.Tables {
		if err := add(tablesDir+t.Name+".jsonl", filepath.Join(stage, t.Name+".jsonl")); err != nil {
			return fmt.Errorf("archive table %s: %w", t.Name, err)
		}
	}
	for _, fl := range m.Files {
		if err := add(filesDir+fl.Path, filepath.Join(stage, "files", filepath.FromSlash(fl.Path))); err != nil {
			return fmt.Errorf("archive file %s: %w", fl.Path, err)
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := gz.Close(); err != nil {
		return err
	}
	if enc != nil {
		if err := enc.Close(); err != nil {
			return err
		}
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(part, out); err != nil {
		return fmt.Errorf("rename %s: %w", part, err)
	}
	return nil
}

// archiveReader walks an archive: the manifest first, then the entries.
type archiveReader struct {
	f  *os.File
	gz *gzip.Reader
	tr *tar.Reader
	m  Manifest
}

func openArchive(p string, keys []Key) (*archiveReader, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	clear, _, err := decrypting(f, p, keys)
	if err != nil {
		f.Close()
		return nil, err
	}
	gz, err := gzip.NewReader(clear)
	if err != nil {
		if errors.Is(err, ErrCorrupt) {
			f.Close()
			return nil, err
		}
		f.Close()
		return nil, fmt.Errorf("%w: %s is not a gzip file: %v", ErrCorrupt, p, err)
	}
	ar := &archiveReader{f: f, gz: gz, tr: tar.NewReader(gz)}
	h, err := ar.tr.Next()
	if err != nil || h.Name != manifestName {
		ar.Close()
		return nil, fmt.Errorf("%w: %s does not begin with %s", ErrCorrupt, p, manifestName)
	}
	dec := json.NewDecoder(io.LimitReader(ar.tr, 64<<20))
	if err := dec.Decode(&ar.m); err != nil {
		ar.Close()
		return nil, fmt.Errorf("%w: manifest: %v", ErrCorrupt, err)
	}
	if ar.m.App != "fanzha" || ar.m.Format != Format {
		ar.Close()
		return nil, fmt.Errorf("%w: not a fanzha backup (format %d)", ErrCorrupt, ar.m.Format)
	}
	return ar, nil
}

func (ar *archiveReader) Close() {
	ar.gz.Close()
	ar.f.Close()
}

// next returns the next entry, or io.EOF; a broken stream is ErrCorrupt.
func (ar *archiveReader) next() (*tar.Header, error) {
	h, err := ar.tr.Next()
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return h, nil
}

// walk calls onTable for each table entry (in manifest order) and onFile
// for each file, checking that every entry is the one the manifest names,
// that nothing is missing or extra, and that the stream ends cleanly.
// The callbacks must consume the reader they get; walk checks the
// checksums of files itself (onTable returns what it computed).
func (ar *archiveReader) walk(onTable func(t TableSum, r io.Reader) (TableSum, error), onFile func(f FileSum, r io.Reader) error) error {
	ti, fi := 0, 0
	for {
		h, err := ar.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(h.Name, tablesDir):
			if ti >= len(ar.m.Tables) || h.Name != tablesDir+ar.m.Tables[ti].Name+".jsonl" {
				return fmt.Errorf("%w: unexpected entry %s", ErrCorrupt, h.Name)
			}
			want := ar.m.Tables[ti]
			got, err := onTable(want, ar.tr)
			if err != nil {
				return err
			}
			if got.Rows != want.Rows || got.SHA256 != want.SHA256 {
				return fmt.Errorf("%w: table %s has %d rows with checksum %.12s…, the manifest says %d rows, %.12s…",
					ErrCorrupt, want.Name, got.Rows, got.SHA256, want.Rows, want.SHA256)
			}
			ti++
		case strings.HasPrefix(h.Name, filesDir):
			if fi >= len(ar.m.Files) || h.Name != filesDir+ar.m.Files[fi].Path {
				return fmt.Errorf("%w: unexpected entry %s", ErrCorrupt, h.Name)
			}
			want := ar.m.Files[fi]
			hr := &hashingReader{r: ar.tr, h: sha256.New()}
			if err := onFile(want, hr); err != nil {
				return err
			}
			if _, err := io.Copy(io.Discard, hr); err != nil {
				return fmt.Errorf("%w: %v", ErrCorrupt, err)
			}
			if hr.n != want.Size || hex.EncodeToString(hr.h.Sum(nil)) != want.SHA256 {
				return fmt.Errorf("%w: file %s does not match its checksum", ErrCorrupt, want.Path)
			}
			fi++
		default:
			return fmt.Errorf("%w: unexpected entry %s", ErrCorrupt, h.Name)
		}
	}
	if ti != len(ar.m.Tables) || fi != len(ar.m.Files) {
		return fmt.Errorf("%w: the archive ends early (%d of %d tables, %d of %d files)", ErrCorrupt, ti, len(ar.m.Tables), fi, len(ar.m.Files))
	}
	// Read the compressed stream to its end: gzip checks its CRC-32 and
	// length there, which covers the manifest too.
	if _, err := io.Copy(io.Discard, ar.gz); err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return nil
}

type hashingReader struct {
	r io.Reader
	h interface {
		io.Writer
		Sum([]byte) []byte
	}
	n int64
}

func (hr *hashingReader) Read(p []byte) (int, error) {
	n, err := hr.r.Read(p)
	hr.h.Write(p[:n])
	hr.n += int64(n)
	return n, err
}

// scanTable reads a table entry line by line: it counts and hashes the
// lines and hands each one to fn (nil: just check).
func scanTable(t TableSum, r io.Reader, fn func(line []byte) error) (TableSum, error) {
	h := sha256.New()
	got := TableSum{Name: t.Name, Columns: t.Columns}
	br := newLineReader(r)
	for {
		line, err := br.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return got, fmt.Errorf("%w: table %s: %v", ErrCorrupt, t.Name, err)
		}
		h.Write(line)
		got.Rows++
		if fn != nil {
			if err := fn(line); err != nil {
				return got, fmt.Errorf("table %s row %d: %w", t.Name, got.Rows, err)
			}
		} else if _, err := decodeLine(line, len(t.Columns)); err != nil {
			return got, fmt.Errorf("%w: table %s row %d: %v", ErrCorrupt, t.Name, got.Rows, err)
		}
	}
	got.SHA256 = hex.EncodeToString(h.Sum(nil))
	return got, nil
}

// Verify checks an archive: its manifest, that every table and file is
// present, complete and matches its checksum, and that every row parses.
// An encrypted archive needs its key among keys.
func Verify(p string, keys ...Key) (Manifest, error) {
	ar, err := openArchive(p, keys)
	if err != nil {
		return Manifest{}, err
	}
	defer ar.Close()
	err = ar.walk(func(t TableSum, r io.Reader) (TableSum, error) { return scanTable(t, r, nil) },
		func(FileSum, io.Reader) error { return nil })
	if err != nil {
		return ar.m, err
	}
	return ar.m, nil
}

// ReadManifest returns an archive's manifest without checking the rest.
func ReadManifest(p string, keys ...Key) (Manifest, error) {
	ar, err := openArchive(p, keys)
	if err != nil {
		return Manifest{}, err
	}
	defer ar.Close()
	return ar.m, nil
}

// errNotEmpty is wrapped when the restore target holds data.
var errNotEmpty = domain.Conflict("the target database is not empty")
