package warning

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

const selectWarning = `SELECT w.id, w.source, w.source_ref, w.received_at, w.grade, w.priority,
	w.person_name, w.person_phone, w.person_id_number, w.person_birth, COALESCE(w.person_age, 0), w.person_sex, w.person_address,
	w.fraud_type, w.scam_phone, w.scam_account, w.scam_url, w.scam_app, w.amount_fen, w.text,
	w.area_id, a.full_name, COALESCE(w.station_id, 0), COALESCE(st.name, ''), w.route_reason,
	COALESCE(w.assignee_id, 0), COALESCE(u.display_name, ''), w.status, COALESCE(w.merged_into, 0),
	w.contact_due_at, w.onsite_due_at, w.first_contact_at, w.onsite_at, w.escalated_at,
	w.outcome, w.outcome_at, w.kept_fen, COALESCE(w.case_id, 0), w.fraud_type_source, w.fraud_type_permille,
	COALESCE(a.station_id, 0), COALESCE(pst.name, '')
	FROM warnings w
	JOIN areas a ON a.id = w.area_id
	LEFT JOIN areas pst ON pst.id = a.station_id
	LEFT JOIN areas st ON st.id = w.station_id
	LEFT JOIN users u ON u.id = w.assignee_id`

func scanWarning(sc interface{ Scan(...any) error }) (Warning, error) {
	var w Warning
	var received int64
	var contactDue, onsiteDue, firstContact, onsite, escalated, outcomeAt sql.NullInt64
	err := sc.Scan(&w.ID, &w.Source, &w.SourceRef, &received, &w.Grade, &w.Priority,
		&w.Person.Name, &w.Person.Phone, &w.Person.IDNumber, &w.Person.Birth, &w.Person.Age, &w.Person.Sex, &w.Person.Address,
		&w.FraudType, &w.Scam.Phone, &w.Scam.Account, &w.Scam.URL, &w.Scam.App, &w.AmountFen, &w.Text,
		&w.AreaID, &w.AreaName, &w.StationID, &w.StationName, &w.RouteReason,
		&w.AssigneeID, &w.AssigneeName, &w.Status, &w.MergedInto,
		&contactDue, &onsiteDue, &firstContact, &onsite, &escalated,
		&w.Outcome, &outcomeAt, &w.KeptFen, &w.CaseID, &w.FraudTypeSource, &w.FraudTypePermille,
		&w.PlaceStationID, &w.PlaceStationName)
	if err != nil {
		return Warning{}, err
	}
	w.ReceivedAt = db.Time(received)
	w.ContactDueAt, w.OnsiteDueAt = db.NullTime(contactDue), db.NullTime(onsiteDue)
	w.FirstContactAt, w.OnsiteAt, w.EscalatedAt = db.NullTime(firstContact), db.NullTime(onsite), db.NullTime(escalated)
	w.OutcomeAt = db.NullTime(outcomeAt)
	return w, nil
}

// Get returns a warning that lies in scope. A warning outside the scope is
// reported as not found, so a caller cannot learn that it exists.
func Get(ctx context.Context, q db.Querier, scope area.Node, id int64) (Warning, error) {
	cond, arg := scopeClause("w", scope)
	w, err := scanWarning(q.QueryRow(ctx, selectWarning+` WHERE w.id = ? AND `+cond, id, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return Warning{}, fmt.Errorf("warning %d: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return Warning{}, fmt.Errorf("warning %d: %w", id, err)
	}
	ws := []Warning{w}
	if err := hideForeignPrimaries(ctx, q, scope, ws); err != nil {
		return Warning{}, err
	}
	return ws[0], nil
}

// Filter selects warnings for a list.
type Filter struct {
	Status    string // open | closed | merged | "" (all)
	Grade     Grade
	StationID int64
	From, To  time.Time // received_at range, To exclusive
	BeforeID  int64     // paging: ids below this
	Limit     int       // at most 500; 0 means 100
}

// List returns warnings in scope matching f, newest first.
func List(ctx context.Context, q db.Querier, scope area.Node, f Filter) ([]Warning, error) {
	var filter db.Where
	filter.AndIf(f.Status != "", "w.status = ?", f.Status).
		AndIf(f.Grade != "", "w.grade = ?", f.Grade).
		AndIf(f.StationID != 0, "w.station_id = ?", f.StationID).
		Between("w.received_at", f.From, f.To).
		AndIf(f.BeforeID > 0, "w.id < ?", f.BeforeID)
	page := db.Page{Limit: f.Limit}.Clamp(100, 500)
	var where db.Where
	if useNewestByNode(q, scope) {
		cond, args := scopeNewestClause(scope, filter, page.Limit)
		where.And(cond, args...)
	} else {
		where.And(scopeClause("w", scope))
	}
	where.And(filter.String(), filter.Args()...)
	rows, err := q.Query(ctx, selectWarning+` WHERE `+where.String()+` ORDER BY w.id DESC`+page.SQL(), where.Args()...)
	if err != nil {
		return nil, fmt.Errorf("list warnings: %w", err)
	}
	defer rows.Close()
	out := []Warning{}
	for rows.Next() {
		w, err := scanWarning(rows)
		if err != nil {
			return nil, fmt.Errorf("list warnings: %w", err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	return out, hideForeignPrimaries(ctx, q, scope, out)
}
