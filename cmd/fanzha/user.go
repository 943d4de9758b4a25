package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
)

func init() {
	register("user", "manage users: create, list, passwd, token", runUser)
}

const userUsage = `usage: fanzha user <create|list|passwd|token> [flags]
  create  --username NAME --role ROLE --area CODE [--name 显示名] [--password PW]
  list    [--role ROLE]
  passwd  --user NAME            (reads the new password from stdin)
  token   --user NAME [--label L] (prints a new API token on stdout)
roles: admin duty dissuader analyst investigator leader partner grid`

func runUser(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w\n%s", errUsage, userUsage)
	}
	sub, rest := args[0], args[1:]
	fs := newFlags("user " + sub)
	data := fs.String("data", "./data", "data directory holding the SQLite file")
	dsn := fs.String("db", "", "database: empty for SQLite in --data, or a postgres:// URL")
	username := fs.String("user", "", "the user to act on")
	newName := fs.String("username", "", "username of the new user")
	display := fs.String("name", "", "display name of the new user")
	role := fs.String("role", "", "role")
	areaCode := fs.String("area", "", "code of the user's node in the jurisdiction tree")
	password := fs.String("password", "", "password of the new user (or set later with passwd)")
	label := fs.String("label", "cli", "label of the new token")
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	d, err := openDB(ctx, *dsn, *data, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	cli := auth.AuditEntry{IP: "cli", Username: "cli:" + osUser()}
	switch sub {
	case "token":
		if *username == "" {
			return fmt.Errorf("%w: --user is required", errUsage)
		}
		u, err := auth.GetUserByName(ctx, d, *username)
		if err != nil {
			return fmt.Errorf("no user %q in this database: %w", *username, err)
		}
		var secret string
		err = d.InTx(ctx, func(tx *db.Tx) error {
			s, t, err := auth.CreateToken(ctx, tx, u.ID, *label, time.Now().UTC())
			if err != nil {
				return err
			}
			secret = s
			e := cli.With(auth.AuditToken, "user", u.Username)
			e.Detail = "token " + t.Prefix + "… label " + *label
			return auth.Audit(ctx, tx, e)
		})
		if err != nil {
			return err
		}
		fmt.Println(secret)
		return nil
	case "create":
		n, err := areaByCode(ctx, d, *areaCode)
		if err != nil {
			return err
		}
		var u auth.User
		err = d.InTx(ctx, func(tx *db.Tx) error {
			u, err = auth.CreateUser(ctx, tx, auth.NewUser{Username: *newName, DisplayName: *display, Role: auth.Role(*role),
				AreaID: n.ID, Password: *password})
			if err != nil {
				return err
			}
			return auth.Audit(ctx, tx, cli.With(auth.AuditCreate, "user", u.Username))
		})
		if err != nil {
			return err
		}
		fmt.Printf("created user %s (%s, %s)\n", u.Username, auth.RoleName(u.Role), n.FullName)
		return nil
	case "passwd":
		u, err := auth.GetUserByName(ctx, d, *username)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "new password for %s: ", u.Username)
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("read password: %w", err)
		}
		pw := strings.TrimRight(line, "\r\n")
		return d.InTx(ctx, func(tx *db.Tx) error {
			if err := auth.SetPassword(ctx, tx, u.ID, pw); err != nil {
				return err
			}
			return auth.Audit(ctx, tx, cli.With(auth.AuditUpdate, "user", u.Username+" password"))
		})
	case "list":
		root, err := area.Root(ctx, d)
		if err != nil {
			return err
		}
		users, err := auth.ListUsers(ctx, d, root, auth.Role(*role))
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "username\tname\trole\tarea_id")
		for _, u := range users {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", u.Username, u.DisplayName, u.Role, u.AreaID)
		}
		return tw.Flush()
	}
	return fmt.Errorf("%w: unknown user command %q\n%s", errUsage, sub, userUsage)
}

func areaByCode(ctx context.Context, d *db.DB, code string) (area.Node, error) {
	if code == "" {
		return area.Root(ctx, d)
	}
	var id int64
	if err := d.QueryRow(ctx, "SELECT id FROM areas WHERE code = ?", code).Scan(&id); err != nil {
		return area.Node{}, fmt.Errorf("no area with code %q (see GET /api/v1/areas): %w", code, err)
	}
	return area.Get(ctx, d, id)
}

func osUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "unknown"
}
