package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/bulletin"
	"github.com/fanzha/fanzha/internal/fraudtype"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/money"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/prevent"
	"github.com/fanzha/fanzha/internal/roster"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/web"
)

// homeView is the data of the home page: the figures (nil for a role
// without them), recent prevention events and, for a dissuader, their own
// open warnings.
type homeView struct {
	O         *bulletin.Overview
	Events    []prevent.Event
	Dissuader bool
	Mine      []warning.BoardItem
}

func (s *handler) handleHome(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if p.User.Role == auth.RolePartner {
		http.Redirect(w, r, "/inbox", http.StatusSeeOther)
		return nil
	}
	var o *bulletin.Overview
	if p.Can(auth.CapFiguresRead) {
		ov, err := bulletin.ComputeOverviewCached(r.Context(), s.DB, s.Figures, p.Scope, s.Now(), s.Loc)
		if err != nil {
			return err
		}
		o = &ov
	}
	var events []prevent.Event
	if p.User.Role == auth.RoleGrid {
		// The same query as GET /api/v1/prevention/events: a grid worker
		// sees the events they logged.
		ev, err := prevent.List(r.Context(), s.DB, p.Scope, prevent.Filter{CreatedBy: web.OwnOnly(p), Limit: 20})
		if err != nil {
			return err
		}
		events = ev
	}
	data := homeView{O: o, Events: events}
	if p.User.Role == auth.RoleDissuader {
		// A dissuader's day starts with their own open warnings, most
		// urgent first; the station's figures follow.
		mine, err := warning.Board(r.Context(), s.DB, p.Scope, warning.BoardFilter{AssigneeID: p.User.ID}, s.Now())
		if err != nil {
			return err
		}
		m := p.Masker(false)
		for i := range mine {
			mine[i].Warning = mine[i].Warning.Masked(m)
		}
		data.Dissuader, data.Mine = true, mine
	}
	s.Render(w, r, http.StatusOK, "home", web.Page{Title: "首页", Active: "/", Data: data})
	return nil
}

func (s *handler) warningPages() {
	m := s.Mux
	m.HandleFunc("GET /warnings", s.Page(auth.CapWarningRead, s.handleBoardPage))
	m.HandleFunc("GET /warnings/mine", s.Page(auth.CapWarningRead, s.handleBoardPage))
	m.HandleFunc("GET /warnings/list", s.Page(auth.CapWarningRead, s.handleWarningListPage))
	m.HandleFunc("GET /warnings/import", s.Page(auth.CapWarningWrite, s.handleImportPage))
	m.HandleFunc("POST /warnings/import", s.Page(auth.CapWarningWrite, s.handleImportPage))
	m.HandleFunc("GET /warnings/new", s.Page(auth.CapWarningWrite, s.handleNewWarningPage))
	m.HandleFunc("POST /warnings/new", s.Page(auth.CapWarningWrite, s.handleNewWarningPage))
	m.HandleFunc("POST /warnings/next", s.Page(auth.CapWarningWrite, s.handleNextForm))
	m.HandleFunc("GET /warnings/{id}", s.Page(auth.CapWarningRead, s.handleWarningPage))
	m.HandleFunc("POST /warnings/{id}/contact", s.Page(auth.CapWarningWrite, s.handleContactForm))
	m.HandleFunc("POST /warnings/{id}/outcome", s.Page(auth.CapWarningWrite, s.handleOutcomeForm))
	m.HandleFunc("POST /warnings/{id}/handover", s.Page(auth.CapWarningWrite, s.handleHandoverForm))
	m.HandleFunc("POST /warnings/{id}/emergency", s.Page(auth.CapWarningWrite, s.handleEmergencyForm))
}

type boardData struct {
	Mine     bool
	Items    []warning.BoardItem
	Stations []area.Node
	Types    []fraudtype.Type
	Filter   map[string]string
	Gaps     []roster.Gap // roster gaps of the caller's jurisdiction in the next 24 hours
	Order    string       // how the rows are sorted (warning.BoardOrder)
}

