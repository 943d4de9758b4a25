package console

import (
	"crypto/subtle"
	"errors"
	"net/http"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/setup"
	"github.com/fanzha/fanzha/internal/web"
)

// First start. On a database with no county, `fanzha serve` prints a
// one-time link /setup?token=…; the page creates the county and the first
// administrator (setup.Run, the same function as `fanzha setup`), signs the
// administrator in and goes to 系统管理. Once the county exists /setup
// answers 404 「系统已完成初始化」 for good.

// setupCSRFCookie carries the setup form's double-submit token: the caller
// has no session yet.
const setupCSRFCookie = "fanzha_setup_csrf"

func (s *handler) setupRoutes() {
	s.Mux.HandleFunc("GET /setup", s.handleSetupPage)
	s.Mux.HandleFunc("POST /setup", s.handleSetupForm)
}

// setupForm is what the setup template shows.
type setupForm struct {
	CSRF   string
	Token  string
	Values setup.Params
}

func (s *handler) renderSetupDone(w http.ResponseWriter, r *http.Request) {
	s.Render(w, r, http.StatusNotFound, "setup_done", web.Page{Title: "系统已完成初始化"})
}

func (s *handler) renderSetup(w http.ResponseWriter, r *http.Request, status int, msg, token string, v setup.Params) {
	tok := web.NewToken()
	http.SetCookie(w, &http.Cookie{Name: setupCSRFCookie, Value: tok, Path: "/setup", HttpOnly: true, Secure: s.SecureCookies(r),
		SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	v.Password, v.Password2 = "", ""
	s.Render(w, r, status, "setup", web.Page{Title: "系统初始化", Error: msg, Data: setupForm{CSRF: tok, Token: token, Values: v}})
}

func (s *handler) handleSetupPage(w http.ResponseWriter, r *http.Request) {
	if done, err := s.SetupComplete(r); err != nil {
		s.ConsoleError(w, r, err)
		return
	} else if done {
		s.renderSetupDone(w, r)
		return
	}
	token := r.URL.Query().Get("token")
	if err := setup.CheckToken(r.Context(), s.DB, token, s.Now()); err != nil {
		if errors.Is(err, setup.ErrDone) {
			s.renderSetupDone(w, r)
			return
		}
		s.ConsoleError(w, r, err)
		return
	}
	s.renderSetup(w, r, http.StatusOK, "", token, setup.Params{})
}

func (s *handler) handleSetupForm(w http.ResponseWriter, r *http.Request) {
	if done, err := s.SetupComplete(r); err != nil {
		s.ConsoleError(w, r, err)
		return
	} else if done {
		s.renderSetupDone(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.ConsoleError(w, r, web.Errorf(http.StatusRequestEntityTooLarge, "too_large", "表单无法读取或过大（上限 64 KB），请重试"))
		return
	}
	token := r.PostFormValue("token")
	v := setup.Params{
		// county (the default) or province; setup.Run refuses any other.
		Level:         area.Level(r.PostFormValue("level")),
		CountyCode:    r.PostFormValue("county_code"),
		CountyName:    r.PostFormValue("county_name"),
		AdminUsername: r.PostFormValue("admin_username"),
		AdminName:     r.PostFormValue("admin_name"),
		Password:      r.PostFormValue("password"),
		Password2:     r.PostFormValue("password2"),
	}
	c, err := r.Cookie(setupCSRFCookie)
	if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf_token"))) != 1 {
		s.renderSetup(w, r, http.StatusForbidden, "表单已过期或来源不明，请重新填写", token, v)
		return
	}
	if v.Password2 == "" {
		// The form always sends the repetition; an empty one is a mistake.
		s.renderSetup(w, r, http.StatusBadRequest, "请再次输入密码", token, v)
		return
	}
	ip := web.ClientIP(r)
	res, err := setup.Run(r.Context(), s.DB, v, setup.Options{Token: token, Now: s.Now(),
		Audit: auth.AuditEntry{IP: ip, RequestID: web.RequestID(r.Context())}})
	switch {
	case errors.Is(err, setup.ErrDone):
		s.SetupDone.Store(true)
		s.renderSetupDone(w, r)
		return
	case errors.Is(err, setup.ErrBadToken):
		s.ConsoleError(w, r, err)
		return
	case err != nil:
		ae := web.Classify(err)
		if ae.Status >= 500 {
			s.Log.Error("setup failed", "err", err, "request_id", web.RequestID(r.Context()))
		}
		s.renderSetup(w, r, ae.Status, ae.Message, token, v)
		return
	}
	s.SetupDone.Store(true)
	s.Log.Info("first start complete", "county", res.County.Name, "code", res.County.Code, "admin", res.Admin.Username, "ip", ip)
	http.SetCookie(w, &http.Cookie{Name: setupCSRFCookie, Value: "", Path: "/setup", HttpOnly: true, Secure: s.SecureCookies(r), MaxAge: -1})
	if _, err := s.Login(w, r, v.AdminUsername, v.Password); err != nil {
		var step *web.SecondStep
		if errors.As(err, &step) {
			// 2FA required: the new admin enrols first (console/account.go).
			http.Redirect(w, r, "/login/2fa?next=%2Fadmin", http.StatusSeeOther)
			return
		}
		web.RedirectFlash(w, r, "/login?next=%2Fadmin", "系统初始化完成，请登录")
		return
	}
	web.RedirectFlash(w, r, "/admin", "系统初始化完成：已创建"+res.County.Name+"和管理员账号。下一步：导入辖区树")
}
