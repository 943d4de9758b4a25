package investigation

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/funds"
)

// Campaigns are tags on cases: a 集群战役 (a coordinated operation) or a
// supervision by the ministry, the province or the city (部/省/市督办). A
// campaign belongs to a node: officers under that node see it and tag their
// cases with it, and officers above it see it too. Its list and progress
// count only the cases in the caller's scope.

// CampaignKind is the kind of a campaign.
type CampaignKind string

// The kinds.
const (
	Cluster          CampaignKind = "cluster"  // 集群战役
	MinistrySupervis CampaignKind = "ministry" // 部督办
	ProvinceSupervis CampaignKind = "province" // 省督办
	CitySupervis     CampaignKind = "city"     // 市督办
)

// CampaignKinds lists the kinds in display order.
var CampaignKinds = []CampaignKind{Cluster, MinistrySupervis, ProvinceSupervis, CitySupervis}

var campaignKindNames = map[CampaignKind]string{Cluster: "集群战役", MinistrySupervis: "部督办", ProvinceSupervis: "省督办", CitySupervis: "市督办"}

// CampaignKindName is the Chinese name of a kind.
func CampaignKindName(k CampaignKind) string {
	if n, ok := campaignKindNames[k]; ok {
		return n
	}
	return string(k)
}

// Campaign is a campaign with, when read with CampaignProgress, its cases
// in scope and their progress.
type Campaign struct {
	ID        int64        `json:"id"`
	Kind      CampaignKind `json:"kind"`
	KindName  string       `json:"kind_name"`
	Name      string       `json:"name"`
	AreaID    int64        `json:"area_id"`
	AreaName  string       `json:"area_name"`
	Started   time.Time    `json:"started_at"`
	Note      string       `json:"note,omitempty"`
	CaseCount int64        `json:"case_count"` // cases in the caller's scope
}

// CampaignInput is a campaign as it is set up.
type CampaignInput struct {
	Kind    CampaignKind `json:"kind"`
	Name    string       `json:"name"`
	AreaID  int64        `json:"area_id"`
	Started time.Time    `json:"started_at"`
	Note    string       `json:"note,omitempty"`
}

// CampaignCase is a case of a campaign with where it stands.
type CampaignCase struct {
	CaseID    int64  `json:"case_id"`
	CaseNo    string `json:"case_no"`
	AreaName  string `json:"area_name"`
	LossFen   int64  `json:"loss_fen"`
	State     State  `json:"state"`
	StateName string `json:"state_name"`
}

// CampaignProgress is a campaign's list page: its cases in scope and the
// figures of its progress.
type CampaignProgress struct {
	Campaign Campaign        `json:"campaign"`
	Cases    []CampaignCase  `json:"cases"`
	ByState  map[State]int64 `json:"by_state"`
	Filed    int64           `json:"filed"`  // cases whose 立案 step is done
	Solved   int64           `json:"solved"` // cases whose 破案 step is done
	LossFen  int64           `json:"loss_fen"`
	Suspects int64           `json:"suspects"`
	Caught   int64           `json:"caught"`
	Criminal int64           `json:"criminal"` // suspects with a criminal measure on a case of the campaign
}

func mayRunCampaigns(who auth.AuditEntry) error {
	if who.Role != auth.RoleLeader && !who.Role.Can(auth.CapCaseWrite) {
		return domain.Forbidden("%s无权设立战役或督办", auth.RoleName(who.Role))
	}
	return nil
}

// CreateCampaign sets up a campaign at a node in scope, audited.
func CreateCampaign(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, in CampaignInput, now time.Time) (int64, error) {
	return db.InTxValue(ctx, d, func(tx *db.Tx) (int64, error) { return CreateCampaignIn(ctx, tx, scope, who, in, now) })
}

