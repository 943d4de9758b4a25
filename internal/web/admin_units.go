package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/notify"
	"github.com/fanzha/fanzha/internal/partner"
)

// 成员单位: banks, payment institutions, operators, platforms, schools,
// companies, village committees — created, edited, retired and reactivated
// by the centre admin, each with its contacts, its webhook and its partner
// users (the rules live in partner/units.go).

func (s *Server) unitAdminRoutes() {
	m := s.mux
	m.HandleFunc("GET /admin/units", s.page(auth.CapUnitAdmin, s.handleUnitsAdminPage))
	m.HandleFunc("POST /admin/units", s.page(auth.CapUnitAdmin, s.handleUnitCreateForm))
	m.HandleFunc("GET /admin/units/{id}", s.page(auth.CapUnitAdmin, s.handleUnitAdminPage))
	m.HandleFunc("POST /admin/units/{id}", s.page(auth.CapUnitAdmin, s.handleUnitEditForm))
	m.HandleFunc("POST /admin/units/{id}/contacts", s.page(auth.CapUnitAdmin, s.handleUnitContactForm))
	m.HandleFunc("POST /admin/units/{id}/contacts/{contact}/delete", s.page(auth.CapUnitAdmin, s.handleUnitContactDeleteForm))
	m.HandleFunc("POST /admin/units/{id}/webhook", s.page(auth.CapUnitAdmin, s.handleUnitAdminWebhookForm))
	m.HandleFunc("POST /admin/units/{id}/users", s.page(auth.CapUnitAdmin, s.handleUnitUserForm))
	m.HandleFunc("POST /admin/units/{id}/retire", s.page(auth.CapUnitAdmin, s.handleUnitRetireForm))
	m.HandleFunc("POST /admin/units/{id}/reactivate", s.page(auth.CapUnitAdmin, s.handleUnitReactivateForm))
}

// unitsAdminPage is what admin_units.html shows.
type unitsAdminPage struct {
	Units   []partner.UnitInfo
	Kinds   []partner.UnitKind // offered for new units
	Parents []partner.UnitInfo // active units
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

func (s *Server) renderUnits(w http.ResponseWriter, r *http.Request, status int, errMsg string, form map[string]string) error {
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
	list, err := partner.ListUnits(r.Context(), s.db, f)
	if err != nil {
		return err
	}
	no := false
	active, err := partner.ListUnits(r.Context(), s.db, partner.UnitFilter{Retired: &no})
	if err != nil {
		return err
	}
	if form == nil {
		form = map[string]string{}
	}
	s.render(w, r, status, "admin_units", page{Title: "成员单位", Active: "/admin", Error: errMsg, Data: unitsAdminPage{Units: list,
		Kinds: newUnitKinds(), Parents: active, Form: form,
		Filter: map[string]string{"kind": q.Get("kind"), "retired": q.Get("retired"), "q": q.Get("q")}}})
	return nil
}

func (s *Server) handleUnitsAdminPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.renderUnits(w, r, http.StatusOK, "", nil)
}

func unitInputFromForm(r *http.Request) (partner.UnitInput, error) {
	parent, err := formInt(r, "parent_id")
	if err != nil {
		return partner.UnitInput{}, err
	}
	return partner.UnitInput{Kind: r.FormValue("kind"), Name: r.FormValue("name"), Code: r.FormValue("code"), ParentID: parent}, nil
}

func (s *Server) handleUnitCreateForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	in, err := unitInputFromForm(r)
	if err != nil {
		return err
	}
	u, err := partner.CreateUnit(r.Context(), s.db, s.auditWho(r, p), in, s.now())
	if err != nil {
		return formFailure(err, func(status int, msg string) error {
			return s.renderUnits(w, r, status, msg, map[string]string{"kind": in.Kind, "name": in.Name, "code": in.Code, "parent_id": r.FormValue("parent_id")})
		})
	}
	redirectFlash(w, r, "/admin/units/"+strconv.FormatInt(u.ID, 10), "已创建成员单位 "+u.Name+"（代码 "+u.Code+"）")
	return nil
}

// unitAdminPage is what admin_units_detail.html shows.
type unitAdminPage struct {
	Unit        partner.UnitInfo
	Kinds       []partner.UnitKind
	Parents     []partner.UnitInfo
	Branches    []partner.UnitInfo
	Contacts    []partner.Contact
	Webhook     *partner.Webhook
	Deliveries  []notify.Delivery
	Users       []auth.User
	NewUser     *auth.User
	NewPassword string
	Notice      string
}

