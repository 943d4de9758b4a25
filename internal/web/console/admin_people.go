package console

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/web"
)

func (s *handler) peopleRoutes() {
	m := s.Mux
	m.HandleFunc("GET /admin/users", s.Page(auth.CapStaffManage, s.handleUsersPage))
	m.HandleFunc("POST /admin/users", s.Page(auth.CapStaffManage, s.handleUserCreateForm))
	m.HandleFunc("POST /admin/users/import", s.Page(auth.CapStaffManage, s.handleUsersImportForm))
	m.HandleFunc("GET /admin/users/{id}", s.Page(auth.CapStaffManage, s.handleUserPage))
	m.HandleFunc("POST /admin/users/{id}", s.Page(auth.CapStaffManage, s.handleUserEditForm))
	m.HandleFunc("POST /admin/users/{id}/disable", s.Page(auth.CapStaffManage, s.handleUserDisableForm))
	m.HandleFunc("POST /admin/users/{id}/enable", s.Page(auth.CapStaffManage, s.handleUserEnableForm))
	m.HandleFunc("POST /admin/users/{id}/password", s.Page(auth.CapStaffManage, s.handleUserPasswordForm))
	m.HandleFunc("POST /admin/users/{id}/tokens", s.Page(auth.CapStaffManage, s.handleUserTokenForm))
	m.HandleFunc("POST /admin/users/{id}/tokens/{token}/revoke", s.Page(auth.CapStaffManage, s.handleUserTokenRevokeForm))
}

// roleOption is a role in a select.
type roleOption struct {
	Code auth.Role
	Name string
}

func roleOptions(roles []auth.Role) []roleOption {
	out := make([]roleOption, 0, len(roles))
	for _, r := range roles {
		out = append(out, roleOption{r, auth.RoleName(r)})
	}
	return out
}

// scopeNodes returns the nodes under p's node: all of them (for names) and
// the ones in use (for pickers).
func (s *handler) scopeNodes(r *http.Request, p *auth.Principal) (map[int64]area.Node, []area.Node, error) {
	nodes, err := area.Subtree(r.Context(), s.DB, p.Scope)
	if err != nil {
		return nil, nil, err
	}
	byID := make(map[int64]area.Node, len(nodes))
	var live []area.Node
	for _, n := range nodes {
		byID[n.ID] = n
		if !n.Retired {
			live = append(live, n)
		}
	}
	return byID, live, nil
}

// userRow is a user in the list, phone masked.
type userRow struct {
	auth.User
	AreaName string
	UnitName string
	Manage   bool
}

// usersPage is what admin_users.html shows.
type usersPage struct {
	Users     []userRow
	Roles     []roleOption // filter
	Grantable []roleOption // create form
	Areas     []area.Node
	Units     []partner.Unit
	Filter    map[string]string
	Import    *auth.ImportResult
	Passwords template.URL // data: URL of the generated passwords CSV, shown once (built here, not from input)
	Created   *auth.User
	Password  string // generated password of Created, shown once
	Form      map[string]string
}

func (s *handler) usersPageData(r *http.Request, p *auth.Principal) (*usersPage, error) {
	ctx := r.Context()
	q := r.URL.Query()
	f := auth.UserFilter{Role: auth.Role(q.Get("role")), Query: q.Get("q"), Limit: 1000}
	switch q.Get("disabled") {
	case "1":
		t := true
		f.Disabled = &t
	case "0":
		no := false
		f.Disabled = &no
	}
	if v := q.Get("area_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, web.Errorf(http.StatusBadRequest, "bad_param", "area_id 应为整数")
		}
		f.AreaID = id
	}
	users, err := auth.ListManaged(ctx, s.DB, p, f)
	if err != nil {
		return nil, err
	}
	byID, live, err := s.scopeNodes(r, p)
	if err != nil {
		return nil, err
	}
	units, err := partner.ListUnits(ctx, s.DB, partner.UnitFilter{})
	if err != nil {
		return nil, err
	}
	unitName := map[int64]string{}
	var active []partner.Unit
	for _, u := range units {
		unitName[u.ID] = u.Name
		if !u.Retired {
			active = append(active, u.Unit)
		}
	}
	m := p.Masker(false)
	pg := &usersPage{Roles: roleOptions(auth.Roles), Grantable: roleOptions(auth.GrantableRoles(p)), Areas: live,
		Filter: map[string]string{"role": q.Get("role"), "area_id": q.Get("area_id"), "disabled": q.Get("disabled"), "q": q.Get("q")},
		Form:   map[string]string{}}
	if p.Can(auth.CapUserAdmin) {
		pg.Units = active
	}
	for _, u := range users {
		u.Phone = m.Phone(u.Phone)
		pg.Users = append(pg.Users, userRow{User: u, AreaName: byID[u.AreaID].FullName, UnitName: unitName[u.UnitID],
			Manage: auth.MayGrant(p, u.Role) || u.ID == p.User.ID})
	}
	return pg, nil
}

