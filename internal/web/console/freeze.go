package console

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/money"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/returns"
	"github.com/fanzha/fanzha/internal/web"
)

// freezePages registers the console's freeze list and return pages.
func (s *handler) freezePages() {
	m := s.Mux
	m.HandleFunc("GET /freezes", s.Page(auth.CapFundsRead, s.handleFreezesPage))
	m.HandleFunc("POST /freezes/{id}/send", s.Page(auth.CapFundsWrite, s.handleFreezeForm))
	m.HandleFunc("POST /freezes/{id}/renew", s.Page(auth.CapFundsWrite, s.handleFreezeForm))
	m.HandleFunc("POST /freezes/{id}/release", s.Page(auth.CapFundsWrite, s.handleFreezeForm))
	m.HandleFunc("POST /freezes/{id}/confirm", s.Page(auth.CapFundsWrite, s.handleFreezeForm))
	m.HandleFunc("POST /freezes/{id}/reject", s.Page(auth.CapFundsWrite, s.handleFreezeForm))
	m.HandleFunc("POST /freezes/{id}/convert", s.Page(auth.CapFundsWrite, s.handleFreezeForm))
	m.HandleFunc("GET /cases/{id}/returns", s.Page(auth.CapFundsRead, s.handleReturnsPage))
	m.HandleFunc("GET /cases/{id}/returns.xlsx", s.Page(auth.CapFundsRead, s.WriteReturnsXLSX))
	m.HandleFunc("POST /cases/{id}/returns/plans", s.Page(auth.CapFundsWrite, s.handleReturnForm))
	m.HandleFunc("POST /cases/{id}/returns/{plan}/notice", s.Page(auth.CapFundsWrite, s.handleReturnForm))
	m.HandleFunc("POST /cases/{id}/returns/{plan}/objections", s.Page(auth.CapFundsWrite, s.handleReturnForm))
	m.HandleFunc("POST /cases/{id}/returns/{plan}/resolve", s.Page(auth.CapFundsWrite, s.handleReturnForm))
	m.HandleFunc("POST /cases/{id}/returns/{plan}/execute", s.Page(auth.CapFundsWrite, s.handleReturnForm))
	m.HandleFunc("POST /cases/{id}/returns/{plan}/payments", s.Page(auth.CapFundsWrite, s.handleReturnForm))
}

// freezeLine is a row of the freeze list page.
type freezeLine struct {
	partner.FreezeRow
	LeftText string
	Red      bool // less than 24 hours left, or lapsed
}

// freezeStatuses are the choices of the list's status filter.
var freezeStatuses = []web.Option{
	{Value: "", Name: "全部"}, {Value: "active", Name: "冻结中（已确认）"}, {Value: "drafted", Name: "草稿"}, {Value: "sent", Name: "已发送"},
	{Value: "seen", Name: "银行已查看"}, {Value: "rejected", Name: "被拒绝"}, {Value: "lapsed", Name: "已失效"}, {Value: "released", Name: "已解除"},
	{Value: "renewed", Name: "已续冻"}, {Value: "converted", Name: "已转冻结"},
}

// freezesView is the data of the freezes page.
type freezesView struct {
	Figures           []figureCard
	Lines             []freezeLine
	Status            web.Select
	CanWrite          bool
	Q                 string
	Station           *web.Select // nil with one station
	Mine              bool
	Pager             web.Pager
	Keep              string
	StopPayment       string
	Freeze            string
	RemindFreeze      string
	RemindStopPayment string
}

