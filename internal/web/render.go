package web

import (
	"bytes"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
)

// The console is server-rendered html/template pages with a small embedded
// script (ECharts charts, the live duty board, countdowns). Every page
// works from the binary alone: nothing is loaded from the internet. Forms
// post back to the console with the session's CSRF token and redirect.

//go:embed templates/*.html templates/common/*.html
var templateFS embed.FS

//go:embed all:static
var staticFS embed.FS

// navItem is an entry of the console's navigation.
type navItem struct {
	Path  string
	Label string
	Cap   auth.Capability
}

// navRoles are the entries shown only to some of the roles with their
// capability (the page itself is guarded by the capability): a link for
// the people whose work it is, not for everyone who may read it.
var navRoles = map[string][]auth.Role{
	"/instructions":  {auth.RoleAdmin, auth.RoleDuty, auth.RoleStationHead, auth.RoleDissuader, auth.RoleLeader},
	"/consultations": {auth.RoleAdmin, auth.RoleDuty, auth.RoleStationHead, auth.RoleDissuader},
	"/league":        {auth.RoleAdmin, auth.RoleLeader, auth.RoleDuty, auth.RoleStationHead},
}

// The six parts of the product, and administration.
var navItems = []navItem{
	{"/", "首页", ""},
	{"/warnings", "预警劝阻", auth.CapWarningRead},
	{"/instructions", "指令反馈", auth.CapWarningRead},    // console/instructions.go
	{"/consultations", "96110", auth.CapWarningWrite}, // console/league.go
	{"/cases", "侦办追赃", auth.CapCaseRead},
	{"/campaigns", "战役督办", auth.CapCaseRead}, // console/campaigns.go
	{"/freezes", "止付冻结", auth.CapFundsRead},
	{"/intel", "两卡研判", auth.CapIntelRead},
	{"/prevention", "宣传防范", auth.CapPreventRead},
	{"/bulletins", "研判通报", auth.CapBulletinRead},
	{"/league", "考核排名", auth.CapFiguresRead}, // console/league.go
	{"/partners", "联席协作", auth.CapPartnerManage},
	{"/inbox", "协查请求", auth.CapPartnerInbox},
	{"/joint", "联席会议", auth.CapPartnerManage}, // partner extension (web/api/partner_ext.go, web/console/joint.go)
	{"/unit", "本单位事务", auth.CapPartnerInbox},  // partner extension (web/api/partner_ext.go, web/console/joint.go)
	{"/audit", "审计日志", auth.CapAuditRead},
	{"/admin", "系统管理", auth.CapStaffManage}, // admin.go
}

// Can reports whether the signed-in person's role has a capability:
// templates render a link or form only for those who may use it
// ({{if $.Can "case.write"}}…{{end}}), so no role is shown a 403.
func (pg Page) Can(c string) bool { return pg.P.Can(auth.Capability(c)) }

// Page is what every template gets.
type Page struct {
	Title     string
	Active    string
	P         *auth.Principal
	RoleName  string
	Nav       []navItem
	CSRF      string
	Flash     string
	Error     string
	JSBuilt   bool
	Unmasked  bool
	CanUnmask bool
	Now       time.Time
	Data      any
}

func init() {
	Funcs["empty"] = func(cols int, text string) EmptyRow { return EmptyRow{cols, text} }
	Funcs["local"] = Local
	Funcs["localsec"] = localSec
	Funcs["localfull"] = localFull
}

// templates holds one parsed set per page: the layout plus the page.
type templates map[string]*template.Template

// LoadTemplates parses every page of templates/ with the layout and the
// partials of templates/common.
func LoadTemplates() (templates, error) {
	// The layout and the partials every page may use (templates/common).
	common, err := fs.ReadDir(templateFS, "templates/common")
	if err != nil {
		return nil, err
	}
	base := template.New("layout").Funcs(Funcs)
	for _, e := range common {
		body, err := templateFS.ReadFile("templates/common/" + e.Name())
		if err != nil {
			return nil, err
		}
		if _, err := base.Parse(string(body)); err != nil {
			return nil, fmt.Errorf("template common/%s: %w", e.Name(), err)
		}
	}
	entries, err := fs.ReadDir(templateFS, "templates")
	if err != nil {
		return nil, err
	}
	out := templates{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() {
			continue
		}
		body, err := templateFS.ReadFile("templates/" + name)
		if err != nil {
			return nil, err
		}
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.Parse(string(body)); err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		out[strings.TrimSuffix(name, ".html")] = t
	}
	return out, nil
}

