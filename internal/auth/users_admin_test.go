package auth_test

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
)

const goodPW = "Qingshi-2026"

type county struct {
	d                    *db.DB
	root, stA, stB, vilA area.Node
	admin, head          *auth.Principal
	unit                 int64
}

func newCounty(t *testing.T, d *db.DB) *county {
	t.Helper()
	ctx := context.Background()
	auth.BcryptCost = 4
	c := &county{d: d}
	mk := func(n *area.Node) {
		if err := area.Create(ctx, d, n); err != nil {
			t.Fatal(err)
		}
	}
	c.root = area.Node{Level: area.County, Code: "C", Name: "云溪县"}
	mk(&c.root)
	c.stA = area.Node{ParentID: c.root.ID, Level: area.Station, Code: "A", Name: "青石派出所"}
	mk(&c.stA)
	c.stB = area.Node{ParentID: c.root.ID, Level: area.Station, Code: "B", Name: "城关派出所"}
	mk(&c.stB)
	c.vilA = area.Node{ParentID: c.stA.ID, Level: area.Village, Code: "A1", Name: "石桥村"}
	mk(&c.vilA)
	if err := d.QueryRow(ctx, `INSERT INTO units (kind, code, name, created_at) VALUES ('bank','B1','工商银行云溪支行',0) RETURNING id`).Scan(&c.unit); err != nil {
		t.Fatal(err)
	}
	c.admin = c.principal(t, "boss", auth.RoleAdmin, c.root.ID)
	c.head = c.principal(t, "head", auth.RoleStationHead, c.stA.ID)
	return c
}

func (c *county) principal(t *testing.T, name string, role auth.Role, areaID int64) *auth.Principal {
	t.Helper()
	ctx := context.Background()
	u, err := auth.CreateUser(ctx, c.d, auth.NewUser{Username: name, Role: role, AreaID: areaID, Password: goodPW})
	if err != nil {
		t.Fatal(err)
	}
	p, err := auth.LoadPrincipal(ctx, c.d, u, "session")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func who(p *auth.Principal) auth.AuditEntry { return auth.AuditFor(p, "127.0.0.1", "test") }

func TestPasswordRule(t *testing.T) {
	for _, tc := range []struct {
		user, pw string
		ok       bool
	}{
		{"li", "", false},
		{"li", "short1A!", false},
		{"li", "alllowercaseletters", false},
		{"li", "lowerand1234567", false},
		{"li", "Lower-and-1234", true},
		{"li", "Upper-and-symbols", true},
		{"wangwei", "wangwei-2026X", false},
		{"li", "Password123", false}, // common, whatever the case
		{"li", "password123", false},
		{"li", "安全口令-abc-123", true},
	} {
		err := auth.CheckPasswordRule(tc.user, tc.pw)
		if (err == nil) != tc.ok {
			t.Errorf("%q/%q: err %v, want ok=%v", tc.user, tc.pw, err, tc.ok)
		}
		if err != nil && !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("%q: %v is not ErrInvalid", tc.pw, err)
		}
	}
	for i := 0; i < 500; i++ {
		pw := auth.GeneratePassword()
		if auth.CheckPasswordRule("user1", pw) != nil {
			t.Fatalf("generated %q fails the rule", pw)
		}
		// Printed in CSV files: a leading - or @ would be neutralised as a
		// formula by the spreadsheet-safe writer (a stray apostrophe).
		if c := pw[0]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			t.Fatalf("generated %q does not begin with a letter or digit", pw)
		}
	}
}