func (s *handler) handleFreezesPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	qv := r.URL.Query()
	status := qv.Get("status")
	const perPage = 50
	pageNo, _ := strconv.Atoi(qv.Get("page"))
	pageNo = max(pageNo, 1)
	f := partner.FreezeFilter{Status: status, Search: strings.TrimSpace(qv.Get("q")), Offset: (pageNo - 1) * perPage, Limit: perPage + 1}
	var err error
	if f.StationID, err = web.FormInt(r, "station"); err != nil {
		return err
	}
	mine := qv.Get("mine") == "1"
	if mine {
		f.Mine = p.User.ID
	}
	list, err := partner.ListFreezes(r.Context(), s.DB, p.Scope, f, s.Now())
	if err != nil {
		return err
	}
	more := len(list) > perPage
	if more {
		list = list[:perPage]
	}
	stationOpts, err := area.ByLevels(r.Context(), s.DB, p.Scope, area.Station)
	if err != nil {
		return err
	}
	var stationSelect *web.Select
	if len(stationOpts) > 1 {
		opts := []web.Option{{Value: "", Name: "全部派出所"}}
		for _, n := range stationOpts {
			opts = append(opts, web.Option{Value: strconv.FormatInt(n.ID, 10), Name: n.Name})
		}
		sel := web.NewSelect("station", "派出所", strconv.FormatInt(f.StationID, 10), opts...)
		stationSelect = &sel
	}
	// The filters, for the pager's and the unmask link's addresses.
	keep := url.Values{}
	for k, v := range map[string]string{"status": status, "q": f.Search, "station": qv.Get("station"), "mine": map[bool]string{true: "1"}[mine]} {
		if v != "" {
			keep.Set(k, v)
		}
	}
	pageURL := func(n int) string {
		u := url.Values{}
		for k, v := range keep {
			u[k] = v
		}
		if n > 1 {
			u.Set("page", strconv.Itoa(n))
		}
		return "/freezes?" + u.Encode()
	}
	var prevURL, nextURL string
	if pageNo > 1 {
		prevURL = pageURL(pageNo - 1)
	}
	if more {
		nextURL = pageURL(pageNo + 1)
	}
	m := auth.Masker{}
	if web.UnmaskAsked(r) {
		if m, err = s.Masker(r, p, "freezes", ""); err != nil {
			return err
		}
	}
	terms, err := partner.LoadTerms(r.Context(), s.DB)
	if err != nil {
		return err
	}
	lines := make([]freezeLine, 0, len(list))
	for _, f := range list {
		l := freezeLine{FreezeRow: f.Masked(m)}
		if f.Status == "confirmed" {
			if f.LeftSeconds > 0 {
				l.LeftText = "还剩 " + partner.HumanLeft(time.Duration(f.LeftSeconds)*time.Second)
			} else {
				l.LeftText = "已到期"
			}
			l.Red = f.LeftSeconds < 24*3600
		}
		lines = append(lines, l)
	}
	var figures []figureCard
	if p.Can(auth.CapFiguresRead) {
		now := s.Now()
		fg, err := partner.ComputeFundsFigures(r.Context(), s.DB, p.Scope, now.AddDate(0, 0, -30), now)
		if err != nil {
			return err
		}
		t := fg.Total
		figures = []figureCard{
			{"报案→首次止付/冻结请求", secondsText(t.ToRequestMedianS), "中位数；P90 " + secondsText(t.ToRequestP90S)},
			{"报案→银行确认", secondsText(t.ToConfirmMedianS), "中位数；P90 " + secondsText(t.ToConfirmP90S)},
			{"止付账户", fmt.Sprintf("%d 户", t.StoppedAccounts), "¥" + money.FormatYuan(t.StoppedFen)},
			{"冻结账户", fmt.Sprintf("%d 户", t.FrozenAccounts), "¥" + money.FormatYuan(t.FrozenFen)},
			{"已返还", "¥" + money.FormatYuan(t.ReturnedFen), "近 30 天登记"},
		}
	}
	s.Render(w, r, http.StatusOK, "freezes", web.Page{Title: "止付冻结", Active: "/freezes", Unmasked: m.Unmasked, Data: freezesView{
		Figures: figures,
		Lines:   lines, Status: web.NewSelect("status", "", status, slices.Clone(freezeStatuses)...), CanWrite: p.Can(auth.CapFundsWrite),
		Q: f.Search, Station: stationSelect, Mine: mine, Pager: web.Pager{ID: "freeze-pager", Page: pageNo, Prev: prevURL, Next: nextURL},
		Keep:        keep.Encode(),
		StopPayment: termText(terms.StopPayment), Freeze: termText(terms.Freeze),
		RemindFreeze: leadsText(terms.RemindFreeze), RemindStopPayment: leadsText(terms.RemindStopPayment)}})
	return nil
}

