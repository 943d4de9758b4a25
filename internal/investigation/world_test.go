package investigation_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/zone"
)

// world is a county with two stations, a village in each, and one officer
// of each role the lifecycle cares about.
type world struct {
	d                          *db.DB
	root, stA, stB, vA, vB     area.Node
	inv, inv2, invB, duty      auth.AuditEntry
	leader, headA, headB, diss auth.AuditEntry
	cases                      int
}

// t0 is the day the tests' cases are reported: 2026-10-01 10:00 in Shanghai.
var t0 = time.Date(2026, 10, 1, 10, 0, 0, 0, zone.Shanghai)

func day(n int) time.Time { return t0.AddDate(0, 0, n) }

func newWorld(t *testing.T, d *db.DB) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{d: d}
	mk := func(n *area.Node) {
		if err := area.Create(ctx, d, n); err != nil {
			t.Fatal(err)
		}
	}
	w.root = area.Node{Level: area.County, Code: "C", Name: "云溪县"}
	mk(&w.root)
	w.stA = area.Node{ParentID: w.root.ID, Level: area.Station, Code: "A", Name: "青石派出所"}
	mk(&w.stA)
	w.stB = area.Node{ParentID: w.root.ID, Level: area.Station, Code: "B", Name: "城关派出所"}
	mk(&w.stB)
	w.vA = area.Node{ParentID: w.stA.ID, Level: area.Town, Code: "TA", Name: "青石镇"}
	mk(&w.vA)
	w.vB = area.Node{ParentID: w.stB.ID, Level: area.Town, Code: "TB", Name: "城关街道"}
	mk(&w.vB)
	for _, n := range []*area.Node{&w.root, &w.stA, &w.stB, &w.vA, &w.vB} {
		got, err := area.Get(ctx, d, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		*n = got
	}
	user := func(name string, role auth.Role, at area.Node) auth.AuditEntry {
		u, err := auth.CreateUser(ctx, d, auth.NewUser{Username: name, DisplayName: name, Role: role, AreaID: at.ID})
		if err != nil {
			t.Fatal(err)
		}
		return auth.AuditEntry{UserID: u.ID, Username: u.Username, Role: u.Role, IP: "127.0.0.1"}
	}
	w.inv = user("inv", auth.RoleInvestigator, w.stA)
	w.inv2 = user("inv2", auth.RoleInvestigator, w.root)
	w.invB = user("invb", auth.RoleInvestigator, w.stB)
	w.duty = user("duty", auth.RoleDuty, w.root)
	w.leader = user("leader", auth.RoleLeader, w.root)
	w.headA = user("heada", auth.RoleStationHead, w.stA)
	w.headB = user("headb", auth.RoleStationHead, w.stB)
	w.diss = user("diss", auth.RoleDissuader, w.stA)
	return w
}

// newCase writes a reported case in a town (the report itself is funds';
// a fixture row is enough here).
func (w *world) newCase(t *testing.T, q db.Querier, town area.Node, at time.Time) int64 {
	t.Helper()
	w.cases++
	var id int64
	err := q.QueryRow(context.Background(), `INSERT INTO cases (case_no, area_id, station_id, fraud_type, status, reported_at, loss_fen, created_at, updated_at)
		VALUES (?,?,?,'police','open',?,100000,?,?) RETURNING id`, fmt.Sprintf("AJ-%05d", w.cases), town.ID, town.StationID,
		db.Millis(at), db.Millis(at), db.Millis(at)).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// scopeOf is the node an officer sees.
func (w *world) scopeOf(e auth.AuditEntry) area.Node {
	switch e.Username {
	case "inv", "heada", "diss":
		return w.stA
	case "invb", "headb":
		return w.stB
	}
	return w.root
}

// setSetting stores a setting as the console would.
func setSetting(t *testing.T, d *db.DB, key, value string) {
	t.Helper()
	if _, err := d.Exec(context.Background(), `INSERT INTO settings (key, value) VALUES (?, ?)`, key, value); err != nil {
		t.Fatal(err)
	}
}

// wantErr checks err is of kind (a domain sentinel) and says words; a nil
// kind wants no error.
func wantErr(t *testing.T, err, kind error, words string) {
	t.Helper()
	if kind == nil {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var de *domain.Error
	if !errors.Is(err, kind) {
		t.Fatalf("error %v, want kind %v", err, kind)
	}
	if errors.As(err, &de) && !strings.Contains(de.Error(), words) {
		t.Fatalf("error %q does not say %q", de.Error(), words)
	}
	if de == nil && words != "" {
		t.Fatalf("error %v is not a domain error saying %q", err, words)
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

func errorsIs(err, target error) bool { return errors.Is(err, target) }

// entry is a fresh investigator at a node, as the audit entry of a caller.
func entry(t *testing.T, d *db.DB, at area.Node) auth.AuditEntry {
	t.Helper()
	u, err := auth.CreateUser(context.Background(), d, auth.NewUser{Username: fmt.Sprintf("inv%d", time.Now().UnixNano()),
		DisplayName: "办案民警", Role: auth.RoleInvestigator, AreaID: at.ID})
	if err != nil {
		t.Fatal(err)
	}
	return auth.AuditEntry{UserID: u.ID, Username: u.Username, Role: u.Role}
}