// Who may grant which role where.
func TestGrantRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newCounty(t, d)
		now := time.Now()
		n := 0
		for _, tc := range []struct {
			name string
			p    *auth.Principal
			role auth.Role
			area int64
			unit int64
			want error
		}{
			{"admin makes an admin", c.admin, auth.RoleAdmin, c.root.ID, 0, nil},
			{"admin makes a duty officer", c.admin, auth.RoleDuty, c.root.ID, 0, nil},
			{"admin makes a partner", c.admin, auth.RolePartner, 0, c.unit, nil},
			{"partner without unit", c.admin, auth.RolePartner, c.root.ID, 0, domain.ErrInvalid},
			{"unknown role", c.admin, auth.Role("boss"), c.root.ID, 0, domain.ErrInvalid},
			{"head makes a dissuader in the station", c.head, auth.RoleDissuader, c.stA.ID, 0, nil},
			{"head makes a grid member in a village", c.head, auth.RoleGrid, c.vilA.ID, 0, nil},
			{"head makes a station head", c.head, auth.RoleStationHead, c.stA.ID, 0, nil},
			{"head makes an investigator", c.head, auth.RoleInvestigator, c.stA.ID, 0, nil},
			{"head makes an admin", c.head, auth.RoleAdmin, c.stA.ID, 0, domain.ErrForbidden},
			{"head makes a duty officer", c.head, auth.RoleDuty, c.stA.ID, 0, domain.ErrForbidden},
			{"head makes an analyst", c.head, auth.RoleAnalyst, c.stA.ID, 0, domain.ErrForbidden},
			{"head makes a leader", c.head, auth.RoleLeader, c.stA.ID, 0, domain.ErrForbidden},
			{"head makes a partner", c.head, auth.RolePartner, c.root.ID, c.unit, domain.ErrForbidden},
			{"head places in another station", c.head, auth.RoleDissuader, c.stB.ID, 0, domain.ErrForbidden},
			{"head places at the county", c.head, auth.RoleDissuader, c.root.ID, 0, domain.ErrForbidden},
		} {
			n++
			nu := auth.NewUser{Username: "u" + string(rune('a'+n)), Role: tc.role, AreaID: tc.area, UnitID: tc.unit, Password: goodPW}
			_, _, err := auth.ManagedCreate(ctx, d, tc.p, who(tc.p), nu, false, now)
			if tc.want == nil && err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("%s: err %v, want %v", tc.name, err, tc.want)
			}
		}
		// A weak password is refused, a generated one is returned once.
		if _, _, err := auth.ManagedCreate(ctx, d, c.admin, who(c.admin), auth.NewUser{Username: "weak", Role: auth.RoleDuty, AreaID: c.root.ID, Password: "12345678"}, false, now); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("weak password: %v", err)
		}
		u, pw, err := auth.ManagedCreate(ctx, d, c.admin, who(c.admin), auth.NewUser{Username: "gen", Role: auth.RoleDuty, AreaID: c.root.ID}, true, now)
		if err != nil || pw == "" {
			t.Fatalf("generated: %v %q", err, pw)
		}
		if _, err := auth.CheckPassword(ctx, d, "gen", pw); err != nil {
			t.Errorf("generated password does not sign in: %v", err)
		}
		// The head sees and edits only their station's officers.
		other, _, err := auth.ManagedCreate(ctx, d, c.admin, who(c.admin), auth.NewUser{Username: "offB", Role: auth.RoleDissuader, AreaID: c.stB.ID, Password: goodPW}, false, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := auth.ManagedUser(ctx, d, c.head, other.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("head reads another station's officer: %v", err)
		}
		if err := auth.DisableManaged(ctx, d, c.head, who(c.head), other.ID, now); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("head disables another station's officer: %v", err)
		}
		list, err := auth.ListManaged(ctx, d, c.head, auth.UserFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range list {
			if x.AreaID != c.stA.ID && x.AreaID != c.vilA.ID {
				t.Errorf("head lists %s of area %d", x.Username, x.AreaID)
			}
		}
		mine, _, err := auth.ManagedCreate(ctx, d, c.head, who(c.head), auth.NewUser{Username: "offA", Role: auth.RoleDissuader, AreaID: c.stA.ID, Password: goodPW}, false, now)
		if err != nil {
			t.Fatal(err)
		}
		for _, up := range []auth.UserUpdate{{Role: auth.RoleAdmin}, {AreaID: c.stB.ID}, {Role: auth.RoleDuty}} {
			if _, err := auth.UpdateManaged(ctx, d, c.head, who(c.head), mine.ID, up, now); !errors.Is(err, domain.ErrForbidden) {
				t.Errorf("head update %+v: %v", up, err)
			}
		}
		if u2, err := auth.UpdateManaged(ctx, d, c.head, who(c.head), mine.ID, auth.UserUpdate{DisplayName: "张伟", Role: auth.RoleInvestigator, AreaID: c.vilA.ID, Phone: "13900001111"}, now); err != nil || u2.Role != auth.RoleInvestigator || u2.AreaID != c.vilA.ID || u2.Phone != "13900001111" {
			t.Errorf("head moves own officer: %+v %v", u2, err)
		}
		// An admin bound to the station cannot be touched by the head.
		adm, _, err := auth.ManagedCreate(ctx, d, c.admin, who(c.admin), auth.NewUser{Username: "admA", Role: auth.RoleAdmin, AreaID: c.stA.ID, Password: goodPW}, false, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := auth.DisableManaged(ctx, d, c.head, who(c.head), adm.ID, now); !errors.Is(err, domain.ErrForbidden) {
			t.Errorf("head disables an admin: %v", err)
		}
		if _, err := auth.ResetPassword(ctx, d, c.head, who(c.head), adm.ID, "", now); !errors.Is(err, domain.ErrForbidden) {
			t.Errorf("head resets an admin's password: %v", err)
		}
		_ = u
	})
}

