package prevent

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/fraudtype"
	"github.com/fanzha/fanzha/internal/money"
)

// AgeAt is the age in whole years on the local day of at of a person born
// on birth (YYYY-MM-DD); false when the birth date is unknown or malformed.
func AgeAt(birth string, at time.Time, loc *time.Location) (int, bool) {
	b, err := time.Parse("2006-01-02", birth)
	if err != nil {
		return 0, false
	}
	d := at.In(loc)
	age := d.Year() - b.Year()
	if d.Month() < b.Month() || (d.Month() == b.Month() && d.Day() < b.Day()) {
		age--
	}
	if age < 0 {
		return 0, false
	}
	return age, true
}

// VictimGroup is the audience group a victim belongs to, so cases can be set
// against events for the same people: aged 60 or more → elderly; a student
// or under 18 → students; enterprise staff → enterprise; unemployed →
// unemployed; everyone else → general. Age comes first: a retired teacher
// of 70 is reached by events for the elderly.
func VictimGroup(age int, ageKnown bool, occupation string) string {
	switch {
	case ageKnown && age >= 60:
		return "elderly"
	case occupation == "student" || (ageKnown && age < 18):
		return "students"
	case occupation == "enterprise":
		return "enterprise"
	case occupation == "unemployed":
		return "unemployed"
	}
	return "general"
}

// TargetingParams set the windows of the targeting list.
type TargetingParams struct {
	CaseDays  int // cases reported in the last CaseDays days (default 90)
	QuietDays int // prevention in the last QuietDays days (default 60)
	Limit     int // rows (default 50)
}

// Target is one row of the to-do list: a village where victims of one group
// fell for one fraud type, and the prevention that group got there.
type Target struct {
	Rank        int       `json:"rank"`
	VillageID   int64     `json:"village_id"`
	Village     string    `json:"village"`
	FullName    string    `json:"full_name"`
	Station     string    `json:"station"`
	Group       string    `json:"group"`
	GroupName   string    `json:"group_name"`
	FraudType   string    `json:"fraud_type"`
	TypeName    string    `json:"fraud_type_name"`
	Victims     int64     `json:"victims"`
	LossFen     int64     `json:"loss_fen"`
	GroupEvents int64     `json:"group_events"` // events for this group in the village in the quiet window
	TypeEvents  int64     `json:"type_events"`  // of those, events covering this fraud type
	LastEvent   time.Time `json:"last_event,omitzero"`
	GroupPeople int64     `json:"group_population"` // the village's people of this group, when the tree knows it
	Explanation string    `json:"explanation"`
	kind        string    // 村 or 社区, for the sentence
}

// Targeting is the ranked list with its windows.
type Targeting struct {
	Scope     string    `json:"scope"`
	AsOf      time.Time `json:"as_of"`
	CaseDays  int       `json:"case_days"`
	QuietDays int       `json:"quiet_days"`
	Rows      []Target  `json:"rows"`
}

