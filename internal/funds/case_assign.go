package funds

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/roster"
)

// The investigator of a case (办案民警): one of the investigators of the
// case's station or of the centres above it (its county, and the city and
// province of a province's deployment). A case opened without
// one (from a warning's 已被骗) gets the station's investigator on duty, or
// stays 未指派 until someone assigns it on the case page.

// Investigator is an officer a case may be assigned to.
type Investigator struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	AreaName string `json:"area_name"`
	Centre   bool   `json:"centre"`    // of the county centre, not the station
	OnDuty   bool   `json:"on_duty"`   // on the duty roster now
	OpenLoad int    `json:"open_load"` // open cases (not solved or closed) assigned
}

// Investigators lists who a case in scope may be assigned to: the active
// investigators of its station and of the centre; the station's first,
// those on duty first, then by open load.
func Investigators(ctx context.Context, q db.Querier, scope area.Node, caseID int64, now time.Time) ([]Investigator, error) {
	stationID, err := caseStation(ctx, q, scope, caseID)
	if err != nil {
		return nil, err
	}
	return investigatorsOf(ctx, q, stationID, now)
}

func caseStation(ctx context.Context, q db.Querier, scope area.Node, caseID int64) (int64, error) {
	cond, arg := area.UnderClause("c.area_id", scope)
	var station int64
	err := q.QueryRow(ctx, `SELECT COALESCE(c.station_id, 0) FROM cases c WHERE c.id = ? AND `+cond, caseID, arg).Scan(&station)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("case %d: %w", caseID, domain.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("case %d: %w", caseID, err)
	}
	return station, nil
}

func investigatorsOf(ctx context.Context, q db.Querier, stationID int64, now time.Time) ([]Investigator, error) {
	rows, err := q.Query(ctx, `SELECT u.id, u.display_name, a.name, a.level,
		(SELECT COUNT(*) FROM cases c WHERE c.investigator_id = u.id AND c.status IN ('open', 'investigating'))
		FROM users u JOIN areas a ON a.id = u.area_id
		WHERE u.role = ? AND u.disabled = 0 AND (u.area_id = ? OR a.level IN ('county', 'city', 'province')
			AND (? = 0 OR EXISTS (SELECT 1 FROM areas s WHERE s.id = ? AND s.path LIKE a.path || '%')))
		ORDER BY CASE WHEN a.level IN ('county', 'city', 'province') THEN 1 ELSE 0 END, u.id`,
		string(auth.RoleInvestigator), stationID, stationID, stationID)
	if err != nil {
		return nil, fmt.Errorf("investigators: %w", err)
	}
	var out []Investigator
	for rows.Next() {
		var v Investigator
		var level string
		if err := rows.Scan(&v.ID, &v.Name, &v.AreaName, &level, &v.OpenLoad); err != nil {
			rows.Close()
			return nil, err
		}
		v.Centre = area.Level(level).Centre()
		out = append(out, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	on, err := roster.OnDutyUsers(ctx, q, now)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].OnDuty = on[out[i].ID]
	}
	// Station first (the query's order), then on duty, then the lighter load.
	sortInvestigators(out)
	return out, nil
}

func sortInvestigators(vs []Investigator) {
	slices.SortStableFunc(vs, func(a, b Investigator) int {
		return cmp.Or(compareBool(!a.Centre, !b.Centre), compareBool(a.OnDuty, b.OnDuty), cmp.Compare(a.OpenLoad, b.OpenLoad), cmp.Compare(a.ID, b.ID))
	})
}

// compareBool orders true before false.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// defaultInvestigator is the station's investigator on duty now with the
// lightest open load, or 0 when none is on duty.
func defaultInvestigator(ctx context.Context, q db.Querier, stationID int64, now time.Time) (int64, error) {
	if stationID == 0 {
		return 0, nil
	}
	vs, err := investigatorsOf(ctx, q, stationID, now)
	if err != nil {
		return 0, err
	}
	for _, v := range vs {
		if !v.Centre && v.OnDuty {
			return v.ID, nil
		}
	}
	return 0, nil
}

// AssignInvestigator makes userID the investigator of a case in scope (0:
// 未指派), audited and on the case's timeline in the same transaction.
func AssignInvestigator(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, caseID, userID int64, now time.Time) error {
	return d.InTx(ctx, func(tx *db.Tx) error {
		stationID, err := caseStation(ctx, tx, scope, caseID)
		if err != nil {
			return err
		}
		text := "办案民警改为未指派"
		if userID != 0 {
			vs, err := investigatorsOf(ctx, tx, stationID, now)
			if err != nil {
				return err
			}
			var name string
			for _, v := range vs {
				if v.ID == userID {
					name = v.Name
				}
			}
			if name == "" {
				return domain.Invalid("只能指派本案所属派出所或反诈中心的侦查民警")
			}
			text = "指派办案民警：" + name
		}
		if _, err := tx.Exec(ctx, `UPDATE cases SET investigator_id = ?, updated_at = ? WHERE id = ?`, nullID(userID), db.Millis(now), caseID); err != nil {
			return fmt.Errorf("case %d: %w", caseID, err)
		}
		if err := AddCaseEvent(ctx, tx, caseID, now, "investigator", who.UserID, text); err != nil {
			return err
		}
		e := who.With(auth.AuditUpdate, "case", strconv.FormatInt(caseID, 10))
		e.At, e.Detail = now, text
		return auth.Audit(ctx, tx, e)
	})
}
