package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/setup"
)

func init() {
	register("setup", "first start: create the county (or the province) and the first administrator (password on stdin)", runSetup)
}

func runSetup(ctx context.Context, args []string) error {
	return setupCommand(ctx, args, os.Stdin, os.Stdout, os.Stderr)
}

// setupCommand is runSetup with its streams, for tests.
func setupCommand(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("setup")
	data := fs.String("data", "./data", "data directory holding the SQLite file")
	dsn := fs.String("db", "", "database: empty for SQLite in --data, or a postgres:// URL")
	code := fs.String("county-code", "", "6-digit administrative code of the county (e.g. 430102)")
	name := fs.String("county-name", "", "name of the county, ending in 县, 区, 市 or 旗")
	provCode := fs.String("province-code", "", "instead of a county: 6-digit code of a province (e.g. 430000), whose cities and counties are then imported")
	provName := fs.String("province-name", "", "name of the province, ending in 省, 自治区 or 市")
	admin := fs.String("admin", "", "username of the first administrator")
	adminName := fs.String("admin-name", "", "display name of the first administrator")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	level := area.County
	switch {
	case (*provCode != "" || *provName != "") && (*code != "" || *name != ""):
		return fmt.Errorf("%w: give either the county (--county-code, --county-name) or the province (--province-code, --province-name)", errUsage)
	case *provCode != "" || *provName != "":
		if *provCode == "" || *provName == "" || *admin == "" {
			return fmt.Errorf("%w: --province-code, --province-name and --admin are required; the password is read from stdin", errUsage)
		}
		level, *code, *name = area.Province, *provCode, *provName
	case *code == "" || *name == "" || *admin == "":
		return fmt.Errorf("%w: --county-code, --county-name and --admin are required; the password is read from stdin", errUsage)
	}
	if f, ok := stdin.(*os.File); ok && isTerminal(f) {
		fmt.Fprintf(stderr, "password for %s: ", *admin)
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return fmt.Errorf("read the administrator's password from stdin: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	d, err := openDB(ctx, *dsn, *data, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	res, err := setup.Run(ctx, d, setup.Params{Level: level, CountyCode: *code, CountyName: *name, AdminUsername: *admin,
		AdminName: *adminName, Password: pw}, setup.Options{Audit: auth.AuditEntry{IP: "cli", Username: "cli:" + osUser()}})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s (%s) and administrator %s; sign in at /login, then 系统管理 (/admin)\n",
		res.County.Name, res.County.Code, res.Admin.Username)
	return nil
}

// isTerminal reports whether f is a character device (an interactive
// terminal) rather than a pipe or file.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
