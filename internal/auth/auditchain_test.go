package auth_test

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

func writeAudits(t *testing.T, d *db.DB, n int, tag string) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < n; i++ {
		e := auth.AuditEntry{Username: "u" + tag, Role: auth.RoleAdmin, IP: "10.0.0.1", Action: auth.AuditUpdate,
			ObjectType: "warning", ObjectID: fmt.Sprint(i), Detail: fmt.Sprintf("%s row %d 张三", tag, i)}
		if err := auth.Audit(ctx, d, e); err != nil {
			t.Fatal(err)
		}
	}
}

func mustVerify(t *testing.T, d *db.DB) auth.ChainReport {
	t.Helper()
	rep, err := auth.VerifyAudit(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// dropAppendOnly removes the trigger that refuses UPDATE and DELETE, as an
// insider with the database's owner account could.
func dropAppendOnly(t *testing.T, d *db.DB) {
	t.Helper()
	stmts := []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`}
	if d.Dialect == db.Postgres {
		stmts = []string{`DROP TRIGGER audit_log_no_change ON audit_log`}
	}
	for _, s := range stmts {
		if _, err := d.Exec(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestAuditChainDetectsTampering(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		writeAudits(t, d, 7, "a")
		if rep := mustVerify(t, d); !rep.OK() || rep.Unsealed != 7 || rep.Sealed != 0 {
			t.Fatalf("before sealing: %+v", rep)
		}
		n, err := auth.SealAudit(ctx, d, time.Now())
		if err != nil || n != 7 {
			t.Fatalf("seal = %d, %v", n, err)
		}
		writeAudits(t, d, 3, "b")
		if n, err := auth.SealAudit(ctx, d, time.Now()); err != nil || n != 3 {
			t.Fatalf("second seal = %d, %v", n, err)
		}
		rep := mustVerify(t, d)
		if !rep.OK() || rep.Sealed != 10 || rep.Unsealed != 0 || rep.HeadSeq != 10 || len(rep.HeadHash) != 64 {
			t.Fatalf("clean chain: %+v", rep)
		}

		// The triggers still refuse changes of a sealed row, re-sealing,
		// and (PostgreSQL) TRUNCATE.
		if _, err := d.Exec(ctx, `UPDATE audit_log SET detail = 'x' WHERE id = 3`); err == nil {
			t.Fatal("a sealed row accepted an UPDATE")
		}
		if _, err := d.Exec(ctx, `UPDATE audit_log SET hash = 'x' WHERE id = 3`); err == nil {
			t.Fatal("a sealed row accepted a new hash")
		}
		writeAudits(t, d, 1, "c")
		if _, err := d.Exec(ctx, `UPDATE audit_log SET detail = 'x', seq = 99, hash = 'y' WHERE hash IS NULL`); err == nil {
			t.Fatal("sealing accepted a changed detail")
		}
		if d.Dialect == db.Postgres {
			if _, err := d.Exec(ctx, `TRUNCATE audit_log`); err == nil {
				t.Fatal("audit_log accepted TRUNCATE")
			}
		}
		if _, err := auth.SealAudit(ctx, d, time.Now()); err != nil {
			t.Fatal(err)
		}

		// An insider drops the trigger and edits row 4: verify names it.
		dropAppendOnly(t, d)
		if _, err := d.Exec(ctx, `UPDATE audit_log SET username = 'someone-else' WHERE id = 4`); err != nil {
			t.Fatal(err)
		}
		rep = mustVerify(t, d)
		if rep.OK() || rep.Broken.Entry.ID != 4 || !strings.Contains(rep.Broken.Reason, "does not match") {
			t.Fatalf("edited row: %+v %+v", rep, rep.Broken)
		}
	})
}

func TestAuditChainDetectsRemovedRow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		writeAudits(t, d, 6, "a")
		if _, err := auth.SealAudit(ctx, d, time.Now()); err != nil {
			t.Fatal(err)
		}
		dropAppendOnly(t, d)
		// A row removed from the middle: the next row is reported.
		if _, err := d.Exec(ctx, `DELETE FROM audit_log WHERE id = 3`); err != nil {
			t.Fatal(err)
		}
		rep := mustVerify(t, d)
		if rep.OK() || rep.Broken.Entry.ID != 4 || !strings.Contains(rep.Broken.Reason, "missing") {
			t.Fatalf("removed middle row: %+v %+v", rep, rep.Broken)
		}
	})
}

func TestAuditChainDetectsRemovedTail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		writeAudits(t, d, 6, "a")
		if _, err := auth.SealAudit(ctx, d, time.Now()); err != nil {
			t.Fatal(err)
		}
		dropAppendOnly(t, d)
		// The last rows removed: the head no longer matches.
		if _, err := d.Exec(ctx, `DELETE FROM audit_log WHERE id >= 5`); err != nil {
			t.Fatal(err)
		}
		rep := mustVerify(t, d)
		if rep.OK() || rep.Broken.Seq != 5 || !strings.Contains(rep.Broken.Reason, "head") {
			t.Fatalf("removed tail: %+v %+v", rep, rep.Broken)
		}
	})
}

// Two processes (two pools on one database) write and seal at the same
// time: the chain never forks, every row is sealed once, in one order.
func TestAuditChainConcurrentSealers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		other, err := db.Open(ctx, d.DSN, "")
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		const perWriter = 150
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		stop := make(chan struct{})
		var sealers sync.WaitGroup
		for _, h := range []*db.DB{d, other} {
			wg.Add(2)
			for w := 0; w < 2; w++ {
				go func(h *db.DB, w int) {
					defer wg.Done()
					for i := 0; i < perWriter; i++ {
						err := h.InTx(ctx, func(tx *db.Tx) error {
							return auth.Audit(ctx, tx, auth.AuditEntry{Username: fmt.Sprintf("w%d", w), Action: auth.AuditCreate, Detail: fmt.Sprint(i)})
						})
						if err != nil {
							errs <- err
							return
						}
					}
				}(h, w)
			}
			sealers.Add(1)
			go func(h *db.DB) {
				defer sealers.Done()
				for {
					if _, err := auth.SealAudit(ctx, h, time.Now()); err != nil {
						errs <- err
						return
					}
					select {
					case <-stop:
						return
					case <-time.After(2 * time.Millisecond):
					}
				}
			}(h)
		}
		wg.Wait()
		close(stop)
		sealers.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if _, err := auth.SealAudit(ctx, other, time.Now()); err != nil {
			t.Fatal(err)
		}
		rep := mustVerify(t, d)
		if !rep.OK() || rep.Sealed != 4*perWriter || rep.Unsealed != 0 {
			t.Fatalf("after concurrent sealing: %+v %+v", rep, rep.Broken)
		}
	})
}

// BenchmarkAuditSeal measures the sealing pass: ns/op is per row chained
// (after commit, off the request path).
func BenchmarkAuditSeal(b *testing.B) {
	for _, eng := range dbtest.Engines() {
		b.Run(string(eng), func(b *testing.B) {
			d := dbtest.Open(b, eng)
			ctx := context.Background()
			err := d.InTx(ctx, func(tx *db.Tx) error {
				for i := 0; i < b.N; i++ {
					if err := auth.Audit(ctx, tx, auth.AuditEntry{Username: "bench", IP: "10.0.0.1", Action: auth.AuditView, ObjectType: "warning", ObjectID: fmt.Sprint(i), Detail: "/warnings/1"}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			if n, err := auth.SealAudit(ctx, d, time.Now()); err != nil || n != b.N {
				b.Fatalf("sealed %d of %d: %v", n, b.N, err)
			}
		})
	}
}

// An insider who rewrites the whole chain (triggers dropped, a row edited,
// every row resealed) passes a bare verify; the head recorded earlier
// outside the database catches it.
func TestAuditChainAnchorCatchesRewrite(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		writeAudits(t, d, 5, "a")
		if _, err := auth.SealAudit(ctx, d, time.Now()); err != nil {
			t.Fatal(err)
		}
		rep := mustVerify(t, d)
		anchor, err := auth.ParseAnchor(fmt.Sprintf("%d:%s", rep.HeadSeq, rep.HeadHash))
		if err != nil {
			t.Fatal(err)
		}
		if rep, err := auth.VerifyAudit(ctx, d, anchor); err != nil || !rep.OK() {
			t.Fatalf("anchor on a clean chain: %+v %v", rep, err)
		}
		dropAppendOnly(t, d)
		for _, q := range []string{`UPDATE audit_log SET detail = 'nothing happened', seq = NULL, hash = NULL`, `UPDATE audit_chain SET seq = 0, hash = ''`} {
			if _, err := d.Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := auth.SealAudit(ctx, d, time.Now()); err != nil {
			t.Fatal(err)
		}
		if rep := mustVerify(t, d); !rep.OK() {
			t.Fatalf("the rewritten chain is consistent in itself: %+v", rep.Broken)
		}
		rep, err = auth.VerifyAudit(ctx, d, anchor)
		if err != nil || rep.OK() || !strings.Contains(rep.Broken.Reason, "recorded earlier") {
			t.Fatalf("rewrite with an anchor: %+v %v", rep.Broken, err)
		}
		// An anchor beyond the end: rows were removed.
		rep, _ = auth.VerifyAudit(ctx, d, auth.ChainAnchor{Seq: 99, Hash: anchor.Hash})
		if rep.OK() || !strings.Contains(rep.Broken.Reason, "rows were removed") {
			t.Fatalf("anchor beyond the end: %+v", rep.Broken)
		}
	})
}

func TestParseAnchor(t *testing.T) {
	h := strings.Repeat("ab", 32)
	for in, ok := range map[string]bool{"12:" + h: true, " 1:" + strings.ToUpper(h) + "\n": true, "0:" + h: false, "x:" + h: false, "12:abc": false, h: false} {
		if _, err := auth.ParseAnchor(in); (err == nil) != ok {
			t.Errorf("ParseAnchor(%q) = %v", in, err)
		}
	}
}

// The sealer logs the head, which then serves as an anchor.
func TestAuditSealerLogsHead(t *testing.T) {
	d := dbtest.SQLite(t)
	writeAudits(t, d, 3, "a")
	var buf syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		(&auth.AuditSealer{DB: d, Log: slog.New(slog.NewTextHandler(&buf, nil))}).Run(ctx, 10*time.Millisecond)
		close(done)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for !(strings.Contains(buf.String(), "audit chain head") && strings.Contains(buf.String(), "audit chain verified")) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	m := regexp.MustCompile(`anchor=(\d+:[0-9a-f]{64})`).FindStringSubmatch(buf.String())
	if m == nil {
		t.Fatalf("no head logged: %s", buf.String())
	}
	a, err := auth.ParseAnchor(m[1])
	if err != nil || a.Seq != 3 {
		t.Fatalf("logged anchor %q: %v", m[1], err)
	}
	if rep, err := auth.VerifyAudit(context.Background(), d, a); err != nil || !rep.OK() {
		t.Fatalf("verify with the logged anchor: %+v %v", rep, err)
	}
	if !strings.Contains(buf.String(), "audit chain verified") {
		t.Fatalf("no verification at start: %s", buf.String())
	}
}

// The sealer verifies the chain periodically and logs a break at ERROR,
// including a rewrite of the whole chain that only its own logged heads
// reveal.
func TestAuditSealerReportsBrokenChain(t *testing.T) {
	d := dbtest.SQLite(t)
	writeAudits(t, d, 3, "a")
	var buf syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		(&auth.AuditSealer{DB: d, Log: slog.New(slog.NewTextHandler(&buf, nil)), VerifyEvery: 20 * time.Millisecond}).Run(ctx, 10*time.Millisecond)
		close(done)
	}()
	defer func() { cancel(); <-done }()
	wait := func(s string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !strings.Contains(buf.String(), s) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if !strings.Contains(buf.String(), s) {
			t.Fatalf("%q not logged: %s", s, buf.String())
		}
	}
	wait("audit chain head")
	wait("audit chain verified")
	dropAppendOnly(t, d)
	for _, q := range []string{`UPDATE audit_log SET detail = 'nothing happened', seq = NULL, hash = NULL`, `UPDATE audit_chain SET seq = 0, hash = ''`} {
		if _, err := d.Exec(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	wait("level=ERROR msg=\"audit chain broken")
	if !strings.Contains(buf.String(), "recorded earlier") {
		t.Fatalf("the break does not name the rewrite: %s", buf.String())
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Rows written before migration 00019 are chained by the first seal.
func TestAuditChainAdoptsOlderRows(t *testing.T) {
	for _, eng := range dbtest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			ctx := context.Background()
			d := dbtest.Unmigrated(t, eng)
			if _, err := d.MigrateTo(ctx, 17); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 4; i++ {
				if _, err := d.Exec(ctx, `INSERT INTO audit_log (at, username, action, detail) VALUES (?, 'old', 'login', ?)`, 1000+i, fmt.Sprint(i)); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := d.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if rep := mustVerify(t, d); !rep.OK() || rep.Unsealed != 4 {
				t.Fatalf("after migrating: %+v", rep)
			}
			if n, err := auth.SealAudit(ctx, d, time.Now()); err != nil || n != 4 {
				t.Fatalf("first seal = %d, %v", n, err)
			}
			if rep := mustVerify(t, d); !rep.OK() || rep.Sealed != 4 {
				t.Fatalf("after the first seal: %+v", rep)
			}
		})
	}
}