func (s *handler) handleBoardPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	mine := strings.HasSuffix(r.URL.Path, "/mine")
	f := warning.BoardFilter{Grade: warning.Grade(r.URL.Query().Get("grade")), FraudType: r.URL.Query().Get("type")}
	var err error
	if f.StationID, err = web.FormInt(r, "station"); err != nil {
		return err
	}
	if mine {
		f.AssigneeID = p.User.ID
	}
	items, err := warning.Board(r.Context(), s.DB, p.Scope, f, s.Now())
	if err != nil {
		return err
	}
	m := p.Masker(false)
	for i := range items {
		items[i].Warning = items[i].Warning.Masked(m)
	}
	stations, err := area.ByLevel(r.Context(), s.DB, p.Scope, area.Station)
	if err != nil {
		return err
	}
	title := "值班看板"
	var gaps []roster.Gap
	if mine {
		title = "我的预警"
	} else if gaps, err = roster.Gaps(r.Context(), s.DB, p.Scope, s.Now(), s.Now().Add(24*time.Hour)); err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "board", web.Page{Title: title, Active: "/warnings", Data: boardData{Mine: mine, Items: items, Gaps: gaps, Order: warning.BoardOrder,
		Stations: stations, Types: fraudtype.All(), Filter: map[string]string{"grade": string(f.Grade), "type": f.FraudType,
			"station": r.URL.Query().Get("station")}}})
	return nil
}

// warningsView is the data of the warnings page.
type warningsView struct {
	List   []warning.Warning
	Pager  web.Keyset
	Status string
	Grade  string
}

func (s *handler) handleWarningListPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f := warning.Filter{Status: r.URL.Query().Get("status"), Grade: warning.Grade(r.URL.Query().Get("grade")), Limit: 100}
	var err error
	if f.BeforeID, err = web.FormInt(r, "before"); err != nil {
		return err
	}
	list, err := warning.List(r.Context(), s.DB, p.Scope, f)
	if err != nil {
		return err
	}
	for i := range list {
		list[i] = list[i].Masked(auth.Masker{})
	}
	var next int64
	if len(list) == f.Limit {
		next = list[len(list)-1].ID
	}
	s.Render(w, r, http.StatusOK, "warnings", web.Page{Title: "全部预警", Active: "/warnings", Data: warningsView{List: list,
		Pager: web.NewKeyset(f.BeforeID, next, "status", f.Status, "grade", string(f.Grade)), Status: f.Status, Grade: string(f.Grade)}})
	return nil
}

type warningPageData struct {
	W        warning.Warning
	Events   []warning.Event
	Merged   []warning.Warning
	Requests []partner.Request
	Units    []partner.Unit      // where an emergency request can go
	Officers []warning.Candidate // the handover picker, the warning's station on duty first
	// HandoverTo is the picker's default: the first of the warning's station on duty (not its assignee), else 0 (交回中心).
	HandoverTo int64
	Score      string
	CanWrite   bool
}