func TestLastAdminAndSelf(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newCounty(t, d)
		now := time.Now()
		if err := auth.DisableManaged(ctx, d, c.admin, who(c.admin), c.admin.User.ID, now); !errors.Is(err, domain.ErrForbidden) {
			t.Errorf("disable self: %v", err)
		}
		if _, err := auth.UpdateManaged(ctx, d, c.admin, who(c.admin), c.admin.User.ID, auth.UserUpdate{Role: auth.RoleDuty}, now); !errors.Is(err, domain.ErrForbidden) {
			t.Errorf("demote self: %v", err)
		}
		if _, err := auth.UpdateManaged(ctx, d, c.admin, who(c.admin), c.admin.User.ID, auth.UserUpdate{DisplayName: "局长"}, now); err != nil {
			t.Errorf("rename self: %v", err)
		}
		// The command line (no user) can disable anyone but the last admin.
		cli, err := auth.CLIPrincipal(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		if err := auth.DisableManaged(ctx, d, cli, auth.AuditEntry{Username: "cli"}, c.admin.User.ID, now); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("disable the last admin: %v", err)
		}
		if _, err := auth.UpdateManaged(ctx, d, cli, auth.AuditEntry{Username: "cli"}, c.admin.User.ID, auth.UserUpdate{Role: auth.RoleLeader}, now); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("demote the last admin: %v", err)
		}
		second, _, err := auth.ManagedCreate(ctx, d, cli, auth.AuditEntry{Username: "cli"}, auth.NewUser{Username: "boss2", Role: auth.RoleAdmin, AreaID: c.root.ID, Password: goodPW}, false, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := auth.DisableManaged(ctx, d, c.admin, who(c.admin), second.ID, now); err != nil {
			t.Errorf("disable another admin: %v", err)
		}
		// Now boss is the last active admin again.
		if err := auth.DisableManaged(ctx, d, cli, auth.AuditEntry{Username: "cli"}, c.admin.User.ID, now); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("disable the last admin after the other was disabled: %v", err)
		}
	})
}

