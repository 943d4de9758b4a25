package web

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
)

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if p.User.Role == auth.RolePartner {
		http.Redirect(w, r, "/inbox", http.StatusSeeOther)
		return nil
	}
	var o *bulletin.Overview
	if p.Can(auth.CapFiguresRead) {
		ov, err := bulletin.ComputeOverviewCached(r.Context(), s.db, s.figures, p.Scope, s.now(), s.loc)
		if err != nil {
			return err
		}
		o = &ov
	}
	var events []prevent.Event
	if p.User.Role == auth.RoleGrid {
		// The same query as GET /api/v1/prevention/events: a grid worker
		// sees the events they logged.
		ev, err := prevent.List(r.Context(), s.db, p.Scope, prevent.Filter{CreatedBy: ownOnly(p), Limit: 20})
		if err != nil {
			return err
		}
		events = ev
	}
	data := map[string]any{"O": o, "Events": events}
	if p.User.Role == auth.RoleDissuader {
		// A dissuader's day starts with their own open warnings, most
		// urgent first; the station's figures follow.
		mine, err := warning.Board(r.Context(), s.db, p.Scope, warning.BoardFilter{AssigneeID: p.User.ID}, s.now())
		if err != nil {
			return err
		}
		m := p.Masker(false)
		for i := range mine {
			mine[i].Warning = mine[i].Warning.Masked(m)
		}
		data["Dissuader"], data["Mine"] = true, mine
	}
	s.render(w, r, http.StatusOK, "home", page{Title: "首页", Active: "/", Data: data})
	return nil
}

func (s *Server) warningPages() {
	m := s.mux
	m.HandleFunc("GET /warnings", s.page(auth.CapWarningRead, s.handleBoardPage))
	m.HandleFunc("GET /warnings/mine", s.page(auth.CapWarningRead, s.handleBoardPage))
	m.HandleFunc("GET /warnings/list", s.page(auth.CapWarningRead, s.handleWarningListPage))
	m.HandleFunc("GET /warnings/import", s.page(auth.CapWarningWrite, s.handleImportPage))
	m.HandleFunc("POST /warnings/import", s.page(auth.CapWarningWrite, s.handleImportPage))
	m.HandleFunc("GET /warnings/new", s.page(auth.CapWarningWrite, s.handleNewWarningPage))
	m.HandleFunc("POST /warnings/new", s.page(auth.CapWarningWrite, s.handleNewWarningPage))
	m.HandleFunc("POST /warnings/next", s.page(auth.CapWarningWrite, s.handleNextForm))
	m.HandleFunc("GET /warnings/{id}", s.page(auth.CapWarningRead, s.handleWarningPage))
	m.HandleFunc("POST /warnings/{id}/contact", s.page(auth.CapWarningWrite, s.handleContactForm))
	m.HandleFunc("POST /warnings/{id}/outcome", s.page(auth.CapWarningWrite, s.handleOutcomeForm))
	m.HandleFunc("POST /warnings/{id}/handover", s.page(auth.CapWarningWrite, s.handleHandoverForm))
	m.HandleFunc("POST /warnings/{id}/emergency", s.page(auth.CapWarningWrite, s.handleEmergencyForm))
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

func (s *Server) handleBoardPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	mine := strings.HasSuffix(r.URL.Path, "/mine")
	f := warning.BoardFilter{Grade: warning.Grade(r.URL.Query().Get("grade")), FraudType: r.URL.Query().Get("type")}
	var err error
	if f.StationID, err = formInt(r, "station"); err != nil {
		return err
	}
	if mine {
		f.AssigneeID = p.User.ID
	}
	items, err := warning.Board(r.Context(), s.db, p.Scope, f, s.now())
	if err != nil {
		return err
	}
	m := p.Masker(false)
	for i := range items {
		items[i].Warning = items[i].Warning.Masked(m)
	}
	stations, err := area.ByLevel(r.Context(), s.db, p.Scope, area.Station)
	if err != nil {
		return err
	}
	title := "值班看板"
	var gaps []roster.Gap
	if mine {
		title = "我的预警"
	} else if gaps, err = roster.Gaps(r.Context(), s.db, p.Scope, s.now(), s.now().Add(24*time.Hour)); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "board", page{Title: title, Active: "/warnings", Data: boardData{Mine: mine, Items: items, Gaps: gaps, Order: warning.BoardOrder,
		Stations: stations, Types: fraudtype.All(), Filter: map[string]string{"grade": string(f.Grade), "type": f.FraudType,
			"station": r.URL.Query().Get("station")}}})
	return nil
}

