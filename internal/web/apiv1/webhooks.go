package apiv1

import (
	"time"

	"github.com/fanzha/fanzha/internal/notify"
	"github.com/fanzha/fanzha/internal/partner"
)

// PartnerWebhook is a unit's webhook; the secret is never shown.
type PartnerWebhook struct {
	ID        int64     `json:"id"`
	UnitID    int64     `json:"unit_id"`
	URL       string    `json:"url"`
	Format    string    `json:"format"` // json | wecom | dingtalk
	HasSecret bool      `json:"has_secret"`
	Enabled   bool      `json:"enabled"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Webhook is the contract's view of a webhook.
func Webhook(w partner.Webhook) PartnerWebhook {
	return PartnerWebhook{ID: w.ID, UnitID: w.UnitID, URL: w.URL, Format: w.Format, HasSecret: w.HasSecret,
		Enabled: w.Enabled, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt}
}

// PartnerWebhookInput sets a webhook.
type PartnerWebhookInput struct {
	URL     string `json:"url"`
	Format  string `json:"format"`
	Secret  string `json:"secret"`
	Enabled *bool  `json:"enabled,omitempty"`
}

// Domain is the webhook input for internal/partner.
func (in PartnerWebhookInput) Domain() partner.WebhookInput {
	return partner.WebhookInput{URL: in.URL, Format: in.Format, Secret: in.Secret, Enabled: in.Enabled}
}

// NotifyDelivery is one delivery of a webhook.
type NotifyDelivery struct {
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

// Delivery is the contract's view of a delivery.
func Delivery(d notify.Delivery) NotifyDelivery {
	return NotifyDelivery{ID: d.ID, Kind: d.Kind, Format: d.Format, Payload: d.Payload, CreatedAt: d.CreatedAt,
		Attempts: d.Attempts, NextAt: d.NextAt, DeliveredAt: d.DeliveredAt, LastError: d.LastError}
}

// DeliveriesBody is a delivery log.
type DeliveriesBody struct {
	Deliveries []NotifyDelivery `json:"deliveries"`
}

// Deliveries wraps a list; nil stays nil (written as null).
func Deliveries(in []notify.Delivery) DeliveriesBody {
	return DeliveriesBody{Deliveries: convert(in, Delivery)}
}