func TestDisableEndsSessionsAndTokens(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newCounty(t, d)
		now := time.Now()
		u, _, err := auth.ManagedCreate(ctx, d, c.admin, who(c.admin), auth.NewUser{Username: "li", Role: auth.RoleDissuader, AreaID: c.stA.ID, Password: goodPW}, false, now)
		if err != nil {
			t.Fatal(err)
		}
		cookie, _, err := auth.CreateSession(ctx, d, u.ID, "", "", now)
		if err != nil {
			t.Fatal(err)
		}
		secret, _, err := auth.CreateManagedToken(ctx, d, c.admin, who(c.admin), u.ID, "银行对接", now)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := auth.SessionUser(ctx, d, cookie, now); err != nil {
			t.Fatal(err)
		}
		if _, err := auth.TokenUser(ctx, d, secret, now); err != nil {
			t.Fatal(err)
		}
		before, _ := db.Generations(ctx, d)
		if err := auth.DisableManaged(ctx, d, c.head, who(c.head), u.ID, now); err != nil {
			t.Fatal(err)
		}
		after, _ := db.Generations(ctx, d)
		if after[db.GenUsers] <= before[db.GenUsers] {
			t.Errorf("users generation not bumped: %d → %d", before[db.GenUsers], after[db.GenUsers])
		}
		if _, _, err := auth.SessionUser(ctx, d, cookie, now); err == nil {
			t.Error("old session still works")
		}
		if _, err := auth.TokenUser(ctx, d, secret, now); err == nil {
			t.Error("old token still works")
		}
		toks, err := auth.ManagedTokens(ctx, d, c.admin, u.ID)
		if err != nil || len(toks) != 1 || !toks[0].Revoked {
			t.Errorf("tokens after disable: %+v %v", toks, err)
		}
		if _, err := auth.CheckPassword(ctx, d, "li", goodPW); !errors.Is(err, auth.ErrDisabled) {
			t.Errorf("disabled user signs in: %v", err)
		}
		if err := auth.EnableManaged(ctx, d, c.head, who(c.head), u.ID, now); err != nil {
			t.Fatal(err)
		}
		if _, err := auth.CheckPassword(ctx, d, "li", goodPW); err != nil {
			t.Errorf("enabled user cannot sign in: %v", err)
		}
		if _, err := auth.TokenUser(ctx, d, secret, now); err == nil {
			t.Error("a token revoked by disabling came back")
		}
		// Token revocation and password reset.
		secret2, tok2, err := auth.CreateManagedToken(ctx, d, c.head, who(c.head), u.ID, "脚本", now)
		if err != nil {
			t.Fatal(err)
		}
		if err := auth.RevokeManagedToken(ctx, d, c.head, who(c.head), u.ID, tok2.ID, now); err != nil {
			t.Fatal(err)
		}
		if _, err := auth.TokenUser(ctx, d, secret2, now); err == nil {
			t.Error("revoked token works")
		}
		pw, err := auth.ResetPassword(ctx, d, c.head, who(c.head), u.ID, "", now)
		if err != nil || pw == "" {
			t.Fatalf("reset: %q %v", pw, err)
		}
		if _, err := auth.CheckPassword(ctx, d, "li", pw); err != nil {
			t.Errorf("reset password does not work: %v", err)
		}
		if _, err := auth.ResetPassword(ctx, d, c.head, who(c.head), u.ID, "weakweak", now); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("weak reset: %v", err)
		}
		// Every change is audited.
		var n int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE object_type = 'user' AND object_id = ?`, itoa(u.ID)).Scan(&n); err != nil || n < 6 {
			t.Errorf("audit lines for the user: %d %v", n, err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestImportOfficers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newCounty(t, d)
		now := time.Now()
		count := func() int {
			var n int
			if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		start := count()
		bad := "用户名,姓名,角色,辖区代码,手机,初始密码\n" +
			"zhang,张伟,劝阻民警,A,13900001111,\n" + // 2 good
			"zhang,张伟二,劝阻民警,A,,\n" + // 3 duplicate in file
			"boss,重名,劝阻民警,A,,\n" + // 4 duplicate in database
			"wang,王芳,队长,A,,\n" + // 5 unknown role
			"liu,刘洋,dissuader,ZZ,,\n" + // 6 unknown area
			"chen,陈静,中心管理员,A,,\n" + // 7 role the head may not grant
			"yang,杨磊,办案民警,B,,\n" + // 8 outside the head's station
			"zhao,赵敏,网格员,A1,,abc\n" // 9 weak password
		res, err := auth.ImportOfficers(ctx, d, c.head, who(c.head), "people.csv", strings.NewReader(bad), now)
		if !errors.Is(err, auth.ErrImportRejected) {
			t.Fatalf("bad file: %v", err)
		}
		lines := map[int]string{}
		for _, p := range res.Problems {
			lines[p.Line] = p.Message
		}
		for _, want := range []struct {
			line int
			text string
		}{{3, "重复"}, {4, "已存在"}, {5, "未知角色"}, {6, "不存在"}, {7, "无权授予"}, {8, "以外"}, {9, "密码"}} {
			if !strings.Contains(lines[want.line], want.text) {
				t.Errorf("row %d: %q, want %q", want.line, lines[want.line], want.text)
			}
		}
		if _, ok := lines[2]; ok || len(res.Problems) != 7 {
			t.Errorf("problems: %+v", res.Problems)
		}
		if count() != start {
			t.Fatalf("a rejected import stored users")
		}
		// A GBK file, read as Chinese Excel saves it, imports every row.
		good := "用户名,姓名,角色,辖区代码,手机,初始密码\r\nzhang,张伟,劝阻民警,A,13900001111,\r\nzhao,赵敏,网格员,A1,,Shiqiao-2026\r\n"
		gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(good))
		if err != nil {
			t.Fatal(err)
		}
		res, err = auth.ImportOfficers(ctx, d, c.head, who(c.head), "people.csv", bytes.NewReader(gbk), now)
		if err != nil {
			t.Fatalf("good file: %v %+v", err, res.Problems)
		}
		if len(res.Created) != 2 || res.Created[0].Password == "" || res.Created[1].Password != "" || res.Created[0].DisplayName != "张伟" {
			t.Fatalf("created: %+v", res.Created)
		}
		if _, err := auth.CheckPassword(ctx, d, "zhang", res.Created[0].Password); err != nil {
			t.Errorf("generated password: %v", err)
		}
		if _, err := auth.CheckPassword(ctx, d, "zhao", "Shiqiao-2026"); err != nil {
			t.Errorf("given password: %v", err)
		}
		var buf bytes.Buffer
		if err := auth.WritePasswordsCSV(&buf, res.Created); err != nil || !strings.Contains(buf.String(), "zhang,张伟,"+res.Created[0].Password) || strings.Contains(buf.String(), "zhao") {
			t.Errorf("passwords CSV: %q %v", buf.String(), err)
		}
		// Missing columns are reported on the header row.
		res, err = auth.ImportOfficers(ctx, d, c.admin, who(c.admin), "x.csv", strings.NewReader("用户名,姓名\nx,y\n"), now)
		if !errors.Is(err, auth.ErrImportRejected) || len(res.Problems) != 1 || res.Problems[0].Line != 1 {
			t.Errorf("missing columns: %v %+v", err, res.Problems)
		}
	})
}

// Generated passwords pass the rule, begin with a letter or digit (a
// spreadsheet would take - or @ for a formula) and hold no % (shown on
// pages, where "%!" reads as a formatting fault).
func TestGeneratePasswordShape(t *testing.T) {
	for i := 0; i < 2000; i++ {
		pw := auth.GeneratePassword()
		if err := auth.CheckPasswordRule("someone", pw); err != nil {
			t.Fatalf("%q: %v", pw, err)
		}
		if strings.ContainsRune(pw, '%') || strings.ContainsRune("-_.!@#", rune(pw[0])) {
			t.Fatalf("generated %q", pw)
		}
	}
}