func (s *Server) handleWarningListPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f := warning.Filter{Status: r.URL.Query().Get("status"), Grade: warning.Grade(r.URL.Query().Get("grade")), Limit: 100}
	var err error
	if f.BeforeID, err = formInt(r, "before"); err != nil {
		return err
	}
	list, err := warning.List(r.Context(), s.db, p.Scope, f)
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
	s.render(w, r, http.StatusOK, "warnings", page{Title: "全部预警", Active: "/warnings", Data: map[string]any{"List": list, "Next": next,
		"Before": f.BeforeID, "Status": f.Status, "Grade": string(f.Grade)}})
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

func (s *Server) handleWarningPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	wa, err := warning.Get(r.Context(), s.db, p.Scope, id)
	if err != nil {
		return err
	}
	m := auth.Masker{}
	if unmaskAsked(r) {
		if m, err = s.masker(r, p, "warning", strconv.FormatInt(id, 10)); err != nil {
			return err
		}
	}
	if err := s.auditRead(r, p, m, "warning", strconv.FormatInt(id, 10)); err != nil {
		return err
	}
	events, err := warning.Timeline(r.Context(), s.db, p.Scope, id)
	if err != nil {
		return err
	}
	merged, err := warning.Merged(r.Context(), s.db, p.Scope, id)
	if err != nil {
		return err
	}
	for i := range merged {
		merged[i] = merged[i].Masked(m)
	}
	reqs, err := partner.ForWarning(r.Context(), s.db, p.Scope, id, s.now())
	if err != nil {
		return err
	}
	for i := range reqs {
		reqs[i] = reqs[i].Masked(m)
	}
	d := warningPageData{W: wa.Masked(m), Events: events, Merged: merged, Requests: reqs, CanWrite: p.Can(auth.CapWarningWrite)}
	parts, err := warning.ScoreDetail(r.Context(), s.db, p.Scope, id)
	if err != nil {
		return err
	}
	d.Score = scoreText(parts)
	if d.CanWrite && wa.Status == "open" {
		if d.Units, err = partner.RequestUnits(r.Context(), s.db, "bank", "operator"); err != nil {
			return err
		}
		scope := p.Scope
		if p.Scope.Level == area.County {
			if scope, err = area.Root(r.Context(), s.db); err != nil {
				return err
			}
		}
		officers, err := warning.HandoverCandidates(r.Context(), s.db, scope, wa.StationID, s.now())
		if err != nil {
			return err
		}
		d.Officers, d.HandoverTo = officers, warning.DefaultHandoverTo(officers, wa.AssigneeID)
	}
	s.render(w, r, http.StatusOK, "warning", page{Title: fmt.Sprintf("预警 #%d", id), Active: "/warnings", Unmasked: m.Unmasked, Data: d})
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
func (s *Server) handleNextForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	res, err := warning.Next(r.Context(), s.db, s.actor(r, p), warning.ByExpectedKept, s.now())
	if errors.Is(err, warning.ErrNothingWaiting) {
		redirectFlash(w, r, "/warnings/mine", "当前没有等待联系的预警")
		return nil
	}
	if err != nil {
		return err
	}
	s.publish([]int64{res.Warning.ID})
	msg := "下一条：" + res.Why
	if res.Resumed {
		msg = "请先记录这条预警的联系情况，再取下一条"
	} else if res.Reassigned != "" {
		msg += "；" + res.Reassigned + "，已改派给你"
	}
	redirectFlash(w, r, fmt.Sprintf("/warnings/%d", res.Warning.ID), msg)
	return nil
}

func (s *Server) handleContactForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c := warning.ContactInput{Method: r.FormValue("method"), Result: r.FormValue("result"), Note: r.FormValue("note")}
	if err := warning.RecordContact(r.Context(), s.db, s.policyNow(r.Context()), s.actor(r, p), id, c, s.now()); err != nil {
		return err
	}
	s.publish([]int64{id})
	redirectFlash(w, r, fmt.Sprintf("/warnings/%d", id), "已记录联系情况")
	return nil
}

