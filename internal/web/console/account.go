package console

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"html/template"
	"image/png"
	"net/http"
	"net/url"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/web"
	"github.com/pquerna/otp"
)

// Two-factor login pages: the second login step (/login/2fa: the code, or
// enrolment for a user who must have 2FA and has none yet), 我的账号
// (/account: enrol voluntarily, new recovery codes, own password) and the
// admin's reset of a user's 2FA.

// totpIssuer names fanzha in the authenticator app.
const totpIssuer = "反诈中心业务平台"

func (s *handler) totpRoutes() {
	m := s.Mux
	m.HandleFunc("GET /login/2fa", s.handleSecondStepPage)
	m.HandleFunc("POST /login/2fa", s.handleSecondStepForm)
	m.HandleFunc("GET /account", s.Page("", s.handleAccountPage))
	m.HandleFunc("POST /account/2fa", s.Page("", s.handleAccountEnrolForm))
	m.HandleFunc("POST /account/2fa/recovery", s.Page("", s.handleAccountRecoveryForm))
	m.HandleFunc("POST /account/password", s.Page("", s.handleAccountPasswordForm))
	m.HandleFunc("POST /admin/users/{id}/2fa/reset", s.Page(auth.CapStaffManage, s.handleUserTOTPResetForm))
}

// pendingSession is the session of a browser between password and second
// factor.
func (s *handler) pendingSession(r *http.Request) (auth.User, auth.Session, bool) {
	c, err := r.Cookie(web.SessionCookie)
	if err != nil || c.Value == "" {
		return auth.User{}, auth.Session{}, false
	}
	u, sess, err := s.Sessions.User(r.Context(), s.DB, c.Value, s.Now())
	if err != nil || sess.Stage == auth.StageFull {
		return auth.User{}, auth.Session{}, false
	}
	return u, sess, true
}

// enrolView is what an enrolment form shows: the secret to type and the
// QR code of the otpauth:// URI.
type enrolView struct {
	Secret string
	URI    string
	QR     template.URL
}

func newEnrolView(key *otp.Key) (enrolView, error) {
	v := enrolView{Secret: key.Secret(), URI: key.URL()}
	img, err := key.Image(220, 220)
	if err != nil {
		return v, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return v, err
	}
	v.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))
	return v, nil
}

type secondStepPage struct {
	Stage    string
	Username string
	CSRF     string
	Next     string
	Enrol    enrolView
	Recovery []string
}

func (s *handler) renderSecondStep(w http.ResponseWriter, r *http.Request, u auth.User, sess auth.Session, status int, msg string) {
	pg := secondStepPage{Stage: sess.Stage, Username: u.Username, CSRF: sess.CSRF, Next: web.SafeNext(r.FormValue("next"))}
	if sess.Stage == auth.StageEnrol {
		key, err := auth.BeginTOTP(r.Context(), s.DB, u, totpIssuer)
		if err == nil {
			pg.Enrol, err = newEnrolView(key)
		}
		if err != nil {
			s.ConsoleError(w, r, err)
			return
		}
	}
	s.Render(w, r, status, "login_2fa", web.Page{Title: "两步验证", Error: msg, Data: pg})
}

func (s *handler) handleSecondStepPage(w http.ResponseWriter, r *http.Request) {
	u, sess, ok := s.pendingSession(r)
	if !ok {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(web.SafeNext(r.FormValue("next"))), http.StatusSeeOther)
		return
	}
	s.renderSecondStep(w, r, u, sess, http.StatusOK, "")
}

