package server

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/intel"
	"github.com/fanzha/fanzha/internal/money"
	"github.com/fanzha/fanzha/internal/notify"
	"github.com/fanzha/fanzha/internal/settings"
	"github.com/fanzha/fanzha/internal/tabular"
	"github.com/fanzha/fanzha/internal/trace"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/web"
)

// errorAnswer is what a caller sees of an error: the JSON API's status,
// code and message, and the console page's status and message.
type errorAnswer struct {
	status      int
	code, msg   string
	pageStatus  int
	pageMessage string
}

func answerOf(t *testing.T, ctx context.Context, err error) errorAnswer {
	t.Helper()
	tmpl, terr := web.LoadTemplates()
	if terr != nil {
		t.Fatal(terr)
	}
	s := &web.Server{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now, Tmpl: tmpl}
	r := httptest.NewRequestWithContext(ctx, http.MethodGet, "/api/v1/x", nil)

	var a errorAnswer
	rec := httptest.NewRecorder()
	web.WriteError(rec, r, err)
	a.status = rec.Code
	if rec.Body.Len() > 0 {
		var body web.ErrorBody
		if jerr := json.Unmarshal(rec.Body.Bytes(), &body); jerr != nil {
			t.Fatalf("body %q: %v", rec.Body, jerr)
		}
		a.code, a.msg = body.Code, body.Error
	}

	rec = httptest.NewRecorder()
	s.ConsoleError(rec, r, err)
	a.pageStatus = rec.Code
	page := rec.Body.String()
	if _, after, ok := strings.Cut(page, `id="error-message">`); ok {
		msg, _, _ := strings.Cut(after, "</p>")
		a.pageMessage = html.UnescapeString(msg)
	}
	return a
}

// Every kind maps to its status and code, on the API and on the console's
// error page, and its message reaches both unchanged.
func TestErrorKinds(t *testing.T) {
	want := map[domain.Kind]struct {
		status   int
		code     string
		standard string
	}{
		domain.KindInvalid:         {http.StatusBadRequest, "invalid", "请求内容有误"},
		domain.KindUnauthenticated: {http.StatusUnauthorized, "unauthenticated", "请先登录，或在 Authorization: Bearer 中提供有效的 API 令牌"},
		domain.KindForbidden:       {http.StatusForbidden, "forbidden", "当前角色无权执行此操作"},
		domain.KindNotFound:        {http.StatusNotFound, "not_found", "记录不存在或不在您的辖区内"},
		domain.KindConflict:        {http.StatusConflict, "conflict", "与现有记录冲突"},
		domain.KindTooLarge:        {http.StatusRequestEntityTooLarge, "too_large", "内容超过大小上限"},
		domain.KindRule:            {http.StatusUnprocessableEntity, "refused", "现有记录不允许此操作"},
	}
	for _, k := range domain.Kinds {
		w, ok := want[k]
		if !ok {
			t.Errorf("kind %v has no expected answer in this table", k)
			continue
		}
		t.Run(k.String(), func(t *testing.T) {
			const msg = `第 3 行：手机号 "123" 无效 <请核对>`
			err := fmt.Errorf("import row 3: %w", domain.New(k, "第 %d 行：手机号 %q 无效 <请核对>", 3, "123"))
			got := answerOf(t, context.Background(), err)
			if got != (errorAnswer{w.status, w.code, msg, w.status, msg}) {
				t.Errorf("got %+v, want status %d code %q message %q", got, w.status, w.code, msg)
			}
			// A bare sentinel with English context: the standard text.
			got = answerOf(t, context.Background(), fmt.Errorf("warning 5: %w", k.Sentinel()))
			if got != (errorAnswer{w.status, w.code, w.standard, w.status, w.standard}) {
				t.Errorf("sentinel: got %+v, want %d %q %q", got, w.status, w.code, w.standard)
			}
		})
	}
}

// A client that went away gets no answer (499, nothing written); a
// cancellation the client did not cause is a server error; a deadline is
// a 503 with a Chinese message; anything else is a 500 that shows no
// internals.
func TestErrorContextAndInternal(t *testing.T) {
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	if got := answerOf(t, gone, fmt.Errorf("list warnings: %w", context.Canceled)); got.status != 499 || got.msg != "" || got.pageStatus != 499 {
		t.Errorf("client gone: %+v", got)
	}
	if got := answerOf(t, context.Background(), fmt.Errorf("list warnings: %w", context.Canceled)); got.status != 500 || got.pageStatus != 500 {
		t.Errorf("cancelled inside: %+v", got)
	}
	got := answerOf(t, context.Background(), fmt.Errorf("figures: %w", context.DeadlineExceeded))
	const slow = "处理超时，请稍后重试；如持续出现请把请求号告诉管理员"
	if got != (errorAnswer{503, "timeout", slow, 503, slow}) {
		t.Errorf("deadline: %+v", got)
	}
	got = answerOf(t, context.Background(), fmt.Errorf("scan: pq: relation \"x\" does not exist"))
	if got.status != 500 || got.code != "internal" || strings.Contains(got.msg, "pq") || strings.Contains(got.pageMessage, "pq") {
		t.Errorf("internal: %+v", got)
	}
}

