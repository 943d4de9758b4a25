package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/partner"
)

func init() {
	register("user", "manage users: create, list, passwd, disable, enable, import, token", runUser)
}

const userUsage = `usage: fanzha user <command> --data DIR [--db URL] [flags]
  create   --username NAME --role ROLE --area CODE [--name 显示名] [--phone P] [--password -]
           an officer bound to the node with that code (the county root when --area is left out)
  create   --username NAME --unit 单位名称或代码 [--name 显示名] [--phone P] [--password -]
           a partner user of a member unit (role partner, bound to the county root)
  list     [--role ROLE] [--unit NAME]
  passwd   --user NAME             (asks for the new password, or reads it from stdin)
  disable  --user NAME             (ends the user's sessions and revokes their API tokens)
  enable   --user NAME
  import   FILE                    (.xlsx or .csv, UTF-8 or GBK: 用户名, 姓名, 角色, 辖区代码, 手机, 初始密码;
                                    generated passwords are printed once as CSV on stdout)
  token    --user NAME [--label L] [--days N] (prints a new API token on stdout; valid N days, default 180)
Passwords are never given on the command line (where ps and the shell history would keep them):
without --password the command asks for it on the terminal; --password - reads the first line of
stdin (for scripts). Passwords: at least 10 characters
with three of upper case, lower case, digits and symbols; there are no default passwords.
roles: admin duty station_head dissuader analyst investigator leader partner grid`

