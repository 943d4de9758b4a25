// Package notify delivers outbound notifications — webhooks with plain
// JSON, WeCom (企业微信) and DingTalk (钉钉) group-robot messages — through a
// durable outbox: a notification is written in the same transaction as the
// event it announces and a worker delivers it with retries and backoff, so a
// crash or a receiver that is down loses nothing.
package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fanzha/fanzha/internal/db"
)

// Format is the body format a receiver expects.
type Format string

// Formats.
const (
	FormatJSON     Format = "json"     // {"kind","title","text","data",…}
	FormatWeCom    Format = "wecom"    // 企业微信群机器人 markdown message
	FormatDingTalk Format = "dingtalk" // 钉钉群机器人 markdown message
)

// Target is a receiver: a URL, its format, and an optional HMAC secret for
// signing plain JSON deliveries (header X-Fanzha-Signature: sha256=<hex>).
type Target struct {
	URL    string
	Format Format
	Secret string
}

// ParseTarget reads "URL", "wecom:URL", "dingtalk:URL" or "json:URL".
func ParseTarget(s string) (Target, error) {
	s = strings.TrimSpace(s)
	t := Target{Format: FormatJSON, URL: s}
	for _, f := range []Format{FormatWeCom, FormatDingTalk, FormatJSON} {
		if rest, ok := strings.CutPrefix(s, string(f)+":"); ok && !strings.HasPrefix(rest, "//") {
			t.Format, t.URL = f, rest
		}
	}
	if !strings.HasPrefix(t.URL, "http://") && !strings.HasPrefix(t.URL, "https://") {
		return t, fmt.Errorf("webhook %q: want an http(s) URL, optionally prefixed by wecom: or dingtalk:", s)
	}
	return t, nil
}

// Message is one notification.
type Message struct {
	Kind  string         `json:"kind"`  // e.g. "escalation"
	Title string         `json:"title"` // one line, Chinese
	Text  string         `json:"text"`  // a few lines, Chinese
	Link  string         `json:"link,omitempty"`
	Data  map[string]any `json:"data,omitempty"`
	At    time.Time      `json:"at"`
}

// Body renders a message in a target's format.
func Body(f Format, m Message) ([]byte, error) {
	switch f {
	case FormatWeCom:
		content := "**" + m.Title + "**\n" + m.Text
		if m.Link != "" {
			content += "\n[查看详情](" + m.Link + ")"
		}
		return json.Marshal(map[string]any{"msgtype": "markdown", "markdown": map[string]string{"content": content}})
	case FormatDingTalk:
		text := "### " + m.Title + "\n\n" + m.Text
		if m.Link != "" {
			text += "\n\n[查看详情](" + m.Link + ")"
		}
		return json.Marshal(map[string]any{"msgtype": "markdown", "markdown": map[string]string{"title": m.Title, "text": text}})
	default:
		return json.Marshal(m)
	}
}

// Enqueue writes a message for each target into the outbox. Call it inside
// the transaction of the event the message announces.
func Enqueue(ctx context.Context, q db.Querier, targets []Target, m Message) error {
	for _, t := range targets {
		body, err := Body(t.Format, m)
		if err != nil {
			return fmt.Errorf("render %s message: %w", t.Format, err)
		}
		_, err = q.Exec(ctx, `INSERT INTO outbox (kind, target, format, payload, created_at, next_at) VALUES (?,?,?,?,?,?)`,
			m.Kind, t.URL, string(t.Format), string(body), db.Millis(m.At), db.Millis(m.At))
		if err != nil {
			return fmt.Errorf("enqueue %s notification: %w", m.Kind, err)
		}
	}
	return nil
}

// Backoff is the wait before retry n (1-based): 2 s doubling to at most 5
// minutes, so a receiver down for an hour gets a try every 5 minutes and
// nothing is dropped.
func Backoff(n int) time.Duration {
	d := 2 * time.Second
	for i := 1; i < n && d < 5*time.Minute; i++ {
		d *= 2
	}
	if d > 5*time.Minute {
		d = 5 * time.Minute
	}
	return d
}

// Deliverer sends pending outbox messages.
type Deliverer struct {
	DB      *db.DB
	Client  *http.Client
	Log     *slog.Logger
	Now     func() time.Time
	Secrets map[string]string // URL -> HMAC secret for JSON deliveries
	// SecretSource, when set, gives the URL -> secret map in force at each
	// round (the settings edited in the console) instead of Secrets.
	SecretSource func(ctx context.Context) map[string]string
	// Guard checks every connection to a member unit's webhook (guard.go);
	// nil: the zero Guard, which allows public addresses only. Client is
	// used for the admin's escalation webhooks alone.
	Guard *Guard

	// Lease is how long a claimed row stays with this sender before
	// another may take it over (DefaultLease when 0).
	Lease time.Duration
	// Owner names this sender in the outbox's lease_owner; a random name
	// when empty.
	Owner string

	guardOnce sync.Once
	guarded   *http.Client
	ownerOnce sync.Once
}

