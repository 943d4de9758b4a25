package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/settings"
	"github.com/fanzha/fanzha/internal/warning"
)

func init() {
	register("import", "import files: warnings, bank statements (Excel/CSV, UTF-8 or GBK)", runImport)
}

const importUsage = `usage: fanzha import warnings   [--all-or-nothing] [--data DIR | --db URL] FILE...
       fanzha import statements [--mapping NAME] [--all-or-nothing] [--data DIR | --db URL] FILE...`

func runImport(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w\n%s", errUsage, importUsage)
	}
	switch args[0] {
	case "warnings":
		return importWarnings(ctx, args[1:])
	case "statements":
		return importStatements(ctx, args[1:])
	}
	return fmt.Errorf("%w: unknown import kind %q\n%s", errUsage, args[0], importUsage)
}

func importWarnings(ctx context.Context, args []string) error {
	fs := newFlags("import warnings")
	data := fs.String("data", "./data", "data directory holding the SQLite file")
	dsn := fs.String("db", "", "database: empty for SQLite in --data, or a postgres:// URL")
	atomic := fs.Bool("all-or-nothing", false, "refuse the whole file when any row is bad (default: take the good rows, report the bad)")
	deadlines := fs.String("deadlines", "", "override of the warning deadlines set in the console, as for serve")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: no file given\n%s", errUsage, importUsage)
	}
	policy, err := warning.ParsePolicy(*deadlines)
	if err != nil {
		return fmt.Errorf("%w: --deadlines: %v", errUsage, err)
	}
	d, err := openDB(ctx, *dsn, *data, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	// The deadlines and score points in force are those of 系统设置,
	// with --deadlines as an override.
	st, err := settings.New(d, settings.Overrides{Deadlines: *deadlines}, nil)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if policy, err = st.Policy(ctx); err != nil {
		return err
	}
	in, err := warning.NewIntake(ctx, d, policy, time.Now)
	if err != nil {
		return fmt.Errorf("%w (is the jurisdiction tree loaded? run fanzha demo or load the county first)", err)
	}
	in.PolicySource = st.Policy
	failed := false
	for _, path := range fs.Args() {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		rep, err := in.ImportFile(ctx, filepath.Base(path), f, *atomic, "cli", 0)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		fmt.Printf("%s (%s): %d rows — %d new, %d merged, %d already stored, %d bad\n",
			path, rep.Encoding, rep.Rows, rep.Created, rep.Merged, rep.Duplicates, rep.Rejected)
		for _, e := range rep.Errors {
			fmt.Printf("  row %d: %s\n", e.Row, e.Reason)
		}
		if !rep.Stored {
			fmt.Printf("  nothing stored: the file has bad rows and --all-or-nothing was given\n")
			failed = true
		}
		_ = auth.Audit(ctx, d, auth.AuditEntry{IP: "cli", Username: "cli:" + osUser(), Action: auth.AuditCreate, ObjectType: "warning",
			Detail: fmt.Sprintf("import %s: %d created, %d merged, %d duplicate, %d bad", filepath.Base(path), rep.Created, rep.Merged, rep.Duplicates, rep.Rejected)})
	}
	if failed {
		return fmt.Errorf("some files were refused")
	}
	return nil
}

func importStatements(ctx context.Context, args []string) error {
	fs := newFlags("import statements")
	data := fs.String("data", "./data", "data directory holding the SQLite file")
	dsn := fs.String("db", "", "database: empty for SQLite in --data, or a postgres:// URL")
	mapping := fs.String("mapping", "", "column mapping name (default: detected from the header); see docs/STATEMENTS.md")
	atomic := fs.Bool("all-or-nothing", false, "refuse a file when any row is bad (default: take the good rows, report the bad)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: no file given\n%s", errUsage, importUsage)
	}
	d, err := openDB(ctx, *dsn, *data, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	failed := false
	for _, path := range fs.Args() {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		start := time.Now()
		rep, err := funds.ImportStatement(ctx, d, filepath.Base(path), f, funds.ImportOptions{Mapping: *mapping, AllOrNothing: *atomic})
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		el := time.Since(start)
		fmt.Printf("%s (%s, mapping %s): %d rows in %.1f s — %d stored, %d already stored, %d bad, %d accounts\n",
			path, rep.Encoding, rep.Mapping, rep.Rows, el.Seconds(), rep.Stored, rep.Duplicates, rep.Bad, rep.Accounts)
		for _, e := range rep.Errors {
			fmt.Printf("  %s row %d: %s\n", e.File, e.Row, e.Reason)
		}
		if rep.Bad > int64(len(rep.Errors)) {
			fmt.Printf("  … and %d more bad rows\n", rep.Bad-int64(len(rep.Errors)))
		}
		if !rep.Committed {
			fmt.Printf("  nothing stored: the file has bad rows and --all-or-nothing was given\n")
			failed = true
		}
		_ = auth.Audit(ctx, d, auth.AuditEntry{IP: "cli", Username: "cli:" + osUser(), Action: auth.AuditCreate, ObjectType: "statement",
			Detail: fmt.Sprintf("import %s: %d stored, %d duplicate, %d bad", filepath.Base(path), rep.Stored, rep.Duplicates, rep.Bad)})
	}
	if failed {
		return fmt.Errorf("some files were refused")
	}
	return nil
}
