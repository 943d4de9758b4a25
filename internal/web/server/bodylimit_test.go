package server

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/web"
)

// countingBody is an upload body of n filler bytes after a multipart head,
// counting what the server read of it.
type countingBody struct {
	r    io.Reader
	read atomic.Int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// filler yields the same byte forever.
type filler byte

func (f filler) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(f)
	}
	return len(p), nil
}

// hugeUpload is a multipart body with the CSRF field (when csrf is not
// empty) and a file of size bytes under field, streamed, not held.
func hugeUpload(csrf, field, name string, size int64) (*countingBody, string) {
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	if csrf != "" {
		_ = mw.WriteField("csrf_token", csrf)
	}
	_, _ = mw.CreateFormFile(field, name)
	tail := "\r\n--" + mw.Boundary() + "--\r\n"
	body := io.MultiReader(bytes.NewReader(head.Bytes()), io.LimitReader(filler('x'), size), strings.NewReader(tail))
	return &countingBody{r: body}, mw.FormDataContentType()
}

// sessionOf logs user in through the console and returns its session
// cookie and CSRF token.
func sessionOf(t *testing.T, f *fixture, user string) (*http.Cookie, string) {
	t.Helper()
	c := newConsoleClient(t, f.srv.URL)
	c.login(user, "secret-"+user)
	csrf := c.csrf()
	for _, ck := range c.jar.Cookies(mustURL(f.srv.URL + "/")) {
		if ck.Name == web.SessionCookie {
			return ck, csrf
		}
	}
	t.Fatal("no session cookie")
	return nil, ""
}

// Hole 1: the role is checked before the body is read, and a body is read
// only up to its route's limit. The requests go straight to the handler
// (no network), so what the server read is exactly what the counting body
// gave out.
func TestUploadBodyLimitBeforeParsing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		h := f.srv.Config.Handler
		cookie, csrf := sessionOf(t, f, "grid")
		const huge = 50 << 20

		send := func(path string, viaToken, declare bool, body *countingBody, ct string) *httptest.ResponseRecorder {
			req := httptest.NewRequest("POST", path, body)
			req.Header.Set("Content-Type", ct)
			req.ContentLength = -1 // chunked: the server cannot refuse it from its header
			if declare {
				req.ContentLength = huge
			}
			if viaToken {
				req.Header.Set("Authorization", "Bearer "+f.tokens["grid"])
			} else {
				req.AddCookie(cookie)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec
		}

		// A grid member may not import statements, warnings or users: 403
		// with nothing read, by session (console and API) and by token.
		for _, path := range []string{"/statements/import", "/api/v1/statements/import", "/warnings/import",
			"/api/v1/warnings/import", "/admin/users/import", "/admin/roster/import", "/api/v1/areas/import"} {
			for _, viaToken := range []bool{false, true} {
				body, ct := hugeUpload(csrf, "file", "a.csv", huge)
				rec := send(path, viaToken, false, body, ct)
				want := http.StatusForbidden
				if viaToken && !strings.HasPrefix(path, "/api/") {
					want = http.StatusSeeOther // console pages take sessions only: to the login page
				}
				if rec.Code != want {
					t.Errorf("%s (token %v): %d, want %d; %.200s", path, viaToken, rec.Code, want, rec.Body.String())
				}
				if n := body.read.Load(); n != 0 {
					t.Errorf("%s (token %v): the server read %d bytes of a body it refuses", path, viaToken, n)
				}
			}
		}

		// Photos are the grid member's own route: an oversize upload is a
		// 413, with at most the route's limit read (chunked) or nothing
		// (declared length).
		for _, path := range []string{"/prevention/events", "/api/v1/prevention/events"} {
			for _, declare := range []bool{false, true} {
				body, ct := hugeUpload(csrf, "photos", "p.jpg", huge)
				rec := send(path, path[1] == 'a', declare, body, ct)
				if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "文件过大") {
					t.Errorf("%s (declared %v): %d, want 413 文件过大; %.200s", path, declare, rec.Code, rec.Body.String())
				}
				limit := int64(web.MaxEventBody)
				if declare {
					limit = 0
				}
				if n := body.read.Load(); n > limit+64<<10 {
					t.Errorf("%s (declared %v): the server read %d bytes, limit %d", path, declare, n, limit)
				}
			}
		}

		// A plain form is bounded by the small limit, even on a route the
		// caller may use (surveys take no files).
		big := strings.NewReader("csrf_token=" + url.QueryEscape(csrf) + "&title=" + strings.Repeat("x", 2<<20))
		body := &countingBody{r: big}
		rec := send("/prevention/surveys", false, false, body, "application/x-www-form-urlencoded")
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("2 MB form: %d, want 413", rec.Code)
		}
		if n := body.read.Load(); n > web.MaxFormBody+64<<10 {
			t.Errorf("2 MB form: read %d bytes, limit %d", n, web.MaxFormBody)
		}

		// The CSRF token is still required (from the header or the form
		// read within the limit) and console forms work: a missing token
		// is refused, a header token is enough.
		body, ct := hugeUpload("", "photos", "p.jpg", 10)
		if rec := send("/prevention/events", false, false, body, ct); rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "CSRF") {
			t.Errorf("no CSRF token: %d, want 403 CSRF", rec.Code)
		}
	})
}

