package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/money"
	"github.com/fanzha/fanzha/internal/web"
	"github.com/fanzha/fanzha/internal/zone"
)

// The case page's 受害人, 被骗转账 and 涉案账户 panel (internal/funds,
// case_parties.go): the lists, with forms to add a victim, a transfer or a
// linked account and to correct or remove them; the note that the case
// changed since its trace was last looked at; the history of changes. The
// forms post to the routes below, which call the same use cases as the
// API; a refusal names the field in Chinese.

// partyVictimRow is a victim with what its correction form shows.
type partyVictimRow struct {
	funds.Victim
	Transfers int    // a victim with transfers lost their sum
	LossYuan  string // the loss, for the form
}

// partyTransferRow is a transfer with what its row and form show.
type partyTransferRow struct {
	funds.Transfer
	VictimName string
	AtInput    string // 2006-01-02T15:04, Beijing time
	AmountYuan string
}

// partyChangeRow is a line of the history of changes.
type partyChangeRow struct {
	funds.PartyChange
	Text string // what it was and became, numbers masked
}

// casePartiesView is the data of the panel.
type casePartiesView struct {
	CaseID       int64
	Victims      []partyVictimRow
	Transfers    []partyTransferRow
	Accounts     []funds.CaseAccount
	Changes      funds.TraceChanges
	History      []partyChangeRow
	CanWrite     bool
	Victim       []web.Option // the transfer forms' victims
	Channels     []web.Option
	Occupations  []web.Option
	AccountKinds []web.Option
	Rows         []web.Option // statement rows a transfer could be matched to
	Now          string       // the time inputs' maximum
}

func (s *handler) casePartiesPages() {
	m := s.Mux
	m.HandleFunc("POST /cases/{id}/victims", s.Page(auth.CapCaseWrite, s.handleVictimForm))
	m.HandleFunc("POST /cases/{id}/victims/{vid}", s.Page(auth.CapCaseWrite, s.handleVictimForm))
	m.HandleFunc("POST /cases/{id}/transfers", s.Page(auth.CapCaseWrite, s.handleTransferForm))
	m.HandleFunc("POST /cases/{id}/transfers/{tid}", s.Page(auth.CapCaseWrite, s.handleTransferForm))
	m.HandleFunc("POST /cases/{id}/transfers/{tid}/remove", s.Page(auth.CapCaseWrite, s.handleTransferRemoveForm))
	m.HandleFunc("POST /cases/{id}/accounts", s.Page(auth.CapCaseWrite, s.handleCaseAccountForm))
}

// caseParties reads the panel of case id for p, masked by m.
func (s *handler) caseParties(r *http.Request, p *auth.Principal, id int64, m auth.Masker) (casePartiesView, error) {
	parties, err := funds.CaseParties(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return casePartiesView{}, err
	}
	parties = parties.Masked(m)
	v := casePartiesView{CaseID: id, Accounts: parties.Accounts, Changes: parties.TraceChanges, CanWrite: p.Can(auth.CapCaseWrite),
		Now: s.Now().In(zone.Shanghai).Format("2006-01-02T15:04")}
	names := map[int64]string{}
	for _, vi := range parties.Victims {
		n := 0
		for _, t := range parties.Transfers {
			if t.VictimID == vi.ID {
				n++
			}
		}
		names[vi.ID] = vi.Name
		v.Victims = append(v.Victims, partyVictimRow{Victim: vi, Transfers: n, LossYuan: money.FormatYuan(vi.LossFen)})
		v.Victim = append(v.Victim, web.Option{Value: strconv.FormatInt(vi.ID, 10), Name: vi.Name})
	}
	for _, t := range parties.Transfers {
		v.Transfers = append(v.Transfers, partyTransferRow{Transfer: t, VictimName: names[t.VictimID],
			AtInput: t.At.In(zone.Shanghai).Format("2006-01-02T15:04"), AmountYuan: money.FormatYuan(t.AmountFen)})
	}
	for i := len(parties.History) - 1; i >= 0; i-- { // newest first
		h := parties.History[i]
		v.History = append(v.History, partyChangeRow{PartyChange: h, Text: partyChangeText(h)})
	}
	v.Channels = []web.Option{{Value: "", Name: "转账方式"}}
	for _, c := range []string{"mobile_banking", "bank_transfer", "alipay", "wechat", "counter", "atm"} {
		v.Channels = append(v.Channels, web.Option{Value: c, Name: funds.ChannelName(c)})
	}
	v.Occupations = []web.Option{{Value: "", Name: "职业"}}
	for _, o := range []string{"retired", "student", "enterprise", "farmer", "unemployed", "civil_servant", "self_employed", "other"} {
		v.Occupations = append(v.Occupations, web.Option{Value: o, Name: funds.OccupationName(o)})
	}
	for _, r := range parties.MatchCandidates {
		dir := "转入"
		if r.AmountFen < 0 {
			dir = "转出"
		}
		v.Rows = append(v.Rows, web.Option{Value: strconv.FormatInt(r.ID, 10), Name: "#" + strconv.FormatInt(r.ID, 10) + " " +
			r.At.In(zone.Shanghai).Format("2006-01-02 15:04") + " " + r.Account + " " + dir + " " + money.FormatYuan(max(r.AmountFen, -r.AmountFen)) + " 元"})
	}
	for _, k := range funds.CaseAccountKinds {
		v.AccountKinds = append(v.AccountKinds, web.Option{Value: k.Code, Name: k.Name})
	}
	return v, nil
}

