package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/zone"
)

func init() {
	register("audit", "audit log tools: audit verify checks the hash chain of the audit log", runAudit)
}

const auditUsage = `usage:
  fanzha audit verify --data DIR [--db URL] [--no-seal] [--anchor SEQ:HASH ...]
      check the audit log's hash chain (and that it still holds heads recorded earlier); exit 1 at the first broken row`

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
	var anchorFlags anchorList
	fs.Var(&anchorFlags, "anchor", "a head printed by an earlier verify, SEQ:HASH, that the chain must still hold (repeatable)")
	fs.Usage = func() { fmt.Fprintln(fs.Output(), auditUsage); fs.PrintDefaults() }
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w\n%s", errUsage, auditUsage)
	}
	var anchors []auth.ChainAnchor
	for _, a := range anchorFlags {
		an, err := auth.ParseAnchor(a)
		if err != nil {
			return fmt.Errorf("%w: --anchor: %v", errUsage, err)
		}
		anchors = append(anchors, an)
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
	rep, err := auth.VerifyAudit(ctx, d, anchors...)
	if err != nil {
		return err
	}
	if !rep.OK() {
		b := rep.Broken
		fmt.Fprintf(w, "BROKEN after %d good rows: %s\n", rep.Sealed, b.Reason)
		if b.Entry.ID != 0 {
			e := b.Entry
			fmt.Fprintf(w, "first broken row: id %d  %s  user %q  ip %s  %s %s %s  %q\n", e.ID,
				e.At.In(zone.Shanghai).Format("2006-01-02 15:04:05"), e.Username, e.IP, e.Action, e.ObjectType, e.ObjectID, e.Detail)
		}
		return errChainBroken
	}
	fmt.Fprintf(w, "audit log OK: %d rows chained, %d recorded heads hold; head %d:%s\n", rep.Sealed, len(anchors), rep.HeadSeq, rep.HeadHash)
	fmt.Fprintln(w, "(keep the head outside this server — duty log, ticket — and check it later with --anchor)")
	if rep.Unsealed > 0 {
		fmt.Fprintf(w, "%d rows written since the last seal are not chained yet (checked at the next seal)\n", rep.Unsealed)
	}
	return nil
}

// anchorList is the repeatable --anchor flag.
type anchorList []string

func (a *anchorList) String() string { return strings.Join(*a, ",") }

func (a *anchorList) Set(v string) error {
	*a = append(*a, v)
	return nil
}