func (s *handler) renderUsers(w http.ResponseWriter, r *http.Request, p *auth.Principal, status int, errMsg string, fill func(*usersPage)) error {
	pg, err := s.usersPageData(r, p)
	if err != nil {
		return err
	}
	if fill != nil {
		fill(pg)
	}
	s.Render(w, r, status, "admin_users", web.Page{Title: "人员账号", Active: "/admin", Error: errMsg, Data: pg})
	return nil
}

func (s *handler) handleUsersPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.renderUsers(w, r, p, http.StatusOK, "", nil)
}

// formFailure re-renders a form's page with the error when the input was
// refused (400, 403, 409); anything else is an error page.
func formFailure(err error, rerender func(status int, msg string) error) error {
	ae := web.Classify(err)
	switch ae.Status {
	case http.StatusBadRequest, http.StatusForbidden, http.StatusConflict:
		return rerender(ae.Status, ae.Message)
	}
	return err
}

func (s *handler) handleUserCreateForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	areaID, err := web.FormInt(r, "area_id")
	if err != nil {
		return err
	}
	unitID, err := web.FormInt(r, "unit_id")
	if err != nil {
		return err
	}
	nu := auth.NewUser{Username: r.FormValue("username"), DisplayName: r.FormValue("display_name"), Role: auth.Role(r.FormValue("role")),
		AreaID: areaID, UnitID: unitID, Phone: r.FormValue("phone"), Password: r.FormValue("password")}
	generate := r.FormValue("generate") != "" && nu.Password == ""
	u, pw, err := auth.ManagedCreate(r.Context(), s.DB, p, s.AuditWho(r, p), nu, generate, s.Now())
	if err != nil {
		return formFailure(err, func(status int, msg string) error {
			return s.renderUsers(w, r, p, status, msg, func(pg *usersPage) {
				pg.Form = map[string]string{"username": nu.Username, "display_name": nu.DisplayName, "role": string(nu.Role),
					"area_id": r.FormValue("area_id"), "unit_id": r.FormValue("unit_id"), "phone": nu.Phone}
			})
		})
	}
	if pw == "" {
		web.RedirectFlash(w, r, "/admin/users/"+strconv.FormatInt(u.ID, 10), "已创建账号 "+u.Username)
		return nil
	}
	return s.renderUser(w, r, p, u.ID, http.StatusCreated, "", func(pg *userPage) {
		pg.NewPassword = pw
		pg.Notice = "已创建账号 " + u.Username + "，初始密码只显示这一次，请当面交给本人"
	})
}

func (s *handler) handleUsersImportForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if r.MultipartForm == nil {
		return web.Errorf(http.StatusBadRequest, "bad_form", "请选择要导入的文件（multipart/form-data，字段 file）")
	}
	f, fh, err := r.FormFile("file")
	if err != nil {
		return s.renderUsers(w, r, p, http.StatusBadRequest, "请选择要导入的 Excel 或 CSV 文件", nil)
	}
	defer f.Close()
	res, err := auth.ImportOfficers(r.Context(), s.DB, p, s.AuditWho(r, p), fh.Filename, f, s.Now())
	if errors.Is(err, auth.ErrImportRejected) {
		return s.renderUsers(w, r, p, http.StatusUnprocessableEntity, fmt.Sprintf("文件中有 %d 处错误，未导入任何人员", len(res.Problems)), func(pg *usersPage) {
			pg.Import = &res
		})
	}
	if err != nil {
		return formFailure(err, func(status int, msg string) error { return s.renderUsers(w, r, p, status, msg, nil) })
	}
	return s.renderUsers(w, r, p, http.StatusOK, "", func(pg *usersPage) {
		pg.Import = &res
		var buf bytes.Buffer
		gen := 0
		for _, u := range res.Created {
			if u.Password != "" {
				gen++
			}
		}
		if gen > 0 && auth.WritePasswordsCSV(&buf, res.Created) == nil {
			pg.Passwords = template.URL("data:text/csv;charset=utf-8;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))
		}
	})
}

// userPage is what admin_users_detail.html shows.
type userPage struct {
	User        auth.User
	AreaName    string
	UnitName    string
	Self        bool
	Manage      bool // p may change this user's role, status and password
	Tokens      []auth.APIToken
	Grantable   []roleOption
	Areas       []area.Node
	Units       []partner.Unit
	NewPassword string
	NewToken    string
	Notice      string
}

func (s *handler) renderUser(w http.ResponseWriter, r *http.Request, p *auth.Principal, id int64, status int, errMsg string, fill func(*userPage)) error {
	ctx := r.Context()
	u, err := auth.ManagedUser(ctx, s.DB, p, id)
	if err != nil {
		return err
	}
	toks, err := auth.ManagedTokens(ctx, s.DB, p, id)
	if err != nil {
		return err
	}
	byID, live, err := s.scopeNodes(r, p)
	if err != nil {
		return err
	}
	pg := &userPage{User: u, Self: u.ID == p.User.ID, Manage: auth.MayGrant(p, u.Role), Tokens: toks,
		Grantable: roleOptions(auth.GrantableRoles(p)), Areas: live}
	if n, ok := byID[u.AreaID]; ok {
		pg.AreaName = n.FullName
	} else if u.AreaID != 0 {
		n, err := area.Get(ctx, s.DB, u.AreaID)
		if err != nil {
			return err
		}
		pg.AreaName = n.FullName
	}
	if u.UnitID != 0 {
		un, err := partner.GetUnit(ctx, s.DB, u.UnitID)
		if err != nil {
			return err
		}
		pg.UnitName = un.Name
	}
	if p.Can(auth.CapUserAdmin) {
		if pg.Units, err = partner.Units(ctx, s.DB); err != nil {
			return err
		}
	}
	pg.User.Phone = p.Masker(false).Phone(u.Phone)
	if fill != nil {
		fill(pg)
	}
	s.Render(w, r, status, "admin_users_detail", web.Page{Title: "账号 " + u.Username, Active: "/admin", Error: errMsg, Data: pg})
	return nil
}