// The routes with their own limit exist as spelled (a typo would silently
// give the small default).
func TestBodyLimitRoutesRegistered(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := New(web.Config{DB: d, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		for pattern, limit := range web.RouteBodyLimits {
			method, path, _ := strings.Cut(pattern, " ")
			req := httptest.NewRequest(method, strings.ReplaceAll(path, "{id}", "1"), nil)
			if _, got := s.Mux.Handler(req); got != pattern {
				t.Errorf("limit %d for %q: that route is registered as %q", limit, pattern, got)
			}
			if limit < web.MaxFormBody {
				t.Errorf("%s: limit %d below the default", pattern, limit)
			}
		}
	})
}

// Hole 2: after every upload route, nothing is left in the temporary
// directory — neither the multipart form's files nor excelize's.
func TestUploadsLeaveNoTempFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	if os.TempDir() != tmp {
		t.Skip("os.TempDir does not follow TMPDIR on this platform")
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		admin := newConsoleClient(t, f.srv.URL)
		admin.login("admin", "secret-admin")
		csrf := admin.csrf()
		grid := newConsoleClient(t, f.srv.URL)
		grid.login("grid", "secret-grid")
		gridCSRF := grid.csrf()

		// The test's own directories (the database) are there before any
		// upload.
		before := map[string]bool{}
		entries, err := os.ReadDir(tmp)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			before[e.Name()] = true
		}
		assertEmpty := func(what string) {
			t.Helper()
			entries, err := os.ReadDir(tmp)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if !before[e.Name()] {
					t.Errorf("%s: %s left in the temporary directory", what, e.Name())
					_ = os.RemoveAll(tmp + "/" + e.Name())
				}
			}
		}
		// Files larger than the in-memory part of a form (each handler
		// chose its own: 8, 16 or, through the CSRF check, 32 MB) are
		// written to temporary files. The content is one long line: every
		// importer refuses it at once.
		file := func(size int) []byte { return bytes.Repeat([]byte("x"), size) }
		multipartBody := func(csrf string, fields map[string]string, field string, files ...[]byte) (*bytes.Buffer, string) {
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			if csrf != "" {
				_ = mw.WriteField("csrf_token", csrf)
			}
			for k, v := range fields {
				_ = mw.WriteField(k, v)
			}
			for i, data := range files {
				w, _ := mw.CreateFormFile(field, fmt.Sprintf("f%d.csv", i))
				_, _ = w.Write(data)
			}
			_ = mw.Close()
			return &body, mw.FormDataContentType()
		}
		photo := append([]byte("\xff\xd8\xff\xe0"), bytes.Repeat([]byte{0}, 3<<20-100)...)
		photos := [][]byte{photo, photo, photo, photo, photo, photo}
		event := map[string]string{"title": "反诈宣传进村", "kind": "village", "area_id": itoa(f.stA.ID)}
		for _, u := range []struct {
			path, user string
			console    bool
			field      string
			files      [][]byte
		}{
			{"/statements/import", "admin", true, "file", [][]byte{file(33 << 20)}},
			{"/warnings/import", "admin", true, "file", [][]byte{file(33 << 20)}},
			{"/admin/users/import", "admin", true, "file", [][]byte{file(5 << 20)}},
			{"/admin/roster/import", "admin", true, "file", [][]byte{file(5 << 20)}},
			{"/admin/areas/import", "admin", true, "file", [][]byte{file(5 << 20)}},
			{"/admin/areas/boundaries", "admin", true, "file", [][]byte{file(5 << 20)}},
			{"/prevention/events", "grid", true, "photos", photos},
			{"/api/v1/statements/import", "admin", false, "file", [][]byte{file(17 << 20)}},
			{"/api/v1/warnings/import", "admin", false, "file", [][]byte{file(9 << 20)}},
			{"/api/v1/intel/outlets/import", "admin", false, "file", [][]byte{file(9 << 20)}},
			{"/api/v1/areas/import", "admin", false, "file", [][]byte{file(5 << 20)}},
			{"/api/v1/areas/boundaries", "admin", false, "file", [][]byte{file(5 << 20)}},
			{"/api/v1/prevention/events", "grid", false, "photos", photos},
		} {
			var fields map[string]string
			if u.field == "photos" {
				fields = event
			}
			var status int
			if u.console {
				c, tok := admin, csrf
				if u.user == "grid" {
					c, tok = grid, gridCSRF
				}
				body, ct := multipartBody(tok, fields, u.field, u.files...)
				req, _ := http.NewRequest("POST", f.srv.URL+u.path, body)
				req.Header.Set("Content-Type", ct)
				status = c.send(req).status
			} else {
				body, ct := multipartBody("", fields, u.field, u.files...)
				req, _ := http.NewRequest("POST", f.srv.URL+u.path, body)
				req.Header.Set("Content-Type", ct)
				status = f.send(t, req, u.user).status
			}
			if status >= 500 {
				t.Errorf("%s: %d", u.path, status)
			}
			assertEmpty(fmt.Sprintf("%s (%d)", u.path, status))
		}
	})
}