// parseWithArgs parses flags placed before or after positional arguments and
// returns the positional ones.
func parseWithArgs(fs *flag.FlagSet, args []string) ([]string, error) {
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

// userStdin is where passwords are read from (tests replace it).
var userStdin io.Reader = os.Stdin

// readSecret returns a password: with flag "-" the first line of stdin,
// with no flag a prompt on the terminal (not echoed), or the first line of
// stdin when that is not a terminal. Any other value is
// refused: a password on the command line is seen by ps and kept in the
// shell's history.
func readSecret(v, prompt string, stdin io.Reader) (string, error) {
	switch v {
	case "-":
	case "":
		f, ok := stdin.(*os.File)
		if !ok || !term.IsTerminal(int(f.Fd())) {
			break // not a terminal: the first line of stdin, as with "-"
		}
		fmt.Fprint(os.Stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if len(b) == 0 {
			return "", fmt.Errorf("%w: the password is empty", errUsage)
		}
		return string(b), nil
	default:
		return "", fmt.Errorf("%w: passwords are not taken on the command line: use --password - (stdin) or leave --password out to be asked", errUsage)
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", fmt.Errorf("%w: the password read from stdin is empty", errUsage)
	}
	return pw, nil
}

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
	unitName := fs.String("unit", "", "member unit (name or code) of a partner user")
	phone := fs.String("phone", "", "mobile number of the new user")
	password := fs.String("password", "", "- reads the password from stdin; without it the command asks on the terminal")
	label := fs.String("label", "cli", "label of the new token")
	days := fs.Int("days", int(auth.DefaultTokenValidity/(24*time.Hour)), "days the new token is valid")
	pos, err := parseWithArgs(fs, rest)
	if err != nil {
		return err
	}
	switch sub {
	case "create", "list", "passwd", "disable", "enable", "import", "token":
	default:
		return fmt.Errorf("%w: unknown user command %q\n%s", errUsage, sub, userUsage)
	}
	if sub != "import" && len(pos) > 0 {
		return fmt.Errorf("%w: unexpected argument %q\n%s", errUsage, pos[0], userUsage)
	}
	d, err := openDB(ctx, *dsn, *data, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	cli := auth.AuditEntry{IP: "cli", Username: "cli:" + osUser()}
	p, err := auth.CLIPrincipal(ctx, d)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	named := func() (auth.User, error) {
		if *username == "" {
			return auth.User{}, fmt.Errorf("%w: --user is required", errUsage)
		}
		u, err := auth.GetUserByName(ctx, d, *username)
		if err != nil {
			return u, fmt.Errorf("no user %q in this database: %w", *username, err)
		}
		return u, nil
	}
	switch sub {
	case "token":
		u, err := named()
		if err != nil {
			return err
		}
		secret, _, err := auth.CreateManagedTokenValid(ctx, d, p, cli, u.ID, *label, time.Duration(*days)*24*time.Hour, now)
		if err != nil {
			return err
		}
		fmt.Println(secret)
		return nil
	case "create":
		if *newName == "" {
			return fmt.Errorf("%w: --username is required\n%s", errUsage, userUsage)
		}
		pw, err := readSecret(*password, "password for "+*newName+": ", userStdin)
		if err != nil {
			return err
		}
		nu := auth.NewUser{Username: *newName, DisplayName: *display, Role: auth.Role(*role), Phone: *phone, Password: pw}
		where := ""
		if *unitName != "" {
			if nu.Role == "" {
				nu.Role = auth.RolePartner
			}
			if nu.Role != auth.RolePartner {
				return fmt.Errorf("%w: --unit is for partner users (role partner), not %s", errUsage, nu.Role)
			}
			if *areaCode != "" {
				return fmt.Errorf("%w: a partner user is bound to the county root; leave out --area", errUsage)
			}
			un, err := partner.UnitByName(ctx, d, *unitName)
			if err != nil {
				return err
			}
			nu.UnitID, where = un.ID, un.Name
		} else {
			if nu.Role == "" {
				return fmt.Errorf("%w: --role is required (or --unit for a partner user)\n%s", errUsage, userUsage)
			}
			if nu.Role == auth.RolePartner {
				return fmt.Errorf("%w: a partner user needs --unit", errUsage)
			}
			n, err := areaByCode(ctx, d, *areaCode)
			if err != nil {
				return err
			}
			nu.AreaID, where = n.ID, n.FullName
		}
		u, _, err := auth.ManagedCreate(ctx, d, p, cli, nu, false, now)
		if err != nil {
			return err
		}
		fmt.Printf("created user %s (%s, %s)\n", u.Username, auth.RoleName(u.Role), where)
		return nil
	case "passwd":
		u, err := named()
		if err != nil {
			return err
		}
		pw, err := readSecret(*password, "new password for "+u.Username+": ", userStdin)
		if err != nil {
			return err
		}
		_, err = auth.ResetPassword(ctx, d, p, cli, u.ID, pw, now)
		return err
	case "disable", "enable":
		u, err := named()
		if err != nil {
			return err
		}
		if sub == "disable" {
			if err := auth.DisableManaged(ctx, d, p, cli, u.ID, now); err != nil {
				return err
			}
			fmt.Printf("disabled user %s: sessions ended, API tokens revoked\n", u.Username)
			return nil
		}
		if err := auth.EnableManaged(ctx, d, p, cli, u.ID, now); err != nil {
			return err
		}
		fmt.Printf("enabled user %s\n", u.Username)
		return nil
	case "import":
		if len(pos) != 1 {
			return fmt.Errorf("%w: user import takes one FILE\n%s", errUsage, userUsage)
		}
		return importUsers(ctx, d, p, cli, pos[0], now, os.Stdout, os.Stderr)
	case "list":
		f := auth.UserFilter{Role: auth.Role(*role)}
		if *unitName != "" {
			un, err := partner.UnitByName(ctx, d, *unitName)
			if err != nil {
				return err
			}
			f.UnitID = un.ID
		}
		users, err := auth.ListManaged(ctx, d, p, f)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "username\tname\trole\tarea_id\tunit_id\tstatus")
		for _, u := range users {
			status := "active"
			if u.Disabled {
				status = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\n", u.Username, u.DisplayName, u.Role, u.AreaID, u.UnitID, status)
		}
		return tw.Flush()
	}
	return nil
}

// importUsers runs a bulk import: bad rows go to stderr with their numbers
// (and nothing is imported); generated passwords are printed once as CSV.
func importUsers(ctx context.Context, d *db.DB, p *auth.Principal, who auth.AuditEntry, path string, now time.Time, stdout, stderr io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := auth.ImportOfficers(ctx, d, p, who, path, f, now)
	if errors.Is(err, auth.ErrImportRejected) {
		for _, pr := range res.Problems {
			fmt.Fprintf(stderr, "row %d: %s\n", pr.Line, pr.Message)
		}
		return fmt.Errorf("%d bad rows in %s, nothing imported", len(res.Problems), path)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "imported %d users from %s (%s)\n", len(res.Created), path, res.Encoding)
	gen := 0
	for _, u := range res.Created {
		if u.Password != "" {
			gen++
		}
	}
	if gen > 0 {
		fmt.Fprintf(stderr, "%d generated passwords follow on stdout; they are shown only this once\n", gen)
		return auth.WritePasswordsCSV(stdout, res.Created)
	}
	return nil
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
