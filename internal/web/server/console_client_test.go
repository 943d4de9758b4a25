package server

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The console tests drive the server-rendered pages as a browser would: a
// cookie jar, the login form with its pre-login CSRF token, redirects not
// followed so that each answer can be checked.

type consoleClient struct {
	t    *testing.T
	base string
	jar  *cookiejar.Jar
	cl   *http.Client
}

type pageAnswer struct {
	status   int
	location string
	header   http.Header
	body     string
}

func newConsoleClient(t *testing.T, base string) *consoleClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &consoleClient{t: t, base: base, jar: jar, cl: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *consoleClient) send(req *http.Request) pageAnswer {
	c.t.Helper()
	resp, err := c.cl.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return pageAnswer{status: resp.StatusCode, location: resp.Header.Get("Location"), header: resp.Header, body: string(b)}
}

func (c *consoleClient) get(path string) pageAnswer {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.base+path, nil)
	return c.send(req)
}

func (c *consoleClient) post(path string, form url.Values) pageAnswer {
	c.t.Helper()
	req, _ := http.NewRequest("POST", c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.send(req)
}

func (c *consoleClient) cookie(name string) *http.Cookie {
	for _, ck := range c.jar.Cookies(mustURL(c.base + "/login")) {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

var (
	csrfFieldRe = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
	linkRe      = regexp.MustCompile(`href="([^"]+)"`)
)

// login signs in through the form and fails the test if that does not work.
func (c *consoleClient) login(user, password string) {
	c.t.Helper()
	lp := c.get("/login")
	m := csrfFieldRe.FindStringSubmatch(lp.body)
	if m == nil {
		c.t.Fatalf("no csrf_token on the login page: %.300s", lp.body)
	}
	a := c.post("/login", url.Values{"csrf_token": {m[1]}, "username": {user}, "password": {password}})
	if a.status != http.StatusSeeOther {
		c.t.Fatalf("login %s: %d %.300s", user, a.status, a.body)
	}
}

// csrf is the session's token as the pages carry it.
func (c *consoleClient) csrf() string {
	c.t.Helper()
	m := regexp.MustCompile(`data-csrf="([^"]+)"`).FindStringSubmatch(c.get("/").body)
	if m == nil {
		c.t.Fatal("no session CSRF token on the page")
	}
	return m[1]
}

// checkHTML fails on what a broken template leaves behind.
func checkHTML(t *testing.T, path string, a pageAnswer) {
	t.Helper()
	if !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") {
		t.Errorf("%s: content type %q", path, a.header.Get("Content-Type"))
	}
	for _, bad := range []string{"<no value>", "ZgotmplZ", "map[", "%!"} {
		if strings.Contains(a.body, bad) {
			i := strings.Index(a.body, bad)
			t.Errorf("%s: page contains %q near %q", path, bad, a.body[max(0, i-80):min(len(a.body), i+80)])
		}
	}
	// CSP allows scripts from the binary only: no inline script may be
	// needed by any page.
	for _, tag := range regexp.MustCompile(`<script[^>]*>`).FindAllString(a.body, -1) {
		if !strings.Contains(tag, `src="/static/`) && !strings.Contains(tag, `type="application/json"`) {
			t.Errorf("%s: inline script %s", path, tag)
		}
	}
}