// unitClient is the guarded client of unit webhooks.
func (d *Deliverer) unitClient() *http.Client {
	d.guardOnce.Do(func() {
		g := Guard{}
		if d.Guard != nil {
			g = *d.Guard
		}
		d.guarded = g.Client(10 * time.Second)
	})
	return d.guarded
}

// Sign computes the signature header value of a JSON body.
func Sign(secret string, body []byte) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write(body)
	return "sha256=" + hex.EncodeToString(h.Sum(nil))
}

// DefaultLease is how long a sender holds the rows it claimed before
// another sender may take them over: longer than one post (10 s timeout).
const DefaultLease = time.Minute

// item is one claimed outbox row.
type item struct {
	id       int64
	target   string
	format   string
	payload  string
	attempts int
	webhook  int64
	secret   string
}

// DeliverDue sends every message whose time has come and returns how many
// were delivered. Any number of senders (replicas) may run it on one
// database: each claims its batch first (claim), so a row is posted by one
// sender at a time, and marks a row delivered only while it still holds the
// row's lease. A sender that dies after claiming leaves rows whose lease
// expires after Lease; another sender then posts them again with the same
// Idempotency-Key header.
func (d *Deliverer) DeliverDue(ctx context.Context) (int, error) {
	items, err := d.claim(ctx)
	if err != nil {
		return 0, err
	}
	delivered := 0
	blocked := map[int64]bool{} // unit webhooks whose earlier message failed in this round
	secrets := d.Secrets
	if d.SecretSource != nil && len(items) > 0 {
		secrets = d.SecretSource(ctx)
	}
	owner := d.owner()
	for _, it := range items {
		if it.webhook != 0 && blocked[it.webhook] {
			if _, err := d.DB.Exec(ctx, `UPDATE outbox SET leased_until = NULL, lease_owner = '' WHERE id = ? AND lease_owner = ?`, it.id, owner); err != nil {
				return delivered, fmt.Errorf("release outbox row: %w", err)
			}
			continue
		}
		// Renew the lease for this post: the rows late in a batch may have
		// waited on slow receivers, and one taken over meanwhile is left to
		// the sender that has it.
		res, err := d.DB.Exec(ctx, `UPDATE outbox SET leased_until = ? WHERE id = ? AND lease_owner = ? AND delivered_at IS NULL`,
			db.Millis(d.now().Add(d.lease())), it.id, owner)
		if err != nil {
			return delivered, fmt.Errorf("renew outbox lease: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if it.webhook != 0 {
				blocked[it.webhook] = true // keep the webhook's order: the rest waits for its new sender
			}
			continue
		}
		secret := it.secret
		if secret == "" {
			secret = secrets[it.target]
		}
		c := d.Client
		if it.webhook != 0 {
			c = d.unitClient()
		}
		err = d.post(ctx, c, it.target, Format(it.format), secret, strconv.FormatInt(it.id, 10), []byte(it.payload))
		if err == nil {
			res, err := d.DB.Exec(ctx, `UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, last_error = '', leased_until = NULL, lease_owner = ''
				WHERE id = ? AND lease_owner = ? AND delivered_at IS NULL`, db.Millis(d.now()), it.id, owner)
			if err != nil {
				return delivered, fmt.Errorf("mark delivered: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				// The lease lapsed during the post and another sender took
				// the row: it posts it too, with the same Idempotency-Key.
				d.log().Warn("notification posted after its lease lapsed; another sender has it", "outbox_id", it.id, "target", it.target)
				continue
			}
			delivered++
			continue
		}
		if it.webhook != 0 {
			blocked[it.webhook] = true
		}
		n := it.attempts + 1
		msg := err.Error()
		if len(msg) > 500 {
			msg = msg[:500]
		}
		if _, err := d.DB.Exec(ctx, `UPDATE outbox SET attempts = ?, next_at = ?, last_error = ?, leased_until = NULL, lease_owner = ''
			WHERE id = ? AND lease_owner = ? AND delivered_at IS NULL`,
			n, db.Millis(d.now().Add(Backoff(n))), msg, it.id, owner); err != nil {
			return delivered, fmt.Errorf("reschedule: %w", err)
		}
		d.log().Warn("notification delivery failed; will retry", "outbox_id", it.id, "target", it.target, "attempt", n, "err", msg)
	}
	return delivered, nil
}

// claim takes a batch of due rows in one short transaction: rows neither
// delivered, nor waiting for a retry, nor leased by a live sender. On
// PostgreSQL the SELECT locks them FOR UPDATE SKIP LOCKED, so two senders
// claiming at once take different rows; on SQLite the transaction holds
// the write lock. Each row is then leased by a conditional UPDATE (the
// lease still free), which is the claim on both engines.
//
// A unit webhook's messages go out in order: a row is taken only when
// every earlier undelivered row of its webhook is in the same batch, so a
// message never overtakes one waiting for its retry or in another sender's
// hands (see unit.go).
func (d *Deliverer) claim(ctx context.Context) ([]item, error) {
	now := d.now()
	owner := d.owner()
	lock := ""
	if d.DB.Dialect == db.Postgres {
		lock = " FOR UPDATE OF o SKIP LOCKED"
	}
	// Most rounds find nothing: look before taking a write transaction
	// (on SQLite, the database's write lock).
	var any int
	err := d.DB.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM outbox WHERE delivered_at IS NULL AND next_at <= ?
		AND (leased_until IS NULL OR leased_until <= ?) LIMIT 1) x`, db.Millis(now), db.Millis(now)).Scan(&any)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	if any == 0 {
		return nil, nil
	}
	var out []item
	err = d.DB.InTx(ctx, func(tx *db.Tx) error {
		out = out[:0]
		rows, err := tx.Query(ctx, `SELECT o.id, o.target, o.format, o.payload, o.attempts, COALESCE(o.webhook_id, 0), COALESCE(w.secret, '')
			FROM outbox o LEFT JOIN unit_webhooks w ON w.id = o.webhook_id
			WHERE o.delivered_at IS NULL AND o.next_at <= ? AND (o.leased_until IS NULL OR o.leased_until <= ?)
			  AND (o.webhook_id IS NULL OR NOT EXISTS (SELECT 1 FROM outbox e
				WHERE e.webhook_id = o.webhook_id AND e.delivered_at IS NULL AND e.id < o.id AND (e.next_at > ? OR e.leased_until > ?)))
			ORDER BY o.id LIMIT 100`+lock, db.Millis(now), db.Millis(now), db.Millis(now), db.Millis(now))
		if err != nil {
			return fmt.Errorf("read outbox: %w", err)
		}
		var batch []item
		for rows.Next() {
			var it item
			if err := rows.Scan(&it.id, &it.target, &it.format, &it.payload, &it.attempts, &it.webhook, &it.secret); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, it)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		before := map[int64]int{} // rows of each unit webhook taken so far
		stopped := map[int64]bool{}
		until := db.Millis(now.Add(d.lease()))
		for _, it := range batch {
			if it.webhook != 0 {
				if stopped[it.webhook] {
					continue
				}
				var earlier int
				if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM outbox WHERE webhook_id = ? AND delivered_at IS NULL AND id < ?`,
					it.webhook, it.id).Scan(&earlier); err != nil {
					return fmt.Errorf("outbox order: %w", err)
				}
				if earlier != before[it.webhook] {
					stopped[it.webhook] = true // an earlier row is elsewhere: wait for it
					continue
				}
			}
			res, err := tx.Exec(ctx, `UPDATE outbox SET leased_until = ?, lease_owner = ?
				WHERE id = ? AND delivered_at IS NULL AND (leased_until IS NULL OR leased_until <= ?)`, until, owner, it.id, db.Millis(now))
			if err != nil {
				return fmt.Errorf("lease outbox row: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				if it.webhook != 0 {
					stopped[it.webhook] = true
				}
				continue
			}
			if it.webhook != 0 {
				before[it.webhook]++
			}
			out = append(out, it)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (d *Deliverer) lease() time.Duration {
	if d.Lease > 0 {
		return d.Lease
	}
	return DefaultLease
}

