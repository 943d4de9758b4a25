package instruction

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/notify"
)

// SubjectFeedback is the NATS subject feedback reports are published on
// (core NATS, outside the intake stream's fanzha.warnings.in).
const SubjectFeedback = "fanzha.warnings.feedback"

// Publisher is what publishes on NATS (*nats.Conn).
type Publisher interface {
	Publish(subject string, data []byte) error
}

// Message is the JSON body of one report on the webhook and NATS doors:
// the issuer keys it by number and version (a 续报 has a higher version).
type Message struct {
	Kind   string `json:"kind"` // instruction_feedback
	Report Report `json:"report"`
}

// MarshalReport is the JSON of a report as the doors send it.
func MarshalReport(r Report) ([]byte, error) {
	return json.Marshal(Message{Kind: "instruction_feedback", Report: r})
}

// PublishFeedback records the new and changed reports of the instructions
// in scope issued in [from, to) and publishes each on SubjectFeedback
// before the versions commit: a failed publish records nothing, and a
// report published but not recorded (a crash between) is sent again with
// the same number and version.
func PublishFeedback(ctx context.Context, d *db.DB, p Publisher, scope area.Node, from, to time.Time, userID int64, now time.Time) (Sent, error) {
	reports, err := Reports(ctx, d, scope, from, to)
	if err != nil {
		return Sent{}, err
	}
	return Record(ctx, d, reports, "nats", userID, now, func(ctx context.Context, tx *db.Tx, fresh []Report) error {
		for _, r := range fresh {
			b, err := MarshalReport(r)
			if err != nil {
				return err
			}
			if err := p.Publish(SubjectFeedback, b); err != nil {
				return fmt.Errorf("publish feedback %s: %w", r.Number, err)
			}
		}
		return nil
	})
}

// WebhookFeedback records the new and changed reports like
// PublishFeedback and writes one outbox row per report and target in the
// same transaction; the notification sender posts them (signed, retried,
// with an Idempotency-Key).
func WebhookFeedback(ctx context.Context, d *db.DB, targets []notify.Target, scope area.Node, from, to time.Time, userID int64, now time.Time) (Sent, error) {
	reports, err := Reports(ctx, d, scope, from, to)
	if err != nil {
		return Sent{}, err
	}
	return Record(ctx, d, reports, "webhook", userID, now, func(ctx context.Context, tx *db.Tx, fresh []Report) error {
		for _, r := range fresh {
			what := "反馈"
			if r.Version > 1 {
				what = "续报"
			}
			m := notify.Message{Kind: "instruction_feedback", At: now,
				Title: fmt.Sprintf("指令 %s 处置结果%s", r.Number, what),
				Text:  fmt.Sprintf("处置单位：%s\n结果：%s", r.Station, r.Result),
				Data:  map[string]any{"report": r}}
			if err := notify.Enqueue(ctx, tx, targets, m); err != nil {
				return err
			}
		}
		return nil
	})
}
