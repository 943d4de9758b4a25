package console

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/fraudtype"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/money"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/web"
	"github.com/fanzha/fanzha/internal/zone"
)

// The console's report form: victims and transfers in rows. The page is
// rendered with ?victims=N and ?rows=N rows (plain links add more without
// JavaScript; the script adds rows in place), and the form is read by
// whatever row numbers were posted.

const (
	maxFormVictims   = 20
	maxFormTransfers = 200
)

// caseNewView is the data of the case_new page.
type caseNewView struct {
	Groups      []area.StationGroup
	Now         string
	Victims     []int
	Rows        []int
	MoreVictims string
	MoreRows    string
}

func (s *handler) handleNewCasePage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	groups, err := area.StationGroups(r.Context(), s.DB, p.Scope)
	if err != nil {
		return err
	}
	victims := clampInt(r.URL.Query().Get("victims"), 1, maxFormVictims)
	rows := clampInt(r.URL.Query().Get("rows"), 5, maxFormTransfers)
	s.Render(w, r, http.StatusOK, "case_new", web.Page{Title: "报案登记", Active: "/cases", Data: caseNewView{Groups: groups,
		Now: time.Now().In(zone.Shanghai).Format("2006-01-02T15:04"), Victims: seq(victims), Rows: seq(rows),
		MoreVictims: fmt.Sprintf("/cases/new?victims=%d&rows=%d", min(victims+1, maxFormVictims), rows),
		MoreRows:    fmt.Sprintf("/cases/new?victims=%d&rows=%d", victims, min(rows+5, maxFormTransfers))}})
	return nil
}

// clampInt reads a row count: def when absent or bad, at most limit.
func clampInt(v string, def, limit int) int {
	n, err := strconv.Atoi(v)
	if err != nil || n < def {
		return def
	}
	return min(n, limit)
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// formIndexes lists the row numbers posted for fields named prefix+N.
func formIndexes(r *http.Request, prefix string, limit int) []int {
	var out []int
	for k := range r.PostForm {
		if n, ok := strings.CutPrefix(k, prefix); ok {
			if i, err := strconv.Atoi(n); err == nil && i >= 0 && i < limit {
				out = append(out, i)
			}
		}
	}
	slices.Sort(out)
	return out
}

func (s *handler) handleNewCaseForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if err := r.ParseForm(); err != nil {
		return web.Errorf(http.StatusBadRequest, "bad_form", "表单无法读取：%v", err)
	}
	var in funds.CaseReport
	var err error
	if in.AreaID, err = web.FormInt(r, "area_id"); err != nil {
		return err
	}
	in.FraudType, in.Summary = r.FormValue("fraud_type"), r.FormValue("summary")
	// Victim 0's fields are name, sex …; victim N's name_N, sex_N ….
	field := func(name string, v int) string {
		if v == 0 {
			return r.FormValue(name)
		}
		return r.FormValue(fmt.Sprintf("%s_%d", name, v))
	}
	victims := []int{0}
	for _, v := range formIndexes(r, "name_", maxFormVictims) {
		if v > 0 && strings.TrimSpace(field("name", v)) != "" {
			victims = append(victims, v)
		}
	}
	pos := map[int]int{}
	for i, v := range victims {
		pos[v] = i
		in.Victims = append(in.Victims, funds.ReportedVictim{Name: field("name", v), Sex: field("sex", v), IDNumber: field("id_number", v),
			Phone: field("phone", v), Address: field("address", v)})
	}
	for _, k := range formIndexes(r, "to_account_", maxFormTransfers) {
		to := strings.TrimSpace(r.FormValue(fmt.Sprintf("to_account_%d", k)))
		if to == "" {
			continue
		}
		at, err := time.ParseInLocation("2006-01-02T15:04", r.FormValue(fmt.Sprintf("at_%d", k)), zone.Shanghai)
		if err != nil {
			return web.Errorf(http.StatusUnprocessableEntity, "bad_time", "第 %d 笔转账的时间无效", k+1)
		}
		vi := 0
		if v := r.FormValue(fmt.Sprintf("victim_%d", k)); v != "" {
			n, err := strconv.Atoi(v)
			i, ok := pos[n]
			if err != nil || !ok {
				return web.Errorf(http.StatusUnprocessableEntity, "bad_victim", "第 %d 笔转账的受害人未填写姓名", k+1)
			}
			vi = i
		}
		in.Victims[vi].Transfers = append(in.Victims[vi].Transfers, funds.ReportedTransfer{At: at, FromAccount: r.FormValue(fmt.Sprintf("from_account_%d", k)), ToAccount: to,
			ToBank: r.FormValue(fmt.Sprintf("to_bank_%d", k)), ToName: r.FormValue(fmt.Sprintf("to_name_%d", k)), Amount: r.FormValue(fmt.Sprintf("amount_%d", k)),
			Channel: r.FormValue(fmt.Sprintf("channel_%d", k))})
	}
	for i, v := range victims {
		if len(in.Victims[i].Transfers) > 0 {
			continue
		}
		if in.Victims[i].LossFen, err = money.ParseYuan(field("loss", v)); err != nil || in.Victims[i].LossFen <= 0 {
			return web.Errorf(http.StatusUnprocessableEntity, "no_loss", "请为受害人 %s 登记被骗转账，或填写损失金额", cmp.Or(strings.TrimSpace(in.Victims[i].Name), strconv.Itoa(i+1)))
		}
	}
	oc, err := s.OpenCase(r, p, in)
	if err != nil {
		return err
	}
	web.RedirectFlash(w, r, "/cases/"+strconv.FormatInt(oc.ID, 10), "已立案 "+oc.CaseNo)
	return nil
}

