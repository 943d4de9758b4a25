package partner

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/notify"
)

// Webhook is a member unit's own receiver: every request addressed to the
// unit is also posted there through the outbox (signed, retried, in order).
// The secret is never read back; HasSecret says whether one is set.
type Webhook struct {
	ID        int64     `json:"id"`
	UnitID    int64     `json:"unit_id"`
	URL       string    `json:"url"`
	Format    string    `json:"format"` // json | wecom | dingtalk
	HasSecret bool      `json:"has_secret"`
	Enabled   bool      `json:"enabled"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// WebhookInput configures a unit's webhook. An empty Secret on an update
// keeps the current one.
type WebhookInput struct {
	URL     string `json:"url"`
	Format  string `json:"format"`
	Secret  string `json:"secret"`
	Enabled *bool  `json:"enabled,omitempty"`
}

// UnitWebhook returns a unit's webhook (domain.ErrNotFound when none).
func UnitWebhook(ctx context.Context, q db.Querier, unitID int64) (Webhook, error) {
	var w Webhook
	var secret string
	var enabled int
	var created, updated int64
	err := q.QueryRow(ctx, `SELECT id, unit_id, url, format, secret, enabled, created_at, updated_at FROM unit_webhooks WHERE unit_id = ?`, unitID).
		Scan(&w.ID, &w.UnitID, &w.URL, &w.Format, &secret, &enabled, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return w, domain.NotFound("本单位尚未配置推送地址")
	}
	if err != nil {
		return w, fmt.Errorf("webhook of unit %d: %w", unitID, err)
	}
	w.HasSecret, w.Enabled = secret != "", enabled == 1
	w.CreatedAt, w.UpdatedAt = db.Time(created), db.Time(updated)
	return w, nil
}

// SetWebhook creates or replaces a unit's webhook and audits it. The
// address must pass the guard: no loopback, private, link-local or reserved
// address unless the admin allow-listed it (notify.Guard).
func SetWebhook(ctx context.Context, d *db.DB, who auth.AuditEntry, unitID int64, in WebhookInput, guard notify.Guard, now time.Time) (Webhook, error) {
	in.URL = strings.TrimSpace(in.URL)
	if len(in.URL) > 2000 {
		return Webhook{}, domain.Invalid("推送地址过长")
	}
	if err := guard.CheckURL(ctx, in.URL); err != nil {
		return Webhook{}, domain.Invalid("%s", err.Error())
	}
	switch in.Format {
	case "", "json-hmac":
		in.Format = string(notify.FormatJSON)
	case string(notify.FormatJSON), string(notify.FormatWeCom), string(notify.FormatDingTalk):
	default:
		return Webhook{}, domain.Invalid("格式 %q 无效（json / wecom / dingtalk）", in.Format)
	}
	if len(in.Secret) > 256 {
		return Webhook{}, domain.Invalid("密钥过长")
	}
	enabled := 1
	if in.Enabled != nil && !*in.Enabled {
		enabled = 0
	}
	err := d.InTx(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM units WHERE id = ?`, unitID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("unit %d: %w", unitID, domain.ErrNotFound)
		}
		var id int64
		var current string
		err := tx.QueryRow(ctx, `SELECT id, secret FROM unit_webhooks WHERE unit_id = ?`, unitID).Scan(&id, &current)
		if (err == nil || errors.Is(err, sql.ErrNoRows)) && in.Format == string(notify.FormatJSON) && in.Secret == "" && current == "" {
			return domain.Invalid("JSON 推送须设置签名密钥")
		}
		switch {
		case errors.Is(err, sql.ErrNoRows):
			err = tx.QueryRow(ctx, `INSERT INTO unit_webhooks (unit_id, url, format, secret, enabled, created_at, updated_at)
				VALUES (?,?,?,?,?,?,?) RETURNING id`, unitID, in.URL, in.Format, in.Secret, enabled, db.Millis(now), db.Millis(now)).Scan(&id)
		case err == nil:
			_, err = tx.Exec(ctx, `UPDATE unit_webhooks SET url = ?, format = ?, secret = CASE WHEN ? = '' THEN secret ELSE ? END,
				enabled = ?, updated_at = ? WHERE id = ?`, in.URL, in.Format, in.Secret, in.Secret, enabled, db.Millis(now), id)
		}
		if err != nil {
			return fmt.Errorf("save webhook: %w", err)
		}
		e := who.With(auth.AuditUpdate, "unit_webhook", strconv.FormatInt(id, 10))
		e.At, e.Detail = now, fmt.Sprintf("unit %d %s %s", unitID, in.Format, in.URL)
		return auth.Audit(ctx, tx, e)
	})
	if err != nil {
		return Webhook{}, err
	}
	return UnitWebhook(ctx, d, unitID)
}

