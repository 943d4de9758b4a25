package warning

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// testCounty is a small jurisdiction tree with two stations, their
// dissuaders on duty, and a clock.
type testCounty struct {
	d          *db.DB
	root       area.Node
	stA, stB   area.Node
	villageA   area.Node
	villageB   area.Node
	offA1      auth.User
	offA2      auth.User
	offB       auth.User
	now        time.Time
	intake     *Intake
	unitBankID int64
}

func newTestCounty(t *testing.T, d *db.DB) *testCounty {
	t.Helper()
	ctx := context.Background()
	auth.BcryptCost = 4
	c := &testCounty{d: d, now: time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)} // 10:00 in Shanghai
	mk := func(n *area.Node) {
		t.Helper()
		if err := area.Create(ctx, d, n); err != nil {
			t.Fatal(err)
		}
	}
	c.root = area.Node{Level: area.County, Kind: "县", Code: "T", Name: "云溪县", Aliases: "云溪"}
	mk(&c.root)
	c.stA = area.Node{ParentID: c.root.ID, Level: area.Station, Kind: "派出所", Code: "T-S1", Name: "青石派出所"}
	mk(&c.stA)
	c.stB = area.Node{ParentID: c.root.ID, Level: area.Station, Kind: "派出所", Code: "T-S2", Name: "城关派出所"}
	mk(&c.stB)
	townA := area.Node{ParentID: c.stA.ID, Level: area.Town, Kind: "镇", Code: "T-T1", Name: "青石镇", Aliases: "青石"}
	mk(&townA)
	townB := area.Node{ParentID: c.stB.ID, Level: area.Town, Kind: "街道", Code: "T-T2", Name: "城关街道", Aliases: "城关"}
	mk(&townB)
	c.villageA = area.Node{ParentID: townA.ID, Level: area.Village, Kind: "村", Code: "T-V1", Name: "李家村"}
	mk(&c.villageA)
	c.villageB = area.Node{ParentID: townB.ID, Level: area.Village, Kind: "社区", Code: "T-V2", Name: "新华社区"}
	mk(&c.villageB)
	user := func(name string, role auth.Role, areaID int64) auth.User {
		u, err := auth.CreateUser(ctx, d, auth.NewUser{Username: name, DisplayName: name, Role: role, AreaID: areaID, Password: "pw-" + name})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	c.offA1 = user("a1", auth.RoleDissuader, c.stA.ID)
	c.offA2 = user("a2", auth.RoleDissuader, c.stA.ID)
	c.offB = user("b1", auth.RoleDissuader, c.stB.ID)
	for _, u := range []auth.User{c.offA1, c.offA2, c.offB} {
		if _, err := d.Exec(ctx, `INSERT INTO duty_shifts (user_id, area_id, duty, starts_at, ends_at) VALUES (?,?,?,?,?)`,
			u.ID, u.AreaID, "dissuader", db.Millis(c.now.Add(-4*time.Hour)), db.Millis(c.now.Add(8*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.QueryRow(ctx, `INSERT INTO units (kind, code, name, created_at) VALUES ('bank','B1','工商银行云溪支行',0) RETURNING id`).Scan(&c.unitBankID); err != nil {
		t.Fatal(err)
	}
	in, err := NewIntake(ctx, d, DefaultPolicy(), func() time.Time { return c.now })
	if err != nil {
		t.Fatal(err)
	}
	c.intake = in
	return c
}

func (c *testCounty) actor(u auth.User) Actor {
	n, _ := area.Get(context.Background(), c.d, u.AreaID)
	return Actor{UserID: u.ID, Scope: n, Audit: auth.AuditEntry{UserID: u.ID, Username: u.Username, Role: u.Role}}
}

func sample(ref, phone, addr string) Input {
	return Input{Source: SourceUpper, SourceRef: ref, Grade: GradeHigh, FraudType: "police",
		Person: Person{Name: "王秀英", Phone: phone, IDNumber: "", Address: addr, Age: 68}, Text: "对方自称公安局民警，要求转账到安全账户"}
}

func TestIntakeIdempotentRoutedAndAssigned(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newTestCounty(t, d)
		res, err := c.intake.Submit(ctx, []Input{sample("U-1", "13800000001", "云溪县青石镇李家村3组12号")}, SubmitOptions{})
		if err != nil {
			t.Fatal(err)
		}
		it := res.Items[0]
		if it.Status != ItemCreated || it.ID == 0 {
			t.Fatalf("first submit: %+v", it)
		}
		if it.StationID != c.stA.ID {
			t.Fatalf("routed to station %d, want 青石派出所 %d (reason %q)", it.StationID, c.stA.ID, it.RouteReason)
		}
		if it.AssigneeID != c.offA1.ID && it.AssigneeID != c.offA2.ID {
			t.Fatalf("assigned to %d, not an on-duty officer of the station", it.AssigneeID)
		}
		// The same warning again, by any door: stored once, answer says so.
		for _, door := range []string{"api", "upload", "cli", "stream"} {
			res2, err := c.intake.Submit(ctx, []Input{sample("U-1", "13800000001", "云溪县青石镇李家村3组12号")}, SubmitOptions{Door: door})
			if err != nil {
				t.Fatal(err)
			}
			if res2.Items[0].Status != ItemDuplicate || res2.Items[0].ID != it.ID || res2.Duplicates != 1 {
				t.Fatalf("resend via %s: %+v", door, res2.Items[0])
			}
		}
		var n int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM warnings`).Scan(&n)
		if n != 1 {
			t.Fatalf("%d warnings stored, want 1", n)
		}
		w, err := Get(ctx, d, c.root, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := c.now.Add(30 * time.Minute); !w.ContactDueAt.Equal(want) {
			t.Fatalf("contact due %v, want %v (high-risk: 30 min)", w.ContactDueAt, want)
		}
		if w.Priority != 300+80+60 {
			t.Fatalf("priority %d", w.Priority)
		}
		// The other station cannot see it.
		if _, err := Get(ctx, d, c.stB, it.ID); err == nil {
			t.Fatal("station B reads station A's warning")
		}
	})
}

func TestIntakeBalancesLoadAndQueuesUnmatched(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newTestCounty(t, d)
		var batch []Input
		for i := 0; i < 6; i++ {
			batch = append(batch, sample("B-"+string(rune('a'+i)), "1390000000"+string(rune('0'+i)), "青石镇李家村"))
		}
		batch = append(batch, sample("B-x", "13911111111", "广东省深圳市南山区科技园"))
		res, err := c.intake.Submit(ctx, batch, SubmitOptions{})
		if err != nil {
			t.Fatal(err)
		}
		load := map[int64]int{}
		for _, it := range res.Items[:6] {
			load[it.AssigneeID]++
		}
		if load[c.offA1.ID] != 3 || load[c.offA2.ID] != 3 {
			t.Fatalf("load not balanced: %v", load)
		}
		un := res.Items[6]
		if un.StationID != 0 || un.AssigneeID != 0 || !strings.Contains(un.RouteReason, "未匹配") {
			t.Fatalf("unmatched address: %+v", un)
		}
		w, _ := Get(ctx, d, c.root, un.ID)
		if w.AreaID != c.root.ID || w.RouteReason == "" {
			t.Fatalf("unmatched warning not in the centre's queue with a reason: area %d reason %q", w.AreaID, w.RouteReason)
		}
	})
}

func TestMergeTakesHighestGradeEarliestDeadline(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newTestCounty(t, d)
		first := sample("M-1", "13800000009", "青石镇李家村")
		first.Grade = GradeOrdinary
		res, err := c.intake.Submit(ctx, []Input{first}, SubmitOptions{})
		if err != nil {
			t.Fatal(err)
		}
		primary := res.Items[0].ID
		c.now = c.now.Add(5 * time.Minute)
		second := sample("M-2", "", "青石镇李家村")
		second.Source = SourceBank
		second.Grade = GradeFund
		second.AmountFen = 5_000_000
		second.Person.Phone = "138 0000 0009" // same person, written differently
		res, err = c.intake.Submit(ctx, []Input{second}, SubmitOptions{})
		if err != nil {
			t.Fatal(err)
		}
		it := res.Items[0]
		if it.Status != ItemMerged || it.MergedInto != primary {
			t.Fatalf("second warning: %+v, want merged into %d", it, primary)
		}
		w, _ := Get(ctx, d, c.root, primary)
		if w.Grade != GradeFund {
			t.Fatalf("merged grade %s, want fund", w.Grade)
		}
		if want := c.now.Add(10 * time.Minute); !w.ContactDueAt.Equal(want) {
			t.Fatalf("merged deadline %v, want the fund warning's %v", w.ContactDueAt, want)
		}
		tl, err := Timeline(ctx, d, c.root, primary)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[int64]bool{}
		for _, e := range tl {
			kinds[e.WarningID] = true
		}
		if !kinds[primary] || !kinds[it.ID] {
			t.Fatalf("timeline does not show both warnings: %+v", tl)
		}
		// Same ID number, no phone: also merges.
		third := sample("M-3", "", "")
		third.Person.Phone = ""
		third.Person.IDNumber = "430102195801011235"
		if err := CheckIDNumber(third.Person.IDNumber); err != nil {
			third.Person.IDNumber = fixCheckDigit(third.Person.IDNumber)
		}
		if _, err := d.Exec(ctx, `UPDATE warnings SET person_id_number = ? WHERE id = ?`, third.Person.IDNumber, primary); err != nil {
			t.Fatal(err)
		}
		res, _ = c.intake.Submit(ctx, []Input{third}, SubmitOptions{})
		if res.Items[0].Status != ItemMerged || res.Items[0].MergedInto != primary {
			t.Fatalf("merge by ID number: %+v", res.Items[0])
		}
	})
}

func fixCheckDigit(id string) string {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(id[i]-'0') * weights[i]
	}
	return id[:17] + string("10X98765432"[sum%11])
}

func TestRejectsAndAllOrNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newTestCounty(t, d)
		bad := []Input{
			sample("R-1", "13800000011", "青石镇李家村"),
			{Source: "martians", SourceRef: "R-2", Person: Person{Phone: "13800000012"}},
			{Source: SourceUpper, SourceRef: "", Person: Person{Phone: "13800000013"}},
			{Source: SourceUpper, SourceRef: "R-4"},
			{Source: SourceUpper, SourceRef: "R-5", Grade: "urgent", Person: Person{Phone: "13800000015"}},
			// An unknown fraud type never refuses a warning: R-6 is refused for its phone only.
			{Source: SourceUpper, SourceRef: "R-6", Person: Person{Phone: "12a45"}, FraudType: "不存在的类型"},
		}
		res, err := c.intake.Submit(ctx, bad, SubmitOptions{AllOrNothing: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Stored || res.Rejected != 5 {
			t.Fatalf("all-or-nothing: stored=%v rejected=%d", res.Stored, res.Rejected)
		}
		var n int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM warnings`).Scan(&n)
		if n != 0 {
			t.Fatalf("all-or-nothing stored %d warnings", n)
		}
		for _, it := range res.Items[1:] {
			if it.Status != ItemRejected || it.Error == "" || strings.Contains(it.Error, "诈骗类型") {
				t.Fatalf("item %d: %+v", it.Index, it)
			}
		}
		res, err = c.intake.Submit(ctx, bad, SubmitOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Stored || res.Created != 1 || res.Rejected != 5 {
			t.Fatalf("partial: %+v", res)
		}
	})
}

func TestOutcomesContactsAndEscalation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newTestCounty(t, d)
		in := sample("O-1", "13800000021", "青石镇李家村")
		in.Grade = GradeFund
		in.AmountFen = 2_000_000
		res, err := c.intake.Submit(ctx, []Input{in}, SubmitOptions{})
		if err != nil {
			t.Fatal(err)
		}
		id := res.Items[0].ID
		esc := &Escalator{DB: d, Now: func() time.Time { return c.now }}
		if b, _ := esc.Sweep(ctx); len(b) != 0 {
			t.Fatalf("escalated before the deadline: %+v", b)
		}
		c.now = c.now.Add(11 * time.Minute)
		b, err := esc.Sweep(ctx)
		if err != nil || len(b) != 1 || b[0].WarningID != id || b[0].Kind != "contact" {
			t.Fatalf("missed fund deadline not escalated: %+v %v", b, err)
		}
		if b, _ := esc.Sweep(ctx); len(b) != 0 {
			t.Fatalf("escalated twice: %+v", b)
		}
		// Another station's officer cannot touch it.
		if err := RecordContact(ctx, d, DefaultPolicy(), c.actor(c.offB), id, ContactInput{Method: "call", Result: "reached"}, c.now); err == nil {
			t.Fatal("officer of station B recorded a contact on station A's warning")
		}
		a := c.actor(c.offA1)
		if err := RecordContact(ctx, d, DefaultPolicy(), a, id, ContactInput{Method: "call", Result: "no_answer"}, c.now); err != nil {
			t.Fatal(err)
		}
		w, _ := Get(ctx, d, c.root, id)
		if w.FirstContactAt.IsZero() || w.OnsiteDueAt.IsZero() || !w.OnsiteDueAt.Equal(c.now.Add(2*time.Hour)) {
			t.Fatalf("after no answer: first contact %v onsite due %v", w.FirstContactAt, w.OnsiteDueAt)
		}
		c.now = c.now.Add(2*time.Hour + time.Minute)
		b, _ = esc.Sweep(ctx)
		if len(b) != 1 || b[0].Kind != "onsite" {
			t.Fatalf("missed on-site check not escalated: %+v", b)
		}
		r, err := SetOutcome(ctx, d, DefaultPolicy(), a, id, OutcomeInput{Outcome: OutcomeDefrauded, LossFen: 1_500_000, ToAccount: "6222020000000000001"}, c.now)
		if err != nil || r.CaseID == 0 || r.Status != "closed" {
			t.Fatalf("defrauded: %+v %v", r, err)
		}
		var loss int64
		_ = d.QueryRow(ctx, `SELECT loss_fen FROM cases WHERE id = ? AND warning_id = ?`, r.CaseID, id).Scan(&loss)
		if loss != 1_500_000 {
			t.Fatalf("case loss %d", loss)
		}
		if _, err := SetOutcome(ctx, d, DefaultPolicy(), a, id, OutcomeInput{Outcome: OutcomeDissuaded}, c.now); err == nil {
			t.Fatal("closed warning accepted a second outcome")
		}
		var audits int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE object_type = 'warning' AND object_id = ?`, strconv.FormatInt(id, 10)).Scan(&audits)
		if audits < 2 {
			t.Fatalf("changes not audited: %d audit rows", audits)
		}
	})
}

func TestIDNumberChecks(t *testing.T) {
	good := fixCheckDigit("43010219580101123")
	if err := CheckIDNumber(good); err != nil {
		t.Fatalf("valid ID rejected: %v", err)
	}
	if b, ok := BirthFromID(good); !ok || b != "1958-01-01" {
		t.Fatalf("birth %q", b)
	}
	if SexFromID(good) != "M" {
		t.Fatalf("sex of %s", good)
	}
	wrong := good[:17] + "0"
	if good[17] == '0' {
		wrong = good[:17] + "1"
	}
	if err := CheckIDNumber(wrong); err == nil {
		t.Fatal("wrong check digit accepted")
	}
	if CheckIDNumber("43010219580101ABCD") != errIDFormat {
		t.Fatal("letters accepted")
	}
}
