package backup

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// ArchivePrefix starts the names of nightly archives; the retention only
// ever removes files named like this.
const ArchivePrefix = "fanzha-backup-"

// EncryptedSuffix ends the name of an encrypted archive (after .tar.gz).
const EncryptedSuffix = ".enc"

// Nightly makes one archive a day at a local time and keeps the newest Keep
// of them in Dir. With several replicas on one PostgreSQL database only one
// backs up a given day: each inserts the day's row of backup_runs with ON
// CONFLICT DO NOTHING, and only the one whose insert took makes the archive.
// A server started after the hour makes the day's archive at once.
type Nightly struct {
	DB      *db.DB
	Dir     string
	Keep    int // archives kept (at least 1)
	Hour    int // local time of the backup
	Minute  int
	Loc     *time.Location
	DataDir string // its files go into the archive
	Host    string // who made it, for backup_runs
	Log     *slog.Logger
	Now     func() time.Time // time.Now when nil
	Key     *Key             // encrypts the archives when set

	lastDay string // the day this process has already dealt with
}

// ParseAt parses HH:MM.
func ParseAt(s string) (hour, minute int, err error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if ok {
		hour, err = strconv.Atoi(h)
		if err == nil {
			minute, err = strconv.Atoi(m)
		}
	}
	if !ok || err != nil || hour < 0 || hour > 23 || minute < 0 || minute > 59 || len(m) != 2 {
		return 0, 0, domain.Invalid("time of day %q: use HH:MM, e.g. 02:30", s)
	}
	return hour, minute, nil
}

// Tick makes today's archive when its time has come and no process has
// claimed the day; it returns the archive's path ("" when nothing was due).
func (n *Nightly) Tick(ctx context.Context) (string, error) {
	now := time.Now()
	if n.Now != nil {
		now = n.Now()
	}
	local := now.In(n.Loc)
	day := local.Format("2006-01-02")
	if day == n.lastDay {
		return "", nil
	}
	due := time.Date(local.Year(), local.Month(), local.Day(), n.Hour, n.Minute, 0, 0, n.Loc)
	if local.Before(due) {
		return "", nil
	}
	res, err := n.DB.Exec(ctx, `INSERT INTO backup_runs (day, host, started_at) VALUES (?,?,?) ON CONFLICT (day) DO NOTHING`,
		day, n.Host, db.Millis(now))
	if err != nil {
		return "", fmt.Errorf("nightly backup: claim %s: %w", day, err)
	}
	n.lastDay = day
	if k, _ := res.RowsAffected(); k != 1 {
		return "", nil // another replica (or an earlier start today) has it
	}
	name := ArchivePrefix + local.Format("20060102-1504") + ".tar.gz"
	if n.Key != nil {
		name += EncryptedSuffix
	}
	out := filepath.Join(n.Dir, name)
	_, berr := Create(ctx, n.DB, out, Options{DataDir: n.DataDir, Skip: []string{n.Dir}, Now: n.Now, Key: n.Key})
	msg := ""
	if berr != nil {
		msg = berr.Error()
	}
	if _, err := n.DB.Exec(ctx, `UPDATE backup_runs SET finished_at = ?, file = ?, error = ? WHERE day = ?`,
		db.Millis(time.Now()), name, msg, day); err != nil && berr == nil {
		berr = fmt.Errorf("nightly backup: record %s: %w", day, err)
	}
	if berr != nil {
		return "", berr
	}
	if err := n.prune(); err != nil {
		return out, err
	}
	return out, nil
}

// prune removes the oldest archives beyond Keep.
func (n *Nightly) prune() error {
	entries, err := os.ReadDir(n.Dir)
	if err != nil {
		return fmt.Errorf("nightly backup: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasPrefix(e.Name(), ArchivePrefix) &&
			(strings.HasSuffix(e.Name(), ".tar.gz") || strings.HasSuffix(e.Name(), ".tar.gz"+EncryptedSuffix)) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names) // the date in the name sorts oldest first
	keep := max(n.Keep, 1)
	for len(names) > keep {
		if err := os.Remove(filepath.Join(n.Dir, names[0])); err != nil {
			return fmt.Errorf("nightly backup: remove old archive: %w", err)
		}
		names = names[1:]
	}
	return nil
}

// Run ticks every interval until ctx ends; the first tick is at once.
func (n *Nightly) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		out, err := n.Tick(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			n.Log.Error("nightly backup failed", "err", err)
		case out != "":
			n.Log.Info("nightly backup written", "file", out)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
