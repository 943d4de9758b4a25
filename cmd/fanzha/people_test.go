package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
)

// The command-line contract of units and users: the exact forms centres'
// scripts use.
func TestUnitsAndUsersCLI(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	auth.BcryptCost = 4
	d, err := openDB(ctx, "", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	root := area.Node{Level: area.County, Code: "341125", Name: "云溪县"}
	if err := area.Create(ctx, d, &root); err != nil {
		t.Fatal(err)
	}
	st := area.Node{ParentID: root.ID, Level: area.Station, Code: "QS", Name: "青石派出所"}
	if err := area.Create(ctx, d, &st); err != nil {
		t.Fatal(err)
	}
	d.Close()

	run := func(cmd func(context.Context, []string) error, args ...string) error {
		return cmd(ctx, append(args[:1:1], append([]string{"--data", dir}, args[1:]...)...))
	}
	if err := run(runUnits, "create", "--kind", "bank", "--name", "工商银行云溪支行"); err != nil {
		t.Fatal(err)
	}
	if err := run(runUnits, "create", "--kind", "bank", "--name", "工商银行云溪支行营业部", "--parent", "工商银行云溪支行", "--code", "ICBC-1"); err != nil {
		t.Fatal(err)
	}
	if err := run(runUnits, "create", "--kind", "bank", "--name", "工商银行云溪支行"); err == nil {
		t.Error("duplicate unit name accepted")
	}
	if err := run(runUnits, "create", "--kind", "church", "--name", "x"); err == nil {
		t.Error("unknown kind accepted")
	}
	if err := run(runUnits, "list"); err != nil {
		t.Fatal(err)
	}
	// Passwords come from stdin (or a terminal prompt), never from the
	// command line.
	defer func(r io.Reader) { userStdin = r }(userStdin)
	stdin := func(pw string) { userStdin = strings.NewReader(pw + "\n") }
	stdin("Bank-one-2026")
	if err := run(runUser, "create", "--username", "bank1", "--unit", "工商银行云溪支行", "--password", "-"); err != nil {
		t.Fatal(err)
	}
	stdin("Qingshi-2026!")
	if err := run(runUser, "create", "--username", "qs1", "--role", "dissuader", "--area", "QS", "--password", "-"); err != nil {
		t.Fatal(err)
	}
	stdin("12345678")
	if err := run(runUser, "create", "--username", "weak", "--role", "dissuader", "--area", "QS", "--password", "-"); err == nil {
		t.Error("weak password accepted")
	}
	stdin("Qingshi-2026!")
	if err := run(runUser, "create", "--username", "argv", "--role", "dissuader", "--area", "QS", "--password", "Qingshi-2026!"); !errors.Is(err, errUsage) {
		t.Errorf("a password on the command line: %v, want a usage error", err)
	}
	stdin("")
	if err := run(runUser, "create", "--username", "nopw", "--role", "dissuader", "--area", "QS"); !errors.Is(err, errUsage) {
		t.Errorf("no password: %v", err)
	}
	stdin("Bank-one-2026")
	if err := run(runUser, "create", "--username", "p2", "--role", "duty", "--unit", "工商银行云溪支行", "--password", "-"); !errors.Is(err, errUsage) {
		t.Errorf("--unit with a non-partner role: %v", err)
	}
	if err := run(runUser, "disable", "--user", "qs1"); err != nil {
		t.Fatal(err)
	}
	if err := run(runUser, "enable", "--user", "qs1"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "officers.csv")
	if err := os.WriteFile(file, []byte("用户名,姓名,角色,辖区代码\nzhang,张伟,劝阻民警,QS\nwang,王芳,队长,QS\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	d, err = openDB(ctx, "", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	p, err := auth.CLIPrincipal(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	err = importUsers(ctx, d, p, auth.AuditEntry{Username: "cli"}, file, time.Now(), &stdout, &stderr)
	if err == nil || !strings.Contains(stderr.String(), "row 3: 未知角色") || stdout.Len() != 0 {
		t.Errorf("bad import: %v %q %q", err, stderr.String(), stdout.String())
	}
	if err := os.WriteFile(file, []byte("用户名,姓名,角色,辖区代码\nzhang,张伟,劝阻民警,QS\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	stderr.Reset()
	if err := importUsers(ctx, d, p, auth.AuditEntry{Username: "cli"}, file, time.Now(), &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(stdout.String(), "\uFEFF")), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "zhang,张伟,") {
		t.Fatalf("passwords: %q", stdout.String())
	}
	pw := strings.TrimSpace(strings.SplitN(lines[1], ",", 3)[2])
	if _, err := auth.CheckPassword(ctx, d, "zhang", pw); err != nil {
		t.Errorf("printed password: %v", err)
	}
	u, err := auth.GetUserByName(ctx, d, "bank1")
	if err != nil || u.Role != auth.RolePartner || u.UnitID == 0 || u.AreaID != root.ID {
		t.Errorf("partner user: %+v %v", u, err)
	}
	if pw, err := readSecret("-", "", strings.NewReader("Secret-line-1\n")); err != nil || pw != "Secret-line-1" {
		t.Errorf("stdin password: %q %v", pw, err)
	}
	if _, err := readSecret("-", "", strings.NewReader("\n")); err == nil {
		t.Error("empty stdin password accepted")
	}
	var n int
	if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE disabled = 0`).Scan(&n); err != nil || n != 3 {
		t.Errorf("active users: %d %v", n, err)
	}
}