// CreateCampaignIn is CreateCampaign inside the caller's transaction.
func CreateCampaignIn(ctx context.Context, q db.Querier, scope area.Node, who auth.AuditEntry, in CampaignInput, now time.Time) (int64, error) {
	if err := mayRunCampaigns(who); err != nil {
		return 0, err
	}
	if campaignKindNames[in.Kind] == "" {
		return 0, domain.Invalid("战役类型 %q 无效", in.Kind)
	}
	in.Name, in.Note = strings.TrimSpace(in.Name), strings.TrimSpace(in.Note)
	if in.Name == "" || len([]rune(in.Name)) > 100 || len([]rune(in.Note)) > 1000 {
		return 0, domain.Invalid("战役名称不能为空，最长 100 字；说明最长 1000 字")
	}
	if in.Started.IsZero() {
		in.Started = now
	}
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM areas WHERE id = ? AND path LIKE ?`, in.AreaID, scope.SubtreePattern()).Scan(&n); err != nil {
		return 0, fmt.Errorf("area %d: %w", in.AreaID, err)
	}
	if n == 0 {
		return 0, fmt.Errorf("area %d: %w", in.AreaID, domain.ErrNotFound)
	}
	var id int64
	if err := q.QueryRow(ctx, `INSERT INTO campaigns (kind, name, area_id, started_at, note, created_by, created_at) VALUES (?,?,?,?,?,?,?) RETURNING id`,
		string(in.Kind), in.Name, in.AreaID, db.Millis(in.Started), in.Note, nullID(who.UserID), db.Millis(now)).Scan(&id); err != nil {
		return 0, fmt.Errorf("campaign: %w", err)
	}
	e := who.With(auth.AuditCreate, "campaign", strconv.FormatInt(id, 10))
	e.At, e.Detail = now, string(in.Kind)+" "+in.Name
	return id, auth.Audit(ctx, q, e)
}

// campaignVisible is the condition that a campaign (alias g, its node ga)
// is seen from scope: at the node or under it, or above it.
const campaignVisible = `(ga.path LIKE ? OR ? LIKE ga.path || '%')`

// Campaigns lists the campaigns seen from scope, newest first, with how many
// of their cases lie in scope.
func Campaigns(ctx context.Context, q db.Querier, scope area.Node) ([]Campaign, error) {
	return campaigns(ctx, q, scope, "")
}

func campaigns(ctx context.Context, q db.Querier, scope area.Node, and string, args ...any) ([]Campaign, error) {
	all := append([]any{scope.SubtreePattern(), scope.SubtreePattern(), scope.Path}, args...)
	rows, err := q.Query(ctx, `SELECT g.id, g.kind, g.name, g.area_id, ga.name, g.started_at, g.note,
		(SELECT COUNT(*) FROM campaign_cases gc JOIN cases c ON c.id = gc.case_id JOIN areas a ON a.id = c.area_id
		 WHERE gc.campaign_id = g.id AND a.path LIKE ?)
		FROM campaigns g JOIN areas ga ON ga.id = g.area_id WHERE `+campaignVisible+and+` ORDER BY g.started_at DESC, g.id DESC`, all...)
	if err != nil {
		return nil, fmt.Errorf("campaigns: %w", err)
	}
	defer rows.Close()
	out := []Campaign{}
	for rows.Next() {
		var g Campaign
		var kind string
		var started int64
		if err := rows.Scan(&g.ID, &kind, &g.Name, &g.AreaID, &g.AreaName, &started, &g.Note, &g.CaseCount); err != nil {
			return nil, fmt.Errorf("campaigns: %w", err)
		}
		g.Kind, g.Started = CampaignKind(kind), db.Time(started)
		g.KindName = CampaignKindName(g.Kind)
		out = append(out, g)
	}
	return out, rows.Err()
}

func campaignIn(ctx context.Context, q db.Querier, scope area.Node, id int64) (Campaign, error) {
	list, err := campaigns(ctx, q, scope, " AND g.id = ?", id)
	if err != nil {
		return Campaign{}, err
	}
	if len(list) == 0 {
		return Campaign{}, fmt.Errorf("campaign %d: %w", id, domain.ErrNotFound)
	}
	return list[0], nil
}

// TagCase puts a case in scope under a campaign seen from scope (or takes
// it off, add false): audited and on the case's timeline.
func TagCase(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, campaignID, caseID int64, add bool, now time.Time) error {
	return d.InTx(ctx, func(tx *db.Tx) error { return TagCaseIn(ctx, tx, scope, who, campaignID, caseID, add, now) })
}

// TagCaseIn is TagCase inside the caller's transaction.
func TagCaseIn(ctx context.Context, q db.Querier, scope area.Node, who auth.AuditEntry, campaignID, caseID int64, add bool, now time.Time) error {
	if err := mayRunCampaigns(who); err != nil {
		return err
	}
	g, err := campaignIn(ctx, q, scope, campaignID)
	if err != nil {
		return err
	}
	if _, err := caseNo(ctx, q, scope, caseID); err != nil {
		return err
	}
	var r sql.Result
	text := "列入" + g.KindName + "：" + g.Name
	if add {
		r, err = q.Exec(ctx, `INSERT INTO campaign_cases (campaign_id, case_id, added_by, added_at) VALUES (?,?,?,?) ON CONFLICT DO NOTHING`,
			campaignID, caseID, nullID(who.UserID), db.Millis(now))
	} else {
		text = "移出" + g.KindName + "：" + g.Name
		r, err = q.Exec(ctx, `DELETE FROM campaign_cases WHERE campaign_id = ? AND case_id = ?`, campaignID, caseID)
	}
	if err != nil {
		return fmt.Errorf("campaign %d case %d: %w", campaignID, caseID, err)
	}
	if n, err := r.RowsAffected(); err != nil || n == 0 {
		return err // already so
	}
	if err := funds.AddCaseEvent(ctx, q, caseID, now, "campaign", who.UserID, text); err != nil {
		return err
	}
	e := who.With(auth.AuditUpdate, "case", strconv.FormatInt(caseID, 10))
	e.At, e.Detail = now, "campaign "+strconv.FormatInt(campaignID, 10)+" tagged="+strconv.FormatBool(add)
	return auth.Audit(ctx, q, e)
}

// CaseCampaigns lists the campaigns a case in scope is under.
func CaseCampaigns(ctx context.Context, q db.Querier, scope area.Node, caseID int64) ([]Campaign, error) {
	if _, err := caseNo(ctx, q, scope, caseID); err != nil {
		return nil, err
	}
	return campaigns(ctx, q, scope, " AND EXISTS (SELECT 1 FROM campaign_cases x WHERE x.campaign_id = g.id AND x.case_id = ?)", caseID)
}

// Progress reads a campaign seen from scope with its cases in scope (newest
// report first) and the figures of its progress.
func Progress(ctx context.Context, q db.Querier, scope area.Node, campaignID int64) (CampaignProgress, error) {
	g, err := campaignIn(ctx, q, scope, campaignID)
	if err != nil {
		return CampaignProgress{}, err
	}
	p := CampaignProgress{Campaign: g, Cases: []CampaignCase{}, ByState: map[State]int64{}}
	for _, s := range States {
		p.ByState[s] = 0
	}
	rows, err := q.Query(ctx, `SELECT c.id, c.case_no, a.name, c.loss_fen, COALESCE(s.state, 'reported')
		FROM campaign_cases gc JOIN cases c ON c.id = gc.case_id JOIN areas a ON a.id = c.area_id
		LEFT JOIN case_states s ON s.case_id = c.id
		WHERE gc.campaign_id = ? AND a.path LIKE ? ORDER BY c.reported_at DESC, c.id DESC`, campaignID, scope.SubtreePattern())
	if err != nil {
		return CampaignProgress{}, fmt.Errorf("campaign %d cases: %w", campaignID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var c CampaignCase
		var st string
		if err := rows.Scan(&c.CaseID, &c.CaseNo, &c.AreaName, &c.LossFen, &st); err != nil {
			return CampaignProgress{}, fmt.Errorf("campaign %d cases: %w", campaignID, err)
		}
		c.State, c.StateName = State(st), StateName(State(st))
		p.Cases = append(p.Cases, c)
		p.ByState[c.State]++
		p.LossFen += c.LossFen
	}
	if err := rows.Err(); err != nil {
		return CampaignProgress{}, err
	}
	rows.Close()
	in := `IN (SELECT gc.case_id FROM campaign_cases gc JOIN cases c ON c.id = gc.case_id JOIN areas a ON a.id = c.area_id
		WHERE gc.campaign_id = ? AND a.path LIKE ?)`
	for _, f := range []struct {
		sql string
		out *int64
	}{
		{`SELECT COUNT(DISTINCT case_id) FROM case_transitions WHERE action = 'file' AND status = 'done' AND case_id ` + in, &p.Filed},
		{`SELECT COUNT(DISTINCT case_id) FROM case_transitions WHERE action = 'solve' AND status = 'done' AND case_id ` + in, &p.Solved},
		{`SELECT COUNT(DISTINCT suspect_id) FROM suspect_cases WHERE case_id ` + in, &p.Suspects},
		{`SELECT COUNT(DISTINCT suspect_id) FROM suspect_dispositions WHERE kind = 'caught' AND case_id ` + in, &p.Caught},
		{`SELECT COUNT(DISTINCT suspect_id) FROM suspect_dispositions WHERE kind IN ('detained','arrested','bailed','charged','sentenced') AND case_id ` + in, &p.Criminal},
	} {
		if err := q.QueryRow(ctx, f.sql, campaignID, scope.SubtreePattern()).Scan(f.out); err != nil {
			return CampaignProgress{}, fmt.Errorf("campaign %d progress: %w", campaignID, err)
		}
	}
	return p, nil
}
