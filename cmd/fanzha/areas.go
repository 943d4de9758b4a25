package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/tabular"
)

func init() {
	register("areas", "the jurisdiction tree: import from / export to Excel or CSV", runAreas)
}

const areasUsage = `usage: fanzha areas <import|export> [flags]
  import --data DIR [--db URL] FILE     FILE is .csv (UTF-8 or GBK) or .xlsx with the header row
                                        代码, 上级代码, 级别, 名称[, 别名, 人口, 老年人, 未成年人, 学生];
                                        any bad row: nothing is imported, each bad row on stderr, exit 1
  export --data DIR [--db URL] [--out FILE]
                                        the same columns; .xlsx by the extension of --out, otherwise
                                        CSV (UTF-8 with BOM), to stdout without --out
See docs/AREAS.md.`

// parseInterleaved parses flags that may come before or after the
// positional arguments ("import FILE --data DIR" as well as "import --data
// DIR FILE"), and returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	var pos []string
	rest := fs.Args()
	for len(rest) > 0 {
		pos = append(pos, rest[0])
		if err := fs.Parse(rest[1:]); err != nil {
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		rest = fs.Args()
	}
	return pos, nil
}

// cliAuditor writes the tree's audit lines as the command line's user.
func cliAuditor(who auth.AuditEntry) area.Auditor {
	return func(ctx context.Context, q db.Querier, action, id, detail string) error {
		e := who.With(action, "area", id)
		e.Detail = detail
		return auth.Audit(ctx, q, e)
	}
}

func runAreas(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "import" && args[0] != "export") {
		return fmt.Errorf("%w\n%s", errUsage, areasUsage)
	}
	sub, rest := args[0], args[1:]
	fs := newFlags("areas " + sub)
	data := fs.String("data", "./data", "data directory holding the SQLite file")
	dsn := fs.String("db", "", "database: empty for SQLite in --data, or a postgres:// URL")
	out := fs.String("out", "", "export: the file to write (.xlsx or .csv); stdout (CSV) when empty")
	pos, err := parseInterleaved(fs, rest)
	if err != nil {
		return err
	}
	cli := auth.AuditEntry{IP: "cli", Username: "cli:" + osUser()}
	switch sub {
	case "import":
		if len(pos) != 1 {
			return fmt.Errorf("%w: give exactly one FILE (.csv or .xlsx)\n%s", errUsage, areasUsage)
		}
		return areasImport(ctx, *dsn, *data, pos[0], cli)
	default:
		if len(pos) != 0 {
			return fmt.Errorf("%w: export takes no file argument; use --out FILE\n%s", errUsage, areasUsage)
		}
		return areasExport(ctx, *dsn, *data, *out, cli)
	}
}

func areasImport(ctx context.Context, dsn, data, file string, cli auth.AuditEntry) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := tabular.Open(file, f)
	if err != nil {
		return err
	}
	defer r.Close()
	d, err := openDB(ctx, dsn, data, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	root, err := area.Root(ctx, d)
	if err != nil {
		return fmt.Errorf("%w (create the county first: fanzha setup)", err)
	}
	rep, err := area.Import(ctx, d, root, cliAuditor(cli), filepath.Base(file), r)
	if errors.Is(err, area.ErrBadRows) {
		for _, e := range rep.Errors {
			fmt.Fprintf(os.Stderr, "第 %d 行: %s\n", e.Row, e.Reason)
		}
		return fmt.Errorf("%s: %d bad rows, nothing imported", file, len(rep.Errors))
	}
	if err != nil {
		return err
	}
	var levels []string
	for _, l := range rep.ByLevel {
		levels = append(levels, fmt.Sprintf("%s %d", l.Name, l.N))
	}
	fmt.Printf("imported %s (%s): %d rows (%s): %d created, %d updated, %d unchanged\n", file, rep.Encoding, rep.Rows,
		strings.Join(levels, ", "), rep.Created, rep.Updated, rep.Unchanged)
	return nil
}

func areasExport(ctx context.Context, dsn, data, out string, cli auth.AuditEntry) error {
	d, err := openDB(ctx, dsn, data, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	root, err := area.Root(ctx, d)
	if err != nil {
		return err
	}
	var w io.Writer = os.Stdout
	var f *os.File
	if out != "" {
		if f, err = os.Create(out); err != nil {
			return err
		}
		w = f
	}
	write := area.WriteCSV
	if strings.EqualFold(filepath.Ext(out), ".xlsx") {
		write = area.WriteXLSX
	}
	n, err := write(ctx, d, root, w)
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		if out != "" {
			_ = os.Remove(out)
		}
		return err
	}
	e := cli.With(auth.AuditExport, "area", "export")
	e.Detail = fmt.Sprintf("export %d nodes to %s", n, map[bool]string{true: out, false: "stdout"}[out != ""])
	if err := auth.Audit(ctx, d, e); err != nil {
		return err
	}
	if out != "" {
		fmt.Fprintf(os.Stderr, "exported %d nodes to %s\n", n, out)
	}
	return nil
}