func (s *handler) handleSecondStepForm(w http.ResponseWriter, r *http.Request) {
	u, sess, ok := s.pendingSession(r)
	if !ok {
		http.Redirect(w, r, "/login?flash="+url.QueryEscape("登录已过期，请重新输入密码"), http.StatusSeeOther)
		return
	}
	if err := r.ParseForm(); err != nil || !auth.CSRFMatch(sess.CSRF, r.PostFormValue("csrf_token")) {
		s.renderSecondStep(w, r, u, sess, http.StatusForbidden, "表单已过期或来源不明，请重新输入")
		return
	}
	ctx := r.Context()
	now := s.Now()
	if err := s.LoginAllowed(r, u.Username); err != nil {
		_ = auth.DeleteSessionID(ctx, s.DB, sess.ID)
		s.renderLogin(w, r, web.Classify(err).Status, web.Classify(err).Message)
		return
	}
	code := r.PostFormValue("code")
	var recovery []string
	detail := "2fa"
	switch sess.Stage {
	case auth.StageTOTP:
		used, err := auth.VerifySecondFactor(ctx, s.DB, u.ID, code, now)
		if errors.Is(err, auth.ErrBadTOTP) {
			if ferr := s.LoginFailed(r, u.Username, "second factor refused"); ferr != nil {
				s.ConsoleError(w, r, ferr)
				return
			}
			s.renderSecondStep(w, r, u, sess, http.StatusUnauthorized, auth.ErrBadTOTP.Error())
			return
		}
		if err != nil {
			s.ConsoleError(w, r, err)
			return
		}
		detail = web.SecondFactorDetail(used)
	case auth.StageEnrol:
		p := &auth.Principal{User: u, Via: "session", SessionID: sess.ID}
		codes, err := auth.ConfirmTOTP(ctx, s.DB, s.AuditWho(r, p), u, code, now)
		if errors.Is(err, domain.ErrInvalid) {
			if ferr := s.LoginFailed(r, u.Username, "2fa enrolment code refused"); ferr != nil {
				s.ConsoleError(w, r, ferr)
				return
			}
			s.renderSecondStep(w, r, u, sess, http.StatusUnprocessableEntity, web.Classify(err).Message)
			return
		}
		if err != nil {
			s.ConsoleError(w, r, err)
			return
		}
		recovery, detail = codes, "2fa enrolled"
	}
	if err := auth.PromoteSession(ctx, s.DB, sess.ID, s.Sessions, now); err != nil {
		s.ConsoleError(w, r, err)
		return
	}
	p, err := s.LoginDone(w, r, u, sess, detail)
	if err != nil {
		s.ConsoleError(w, r, err)
		return
	}
	if c, err := r.Cookie(web.SessionCookie); err == nil {
		http.SetCookie(w, &http.Cookie{Name: web.SessionCookie, Value: c.Value, Path: "/", HttpOnly: true, Secure: s.SecureCookies(r),
			SameSite: http.SameSiteLaxMode, MaxAge: int(s.Sessions.Max.Seconds())})
	}
	next := web.SafeNext(r.PostFormValue("next"))
	if recovery != nil {
		// Shown once: the page the user lands on after enrolment.
		r = r.WithContext(context.WithValue(ctx, web.KeyPrincipal, p))
		s.Render(w, r, http.StatusOK, "login_2fa", web.Page{Title: "两步验证已启用", Data: secondStepPage{Stage: "done",
			Username: u.Username, Next: next, Recovery: recovery}})
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// accountPage is 我的账号.
type accountPage struct {
	User     auth.User
	TOTP     auth.TOTPStatus
	Required bool
	Enrol    enrolView
	Recovery []string
	Notice   string
}

func (s *handler) renderAccount(w http.ResponseWriter, r *http.Request, p *auth.Principal, status int, msg string, fill func(*accountPage)) error {
	ctx := r.Context()
	st, err := auth.TOTPState(ctx, s.DB, p.User.ID)
	if err != nil {
		return err
	}
	req, err := auth.TOTPRequired(ctx, s.DB)
	if err != nil {
		return err
	}
	pg := &accountPage{User: p.User, TOTP: st, Required: req && auth.NeedsTOTP(p.User.Role)}
	if !st.Enabled {
		key, err := auth.BeginTOTP(ctx, s.DB, p.User, totpIssuer)
		if err != nil {
			return err
		}
		if pg.Enrol, err = newEnrolView(key); err != nil {
			return err
		}
	}
	if fill != nil {
		fill(pg)
	}
	s.Render(w, r, status, "account", web.Page{Title: "我的账号", Error: msg, Data: pg})
	return nil
}

func (s *handler) handleAccountPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.renderAccount(w, r, p, http.StatusOK, "", nil)
}

func (s *handler) handleAccountEnrolForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	codes, err := auth.ConfirmTOTP(r.Context(), s.DB, s.AuditWho(r, p), p.User, r.FormValue("code"), s.Now())
	if err != nil {
		return formFailure(err, func(status int, msg string) error { return s.renderAccount(w, r, p, status, msg, nil) })
	}
	return s.renderAccount(w, r, p, http.StatusOK, "", func(pg *accountPage) {
		pg.Recovery, pg.Notice = codes, "两步验证已启用。恢复码只显示这一次，请抄写或打印后妥善保管"
	})
}

func (s *handler) handleAccountRecoveryForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	codes, err := auth.RenewRecoveryCodes(r.Context(), s.DB, s.AuditWho(r, p), p.User, r.FormValue("code"), s.Now())
	if err != nil {
		return formFailure(err, func(status int, msg string) error { return s.renderAccount(w, r, p, status, msg, nil) })
	}
	return s.renderAccount(w, r, p, http.StatusOK, "", func(pg *accountPage) {
		pg.Recovery, pg.Notice = codes, "已生成新的恢复码，旧恢复码全部作废。新恢复码只显示这一次"
	})
}

func (s *handler) handleAccountPasswordForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if subtle.ConstantTimeCompare([]byte(r.FormValue("password")), []byte(r.FormValue("password2"))) != 1 {
		return s.renderAccount(w, r, p, http.StatusBadRequest, "两次输入的新密码不一致", nil)
	}
	err := auth.ChangeOwnPassword(r.Context(), s.DB, p, s.AuditWho(r, p), r.FormValue("current"), r.FormValue("password"), s.Now())
	if err != nil {
		return formFailure(err, func(status int, msg string) error { return s.renderAccount(w, r, p, status, msg, nil) })
	}
	web.RedirectFlash(w, r, "/account", "密码已修改：其他设备上的登录已退出")
	return nil
}

func (s *handler) handleUserTOTPResetForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.userAction(w, r, p, "已重置两步验证：该账号的登录已退出，下次登录时重新绑定验证器", func(id int64) error {
		return auth.ResetTOTP(r.Context(), s.DB, p, s.AuditWho(r, p), id, s.Now())
	})
}