// owner names this sender in lease_owner: the host, the process and a
// random part, so two senders in one process differ too.
func (d *Deliverer) owner() string {
	d.ownerOnce.Do(func() {
		if d.Owner != "" {
			return
		}
		host, _ := os.Hostname()
		var b [6]byte
		_, _ = rand.Read(b[:])
		d.Owner = fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
	})
	return d.Owner
}

func (d *Deliverer) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Deliverer) log() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.Default()
}

func (d *Deliverer) post(ctx context.Context, c *http.Client, url string, f Format, secret, key string, body []byte) error {
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "fanzha-notify/1")
	// The outbox row's id: the same on every redelivery, so a receiver
	// can drop a message it has already taken.
	req.Header.Set("Idempotency-Key", key)
	if f == FormatJSON {
		if secret != "" {
			req.Header.Set("X-Fanzha-Signature", Sign(secret, body))
		}
		req.Header.Set("X-Fanzha-Timestamp", strconv.FormatInt(d.now().Unix(), 10))
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(snippet)))
	}
	// WeCom and DingTalk answer 200 with an error code in the body.
	if f == FormatWeCom || f == FormatDingTalk {
		var r struct {
			ErrCode int    `json:"errcode"`
			ErrMsg  string `json:"errmsg"`
		}
		if json.Unmarshal(snippet, &r) == nil && r.ErrCode != 0 {
			return fmt.Errorf("robot error %d: %s", r.ErrCode, r.ErrMsg)
		}
	}
	return nil
}

// Run delivers until ctx ends, checking every interval.
func (d *Deliverer) Run(ctx context.Context, every time.Duration) {
	db.Every(ctx, every, d.log(), "notification delivery", func(ctx context.Context) error {
		_, err := d.DeliverDue(ctx)
		return err
	})
}