// ComputeTargeting ranks (village, victim group, fraud type) triples under
// scope where victims of cases reported in the last CaseDays days belong to
// the group, and no event for that group covering that fraud type took place
// in the village (or its cells) in the last QuietDays days.
//
// Ranking: villages with no event at all for the group in the window come
// first (nobody spoke to these people), then the ones where the group was
// reached but not about this fraud type; within each, more victims first,
// then the larger loss, then the name. Every row carries its numbers and a
// sentence explaining them.
func ComputeTargeting(ctx context.Context, q db.Querier, scope area.Node, p TargetingParams, now time.Time, loc *time.Location) (Targeting, error) {
	if p.CaseDays <= 0 {
		p.CaseDays = 90
	}
	if p.QuietDays <= 0 {
		p.QuietDays = 60
	}
	if p.Limit <= 0 {
		p.Limit = 50
	}
	out := Targeting{Scope: scope.FullName, AsOf: now.UTC(), CaseDays: p.CaseDays, QuietDays: p.QuietDays, Rows: []Target{}}
	nodes, err := area.Subtree(ctx, q, scope)
	if err != nil {
		return out, err
	}
	byID := make(map[int64]*area.Node, len(nodes))
	for i := range nodes {
		byID[nodes[i].ID] = &nodes[i]
	}
	villageOf := func(id int64) *area.Node {
		n := byID[id]
		if n == nil {
			return nil
		}
		if n.Level == area.Cell {
			n = byID[n.ParentID]
		}
		if n == nil || n.Level != area.Village {
			return nil
		}
		return n
	}
	type key struct {
		village int64
		group   string
		ftype   string
	}
	agg := map[key]*Target{}
	caseFrom := now.AddDate(0, 0, -p.CaseDays)
	cond, arg := area.UnderClause("v.area_id", scope)
	rows, err := q.Query(ctx, `SELECT v.area_id, v.birth_date, v.occupation, v.loss_fen, c.fraud_type, c.reported_at
		FROM victims v JOIN cases c ON c.id = v.case_id WHERE `+cond+` AND c.reported_at >= ? AND c.reported_at < ?`,
		arg, db.Millis(caseFrom), db.Millis(now))
	if err != nil {
		return out, fmt.Errorf("targeting victims: %w", err)
	}
	for rows.Next() {
		var areaID, loss, reported int64
		var birth, occ, ftype string
		if err := rows.Scan(&areaID, &birth, &occ, &loss, &ftype, &reported); err != nil {
			rows.Close()
			return out, err
		}
		v := villageOf(areaID)
		if v == nil {
			continue
		}
		age, ok := AgeAt(birth, db.Time(reported), loc)
		if ftype == "" {
			ftype = string(fraudtype.Other)
		}
		k := key{v.ID, VictimGroup(age, ok, occ), ftype}
		t := agg[k]
		if t == nil {
			t = &Target{VillageID: v.ID, Village: v.Name, FullName: v.FullName, Group: k.group, GroupName: AudienceName(k.group),
				FraudType: ftype, TypeName: fraudtype.Name(fraudtype.Code(ftype)), kind: v.Kind}
			if st := byID[v.StationID]; st != nil {
				t.Station = st.Name
			}
			switch k.group {
			case "elderly":
				t.GroupPeople = v.Elderly
			case "students":
				t.GroupPeople = v.Students
			}
			agg[k] = t
		}
		t.Victims++
		t.LossFen += loss
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, err
	}

	// Prevention in the last year, by village: the quiet window's events and
	// the latest event per group for the explanation.
	type ev struct {
		at       time.Time
		audience []string
		types    []string
	}
	events := map[int64][]ev{}
	econd, earg := area.UnderClause("area_id", scope)
	erows, err := q.Query(ctx, `SELECT area_id, at, audience, fraud_types FROM prevention_events WHERE `+econd+`
		AND at >= ? AND at < ?`, earg, db.Millis(now.AddDate(-1, 0, 0)), db.Millis(now))
	if err != nil {
		return out, fmt.Errorf("targeting events: %w", err)
	}
	for erows.Next() {
		var areaID, at int64
		var aud, types string
		if err := erows.Scan(&areaID, &at, &aud, &types); err != nil {
			erows.Close()
			return out, err
		}
		if v := villageOf(areaID); v != nil {
			events[v.ID] = append(events[v.ID], ev{db.Time(at), splitList(aud), splitList(types)})
		}
	}
	erows.Close()
	if err := erows.Err(); err != nil {
		return out, err
	}
	quietFrom := now.AddDate(0, 0, -p.QuietDays)
	has := func(list []string, x string) bool {
		for _, s := range list {
			if s == x {
				return true
			}
		}
		return false
	}
	var list []Target
	for k, t := range agg {
		for _, e := range events[k.village] {
			if !has(e.audience, k.group) {
				continue
			}
			if e.at.After(t.LastEvent) {
				t.LastEvent = e.at
			}
			if !e.at.Before(quietFrom) {
				t.GroupEvents++
				if has(e.types, k.ftype) {
					t.TypeEvents++
				}
			}
		}
		if t.TypeEvents > 0 {
			continue
		}
		t.Explanation = explain(*t, p, loc)
		list = append(list, *t)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if (a.GroupEvents == 0) != (b.GroupEvents == 0) {
			return a.GroupEvents == 0
		}
		if a.Victims != b.Victims {
			return a.Victims > b.Victims
		}
		if a.LossFen != b.LossFen {
			return a.LossFen > b.LossFen
		}
		if a.FullName != b.FullName {
			return a.FullName < b.FullName
		}
		if a.Group != b.Group {
			return a.Group < b.Group
		}
		return a.FraudType < b.FraudType
	})
	if len(list) > p.Limit {
		list = list[:p.Limit]
	}
	for i := range list {
		list[i].Rank = i + 1
	}
	out.Rows = append(out.Rows, list...)
	return out, nil
}

// explain is the row's sentence, e.g. "东村：近 90 天 6 名老年人被冒充公检法诈骗，
// 损失 123,000.00 元（该村老年人 350 人）；近 60 天该村没有面向老年人的宣传活动
// （最近一次 2026-07-01）".
func explain(t Target, p TargetingParams, loc *time.Location) string {
	scam := t.TypeName
	if !strings.HasSuffix(scam, "诈骗") {
		scam += "诈骗"
	}
	place := "该" + t.kind
	if t.kind == "" {
		place = "该村/社区"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s：近 %d 天 %d 名%s被%s，损失 %s 元", t.Village, p.CaseDays, t.Victims, t.GroupName, scam,
		money.FormatYuan(t.LossFen))
	if t.GroupPeople > 0 {
		fmt.Fprintf(&b, "（%s%s %d 人）", place, t.GroupName, t.GroupPeople)
	}
	if t.GroupEvents == 0 {
		fmt.Fprintf(&b, "；近 %d 天%s没有面向%s的宣传活动", p.QuietDays, place, t.GroupName)
		if t.LastEvent.IsZero() {
			b.WriteString("（近一年也没有）")
		} else {
			fmt.Fprintf(&b, "（最近一次 %s）", t.LastEvent.In(loc).Format("2006-01-02"))
		}
	} else {
		fmt.Fprintf(&b, "；近 %d 天面向%s的活动 %d 场，均未涉及%s", p.QuietDays, t.GroupName, t.GroupEvents, t.TypeName)
	}
	return b.String()
}
