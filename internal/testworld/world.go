package testworld

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

// World is a county with two stations, a dissuader on duty in each, a duty
// officer at the centre, and the intake. The intake's clock reads Now, so a
// test moves time by assigning it.
type World struct {
	D              *db.DB
	Root, StA, StB area.Node
	OffA, OffB     auth.User
	Duty           auth.User
	Now            time.Time
	Intake         *warning.Intake
}

// New builds the county in d.
func New(t *testing.T, d *db.DB) *World {
	t.Helper()
	ctx := context.Background()
	auth.BcryptCost = 4
	w := &World{D: d, Now: time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)} // 10:00 in Shanghai
	mk := func(n *area.Node) {
		t.Helper()
		if err := area.Create(ctx, d, n); err != nil {
			t.Fatal(err)
		}
	}
	w.Root = area.Node{Level: area.County, Kind: "县", Code: "T", Name: "云溪县", Aliases: "云溪"}
	mk(&w.Root)
	w.StA = area.Node{ParentID: w.Root.ID, Level: area.Station, Kind: "派出所", Code: "T-S1", Name: "青石派出所"}
	mk(&w.StA)
	w.StB = area.Node{ParentID: w.Root.ID, Level: area.Station, Kind: "派出所", Code: "T-S2", Name: "城关派出所"}
	mk(&w.StB)
	townA := area.Node{ParentID: w.StA.ID, Level: area.Town, Kind: "镇", Code: "T-T1", Name: "青石镇", Aliases: "青石"}
	mk(&townA)
	townB := area.Node{ParentID: w.StB.ID, Level: area.Town, Kind: "街道", Code: "T-T2", Name: "城关街道", Aliases: "城关"}
	mk(&townB)
	mk(&area.Node{ParentID: townA.ID, Level: area.Village, Kind: "村", Code: "T-V1", Name: "李家村"})
	mk(&area.Node{ParentID: townB.ID, Level: area.Village, Kind: "社区", Code: "T-V2", Name: "新华社区"})
	for _, n := range []*area.Node{&w.Root, &w.StA, &w.StB} {
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
	w.OffA = user("a1", auth.RoleDissuader, w.StA.ID)
	w.OffB = user("b1", auth.RoleDissuader, w.StB.ID)
	w.Duty = user("duty", auth.RoleDuty, w.Root.ID)
	for _, u := range []auth.User{w.OffA, w.OffB} {
		if _, err := d.Exec(ctx, `INSERT INTO duty_shifts (user_id, area_id, duty, starts_at, ends_at) VALUES (?,?,?,?,?)`,
			u.ID, u.AreaID, "dissuader", db.Millis(w.Now.Add(-4*time.Hour)), db.Millis(w.Now.Add(8*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	in, err := warning.NewIntake(ctx, d, warning.DefaultPolicy(), func() time.Time { return w.Now })
	if err != nil {
		t.Fatal(err)
	}
	w.Intake = in
	return w
}

// Entry is the audit entry of u acting from the loopback address.
func (w *World) Entry(u auth.User) auth.AuditEntry {
	return auth.AuditEntry{UserID: u.ID, Username: u.Username, Role: u.Role, IP: "127.0.0.1"}
}

// Actor is u acting on warnings within u's own area.
func (w *World) Actor(u auth.User) warning.Actor {
	n, _ := area.Get(context.Background(), w.D, u.AreaID)
	return warning.Actor{UserID: u.ID, Scope: n, Audit: w.Entry(u)}
}

// Warn takes one warning through the intake and returns its id.
func (w *World) Warn(t *testing.T, ref string, grade warning.Grade, phone, idn, addr string) int64 {
	t.Helper()
	res, err := w.Intake.Submit(context.Background(), []warning.Input{{Source: warning.SourceUpper, SourceRef: ref, Grade: grade, FraudType: "police",
		Person: warning.Person{Name: "王秀英", Phone: phone, IDNumber: idn, Address: addr}, Text: "冒充公检法"}}, warning.SubmitOptions{Door: "api"})
	if err != nil || len(res.Items) != 1 || res.Items[0].ID == 0 {
		t.Fatalf("intake %s: %+v %v", ref, res, err)
	}
	return res.Items[0].ID
}

// VictimCase writes a reported case with one victim in station A (the report
// itself is funds'; fixture rows are enough here).
func (w *World) VictimCase(t *testing.T, no, phone, idn string, at time.Time) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	if err := w.D.QueryRow(ctx, `INSERT INTO cases (case_no, area_id, station_id, fraud_type, status, reported_at, loss_fen, created_at, updated_at)
		VALUES (?,?,?,'police','open',?,100000,?,?) RETURNING id`, no, w.StA.ID, w.StA.ID, db.Millis(at), db.Millis(at), db.Millis(at)).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := w.D.Exec(ctx, `INSERT INTO victims (case_id, name, id_number, phone, area_id, loss_fen) VALUES (?,?,?,?,?,100000)`,
		id, "王秀英", idn, phone, w.StA.ID); err != nil {
		t.Fatal(err)
	}
	return id
}

// SetSetting writes one row of the settings table.
func SetSetting(t *testing.T, d *db.DB, key, value string) {
	t.Helper()
	if _, err := d.Exec(context.Background(), `INSERT INTO settings (key, value) VALUES (?, ?)`, key, value); err != nil {
		t.Fatal(err)
	}
}

// Count runs a SELECT COUNT query and returns its number.
func Count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// WantKind fails unless err is of kind and, when words is not empty, its
// domain message contains words.
func WantKind(t *testing.T, err, kind error, words string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("error %v, want kind %v", err, kind)
	}
	var de *domain.Error
	if words != "" && (!errors.As(err, &de) || !strings.Contains(de.Error(), words)) {
		t.Fatalf("error %v does not say %q", err, words)
	}
}
