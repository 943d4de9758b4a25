package notify

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// The save-time check refuses what a bank could use to reach the centre's
// own network; an allow-listed network passes.
func TestGuardCheckURL(t *testing.T) {
	ctx := context.Background()
	g := Guard{}
	allowing := Guard{Allowed: func(context.Context) []netip.Prefix { return []netip.Prefix{netip.MustParsePrefix("10.20.0.0/16")} }}
	for _, c := range []struct {
		url     string
		g       Guard
		refused bool
	}{
		{"http://127.0.0.1:22/", g, true},
		{"http://127.1:22/", g, true},
		{"http://2130706433/", g, true},
		{"http://0x7f.0x1/", g, true},
		{"http://[::1]:5432/", g, true},
		{"http://[::ffff:127.0.0.1]/", g, true},
		{"http://localhost:8080/", g, true},
		{"http://db.localhost/", g, true},
		{"http://169.254.169.254/latest/meta-data/", g, true},
		{"http://10.0.0.5/", g, true},
		{"http://172.16.1.1/", g, true},
		{"http://192.168.1.1/", g, true},
		{"http://100.64.0.1/", g, true},
		{"http://0.0.0.0:8080/", g, true},
		{"http://224.0.0.1/", g, true},
		{"http://[fe80::1]/", g, true},
		{"http://[fc00::1]/", g, true},
		{"http://user:pw@203.0.113.9/", g, true},
		{"ftp://203.0.113.9/", g, true},
		{"http://10.20.1.5/hook", allowing, false},
		{"http://10.21.1.5/hook", allowing, true},
		{"https://203.0.113.9/hook", g, false},
		{"https://hooks.bank.example/hook", g, false}, // does not resolve: the dial-time check covers it
	} {
		err := c.g.CheckURL(ctx, c.url)
		if (err != nil) != c.refused {
			t.Errorf("CheckURL(%s) = %v, refused want %v", c.url, err, c.refused)
		}
	}
}

// The dial-time check: a unit webhook that reaches a loopback address —
// saved before the rule, or a name that resolved elsewhere at save time
// (DNS rebinding) — is not connected to; the receiver is never hit. The
// admin's escalation webhooks are not guarded.
func TestGuardAtDialTime(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var hits atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
		defer srv.Close()
		port := srv.URL[strings.LastIndex(srv.URL, ":"):]
		now := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
		var unit, hook int64
		if err := d.QueryRow(ctx, `INSERT INTO units (kind, code, name, created_at) VALUES ('bank','B1','银行',0) RETURNING id`).Scan(&unit); err != nil {
			t.Fatal(err)
		}
		target := "http://localhost" + port + "/hook" // resolves to 127.0.0.1 only when dialled
		if err := d.QueryRow(ctx, `INSERT INTO unit_webhooks (unit_id, url, format, secret, enabled, created_at, updated_at) VALUES (?,?,?,?,1,0,0) RETURNING id`,
			unit, target, "wecom", "").Scan(&hook); err != nil {
			t.Fatal(err)
		}
		if err := EnqueueWebhook(ctx, d, hook, Target{URL: target, Format: FormatWeCom}, Message{Kind: "partner_request", Title: "t", At: now}); err != nil {
			t.Fatal(err)
		}
		if err := Enqueue(ctx, d, []Target{{URL: srv.URL + "/centre", Format: FormatJSON}}, Message{Kind: "escalation", Title: "t", At: now}); err != nil {
			t.Fatal(err)
		}
		dl := &Deliverer{DB: d, Now: func() time.Time { return now }}
		if n, err := dl.DeliverDue(ctx); err != nil || n != 1 {
			t.Fatalf("delivered %d (err %v), want only the admin's escalation", n, err)
		}
		if hits.Load() != 1 {
			t.Fatalf("receiver hit %d times, want 1 (the escalation only)", hits.Load())
		}
		var lastErr string
		_ = d.QueryRow(ctx, `SELECT last_error FROM outbox WHERE webhook_id = ?`, hook).Scan(&lastErr)
		if !strings.Contains(lastErr, "blocked address 127.0.0.1") && !strings.Contains(lastErr, "blocked address ::1") {
			t.Fatalf("last error %q", lastErr)
		}
	})
}

// Redirects are not followed: a bank's receiver answering 302 to an
// internal address gets a failed delivery, and the redirect target is not
// requested.
func TestGuardNoRedirects(t *testing.T) {
	var inner atomic.Int64
	internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { inner.Add(1) }))
	defer internal.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, internal.URL+"/admin", http.StatusFound)
	}))
	defer redirector.Close()
	g := Guard{Allowed: func(context.Context) []netip.Prefix { return []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")} }}
	dl := &Deliverer{}
	err := dl.post(context.Background(), g.Client(5*time.Second), redirector.URL, FormatJSON, "", "1", []byte(`{}`))
	if err == nil || !strings.HasPrefix(err.Error(), "HTTP 302") || inner.Load() != 0 {
		t.Fatalf("redirect: err %v, internal hits %d", err, inner.Load())
	}
}
