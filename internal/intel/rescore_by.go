package intel

import (
	"context"
	"fmt"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
)

// RescoreBy rescores every account and phone number (RescoreAll) at a
// person's request (who) and audits what was rescored.
func RescoreBy(ctx context.Context, d *db.DB, who auth.AuditEntry, now time.Time) (Rescored, error) {
	res, err := RescoreAll(ctx, d, now)
	if err != nil {
		return res, err
	}
	e := who.With(auth.AuditUpdate, "intel_scores", "")
	e.At, e.Detail = now, fmt.Sprintf("rescore: %d accounts (%d watch), %d phones", res.Accounts, res.Watch, res.Phones)
	if err := auth.Audit(ctx, d, e); err != nil {
		return res, fmt.Errorf("audit rescore: %w", err)
	}
	return res, nil
}
