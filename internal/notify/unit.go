package notify

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/fanzha/fanzha/internal/db"
)

// Unit webhooks (table unit_webhooks, owned by package partner) are
// receivers a member unit configures for itself. Their outbox rows carry the
// webhook's id: the deliverer signs them with the webhook's current secret
// and sends them in order — a message waits while an earlier one to the same
// webhook is waiting for its retry — and the rows are the delivery log the
// unit and the centre read.

// EnqueueWebhook writes a message for a unit webhook into the outbox. Call
// it inside the transaction of the event the message announces.
func EnqueueWebhook(ctx context.Context, q db.Querier, webhookID int64, t Target, m Message) error {
	body, err := Body(t.Format, m)
	if err != nil {
		return fmt.Errorf("render %s message: %w", t.Format, err)
	}
	_, err = q.Exec(ctx, `INSERT INTO outbox (kind, target, format, payload, created_at, next_at, webhook_id) VALUES (?,?,?,?,?,?,?)`,
		m.Kind, t.URL, string(t.Format), string(body), db.Millis(m.At), db.Millis(m.At), webhookID)
	if err != nil {
		return fmt.Errorf("enqueue %s notification for webhook %d: %w", m.Kind, webhookID, err)
	}
	return nil
}

// Delivery is one outbox row of a unit webhook: the delivery log.
type Delivery struct {
	ID          int64     `json:"id"`
	Kind        string    `json:"kind"`
	Format      string    `json:"format"`
	Payload     string    `json:"payload"`
	CreatedAt   time.Time `json:"created_at"`
	Attempts    int       `json:"attempts"`
	NextAt      time.Time `json:"next_at,omitzero"`
	DeliveredAt time.Time `json:"delivered_at,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
}

// Deliveries lists the latest deliveries of a unit webhook, newest first.
func Deliveries(ctx context.Context, q db.Querier, webhookID int64, limit int) ([]Delivery, error) {
	rows, err := q.Query(ctx, `SELECT id, kind, format, payload, created_at, attempts, next_at, delivered_at, last_error
		FROM outbox WHERE webhook_id = ? ORDER BY id DESC LIMIT ?`, webhookID, limit)
	if err != nil {
		return nil, fmt.Errorf("deliveries of webhook %d: %w", webhookID, err)
	}
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		var x Delivery
		var created, next int64
		var delivered sql.NullInt64
		if err := rows.Scan(&x.ID, &x.Kind, &x.Format, &x.Payload, &created, &x.Attempts, &next, &delivered, &x.LastError); err != nil {
			return nil, err
		}
		x.CreatedAt, x.DeliveredAt = db.Time(created), db.NullTime(delivered)
		if x.DeliveredAt.IsZero() {
			x.NextAt = db.Time(next)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
