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
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/fraudtype"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/money"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/prevent"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/zone"
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

// The six parts of the product, and administration.
var navItems = []navItem{
	{"/", "首页", ""},
	{"/warnings", "预警劝阻", auth.CapWarningRead},
	{"/cases", "侦办追赃", auth.CapCaseRead},
	{"/freezes", "止付冻结", auth.CapFundsRead},
	{"/intel", "两卡研判", auth.CapIntelRead},
	{"/prevention", "宣传防范", auth.CapPreventRead},
	{"/bulletins", "研判通报", auth.CapBulletinRead},
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

var Funcs = template.FuncMap{
	"yuan":  func(fen int64) string { return money.FormatYuan(fen) },
	"wan":   Wan,
	"num":   Thousands,
	"grade": func(g warning.Grade) string { return warning.GradeName(g) },
	"source": func(s warning.Source) string {
		return warning.SourceName(s)
	},
	"outcome":   func(o warning.Outcome) string { return warning.OutcomeName(o) },
	"ftype":     func(c string) string { return fraudtype.Name(fraudtype.Code(c)) },
	"ftypes":    fraudtype.All,
	"role":      func(r auth.Role) string { return auth.RoleName(r) },
	"permille":  func(p int64) string { return fmt.Sprintf("%.1f%%", float64(p)/10) },
	"iso":       func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"ms":        func(t time.Time) int64 { return t.UnixMilli() },
	"sexname":   sexName,
	"occupname": funds.OccupationName,
	"add":       func(a, b int) int { return a + b },
	"pct": func(a, b int64) string {
		if b == 0 {
			return "—"
		}
		return fmt.Sprintf("%.1f%%", float64(a)*100/float64(b))
	},
	"mins": func(s float64) string {
		if s == 0 {
			return "—"
		}
		if s < 3600 {
			return fmt.Sprintf("%.1f 分钟", s/60)
		}
		return fmt.Sprintf("%.1f 小时", s/3600)
	},
	"kindname": warning.EventKindName,
	"evkind":   prevent.KindName,
	"unitkind": partner.UnitKindName, // every kind, the new ones too
	"action":   AuditActionName,
	"gradecount": func(m map[warning.Grade]int64, g string) int64 {
		return m[warning.Grade(g)]
	},
	"list":        func(s ...string) []string { return s },
	"mapname":     funds.MappingTitle,
	"auditdetail": AuditDetailText,
	"auditobject": AuditObjectText,
	"entkind":     entityKindName,
	"helptext":    helpText,
	"channel":     funds.ChannelName,
	"join":        func(s []string) string { return strings.Join(s, "、") },
	"rstatus":     partner.StatusName,
	"cstatus":     funds.CaseStatusName,
}

// Local formats a time in Asia/Shanghai.
func Local(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(zone.Shanghai).Format("2006-01-02 15:04")
}

func localSec(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(zone.Shanghai).Format("01-02 15:04:05")
}

func sexName(s string) string {
	switch s {
	case "M":
		return "男"
	case "F":
		return "女"
	}
	return "—"
}

// localFull formats a time in Asia/Shanghai with the date and seconds, for
// the audit log.
func localFull(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(zone.Shanghai).Format("2006-01-02 15:04:05")
}

// Thousands formats an integer with thousands separators: 4,199,865.
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Wan formats fen as 万元 with two decimals and thousands separators, in
// integer arithmetic: 1 万元 is 1,000,000 fen.
func Wan(fen int64) string {
	hundredths := fen / 10000
	if r := fen % 10000; r >= 5000 {
		hundredths++
	} else if r <= -5000 {
		hundredths--
	}
	return money.FormatYuan(hundredths)
}

// AuditActions are the audit log's actions with their Chinese labels, in
// the order the audit page's filter lists them.
var AuditActions = []struct{ Code, Name string }{
	{auth.AuditLogin, "登录"}, {auth.AuditLoginFailed, "登录失败"}, {auth.AuditLogout, "退出"},
	{auth.AuditUnmask, "查看完整号码"}, {auth.AuditView, "查看记录"}, {auth.AuditCreate, "新建"}, {auth.AuditUpdate, "修改"},
	{auth.AuditDelete, "删除"}, {auth.AuditExport, "导出"}, {auth.AuditToken, "生成令牌"},
	{auth.AuditTOTPEnrol, "启用两步验证"}, {auth.AuditTOTPReset, "重置两步验证"},
}

func AuditActionName(code string) string {
	for _, a := range AuditActions {
		if a.Code == code {
			return a.Name
		}
	}
	return code
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
			if n.Cap == "" || p.Can(n.Cap) {
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

// Pager is the numbered pager of a list page, shown by the "pager"
// partial (templates/common/pager.html): the links to the previous and
// the next page, "" on the first or the last.
type Pager struct {
	ID         string // the element's id
	Prev, Next string
	Page       int
}

// Keyset is the pager of a newest-first list paged by the last id, shown
// by the "keyset" partial: First leads back to the newest rows ("" when
// they are shown), Older to the rows after this page ("" when none).
type Keyset struct{ First, Older string }

// NewKeyset is the pager of a list filtered by params (name, value, name,
// value … in the order of the links) showing the rows before the id
// before (0: the newest) whose last row is next (0: no older rows).
func NewKeyset(before, next int64, params ...string) Keyset {
	var q strings.Builder
	for i := 0; i+1 < len(params); i += 2 {
		if i > 0 {
			q.WriteByte('&')
		}
		q.WriteString(url.QueryEscape(params[i]) + "=" + url.QueryEscape(params[i+1]))
	}
	var k Keyset
	if before != 0 {
		k.First = "?" + q.String()
	}
	if next != 0 {
		k.Older = "?" + q.String() + "&before=" + strconv.FormatInt(next, 10)
	}
	return k
}

// EmptyRow is the row a table shows when it has none, by the "empty"
// partial (templates/common/table.html): {{template "empty" (empty 7 "没有案件")}}.
type EmptyRow struct {
	Cols int
	Text string
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