func (s *handler) handleWarningPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	wa, err := warning.Get(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	m := auth.Masker{}
	if web.UnmaskAsked(r) {
		if m, err = s.Masker(r, p, "warning", strconv.FormatInt(id, 10)); err != nil {
			return err
		}
	}
	if err := s.AuditRead(r, p, m, "warning", strconv.FormatInt(id, 10)); err != nil {
		return err
	}
	events, err := warning.Timeline(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	merged, err := warning.Merged(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	for i := range merged {
		merged[i] = merged[i].Masked(m)
	}
	reqs, err := partner.ForWarning(r.Context(), s.DB, p.Scope, id, s.Now())
	if err != nil {
		return err
	}
	for i := range reqs {
		reqs[i] = reqs[i].Masked(m)
	}
	d := warningPageData{W: wa.Masked(m), Events: events, Merged: merged, Requests: reqs, CanWrite: p.Can(auth.CapWarningWrite)}
	parts, err := warning.ScoreDetail(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	d.Score = scoreText(parts)
	if d.CanWrite && wa.Status == "open" {
		if d.Units, err = partner.RequestUnits(r.Context(), s.DB, "bank", "operator"); err != nil {
			return err
		}
		scope := p.Scope
		if p.Scope.Level == area.County {
			if scope, err = area.Root(r.Context(), s.DB); err != nil {
				return err
			}
		}
		officers, err := warning.HandoverCandidates(r.Context(), s.DB, scope, wa.StationID, s.Now())
		if err != nil {
			return err
		}
		d.Officers, d.HandoverTo = officers, warning.DefaultHandoverTo(officers, wa.AssigneeID)
	}
	s.Render(w, r, http.StatusOK, "warning", web.Page{Title: fmt.Sprintf("预警 #%d", id), Active: "/warnings", Unmasked: m.Unmasked, Data: d})
	return nil
}

// scoreText turns the stored score parts into one line for the page.
func scoreText(parts []warning.ScorePart) string {
	var out []string
	for _, p := range parts {
		out = append(out, fmt.Sprintf("%s +%d", p.Reason, p.Points))
	}
	return strings.Join(out, "；")
}

// handleNextForm is the 「下一条」 button: the warning it hands out opens, with
// why it came first; with nothing waiting, back to 「我的预警」.
func (s *handler) handleNextForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	res, err := warning.Next(r.Context(), s.DB, s.Actor(r, p), warning.ByExpectedKept, s.Now())
	if errors.Is(err, warning.ErrNothingWaiting) {
		web.RedirectFlash(w, r, "/warnings/mine", "当前没有等待联系的预警")
		return nil
	}
	if err != nil {
		return err
	}
	s.Publish([]int64{res.Warning.ID})
	msg := "下一条：" + res.Why
	if res.Resumed {
		msg = "请先记录这条预警的联系情况，再取下一条"
	} else if res.Reassigned != "" {
		msg += "；" + res.Reassigned + "，已改派给你"
	}
	web.RedirectFlash(w, r, fmt.Sprintf("/warnings/%d", res.Warning.ID), msg)
	return nil
}

func (s *handler) handleContactForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	c := warning.ContactInput{Method: r.FormValue("method"), Result: r.FormValue("result"), Note: r.FormValue("note")}
	if err := warning.RecordContact(r.Context(), s.DB, s.PolicyNow(r.Context()), s.Actor(r, p), id, c, s.Now()); err != nil {
		return err
	}
	s.Publish([]int64{id})
	web.RedirectFlash(w, r, fmt.Sprintf("/warnings/%d", id), "已记录联系情况")
	return nil
}

func (s *handler) handleOutcomeForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	o := warning.OutcomeInput{Outcome: warning.Outcome(r.FormValue("outcome")), Note: r.FormValue("note"), ToAccount: strings.TrimSpace(r.FormValue("to_account"))}
	if o.KeptFen, err = money.ParseYuan(r.FormValue("kept")); err != nil {
		return web.Errorf(http.StatusBadRequest, "bad_amount", "避免损失金额：%v", err)
	}
	if o.LossFen, err = money.ParseYuan(r.FormValue("loss")); err != nil {
		return web.Errorf(http.StatusBadRequest, "bad_amount", "被骗金额：%v", err)
	}
	res, err := warning.SetOutcome(r.Context(), s.DB, s.PolicyNow(r.Context()), s.Actor(r, p), id, o, s.Now())
	if err != nil {
		return err
	}
	s.Publish([]int64{id})
	msg := "已记录结果：" + warning.OutcomeName(o.Outcome)
	if res.CaseNo != "" {
		msg += "，已立案 " + res.CaseNo
	}
	if res.Status == "open" {
		msg += "，请在期限内落地核查"
	}
	web.RedirectFlash(w, r, fmt.Sprintf("/warnings/%d", id), msg)
	return nil
}

func (s *handler) handleHandoverForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	to, err := web.FormInt(r, "to_user_id")
	if err != nil {
		return err
	}
	if err := warning.Handover(r.Context(), s.DB, s.Actor(r, p), id, warning.HandoverInput{ToUserID: to, Reason: r.FormValue("reason")}, s.Now()); err != nil {
		return err
	}
	s.Publish([]int64{id})
	if _, err := warning.Get(r.Context(), s.DB, p.Scope, id); err != nil {
		web.RedirectFlash(w, r, "/warnings", "预警已移交，已不在您的辖区内")
		return nil
	}
	web.RedirectFlash(w, r, fmt.Sprintf("/warnings/%d", id), "预警已移交")
	return nil
}

func (s *handler) handleEmergencyForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	unit, err := web.FormInt(r, "unit_id")
	if err != nil {
		return err
	}
	e := warning.EmergencyInput{Kind: r.FormValue("kind"), UnitID: unit, Account: r.FormValue("account"), Phone: r.FormValue("phone"), Reason: r.FormValue("reason")}
	reqID, err := warning.RequestEmergency(r.Context(), s.DB, s.Actor(r, p), id, e, s.Now())
	if err != nil {
		return err
	}
	s.Publish([]int64{id})
	web.RedirectFlash(w, r, fmt.Sprintf("/warnings/%d", id), fmt.Sprintf("已发出紧急措施请求 #%d", reqID))
	return nil
}

// importView is the data of the import page.
type importView struct {
	Report *warning.ImportReport
}