func (s *handler) recordPages() {
	m := s.Mux
	m.HandleFunc("GET /cases", s.Page(auth.CapCaseRead, s.handleCasesPage))
	m.HandleFunc("GET /cases/{id}", s.Page(auth.CapCaseRead, s.handleCasePage))
	m.HandleFunc("POST /cases/{id}/requests", s.Page(auth.CapFundsWrite, s.handleCaseRequestForm))
	m.HandleFunc("POST /cases/{id}/investigator", s.Page(auth.CapCaseWrite, s.handleCaseInvestigatorForm))
	s.caseProgressPages() // 办案进度, 犯罪嫌疑人: case_progress.go
	s.casePartiesPages()  // 受害人, 被骗转账, 涉案账户: case_parties.go
	s.caseWorkPages()     // tasks, notes, attachments, links, series, campaigns, summary: case_work.go
	m.HandleFunc("GET /prevention", s.Page(auth.CapPreventRead, s.handlePreventionPage))
	m.HandleFunc("GET /bulletins", s.Page(auth.CapBulletinRead, s.handleBulletinsPage))
	m.HandleFunc("GET /intel", s.Page(auth.CapIntelRead, s.handleIntelPage))
	m.HandleFunc("GET /partners", s.Page(auth.CapPartnerManage, s.handlePartnersPage))
	m.HandleFunc("GET /inbox", s.Page(auth.CapPartnerInbox, s.handleInboxPage))
	m.HandleFunc("POST /inbox/{id}", s.Page(auth.CapPartnerInbox, s.handleInboxAnswer))
}

// casesView is the data of the cases page.
type casesView struct {
	List              []funds.Case
	Pager             web.Keyset
	Status, Type, Who web.Select     // the filter bar
	States            caseStatesView // 办案环节 tabs; a chosen one replaces List
}

// caseStatuses are the case statuses the list filters by.
var caseStatuses = []string{"open", "investigating", "solved", "closed"}

func (s *handler) handleCasesPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f := funds.CaseFilter{Status: r.URL.Query().Get("status"), FraudType: r.URL.Query().Get("type"), Limit: 100}
	who := r.URL.Query().Get("who")
	switch who {
	case "mine":
		f.Investigator = p.User.ID
	case "none":
		f.Investigator = -1
	default:
		who = ""
	}
	var err error
	if f.BeforeID, err = web.FormInt(r, "before"); err != nil {
		return err
	}
	states, err := s.caseStates(r, p, f.BeforeID)
	if err != nil {
		return err
	}
	var list []funds.Case
	if !states.Chosen {
		if list, err = funds.ListCases(r.Context(), s.DB, p.Scope, f); err != nil {
			return err
		}
	}
	for i := range list {
		list[i] = list[i].Masked(auth.Masker{}) // summaries may hold numbers
	}
	var next int64
	if len(list) == f.Limit {
		next = list[len(list)-1].ID
	}
	statuses := []web.Option{{Value: "", Name: "全部状态"}}
	for _, c := range caseStatuses {
		statuses = append(statuses, web.Option{Value: c, Name: funds.CaseStatusName(c)})
	}
	types := []web.Option{{Value: "", Name: "全部类型"}}
	for _, t := range fraudtype.All() {
		types = append(types, web.Option{Value: string(t.Code), Name: t.Name})
	}
	s.Render(w, r, http.StatusOK, "cases", web.Page{Title: "案件", Active: "/cases", Data: casesView{List: list, States: states,
		Pager:  web.NewKeyset(f.BeforeID, next, "status", f.Status, "type", f.FraudType, "who", who),
		Status: web.NewSelect("status", "", f.Status, statuses...),
		Type:   web.NewSelect("type", "", f.FraudType, types...),
		Who:    web.NewSelect("who", "", who, web.Option{Value: "", Name: "全部民警"}, web.Option{Value: "mine", Name: "我的案件"}, web.Option{Value: "none", Name: "未指派"})}})
	return nil
}

