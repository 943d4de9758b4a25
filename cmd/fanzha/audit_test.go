package main

import (
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// TestAuditVerifyCommand: `fanzha audit verify` seals and accepts a clean
// log, then exits non-zero naming the row an insider edited after dropping
// the append-only trigger — on SQLite and PostgreSQL.
func TestAuditVerifyCommand(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		for _, u := range []string{"alice", "bob", "carol"} {
			if err := auth.Audit(ctx, d, auth.AuditEntry{Username: u, IP: "10.1.1.1", Action: auth.AuditLogin}); err != nil {
				t.Fatal(err)
			}
		}
		verify := func(extra ...string) (string, int) {
			t.Helper()
			args := append([]string{"audit", "verify", "--data", t.TempDir(), "--db", d.DSN}, extra...)
			out, err := exec.Command(fanzhaBin, args...).CombinedOutput()
			if ee, ok := err.(*exec.ExitError); ok {
				return string(out), ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			return string(out), 0
		}
		if out, code := verify("--no-seal"); code != 0 || !strings.Contains(out, "3 rows written since the last seal are not chained yet") {
			t.Fatalf("read-only verify: exit %d\n%s", code, out)
		}
		if out, code := verify(); code != 0 || !strings.Contains(out, "sealed 3") || !strings.Contains(out, "audit log OK: 3 rows chained") {
			t.Fatalf("verify: exit %d\n%s", code, out)
		}
		out, _ := verify()
		head := regexp.MustCompile(`head (\d+:[0-9a-f]{64})`).FindStringSubmatch(out)
		if head == nil {
			t.Fatalf("no head printed: %s", out)
		}
		if out, code := verify("--anchor", head[1]); code != 0 || !strings.Contains(out, "1 recorded heads hold") {
			t.Fatalf("verify with the recorded head: exit %d\n%s", code, out)
		}
		if out, code := verify("--anchor", "7:"+strings.Repeat("0", 64)); code != 1 || !strings.Contains(out, "rows were removed") {
			t.Fatalf("verify with a head beyond the end: exit %d\n%s", code, out)
		}
		drop := `DROP TRIGGER audit_log_no_update`
		if d.Dialect == db.Postgres {
			drop = `DROP TRIGGER audit_log_no_change ON audit_log`
		}
		if _, err := d.Exec(ctx, drop); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, `UPDATE audit_log SET ip = '10.9.9.9' WHERE username = 'bob'`); err != nil {
			t.Fatal(err)
		}
		out, code := verify()
		if code != 1 || !strings.Contains(out, "BROKEN after 1 good rows") || !strings.Contains(out, `user "bob"`) {
			t.Fatalf("tampered log: exit %d\n%s", code, out)
		}
	})
}