// Errors of the domain packages that used to wrap no sentinel, or carry
// their own, answer with their kind's status and their message, never
// 500.
func TestPackageErrors(t *testing.T) {
	ledger, err := trace.LoadTransferCSV(strings.NewReader(trace.TransferCSVHeader+"\n"), 0)
	if err != nil {
		t.Fatal(err)
	}
	_, traceErr := trace.Trace(ledger, []trace.Start{{AmountFen: 0}}, trace.Options{})
	_, csvErr := trace.LoadTransferCSV(strings.NewReader("a,b\n"), 0)
	_, xlsErr := tabular.Open("名单.xls", strings.NewReader("x"))
	_, moneyErr := money.ParseYuan("十块")
	urlErr := notify.Guard{}.CheckURL(context.Background(), "ftp://example.com/")
	settingsErr := &settings.ValidationError{Fields: []settings.FieldError{{Key: "deadline.fund", Label: "资金预警处置时限", Message: "不能短于 1 分钟"}}}

	cases := []struct {
		name   string
		err    error
		status int
		msg    string // "" when only the status matters
		code   string // "" when only the status matters
	}{
		{"warning.ErrBatchTooLarge", fmt.Errorf("submit: %w", warning.ErrBatchTooLarge), http.StatusRequestEntityTooLarge, warning.ErrBatchTooLarge.Error(), ""},
		{"trace.ErrInput", traceErr, http.StatusBadRequest, "第 1 笔起始转账的金额必须为正（现为 0 分）", ""},
		{"trace.ErrTransferCSV", csvErr, http.StatusBadRequest, "", ""},
		{"tabular.ErrUnsupported", xlsErr, http.StatusBadRequest, "不支持 .xls (Excel 97-2003) 文件，请在 Excel 中另存为 .xlsx 或 CSV", ""},
		{"tabular.LimitError", fmt.Errorf("import: %w", &tabular.LimitError{Line: 3, Msg: "第 3 行超过 1 MB"}), http.StatusRequestEntityTooLarge, "第 3 行超过 1 MB", ""},
		{"intel.ErrTooFewLabels", intel.ErrTooFewLabels, http.StatusBadRequest, intel.ErrTooFewLabels.Error(), ""},
		{"money.ParseYuan", moneyErr, http.StatusBadRequest, `金额 "十块" 不是数字`, ""},
		{"notify.CheckURL", urlErr, http.StatusBadRequest, "推送地址应为 http(s) URL", ""},
		{"settings.ValidationError", settingsErr, http.StatusBadRequest, "设置未保存，资金预警处置时限：不能短于 1 分钟", ""},
		{"auth.ErrBadCredentials", auth.ErrBadCredentials, http.StatusUnauthorized, "用户名或密码错误", "bad_credentials"},
		{"auth.ErrDisabled", auth.ErrDisabled, http.StatusForbidden, "账号已停用，请联系中心管理员", "disabled"},
		{"auth.ErrTokenExpired", auth.ErrTokenExpired, http.StatusUnauthorized, "API 令牌已过期", ""},
		{"auth.ErrBadTOTP", auth.ErrBadTOTP, http.StatusUnauthorized, auth.ErrBadTOTP.Error(), ""},
		{"area.ErrNotFound", fmt.Errorf("area 9: %w", area.ErrNotFound), http.StatusNotFound, "记录不存在或不在您的辖区内", ""},
		{"db.ErrNotFound", fmt.Errorf("case 9: %w", db.ErrNotFound), http.StatusNotFound, "记录不存在或不在您的辖区内", ""},
	}
	for _, c := range cases {
		if c.err == nil {
			t.Errorf("%s: no error to test", c.name)
			continue
		}
		got := answerOf(t, context.Background(), c.err)
		if got.status != c.status || got.pageStatus != c.status || (c.msg != "" && (got.msg != c.msg || got.pageMessage != c.msg)) || (c.code != "" && got.code != c.code) {
			t.Errorf("%s (%v): got %+v, want %d %q", c.name, c.err, got, c.status, c.msg)
		}
	}
}
