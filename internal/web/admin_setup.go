package web

import (
	"crypto/subtle"
	"errors"
	"net/http"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/setup"
)

// First start. On a database with no county, `fanzha serve` prints a
// one-time link /setup?token=…; the page creates the county and the first
// administrator (setup.Run, the same function as `fanzha setup`), signs the
// administrator in and goes to 系统管理. Once the county exists /setup
// answers 404 「系统已完成初始化」 for good.

// setupCSRFCookie carries the setup form's double-submit token: the caller
// has no session yet.
const setupCSRFCookie = "fanzha_setup_csrf"

func (s *Server) setupRoutes() {
	s.mux.HandleFunc("GET /setup", s.handleSetupPage)
	s.mux.HandleFunc("POST /setup", s.handleSetupForm)
}

// setupComplete reports whether the county exists. Once true it stays true
// (a county is never removed), so the answer is remembered.
func (s *Server) setupComplete(r *http.Request) (bool, error) {
	if s.setupDone.Load() {
		return true, nil
	}
	need, err := setup.Required(r.Context(), s.db)
	if err != nil {
		return false, err
	}
	if !need {
		s.setupDone.Store(true)
	}
	return !need, nil
}

// setupForm is what the setup template shows.
type setupForm struct {
	CSRF   string
	Token  string
	Values setup.Params
}

func (s *Server) renderSetupDone(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusNotFound, "setup_done", page{Title: "系统已完成初始化"})
}

func (s *Server) renderSetup(w http.ResponseWriter, r *http.Request, status int, msg, token string, v setup.Params) {
	tok := newToken()
	http.SetCookie(w, &http.Cookie{Name: setupCSRFCookie, Value: tok, Path: "/setup", HttpOnly: true, Secure: s.secureCookies(r),
		SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	v.Password, v.Password2 = "", ""
	s.render(w, r, status, "setup", page{Title: "系统初始化", Error: msg, Data: setupForm{CSRF: tok, Token: token, Values: v}})
}

func (s *Server) handleSetupPage(w http.ResponseWriter, r *http.Request) {
	if done, err := s.setupComplete(r); err != nil {
		s.consoleError(w, r, err)
		return
	} else if done {
		s.renderSetupDone(w, r)
		return
	}
	token := r.URL.Query().Get("token")
	if err := setup.CheckToken(r.Context(), s.db, token, s.now()); err != nil {
		if errors.Is(err, setup.ErrDone) {
			s.renderSetupDone(w, r)
			return
		}
		s.consoleError(w, r, err)
		return
	}
	s.renderSetup(w, r, http.StatusOK, "", token, setup.Params{})
}

func (s *Server) handleSetupForm(w http.ResponseWriter, r *http.Request) {
	if done, err := s.setupComplete(r); err != nil {
		s.consoleError(w, r, err)
		return
	} else if done {
		s.renderSetupDone(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.consoleError(w, r, errorf(http.StatusRequestEntityTooLarge, "too_large", "表单无法读取或过大（上限 64 KB），请重试"))
		return
	}
	token := r.PostFormValue("token")
	v := setup.Params{
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
	ip := clientIP(r)
	res, err := setup.Run(r.Context(), s.db, v, setup.Options{Token: token, Now: s.now(),
		Audit: auth.AuditEntry{IP: ip, RequestID: requestID(r.Context())}})
	switch {
	case errors.Is(err, setup.ErrDone):
		s.setupDone.Store(true)
		s.renderSetupDone(w, r)
		return
	case errors.Is(err, setup.ErrBadToken):
		s.consoleError(w, r, err)
		return
	case err != nil:
		ae := classify(err)
		if ae.Status >= 500 {
			s.log.Error("setup failed", "err", err, "request_id", requestID(r.Context()))
		}
		s.renderSetup(w, r, ae.Status, ae.Message, token, v)
		return
	}
	s.setupDone.Store(true)
	s.log.Info("first start complete", "county", res.County.Name, "code", res.County.Code, "admin", res.Admin.Username, "ip", ip)
	http.SetCookie(w, &http.Cookie{Name: setupCSRFCookie, Value: "", Path: "/setup", HttpOnly: true, Secure: s.secureCookies(r), MaxAge: -1})
	if _, err := s.login(w, r, v.AdminUsername, v.Password); err != nil {
		var step *secondStep
		if errors.As(err, &step) {
			// 2FA required: the new admin enrols first (totp.go).
			http.Redirect(w, r, "/login/2fa?next=%2Fadmin", http.StatusSeeOther)
			return
		}
		redirectFlash(w, r, "/login?next=%2Fadmin", "系统初始化完成，请登录")
		return
	}
	redirectFlash(w, r, "/admin", "系统初始化完成：已创建"+res.County.Name+"和管理员账号。下一步：导入辖区树")
}
