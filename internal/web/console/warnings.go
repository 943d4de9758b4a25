package console

import (
	"errors"
	"fmt"
	"github.com/fanzha/fanzha/internal/dissuade"
	"net/http"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/fraudtype"
	"github.com/fanzha/fanzha/internal/money"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/roster"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/web"
)

// 预警劝阻 pages: the duty board, 我的预警, the list of all warnings, one
// warning with its contact, outcome, handover and emergency forms, 下一条,
// and the file import.

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
	List          []warning.Warning
	Pager         web.Keyset
	Status, Grade web.Select // the filter bar
}

// gradeOption is a grade in the filter bar.
func gradeOption(g warning.Grade) web.Option {
	return web.Option{Value: string(g), Name: warning.GradeName(g)}
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
		Pager: web.NewKeyset(f.BeforeID, next, "status", f.Status, "grade", string(f.Grade)),
		Status: web.NewSelect("status", "", f.Status, web.Option{Value: "", Name: "全部状态"}, web.Option{Value: "open", Name: "在办"},
			web.Option{Value: "closed", Name: "已办结"}, web.Option{Value: "merged", Name: "已合并"}),
		Grade: web.NewSelect("grade", "", string(f.Grade), web.Option{Value: "", Name: "全部等级"},
			gradeOption(warning.GradeFund), gradeOption(warning.GradeHigh), gradeOption(warning.GradeOrdinary))}})
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
	// X are the instruction and the person's history (instructions.go).
	X warningExtras
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
	m, err := s.ViewMasker(r, p, "warning", id)
	if err != nil {
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
	if d.X, err = s.warningExtras(r, p, id, m); err != nil {
		return err
	}
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
	if err := dissuade.RecordContact(r.Context(), s.DB, s.PolicyNow(r.Context()), s.Actor(r, p), id, c, s.Now()); err != nil {
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
