package console

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/notify"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/web"
)

// 成员单位: banks, payment institutions, operators, platforms, schools,
// companies, village committees — created, edited, retired and reactivated
// by the centre admin, each with its contacts, its webhook and its partner
// users (the rules live in partner/units.go).

func (s *handler) unitAdminRoutes() {
	m := s.Mux
	m.HandleFunc("GET /admin/units", s.Page(auth.CapUnitAdmin, s.handleUnitsAdminPage))
	m.HandleFunc("POST /admin/units", s.Page(auth.CapUnitAdmin, s.handleUnitCreateForm))
	m.HandleFunc("GET /admin/units/{id}", s.Page(auth.CapUnitAdmin, s.handleUnitAdminPage))
	m.HandleFunc("POST /admin/units/{id}", s.Page(auth.CapUnitAdmin, s.handleUnitEditForm))
	m.HandleFunc("POST /admin/units/{id}/contacts", s.Page(auth.CapUnitAdmin, s.handleUnitContactForm))
	m.HandleFunc("POST /admin/units/{id}/contacts/{contact}/delete", s.Page(auth.CapUnitAdmin, s.handleUnitContactDeleteForm))
	m.HandleFunc("POST /admin/units/{id}/webhook", s.Page(auth.CapUnitAdmin, s.handleUnitAdminWebhookForm))
	m.HandleFunc("POST /admin/units/{id}/users", s.Page(auth.CapUnitAdmin, s.handleUnitUserForm))
	m.HandleFunc("POST /admin/units/{id}/retire", s.Page(auth.CapUnitAdmin, s.handleUnitRetireForm))
	m.HandleFunc("POST /admin/units/{id}/reactivate", s.Page(auth.CapUnitAdmin, s.handleUnitReactivateForm))
}

// unitsAdminPage is what admin_units.html shows.
type unitsAdminPage struct {
	Units   []partner.UnitInfo
	Kinds   []partner.UnitKind // offered for new units
	Parents []partner.UnitInfo // active units
	Areas   []area.Node        // the centres a unit can serve
	Filter  map[string]string
	Form    map[string]string
}

func newUnitKinds() []partner.UnitKind {
	var out []partner.UnitKind
	for _, k := range partner.UnitKinds {
		if !k.Legacy {
			out = append(out, k)
		}
	}
	return out
}

func (s *handler) renderUnits(w http.ResponseWriter, r *http.Request, p *auth.Principal, status int, errMsg string, form map[string]string) error {
	q := r.URL.Query()
	f := partner.UnitFilter{Kind: q.Get("kind"), Query: q.Get("q")}
	switch q.Get("retired") {
	case "1":
		t := true
		f.Retired = &t
	case "0":
		no := false
		f.Retired = &no
	}
	list, err := partner.ListUnits(r.Context(), s.DB, f)
	if err != nil {
		return err
	}
	no := false
	active, err := partner.ListUnits(r.Context(), s.DB, partner.UnitFilter{Retired: &no})
	if err != nil {
		return err
	}
	areas, err := area.Centres(r.Context(), s.DB, p.Scope)
	if err != nil {
		return err
	}
	if form == nil {
		form = map[string]string{}
	}
	s.Render(w, r, status, "admin_units", web.Page{Title: "成员单位", Active: "/admin", Error: errMsg, Data: unitsAdminPage{Units: list,
		Kinds: newUnitKinds(), Parents: active, Areas: areas, Form: form,
		Filter: map[string]string{"kind": q.Get("kind"), "retired": q.Get("retired"), "q": q.Get("q")}}})
	return nil
}

func (s *handler) handleUnitsAdminPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.renderUnits(w, r, p, http.StatusOK, "", nil)
}

func unitInputFromForm(r *http.Request) (partner.UnitInput, error) {
	parent, err := web.FormInt(r, "parent_id")
	if err != nil {
		return partner.UnitInput{}, err
	}
	at, err := web.FormInt(r, "area_id")
	if err != nil {
		return partner.UnitInput{}, err
	}
	return partner.UnitInput{Kind: r.FormValue("kind"), Name: r.FormValue("name"), Code: r.FormValue("code"), ParentID: parent, AreaID: at}, nil
}