// formText is a form field as a pointer: nil when the form has no such
// field, so a correction keeps what it does not show.
func formText(r *http.Request, name string) *string {
	if _, ok := r.PostForm[name]; !ok {
		return nil
	}
	v := r.PostFormValue(name)
	return &v
}

// formChange is a correction form's field: nil when absent or left empty
// (the page may be masked, so number fields are not filled in: empty
// keeps the value).
func formChange(r *http.Request, name string) *string {
	if v := formText(r, name); v != nil && strings.TrimSpace(*v) != "" {
		return v
	}
	return nil
}

func formID(r *http.Request, name string) (*int64, error) {
	v := formText(r, name)
	if v == nil {
		return nil, nil
	}
	if strings.TrimSpace(*v) == "" {
		var zero int64
		return &zero, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(*v), 10, 64)
	if err != nil || n < 0 {
		return nil, web.Errorf(http.StatusBadRequest, "bad_param", "%s：%q 不是有效编号", map[string]string{"victim_id": "受害人", "statement_row_id": "匹配流水"}[name], *v)
	}
	return &n, nil
}

func partiesURL(id int64) string { return "/cases/" + strconv.FormatInt(id, 10) + "#parties" }

// handleVictimForm adds a victim, or corrects one ({vid}).
func (s *handler) handleVictimForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return web.Errorf(http.StatusBadRequest, "bad_form", "表单无法读取")
	}
	field := formText
	if r.PathValue("vid") != "" {
		field = formChange
	}
	in := funds.VictimInput{Name: field(r, "name"), Sex: field(r, "sex"), BirthDate: field(r, "birth_date"), IDNumber: field(r, "id_number"),
		Phone: field(r, "phone"), Address: field(r, "address"), Occupation: field(r, "occupation"), Loss: field(r, "loss"),
		Reason: r.PostFormValue("reason")}
	who := auth.AuditFor(p, web.ClientIP(r), web.RequestID(r.Context()))
	if r.PathValue("vid") == "" {
		if _, err := funds.AddVictim(r.Context(), s.DB, p.Scope, who, id, in, s.Now()); err != nil {
			return err
		}
		web.RedirectFlash(w, r, partiesURL(id), "已补充受害人")
		return nil
	}
	vid, err := strconv.ParseInt(r.PathValue("vid"), 10, 64)
	if err != nil {
		return web.Errorf(http.StatusBadRequest, "bad_id", "受害人编号无效")
	}
	if err := funds.CorrectVictim(r.Context(), s.DB, p.Scope, who, id, vid, in, s.Now()); err != nil {
		return err
	}
	web.RedirectFlash(w, r, partiesURL(id), "已更正受害人")
	return nil
}

