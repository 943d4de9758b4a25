package partner_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/notify"
	"github.com/fanzha/fanzha/internal/partner"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// loopback is the guard of tests whose receivers listen on 127.0.0.1: the
// admin's allow-list holds the loopback network.
var loopback = notify.Guard{Allowed: func(context.Context) []netip.Prefix { return []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")} }}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func newClock(t time.Time) *clock    { return &clock{t: t} }
func unit(t *testing.T, d *db.DB, kind, code, name string) int64 {
	t.Helper()
	var id int64
	if err := d.QueryRow(context.Background(), `INSERT INTO units (kind, code, name, created_at) VALUES (?,?,?,0) RETURNING id`, kind, code, name).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func request(t *testing.T, d *db.DB, kind string, unitID int64, account string, at time.Time) int64 {
	t.Helper()
	var id int64
	if err := d.QueryRow(context.Background(), `INSERT INTO partner_requests (kind, unit_id, account, status, due_at, created_at)
		VALUES (?,?,?,'sent',?,?) RETURNING id`, kind, unitID, account, db.Millis(at.Add(partner.DueWithin(kind))), db.Millis(at)).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func statusOf(t *testing.T, d *db.DB, unitID int64) partner.WebhookStatus {
	t.Helper()
	list, err := partner.WebhookStatuses(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		if s.UnitID == unitID {
			return s
		}
	}
	t.Fatalf("no webhook of unit %d in %+v", unitID, list)
	return partner.WebhookStatus{}
}

// A unit's webhook receives every request addressed to the unit, signed
// with the unit's secret, in order, and nothing is lost while the receiver
// refuses for minutes.
func TestUnitWebhookSurvivesOutageInOrder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clk := newClock(time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC))
		bank := unit(t, d, "bank", "B1", "工商银行云溪支行")
		other := unit(t, d, "bank", "B2", "农业银行云溪支行")
		const secret = "s3cret-of-b1"

		var mu sync.Mutex
		down := true
		var got []int64
		refused := 0
		recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			defer mu.Unlock()
			if down {
				refused++
				http.Error(w, "maintenance", http.StatusServiceUnavailable)
				return
			}
			if r.Header.Get("X-Fanzha-Signature") != notify.Sign(secret, body) {
				http.Error(w, "bad signature", http.StatusUnauthorized)
				t.Errorf("bad signature %q", r.Header.Get("X-Fanzha-Signature"))
				return
			}
			var m notify.Message
			if err := json.Unmarshal(body, &m); err != nil {
				t.Errorf("body: %v", err)
			}
			got = append(got, int64(m.Data["request_id"].(float64)))
		}))
		defer recv.Close()

		who := auth.AuditEntry{Username: "test"}
		if _, err := partner.SetWebhook(ctx, d, who, bank, partner.WebhookInput{URL: recv.URL, Format: "json-hmac"}, loopback, clk.Now()); err == nil {
			t.Fatal("a JSON webhook without a secret was accepted")
		}
		w, err := partner.SetWebhook(ctx, d, who, bank, partner.WebhookInput{URL: recv.URL, Format: "json-hmac", Secret: secret}, loopback, clk.Now())
		if err != nil || !w.HasSecret || w.Format != "json" {
			t.Fatalf("set webhook: %+v %v", w, err)
		}
		// Switching to JSON keeps the secret; a robot webhook switched to JSON needs one.
		if _, err := partner.SetWebhook(ctx, d, who, bank, partner.WebhookInput{URL: recv.URL, Format: "json"}, loopback, clk.Now()); err != nil {
			t.Fatalf("update keeping the secret: %v", err)
		}
		if _, err := partner.SetWebhook(ctx, d, who, other, partner.WebhookInput{URL: recv.URL + "/robot", Format: "wecom"}, loopback, clk.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := partner.SetWebhook(ctx, d, who, other, partner.WebhookInput{URL: recv.URL + "/robot", Format: "json"}, loopback, clk.Now()); err == nil {
			t.Fatal("a robot webhook became an unsigned JSON one")
		}
		if _, err := partner.SetWebhook(ctx, d, who, other, partner.WebhookInput{URL: recv.URL + "/robot", Format: "wecom", Enabled: new(false)}, loopback, clk.Now()); err != nil {
			t.Fatal(err)
		}
		sw := &partner.Sweeper{DB: d, Now: clk.Now}
		dl := &notify.Deliverer{DB: d, Now: clk.Now, Client: recv.Client(), Guard: &loopback}

		var want []int64
		for i := 0; i < 3; i++ {
			want = append(want, request(t, d, "query", bank, "62220210010000000"+string(rune('1'+i)), clk.Now()))
		}
		request(t, d, "query", other, "6228480000000000009", clk.Now()) // not for this unit
		if r, err := sw.Sweep(ctx); err != nil || r.Announced != 3 || r.Timed != 4 {
			t.Fatalf("sweep: %+v %v", r, err)
		}
		// The receiver is down for ten minutes; requests keep coming.
		for step := 0; step < 40; step++ {
			if step == 10 {
				want = append(want, request(t, d, "holder_check", bank, "6222021001000000099", clk.Now()))
				if _, err := sw.Sweep(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := dl.DeliverDue(ctx); err != nil {
				t.Fatal(err)
			}
			clk.Add(15 * time.Second)
		}
		if st := statusOf(t, d, bank); st.Pending != 4 || st.Retrying != 1 || st.LastError == "" {
			t.Fatalf("status while down: %+v", st)
		}
		mu.Lock()
		if len(got) != 0 || refused == 0 {
			t.Fatalf("while down: got %v, refused %d", got, refused)
		}
		down = false
		mu.Unlock()
		log, err := partner.WebhookDeliveries(ctx, d, bank, 10)
		if err != nil || len(log) != 4 || log[len(log)-1].Attempts == 0 || log[len(log)-1].LastError == "" {
			t.Fatalf("delivery log while down: %+v %v", log, err)
		}
		for step := 0; step < 40; step++ {
			if _, err := dl.DeliverDue(ctx); err != nil {
				t.Fatal(err)
			}
			clk.Add(30 * time.Second)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(got) != len(want) {
			t.Fatalf("delivered %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("order: delivered %v, want %v", got, want)
			}
		}
		log, _ = partner.WebhookDeliveries(ctx, d, bank, 10)
		for _, x := range log {
			if x.DeliveredAt.IsZero() {
				t.Fatalf("undelivered after recovery: %+v", x)
			}
		}
		if st := statusOf(t, d, bank); st.Pending != 0 || st.LastDelivered.IsZero() || !st.HasSecret || !st.Enabled {
			t.Fatalf("status: %+v", st)
		}
		if st := statusOf(t, d, other); st.Enabled || st.HasSecret || st.Format != "wecom" {
			t.Fatalf("other's status: %+v", st)
		}
		// The other bank's webhook is disabled: nothing was queued for it.
		if log, err := partner.WebhookDeliveries(ctx, d, other, 10); err != nil || len(log) != 0 {
			t.Fatalf("disabled webhook: %+v %v", log, err)
		}
		if _, err := partner.WebhookDeliveries(ctx, d, unit(t, d, "operator", "O1", "移动"), 10); err == nil {
			t.Fatal("a unit without a webhook has a delivery log")
		}
	})
}

// Unanswered queries are reminded at their due time and escalated after a
// grace, once each, on stored timers; answered ones are not.
func TestRemindersAndEscalation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clk := newClock(time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC))
		bank := unit(t, d, "bank", "B1", "工商银行云溪支行")
		request(t, d, "query", bank, "6222021001000000009", clk.Now().Add(-30*24*time.Hour)) // from before the upgrade: no reminders
		open := request(t, d, "query", bank, "6222021001000000001", clk.Now())
		answered := request(t, d, "query", bank, "6222021001000000002", clk.Now())
		freeze := request(t, d, "freeze", bank, "6222021001000000003", clk.Now())
		_ = freeze
		if _, err := partner.SetWebhook(ctx, d, auth.AuditEntry{Username: "bank"}, bank, partner.WebhookInput{URL: "http://127.0.0.1:1/bank", Format: "dingtalk"}, loopback, clk.Now()); err != nil {
			t.Fatal(err)
		}
		sw := &partner.Sweeper{DB: d, Now: clk.Now, Targets: []notify.Target{{URL: "http://127.0.0.1:1/centre", Format: notify.FormatJSON}}}
		if r, err := sw.Sweep(ctx); err != nil || r.Timed != 4 || r.Reminded+r.Escalated != 0 {
			t.Fatalf("first sweep: %+v %v", r, err)
		}
		if err := partner.Respond(ctx, d, bank, auth.AuditEntry{Username: "bank"}, answered, partner.Answer{Status: "done", Result: "已查询"}, clk.Now()); err != nil {
			t.Fatal(err)
		}
		clk.Add(72*time.Hour + time.Minute)
		if r, err := sw.Sweep(ctx); err != nil || r.Reminded != 1 || r.Escalated != 0 {
			t.Fatalf("at due: %+v %v", r, err)
		}
		if r, _ := sw.Sweep(ctx); r.Reminded != 0 {
			t.Fatalf("reminded twice: %+v", r)
		}
		clk.Add(24 * time.Hour)
		if r, err := sw.Sweep(ctx); err != nil || r.Escalated != 1 {
			t.Fatalf("after grace: %+v %v", r, err)
		}
		var n int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM outbox WHERE kind = 'partner_escalation' AND webhook_id IS NULL`).Scan(&n)
		if n != 1 {
			t.Fatalf("centre escalations: %d", n)
		}
		// The bank's webhook got, in order: three announcements (not the
		// historic request), one reminder, one escalation — as DingTalk markdown.
		log, err := partner.WebhookDeliveries(ctx, d, bank, 10)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for i := len(log) - 1; i >= 0; i-- {
			kinds = append(kinds, log[i].Kind)
			if log[i].Format != "dingtalk" || !strings.Contains(log[i].Payload, `"msgtype":"markdown"`) {
				t.Fatalf("delivery %+v", log[i])
			}
		}
		if strings.Join(kinds, ",") != "partner_request,partner_request,partner_request,partner_reminder,partner_escalation" {
			t.Fatalf("kinds %v", kinds)
		}
		figs, err := partner.UnitFigures(ctx, d, time.Time{}, clk.Now())
		if err != nil || len(figs) != 1 {
			t.Fatalf("figures: %+v %v", figs, err)
		}
		figs, err = partner.UnitFigures(ctx, d, clk.Now().Add(-10*24*time.Hour), clk.Now())
		if err != nil || len(figs) != 1 {
			t.Fatalf("figures: %+v %v", figs, err)
		}
		f := figs[0]
		// answered in time 1, overdue unanswered 2 (the query and the freeze).
		if f.Requests != 3 || f.Answered != 1 || f.InTime != 1 || f.Overdue != 2 || f.InTimePermille != 333 || f.MedianAnswerSeconds != 0 {
			t.Fatalf("figures: %+v", f)
		}
		_ = open
	})
}
