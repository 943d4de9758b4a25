package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/web"
)

func init() {
	register("audit", "audit log tools: audit verify checks the hash chain of the audit log", runAudit)
}

const auditUsage = `usage:
  fanzha audit verify --data DIR [--db URL] [--no-seal]   check the audit log's hash chain; exit 1 at the first broken row`

// errChainBroken makes `fanzha audit verify` exit non-zero.
var errChainBroken = errors.New("the audit log's hash chain is broken")

func runAudit(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		return fmt.Errorf("%w\n%s", errUsage, auditUsage)
	}
	return runAuditVerify(ctx, args[1:], os.Stdout)
}

func runAuditVerify(ctx context.Context, args []string, w io.Writer) error {
	fs := newFlags("audit verify")
	data := fs.String("data", "./data", "data directory holding the SQLite file")
	dsn := fs.String("db", "", "database: empty for SQLite in --data, or a postgres:// URL")
	noSeal := fs.Bool("no-seal", false, "only read: do not first chain the rows written since the last seal (e.g. on a copy kept as evidence)")
	fs.Usage = func() { fmt.Fprintln(fs.Output(), auditUsage); fs.PrintDefaults() }
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w\n%s", errUsage, auditUsage)
	}
	d, err := openExisting(ctx, *dsn, *data)
	if err != nil {
		return err
	}
	defer d.Close()
	if !*noSeal {
		n, err := auth.SealAudit(ctx, d, time.Now())
		if err != nil {
			return err
		}
		if n > 0 {
			fmt.Fprintf(w, "sealed %d audit rows written since the last seal\n", n)
		}
	}
	rep, err := auth.VerifyAudit(ctx, d)
	if err != nil {
		return err
	}
	if !rep.OK() {
		b := rep.Broken
		fmt.Fprintf(w, "BROKEN after %d good rows: %s\n", rep.Sealed, b.Reason)
		if b.Entry.ID != 0 {
			e := b.Entry
			fmt.Fprintf(w, "first broken row: id %d  %s  user %q  ip %s  %s %s %s  %q\n", e.ID,
				e.At.In(web.Shanghai).Format("2006-01-02 15:04:05"), e.Username, e.IP, e.Action, e.ObjectType, e.ObjectID, e.Detail)
		}
		return errChainBroken
	}
	fmt.Fprintf(w, "audit log OK: %d rows chained, head seq %d hash %s\n", rep.Sealed, rep.HeadSeq, rep.HeadHash)
	if rep.Unsealed > 0 {
		fmt.Fprintf(w, "%d rows written since the last seal are not chained yet (checked at the next seal)\n", rep.Unsealed)
	}
	return nil
}
