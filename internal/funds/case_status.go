package funds

import (
	"context"
	"fmt"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// SetCaseStatus sets a case's coarse status (open | investigating | solved
// | closed), the one the case list filters on and the assignment counts as
// open load. It is the only writer of cases.status after the case is
// opened: the lifecycle (internal/investigation) calls it in the
// transaction of each step.
func SetCaseStatus(ctx context.Context, q db.Querier, caseID int64, status string, now time.Time) error {
	if _, ok := caseStatuses[status]; !ok {
		return fmt.Errorf("case %d: status %q: %w", caseID, status, domain.ErrInvalid)
	}
	res, err := q.Exec(ctx, `UPDATE cases SET status = ?, updated_at = ? WHERE id = ?`, status, db.Millis(now), caseID)
	if err != nil {
		return fmt.Errorf("case %d status: %w", caseID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("case %d: %w", caseID, domain.ErrNotFound)
	}
	return nil
}