func (s *Server) renderUnit(w http.ResponseWriter, r *http.Request, p *auth.Principal, id int64, status int, errMsg string, fill func(*unitAdminPage)) error {
	ctx := r.Context()
	u, err := partner.GetUnitInfo(ctx, s.db, id)
	if err != nil {
		return err
	}
	pg := &unitAdminPage{Unit: u, Kinds: newUnitKinds()}
	if k := u.Kind; !containsKind(pg.Kinds, k) {
		pg.Kinds = append(pg.Kinds, partner.UnitKind{Code: k, Name: partner.UnitKindName(k)})
	}
	no := false
	active, err := partner.ListUnits(ctx, s.db, partner.UnitFilter{Retired: &no})
	if err != nil {
		return err
	}
	for _, a := range active {
		if a.ID != id {
			pg.Parents = append(pg.Parents, a)
		}
	}
	all, err := partner.ListUnits(ctx, s.db, partner.UnitFilter{})
	if err != nil {
		return err
	}
	for _, a := range all {
		if a.ParentID == id {
			pg.Branches = append(pg.Branches, a)
		}
	}
	if pg.Contacts, err = partner.Contacts(ctx, s.db, id); err != nil {
		return err
	}
	m := p.Masker(false)
	for i := range pg.Contacts {
		pg.Contacts[i] = pg.Contacts[i].Masked(m)
	}
	if wh, err := partner.UnitWebhook(ctx, s.db, id); err == nil {
		pg.Webhook = &wh
		if pg.Deliveries, err = partner.WebhookDeliveries(ctx, s.db, id, 10); err != nil {
			return err
		}
	} else if !errors.Is(err, domain.ErrNotFound) {
		return err
	}
	if pg.Users, err = partner.UnitUsers(ctx, s.db, id); err != nil {
		return err
	}
	for i := range pg.Users {
		pg.Users[i].Phone = m.Phone(pg.Users[i].Phone)
	}
	if fill != nil {
		fill(pg)
	}
	s.render(w, r, status, "admin_units_detail", page{Title: u.Name, Active: "/admin", Error: errMsg, Data: pg})
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

func (s *Server) handleUnitAdminPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.renderUnit(w, r, p, id, http.StatusOK, "", nil)
}

// unitAction runs a unit form's change: a redirect to the unit's page, or
// the page again with the refusal.
func (s *Server) unitAction(w http.ResponseWriter, r *http.Request, p *auth.Principal, done func() string, change func(id int64) error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := change(id); err != nil {
		return formFailure(err, func(status int, msg string) error { return s.renderUnit(w, r, p, id, status, msg, nil) })
	}
	redirectFlash(w, r, "/admin/units/"+strconv.FormatInt(id, 10), done())
	return nil
}

func fixed(s string) func() string { return func() string { return s } }

func (s *Server) handleUnitEditForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	in, err := unitInputFromForm(r)
	if err != nil {
		return err
	}
	return s.unitAction(w, r, p, fixed("已保存"), func(id int64) error {
		_, err := partner.UpdateUnit(r.Context(), s.db, s.auditWho(r, p), id, in, s.now())
		return err
	})
}

func (s *Server) handleUnitContactForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.unitAction(w, r, p, fixed("已添加联系人"), func(id int64) error {
		_, err := partner.AddContact(r.Context(), s.db, s.auditWho(r, p), id, partner.ContactInput{Name: r.FormValue("name"),
			Title: r.FormValue("title"), Phone: r.FormValue("phone"), Note: r.FormValue("note")}, s.now())
		return err
	})
}

func (s *Server) handleUnitContactDeleteForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	cid, err := strconv.ParseInt(r.PathValue("contact"), 10, 64)
	if err != nil {
		return errorf(http.StatusBadRequest, "bad_id", "联系人编号无效")
	}
	return s.unitAction(w, r, p, fixed("已删除联系人"), func(id int64) error {
		return partner.DeleteContact(r.Context(), s.db, s.auditWho(r, p), id, cid, s.now())
	})
}

func (s *Server) handleUnitAdminWebhookForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	enabled := r.FormValue("enabled") != "0"
	return s.unitAction(w, r, p, fixed("已保存推送地址"), func(id int64) error {
		u, err := partner.GetUnitInfo(r.Context(), s.db, id)
		if err != nil {
			return err
		}
		if u.Retired {
			return domain.Conflict("单位已停用，请先恢复再设置推送地址")
		}
		_, err = partner.SetWebhook(r.Context(), s.db, s.auditWho(r, p), id, partner.WebhookInput{URL: r.FormValue("url"),
			Format: r.FormValue("format"), Secret: r.FormValue("secret"), Enabled: &enabled}, s.settings.WebhookGuard(), s.now())
		return err
	})
}