func (s *handler) handleUserPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	return s.renderUser(w, r, p, id, http.StatusOK, "", nil)
}

// userAction runs a form's change and answers with a redirect to the user's
// page, or the page again with the refusal.
func (s *handler) userAction(w http.ResponseWriter, r *http.Request, p *auth.Principal, done string, change func(id int64) error) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	if err := change(id); err != nil {
		return formFailure(err, func(status int, msg string) error { return s.renderUser(w, r, p, id, status, msg, nil) })
	}
	web.RedirectFlash(w, r, "/admin/users/"+strconv.FormatInt(id, 10), done)
	return nil
}

func (s *handler) handleUserEditForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	areaID, err := web.FormInt(r, "area_id")
	if err != nil {
		return err
	}
	unitID, err := web.FormInt(r, "unit_id")
	if err != nil {
		return err
	}
	return s.userAction(w, r, p, "已保存", func(id int64) error {
		phone := strings.TrimSpace(r.FormValue("phone"))
		if phone == "" && r.FormValue("keep_phone") != "" {
			// The form shows the phone masked: left empty, it stays.
			cur, err := auth.ManagedUser(r.Context(), s.DB, p, id)
			if err != nil {
				return err
			}
			phone = cur.Phone
		}
		_, err := auth.UpdateManaged(r.Context(), s.DB, p, s.AuditWho(r, p), id, auth.UserUpdate{DisplayName: r.FormValue("display_name"),
			Phone: phone, Role: auth.Role(r.FormValue("role")), AreaID: areaID, UnitID: unitID}, s.Now())
		return err
	})
}

func (s *handler) handleUserDisableForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.userAction(w, r, p, "账号已停用：登录会话已结束，API 令牌已撤销", func(id int64) error {
		return auth.DisableManaged(r.Context(), s.DB, p, s.AuditWho(r, p), id, s.Now())
	})
}

func (s *handler) handleUserEnableForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.userAction(w, r, p, "账号已启用", func(id int64) error {
		return auth.EnableManaged(r.Context(), s.DB, p, s.AuditWho(r, p), id, s.Now())
	})
}

func (s *handler) handleUserPasswordForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	pw := r.FormValue("password")
	if pw == "" && r.FormValue("generate") == "" {
		return s.renderUser(w, r, p, id, http.StatusBadRequest, "请输入新密码，或点击“生成随机密码”", nil)
	}
	if r.FormValue("generate") != "" {
		pw = ""
	}
	gen, err := auth.ResetPassword(r.Context(), s.DB, p, s.AuditWho(r, p), id, pw, s.Now())
	if err != nil {
		return formFailure(err, func(status int, msg string) error { return s.renderUser(w, r, p, id, status, msg, nil) })
	}
	if gen == "" {
		web.RedirectFlash(w, r, "/admin/users/"+strconv.FormatInt(id, 10), "密码已重置，该账号需用新密码重新登录")
		return nil
	}
	return s.renderUser(w, r, p, id, http.StatusOK, "", func(pg *userPage) {
		pg.NewPassword = gen
		pg.Notice = "密码已重置，新密码只显示这一次"
	})
}

func (s *handler) handleUserTokenForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	days, err := web.FormInt(r, "days")
	if err != nil {
		return formFailure(err, func(status int, msg string) error { return s.renderUser(w, r, p, id, status, msg, nil) })
	}
	secret, _, err := auth.CreateManagedTokenValid(r.Context(), s.DB, p, s.AuditWho(r, p), id, r.FormValue("label"), time.Duration(days)*24*time.Hour, s.Now())
	if err != nil {
		return formFailure(err, func(status int, msg string) error { return s.renderUser(w, r, p, id, status, msg, nil) })
	}
	return s.renderUser(w, r, p, id, http.StatusCreated, "", func(pg *userPage) {
		pg.NewToken = secret
		pg.Notice = "已创建 API 令牌，令牌只显示这一次，请立即复制保存"
	})
}

func (s *handler) handleUserTokenRevokeForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	tid, err := strconv.ParseInt(r.PathValue("token"), 10, 64)
	if err != nil {
		return web.Errorf(http.StatusBadRequest, "bad_id", "令牌编号无效")
	}
	return s.userAction(w, r, p, "令牌已撤销", func(id int64) error {
		return auth.RevokeManagedToken(r.Context(), s.DB, p, s.AuditWho(r, p), id, tid, s.Now())
	})
}