// handleFreezeForm answers the buttons of the freeze list: send a draft,
// renew, release, or record the bank's written confirmation or refusal.
func (s *handler) handleFreezeForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	who, now := s.AuditEntry(r, p), s.Now()
	action := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	var msg string
	switch action {
	case "send":
		err = partner.Send(r.Context(), s.DB, p.Scope, who, id, now)
		msg = fmt.Sprintf("请求 #%d 已发送", id)
	case "renew":
		var nid int64
		nid, err = partner.Renew(r.Context(), s.DB, p.Scope, who, id, r.FormValue("reason"), now)
		msg = fmt.Sprintf("已向银行发出续冻请求 #%d（银行确认后自原到期日起算）", nid)
	case "release":
		var nid int64
		nid, err = partner.Release(r.Context(), s.DB, p.Scope, who, id, r.FormValue("reason"), now)
		msg = fmt.Sprintf("已向银行发出解冻请求 #%d", nid)
	case "confirm":
		var fen int64
		if fen, err = money.ParseYuan(r.FormValue("amount")); err != nil {
			return web.Errorf(http.StatusBadRequest, "bad_amount", "金额：%v", err)
		}
		err = partner.Confirm(r.Context(), s.DB, p.Scope, who, id, fen, r.FormValue("reference"), now)
		msg = fmt.Sprintf("已登记银行确认 #%d", id)
	case "convert":
		var nid int64
		nid, err = partner.Convert(r.Context(), s.DB, p.Scope, who, id, r.FormValue("reason"), now)
		msg = fmt.Sprintf("已向银行发出冻结请求 #%d（止付 #%d 转冻结，银行确认后起算冻结期限）", nid, id)
	case "reject":
		err = partner.Reject(r.Context(), s.DB, p.Scope, who, id, r.FormValue("reason"), now)
		msg = fmt.Sprintf("已登记银行拒绝 #%d", id)
	}
	if err != nil {
		return err
	}
	web.RedirectFlash(w, r, "/freezes", msg)
	return nil
}

// returnsView is the data of the returns page.
type returnsView struct {
	V        returns.CaseReturns
	CanWrite bool
	Today    string
	Events   []funds.CaseEvent
}

func (s *handler) handleReturnsPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	v, err := returns.GetCaseReturns(r.Context(), s.DB, p.Scope, id, s.Now())
	if err != nil {
		return err
	}
	m := auth.Masker{}
	if web.UnmaskAsked(r) {
		if m, err = s.Masker(r, p, "case", strconv.FormatInt(id, 10)); err != nil {
			return err
		}
	}
	events, err := funds.CaseTimeline(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "returns", web.Page{Title: "冻结资金返还 " + v.CaseNo, Active: "/cases", Unmasked: m.Unmasked, Data: returnsView{
		V: v.Masked(m), CanWrite: p.Can(auth.CapFundsWrite), Today: s.Now().In(s.Loc).Format("2006-01-02"), Events: events}})
	return nil
}