func (s *Server) handleOutcomeForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	o := warning.OutcomeInput{Outcome: warning.Outcome(r.FormValue("outcome")), Note: r.FormValue("note"), ToAccount: strings.TrimSpace(r.FormValue("to_account"))}
	if o.KeptFen, err = money.ParseYuan(r.FormValue("kept")); err != nil {
		return errorf(http.StatusBadRequest, "bad_amount", "避免损失金额：%v", err)
	}
	if o.LossFen, err = money.ParseYuan(r.FormValue("loss")); err != nil {
		return errorf(http.StatusBadRequest, "bad_amount", "被骗金额：%v", err)
	}
	res, err := warning.SetOutcome(r.Context(), s.db, s.policyNow(r.Context()), s.actor(r, p), id, o, s.now())
	if err != nil {
		return err
	}
	s.publish([]int64{id})
	msg := "已记录结果：" + warning.OutcomeName(o.Outcome)
	if res.CaseNo != "" {
		msg += "，已立案 " + res.CaseNo
	}
	if res.Status == "open" {
		msg += "，请在期限内落地核查"
	}
	redirectFlash(w, r, fmt.Sprintf("/warnings/%d", id), msg)
	return nil
}

func (s *Server) handleHandoverForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	to, err := formInt(r, "to_user_id")
	if err != nil {
		return err
	}
	if err := warning.Handover(r.Context(), s.db, s.actor(r, p), id, warning.HandoverInput{ToUserID: to, Reason: r.FormValue("reason")}, s.now()); err != nil {
		return err
	}
	s.publish([]int64{id})
	if _, err := warning.Get(r.Context(), s.db, p.Scope, id); err != nil {
		redirectFlash(w, r, "/warnings", "预警已移交，已不在您的辖区内")
		return nil
	}
	redirectFlash(w, r, fmt.Sprintf("/warnings/%d", id), "预警已移交")
	return nil
}

func (s *Server) handleEmergencyForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	unit, err := formInt(r, "unit_id")
	if err != nil {
		return err
	}
	e := warning.EmergencyInput{Kind: r.FormValue("kind"), UnitID: unit, Account: r.FormValue("account"), Phone: r.FormValue("phone"), Reason: r.FormValue("reason")}
	reqID, err := warning.RequestEmergency(r.Context(), s.db, s.actor(r, p), id, e, s.now())
	if err != nil {
		return err
	}
	s.publish([]int64{id})
	redirectFlash(w, r, fmt.Sprintf("/warnings/%d", id), fmt.Sprintf("已发出紧急措施请求 #%d", reqID))
	return nil
}

func (s *Server) handleImportPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var rep *warning.ImportReport
	var fail string
	if r.Method == http.MethodPost {
		f, fh, err := r.FormFile("file")
		if err != nil {
			fail = "请选择要上传的 Excel 或 CSV 文件"
		} else {
			defer f.Close()
			in, err := s.warningIntake(r.Context())
			if err != nil {
				return err
			}
			res, err := in.ImportFile(r.Context(), fh.Filename, f, r.FormValue("all_or_nothing") != "", "upload", p.User.ID)
			if err != nil {
				fail = "文件无法导入：" + err.Error()
			} else {
				rep = &res
				if err := s.audit(r, p, auth.AuditCreate, "warning", "", fmt.Sprintf("upload %s: %d created, %d merged, %d duplicate, %d bad",
					fh.Filename, res.Created, res.Merged, res.Duplicates, res.Rejected)); err != nil {
					return err
				}
				if err := res.ForScope(r.Context(), s.db, p.Scope); err != nil { // no "merged" oracle (warning/privacy.go)
					return err
				}
			}
		}
	}
	s.render(w, r, http.StatusOK, "import", page{Title: "预警导入", Active: "/warnings", Error: fail, Data: map[string]any{"Report": rep}})
	return nil
}

func (s *Server) recordPages() {
	m := s.mux
	m.HandleFunc("GET /cases", s.page(auth.CapCaseRead, s.handleCasesPage))
	m.HandleFunc("GET /cases/{id}", s.page(auth.CapCaseRead, s.handleCasePage))
	m.HandleFunc("POST /cases/{id}/requests", s.page(auth.CapFundsWrite, s.handleCaseRequestForm))
	m.HandleFunc("POST /cases/{id}/investigator", s.page(auth.CapCaseWrite, s.handleCaseInvestigatorForm))
	m.HandleFunc("GET /prevention", s.page(auth.CapPreventRead, s.handlePreventionPage))
	m.HandleFunc("GET /bulletins", s.page(auth.CapBulletinRead, s.handleBulletinsPage))
	m.HandleFunc("GET /intel", s.page(auth.CapIntelRead, s.handleIntelPage))
	m.HandleFunc("GET /partners", s.page(auth.CapPartnerManage, s.handlePartnersPage))
	m.HandleFunc("GET /inbox", s.page(auth.CapPartnerInbox, s.handleInboxPage))
	m.HandleFunc("POST /inbox/{id}", s.page(auth.CapPartnerInbox, s.handleInboxAnswer))
}

