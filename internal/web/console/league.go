package console

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/assess"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/consult"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/fraudtype"
	"github.com/fanzha/fanzha/internal/money"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/web"
)

// The leaders' league table (/league: one row per station, town, city or county, each
// figure in its colour 红/橙/黄/绿, and the open 督办 tasks of red units
// with their closing) and the 96110 and walk-in consultations
// (/consultations: log, convert to a warning or a 断卡 lead, close).

func (s *handler) leaguePages() {
	m := s.Mux
	m.HandleFunc("GET /league", s.Page(auth.CapFiguresRead, s.handleLeaguePage))
	m.HandleFunc("GET /consultations", s.Page(auth.CapWarningRead, s.handleConsultationsPage))
	m.HandleFunc("POST /consultations", s.Page(auth.CapWarningWrite, s.handleConsultationForm))
	m.HandleFunc("POST /consultations/{id}/convert", s.Page(auth.CapWarningWrite, s.handleConvertForm))
	m.HandleFunc("POST /consultations/{id}/close", s.Page(auth.CapWarningWrite, s.handleCloseConsultationForm))
	m.HandleFunc("POST /consultations/{id}/lead", s.Page(auth.CapWarningWrite, s.handleConsultationLeadForm))
	m.HandleFunc("POST /league/tasks/{id}/close", s.Page(auth.CapFiguresRead, s.handleCloseSupervisionForm))
}

// leagueCell is one graded figure as the table shows it.
type leagueCell struct {
	Key        string
	Text       string // the value as people read it; — when nothing was measured
	Detail     string // what it is made of
	Colour     string // red, orange, yellow, green, or ''
	ColourName string
}

// leagueRow is one unit's line.
type leagueRow struct {
	AreaID     int64
	Name       string
	Drill      bool // a station: its towns have a table of their own
	Cells      []leagueCell
	Colour     string
	ColourName string
	Cases      int64
	CasesYoY   int64
	Loss       string
}

// leagueView is the data of the league page.
type leagueView struct {
	Area     string
	AreaID   int64
	Unit     string
	From, To string
	Figures  []assess.Figure
	Rows     []leagueRow
	Legend   []leagueCell
	Counts   map[string]int // rows per colour
	Back     int64          // the parent's table, when drilled into a station
	Tasks    []supervisionItem
}

// supervisionItem is an open 督办 task as the league page lists it.
type supervisionItem struct {
	assess.Task
	MayClose bool // the caller is its leader, or manages staff
}

// figureText writes a figure's value in its unit.
func figureText(f assess.Figure, v assess.Value) (string, string) {
	if v.Den == 0 {
		return "—", "无可计算的数据"
	}
	switch f.Key {
	case "cases_per_10k":
		return fmt.Sprintf("%.2f", float64(v.Value)/100), fmt.Sprintf("%d 起 / %s 人", v.Num, web.Thousands(v.Den))
	case "app_per_10k":
		return web.Thousands(v.Value), fmt.Sprintf("%s 人注册 / %s 人", web.Thousands(v.Num), web.Thousands(v.Den))
	}
	return fmt.Sprintf("%.1f%%", float64(v.Value)/10), fmt.Sprintf("%d / %d", v.Num, v.Den)
}

func (s *handler) handleLeaguePage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	lg, err := s.League(r, p)
	if err != nil {
		return err
	}
	v := leagueView{Area: lg.Scope.FullName, AreaID: lg.Scope.ID, Unit: web.LeagueUnitName(lg.Scope), Figures: assess.Figures,
		From: lg.From.In(s.Loc).Format("2006-01-02"), To: lg.To.In(s.Loc).AddDate(0, 0, -1).Format("2006-01-02"), Counts: map[string]int{}}
	if lg.Scope.ID != p.Scope.ID {
		v.Back = lg.Scope.ParentID
	}
	if r.URL.Query().Get("to") == "" {
		v.To = s.Now().In(s.Loc).Format("2006-01-02")
	}
	for _, c := range []assess.Colour{assess.Red, assess.Orange, assess.Yellow, assess.Green} {
		v.Legend = append(v.Legend, leagueCell{Colour: string(c), ColourName: assess.ColourName(c)})
	}
	for _, row := range lg.Rows {
		lr := leagueRow{AreaID: row.AreaID, Name: row.Name, Drill: row.Level == string(area.Station), Colour: string(row.Colour),
			ColourName: assess.ColourName(row.Colour), Cases: row.Cases, CasesYoY: row.CasesYoY, Loss: money.FormatYuan(row.LossFen)}
		for _, f := range assess.Figures {
			val := row.Figures[f.Key]
			text, detail := figureText(f, val)
			lr.Cells = append(lr.Cells, leagueCell{Key: f.Key, Text: text, Detail: detail, Colour: string(val.Colour),
				ColourName: assess.ColourName(val.Colour)})
		}
		v.Counts[string(row.Colour)]++
		v.Rows = append(v.Rows, lr)
	}
	// The open 督办 tasks of the caller's jurisdiction, whatever table is shown.
	tasks, err := assess.Tasks(r.Context(), s.DB, p.Scope, "open", db.Page{Limit: 200})
	if err != nil {
		return err
	}
	who := s.AuditEntry(r, p)
	for _, t := range tasks {
		v.Tasks = append(v.Tasks, supervisionItem{Task: t, MayClose: assess.MayClose(who, t)})
	}
	s.Render(w, r, http.StatusOK, "league", web.Page{Title: "考核排名", Active: "/league", Data: v})
	return nil
}