// caseView is the data of the case page.
type caseView struct {
	C             funds.Case
	Requests      []partner.Request
	Banks         []partner.Unit
	CanRequest    bool
	Accounts      []string
	Related       []funds.RelatedCase
	Progress      caseProgressView // 办案进度 and 犯罪嫌疑人
	Parties       casePartiesView  // 受害人, 被骗转账, 涉案账户: case_parties.go
	Work          caseWorkView     // tasks, notes, attachments, links, series, campaigns (case_work.go)
	CanWrite      bool
	Investigators []funds.Investigator
}

func (s *handler) handleCasePage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	c, err := funds.GetCase(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	m, err := s.ViewMasker(r, p, "case", id)
	if err != nil {
		return err
	}
	reqs, err := partner.ForCase(r.Context(), s.DB, p.Scope, id, s.Now())
	if err != nil {
		return err
	}
	for i := range reqs {
		reqs[i] = reqs[i].Masked(m)
	}
	var banks []partner.Unit
	canRequest := p.Can(auth.CapFundsWrite)
	if canRequest {
		if banks, err = partner.RequestUnits(r.Context(), s.DB, "bank"); err != nil {
			return err
		}
	}
	// Accounts the victims paid into, by position (funds.Case.ReceivingAccounts).
	var accounts []string // labels, masked unless the page is unmasked
	for _, a := range c.ReceivingAccounts() {
		accounts = append(accounts, m.Card(a))
	}
	links, err := funds.CaseLinks(r.Context(), s.DB, p.Scope, c.ID, m)
	if err != nil {
		return err
	}
	var investigators []funds.Investigator
	if p.Can(auth.CapCaseWrite) {
		if investigators, err = funds.Investigators(r.Context(), s.DB, p.Scope, c.ID, s.Now()); err != nil {
			return err
		}
	}
	progress, err := s.caseProgress(r, p, c.ID, m)
	if err != nil {
		return err
	}
	parties, err := s.caseParties(r, p, c.ID, m)
	if err != nil {
		return err
	}
	work, err := s.caseWork(r, p, c.ID, m)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "case", web.Page{Title: "案件 " + c.CaseNo, Active: "/cases", Unmasked: m.Unmasked, Data: caseView{
		C: c.Masked(m), Requests: reqs, Banks: banks, CanRequest: canRequest, Accounts: accounts,
		Related: links.Related, Progress: progress, Parties: parties, Work: work, CanWrite: p.Can(auth.CapCaseWrite),
		Investigators: investigators}})
	return nil
}

// handleCaseInvestigatorForm assigns the case's investigator (empty: 未指派).
func (s *handler) handleCaseInvestigatorForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	user, err := web.FormInt(r, "investigator_id")
	if err != nil {
		return err
	}
	if err := funds.AssignInvestigator(r.Context(), s.DB, p.Scope, auth.AuditFor(p, web.ClientIP(r), web.RequestID(r.Context())), id, user, s.Now()); err != nil {
		return err
	}
	msg := "已指派办案民警"
	if user == 0 {
		msg = "办案民警已改为未指派"
	}
	web.RedirectFlash(w, r, fmt.Sprintf("/cases/%d", id), msg)
	return nil
}

func (s *handler) handleCaseRequestForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	unit, err := web.FormInt(r, "unit_id")
	if err != nil {
		return err
	}
	amount, err := money.ParseYuan(r.FormValue("amount"))
	if err != nil {
		return web.Errorf(http.StatusBadRequest, "bad_amount", "金额：%v", err)
	}
	account := strings.TrimSpace(r.FormValue("account"))
	if idx, err := strconv.Atoi(r.FormValue("account_index")); err == nil && account == "" {
		c, err := funds.GetCase(r.Context(), s.DB, p.Scope, id)
		if err != nil {
			return err
		}
		if accounts := c.ReceivingAccounts(); idx >= 0 && idx < len(accounts) {
			account = accounts[idx]
		}
	}
	reqID, err := partner.CreateForCase(r.Context(), s.DB, p.Scope, auth.AuditFor(p, web.ClientIP(r), web.RequestID(r.Context())), p.User.ID, id,
		partner.CaseRequest{Kind: r.FormValue("kind"), UnitID: unit, Account: account, AmountFen: amount, Reason: r.FormValue("reason")}, s.Now())
	if err != nil {
		return err
	}
	web.RedirectFlash(w, r, fmt.Sprintf("/cases/%d", id), fmt.Sprintf("已向银行发出%s请求 #%d", partner.KindName(r.FormValue("kind")), reqID))
	return nil
}