func (s *handler) handleImportPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var rep *warning.ImportReport
	var fail string
	if r.Method == http.MethodPost {
		f, fh, err := r.FormFile("file")
		if err != nil {
			fail = "请选择要上传的 Excel 或 CSV 文件"
		} else {
			defer f.Close()
			in, err := s.WarningIntake(r.Context())
			if err != nil {
				return err
			}
			res, err := in.ImportFile(r.Context(), fh.Filename, f, r.FormValue("all_or_nothing") != "", "upload", p.User.ID)
			if err != nil {
				fail = "文件无法导入：" + err.Error()
			} else {
				rep = &res
				if err := s.Audit(r, p, auth.AuditCreate, "warning", "", fmt.Sprintf("upload %s: %d created, %d merged, %d duplicate, %d bad",
					fh.Filename, res.Created, res.Merged, res.Duplicates, res.Rejected)); err != nil {
					return err
				}
				if err := res.ForScope(r.Context(), s.DB, p.Scope); err != nil { // no "merged" oracle (warning/privacy.go)
					return err
				}
			}
		}
	}
	s.Render(w, r, http.StatusOK, "import", web.Page{Title: "预警导入", Active: "/warnings", Error: fail, Data: importView{Report: rep}})
	return nil
}

func (s *handler) recordPages() {
	m := s.Mux
	m.HandleFunc("GET /cases", s.Page(auth.CapCaseRead, s.handleCasesPage))
	m.HandleFunc("GET /cases/{id}", s.Page(auth.CapCaseRead, s.handleCasePage))
	m.HandleFunc("POST /cases/{id}/requests", s.Page(auth.CapFundsWrite, s.handleCaseRequestForm))
	m.HandleFunc("POST /cases/{id}/investigator", s.Page(auth.CapCaseWrite, s.handleCaseInvestigatorForm))
	m.HandleFunc("GET /prevention", s.Page(auth.CapPreventRead, s.handlePreventionPage))
	m.HandleFunc("GET /bulletins", s.Page(auth.CapBulletinRead, s.handleBulletinsPage))
	m.HandleFunc("GET /intel", s.Page(auth.CapIntelRead, s.handleIntelPage))
	m.HandleFunc("GET /partners", s.Page(auth.CapPartnerManage, s.handlePartnersPage))
	m.HandleFunc("GET /inbox", s.Page(auth.CapPartnerInbox, s.handleInboxPage))
	m.HandleFunc("POST /inbox/{id}", s.Page(auth.CapPartnerInbox, s.handleInboxAnswer))
}

// casesView is the data of the cases page.
type casesView struct {
	List   []funds.Case
	Pager  web.Keyset
	Types  []fraudtype.Type
	Type   string
	Status string
	Who    string
}

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
	list, err := funds.ListCases(r.Context(), s.DB, p.Scope, f)
	if err != nil {
		return err
	}
	for i := range list {
		list[i] = list[i].Masked(auth.Masker{}) // summaries may hold numbers
	}
	var next int64
	if len(list) == f.Limit {
		next = list[len(list)-1].ID
	}
	s.Render(w, r, http.StatusOK, "cases", web.Page{Title: "案件", Active: "/cases", Data: casesView{List: list,
		Pager: web.NewKeyset(f.BeforeID, next, "status", f.Status, "type", f.FraudType, "who", who), Types: fraudtype.All(), Type: f.FraudType, Status: f.Status, Who: who}})
	return nil
}

