package console

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/web"
)

func (s *handler) consoleRoutes() {
	t, err := web.LoadTemplates()
	if err != nil {
		panic(fmt.Sprintf("console templates: %v", err))
	}
	s.Tmpl = t
	s.JSBuilt = web.JSBuilt()
	m := s.Mux
	m.Handle("GET /static/", web.StaticHandler())
	m.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/static/shield.svg", http.StatusMovedPermanently)
	})
	m.HandleFunc("/", s.HandleConsoleNotFound)
	m.HandleFunc("GET /login", s.handleLoginPage)
	m.HandleFunc("POST /login", s.handleLoginForm)
	s.totpRoutes() // two-factor login, 我的账号 (console/account.go)
	m.HandleFunc("POST /logout", s.Page("", func(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
		s.Logout(w, r)
		web.RedirectFlash(w, r, "/login", "已退出登录")
		return nil
	}))
	m.HandleFunc("GET /{$}", s.Page("", s.handleHome))
	s.warningPages()
	s.recordPages()
	s.statementPages()
	m.HandleFunc("GET /audit", s.Page(auth.CapAuditRead, s.handleAuditPage))
}

func (s *handler) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	if p := web.PrincipalFrom(r.Context()); p != nil && p.Via == "session" {
		http.Redirect(w, r, web.SafeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	if _, _, ok := s.pendingSession(r); ok {
		// Password done, second step not: that is where to go on.
		http.Redirect(w, r, "/login/2fa?next="+url.QueryEscape(web.SafeNext(r.URL.Query().Get("next"))), http.StatusSeeOther)
		return
	}
	s.renderLogin(w, r, http.StatusOK, "")
}

// loginView is the data of the login page.
type loginView struct {
	Token, Next, Username string
	// SetupRequired: the county is not set up yet (the page links to setup).
	SetupRequired bool
}

func (s *handler) renderLogin(w http.ResponseWriter, r *http.Request, status int, msg string) {
	tok := web.NewToken()
	http.SetCookie(w, &http.Cookie{Name: web.LoginCSRFCookie, Value: tok, Path: "/login", HttpOnly: true, Secure: s.SecureCookies(r),
		SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	data := loginView{Token: tok, Next: web.SafeNext(r.URL.Query().Get("next")), Username: r.FormValue("username")}
	if done, err := s.SetupComplete(r); err == nil && !done {
		data.SetupRequired = true // setup.go, console/admin_setup.go
	}
	s.Render(w, r, status, "login", web.Page{Title: "登录", Error: msg, Data: data})
}

func (s *handler) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderLogin(w, r, http.StatusBadRequest, "表单无法读取，请重试")
		return
	}
	c, err := r.Cookie(web.LoginCSRFCookie)
	if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf_token"))) != 1 {
		s.renderLogin(w, r, http.StatusForbidden, "登录表单已过期或来源不明，请重新输入")
		return
	}
	if _, err := s.Login(w, r, r.PostFormValue("username"), r.PostFormValue("password")); err != nil {
		var step *web.SecondStep
		if errors.As(err, &step) {
			http.Redirect(w, r, "/login/2fa?next="+url.QueryEscape(web.SafeNext(r.PostFormValue("next"))), http.StatusSeeOther)
			return
		}
		ae := web.Classify(err)
		s.renderLogin(w, r, ae.Status, ae.Message)
		return
	}
	http.Redirect(w, r, web.SafeNext(r.PostFormValue("next")), http.StatusSeeOther)
}
