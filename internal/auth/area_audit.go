package auth

import (
	"context"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
)

// AreaAuditor writes the jurisdiction tree's audit lines as who, at now, in
// the change's transaction (area cannot import auth: auth imports area).
func AreaAuditor(who AuditEntry, now time.Time) area.Auditor {
	return func(ctx context.Context, q db.Querier, action, id, detail string) error {
		e := who.With(action, "area", id)
		e.Detail, e.At = detail, now
		return Audit(ctx, q, e)
	}
}
