package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/db"
)

// TestSetupCommandOnce: `fanzha setup` creates the county and the admin on
// an empty database; a second run exits non-zero and changes nothing.
func TestSetupCommandOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	setupRun := func(admin, pw string) (string, int) {
		cmd := exec.Command(fanzhaBin, "setup", "--data", dir, "--county-code", "430102", "--county-name", "芙蓉区",
			"--admin", admin, "--admin-name", "王主任")
		cmd.Stdin = strings.NewReader(pw + "\n")
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), 0
	}
	if out, code := setupRun("boss", "short"); code == 0 || !strings.Contains(out, "密码至少 10 位") {
		t.Fatalf("weak password: exit %d, %s", code, out)
	}
	out, code := setupRun("boss", "Correct-horse-battery-9")
	if code != 0 || !strings.Contains(out, "芙蓉区") {
		t.Fatalf("first setup: exit %d, %s", code, out)
	}
	counts := func() string {
		d, err := db.Open(context.Background(), "", dir)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		var s []string
		for _, q := range []string{"SELECT COUNT(*) FROM areas", "SELECT COUNT(*) FROM users", "SELECT COUNT(*) FROM audit_log",
			"SELECT COALESCE(MAX(username), '') FROM users"} {
			var v string
			if err := d.QueryRow(context.Background(), q).Scan(&v); err != nil {
				t.Fatal(err)
			}
			s = append(s, v)
		}
		return strings.Join(s, ",")
	}
	before := counts()
	if before != "1,1,2,boss" {
		t.Fatalf("after the first setup: %s", before)
	}
	out, code = setupRun("other", "Second-good-pass-9")
	if code == 0 || !strings.Contains(out, "系统已完成初始化") {
		t.Fatalf("second setup: exit %d, %s", code, out)
	}
	if after := counts(); after != before {
		t.Fatalf("the second setup changed the database: %s → %s", before, after)
	}
}
