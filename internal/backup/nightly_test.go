package backup

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/zone"
)

func TestParseAt(t *testing.T) {
	for in, ok := range map[string]bool{"02:30": true, "00:00": true, "23:59": true, "24:00": false, "2:3": false, "0230": false, "ab:cd": false, "": false} {
		if _, _, err := ParseAt(in); (err == nil) != ok {
			t.Errorf("ParseAt(%q) = %v", in, err)
		}
	}
}

// TestNightlyOnePerDayAndRetention: two replicas on one database tick at
// the same moments; each day exactly one archive is made, before the hour
// none, and only the newest Keep stay.
func TestNightlyOnePerDayAndRetention(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		county(t, d)
		loc := zone.Shanghai
		dir := t.TempDir()
		now := time.Date(2026, 12, 1, 2, 0, 0, 0, loc) // 02:00, before 02:30
		clock := func() time.Time { return now }
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		a := &Nightly{DB: d, Dir: dir, Keep: 3, Hour: 2, Minute: 30, Loc: loc, Host: "a", Log: log, Now: clock}
		b := &Nightly{DB: d, Dir: dir, Keep: 3, Hour: 2, Minute: 30, Loc: loc, Host: "b", Log: log, Now: clock}
		tick := func() int {
			made := 0
			for _, n := range []*Nightly{a, b, a, b} {
				out, err := n.Tick(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if out != "" {
					made++
					if _, err := Verify(out); err != nil {
						t.Fatal(err)
					}
				}
			}
			return made
		}
		if made := tick(); made != 0 {
			t.Fatalf("before the hour: %d archives", made)
		}
		for day := 0; day < 5; day++ {
			now = time.Date(2026, 12, 1+day, 2, 31, 0, 0, loc)
			if made := tick(); made != 1 {
				t.Fatalf("day %d: %d archives, want 1", day, made)
			}
			now = now.Add(3 * time.Hour)
			if made := tick(); made != 0 {
				t.Fatalf("day %d later: %d archives, want 0", day, made)
			}
		}
		entries, _ := os.ReadDir(dir)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		want := []string{"fanzha-backup-20261203-0231.tar.gz", "fanzha-backup-20261204-0231.tar.gz", "fanzha-backup-20261205-0231.tar.gz"}
		if len(names) != 3 || names[0] != want[0] || names[2] != want[2] {
			t.Fatalf("archives kept: %v, want %v", names, want)
		}
		var runs int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM backup_runs WHERE finished_at IS NOT NULL AND error = ''`).Scan(&runs); err != nil || runs != 5 {
			t.Fatalf("backup_runs: %d, %v", runs, err)
		}
	})
}
