package warning

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/fraudtype"
)

// SetFraudType records an officer's confirmation or correction of a
// warning's fraud type. The warning's text with the officer's label is kept
// (fraudtype.KeepLabel), so a centre can retrain the classifier on its own
// cases.
func SetFraudType(ctx context.Context, d *db.DB, a Actor, id int64, code string, now time.Time) error {
	c, ok := fraudtype.Parse(code)
	if !ok {
		return domain.Invalid("诈骗类型 %q 不在分类表中", code)
	}
	return d.InTx(ctx, func(tx *db.Tx) error {
		cond, arg := scopeClause("", a.Scope)
		var old, text, status string
		err := tx.QueryRow(ctx, `SELECT fraud_type, text, status FROM warnings WHERE id = ? AND `+cond, id, arg).Scan(&old, &text, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("warning %d: %w", id, domain.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE warnings SET fraud_type = ?, fraud_type_source = 'officer', updated_at = ? WHERE id = ?`,
			string(c), db.Millis(now), id); err != nil {
			return fmt.Errorf("set fraud type: %w", err)
		}
		if text != "" {
			if err := fraudtype.KeepLabel(ctx, tx, now, a.UserID, "warning", id, text, old, c); err != nil {
				return err
			}
		}
		detail := "诈骗类型确认为 " + fraudtype.Name(c)
		if old != "" && old != string(c) {
			detail = "诈骗类型由 " + fraudtype.Name(fraudtype.Code(old)) + " 改为 " + fraudtype.Name(c)
		}
		if err := AddEvent(ctx, tx, id, now, "update", a.UserID, detail); err != nil {
			return err
		}
		e := a.Audit.With(auth.AuditUpdate, "warning", strconv.FormatInt(id, 10))
		e.At, e.Detail = now, "fraud_type "+old+" -> "+string(c)
		return auth.Audit(ctx, tx, e)
	})
}