// caseView is the data of the case page.
type caseView struct {
	C            funds.Case
	Requests     []partner.Request
	Banks        []partner.Unit
	CanRequest   bool
	Accounts     []string
	Related      []funds.RelatedCase
	Suspects     []funds.Suspect
	SuspectRoles []struct {
		Code string
		Name string
	}
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
	m := auth.Masker{}
	if web.UnmaskAsked(r) {
		if m, err = s.Masker(r, p, "case", strconv.FormatInt(id, 10)); err != nil {
			return err
		}
	}
	if err := s.AuditRead(r, p, m, "case", strconv.FormatInt(id, 10)); err != nil {
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
	s.Render(w, r, http.StatusOK, "case", web.Page{Title: "案件 " + c.CaseNo, Active: "/cases", Unmasked: m.Unmasked, Data: caseView{
		C: c.Masked(m), Requests: reqs, Banks: banks, CanRequest: canRequest, Accounts: accounts,
		Related: links.Related, Suspects: links.Suspects, SuspectRoles: funds.SuspectRoles, CanWrite: p.Can(auth.CapCaseWrite),
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

// preventionView is the data of the prevention page.
type preventionView struct {
	Events    []prevent.Event
	ByStation []prevent.StationCoverage
	Towns     []prevent.TownCoverage
	Own       bool
	CanWrite  bool
}

func (s *handler) handlePreventionPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	events, err := prevent.List(r.Context(), s.DB, p.Scope, prevent.Filter{CreatedBy: web.OwnOnly(p), Limit: 100})
	if err != nil {
		return err
	}
	// The same coverage as /prevention/coverage (docs/PREVENTION.md).
	cov, err := prevent.ComputeCoverage(r.Context(), s.DB, p.Scope, s.Now().AddDate(0, 0, -30), s.Now())
	if err != nil {
		return err
	}
	by := cov.Stations
	s.Render(w, r, http.StatusOK, "prevention", web.Page{Title: "宣传防范", Active: "/prevention", Data: preventionView{Events: events, ByStation: by,
		Towns: cov.Towns, Own: web.OwnOnly(p) != 0, CanWrite: p.Can(auth.CapPreventWrite)}})
	return nil
}

// bulletinsView is the data of the bulletins page.
type bulletinsView struct {
	Rows []warning.SpanFigures
	O    bulletin.Overview
	Gen  bulletinChoices
}

func (s *handler) handleBulletinsPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	now := s.Now()
	rows, err := warning.RecentFigures(r.Context(), s.DB, s.Figures, p.Scope, now, s.Loc)
	if err != nil {
		return err
	}
	o, err := bulletin.ComputeOverviewCached(r.Context(), s.DB, s.Figures, p.Scope, now, s.Loc)
	if err != nil {
		return err
	}
	gen, err := s.bulletinChoices(r, p)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "bulletins", web.Page{Title: "研判通报", Active: "/bulletins", Data: bulletinsView{Rows: rows, O: o, Gen: gen}})
	return nil
}

func (s *handler) handleIntelPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	m := auth.Masker{}
	var err error
	if web.UnmaskAsked(r) {
		if m, err = s.Masker(r, p, "accounts", "intel"); err != nil {
			return err
		}
	}
	list, err := s.BusiestAccounts(r, p, m)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "intel", web.Page{Title: "两卡研判", Active: "/intel", Unmasked: m.Unmasked, Data: list})
	s.PrefetchIntelGraph(p)
	return nil
}

func (s *handler) handlePartnersPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	units, err := partner.UnitSummaries(r.Context(), s.DB)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "partners", web.Page{Title: "联席成员单位", Active: "/partners", Data: units})
	return nil
}

// inboxView is the data of the inbox page.
type inboxView struct {
	Unit     string
	Requests []partner.Request
	Q        string
	Open     bool
	Pager    web.Pager
}

func (s *handler) handleInboxPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	const perPage = 50
	qv := r.URL.Query()
	pageNo, _ := strconv.Atoi(qv.Get("page"))
	pageNo = max(pageNo, 1)
	f := partner.InboxFilter{Search: strings.TrimSpace(qv.Get("q")), Open: qv.Get("open") == "1", Offset: (pageNo - 1) * perPage, Limit: perPage + 1}
	reqs, err := partner.InboxPage(r.Context(), s.DB, p.User.UnitID, f, s.Now())
	if err != nil {
		return err
	}
	more := len(reqs) > perPage
	if more {
		reqs = reqs[:perPage]
	}
	keep := url.Values{}
	if f.Search != "" {
		keep.Set("q", f.Search)
	}
	if f.Open {
		keep.Set("open", "1")
	}
	pageURL := func(n int) string {
		u := url.Values{}
		for k, v := range keep {
			u[k] = v
		}
		u.Set("page", strconv.Itoa(n))
		return "/inbox?" + u.Encode()
	}
	var prev, next string
	if pageNo > 1 {
		prev = pageURL(pageNo - 1)
	}
	if more {
		next = pageURL(pageNo + 1)
	}
	unit, err := partner.GetUnit(r.Context(), s.DB, p.User.UnitID)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "inbox", web.Page{Title: "协查请求", Active: "/inbox", Data: inboxView{Unit: unit.Name, Requests: reqs,
		Q: f.Search, Open: f.Open, Pager: web.Pager{ID: "inbox-pager", Page: pageNo, Prev: prev, Next: next}}})
	return nil
}

func (s *handler) handleInboxAnswer(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	fen, err := money.ParseYuan(r.FormValue("amount"))
	if err != nil {
		return web.Errorf(http.StatusBadRequest, "bad_amount", "金额：%v", err)
	}
	a := partner.Answer{Status: r.FormValue("status"), Result: r.FormValue("result"), ResultFen: fen, Reference: r.FormValue("reference")}
	if err := partner.Respond(r.Context(), s.DB, p.User.UnitID, auth.AuditFor(p, web.ClientIP(r), web.RequestID(r.Context())), id, a, s.Now()); err != nil {
		return err
	}
	web.RedirectFlash(w, r, "/inbox", fmt.Sprintf("已答复请求 #%d", id))
	return nil
}