func (s *Server) handleCasesPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
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
	if f.BeforeID, err = formInt(r, "before"); err != nil {
		return err
	}
	list, err := funds.ListCases(r.Context(), s.db, p.Scope, f)
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
	s.render(w, r, http.StatusOK, "cases", page{Title: "案件", Active: "/cases", Data: map[string]any{"List": list, "Next": next,
		"Before": f.BeforeID, "Types": fraudtype.All(), "Type": f.FraudType, "Status": f.Status, "Who": who}})
	return nil
}

func (s *Server) handleCasePage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := funds.GetCase(r.Context(), s.db, p.Scope, id)
	if err != nil {
		return err
	}
	m := auth.Masker{}
	if unmaskAsked(r) {
		if m, err = s.masker(r, p, "case", strconv.FormatInt(id, 10)); err != nil {
			return err
		}
	}
	if err := s.auditRead(r, p, m, "case", strconv.FormatInt(id, 10)); err != nil {
		return err
	}
	reqs, err := partner.ForCase(r.Context(), s.db, p.Scope, id, s.now())
	if err != nil {
		return err
	}
	for i := range reqs {
		reqs[i] = reqs[i].Masked(m)
	}
	var banks []partner.Unit
	canRequest := p.Can(auth.CapFundsWrite)
	if canRequest {
		if banks, err = partner.RequestUnits(r.Context(), s.db, "bank"); err != nil {
			return err
		}
	}
	// Accounts the victims paid into, by position (funds.Case.ReceivingAccounts).
	var accounts []string // labels, masked unless the page is unmasked
	for _, a := range c.ReceivingAccounts() {
		accounts = append(accounts, m.Card(a))
	}
	links, err := funds.CaseLinks(r.Context(), s.db, p.Scope, c.ID, m)
	if err != nil {
		return err
	}
	var investigators []funds.Investigator
	if p.Can(auth.CapCaseWrite) {
		if investigators, err = funds.Investigators(r.Context(), s.db, p.Scope, c.ID, s.now()); err != nil {
			return err
		}
	}
	s.render(w, r, http.StatusOK, "case", page{Title: "案件 " + c.CaseNo, Active: "/cases", Unmasked: m.Unmasked, Data: map[string]any{
		"C": c.Masked(m), "Requests": reqs, "Banks": banks, "CanRequest": canRequest, "Accounts": accounts,
		"Related": links.Related, "Suspects": links.Suspects, "SuspectRoles": funds.SuspectRoles, "CanWrite": p.Can(auth.CapCaseWrite),
		"Investigators": investigators}})
	return nil
}

// handleCaseInvestigatorForm assigns the case's investigator (empty: 未指派).
func (s *Server) handleCaseInvestigatorForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	user, err := formInt(r, "investigator_id")
	if err != nil {
		return err
	}
	if err := funds.AssignInvestigator(r.Context(), s.db, p.Scope, auth.AuditFor(p, clientIP(r), requestID(r.Context())), id, user, s.now()); err != nil {
		return err
	}
	msg := "已指派办案民警"
	if user == 0 {
		msg = "办案民警已改为未指派"
	}
	redirectFlash(w, r, fmt.Sprintf("/cases/%d", id), msg)
	return nil
}

