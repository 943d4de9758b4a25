package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/partner"
)

func init() {
	register("units", "manage member units: create, list", runUnits)
}

const unitsUsage = `usage: fanzha units <command> --data DIR [--db URL] [flags]
  create  --kind bank|payment|operator|platform|school|company|village|other --name NAME
          [--parent NAME] [--code CODE]   (prints the unit; the code is generated when left out)
  list    [--kind KIND] [--all]           (--all includes retired units)`

func runUnits(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w\n%s", errUsage, unitsUsage)
	}
	sub, rest := args[0], args[1:]
	fs := newFlags("units " + sub)
	data := fs.String("data", "./data", "data directory holding the SQLite file")
	dsn := fs.String("db", "", "database: empty for SQLite in --data, or a postgres:// URL")
	kind := fs.String("kind", "", "kind of unit")
	name := fs.String("name", "", "name of the unit")
	parent := fs.String("parent", "", "name (or code) of the parent unit, for a branch or outlet")
	code := fs.String("code", "", "code of the unit (generated when left out)")
	all := fs.Bool("all", false, "list retired units too")
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	if len(fs.Args()) > 0 {
		return fmt.Errorf("%w: unexpected argument %q\n%s", errUsage, fs.Arg(0), unitsUsage)
	}
	if sub != "create" && sub != "list" {
		return fmt.Errorf("%w: unknown units command %q\n%s", errUsage, sub, unitsUsage)
	}
	d, err := openDB(ctx, *dsn, *data, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	switch sub {
	case "create":
		if *kind == "" || *name == "" {
			return fmt.Errorf("%w: --kind and --name are required\n%s", errUsage, unitsUsage)
		}
		in := partner.UnitInput{Kind: *kind, Name: *name, Code: *code}
		if *parent != "" {
			pu, err := partner.UnitByName(ctx, d, *parent)
			if err != nil {
				return err
			}
			in.ParentID = pu.ID
		}
		u, err := partner.CreateUnit(ctx, d, auth.AuditEntry{IP: "cli", Username: "cli:" + osUser()}, in, time.Now().UTC())
		if err != nil {
			return err
		}
		info, err := partner.GetUnitInfo(ctx, d, u.ID)
		if err != nil {
			return err
		}
		printUnits(os.Stdout, []partner.UnitInfo{info})
		return nil
	default:
		f := partner.UnitFilter{Kind: *kind}
		if !*all {
			no := false
			f.Retired = &no
		}
		list, err := partner.ListUnits(ctx, d, f)
		if err != nil {
			return err
		}
		printUnits(os.Stdout, list)
		return nil
	}
}

func printUnits(w io.Writer, list []partner.UnitInfo) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "id\tcode\tkind\tname\tparent\tusers\tstatus")
	for _, u := range list {
		status := "active"
		if u.Retired {
			status = "retired"
		}
		parent := u.ParentName
		if parent == "" {
			parent = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\n", u.ID, u.Code, u.Kind, strings.TrimSpace(u.Name), parent, u.Users, status)
	}
	_ = tw.Flush()
}
