// Package apiv1 holds the shapes of the partner API (联席) under /api/v1 —
// the bodies member units (banks, operators) send and receive — as their
// own types with their own json tags, apart from the domain structs of
// internal/partner, internal/notify and internal/warning. Renaming a domain
// field changes only a converter here, never the units' contract; a change
// of a type here is a change of the contract, which the golden document
// internal/web/testdata/openapi_partner.json shows in review.
//
// The type names are the schema names of the OpenAPI document
// (internal/web/openapi.go), kept as they were published.
package apiv1

import (
	"time"

	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/warning"
)

// PartnerUnit is a member unit.
type PartnerUnit struct {
	ID       int64  `json:"id"`
	ParentID int64  `json:"parent_id,omitempty"`
	Kind     string `json:"kind"`
	Code     string `json:"code"`
	Name     string `json:"name"`
}

// Unit is the contract's view of a member unit.
func Unit(u partner.Unit) PartnerUnit {
	return PartnerUnit{ID: u.ID, ParentID: u.ParentID, Kind: u.Kind, Code: u.Code, Name: u.Name}
}

// Units converts a list; nil stays nil (written as null).
func Units(in []partner.Unit) []PartnerUnit { return convert(in, Unit) }

// PartnerMe is the caller's unit and username (GET /api/v1/partner/me).
type PartnerMe struct {
	Unit     PartnerUnit `json:"unit"`
	Username string      `json:"username"`
}

// PartnerRequest is a request (协查/止付/冻结) addressed to a unit.
type PartnerRequest struct {
	ID           int64     `json:"id"`
	Kind         string    `json:"kind"`
	KindName     string    `json:"kind_name"`
	UnitID       int64     `json:"unit_id"`
	UnitName     string    `json:"unit_name"`
	WarningID    int64     `json:"warning_id,omitempty"`
	CaseID       int64     `json:"case_id,omitempty"`
	Account      string    `json:"account,omitempty"`
	Phone        string    `json:"phone,omitempty"`
	AmountFen    int64     `json:"amount_fen"`
	Reason       string    `json:"reason"`
	Status       string    `json:"status"`
	DueAt        time.Time `json:"due_at,omitzero"`
	CreatedAt    time.Time `json:"created_at"`
	AnsweredAt   time.Time `json:"answered_at,omitzero"`
	Result       string    `json:"result,omitempty"`
	ResultFen    int64     `json:"result_fen"`
	Overdue      bool      `json:"overdue"`
	StatusName   string    `json:"status_name"`
	SentAt       time.Time `json:"sent_at,omitzero"`
	ConfirmedAt  time.Time `json:"confirmed_at,omitzero"`
	BankRef      string    `json:"bank_ref,omitempty"`
	TermStartsAt time.Time `json:"term_starts_at,omitzero"`
	ExpiresAt    time.Time `json:"expires_at,omitzero"`
	EndedAt      time.Time `json:"ended_at,omitzero"`
	PriorID      int64     `json:"prior_id,omitempty"`
}

// Request is the contract's view of a request.
func Request(r partner.Request) PartnerRequest {
	return PartnerRequest{ID: r.ID, Kind: r.Kind, KindName: r.KindName, UnitID: r.UnitID, UnitName: r.UnitName,
		WarningID: r.WarningID, CaseID: r.CaseID, Account: r.Account, Phone: r.Phone, AmountFen: r.AmountFen,
		Reason: r.Reason, Status: r.Status, DueAt: r.DueAt, CreatedAt: r.CreatedAt, AnsweredAt: r.AnsweredAt,
		Result: r.Result, ResultFen: r.ResultFen, Overdue: r.Overdue, StatusName: r.StatusName,
		SentAt: r.SentAt, ConfirmedAt: r.ConfirmedAt, BankRef: r.BankRef, TermStartsAt: r.TermStartsAt,
		ExpiresAt: r.ExpiresAt, EndedAt: r.EndedAt, PriorID: r.PriorID}
}

// RequestsBody is a list of requests.
type RequestsBody struct {
	Requests []PartnerRequest `json:"requests"`
}

// Requests wraps a list; nil stays nil (written as null).
func Requests(in []partner.Request) RequestsBody { return RequestsBody{Requests: convert(in, Request)} }