func (s *Server) handleCaseRequestForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	unit, err := formInt(r, "unit_id")
	if err != nil {
		return err
	}
	amount, err := money.ParseYuan(r.FormValue("amount"))
	if err != nil {
		return errorf(http.StatusBadRequest, "bad_amount", "金额：%v", err)
	}
	account := strings.TrimSpace(r.FormValue("account"))
	if idx, err := strconv.Atoi(r.FormValue("account_index")); err == nil && account == "" {
		c, err := funds.GetCase(r.Context(), s.db, p.Scope, id)
		if err != nil {
			return err
		}
		if accounts := c.ReceivingAccounts(); idx >= 0 && idx < len(accounts) {
			account = accounts[idx]
		}
	}
	reqID, err := partner.CreateForCase(r.Context(), s.db, p.Scope, auth.AuditFor(p, clientIP(r), requestID(r.Context())), p.User.ID, id,
		partner.CaseRequest{Kind: r.FormValue("kind"), UnitID: unit, Account: account, AmountFen: amount, Reason: r.FormValue("reason")}, s.now())
	if err != nil {
		return err
	}
	redirectFlash(w, r, fmt.Sprintf("/cases/%d", id), fmt.Sprintf("已向银行发出%s请求 #%d", partner.KindName(r.FormValue("kind")), reqID))
	return nil
}

func (s *Server) handlePreventionPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	events, err := prevent.List(r.Context(), s.db, p.Scope, prevent.Filter{CreatedBy: ownOnly(p), Limit: 100})
	if err != nil {
		return err
	}
	// The same coverage as /prevention/coverage (docs/PREVENTION.md).
	cov, err := prevent.ComputeCoverage(r.Context(), s.db, p.Scope, s.now().AddDate(0, 0, -30), s.now())
	if err != nil {
		return err
	}
	by := cov.Stations
	s.render(w, r, http.StatusOK, "prevention", page{Title: "宣传防范", Active: "/prevention", Data: map[string]any{"Events": events, "ByStation": by,
		"Towns": cov.Towns, "Own": ownOnly(p) != 0, "CanWrite": p.Can(auth.CapPreventWrite)}})
	return nil
}

func (s *Server) handleBulletinsPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	now := s.now()
	rows, err := warning.RecentFigures(r.Context(), s.db, s.figures, p.Scope, now, s.loc)
	if err != nil {
		return err
	}
	o, err := bulletin.ComputeOverviewCached(r.Context(), s.db, s.figures, p.Scope, now, s.loc)
	if err != nil {
		return err
	}
	gen, err := s.bulletinChoices(r, p)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "bulletins", page{Title: "研判通报", Active: "/bulletins", Data: map[string]any{"Rows": rows, "O": o, "Gen": gen}})
	return nil
}

func (s *Server) handleIntelPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	m := auth.Masker{}
	var err error
	if unmaskAsked(r) {
		if m, err = s.masker(r, p, "accounts", "intel"); err != nil {
			return err
		}
	}
	list, err := s.busiestAccounts(r, p, m)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "intel", page{Title: "两卡研判", Active: "/intel", Unmasked: m.Unmasked, Data: list})
	s.prefetchIntelGraph(p)
	return nil
}

func (s *Server) handlePartnersPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	units, err := partner.UnitSummaries(r.Context(), s.db)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "partners", page{Title: "联席成员单位", Active: "/partners", Data: units})
	return nil
}

func (s *Server) handleInboxPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	const perPage = 50
	qv := r.URL.Query()
	pageNo, _ := strconv.Atoi(qv.Get("page"))
	pageNo = max(pageNo, 1)
	f := partner.InboxFilter{Search: strings.TrimSpace(qv.Get("q")), Open: qv.Get("open") == "1", Offset: (pageNo - 1) * perPage, Limit: perPage + 1}
	reqs, err := partner.InboxPage(r.Context(), s.db, p.User.UnitID, f, s.now())
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
	unit, err := partner.GetUnit(r.Context(), s.db, p.User.UnitID)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "inbox", page{Title: "协查请求", Active: "/inbox", Data: map[string]any{"Unit": unit.Name, "Requests": reqs,
		"Q": f.Search, "Open": f.Open, "Page": pageNo, "Prev": prev, "Next": next}})
	return nil
}

func (s *Server) handleInboxAnswer(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	fen, err := money.ParseYuan(r.FormValue("amount"))
	if err != nil {
		return errorf(http.StatusBadRequest, "bad_amount", "金额：%v", err)
	}
	a := partner.Answer{Status: r.FormValue("status"), Result: r.FormValue("result"), ResultFen: fen, Reference: r.FormValue("reference")}
	if err := partner.Respond(r.Context(), s.db, p.User.UnitID, auth.AuditFor(p, clientIP(r), requestID(r.Context())), id, a, s.now()); err != nil {
		return err
	}
	redirectFlash(w, r, "/inbox", fmt.Sprintf("已答复请求 #%d", id))
	return nil
}