func (s *handler) handleUnitCreateForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	in, err := unitInputFromForm(r)
	if err != nil {
		return err
	}
	u, err := partner.CreateUnit(r.Context(), s.DB, s.AuditWho(r, p), in, s.Now())
	if err != nil {
		return formFailure(err, func(status int, msg string) error {
			return s.renderUnits(w, r, p, status, msg, map[string]string{"kind": in.Kind, "name": in.Name, "code": in.Code, "parent_id": r.FormValue("parent_id"),
				"area_id": r.FormValue("area_id")})
		})
	}
	web.RedirectFlash(w, r, "/admin/units/"+strconv.FormatInt(u.ID, 10), "已创建成员单位 "+u.Name+"（代码 "+u.Code+"）")
	return nil
}

// unitAdminPage is what admin_units_detail.html shows.
type unitAdminPage struct {
	Unit        partner.UnitInfo
	Kinds       []partner.UnitKind
	Parents     []partner.UnitInfo
	Areas       []area.Node // the centres a unit can serve
	Branches    []partner.UnitInfo
	Contacts    []partner.Contact
	Webhook     *partner.Webhook
	Deliveries  []notify.Delivery
	Users       []auth.User
	NewUser     *auth.User
	NewPassword string
	Notice      string
}

func (s *handler) renderUnit(w http.ResponseWriter, r *http.Request, p *auth.Principal, id int64, status int, errMsg string, fill func(*unitAdminPage)) error {
	ctx := r.Context()
	u, err := partner.GetUnitInfo(ctx, s.DB, id)
	if err != nil {
		return err
	}
	pg := &unitAdminPage{Unit: u, Kinds: newUnitKinds()}
	if k := u.Kind; !containsKind(pg.Kinds, k) {
		pg.Kinds = append(pg.Kinds, partner.UnitKind{Code: k, Name: partner.UnitKindName(k)})
	}
	no := false
	active, err := partner.ListUnits(ctx, s.DB, partner.UnitFilter{Retired: &no})
	if err != nil {
		return err
	}
	for _, a := range active {
		if a.ID != id {
			pg.Parents = append(pg.Parents, a)
		}
	}
	if pg.Areas, err = area.Centres(ctx, s.DB, p.Scope); err != nil {
		return err
	}
	all, err := partner.ListUnits(ctx, s.DB, partner.UnitFilter{})
	if err != nil {
		return err
	}
	for _, a := range all {
		if a.ParentID == id {
			pg.Branches = append(pg.Branches, a)
		}
	}
	if pg.Contacts, err = partner.Contacts(ctx, s.DB, id); err != nil {
		return err
	}
	m := p.Masker(false)
	for i := range pg.Contacts {
		pg.Contacts[i] = pg.Contacts[i].Masked(m)
	}
	if wh, err := partner.UnitWebhook(ctx, s.DB, id); err == nil {
		pg.Webhook = &wh
		if pg.Deliveries, err = partner.WebhookDeliveries(ctx, s.DB, id, 10); err != nil {
			return err
		}
	} else if !errors.Is(err, domain.ErrNotFound) {
		return err
	}
	if pg.Users, err = partner.UnitUsers(ctx, s.DB, id); err != nil {
		return err
	}
	for i := range pg.Users {
		pg.Users[i].Phone = m.Phone(pg.Users[i].Phone)
	}
	if fill != nil {
		fill(pg)
	}
	s.Render(w, r, status, "admin_units_detail", web.Page{Title: u.Name, Active: "/admin", Error: errMsg, Data: pg})
	return nil
}

func containsKind(ks []partner.UnitKind, code string) bool {
	for _, k := range ks {
		if k.Code == code {
			return true
		}
	}
	return false
}

func (s *handler) handleUnitAdminPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	return s.renderUnit(w, r, p, id, http.StatusOK, "", nil)
}

// unitAction runs a unit form's change: a redirect to the unit's page, or
// the page again with the refusal.
func (s *handler) unitAction(w http.ResponseWriter, r *http.Request, p *auth.Principal, done func() string, change func(id int64) error) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	if err := change(id); err != nil {
		return formFailure(err, func(status int, msg string) error { return s.renderUnit(w, r, p, id, status, msg, nil) })
	}
	web.RedirectFlash(w, r, "/admin/units/"+strconv.FormatInt(id, 10), done())
	return nil
}

