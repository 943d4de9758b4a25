package instruction

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// Info is the instruction of one warning as its page shows it: the
// instruction, its deadlines and signing, the report as it would be sent
// now, and the versions sent (oldest first).
type Info struct {
	WarningID     int64     `json:"warning_id"`
	Level         Level     `json:"level"`
	LevelName     string    `json:"level_name"`
	Number        string    `json:"number"`
	Issuer        string    `json:"issuer"`
	ReceivedAt    time.Time `json:"received_at"`
	SignDueAt     time.Time `json:"sign_due_at"`
	FeedbackDueAt time.Time `json:"feedback_due_at"`
	SignedAt      time.Time `json:"signed_at,omitzero"`
	SignMode      string    `json:"sign_mode,omitempty"`
	FedBackAt     time.Time `json:"fed_back_at,omitzero"`
	Current       Report    `json:"current"`
	// Changed: the current report differs from the last version sent (a
	// 续报 is due).
	Changed bool     `json:"changed"`
	Sent    []Report `json:"sent"`
}

// Get reads the instruction of a warning the caller may see; a warning
// that did not come as an instruction is not found.
func Get(ctx context.Context, q db.Querier, scope area.Node, warningID int64) (Info, error) {
	var in Info
	c1, a1 := area.UnderClause("w.station_id", scope)
	c2, a2 := area.UnderClause("w.area_id", scope)
	var signed, fed sql.NullInt64
	var rec, sdue, fdue int64
	err := q.QueryRow(ctx, `SELECT i.warning_id, i.level, i.number, i.issuer, i.received_at, i.sign_due_at, i.feedback_due_at,
		i.signed_at, i.sign_mode, i.fed_back_at FROM instructions i JOIN warnings w ON w.id = i.warning_id
		WHERE i.warning_id = ? AND (`+c1+` OR `+c2+`)`, warningID, a1, a2).
		Scan(&in.WarningID, &in.Level, &in.Number, &in.Issuer, &rec, &sdue, &fdue, &signed, &in.SignMode, &fed)
	if errors.Is(err, sql.ErrNoRows) {
		return in, fmt.Errorf("instruction of warning %d: %w", warningID, domain.ErrNotFound)
	}
	if err != nil {
		return in, fmt.Errorf("instruction of warning %d: %w", warningID, err)
	}
	in.LevelName = LevelName(in.Level)
	in.ReceivedAt, in.SignDueAt, in.FeedbackDueAt = db.Time(rec), db.Time(sdue), db.Time(fdue)
	if signed.Valid {
		in.SignedAt = db.Time(signed.Int64)
	}
	if fed.Valid {
		in.FedBackAt = db.Time(fed.Int64)
	}
	if in.Current, err = scanReport(q.QueryRow(ctx, reportSelect+` WHERE i.warning_id = ?`, warningID)); err != nil {
		return in, fmt.Errorf("report of warning %d: %w", warningID, err)
	}
	rows, err := q.Query(ctx, `SELECT payload, digest FROM instruction_reports WHERE warning_id = ? ORDER BY version`, warningID)
	if err != nil {
		return in, fmt.Errorf("reports of warning %d: %w", warningID, err)
	}
	defer rows.Close()
	last := ""
	for rows.Next() {
		var payload string
		if err := rows.Scan(&payload, &last); err != nil {
			return in, err
		}
		var r Report
		if err := jsonUnmarshal(payload, &r); err != nil {
			return in, fmt.Errorf("report of warning %d: %w", warningID, err)
		}
		in.Sent = append(in.Sent, r)
	}
	if err := rows.Err(); err != nil {
		return in, err
	}
	in.Changed = in.Current.Ready() && in.Current.digest() != last
	return in, nil
}
