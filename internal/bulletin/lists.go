package bulletin

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
)

// PreventionEvent is a prevention event as listed in the console.
type PreventionEvent struct {
	ID            int64     `json:"id"`
	At            time.Time `json:"at"`
	AreaName      string    `json:"area_name"`
	StationName   string    `json:"station_name"`
	Kind          string    `json:"kind"`
	Title         string    `json:"title"`
	OrganiserKind string    `json:"organiser_kind"`
	Organiser     string    `json:"organiser"`
	Audience      string    `json:"audience"`
	Reached       int64     `json:"reached"`
	FraudTypes    []string  `json:"fraud_types"`
}

// EventKindName is the Chinese label of a prevention event kind.
func EventKindName(k string) string {
	m := map[string]string{"lecture": "讲座", "stall": "摆摊宣传", "door_to_door": "入户走访", "screen": "LED屏", "group_push": "群聊推送",
		"video": "短视频", "school_class": "主题班会", "bank_counter": "银行柜面"}
	if v, ok := m[k]; ok {
		return v
	}
	return k
}

// AudienceName is the Chinese label of an audience group.
func AudienceName(a string) string {
	m := map[string]string{"elderly": "老年人", "students": "学生", "enterprise": "企业职工", "unemployed": "无业人员", "general": "普通群众"}
	var out []string
	for _, x := range strings.Split(a, ",") {
		if v, ok := m[x]; ok {
			out = append(out, v)
		} else if x != "" {
			out = append(out, x)
		}
	}
	return strings.Join(out, "、")
}

// RecentPrevention lists prevention events in scope, newest first.
func RecentPrevention(ctx context.Context, q db.Querier, scope area.Node, limit int) ([]PreventionEvent, error) {
	cond, arg := area.UnderClause("e.area_id", scope)
	rows, err := q.Query(ctx, `SELECT e.id, e.at, a.full_name, COALESCE(st.name, ''), e.kind, e.title, e.organiser_kind, e.organiser,
		e.audience, e.reached, e.fraud_types FROM prevention_events e JOIN areas a ON a.id = e.area_id
		LEFT JOIN areas st ON st.id = a.station_id WHERE `+cond+` ORDER BY e.at DESC, e.id DESC LIMIT `+strconv.Itoa(limit), arg)
	if err != nil {
		return nil, fmt.Errorf("prevention events: %w", err)
	}
	defer rows.Close()
	var out []PreventionEvent
	for rows.Next() {
		var e PreventionEvent
		var at int64
		var types string
		if err := rows.Scan(&e.ID, &at, &e.AreaName, &e.StationName, &e.Kind, &e.Title, &e.OrganiserKind, &e.Organiser, &e.Audience, &e.Reached, &types); err != nil {
			return nil, err
		}
		e.At = db.Time(at)
		if types != "" {
			e.FraudTypes = strings.Split(types, ",")
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// AccountActivity is an account's flow in the loaded statements.
type AccountActivity struct {
	Number   string `json:"number"`
	Bank     string `json:"bank"`
	Branch   string `json:"branch"`
	Holder   string `json:"holder"`
	Rows     int64  `json:"rows"`
	InFen    int64  `json:"in_fen"`
	OutFen   int64  `json:"out_fen"`
	Counters int64  `json:"counters"` // distinct counterparties
	Victims  int64  `json:"victims"`  // victims' losing transfers received
}

// BusiestAccounts lists the statement accounts with the most flow.
func BusiestAccounts(ctx context.Context, q db.Querier, limit int) ([]AccountActivity, error) {
	rows, err := q.Query(ctx, `SELECT s.account, COALESCE(a.bank, ''), COALESCE(a.branch, ''), COALESCE(a.holder_name, ''), COUNT(*),
		COALESCE(SUM(CASE WHEN s.amount_fen > 0 THEN s.amount_fen ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN s.amount_fen < 0 THEN -s.amount_fen ELSE 0 END), 0),
		COUNT(DISTINCT s.counter_account),
		(SELECT COUNT(*) FROM case_transfers t WHERE t.to_account = s.account)
		FROM statement_rows s LEFT JOIN accounts a ON a.number = s.account
		GROUP BY s.account, a.bank, a.branch, a.holder_name
		ORDER BY 6 DESC LIMIT `+strconv.Itoa(limit))
	if err != nil {
		return nil, fmt.Errorf("busiest accounts: %w", err)
	}
	defer rows.Close()
	var out []AccountActivity
	for rows.Next() {
		var a AccountActivity
		if err := rows.Scan(&a.Number, &a.Bank, &a.Branch, &a.Holder, &a.Rows, &a.InFen, &a.OutFen, &a.Counters, &a.Victims); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Unit is a member unit of the joint mechanism.
type Unit struct {
	ID       int64  `json:"id"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	Parent   string `json:"parent,omitempty"`
	Users    int64  `json:"users"`
	Requests int64  `json:"requests"`
	Open     int64  `json:"open_requests"`
}

// UnitKindName is the Chinese label of a unit kind.
func UnitKindName(k string) string {
	m := map[string]string{"bank": "银行", "operator": "运营商", "education": "教育", "regulator": "市场监管", "township": "乡镇", "other": "其他"}
	if v, ok := m[k]; ok {
		return v
	}
	return k
}

// Units lists member units with their users and requests.
func Units(ctx context.Context, q db.Querier) ([]Unit, error) {
	rows, err := q.Query(ctx, `SELECT u.id, u.kind, u.name, COALESCE(p.name, ''),
		(SELECT COUNT(*) FROM users x WHERE x.unit_id = u.id),
		(SELECT COUNT(*) FROM partner_requests r WHERE r.unit_id = u.id),
		(SELECT COUNT(*) FROM partner_requests r WHERE r.unit_id = u.id AND r.status IN ('sent', 'seen'))
		FROM units u LEFT JOIN units p ON p.id = u.parent_id ORDER BY COALESCE(u.parent_id, u.id), u.id`)
	if err != nil {
		return nil, fmt.Errorf("units: %w", err)
	}
	defer rows.Close()
	var out []Unit
	for rows.Next() {
		var u Unit
		if err := rows.Scan(&u.ID, &u.Kind, &u.Name, &u.Parent, &u.Users, &u.Requests, &u.Open); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