func (s *Server) handleUnitUserForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	nu := auth.NewUser{Username: r.FormValue("username"), DisplayName: r.FormValue("display_name"), Role: auth.RolePartner,
		UnitID: id, Phone: r.FormValue("phone"), Password: r.FormValue("password")}
	generate := nu.Password == "" && r.FormValue("generate") != ""
	u, pw, err := auth.ManagedCreate(r.Context(), s.db, p, s.auditWho(r, p), nu, generate, s.now())
	if err != nil {
		return formFailure(err, func(status int, msg string) error { return s.renderUnit(w, r, p, id, status, msg, nil) })
	}
	if pw == "" {
		redirectFlash(w, r, "/admin/units/"+strconv.FormatInt(id, 10), "已创建合作单位账号 "+u.Username)
		return nil
	}
	return s.renderUnit(w, r, p, id, http.StatusCreated, "", func(pg *unitAdminPage) {
		pg.NewUser, pg.NewPassword = &u, pw
		pg.Notice = "已创建合作单位账号 " + u.Username + "，初始密码只显示这一次"
	})
}

func (s *Server) handleUnitRetireForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	n := 0
	return s.unitAction(w, r, p, func() string {
		return "单位已停用，" + strconv.Itoa(n) + " 个账号随之停用；历史记录保留"
	}, func(id int64) error {
		var err error
		n, err = partner.RetireUnit(r.Context(), s.db, s.auditWho(r, p), id, s.now())
		return err
	})
}

func (s *Server) handleUnitReactivateForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.unitAction(w, r, p, fixed("单位已恢复；其账号仍为停用状态，需要时请逐个启用"), func(id int64) error {
		return partner.ReactivateUnit(r.Context(), s.db, s.auditWho(r, p), id, s.now())
	})
}

// unitBody is a unit with its contacts (phones masked).
type unitBody struct {
	partner.UnitInfo
	Contacts []partner.Contact `json:"contacts"`
}

func (s *Server) unitBody(r *http.Request, p *auth.Principal, id int64) (unitBody, error) {
	u, err := partner.GetUnitInfo(r.Context(), s.db, id)
	if err != nil {
		return unitBody{}, err
	}
	cs, err := partner.Contacts(r.Context(), s.db, id)
	if err != nil {
		return unitBody{}, err
	}
	m, err := s.masker(r, p, "unit", strconv.FormatInt(id, 10))
	if err != nil {
		return unitBody{}, err
	}
	for i := range cs {
		cs[i] = cs[i].Masked(m)
	}
	return unitBody{UnitInfo: u, Contacts: cs}, nil
}

func (s *Server) handleCreateUnitAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in partner.UnitInput
	if err := decodeJSON(r, &in, 1<<14); err != nil {
		return err
	}
	u, err := partner.CreateUnit(r.Context(), s.db, s.auditWho(r, p), in, s.now())
	if err != nil {
		return err
	}
	b, err := s.unitBody(r, p, u.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, b)
	return nil
}

func (s *Server) handleUnitAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	b, err := s.unitBody(r, p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}

func (s *Server) handleUpdateUnitAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	cur, err := partner.GetUnitInfo(r.Context(), s.db, id)
	if err != nil {
		return err
	}
	// Fields left out keep their value.
	in := partner.UnitInput{Kind: cur.Kind, Name: cur.Name, Code: cur.Code, ParentID: cur.ParentID}
	if err := decodeJSON(r, &in, 1<<14); err != nil {
		return err
	}
	if _, err := partner.UpdateUnit(r.Context(), s.db, s.auditWho(r, p), id, in, s.now()); err != nil {
		return err
	}
	b, err := s.unitBody(r, p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}

func (s *Server) handleRetireUnitAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	n, err := partner.RetireUnit(r.Context(), s.db, s.auditWho(r, p), id, s.now())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "retired": true, "users_disabled": n})
	return nil
}

func (s *Server) handleReactivateUnitAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := partner.ReactivateUnit(r.Context(), s.db, s.auditWho(r, p), id, s.now()); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "retired": false})
	return nil
}

func (s *Server) handleAddContactAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in partner.ContactInput
	if err := decodeJSON(r, &in, 1<<14); err != nil {
		return err
	}
	c, err := partner.AddContact(r.Context(), s.db, s.auditWho(r, p), id, in, s.now())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c.Masked(auth.Masker{}))
	return nil
}

func (s *Server) handleDeleteContactAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	cid, err := strconv.ParseInt(strings.TrimSpace(r.PathValue("contact")), 10, 64)
	if err != nil {
		return errorf(http.StatusBadRequest, "bad_id", "联系人编号无效")
	}
	if err := partner.DeleteContact(r.Context(), s.db, s.auditWho(r, p), id, cid, s.now()); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": cid, "deleted": true})
	return nil
}
