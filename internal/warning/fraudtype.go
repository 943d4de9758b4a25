package warning

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/fraudtype"
)

// classifier is the shipped fraud-type model, loaded once.
var classifier = sync.OnceValue(func() *fraudtype.Classifier {
	c, err := fraudtype.Shipped()
	if err != nil {
		slog.Error("fraud-type classifier unavailable; warnings without a type stay untyped", "err", err)
		return nil
	}
	return c
})

// SetFraudType records an officer's confirmation or correction of a
// warning's fraud type. The warning's text with the officer's label is kept
// in fraudtype_labels, so a centre can retrain the classifier on its own
// cases (fanzha fraudtype labels exports them).
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
			if _, err := tx.Exec(ctx, `INSERT INTO fraudtype_labels (at, user_id, object_type, object_id, text, suggested, label)
				VALUES (?,?,?,?,?,?,?)`, db.Millis(now), nullable(a.UserID), "warning", id, text, old, string(c)); err != nil {
				return fmt.Errorf("keep label: %w", err)
			}
		}
		detail := "诈骗类型确认为 " + fraudtype.Name(c)
		if old != "" && old != string(c) {
			detail = "诈骗类型由 " + fraudtype.Name(fraudtype.Code(old)) + " 改为 " + fraudtype.Name(c)
		}
		if err := addEvent(ctx, tx, id, now, "update", a.UserID, detail); err != nil {
			return err
		}
		e := a.Audit.With(auth.AuditUpdate, "warning", strconv.FormatInt(id, 10))
		e.At, e.Detail = now, "fraud_type "+old+" -> "+string(c)
		return auth.Audit(ctx, tx, e)
	})
}

// Label is an officer-labelled text for retraining.
type Label struct {
	Text  string
	Label string
}

// Labels returns the officers' labels, oldest first.
func Labels(ctx context.Context, q db.Querier) ([]Label, error) {
	rows, err := q.Query(ctx, `SELECT text, label FROM fraudtype_labels ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("labels: %w", err)
	}
	defer rows.Close()
	var out []Label
	for rows.Next() {
		var l Label
		if err := rows.Scan(&l.Text, &l.Label); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
