package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/fanzha/fanzha/internal/domain"
)

// apiError is an error of the web layer itself (a request it cannot read:
// bad JSON, a missing form field, a wrong content type …) with the HTTP
// status and machine code to answer with. Its message is written for the
// person reading it: what went wrong and what to do. Errors of the domain
// packages are domain.Error values, mapped by Classify.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Message }

func Errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// statusCanceled is the status of a request whose client went away
// (nginx's 499); nothing is written.
const statusCanceled = 499

// Classify maps an error to its HTTP answer; the JSON API (WriteError) and
// the console's pages (ConsoleError) both answer with it. This is the one
// place where the kinds of the domain family become statuses and codes;
// the message of a domain error reaches the body unchanged, and a kind's
// bare sentinel gets the kind's standard text.
func Classify(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	if de, ok := domain.As(err); ok {
		ae := &apiError{Code: de.CodeOf(), Message: de.Msg}
		var fallback string
		switch de.Kind {
		case domain.KindInvalid:
			ae.Status, fallback = http.StatusBadRequest, "请求内容有误"
		case domain.KindUnauthenticated:
			ae.Status, fallback = http.StatusUnauthorized, "请先登录，或在 Authorization: Bearer 中提供有效的 API 令牌"
		case domain.KindForbidden:
			ae.Status, fallback = http.StatusForbidden, "当前角色无权执行此操作"
		case domain.KindNotFound:
			ae.Status, fallback = http.StatusNotFound, "记录不存在或不在您的辖区内"
		case domain.KindConflict:
			ae.Status, fallback = http.StatusConflict, "与现有记录冲突"
		case domain.KindTooLarge:
			ae.Status, fallback = http.StatusRequestEntityTooLarge, "内容超过大小上限"
		case domain.KindRule:
			ae.Status, fallback = http.StatusUnprocessableEntity, "现有记录不允许此操作"
		default:
			return internalError()
		}
		if ae.Message == "" {
			ae.Message = fallback
		}
		return ae
	}
	switch {
	case errors.Is(err, context.Canceled):
		return &apiError{statusCanceled, "canceled", "请求已取消"}
	case errors.Is(err, context.DeadlineExceeded):
		return &apiError{http.StatusServiceUnavailable, "timeout", "处理超时，请稍后重试；如持续出现请把请求号告诉管理员"}
	}
	return internalError()
}

func internalError() *apiError {
	return &apiError{http.StatusInternalServerError, "internal", "服务器内部错误，请稍后重试；如持续出现请把请求号告诉管理员"}
}

// classifyRequest classifies the error of a request. A cancellation the
// client did not cause (its request is still live) is a server error.
func classifyRequest(r *http.Request, err error) *apiError {
	ae := Classify(err)
	if ae.Status == statusCanceled && r.Context().Err() == nil {
		return internalError()
	}
	return ae
}

type ErrorBody struct {
	Error     string `json:"error"`
	Code      string `json:"code"`
	RequestID string `json:"request_id,omitempty"`
}

// WriteError answers with {"error": "...", "code": "..."} and the right
// status; server errors are logged with the request ID.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	ae := classifyRequest(r, err)
	if ae.Status == statusCanceled {
		// The client went away (navigated on, closed the tab): nothing to
		// answer and nothing went wrong on our side.
		w.WriteHeader(statusCanceled)
		return
	}
	rid := RequestID(r.Context())
	if ae.Status >= 500 {
		slog.ErrorContext(r.Context(), "request failed", "err", err, "request_id", rid, "path", r.URL.Path)
	}
	WriteJSON(w, ae.Status, ErrorBody{Error: ae.Message, Code: ae.Code, RequestID: rid})
}

func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// DecodeJSON reads a JSON body of at most maxBytes into v.
func DecodeJSON(r *http.Request, v any, maxBytes int64) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return Errorf(http.StatusRequestEntityTooLarge, "too_large", "请求体超过 %d 字节上限", maxBytes)
		}
		return Errorf(http.StatusBadRequest, "bad_json", "请求体不是有效的 JSON：%v", err)
	}
	return nil
}
