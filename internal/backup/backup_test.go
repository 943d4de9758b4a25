package backup

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/warning"
)

// county builds a small tree, officers on duty, an audit line and a
// prevention event with a photo (bytes), and returns the intake.
func county(t *testing.T, d *db.DB) *warning.Intake {
	t.Helper()
	ctx := context.Background()
	auth.BcryptCost = 4
	mk := func(n *area.Node) {
		t.Helper()
		if err := area.Create(ctx, d, n); err != nil {
			t.Fatal(err)
		}
	}
	root := area.Node{Level: area.County, Kind: "区", Code: "430102", Name: "芙蓉区", Aliases: "芙蓉"}
	mk(&root)
	st := area.Node{ParentID: root.ID, Level: area.Station, Kind: "派出所", Code: "S1", Name: "青石派出所"}
	mk(&st)
	town := area.Node{ParentID: st.ID, Level: area.Town, Kind: "镇", Code: "T1", Name: "青石镇", Aliases: "青石"}
	mk(&town)
	village := area.Node{ParentID: town.ID, Level: area.Village, Kind: "村", Code: "V1", Name: "李家村"}
	mk(&village)
	now := time.Now()
	for i, name := range []string{"a1", "a2"} {
		u, err := auth.CreateUser(ctx, d, auth.NewUser{Username: name, Role: auth.RoleDissuader, AreaID: st.ID, Password: "pw-" + name + "-long"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, `INSERT INTO duty_shifts (user_id, area_id, duty, starts_at, ends_at) VALUES (?,?,?,?,?)`,
			u.ID, st.ID, "dissuader", db.Millis(now.Add(-time.Hour)), db.Millis(now.Add(time.Duration(8+i)*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	if err := auth.Audit(ctx, d, auth.AuditEntry{Username: "setup", Action: auth.AuditCreate, ObjectType: "area", ObjectID: "1", Detail: "<&> 引号\"'\n换行"}); err != nil {
		t.Fatal(err)
	}
	var ev int64
	if err := d.QueryRow(ctx, `INSERT INTO prevention_events (area_id, kind, at, created_at) VALUES (?, 'lecture', ?, ?) RETURNING id`, village.ID, db.Millis(now), db.Millis(now)).Scan(&ev); err != nil {
		t.Fatal(err)
	}
	photo := []byte{0xff, 0xd8, 0xff, 0x00, 0x01, 0x02, '\n', '"', 0xff, 0xd9}
	if _, err := d.Exec(ctx, `INSERT INTO prevention_photos (event_id, content_type, size, sha256, data, created_at) VALUES (?,?,?,?,?,?)`,
		ev, "image/jpeg", len(photo), "x", photo, db.Millis(now)); err != nil {
		t.Fatal(err)
	}
	in, err := warning.NewIntake(ctx, d, warning.DefaultPolicy(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func input(i int) warning.Input {
	// Every fifth person warned twice: their warnings merge (merged_into, a
	// reference between rows of one table).
	phone := fmt.Sprintf("138%08d", i-i%5*0)
	if i%5 == 4 {
		phone = fmt.Sprintf("138%08d", i-1)
	}
	return warning.Input{Source: warning.SourceUpper, SourceRef: fmt.Sprintf("U-%d", i), Grade: warning.GradeHigh, FraudType: "police",
		Person: warning.Person{Name: "王秀英", Phone: phone, Address: "芙蓉区青石镇李家村3组", Age: 68}, Text: "对方自称公安民警"}
}

func sums(t *testing.T, d *db.DB) map[string]TableSum {
	t.Helper()
	_, ss, err := Stats(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]TableSum{}
	for _, s := range ss {
		out[s.Name] = s
	}
	return out
}

func TestBackupDuringIntakeAndRestore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, src *db.DB) {
		ctx := context.Background()
		in := county(t, src)
		dataDir := t.TempDir()
		for name, body := range map[string]string{"uploads/statement.xlsx": "PK-statement", "fanzha.db": "skip", "nats/jetstream/x": "skip"} {
			p := filepath.Join(dataDir, filepath.FromSlash(name))
			_ = os.MkdirAll(filepath.Dir(p), 0o750)
			if err := os.WriteFile(p, []byte(body), 0o640); err != nil {
				t.Fatal(err)
			}
		}
		// Warnings keep coming while the backup runs.
		var n atomic.Int64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var submitErr atomic.Value
		for g := 0; g < 3; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					i := int(n.Add(1))
					if _, err := in.Submit(ctx, []warning.Input{input(i)}, warning.SubmitOptions{Door: "api"}); err != nil {
						submitErr.Store(err)
						return
					}
				}
			}(g)
		}
		for n.Load() < 30 {
			time.Sleep(5 * time.Millisecond)
		}
		// The audit chain: rows sealed before the backup, one written after
		// the last seal (the archive holds both kinds).
		if err := auth.Audit(ctx, src, auth.AuditEntry{Username: "offA", Action: auth.AuditUnmask, ObjectType: "warning", ObjectID: "1"}); err != nil {
			t.Fatal(err)
		}
		if n, err := auth.SealAudit(ctx, src, time.Now()); err != nil || n < 2 {
			t.Fatalf("seal = %d, %v", n, err)
		}
		if err := auth.Audit(ctx, src, auth.AuditEntry{Username: "offB", Action: auth.AuditView, ObjectType: "case", ObjectID: "2"}); err != nil {
			t.Fatal(err)
		}
		archive := filepath.Join(t.TempDir(), "county.tar.gz")
		m, err := Create(ctx, src, archive, Options{DataDir: dataDir})
		if err != nil {
			t.Fatal(err)
		}
		for n.Load() < m.Tables[0].Rows+40 && n.Load() < 400 { // more after the snapshot
			time.Sleep(5 * time.Millisecond)
		}
		close(stop)
		wg.Wait()
		if err, _ := submitErr.Load().(error); err != nil {
			t.Fatal(err)
		}
		if _, err := Verify(archive); err != nil {
			t.Fatalf("verify: %v", err)
		}
		if len(m.Files) != 1 || m.Files[0].Path != "uploads/statement.xlsx" {
			t.Fatalf("files in the archive: %+v", m.Files)
		}
		want := map[string]TableSum{}
		for _, s := range m.Tables {
			want[s.Name] = s
			if s.Name == "goose_db_version" {
				t.Fatal("goose's table is in the archive")
			}
		}
		for _, name := range []string{"areas", "users", "audit_log", "warnings", "warning_events", "prevention_photos", "duty_shifts", "generations", "setup_tokens"} {
			if _, ok := want[name]; !ok {
				t.Fatalf("table %s missing from the archive", name)
			}
		}
		if want["warnings"].Rows == 0 || want["audit_log"].Rows == 0 {
			t.Fatalf("nothing archived: %+v", want["warnings"])
		}

		check := func(t *testing.T, dst *db.DB, dstData string) {
			t.Helper()
			got := sums(t, dst)
			if len(got) != len(want) {
				t.Fatalf("restored %d tables, archive has %d", len(got), len(want))
			}
			if _, ok := want["officer_load"]; ok {
				t.Fatal("the derived officer_load is in the archive")
			}
			// The open load per officer (derived) is rebuilt from the
			// restored warnings.
			if w, l := dbtest.Pairs(t, dst, `SELECT assignee_id, COUNT(*) FROM warnings WHERE status = 'open' AND assignee_id IS NOT NULL GROUP BY assignee_id`),
				dbtest.Pairs(t, dst, `SELECT user_id, open_count FROM officer_load WHERE open_count <> 0`); len(w) == 0 || !maps.Equal(w, l) {
				t.Fatalf("open load after restore %v, open warnings per officer %v", l, w)
			}
			for name, w := range want {
				if g := got[name]; g.Rows != w.Rows || g.SHA256 != w.SHA256 {
					t.Errorf("table %s: restored %d rows %s, manifest %d rows %s", name, g.Rows, g.SHA256, w.Rows, w.SHA256)
				}
			}
			// The archive is the source as of one instant: the warnings it
			// holds are exactly the source's first ones, each with all the
			// events written up to then (a later warning of the same person
			// adds a "merged" event to an earlier one), and nothing else.
			var maxID, maxEvent int64
			if err := dst.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM warnings`).Scan(&maxID); err != nil {
				t.Fatal(err)
			}
			if err := dst.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM warning_events`).Scan(&maxEvent); err != nil {
				t.Fatal(err)
			}
			perWarning := func(d *db.DB) string {
				rows, err := d.Query(ctx, `SELECT w.id, w.source_ref, COALESCE(w.merged_into, 0), COUNT(e.id) FROM warnings w
					LEFT JOIN warning_events e ON e.warning_id = w.id AND e.id <= ? WHERE w.id <= ? GROUP BY w.id, w.source_ref, w.merged_into ORDER BY w.id`,
					maxEvent, maxID)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				var b strings.Builder
				for rows.Next() {
					var id, merged, events int64
					var ref string
					if err := rows.Scan(&id, &ref, &merged, &events); err != nil {
						t.Fatal(err)
					}
					if events == 0 {
						t.Fatalf("warning %d without events", id)
					}
					fmt.Fprintf(&b, "%d %s %d %d\n", id, ref, merged, events)
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
				return b.String()
			}
			if a, b := perWarning(dst), perWarning(src); a != b {
				t.Fatalf("restored warnings and events differ from the source's first %d:\n%s\nsource:\n%s", maxID, a, b)
			}
			var photo []byte
			if err := dst.QueryRow(ctx, `SELECT data FROM prevention_photos`).Scan(&photo); err != nil || !bytes.Equal(photo, []byte{0xff, 0xd8, 0xff, 0x00, 0x01, 0x02, '\n', '"', 0xff, 0xd9}) {
				t.Fatalf("photo bytes after restore: %x, %v", photo, err)
			}
			if b, err := os.ReadFile(filepath.Join(dstData, "uploads", "statement.xlsx")); err != nil || string(b) != "PK-statement" {
				t.Fatalf("restored file: %q, %v", b, err)
			}
			// The audit chain verifies after the restore (on either engine),
			// and sealing continues it from the restored head.
			rep, err := auth.VerifyAudit(ctx, dst)
			if err != nil || !rep.OK() || rep.Sealed < 2 || rep.Unsealed != 1 {
				t.Fatalf("audit chain after restore: %+v %v", rep, err)
			}
			if n, err := auth.SealAudit(ctx, dst, time.Now()); err != nil || n != 1 {
				t.Fatalf("seal after restore = %d, %v", n, err)
			}
			if rep2, err := auth.VerifyAudit(ctx, dst); err != nil || !rep2.OK() || rep2.Sealed != rep.Sealed+1 {
				t.Fatalf("audit chain sealed after restore: %+v %v", rep2, err)
			}
			// The restored county works: new rows get fresh ids (sequences
			// were reset), the tree routes, the audit log is still append-only.
			in2, err := warning.NewIntake(ctx, dst, warning.DefaultPolicy(), nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := in2.Submit(ctx, []warning.Input{input(100000)}, warning.SubmitOptions{})
			if err != nil || res.Created != 1 || res.Items[0].ID <= maxID {
				t.Fatalf("intake after restore: %+v, %v", res, err)
			}
			if _, err := dst.Exec(ctx, `DELETE FROM audit_log`); err == nil {
				t.Fatal("the restored audit log can be deleted")
			}
			// Restoring again into the same (now full) database refuses.
			if _, err := Restore(ctx, dst, archive, t.TempDir()); !errors.Is(err, errNotEmpty) {
				t.Fatalf("restore into a non-empty database: %v", err)
			}
		}
		t.Run("into sqlite", func(t *testing.T) {
			dir := t.TempDir()
			dst, err := db.Open(ctx, "", dir)
			if err != nil {
				t.Fatal(err)
			}
			defer dst.Close()
			if _, err := Restore(ctx, dst, archive, dir); err != nil {
				t.Fatal(err)
			}
			check(t, dst, dir)
		})
		if dbtest.PostgresURL() != "" {
			t.Run("into postgres", func(t *testing.T) {
				dst := dbtest.Postgres(t)
				dir := t.TempDir()
				if _, err := Restore(ctx, dst, archive, dir); err != nil {
					t.Fatal(err)
				}
				check(t, dst, dir)
			})
		}
	})
}

func TestCorruptArchives(t *testing.T) {
	ctx := context.Background()
	src := dbtest.SQLite(t)
	county(t, src)
	dir := t.TempDir()
	archive := filepath.Join(dir, "good.tar.gz")
	if _, err := Create(ctx, src, archive, Options{}); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	// A row changed inside a well-formed archive: the checksum catches it.
	raw := gunzip(t, good)
	i := bytes.Index(raw, []byte("青石派出所"))
	if i < 0 {
		t.Fatal("station name not in the archive")
	}
	tampered := bytes.Clone(raw)
	copy(tampered[i:], "白石")
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := map[string][]byte{
		"tampered.tar.gz":  gz(t, tampered),
		"truncated.tar.gz": good[:len(good)*2/3],
		"flipped.tar.gz": func() []byte {
			b := bytes.Clone(good)
			b[len(b)/2] ^= 0x55
			return b
		}(),
		"notgzip.tar.gz": []byte("hello"),
		"cut.tar.gz":     gz(t, raw[:len(raw)/2]),
	}
	for name, b := range cases {
		p := write(name, b)
		if _, err := Verify(p); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: Verify = %v, want ErrCorrupt", name, err)
		}
		dst := dbtest.SQLite(t) // migrated, empty
		if _, err := Restore(ctx, dst, p, t.TempDir()); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: Restore = %v, want ErrCorrupt", name, err)
		}
		var n int
		if err := dst.QueryRow(ctx, `SELECT COUNT(*) FROM areas`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: a refused restore left %d areas (%v)", name, n, err)
		}
	}
	if _, err := Verify(archive); err != nil {
		t.Fatalf("the good archive: %v", err)
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func gz(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}
