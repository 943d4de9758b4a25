package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/tabular"
)

// apiError is an error with the HTTP status and machine code to answer with.
// Its message is written for the person reading it: what went wrong and
// what to do.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Message }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// classify maps an error to its HTTP answer. This is the one place where
// sentinel errors of the domain packages become statuses.
func classify(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	// An uploaded table over its limits (a huge cell, a zip bomb …).
	var le *tabular.LimitError
	if errors.As(err, &le) {
		return &apiError{http.StatusRequestEntityTooLarge, "too_large", le.Msg}
	}
	switch {
	case errors.Is(err, domain.ErrNotFound), errors.Is(err, auth.ErrNotFound), errors.Is(err, area.ErrNotFound), errors.Is(err, db.ErrNotFound):
		return &apiError{http.StatusNotFound, "not_found", "记录不存在或不在您的辖区内"}
	case errors.Is(err, auth.ErrUnauthenticated):
		return &apiError{http.StatusUnauthorized, "unauthenticated", "请先登录，或在 Authorization: Bearer 中提供有效的 API 令牌"}
	case errors.Is(err, auth.ErrBadCredentials):
		return &apiError{http.StatusUnauthorized, "bad_credentials", "用户名或密码错误"}
	case errors.Is(err, auth.ErrDisabled):
		return &apiError{http.StatusForbidden, "disabled", "账号已停用，请联系中心管理员"}
	case errors.Is(err, auth.ErrForbidden), errors.Is(err, domain.ErrForbidden):
		return &apiError{http.StatusForbidden, "forbidden", trimSentinel(err, "当前角色无权执行此操作")}
	case errors.Is(err, auth.ErrInvalid), errors.Is(err, domain.ErrInvalid):
		return &apiError{http.StatusBadRequest, "invalid", trimSentinel(err, "请求内容有误")}
	case errors.Is(err, auth.ErrConflict), errors.Is(err, domain.ErrConflict):
		return &apiError{http.StatusConflict, "conflict", trimSentinel(err, "与现有记录冲突")}
	}
	return &apiError{http.StatusInternalServerError, "internal", "服务器内部错误，请稍后重试；如持续出现请把请求号告诉管理员"}
}

// trimSentinel returns the human part of a wrapped validation error: the
// text after the last sentinel, or a fallback.
func trimSentinel(err error, fallback string) string {
	msg := err.Error()
	for _, s := range []error{auth.ErrInvalid, auth.ErrForbidden, auth.ErrConflict, domain.ErrInvalid, domain.ErrForbidden, domain.ErrConflict} {
		if i := lastIndex(msg, s.Error()+": "); i >= 0 {
			return msg[i+len(s.Error())+2:]
		}
	}
	return fallback
}

func lastIndex(s, sub string) int {
	for i := len(s) - len(sub); i >= 0; i-- {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

type errorBody struct {
	Error     string `json:"error"`
	Code      string `json:"code"`
	RequestID string `json:"request_id,omitempty"`
}

// writeError answers with {"error": "...", "code": "..."} and the right
// status; server errors are logged with the request ID.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil && errors.Is(err, context.Canceled) {
		// The client went away (navigated on, closed the tab): nothing to
		// answer and nothing went wrong on our side.
		w.WriteHeader(499)
		return
	}
	ae := classify(err)
	rid := requestID(r.Context())
	if ae.Status >= 500 {
		slog.ErrorContext(r.Context(), "request failed", "err", err, "request_id", rid, "path", r.URL.Path)
	}
	writeJSON(w, ae.Status, errorBody{Error: ae.Message, Code: ae.Code, RequestID: rid})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// decodeJSON reads a JSON body of at most maxBytes into v.
func decodeJSON(r *http.Request, v any, maxBytes int64) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errorf(http.StatusRequestEntityTooLarge, "too_large", "请求体超过 %d 字节上限", maxBytes)
		}
		return errorf(http.StatusBadRequest, "bad_json", "请求体不是有效的 JSON：%v", err)
	}
	return nil
}
