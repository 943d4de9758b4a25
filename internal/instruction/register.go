package instruction

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
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/zone"
)

// Input is the instruction part of a warning: who issued it, its number and
// the issuer's own deadlines when it gave them (zero: the level's default).
type Input struct {
	WarningID   int64
	Level       Level
	Number      string
	Issuer      string
	ReceivedAt  time.Time // zero: now
	SignDue     time.Time // zero: received + the level's sign limit
	FeedbackDue time.Time // zero: received + the level's feedback limit
}

// Register stores the instructions of warnings just taken by the intake
// (any door: the caller passes the ids the intake answered). A warning
// already registered is left as it is, so a file imported twice changes
// nothing. An instruction whose warning is already assigned is signed at
// once when signing is automatic.
func Register(ctx context.Context, d *db.DB, cfg Config, ins []Input, now time.Time) error {
	_, err := register(ctx, d, cfg, ins, now)
	return err
}

// register is Register answering how many instructions were new.
func register(ctx context.Context, d *db.DB, cfg Config, ins []Input, now time.Time) (int, error) {
	for _, in := range ins {
		if _, ok := levelNames[in.Level]; !ok {
			return 0, domain.Invalid("下发级别 %q 无效（部/省/市/县/银行/运营商）", in.Level)
		}
		if strings.TrimSpace(in.Number) == "" {
			return 0, domain.Invalid("指令编号为空")
		}
	}
	made := 0
	err := d.InTx(ctx, func(tx *db.Tx) error {
		made = 0
		for _, in := range ins {
			rec := in.ReceivedAt
			if rec.IsZero() {
				rec = now
			}
			lim := cfg.Deadlines[in.Level]
			sign, fb := in.SignDue, in.FeedbackDue
			if sign.IsZero() {
				sign = rec.Add(lim.Sign)
			}
			if fb.IsZero() {
				fb = rec.Add(lim.Feedback)
			}
			var assignee int64
			err := tx.QueryRow(ctx, `SELECT COALESCE(assignee_id, 0) FROM warnings WHERE id = ?`, in.WarningID).Scan(&assignee)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("instruction of warning %d: %w", in.WarningID, domain.ErrNotFound)
			}
			if err != nil {
				return fmt.Errorf("instruction of warning %d: %w", in.WarningID, err)
			}
			var signedAt, signedBy any
			mode := ""
			if cfg.AutoSign && assignee != 0 {
				signedAt, signedBy, mode = db.Millis(now), assignee, "auto"
			}
			res, err := tx.Exec(ctx, `INSERT INTO instructions (warning_id, level, number, issuer, received_at, sign_due_at, feedback_due_at,
				signed_at, signed_by, sign_mode, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING`,
				in.WarningID, string(in.Level), strings.TrimSpace(in.Number), strings.TrimSpace(in.Issuer), db.Millis(rec),
				db.Millis(sign), db.Millis(fb), signedAt, signedBy, mode, db.Millis(now))
			if err != nil {
				return fmt.Errorf("register instruction %s: %w", in.Number, err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				made++
				detail := fmt.Sprintf("%s级指令 %s：签收时限 %s，反馈时限 %s", LevelName(in.Level), in.Number,
					clock(sign), clock(fb))
				if err := warning.AddEvent(ctx, tx, in.WarningID, now, "instruction", 0, detail); err != nil {
					return err
				}
				if mode == "auto" {
					if err := warning.AddEvent(ctx, tx, in.WarningID, now, "signed", assignee, "分派即自动签收"); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	return made, err
}

// Sign records a manual receipt (签收) by an officer who may see the
// warning. Signing twice is refused.
func Sign(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, warningID int64, now time.Time) error {
	return d.InTx(ctx, func(tx *db.Tx) error {
		var signed sql.NullInt64
		cond, arg := area.UnderClause("w.station_id", scope)
		cond2, arg2 := area.UnderClause("w.area_id", scope)
		err := tx.QueryRow(ctx, `SELECT i.signed_at FROM instructions i JOIN warnings w ON w.id = i.warning_id
			WHERE i.warning_id = ? AND (`+cond+` OR `+cond2+`)`, warningID, arg, arg2).Scan(&signed)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("instruction %d: %w", warningID, domain.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("instruction %d: %w", warningID, err)
		}
		if signed.Valid {
			return domain.Conflict("该指令已于 %s 签收", clock(db.Time(signed.Int64)))
		}
		res, err := tx.Exec(ctx, `UPDATE instructions SET signed_at = ?, signed_by = ?, sign_mode = 'manual'
			WHERE warning_id = ? AND signed_at IS NULL`, db.Millis(now), who.UserID, warningID)
		if err != nil {
			return fmt.Errorf("sign instruction %d: %w", warningID, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return domain.Conflict("该指令已被他人签收")
		}
		if err := warning.AddEvent(ctx, tx, warningID, now, "signed", who.UserID, "人工签收指令"); err != nil {
			return err
		}
		e := who.With(auth.AuditUpdate, "instruction", strconv.FormatInt(warningID, 10))
		e.At, e.Detail = now, "sign"
		return auth.Audit(ctx, tx, e)
	})
}

// clock writes a time as people read it (Shanghai, month-day hour:minute).
func clock(t time.Time) string { return t.In(zone.Shanghai).Format("01-02 15:04") }
