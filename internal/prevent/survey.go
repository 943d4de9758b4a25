package prevent

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// SurveyMethods are the ways an awareness survey is made.
var SurveyMethods = []Option{{"questionnaire", "问卷"}, {"phone", "电话回访"}, {"street", "街头随访"}, {"online", "线上答题"}}

// NewSurvey is an awareness survey (知晓率调查) as recorded: in one area on
// one day, Sample people asked, Aware of them knew the anti-fraud basics.
type NewSurvey struct {
	AreaID int64     `json:"area_id"`
	Day    time.Time `json:"day"` // the survey's day; stored as given (callers pass local midnight)
	Sample int64     `json:"sample"`
	Aware  int64     `json:"aware"`
	Method string    `json:"method"`
	Note   string    `json:"note"`
}

// Survey is a recorded survey.
type Survey struct {
	ID       int64     `json:"id"`
	AreaID   int64     `json:"area_id"`
	AreaName string    `json:"area_name"`
	Day      time.Time `json:"day"`
	Sample   int64     `json:"sample"`
	Aware    int64     `json:"aware"`
	Permille int64     `json:"aware_permille"` // aware per mille of sample, rounded half up
	Method   string    `json:"method"`
	Note     string    `json:"note"`
}

// RecordSurvey validates and stores a survey in scope, audited.
func RecordSurvey(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, s NewSurvey, now time.Time) (int64, error) {
	bad := func(msg string) error { return domain.Invalid("%s", msg) }
	switch {
	case s.AreaID <= 0:
		return 0, bad("请选择调查的辖区")
	case s.Day.IsZero() || s.Day.After(now):
		return 0, bad("调查日期应在今天或之前")
	case s.Sample <= 0 || s.Sample > 1_000_000:
		return 0, bad("样本量应在 1 到 1000000 之间")
	case s.Aware < 0 || s.Aware > s.Sample:
		return 0, bad("知晓人数应在 0 到样本量之间")
	case s.Method != "" && !validOption(SurveyMethods, s.Method):
		return 0, bad("调查方式无效")
	case utf8.RuneCountInString(s.Note) > 500:
		return 0, bad("备注最多 500 字")
	}
	var id int64
	err := d.InTx(ctx, func(tx *db.Tx) error {
		n, err := area.Get(ctx, tx, s.AreaID)
		if err != nil || !scope.Contains(n) {
			return fmt.Errorf("survey area %d: %w", s.AreaID, domain.ErrNotFound)
		}
		var creator any
		if who.UserID != 0 {
			creator = who.UserID
		}
		if err := tx.QueryRow(ctx, `INSERT INTO awareness_surveys (area_id, at, sample, aware, method, note, created_by, created_at)
			VALUES (?,?,?,?,?,?,?,?) RETURNING id`, s.AreaID, db.Millis(s.Day), s.Sample, s.Aware, s.Method, s.Note, creator,
			db.Millis(now)).Scan(&id); err != nil {
			return fmt.Errorf("insert survey: %w", err)
		}
		a := who.With(auth.AuditCreate, "awareness_survey", strconv.FormatInt(id, 10))
		a.At = now
		a.Detail = fmt.Sprintf("%s 知晓 %d/%d", n.FullName, s.Aware, s.Sample)
		return auth.Audit(ctx, tx, a)
	})
	return id, err
}

// AreaTrend is the surveys of one area, oldest first.
type AreaTrend struct {
	AreaID   int64    `json:"area_id"`
	AreaName string   `json:"area_name"`
	Surveys  []Survey `json:"surveys"`
}

// MonthAwareness pools every survey of a month under the node: the sum of
// aware over the sum of sample (so a big survey weighs more than a small one).
type MonthAwareness struct {
	Month    string `json:"month"` // YYYY-MM in loc
	Surveys  int64  `json:"surveys"`
	Sample   int64  `json:"sample"`
	Aware    int64  `json:"aware"`
	Permille int64  `json:"aware_permille"`
}

// SurveyTrends is the awareness trend under a node.
type SurveyTrends struct {
	Scope   string           `json:"scope"`
	Areas   []AreaTrend      `json:"areas"`
	Monthly []MonthAwareness `json:"monthly"`
}

// Trends returns the surveys under scope, per area and pooled per month (in
// loc), oldest first.
func Trends(ctx context.Context, q db.Querier, scope area.Node, loc *time.Location) (SurveyTrends, error) {
	out := SurveyTrends{Scope: scope.FullName, Areas: []AreaTrend{}, Monthly: []MonthAwareness{}}
	cond, arg := area.UnderClause("s.area_id", scope)
	rows, err := q.Query(ctx, `SELECT s.id, s.area_id, a.full_name, s.at, s.sample, s.aware, s.method, s.note
		FROM awareness_surveys s JOIN areas a ON a.id = s.area_id WHERE `+cond+` ORDER BY s.at, s.id`, arg)
	if err != nil {
		return out, fmt.Errorf("awareness surveys: %w", err)
	}
	defer rows.Close()
	idx := map[int64]int{}
	months := map[string]*MonthAwareness{}
	for rows.Next() {
		var s Survey
		var at int64
		if err := rows.Scan(&s.ID, &s.AreaID, &s.AreaName, &at, &s.Sample, &s.Aware, &s.Method, &s.Note); err != nil {
			return out, err
		}
		s.Day = db.Time(at)
		s.Permille = permille(s.Aware, s.Sample)
		i, ok := idx[s.AreaID]
		if !ok {
			i = len(out.Areas)
			idx[s.AreaID] = i
			out.Areas = append(out.Areas, AreaTrend{AreaID: s.AreaID, AreaName: s.AreaName})
		}
		out.Areas[i].Surveys = append(out.Areas[i].Surveys, s)
		m := s.Day.In(loc).Format("2006-01")
		mp := months[m]
		if mp == nil {
			mp = &MonthAwareness{Month: m}
			months[m] = mp
		}
		mp.Surveys++
		mp.Sample += s.Sample
		mp.Aware += s.Aware
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	for _, m := range months {
		m.Permille = permille(m.Aware, m.Sample)
		out.Monthly = append(out.Monthly, *m)
	}
	sort.Slice(out.Monthly, func(i, j int) bool { return out.Monthly[i].Month < out.Monthly[j].Month })
	return out, nil
}
