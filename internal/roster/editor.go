package roster

import (
	"context"
	"io"
	"time"

	"github.com/fanzha/fanzha/internal/db"
)

// Editor makes the roster changes of the console for one actor, each in
// its own transaction: the change, the shifts it materialises and its
// audit lines commit together or not at all.
type Editor struct {
	d *db.DB
	a Actor
}

// NewEditor returns an editor of the roster for a.
func NewEditor(d *db.DB, a Actor) Editor { return Editor{d: d, a: a} }

// AddShift adds a shift (AddShift).
func (e Editor) AddShift(ctx context.Context, in ShiftInput) (int64, error) {
	return db.InTxValue(ctx, e.d, func(q *db.Tx) (int64, error) { return AddShift(ctx, q, e.a, in) })
}

// EditShift moves a shift's times (EditShift).
func (e Editor) EditShift(ctx context.Context, id int64, start, end time.Time) error {
	return e.d.InTx(ctx, func(tx *db.Tx) error { return EditShift(ctx, tx, e.a, id, start, end) })
}

// SwapShift gives a shift to another officer (SwapShift).
func (e Editor) SwapShift(ctx context.Context, id, toUser int64) error {
	return e.d.InTx(ctx, func(tx *db.Tx) error { return SwapShift(ctx, tx, e.a, id, toUser) })
}

// DeleteShift removes a shift (DeleteShift).
func (e Editor) DeleteShift(ctx context.Context, id int64) error {
	return e.d.InTx(ctx, func(tx *db.Tx) error { return DeleteShift(ctx, tx, e.a, id) })
}

// AddPattern adds a weekly pattern and materialises it (AddPattern).
func (e Editor) AddPattern(ctx context.Context, in PatternInput) (int64, error) {
	return db.InTxValue(ctx, e.d, func(q *db.Tx) (int64, error) { return AddPattern(ctx, q, e.a, in) })
}

// DeletePattern retires a pattern and its shifts to come (DeletePattern).
func (e Editor) DeletePattern(ctx context.Context, id int64) error {
	return e.d.InTx(ctx, func(tx *db.Tx) error { return DeletePattern(ctx, tx, e.a, id) })
}

// AddLeave records leave (AddLeave).
func (e Editor) AddLeave(ctx context.Context, userID int64, start, end time.Time, reason string) (int64, error) {
	return db.InTxValue(ctx, e.d, func(q *db.Tx) (int64, error) { return AddLeave(ctx, q, e.a, userID, start, end, reason) })
}

// DeleteLeave cancels leave (DeleteLeave).
func (e Editor) DeleteLeave(ctx context.Context, id int64) error {
	return e.d.InTx(ctx, func(tx *db.Tx) error { return DeleteLeave(ctx, tx, e.a, id) })
}

// CopyWeek copies a week's shifts forward (CopyWeek).
func (e Editor) CopyWeek(ctx context.Context, areaID int64, week string, weeks int) (CopyResult, error) {
	return db.InTxValue(ctx, e.d, func(q *db.Tx) (CopyResult, error) { return CopyWeek(ctx, q, e.a, areaID, week, weeks) })
}

// Import reads a roster file (Import); a file with any bad row stores
// nothing.
func (e Editor) Import(ctx context.Context, name string, r io.Reader) (ImportReport, error) {
	return db.InTxValue(ctx, e.d, func(q *db.Tx) (ImportReport, error) { return Import(ctx, q, e.a, name, r) })
}