// handleTransferForm adds a losing transfer, or corrects one ({tid}).
func (s *handler) handleTransferForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return web.Errorf(http.StatusBadRequest, "bad_form", "表单无法读取")
	}
	field := formText
	if r.PathValue("tid") != "" {
		field = formChange
	}
	in := funds.TransferInput{FromAccount: field(r, "from_account"), ToAccount: field(r, "to_account"), ToBank: field(r, "to_bank"),
		ToName: field(r, "to_name"), Amount: field(r, "amount"), Channel: field(r, "channel"), Reason: r.PostFormValue("reason")}
	if in.VictimID, err = formID(r, "victim_id"); err != nil {
		return err
	}
	if field(r, "statement_row_id") != nil {
		if in.StatementRowID, err = formID(r, "statement_row_id"); err != nil {
			return err
		}
	}
	if r.PostFormValue("unmatch") == "1" {
		var none int64
		in.StatementRowID = &none
	}
	if at := field(r, "at"); at != nil {
		if in.At, err = funds.ParseTransferTime(*at); err != nil {
			return err
		}
	}
	who := auth.AuditFor(p, web.ClientIP(r), web.RequestID(r.Context()))
	if r.PathValue("tid") == "" {
		if _, err := funds.AddTransfer(r.Context(), s.DB, p.Scope, who, id, in, s.Now()); err != nil {
			return err
		}
		web.RedirectFlash(w, r, partiesURL(id), "已补充被骗转账，资金追踪将按新数据计算")
		return nil
	}
	tid, err := strconv.ParseInt(r.PathValue("tid"), 10, 64)
	if err != nil {
		return web.Errorf(http.StatusBadRequest, "bad_id", "转账编号无效")
	}
	if err := funds.CorrectTransfer(r.Context(), s.DB, p.Scope, who, id, tid, in, s.Now()); err != nil {
		return err
	}
	web.RedirectFlash(w, r, partiesURL(id), "已更正被骗转账")
	return nil
}

func (s *handler) handleTransferRemoveForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	tid, err := strconv.ParseInt(r.PathValue("tid"), 10, 64)
	if err != nil {
		return web.Errorf(http.StatusBadRequest, "bad_id", "转账编号无效")
	}
	if err := funds.RemoveTransfer(r.Context(), s.DB, p.Scope, auth.AuditFor(p, web.ClientIP(r), web.RequestID(r.Context())), id, tid,
		r.FormValue("reason"), s.Now()); err != nil {
		return err
	}
	web.RedirectFlash(w, r, partiesURL(id), "已删除这笔转账（保留在变更记录中）")
	return nil
}

func (s *handler) handleCaseAccountForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	in := funds.CaseAccountInput{Account: r.FormValue("account"), Bank: r.FormValue("bank"), Holder: r.FormValue("holder_name"),
		Kind: r.FormValue("kind"), Note: r.FormValue("note")}
	if _, err := funds.AddCaseAccount(r.Context(), s.DB, p.Scope, auth.AuditFor(p, web.ClientIP(r), web.RequestID(r.Context())), id, in, s.Now()); err != nil {
		return err
	}
	web.RedirectFlash(w, r, partiesURL(id), "已添加涉案账户")
	return nil
}

// partyChangeText says what a change made of what (the records are masked).
func partyChangeText(h funds.PartyChange) string {
	one := func(r *funds.PartyRecord) string {
		switch {
		case r == nil:
			return ""
		case r.Victim != nil:
			return "受害人 " + r.Victim.Name + "，损失 " + money.FormatYuan(r.Victim.LossFen) + " 元"
		case r.Transfer != nil:
			t := r.Transfer
			s := t.At.In(zone.Shanghai).Format("2006-01-02 15:04") + " 转入 " + t.ToAccount + " " + money.FormatYuan(t.AmountFen) + " 元"
			if t.StatementRowID != 0 {
				s += "（已匹配流水 #" + strconv.FormatInt(t.StatementRowID, 10) + "）"
			}
			return s
		case r.Account != nil:
			return r.Account.KindName + " " + r.Account.Account
		}
		return ""
	}
	b, a := one(h.Before), one(h.After)
	switch {
	case b != "" && a != "":
		return b + " → " + a
	case b != "":
		return b
	}
	return a
}