// PartnerAnswer is a unit's answer to a request.
type PartnerAnswer struct {
	Status    string `json:"status"` // seen | done | refused
	Result    string `json:"result"`
	ResultFen int64  `json:"result_fen"`
	Reference string `json:"reference,omitempty"`
}

// Domain is the answer for internal/partner.
func (a PartnerAnswer) Domain() partner.Answer {
	return partner.Answer{Status: a.Status, Result: a.Result, ResultFen: a.ResultFen, Reference: a.Reference}
}

// StatusBody answers an action with the state it left.
type StatusBody struct {
	Status string `json:"status"`
}

// WarningPerson is the person at risk in a unit's report.
type WarningPerson struct {
	Name      string `json:"name"`
	Phone     string `json:"phone"`
	IDNumber  string `json:"id_number"`
	Birth     string `json:"birth,omitempty"`
	BirthYear int    `json:"birth_year,omitempty"`
	Age       int    `json:"age,omitempty"`
	Sex       string `json:"sex,omitempty"`
	Address   string `json:"address"`
}

// WarningScamContact is how the fraudster reached the person.
type WarningScamContact struct {
	Phone   string `json:"phone,omitempty"`
	Account string `json:"account,omitempty"`
	URL     string `json:"url,omitempty"`
	App     string `json:"app,omitempty"`
}

// PartnerReportInput is a unit's report into the warning intake.
type PartnerReportInput struct {
	Kind       string             `json:"kind"`
	Ref        string             `json:"ref"`
	ReceivedAt time.Time          `json:"received_at,omitzero"`
	Person     WarningPerson      `json:"person"`
	Scam       WarningScamContact `json:"scam,omitzero"`
	AmountFen  int64              `json:"amount_fen,omitempty"`
	FraudType  string             `json:"fraud_type,omitempty"`
	Text       string             `json:"text,omitempty"`
}

// Domain is the report for internal/partner.
func (in PartnerReportInput) Domain() partner.ReportInput {
	p, c := in.Person, in.Scam
	return partner.ReportInput{Kind: in.Kind, Ref: in.Ref, ReceivedAt: in.ReceivedAt,
		Person: warning.Person{Name: p.Name, Phone: p.Phone, IDNumber: p.IDNumber, Birth: p.Birth,
			BirthYear: p.BirthYear, Age: p.Age, Sex: p.Sex, Address: p.Address},
		Scam:      warning.ScamContact{Phone: c.Phone, Account: c.Account, URL: c.URL, App: c.App},
		AmountFen: in.AmountFen, FraudType: in.FraudType, Text: in.Text}
}

// PartnerReportReceipt acknowledges a report.
type PartnerReportReceipt struct {
	ReportID int64  `json:"report_id"`
	Ref      string `json:"ref"`
	Intake   string `json:"intake"` // received | duplicate
}

// ReportReceipt is the contract's view of a receipt.
func ReportReceipt(rc partner.ReportReceipt) PartnerReportReceipt {
	return PartnerReportReceipt{ReportID: rc.ReportID, Ref: rc.Ref, Intake: rc.Intake}
}

// PartnerReport is a unit's report with the state of its warning.
type PartnerReport struct {
	ID          int64     `json:"id"`
	Kind        string    `json:"kind"`
	KindName    string    `json:"kind_name"`
	Ref         string    `json:"ref"`
	SubmittedAt time.Time `json:"submitted_at"`
	Status      string    `json:"status"` // received | handling | closed
	StatusName  string    `json:"status_name"`
	Result      string    `json:"result,omitempty"`
	ClosedAt    time.Time `json:"closed_at,omitzero"`
}

// Report is the contract's view of a report.
func Report(r partner.Report) PartnerReport {
	return PartnerReport{ID: r.ID, Kind: r.Kind, KindName: r.KindName, Ref: r.Ref, SubmittedAt: r.SubmittedAt,
		Status: r.Status, StatusName: r.StatusName, Result: r.Result, ClosedAt: r.ClosedAt}
}

// ReportsBody is a list of reports.
type ReportsBody struct {
	Reports []PartnerReport `json:"reports"`
}

// Reports wraps a list; nil stays nil (written as null).
func Reports(in []partner.Report) ReportsBody { return ReportsBody{Reports: convert(in, Report)} }

// convert maps a list, keeping nil as nil so the JSON stays as it was.
func convert[D, A any](in []D, f func(D) A) []A {
	if in == nil {
		return nil
	}
	out := make([]A, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}
