package console

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/money"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/web"
)

// The console form for typing in one warning (a 96110 call, a walk-in). It
// goes through the same warning.Intake.Submit as POST /api/v1/warnings.

// newWarningForm holds what the officer typed, kept on a validation error.
type newWarningForm struct {
	Source, SourceRef, Name, Phone, IDNumber, Address, Grade, FraudType, Amount, ScamPhone, ScamAccount, ScamURL, Text string
}

type newWarningData struct {
	Form   newWarningForm
	Result *warning.ItemResult
}

func (s *handler) handleNewWarningPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	d := newWarningData{Form: newWarningForm{Source: string(warning.SourceHotline), Grade: string(warning.GradeHigh),
		// One reference per form shown: a form sent twice is a duplicate,
		// not a second warning. The officer may type the 96110 ticket instead.
		SourceRef: fmt.Sprintf("录入-%d-%d", p.User.ID, s.Now().UnixMilli())}}
	var fail string
	if r.Method == http.MethodPost {
		f := newWarningForm{}
		for k, v := range map[string]*string{"source": &f.Source, "source_ref": &f.SourceRef, "name": &f.Name, "phone": &f.Phone,
			"id_number": &f.IDNumber, "address": &f.Address, "grade": &f.Grade, "fraud_type": &f.FraudType, "amount": &f.Amount,
			"scam_phone": &f.ScamPhone, "scam_account": &f.ScamAccount, "scam_url": &f.ScamURL, "text": &f.Text} {
			*v = strings.TrimSpace(r.FormValue(k))
		}
		d.Form = f
		in := warning.Input{Source: warning.Source(f.Source), SourceRef: f.SourceRef, Grade: warning.Grade(f.Grade),
			Person:    warning.Person{Name: f.Name, Phone: f.Phone, IDNumber: strings.ToUpper(f.IDNumber), Address: f.Address},
			FraudType: f.FraudType, Scam: warning.ScamContact{Phone: f.ScamPhone, Account: f.ScamAccount, URL: f.ScamURL}, Text: f.Text}
		amount, err := money.ParseYuan(f.Amount)
		switch {
		case err != nil:
			fail = "涉及金额：" + err.Error()
		case f.Name == "":
			fail = "请填写当事人姓名"
		case f.Address == "":
			fail = "请填写当事人地址（用于分派辖区）"
		}
		in.AmountFen = amount
		if fail == "" {
			intake, err := s.WarningIntake(r.Context())
			if err != nil {
				return err
			}
			who := auth.AuditFor(p, web.ClientIP(r), web.RequestID(r.Context()))
			res, err := intake.Submit(r.Context(), []warning.Input{in}, warning.SubmitOptions{Door: "控制台录入", UserID: p.User.ID, Audit: &who})
			if err != nil {
				return err
			}
			if err := res.ForScope(r.Context(), s.DB, p.Scope); err != nil {
				return err
			}
			it := res.Items[0]
			if it.Status == warning.ItemRejected {
				fail = "预警未接收：" + it.Error
			} else {
				d.Result = &it
				d.Form = newWarningForm{Source: f.Source, Grade: f.Grade,
					SourceRef: fmt.Sprintf("录入-%d-%d", p.User.ID, s.Now().UnixMilli()+1)}
			}
		}
	}
	status := http.StatusOK
	if fail != "" {
		status = http.StatusUnprocessableEntity
	}
	s.Render(w, r, status, "warning_new", web.Page{Title: "录入预警", Active: "/warnings", Error: fail, Data: d})
	return nil
}

// WarningLink is the id a typed-in warning's answer links to: the warning
// created, or the open warning it was merged into when that is in scope.
func (d newWarningData) WarningLink() string {
	if d.Result == nil {
		return ""
	}
	id := d.Result.ID
	if d.Result.MergedInto != 0 {
		id = d.Result.MergedInto
	}
	if id == 0 {
		return ""
	}
	return "/warnings/" + strconv.FormatInt(id, 10)
}
