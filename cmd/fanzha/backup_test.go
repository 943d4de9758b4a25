package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBackupRestoreCommands: setup, backup, verify, restore into a new
// directory, and `db check` prints the same table figures for both; a
// second restore into the now full directory exits non-zero.
func TestBackupRestoreCommands(t *testing.T) {
	tmp := t.TempDir()
	src, dst, archive := filepath.Join(tmp, "src"), filepath.Join(tmp, "dst"), filepath.Join(tmp, "county.tar.gz")
	run := func(stdin string, args ...string) (string, int) {
		t.Helper()
		cmd := exec.Command(fanzhaBin, args...)
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), 0
	}
	must := func(stdin string, args ...string) string {
		t.Helper()
		out, code := run(stdin, args...)
		if code != 0 {
			t.Fatalf("fanzha %s: exit %d\n%s", strings.Join(args, " "), code, out)
		}
		return out
	}
	must("A-good-password-9\n", "setup", "--data", src, "--county-code", "430102", "--county-name", "芙蓉区", "--admin", "boss")
	must("", "backup", "--data", src, "--out", archive)
	if out, code := run("", "backup", "--data", src, "--out", archive); code == 0 {
		t.Fatalf("backup over an existing file: %s", out)
	}
	if out := must("", "backup", "verify", archive); !strings.Contains(out, "OK") {
		t.Fatalf("verify: %s", out)
	}
	if out := must("", "restore", "--data", dst, archive); !strings.Contains(out, "every checksum matches") {
		t.Fatalf("restore: %s", out)
	}
	table := func(out string) string { // the table lines, without the header's time
		_, rest, _ := strings.Cut(out, "\n")
		return rest
	}
	a, b := must("", "db", "check", "--data", src), must("", "backup", "stats", "--data", dst)
	if table(a) != table(b) || !strings.Contains(a, "areas") {
		t.Fatalf("db check differs:\n%s\n%s", a, b)
	}
	if out, code := run("", "restore", "--data", dst, archive); code == 0 || !strings.Contains(out, "not empty") {
		t.Fatalf("second restore: exit %d %s", code, out)
	}
	// The restored centre is set up: setup refuses there too.
	if out, code := run("Another-password-9\n", "setup", "--data", dst, "--county-code", "430102", "--county-name", "芙蓉区", "--admin", "x"); code == 0 {
		t.Fatalf("setup on the restored centre: %s", out)
	}
}
