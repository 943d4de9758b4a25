package consult_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
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

// warn takes one warning through the intake and returns its id.
func (w *world) warn(t *testing.T, ref string, grade warning.Grade, phone, idn, addr string) int64 {
	t.Helper()
	res, err := w.intake.Submit(context.Background(), []warning.Input{{Source: warning.SourceUpper, SourceRef: ref, Grade: grade, FraudType: "police",
		Person: warning.Person{Name: "王秀英", Phone: phone, IDNumber: idn, Address: addr}, Text: "冒充公检法"}}, warning.SubmitOptions{Door: "api"})
	if err != nil || len(res.Items) != 1 || res.Items[0].ID == 0 {
		t.Fatalf("intake %s: %+v %v", ref, res, err)
	}
	return res.Items[0].ID
}

// victimCase writes a reported case with one victim (the report itself is
// funds'; fixture rows are enough here).
func (w *world) victimCase(t *testing.T, no, phone, idn string, at time.Time) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	if err := w.d.QueryRow(ctx, `INSERT INTO cases (case_no, area_id, station_id, fraud_type, status, reported_at, loss_fen, created_at, updated_at)
		VALUES (?,?,?,'police','open',?,100000,?,?) RETURNING id`, no, w.stA.ID, w.stA.ID, db.Millis(at), db.Millis(at), db.Millis(at)).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := w.d.Exec(ctx, `INSERT INTO victims (case_id, name, id_number, phone, area_id, loss_fen) VALUES (?,?,?,?,?,100000)`,
		id, "王秀英", idn, phone, w.stA.ID); err != nil {
		t.Fatal(err)
	}
	return id
}
