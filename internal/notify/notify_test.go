package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

func TestBodies(t *testing.T) {
	m := Message{Kind: "escalation", Title: "预警超时", Text: "预警 #12 首次联系超时", Link: "http://x/warnings/12"}
	for _, c := range []struct {
		f    Format
		want string
	}{{FormatWeCom, `"msgtype":"markdown"`}, {FormatDingTalk, `"title":"预警超时"`}, {FormatJSON, `"kind":"escalation"`}} {
		b, err := Body(c.f, m)
		if err != nil || !json.Valid(b) || !contains(string(b), c.want) {
			t.Errorf("%s body %s (err %v) lacks %s", c.f, b, err, c.want)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestParseTarget(t *testing.T) {
	for _, c := range []struct {
		in     string
		format Format
		url    string
		ok     bool
	}{
		{"https://example.org/hook", FormatJSON, "https://example.org/hook", true},
		{"wecom:https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", FormatWeCom, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", true},
		{"dingtalk:https://oapi.dingtalk.com/robot/send?access_token=t", FormatDingTalk, "https://oapi.dingtalk.com/robot/send?access_token=t", true},
		{"ftp://nope", "", "", false},
	} {
		got, err := ParseTarget(c.in)
		if (err == nil) != c.ok || (c.ok && (got.Format != c.format || got.URL != c.url)) {
			t.Errorf("ParseTarget(%q) = %+v, %v", c.in, got, err)
		}
	}
}

func TestBackoffGrowsAndCaps(t *testing.T) {
	if Backoff(1) != 2*time.Second || Backoff(2) != 4*time.Second || Backoff(30) != 5*time.Minute {
		t.Fatalf("backoff 1,2,30 = %v %v %v", Backoff(1), Backoff(2), Backoff(30))
	}
}

// A receiver that refuses for a while and then accepts gets every message,
// exactly once delivered, after retries.
func TestDeliverySurvivesReceiverDown(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var mu sync.Mutex
		up := false
		var got []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			if !up {
				http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
				return
			}
			b, _ := io.ReadAll(r.Body)
			if r.Header.Get("X-Fanzha-Signature") != Sign("s3cret", b) {
				http.Error(w, "bad signature", http.StatusUnauthorized)
				return
			}
			got = append(got, string(b))
		}))
		defer srv.Close()
		now := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		tg := Target{URL: srv.URL, Format: FormatJSON}
		for i := 0; i < 3; i++ {
			if err := Enqueue(ctx, d, []Target{tg}, Message{Kind: "escalation", Title: "t", At: now}); err != nil {
				t.Fatal(err)
			}
		}
		dl := &Deliverer{DB: d, Now: clock, Secrets: map[string]string{srv.URL: "s3cret"}}
		// Down for ten minutes of retries.
		for i := 0; i < 20; i++ {
			if n, err := dl.DeliverDue(ctx); err != nil || n != 0 {
				t.Fatalf("delivered %d while down (err %v)", n, err)
			}
			now = now.Add(30 * time.Second)
		}
		mu.Lock()
		up = true
		mu.Unlock()
		now = now.Add(6 * time.Minute)
		n, err := dl.DeliverDue(ctx)
		if err != nil || n != 3 {
			t.Fatalf("after receiver came back: delivered %d, err %v", n, err)
		}
		if n, _ := dl.DeliverDue(ctx); n != 0 {
			t.Fatalf("redelivered %d messages", n)
		}
		if len(got) != 3 {
			t.Fatalf("receiver got %d messages, want 3", len(got))
		}
		var attempts int
		_ = d.QueryRow(ctx, "SELECT MIN(attempts) FROM outbox").Scan(&attempts)
		if attempts < 2 {
			t.Fatalf("attempts = %d, expected retries", attempts)
		}
	})
}