// Render writes a page with the layout.
func (s *Server) Render(w http.ResponseWriter, r *http.Request, status int, name string, pg Page) {
	p := PrincipalFrom(r.Context())
	pg.P = p
	pg.JSBuilt = s.JSBuilt
	pg.Now = s.Now()
	if p != nil {
		pg.CSRF = p.CSRF
		pg.RoleName = auth.RoleName(p.User.Role)
		pg.CanUnmask = p.Can(auth.CapUnmask)
		for _, n := range navItems {
			if n.Cap == "" && p.User.Role == auth.RolePartner && n.Path == "/" {
				continue
			}
			if (n.Cap == "" || p.Can(n.Cap)) && (navRoles[n.Path] == nil || slices.Contains(navRoles[n.Path], p.User.Role)) {
				pg.Nav = append(pg.Nav, n)
			}
		}
	}
	if pg.Flash == "" {
		pg.Flash = takeFlash(w, r)
	}
	t := s.Tmpl[name]
	if t == nil {
		http.Error(w, "模板不存在："+name, http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, pg); err != nil {
		s.Log.Error("render", "template", name, "err", err, "request_id", RequestID(r.Context()))
		http.Error(w, "页面渲染失败，请把请求号 "+RequestID(r.Context())+" 告诉管理员", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorView is the data of the console's error page.
type errorView struct {
	Status             int
	Message, RequestID string
}

// ConsoleError renders a Chinese error page with the right status.
func (s *Server) ConsoleError(w http.ResponseWriter, r *http.Request, err error) {
	ae := classifyRequest(r, err)
	if ae.Status == statusCanceled {
		w.WriteHeader(statusCanceled)
		return
	}
	if ae.Status >= 500 {
		s.Log.Error("console request failed", "err", err, "request_id", RequestID(r.Context()), "path", r.URL.Path)
	}
	s.Render(w, r, ae.Status, "error", Page{Title: errorTitle(ae.Status),
		Data: errorView{Status: ae.Status, Message: ae.Message, RequestID: RequestID(r.Context())}})
}

// errorTitle is the heading of a console error page.
func errorTitle(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "请求有误"
	case http.StatusUnauthorized:
		return "请先登录"
	case http.StatusForbidden:
		return "无权访问"
	case http.StatusNotFound:
		return "页面或记录不存在"
	case http.StatusConflict:
		return "操作冲突"
	case http.StatusTooManyRequests:
		return "操作过于频繁"
	}
	if status >= 500 {
		return "服务器出错"
	}
	return "出错了"
}

// HandleConsoleNotFound answers paths no route knows with the Chinese 404
// page (the API has its own JSON 404 under /api/).
func (s *Server) HandleConsoleNotFound(w http.ResponseWriter, r *http.Request) {
	s.ConsoleError(w, r, Errorf(http.StatusNotFound, "not_found", "没有这个页面：%s", r.URL.Path))
}

// ConsoleHandler is a console page handler.
type ConsoleHandler func(w http.ResponseWriter, r *http.Request, p *auth.Principal) error

// Page wraps a console handler: a caller who is not signed in goes to the
// login page (and comes back after); missing capability is a 403 page,
// before the body is read; the body is bounded by the route's limit and a
// multipart form parsed within it (prepareBody); unsafe requests need the
// CSRF token.
func (s *Server) Page(c auth.Capability, h ConsoleHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := PrincipalFrom(r.Context())
		if p == nil || p.Via != "session" {
			next := r.URL.RequestURI()
			http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
			return
		}
		// The capability first: a caller who may not use the page is
		// refused before a byte of the body is read (bodylimit.go).
		if c != "" {
			if err := p.Require(c); err != nil {
				s.ConsoleError(w, r, err)
				return
			}
		}
		if err := prepareBody(r); err != nil {
			s.ConsoleError(w, r, err)
			return
		}
		if err := CheckCSRF(r, p); err != nil {
			s.ConsoleError(w, r, err)
			return
		}
		if err := h(w, r, p); err != nil {
			s.ConsoleError(w, r, err)
		}
	}
}

// LoginCSRFCookie carries the pre-login CSRF token (double submit): the
// login form is not yet tied to a session.
const LoginCSRFCookie = "fanzha_login_csrf"

func NewToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// SafeNext keeps redirects after login on this site: only a clean path
// (with an optional query) is accepted, anything else goes home. Browsers
// drop tabs and newlines and read backslashes as slashes, so "/\t/evil"
// or "/\\evil" would leave the site; encoded slashes are refused as well.
func SafeNext(next string) string {
	if len(next) > 2000 || !strings.HasPrefix(next, "/") {
		return "/"
	}
	for _, c := range next {
		if c < 0x21 || c == 0x7f || c == '\\' || c > 0x7e {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || u.Fragment != "" ||
		!strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	low := strings.ToLower(u.EscapedPath())
	if strings.Contains(low, "%2f") || strings.Contains(low, "%5c") || strings.Contains(low, "%09") || strings.Contains(low, "%0a") || strings.Contains(low, "%0d") {
		return "/"
	}
	return next
}

// flashCookie carries the message of the redirect that set it.
const flashCookie = "fanzha_flash"

// RedirectFlash answers a console form post with a redirect and a message.
// A page shows ?flash= only when the short-lived cookie set here holds the
// same text: a link written by someone else (/login?flash=账号异常，请致电…)
// shows nothing on a trusted page, as no one can set another's cookies.
// The text stays in the URL for people and tests reading the redirect.
func RedirectFlash(w http.ResponseWriter, r *http.Request, to, msg string) {
	if rs := []rune(msg); len(rs) > 300 {
		msg = string(rs[:300]) + "…"
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: "/", MaxAge: 120, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	http.Redirect(w, r, to+sep+"flash="+url.QueryEscape(msg), http.StatusSeeOther)
}

// takeFlash is the message to show: ?flash= when the redirect's cookie
// holds the same text (the cookie is then cleared), else nothing.
func takeFlash(w http.ResponseWriter, r *http.Request) string {
	q := r.URL.Query().Get("flash")
	if q == "" {
		return ""
	}
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	v, err := url.QueryUnescape(c.Value)
	if err != nil || v != q {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	return q
}

// FormInt parses an optional integer form or query value.
func FormInt(r *http.Request, name string) (int64, error) {
	v := strings.TrimSpace(r.FormValue(name))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, Errorf(http.StatusBadRequest, "bad_param", "%s 应为整数", name)
	}
	return n, nil
}

// UnmaskAsked reports whether the page was asked with ?unmask=1.
func UnmaskAsked(r *http.Request) bool { return r.URL.Query().Get("unmask") == "1" }

var JSONUnmarshal = json.Unmarshal
