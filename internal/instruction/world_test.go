package instruction_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/instruction"
	"github.com/fanzha/fanzha/internal/warning"
)

// world is a county with two stations, a dissuader on duty in each, a duty
// officer at the centre, and the intake.
type world struct {
	d              *db.DB
	root, stA, stB area.Node
	offA, offB     auth.User
	duty           auth.User
	now            time.Time
	intake         *warning.Intake
}

func newWorld(t *testing.T, d *db.DB) *world {
	t.Helper()
	ctx := context.Background()
	auth.BcryptCost = 4
	w := &world{d: d, now: time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)} // 10:00 in Shanghai
	mk := func(n *area.Node) {
		t.Helper()
		if err := area.Create(ctx, d, n); err != nil {
			t.Fatal(err)
		}
	}
	w.root = area.Node{Level: area.County, Kind: "县", Code: "T", Name: "云溪县", Aliases: "云溪"}
	mk(&w.root)
	w.stA = area.Node{ParentID: w.root.ID, Level: area.Station, Kind: "派出所", Code: "T-S1", Name: "青石派出所"}
	mk(&w.stA)
	w.stB = area.Node{ParentID: w.root.ID, Level: area.Station, Kind: "派出所", Code: "T-S2", Name: "城关派出所"}
	mk(&w.stB)
	townA := area.Node{ParentID: w.stA.ID, Level: area.Town, Kind: "镇", Code: "T-T1", Name: "青石镇", Aliases: "青石"}
	mk(&townA)
	townB := area.Node{ParentID: w.stB.ID, Level: area.Town, Kind: "街道", Code: "T-T2", Name: "城关街道", Aliases: "城关"}
	mk(&townB)
	mk(&area.Node{ParentID: townA.ID, Level: area.Village, Kind: "村", Code: "T-V1", Name: "李家村"})
	mk(&area.Node{ParentID: townB.ID, Level: area.Village, Kind: "社区", Code: "T-V2", Name: "新华社区"})
	for _, n := range []*area.Node{&w.root, &w.stA, &w.stB} {
		got, err := area.Get(ctx, d, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		*n = got
	}
	user := func(name string, role auth.Role, areaID int64) auth.User {
		u, err := auth.CreateUser(ctx, d, auth.NewUser{Username: name, DisplayName: name, Role: role, AreaID: areaID, Password: "pw-" + name})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	w.offA = user("a1", auth.RoleDissuader, w.stA.ID)
	w.offB = user("b1", auth.RoleDissuader, w.stB.ID)
	w.duty = user("duty", auth.RoleDuty, w.root.ID)
	for _, u := range []auth.User{w.offA, w.offB} {
		if _, err := d.Exec(ctx, `INSERT INTO duty_shifts (user_id, area_id, duty, starts_at, ends_at) VALUES (?,?,?,?,?)`,
			u.ID, u.AreaID, "dissuader", db.Millis(w.now.Add(-4*time.Hour)), db.Millis(w.now.Add(8*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	in, err := warning.NewIntake(ctx, d, warning.DefaultPolicy(), func() time.Time { return w.now })
	if err != nil {
		t.Fatal(err)
	}
	w.intake = in
	return w
}

func (w *world) entry(u auth.User) auth.AuditEntry {
	return auth.AuditEntry{UserID: u.ID, Username: u.Username, Role: u.Role, IP: "127.0.0.1"}
}

func (w *world) actor(u auth.User) warning.Actor {
	n, _ := area.Get(context.Background(), w.d, u.AreaID)
	return warning.Actor{UserID: u.ID, Scope: n, Audit: w.entry(u)}
}

// importCSV imports an instruction file written as CSV lines.
func (w *world) importCSV(t *testing.T, lines ...string) instruction.ImportReport {
	t.Helper()
	rep, err := instruction.ImportFile(context.Background(), w.d, w.intake, "指令.csv",
		bytes.NewReader([]byte(strings.Join(lines, "\n")+"\n")), warning.SubmitOptions{Door: "upload", UserID: w.duty.ID}, w.now)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if len(rep.Errors) > 0 {
		t.Fatalf("import row errors: %+v", rep.Errors)
	}
	return rep
}

// idOf finds the warning of an instruction number.
func (w *world) idOf(t *testing.T, number string) int64 {
	t.Helper()
	var id int64
	if err := w.d.QueryRow(context.Background(), `SELECT warning_id FROM instructions WHERE number = ?`, number).Scan(&id); err != nil {
		t.Fatalf("instruction %s: %v", number, err)
	}
	return id
}

func setSetting(t *testing.T, d *db.DB, key, value string) {
	t.Helper()
	if _, err := d.Exec(context.Background(), `INSERT INTO settings (key, value) VALUES (?, ?)`, key, value); err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func wantKind(t *testing.T, err, kind error, words string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("error %v, want kind %v", err, kind)
	}
	var de *domain.Error
	if words != "" && (!errors.As(err, &de) || !strings.Contains(de.Error(), words)) {
		t.Fatalf("error %v does not say %q", err, words)
	}
}

const header = "指令编号,下发级别,下发单位,下发时间,预警等级,姓名,手机号,地址,诈骗类型,金额,简要情况,反馈截止时间"