// consultationsView is the data of the consultations page.
type consultationsView struct {
	List     []consult.Consultation
	Status   web.Select
	From, To string
	CanWrite bool
	Types    []fraudtype.Type
	Grades   []web.Option
}

func (s *handler) handleConsultationsPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	from, to, err := s.Period(r, 30)
	if err != nil {
		return err
	}
	status := r.URL.Query().Get("status")
	list, err := consult.List(r.Context(), s.DB, p.Scope, from, to, status)
	if err != nil {
		return err
	}
	m := p.Masker(false)
	for i := range list {
		list[i] = list[i].Masked(m)
	}
	v := consultationsView{List: list, CanWrite: p.Can(auth.CapWarningWrite), Types: fraudtype.All(),
		From: from.In(s.Loc).Format("2006-01-02"), To: to.In(s.Loc).AddDate(0, 0, -1).Format("2006-01-02"),
		Status: web.NewSelect("status", "状态", status, web.Option{Value: "", Name: "全部状态"}, web.Option{Value: "open", Name: "待处理"},
			web.Option{Value: "lead", Name: "已转断卡线索"}, web.Option{Value: "converted", Name: "已转预警"},
			web.Option{Value: "closed", Name: "已办结"}),
		Grades: []web.Option{{Value: string(warning.GradeHigh), Name: warning.GradeName(warning.GradeHigh)},
			{Value: string(warning.GradeFund), Name: warning.GradeName(warning.GradeFund)},
			{Value: string(warning.GradeOrdinary), Name: warning.GradeName(warning.GradeOrdinary)}}}
	if r.URL.Query().Get("to") == "" {
		v.To = s.Now().In(s.Loc).Format("2006-01-02")
	}
	s.Render(w, r, http.StatusOK, "consultations", web.Page{Title: "96110与来访", Active: "/consultations", Data: v})
	return nil
}

func (s *handler) handleConsultationForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	areaID, err := web.FormInt(r, "area_id")
	if err != nil {
		return err
	}
	amount, err := money.ParseYuan(r.FormValue("amount"))
	if err != nil {
		return web.Errorf(http.StatusBadRequest, "bad_amount", "涉及金额：%v", err)
	}
	in := consult.Input{Channel: r.FormValue("channel"), Kind: r.FormValue("kind"), CallerName: r.FormValue("caller_name"),
		CallerPhone: r.FormValue("caller_phone"), AreaID: areaID, Summary: r.FormValue("summary"), FraudType: r.FormValue("fraud_type"),
		ScamPhone: r.FormValue("scam_phone"), ScamAccount: strings.TrimSpace(r.FormValue("scam_account")), AmountFen: amount}
	id, err := consult.Log(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), in, s.Now())
	if err != nil {
		return err
	}
	web.RedirectFlash(w, r, "/consultations", fmt.Sprintf("已登记 #%d", id))
	return nil
}

func (s *handler) handleConvertForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	wid, err := s.ConvertConsultation(r, p, id, web.ConvertInput{Name: r.FormValue("name"), Phone: r.FormValue("phone"),
		IDNumber: r.FormValue("id_number"), Address: r.FormValue("address"), Grade: warning.Grade(r.FormValue("grade"))})
	if err != nil {
		return err
	}
	web.RedirectFlash(w, r, fmt.Sprintf("/warnings/%d", wid), fmt.Sprintf("咨询 #%d 已转为预警 #%d", id, wid))
	return nil
}

func (s *handler) handleCloseConsultationForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	if err := consult.Close(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, s.Now()); err != nil {
		return err
	}
	web.RedirectFlash(w, r, "/consultations", fmt.Sprintf("咨询 #%d 已办结", id))
	return nil
}

func (s *handler) handleConsultationLeadForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	lead, err := consult.ConvertToCardLead(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, s.Now())
	if err != nil {
		return err
	}
	var what []string
	if lead.Account != "" {
		what = append(what, "涉诈账号")
	}
	if lead.Phone != "" {
		what = append(what, "涉诈号码")
	}
	web.RedirectFlash(w, r, "/consultations", fmt.Sprintf("线索 #%d 已转为断卡线索：%s已标记为涉诈（两卡研判）", id, strings.Join(what, "和")))
	return nil
}

func (s *handler) handleCloseSupervisionForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	if err := assess.CloseTask(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, r.FormValue("note"), s.Now()); err != nil {
		return err
	}
	web.RedirectFlash(w, r, "/league", fmt.Sprintf("督办任务 #%d 已办结", id))
	return nil
}