// WebhookDeliveries is the delivery log of a unit's webhook, newest first.
func WebhookDeliveries(ctx context.Context, q db.Querier, unitID int64, limit int) ([]notify.Delivery, error) {
	w, err := UnitWebhook(ctx, q, unitID)
	if err != nil {
		return nil, err
	}
	return notify.Deliveries(ctx, q, w.ID, limit)
}

// enqueueForUnit posts a message to the unit's webhook, if it has an enabled
// one; it reports whether it did.
func enqueueForUnit(ctx context.Context, q db.Querier, unitID int64, m notify.Message) (bool, error) {
	var id int64
	var target, format string
	err := q.QueryRow(ctx, `SELECT id, url, format FROM unit_webhooks WHERE enabled = 1 AND (unit_id = ?
		OR unit_id = (SELECT parent_id FROM units WHERE id = ?)) ORDER BY CASE WHEN unit_id = ? THEN 0 ELSE 1 END LIMIT 1`,
		unitID, unitID, unitID).Scan(&id, &target, &format)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := notify.EnqueueWebhook(ctx, q, id, notify.Target{URL: target, Format: notify.Format(format)}, m); err != nil {
		return false, err
	}
	return true, nil
}

// WebhookStatus is a unit webhook's state for the centre's overview.
type WebhookStatus struct {
	Webhook
	UnitName      string    `json:"unit_name"`
	Pending       int64     `json:"pending"`  // messages not yet delivered
	Retrying      int64     `json:"retrying"` // of which at least one attempt failed
	LastDelivered time.Time `json:"last_delivered_at,omitzero"`
	LastError     string    `json:"last_error,omitempty"` // of the oldest message still retrying
}

// WebhookStatuses lists every unit webhook with its delivery state.
func WebhookStatuses(ctx context.Context, q db.Querier) ([]WebhookStatus, error) {
	rows, err := q.Query(ctx, `SELECT w.id, w.unit_id, u.name, w.url, w.format, CASE WHEN w.secret = '' THEN 0 ELSE 1 END, w.enabled, w.created_at, w.updated_at,
		(SELECT COUNT(*) FROM outbox o WHERE o.webhook_id = w.id AND o.delivered_at IS NULL),
		(SELECT COUNT(*) FROM outbox o WHERE o.webhook_id = w.id AND o.delivered_at IS NULL AND o.attempts > 0),
		(SELECT MAX(o.delivered_at) FROM outbox o WHERE o.webhook_id = w.id),
		COALESCE((SELECT o.last_error FROM outbox o WHERE o.webhook_id = w.id AND o.delivered_at IS NULL AND o.attempts > 0 ORDER BY o.id LIMIT 1), '')
		FROM unit_webhooks w JOIN units u ON u.id = w.unit_id ORDER BY u.name, w.id`)
	if err != nil {
		return nil, fmt.Errorf("webhook statuses: %w", err)
	}
	defer rows.Close()
	out := []WebhookStatus{}
	for rows.Next() {
		var s WebhookStatus
		var hasSecret, enabled int
		var created, updated int64
		var last sql.NullInt64
		if err := rows.Scan(&s.ID, &s.UnitID, &s.UnitName, &s.URL, &s.Format, &hasSecret, &enabled, &created, &updated,
			&s.Pending, &s.Retrying, &last, &s.LastError); err != nil {
			return nil, err
		}
		s.HasSecret, s.Enabled = hasSecret == 1, enabled == 1
		s.CreatedAt, s.UpdatedAt, s.LastDelivered = db.Time(created), db.Time(updated), db.NullTime(last)
		out = append(out, s)
	}
	return out, rows.Err()
}
