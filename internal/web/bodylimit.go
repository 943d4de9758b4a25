package web

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/fanzha/fanzha/internal/investigation"
	"github.com/fanzha/fanzha/internal/prevent"
)

// 辖区树: the jurisdiction tree in the console (/admin/areas) and the API
// (/api/v1/areas/…). Import and export of the whole tree, and per node:
// add a child, rename (aliases, figures), move, merge, retire. The domain
// rules live in internal/area; this file only translates HTTP.

// MaxTreeUpload bounds a tree file (a county's tree is a few hundred KB).
const MaxTreeUpload = 10 << 20

// 人员账号: the centre admin manages every user; a station head manages the
// officers of their own station (the rules live in auth/users_admin.go).
// Generated passwords and new API tokens are shown once, in the answer to
// the form that made them, and never stored in plain text.

// MaxUserImport bounds an officers file.
const MaxUserImport = 8 << 20

// 值班排班 (/admin/roster): who is on duty now, the next 14 days of a
// station (or of the centre) as a day × shift grid with its gaps, and the
// forms that edit the roster — shifts, weekly patterns, leave, copy
// forward, file import and export. A station head sees and edits their own
// station only (internal/roster checks it in every query).

// MaxRosterUpload bounds a roster file upload.
const MaxRosterUpload = 8 << 20

// MaxUpload is the largest file the console accepts.
const MaxUpload = 64 << 20

// MaxEventBody bounds an event upload: every photo at its limit plus the
// form fields.
const MaxEventBody = prevent.MaxPhotos*prevent.MaxPhotoBytes + 1<<20

// Request bodies are bounded by route before anything reads them. The
// order for a console page or an API call is: the caller (a visitor who is
// not signed in is sent to the login page, the body unread), the
// capability (403, the body unread), a declared Content-Length over the
// route's limit (413, the body unread), then the body read within the
// limit — the multipart form parsed here once, the CSRF token taken from
// the X-CSRF-Token header or from that form — and only then the handler.
// The temporary files of a parsed multipart form are removed when the
// request ends (withBodyLimit), whatever the handler did.

const (
	// MaxFormBody bounds every route not listed in routeBodyLimits: plain
	// console forms and JSON requests.
	MaxFormBody = 1 << 20
	// maxStatementUpload bounds a statement upload (several bank statement
	// files of a case at once).
	maxStatementUpload = 512 << 20
	// maxWarningsJSON bounds a batch of warnings posted as JSON.
	maxWarningsJSON = 64 << 20
	// multipartMemory is how much of a multipart form is held in memory;
	// larger files go to temporary files, removed at the end of the request.
	multipartMemory = 4 << 20
)

// RouteBodyLimits are the routes that take more than a plain form, by the
// pattern they are registered with.
var RouteBodyLimits = map[string]int64{
	"POST /api/v1/statements/import":      maxStatementUpload,
	"POST /statements/import":             maxStatementUpload,
	"POST /api/v1/warnings":               maxWarningsJSON,
	"POST /api/v1/warnings/import":        MaxUpload,
	"POST /warnings/import":               MaxUpload,
	"POST /api/v1/intel/outlets/import":   MaxUpload,
	"POST /api/v1/prevention/events":      MaxEventBody,
	"POST /prevention/events":             MaxEventBody,
	"POST /admin/areas/import":            MaxTreeUpload,
	"POST /admin/areas/boundaries":        MaxTreeUpload,
	"POST /api/v1/areas/import":           MaxTreeUpload,
	"POST /api/v1/areas/boundaries":       MaxTreeUpload,
	"POST /admin/users/import":            MaxUserImport,
	"POST /admin/roster/import":           MaxRosterUpload,
	"POST /api/v1/cases/{id}/attachments": investigation.MaxAttachmentBytes + 1<<20,
	"POST /api/v1/instructions/import":    MaxInstructionUpload,
	"POST /instructions/import":           MaxInstructionUpload,
	"POST /api/v1/registrations/import":   MaxRegistrationsUpload,
	"POST /cases/{id}/attachments":        investigation.MaxAttachmentBytes + 1<<20,
}

// bodyLimit is the largest body the route of pattern accepts.
func bodyLimit(pattern string) int64 {
	if n, ok := RouteBodyLimits[pattern]; ok {
		return n
	}
	return MaxFormBody
}

// tooLarge is the answer to a body over its route's limit.
func tooLarge(limit int64) error {
	if limit >= 1<<20 {
		return Errorf(http.StatusRequestEntityTooLarge, "too_large", "文件过大：上传内容不超过 %d MB，请分批上传", limit>>20)
	}
	return Errorf(http.StatusRequestEntityTooLarge, "too_large", "请求过大：内容不超过 %d KB", limit>>10)
}

// withBodyLimit wraps the router: every body is bounded by its route's
// limit (resolved when the body is first read, after the router has
// matched the route), and the temporary files of a multipart form parsed
// on the routed request are removed when the request ends. Go's server
// removes them only for the request it created, and the middleware above
// passes copies (WithContext), so without this they stayed in the
// temporary directory.
func (s *Server) withBodyLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = &routeBody{w: w, req: r, body: r.Body}
		}
		defer func() {
			if r.MultipartForm != nil {
				_ = r.MultipartForm.RemoveAll()
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// routeBody bounds a body by the limit of the route its request was
// matched to; the router sets req.Pattern before any handler reads.
type routeBody struct {
	w     http.ResponseWriter
	req   *http.Request
	body  io.ReadCloser
	bound io.ReadCloser
}

func (b *routeBody) Read(p []byte) (int, error) {
	if b.bound == nil {
		b.bound = http.MaxBytesReader(b.w, b.body, bodyLimit(b.req.Pattern))
	}
	return b.bound.Read(p)
}

func (b *routeBody) Close() error { return b.body.Close() }

// boundedBody is a body bounded by prepareBody.
type boundedBody struct{ io.ReadCloser }

// prepareBody refuses an unsafe request whose declared length is over its
// route's limit and parses a form body within the limit. The limit is
// withBodyLimit's; a body that did not pass there (a handler served
// without the middleware) is bounded here.
func prepareBody(r *http.Request) error {
	if !isUnsafe(r.Method) {
		return nil
	}
	limit := bodyLimit(r.Pattern)
	if r.ContentLength > limit {
		return tooLarge(limit)
	}
	switch r.Body.(type) {
	case nil, *routeBody, *boundedBody:
	default:
		r.Body = &boundedBody{http.MaxBytesReader(nil, r.Body, limit)}
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	switch ct {
	case "multipart/form-data":
		err = r.ParseMultipartForm(multipartMemory)
	case "application/x-www-form-urlencoded":
		err = r.ParseForm()
	default:
		return nil
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge(limit)
		}
		return Errorf(http.StatusBadRequest, "bad_form", "表单无法读取，请重新选择文件后提交（%s）", shortErr(err))
	}
	return nil
}

// shortErr keeps an error's text short enough for a message.
func shortErr(err error) string {
	s := err.Error()
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
