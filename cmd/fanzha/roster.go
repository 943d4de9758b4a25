package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/roster"
)

func init() {
	register("roster", "duty roster: import or export shifts (.csv/.xlsx)", runRoster)
}

const rosterUsage = `usage: fanzha roster <import|export> [flags]
  import --data DIR [--db URL] FILE
         FILE (.csv UTF-8 or GBK, or .xlsx) has the columns 用户名, 开始, 结束 (2026-12-08 08:00,
         Asia/Shanghai) and optionally 岗位 (劝阻/值班) and 所属 (station code). Any bad row: each is
         reported on stderr with its row number, nothing is imported, exit status 1.
  export --data DIR [--db URL] [--from 2026-12-08] [--days 14] [--out FILE.csv|FILE.xlsx]
         the shifts starting in those days, same columns (stdout CSV without --out)`

func runRoster(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w\n%s", errUsage, rosterUsage)
	}
	sub, rest := args[0], args[1:]
	fs := newFlags("roster " + sub)
	data := fs.String("data", "./data", "data directory holding the SQLite file")
	dsn := fs.String("db", "", "database: empty for SQLite in --data, or a postgres:// URL")
	from := fs.String("from", "", "export: first day (YYYY-MM-DD, Asia/Shanghai; default today)")
	days := fs.Int("days", 14, "export: number of days")
	out := fs.String("out", "", "export: output file, .csv or .xlsx (default: CSV on stdout)")
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	if sub != "import" && sub != "export" {
		return fmt.Errorf("%w: unknown roster command %q\n%s", errUsage, sub, rosterUsage)
	}
	if sub == "import" && fs.NArg() != 1 {
		return fmt.Errorf("%w: roster import takes one FILE\n%s", errUsage, rosterUsage)
	}
	if *days < 1 || *days > 366 {
		return fmt.Errorf("%w: --days must be 1..366", errUsage)
	}
	d, err := openDB(ctx, *dsn, *data, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	root, err := area.Root(ctx, d)
	if err != nil {
		return fmt.Errorf("no jurisdiction tree in this database (import it first): %w", err)
	}
	now := time.Now().UTC()
	a := roster.Actor{Scope: root, Audit: auth.AuditEntry{IP: "cli", Username: "cli:" + osUser()}, Now: now}
	if sub == "import" {
		return rosterImport(ctx, d, a, fs.Arg(0))
	}
	start := roster.DayOf(now)
	if *from != "" {
		if start, err = roster.ParseDay(*from); err != nil {
			return fmt.Errorf("%w: --from: %v", errUsage, err)
		}
	}
	rows, err := roster.ExportRows(ctx, d, root, start, start.AddDate(0, 0, *days))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if strings.EqualFold(filepath.Ext(*out), ".xlsx") {
		err = roster.WriteXLSX(&buf, rows)
	} else {
		err = roster.WriteCSV(&buf, rows)
	}
	if err != nil {
		return err
	}
	e := a.Audit.With(auth.AuditExport, "duty_shift", "")
	e.Detail = fmt.Sprintf("roster export %s, %d days: %d shifts", start.Format(roster.DayLayout), *days, len(rows))
	if err := auth.Audit(ctx, d, e); err != nil {
		return err
	}
	if *out == "" {
		_, err = os.Stdout.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o640); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%d shifts written to %s\n", len(rows), *out)
	return nil
}

func rosterImport(ctx context.Context, d *db.DB, a roster.Actor, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var rep roster.ImportReport
	err = d.InTx(ctx, func(tx *db.Tx) error {
		var err error
		rep, err = roster.Import(ctx, tx, a, filepath.Base(path), io.Reader(f))
		return err
	})
	for _, b := range rep.Bad {
		fmt.Fprintf(os.Stderr, "%s: row %d: %s\n", filepath.Base(path), b.Row, b.Reason)
	}
	if err != nil {
		if len(rep.Bad) > 0 {
			return fmt.Errorf("%d bad rows of %d, nothing imported", len(rep.Bad), rep.Rows)
		}
		return err
	}
	fmt.Fprintf(os.Stderr, "%s: %d shifts imported (%s)\n", filepath.Base(path), rep.Created, rep.Encoding)
	return nil
}