func fixed(s string) func() string { return func() string { return s } }

func (s *handler) handleUnitEditForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	in, err := unitInputFromForm(r)
	if err != nil {
		return err
	}
	return s.unitAction(w, r, p, fixed("已保存"), func(id int64) error {
		_, err := partner.UpdateUnit(r.Context(), s.DB, s.AuditWho(r, p), id, in, s.Now())
		return err
	})
}

func (s *handler) handleUnitContactForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.unitAction(w, r, p, fixed("已添加联系人"), func(id int64) error {
		_, err := partner.AddContact(r.Context(), s.DB, s.AuditWho(r, p), id, partner.ContactInput{Name: r.FormValue("name"),
			Title: r.FormValue("title"), Phone: r.FormValue("phone"), Note: r.FormValue("note")}, s.Now())
		return err
	})
}

func (s *handler) handleUnitContactDeleteForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	cid, err := strconv.ParseInt(r.PathValue("contact"), 10, 64)
	if err != nil {
		return web.Errorf(http.StatusBadRequest, "bad_id", "联系人编号无效")
	}
	return s.unitAction(w, r, p, fixed("已删除联系人"), func(id int64) error {
		return partner.DeleteContact(r.Context(), s.DB, s.AuditWho(r, p), id, cid, s.Now())
	})
}

func (s *handler) handleUnitAdminWebhookForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	enabled := r.FormValue("enabled") != "0"
	return s.unitAction(w, r, p, fixed("已保存推送地址"), func(id int64) error {
		u, err := partner.GetUnitInfo(r.Context(), s.DB, id)
		if err != nil {
			return err
		}
		if u.Retired {
			return domain.Conflict("单位已停用，请先恢复再设置推送地址")
		}
		_, err = partner.SetWebhook(r.Context(), s.DB, s.AuditWho(r, p), id, partner.WebhookInput{URL: r.FormValue("url"),
			Format: r.FormValue("format"), Secret: r.FormValue("secret"), Enabled: &enabled}, s.SettingsStore.WebhookGuard(), s.Now())
		return err
	})
}

func (s *handler) handleUnitUserForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	nu := auth.NewUser{Username: r.FormValue("username"), DisplayName: r.FormValue("display_name"), Role: auth.RolePartner,
		UnitID: id, Phone: r.FormValue("phone"), Password: r.FormValue("password")}
	generate := nu.Password == "" && r.FormValue("generate") != ""
	u, pw, err := auth.ManagedCreate(r.Context(), s.DB, p, s.AuditWho(r, p), nu, generate, s.Now())
	if err != nil {
		return formFailure(err, func(status int, msg string) error { return s.renderUnit(w, r, p, id, status, msg, nil) })
	}
	if pw == "" {
		web.RedirectFlash(w, r, "/admin/units/"+strconv.FormatInt(id, 10), "已创建合作单位账号 "+u.Username)
		return nil
	}
	return s.renderUnit(w, r, p, id, http.StatusCreated, "", func(pg *unitAdminPage) {
		pg.NewUser, pg.NewPassword = &u, pw
		pg.Notice = "已创建合作单位账号 " + u.Username + "，初始密码只显示这一次"
	})
}

func (s *handler) handleUnitRetireForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	n := 0
	return s.unitAction(w, r, p, func() string {
		return "单位已停用，" + strconv.Itoa(n) + " 个账号随之停用；历史记录保留"
	}, func(id int64) error {
		var err error
		n, err = partner.RetireUnit(r.Context(), s.DB, s.AuditWho(r, p), id, s.Now())
		return err
	})
}

func (s *handler) handleUnitReactivateForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.unitAction(w, r, p, fixed("单位已恢复；其账号仍为停用状态，需要时请逐个启用"), func(id int64) error {
		return partner.ReactivateUnit(r.Context(), s.DB, s.AuditWho(r, p), id, s.Now())
	})
}