// handleReturnForm answers the forms of the return page.
func (s *handler) handleReturnForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	caseID, err := web.PathID(r)
	if err != nil {
		return err
	}
	var planID int64
	if v := r.PathValue("plan"); v != "" {
		if planID, err = strconv.ParseInt(v, 10, 64); err != nil || planID <= 0 {
			return web.Errorf(http.StatusBadRequest, "bad_id", "方案编号 %q 无效", v)
		}
		// The plan must belong to the case of the page.
		plan, err := returns.GetPlan(r.Context(), s.DB, p.Scope, planID, s.Now())
		if err != nil {
			return err
		}
		if plan.CaseID != caseID {
			return web.Errorf(http.StatusNotFound, "not_found", "方案 #%d 不属于该案件", planID)
		}
	}
	who, now := s.AuditEntry(r, p), s.Now()
	day := func(name string) (time.Time, error) {
		v := strings.TrimSpace(r.FormValue(name))
		if v == "" {
			return time.Time{}, nil
		}
		t, err := time.ParseInLocation("2006-01-02", v, s.Loc)
		if err != nil {
			return t, web.Errorf(http.StatusBadRequest, "bad_param", "日期 %q 应为 年-月-日", v)
		}
		return t.UTC(), nil
	}
	action := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	var msg string
	switch action {
	case "plans":
		var freezeID, nid int64
		if freezeID, err = web.FormInt(r, "freeze_id"); err != nil {
			return err
		}
		nid, err = returns.CreatePlan(r.Context(), s.DB, p.Scope, who, freezeID, now)
		msg = fmt.Sprintf("已制定返还方案 #%d", nid)
	case "notice":
		var start time.Time
		if start, err = day("starts_on"); err != nil {
			return err
		}
		err = returns.PublishNotice(r.Context(), s.DB, p.Scope, who, planID, start, now)
		msg = fmt.Sprintf("方案 #%d 已公告", planID)
	case "objections":
		_, err = returns.AddObjection(r.Context(), s.DB, p.Scope, who, planID, r.FormValue("objector"), r.FormValue("text"), now)
		msg = fmt.Sprintf("已登记方案 #%d 的异议", planID)
	case "resolve":
		var oid int64
		if oid, err = web.FormInt(r, "objection_id"); err != nil {
			return err
		}
		err = returns.ResolveObjection(r.Context(), s.DB, p.Scope, who, oid, r.FormValue("resolution"), now)
		msg = fmt.Sprintf("异议 #%d 已处理", oid)
	case "execute":
		err = returns.ExecutePlan(r.Context(), s.DB, p.Scope, who, planID, now)
		msg = fmt.Sprintf("方案 #%d 已执行，可登记返还", planID)
	case "payments":
		var np returns.NewPayment
		if np.VictimID, err = web.FormInt(r, "victim_id"); err != nil {
			return err
		}
		if np.AmountFen, err = money.ParseYuan(r.FormValue("amount")); err != nil {
			return web.Errorf(http.StatusBadRequest, "bad_amount", "金额：%v", err)
		}
		if np.PaidAt, err = day("paid_on"); err != nil {
			return err
		}
		np.Reference = r.FormValue("reference")
		_, err = returns.RecordPayment(r.Context(), s.DB, p.Scope, who, planID, np, now)
		msg = fmt.Sprintf("已登记返还 ¥%s", money.FormatYuan(np.AmountFen))
	}
	if err != nil {
		return err
	}
	web.RedirectFlash(w, r, fmt.Sprintf("/cases/%d/returns", caseID), msg)
	return nil
}

// termText writes a legal term in Chinese: 6 个月, 48 小时, 30 天.
func termText(t partner.Term) string {
	var parts []string
	if t.Months != 0 {
		parts = append(parts, fmt.Sprintf("%d 个月", t.Months))
	}
	if t.Dur != 0 {
		parts = append(parts, leadText(t.Dur))
	}
	return strings.Join(parts, " ")
}

// leadText writes a duration in days from three days up (7 天), in hours
// below (48 小时, as the law writes the stop-payment term).
func leadText(d time.Duration) string {
	if d%(24*time.Hour) == 0 && d >= 72*time.Hour {
		return fmt.Sprintf("%d 天", d/(24*time.Hour))
	}
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d 小时", d/time.Hour)
	}
	return fmt.Sprintf("%d 分钟", d/time.Minute)
}

func leadsText(ds []time.Duration) string {
	if len(ds) == 0 {
		return "不提醒"
	}
	var s []string
	for _, d := range ds {
		s = append(s, "前 "+leadText(d))
	}
	return strings.Join(s, "、")
}

// figureCard is a figure of the freeze page's summary (the last 30 days,
// as GET /api/v1/figures/funds computes it).
type figureCard struct{ Label, Value, Sub string }

func secondsText(s *int64) string {
	if s == nil {
		return "—"
	}
	d := time.Duration(*s) * time.Second
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d 分钟", d/time.Minute)
	case d < 72*time.Hour:
		return fmt.Sprintf("%.1f 小时", d.Hours())
	}
	return fmt.Sprintf("%.1f 天", d.Hours()/24)
}
