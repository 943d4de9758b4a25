package main

import (
	"os"
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

// TestEncryptedBackupCommands: keygen, an encrypted backup, verify and
// restore with the key (from a file, and from FANZHA_BACKUP_KEY), refused
// without it or with another key; audit verify holds on the restored copy.
func TestEncryptedBackupCommands(t *testing.T) {
	tmp := t.TempDir()
	src, dst, archive := filepath.Join(tmp, "src"), filepath.Join(tmp, "dst"), filepath.Join(tmp, "county.tar.gz.enc")
	key, other := filepath.Join(tmp, "backup.key"), filepath.Join(tmp, "other.key")
	run := func(env []string, args ...string) (string, int) {
		t.Helper()
		cmd := exec.Command(fanzhaBin, args...)
		cmd.Env = append(os.Environ(), env...)
		cmd.Stdin = strings.NewReader("A-good-password-9\n")
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), 0
	}
	must := func(env []string, args ...string) string {
		t.Helper()
		out, code := run(env, args...)
		if code != 0 {
			t.Fatalf("fanzha %s: exit %d\n%s", strings.Join(args, " "), code, out)
		}
		return out
	}
	must(nil, "setup", "--data", src, "--county-code", "430102", "--county-name", "芙蓉区", "--admin", "boss")
	if out := must(nil, "backup", "keygen", "--out", key); !strings.Contains(out, "key id") {
		t.Fatalf("keygen: %s", out)
	}
	must(nil, "backup", "keygen", "--out", other)
	if out, code := run(nil, "backup", "keygen", "--out", key); code == 0 {
		t.Fatalf("keygen over an existing key: %s", out)
	}
	if out := must(nil, "backup", "--data", src, "--key-file", key, "--out", archive); !strings.Contains(out, "encrypted with key id") {
		t.Fatalf("backup: %s", out)
	}
	if out, code := run(nil, "backup", "verify", archive); code != 1 || !strings.Contains(out, "is encrypted") {
		t.Fatalf("verify without the key: exit %d %s", code, out)
	}
	if out, code := run(nil, "restore", "--data", dst, "--key-file", other, archive); code != 1 || !strings.Contains(out, "was encrypted with key id") {
		t.Fatalf("restore with another key: exit %d %s", code, out)
	}
	if out := must(nil, "backup", "verify", "--key-file", other, "--key-file", key, archive); !strings.Contains(out, "OK") {
		t.Fatalf("verify with old and new keys: %s", out)
	}
	hexKey, err := os.ReadFile(key)
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"FANZHA_BACKUP_KEY=" + strings.TrimSpace(string(hexKey))}
	if out := must(env, "restore", "--data", dst, archive); !strings.Contains(out, "every checksum matches") {
		t.Fatalf("restore with FANZHA_BACKUP_KEY: %s", out)
	}
	if out := must(nil, "audit", "verify", "--data", dst); !strings.Contains(out, "audit log OK") {
		t.Fatalf("audit verify on the restored copy: %s", out)
	}
}
