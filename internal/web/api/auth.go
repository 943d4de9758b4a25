package api

import (
	"net/http"
	"strings"

	"github.com/fanzha/fanzha/internal/web"
)

type LoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	// TOTP is the second factor of an account with two-factor login: the
	// app's 6-digit code or a recovery code.
	TOTP string `json:"totp,omitempty"`
}

type loginResponse struct {
	User      meResponse `json:"user"`
	CSRFToken string     `json:"csrf_token"`
}

func (s *handler) handleAPILogin(w http.ResponseWriter, r *http.Request) {
	// Requiring a JSON body keeps cross-site form posts out: a browser
	// cannot send application/json cross-origin without a preflight.
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		web.WriteError(w, r, web.Errorf(http.StatusUnsupportedMediaType, "content_type", "登录请求须为 application/json"))
		return
	}
	var req LoginRequest
	if err := web.DecodeJSON(r, &req, 1<<12); err != nil {
		web.WriteError(w, r, err)
		return
	}
	p, err := s.SignIn(w, r, req.Username, req.Password, req.TOTP, true)
	if err != nil {
		web.WriteError(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, loginResponse{User: s.me(p), CSRFToken: p.CSRF})
}

func (s *handler) handleAPILogout(w http.ResponseWriter, r *http.Request) {
	p := web.PrincipalFrom(r.Context())
	if p != nil {
		if err := web.CheckCSRF(r, p); err != nil {
			web.WriteError(w, r, err)
			return
		}
	}
	s.Logout(w, r)
	web.WriteJSON(w, http.StatusOK, map[string]string{"status": "logged out"})
}
