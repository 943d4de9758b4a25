package funds

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/fraudtype"
)

// SuggestFraudType returns the classifier's type for a case narrative, or
// "" when it has no confident answer. A narrative of a reported case is a
// fraud by definition, so only the type is asked of the model.
func SuggestFraudType(narrative string) string {
	if strings.TrimSpace(narrative) == "" {
		return ""
	}
	c := fraudtype.Serving()
	if c == nil {
		return ""
	}
	p := c.Predict(narrative)
	if len(p.Top) == 0 || p.Top[0].Prob < 0.5 {
		return ""
	}
	return string(p.Type)
}

// SetCaseFraudType records an officer's confirmation or correction of a
// case's fraud type; the narrative and the label are kept for retraining.
func SetCaseFraudType(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, userID, id int64, code string, now time.Time) error {
	c, ok := fraudtype.Parse(code)
	if !ok {
		return domain.Invalid("诈骗类型 %q 不在分类表中", code)
	}
	return d.InTx(ctx, func(tx *db.Tx) error {
		cond, arg := area.UnderClause("area_id", scope)
		var old, summary string
		err := tx.QueryRow(ctx, `SELECT fraud_type, summary FROM cases WHERE id = ? AND `+cond, id, arg).Scan(&old, &summary)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("case %d: %w", id, domain.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE cases SET fraud_type = ?, updated_at = ? WHERE id = ?`, string(c), db.Millis(now), id); err != nil {
			return fmt.Errorf("set fraud type: %w", err)
		}
		if strings.TrimSpace(summary) != "" {
			if err := fraudtype.KeepLabel(ctx, tx, now, userID, "case", id, summary, old, c); err != nil {
				return err
			}
		}
		e := who.With(auth.AuditUpdate, "case", strconv.FormatInt(id, 10))
		e.At, e.Detail = now, "fraud_type "+old+" -> "+string(c)
		return auth.Audit(ctx, tx, e)
	})
}
