// Package warning is 预警劝阻: warnings about people at risk of being
// defrauded, from intake through routing and dissuasion to the outcome.
package warning

import (
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/zone"
)

// Grade is the sender's or fanzha's urgency class.
type Grade string

// Grades, most urgent first.
const (
	GradeFund     Grade = "fund"     // 资金预警: money is about to move or has moved
	GradeHigh     Grade = "high"     // 高危
	GradeOrdinary Grade = "ordinary" // 一般
)

// GradeName is the Chinese label of a grade.
func GradeName(g Grade) string {
	switch g {
	case GradeFund:
		return "资金预警"
	case GradeHigh:
		return "高危"
	case GradeOrdinary:
		return "一般"
	}
	return string(g)
}

// Source is where a warning came from.
type Source string

// Sources.
const (
	SourceUpper    Source = "upper"    // 上级反诈中心
	SourceBank     Source = "bank"     // 银行
	SourceOperator Source = "operator" // 运营商
	SourceHotline  Source = "hotline"  // 96110
	SourceWalkIn   Source = "walkin"   // 群众来访
	SourcePartner  Source = "partner"  // 成员单位
	SourceOther    Source = "other"
)

// SourceName is the Chinese label of a source.
func SourceName(s Source) string {
	switch s {
	case SourceUpper:
		return "上级中心"
	case SourceBank:
		return "银行"
	case SourceOperator:
		return "运营商"
	case SourceHotline:
		return "96110"
	case SourceWalkIn:
		return "来访"
	case SourcePartner:
		return "成员单位"
	case SourceOther:
		return "其他"
	}
	return string(s)
}

// Outcome is how a warning ended.
type Outcome string

// Outcomes.
const (
	OutcomeDissuaded   Outcome = "dissuaded"   // 劝阻成功
	OutcomeDefrauded   Outcome = "defrauded"   // 已被骗 → opens a case
	OutcomeUnreachable Outcome = "unreachable" // 无法联系 → on-site check
	OutcomeFalseAlarm  Outcome = "false_alarm" // 误报
)

// OutcomeName is the Chinese label of an outcome.
func OutcomeName(o Outcome) string {
	switch o {
	case OutcomeDissuaded:
		return "劝阻成功"
	case OutcomeDefrauded:
		return "已被骗"
	case OutcomeUnreachable:
		return "无法联系"
	case OutcomeFalseAlarm:
		return "误报"
	}
	return string(o)
}

// Person is the person at risk.
type Person struct {
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	IDNumber string `json:"id_number"`
	Birth    string `json:"birth,omitempty"` // YYYY-MM-DD; empty in masked views
	// BirthYear is what masked views give instead of the date (see
	// auth.MaskIDNumber); Age is then the difference of the years.
	BirthYear int    `json:"birth_year,omitempty"`
	Age       int    `json:"age,omitempty"`
	Sex       string `json:"sex,omitempty"`
	Address   string `json:"address"`
}

// ScamContact is how the fraudster reached the person.
type ScamContact struct {
	Phone   string `json:"phone,omitempty"`
	Account string `json:"account,omitempty"`
	URL     string `json:"url,omitempty"`
	App     string `json:"app,omitempty"`
}

// Warning is one warning as stored.
type Warning struct {
	ID         int64     `json:"id"`
	Source     Source    `json:"source"`
	SourceRef  string    `json:"source_ref"`
	ReceivedAt time.Time `json:"received_at"`
	Grade      Grade     `json:"grade"`
	Priority   int64     `json:"priority"`
	Person     Person    `json:"person"`
	FraudType  string    `json:"fraud_type"`
	// FraudTypeSource: sender (given with the warning), model (suggested by
	// the classifier, FraudTypePermille its probability) or officer.
	FraudTypeSource   string      `json:"fraud_type_source,omitempty"`
	FraudTypePermille int64       `json:"fraud_type_permille,omitempty"`
	Scam              ScamContact `json:"scam"`
	AmountFen         int64       `json:"amount_fen"`
	Text              string      `json:"text"`
	AreaID            int64       `json:"area_id"`
	AreaName          string      `json:"area_name"`
	StationID         int64       `json:"station_id,omitempty"`
	StationName       string      `json:"station_name,omitempty"`
	RouteReason       string      `json:"route_reason,omitempty"`
	AssigneeID        int64       `json:"assignee_id,omitempty"`
	AssigneeName      string      `json:"assignee_name,omitempty"`
	Status            string      `json:"status"`
	MergedInto        int64       `json:"merged_into,omitempty"`
	ContactDueAt      time.Time   `json:"contact_due_at,omitzero"`
	OnsiteDueAt       time.Time   `json:"onsite_due_at,omitzero"`
	FirstContactAt    time.Time   `json:"first_contact_at,omitzero"`
	OnsiteAt          time.Time   `json:"onsite_at,omitzero"`
	EscalatedAt       time.Time   `json:"escalated_at,omitzero"`
	Outcome           Outcome     `json:"outcome,omitempty"`
	OutcomeAt         time.Time   `json:"outcome_at,omitzero"`
	KeptFen           int64       `json:"kept_fen"`
	CaseID            int64       `json:"case_id,omitempty"`
	// PlaceStationID is the station of the person's place (AreaID); it
	// differs from StationID, the handling station, after a handover to
	// another station or back to the centre: the person's place never
	// changes by handover.
	PlaceStationID   int64  `json:"place_station_id,omitempty"`
	PlaceStationName string `json:"place_station_name,omitempty"`
}

// HandledAway reports whether the warning is handled elsewhere than at the
// station of the person's place (handed over, or back in the centre's
// queue): pages then show both.
func (w Warning) HandledAway() bool {
	return w.PlaceStationID != 0 && w.StationID != w.PlaceStationID
}

// Masked returns the warning with personal numbers masked by m.
func (w Warning) Masked(m auth.Masker) Warning {
	w.Person.Phone = m.Phone(w.Person.Phone)
	w.Person.IDNumber = m.ID(w.Person.IDNumber)
	w.Scam.Account = m.Card(w.Scam.Account)
	w.Text = m.Text(w.Text)
	if y := auth.BirthYear(w.Person.Birth); y > 0 {
		w.Person.BirthYear = y
		if !m.Unmasked {
			// The exact age at the warning's date narrows the birth date
			// (two warnings of one person on different days narrow it
			// further); the difference of the years says no more than the
			// birth year does.
			w.Person.Age = max(0, w.ReceivedAt.In(zone.Shanghai).Year()-y)
		}
	}
	w.Person.Birth = m.Birth(w.Person.Birth)
	return w
}
