package fraudtype

import (
	"context"
	"fmt"
	"time"

	"github.com/fanzha/fanzha/internal/db"
)

// The officers' labels (fraudtype_labels): each confirmation or correction
// of a warning's or a case's type keeps the text with the officer's type,
// so a centre can retrain the classifier on its own cases ("fanzha
// fraudtype labels" exports them).

// Label is an officer-labelled text for retraining.
type Label struct {
	Text  string
	Label string
}

// KeepLabel stores an officer's type of a text: the object it belongs to
// (warning or case), the type it had before (suggested, "" when none) and
// the one the officer gave. userID 0 is no user.
func KeepLabel(ctx context.Context, q db.Querier, at time.Time, userID int64, objectType string, objectID int64, text, suggested string, label Code) error {
	var user any
	if userID != 0 {
		user = userID
	}
	if _, err := q.Exec(ctx, `INSERT INTO fraudtype_labels (at, user_id, object_type, object_id, text, suggested, label)
		VALUES (?,?,?,?,?,?,?)`, db.Millis(at), user, objectType, objectID, text, suggested, string(label)); err != nil {
		return fmt.Errorf("keep label: %w", err)
	}
	return nil
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
