package partner

import (
	"context"
	"errors"
	"testing"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
)

var adminWho = auth.AuditEntry{Username: "boss", Role: auth.RoleAdmin, IP: "127.0.0.1"}

func TestUnitCreateAndEdit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		newWorld(t, d) // banks B1, B2
		gen0, _ := db.Generations(ctx, d)
		for _, tc := range []struct {
			name string
			in   UnitInput
			code string
			want error
		}{
			{"bank, code generated", UnitInput{Kind: "bank", Name: "农业银行云溪支行"}, "B03", nil},
			{"payment", UnitInput{Kind: "payment", Name: "云闪付云溪服务点"}, "P01", nil},
			{"platform with a code", UnitInput{Kind: "platform", Name: "某短视频平台", Code: "PLAT-1"}, "PLAT-1", nil},
			{"village", UnitInput{Kind: "village", Name: "石桥村委会"}, "V01", nil},
			{"legacy kind stays valid", UnitInput{Kind: "education", Name: "云溪县教育局"}, "E01", nil},
			{"unknown kind", UnitInput{Kind: "church", Name: "某单位"}, "", domain.ErrInvalid},
			{"empty name", UnitInput{Kind: "school", Name: "  "}, "", domain.ErrInvalid},
			{"duplicate name", UnitInput{Kind: "bank", Name: "银行B1"}, "", domain.ErrConflict},
			{"duplicate code", UnitInput{Kind: "bank", Name: "建设银行", Code: "B1"}, "", domain.ErrConflict},
			{"unknown parent", UnitInput{Kind: "bank", Name: "某网点", ParentID: 9999}, "", domain.ErrInvalid},
		} {
			u, err := CreateUnit(ctx, d, adminWho, tc.in, t0)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Errorf("%s: err %v, want %v", tc.name, err, tc.want)
				}
				continue
			}
			if err != nil || u.Code != tc.code {
				t.Errorf("%s: %+v %v, want code %s", tc.name, u, err, tc.code)
			}
		}
		gen1, _ := db.Generations(ctx, d)
		if gen1[db.GenUnits] <= gen0[db.GenUnits] {
			t.Error("units generation not bumped")
		}
		parent, err := UnitByName(ctx, d, "农业银行云溪支行")
		if err != nil {
			t.Fatal(err)
		}
		br, err := CreateUnit(ctx, d, adminWho, UnitInput{Kind: "bank", Name: "农业银行云溪支行营业部", ParentID: parent.ID}, t0)
		if err != nil || br.Code != "B03-1" {
			t.Fatalf("branch: %+v %v", br, err)
		}
		// Edits: rename, no duplicate names, no cycles.
		if _, err := UpdateUnit(ctx, d, adminWho, br.ID, UnitInput{Kind: "bank", Name: "银行B2", ParentID: parent.ID}, t0); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("rename onto another unit's name: %v", err)
		}
		if _, err := UpdateUnit(ctx, d, adminWho, parent.ID, UnitInput{Kind: "bank", Name: parent.Name, ParentID: br.ID}, t0); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("parent under its own branch: %v", err)
		}
		u, err := UpdateUnit(ctx, d, adminWho, br.ID, UnitInput{Kind: "bank", Name: "农业银行云溪支行城关分理处", ParentID: parent.ID}, t0)
		if err != nil || u.Code != "B03-1" || u.Name != "农业银行云溪支行城关分理处" {
			t.Errorf("rename: %+v %v", u, err)
		}
		info, err := GetUnitInfo(ctx, d, parent.ID)
		if err != nil || info.Branches != 1 || info.KindName != "银行" {
			t.Errorf("info: %+v %v", info, err)
		}
		var audits int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE object_type = 'unit'`).Scan(&audits); err != nil || audits < 7 {
			t.Errorf("audit lines: %d %v", audits, err)
		}
	})
}

func TestUnitContacts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		c, err := AddContact(ctx, d, adminWho, w.bank, ContactInput{Name: "李经理", Title: "行长", Phone: "138 1234 5678", Note: "24 小时"}, t0)
		if err != nil || c.Phone != "13812345678" {
			t.Fatalf("add: %+v %v", c, err)
		}
		if _, err := AddContact(ctx, d, adminWho, w.bank, ContactInput{Name: "王", Phone: "call me"}, t0); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("bad phone: %v", err)
		}
		if _, err := AddContact(ctx, d, adminWho, w.bank, ContactInput{Phone: "13812345678"}, t0); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("no name: %v", err)
		}
		if _, err := AddContact(ctx, d, adminWho, 9999, ContactInput{Name: "某人"}, t0); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("unknown unit: %v", err)
		}
		list, err := Contacts(ctx, d, w.bank)
		if err != nil || len(list) != 1 {
			t.Fatalf("list: %+v %v", list, err)
		}
		if m := list[0].Masked(auth.Masker{}); m.Phone == "13812345678" || m.Phone == "" {
			t.Errorf("masked phone: %q", m.Phone)
		}
		if err := DeleteContact(ctx, d, adminWho, w.bank2, c.ID, t0); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("delete through another unit: %v", err)
		}
		if err := DeleteContact(ctx, d, adminWho, w.bank, c.ID, t0); err != nil {
			t.Fatal(err)
		}
		if list, _ := Contacts(ctx, d, w.bank); len(list) != 0 {
			t.Errorf("after delete: %+v", list)
		}
	})
}

func TestRetiredUnitGetsNoRequests(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		auth.BcryptCost = 4
		draft := w.request(t, "stop_payment", true, t0)
		sent := w.request(t, "stop_payment", false, t0)
		branch, err := CreateUnit(ctx, d, adminWho, UnitInput{Kind: "bank", Name: "银行B1营业部", ParentID: w.bank}, t0)
		if err != nil {
			t.Fatal(err)
		}
		root := w.root
		u, err := auth.CreateUser(ctx, d, auth.NewUser{Username: "bankuser", Role: auth.RolePartner, AreaID: root.ID, UnitID: branch.ID, Password: "Bank-user-2026"})
		if err != nil {
			t.Fatal(err)
		}
		cookie, _, err := auth.CreateSession(ctx, d, u.ID, "", "", t0)
		if err != nil {
			t.Fatal(err)
		}
		n, err := RetireUnit(ctx, d, adminWho, w.bank, t0)
		if err != nil || n != 1 {
			t.Fatalf("retire: %d %v", n, err)
		}
		if _, _, err := auth.SessionUser(ctx, d, cookie, t0); err == nil {
			t.Error("the retired unit's user still has a session")
		}
		if b, _ := GetUnitInfo(ctx, d, branch.ID); !b.Retired {
			t.Error("branch of a retired unit stays in use")
		}
		// No new request, no sending a draft, no follow-up, no task.
		_, err = CreateForCase(ctx, d, w.stA, w.inv, 0, w.caseA, CaseRequest{Kind: "freeze", UnitID: w.bank, Account: "6222000011113333", Reason: "涉案"}, t0)
		if !errors.Is(err, domain.ErrConflict) || !errors.Is(err, ErrUnitRetired) {
			t.Errorf("request to a retired unit: %v", err)
		}
		if err := Send(ctx, d, w.stA, w.inv, draft, t0); !errors.Is(err, ErrUnitRetired) {
			t.Errorf("send a draft to a retired unit: %v", err)
		}
		if _, err := CreateTask(ctx, d, adminWho, 0, TaskInput{UnitID: branch.ID, Title: "排查"}, t0); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("task to a retired branch: %v", err)
		}
		// History stays: the sent request is still there, the unit is listed as retired.
		if st, _, _ := w.status(t, sent); st != "sent" {
			t.Errorf("history changed: %s", st)
		}
		inUse, err := Units(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range inUse {
			if x.ID == w.bank || x.ID == branch.ID {
				t.Errorf("retired unit %s offered", x.Name)
			}
		}
		yes := true
		retired, _ := ListUnits(ctx, d, UnitFilter{Retired: &yes})
		if len(retired) != 2 {
			t.Errorf("retired list: %+v", retired)
		}
		if _, err := RetireUnit(ctx, d, adminWho, w.bank, t0); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("retire twice: %v", err)
		}
		if _, err := UpdateUnit(ctx, d, adminWho, w.bank, UnitInput{Kind: "bank", Name: "新名"}, t0); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("edit a retired unit: %v", err)
		}
		// A partner user of a retired unit cannot be created or enabled.
		admin := &auth.Principal{User: auth.User{Role: auth.RoleAdmin}, Scope: root}
		if _, _, err := auth.ManagedCreate(ctx, d, admin, adminWho, auth.NewUser{Username: "bank2", Role: auth.RolePartner, UnitID: w.bank, Password: "Bank-user-2026"}, false, t0); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("user for a retired unit: %v", err)
		}
		if err := auth.EnableManaged(ctx, d, admin, adminWho, u.ID, t0); err == nil {
			t.Error("enabled a user of a retired unit")
		}
		// Its name is free again among active units; reactivating then conflicts.
		other, err := CreateUnit(ctx, d, adminWho, UnitInput{Kind: "bank", Name: "银行B1"}, t0)
		if err != nil {
			t.Fatalf("reuse the name of a retired unit: %v", err)
		}
		if err := ReactivateUnit(ctx, d, adminWho, w.bank, t0); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("reactivate onto a used name: %v", err)
		}
		if _, err := RetireUnit(ctx, d, adminWho, other.ID, t0); err != nil {
			t.Fatal(err)
		}
		if err := ReactivateUnit(ctx, d, adminWho, w.bank, t0); err != nil {
			t.Fatalf("reactivate: %v", err)
		}
		if _, err := CreateForCase(ctx, d, w.stA, w.inv, 0, w.caseA, CaseRequest{Kind: "freeze", UnitID: w.bank, Account: "6222000011113333", Reason: "涉案"}, t0); err != nil {
			t.Errorf("request after reactivation: %v", err)
		}
		// Its users stay disabled until enabled one by one (the branch is still retired).
		if x, _ := auth.GetUser(ctx, d, u.ID); !x.Disabled {
			t.Error("reactivation enabled users")
		}
	})
}
