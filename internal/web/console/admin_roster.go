package console

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/roster"
	"github.com/fanzha/fanzha/internal/web"
	"github.com/fanzha/fanzha/internal/zone"
)

// rosterDays is how many days the grid shows.
const rosterDays = 14

func (s *handler) rosterRoutes() {
	m := s.Mux
	m.HandleFunc("GET /admin/roster", s.Page(auth.CapStaffManage, s.handleRosterPage))
	m.HandleFunc("GET /admin/roster/export", s.Page(auth.CapStaffManage, s.handleRosterExport))
	m.HandleFunc("POST /admin/roster/shifts", s.Page(auth.CapStaffManage, s.handleShiftAdd))
	m.HandleFunc("POST /admin/roster/shifts/{id}/delete", s.Page(auth.CapStaffManage, s.rosterDelete(roster.Editor.DeleteShift, "已删除班次")))
	m.HandleFunc("POST /admin/roster/shifts/{id}/swap", s.Page(auth.CapStaffManage, s.handleShiftSwap))
	m.HandleFunc("POST /admin/roster/shifts/{id}/edit", s.Page(auth.CapStaffManage, s.handleShiftEdit))
	m.HandleFunc("POST /admin/roster/patterns", s.Page(auth.CapStaffManage, s.handlePatternAdd))
	m.HandleFunc("POST /admin/roster/patterns/{id}/delete", s.Page(auth.CapStaffManage, s.rosterDelete(roster.Editor.DeletePattern, "已停用排班规则，未开始的班次已删除")))
	m.HandleFunc("POST /admin/roster/leave", s.Page(auth.CapStaffManage, s.handleLeaveAdd))
	m.HandleFunc("POST /admin/roster/leave/{id}/delete", s.Page(auth.CapStaffManage, s.rosterDelete(roster.Editor.DeleteLeave, "已取消请假")))
	m.HandleFunc("POST /admin/roster/copy", s.Page(auth.CapStaffManage, s.handleRosterCopy))
	m.HandleFunc("POST /admin/roster/import", s.Page(auth.CapStaffManage, s.handleRosterImport))
}

func (s *handler) rosterActor(r *http.Request, p *auth.Principal) roster.Actor {
	return roster.Actor{Scope: p.Scope, Audit: s.AuditWho(r, p), Now: s.Now()}
}

// rosterEditor makes roster changes as the caller, each in one transaction.
func (s *handler) rosterEditor(r *http.Request, p *auth.Principal) roster.Editor {
	return roster.NewEditor(s.DB, s.rosterActor(r, p))
}

// rosterBack redirects to the roster page of the node the form was about.
func rosterBack(w http.ResponseWriter, r *http.Request, msg string) {
	to := "/admin/roster"
	if a := strings.TrimSpace(r.FormValue("area")); a != "" {
		if _, err := strconv.ParseInt(a, 10, 64); err == nil {
			to += "?area=" + url.QueryEscape(a)
		}
	}
	web.RedirectFlash(w, r, to, msg)
}

type rosterPage struct {
	Nodes    []area.Node
	Node     area.Node
	Duty     roster.Duty
	Officers []auth.User
	NowOn    []roster.OnDutyNow
	Gaps24   []roster.Gap
	roster.Grid
	Patterns []roster.Pattern
	Leave    []roster.Leave
	Weekdays []string
	Today    string
	Week     string
	Report   *roster.ImportReport
	Failed   string
}

func (s *handler) handleRosterPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.renderRoster(w, r, p, http.StatusOK, nil, "")
}

func (s *handler) renderRoster(w http.ResponseWriter, r *http.Request, p *auth.Principal, status int, rep *roster.ImportReport, failed string) error {
	ctx := r.Context()
	now := s.Now()
	nodes, err := roster.Nodes(ctx, s.DB, p.Scope)
	if err != nil {
		return err
	}
	if len(nodes) == 0 {
		return web.Errorf(http.StatusNotFound, "no_roster", "您的辖区（%s）没有可排班的派出所或中心", p.Scope.Name)
	}
	want, err := web.FormInt(r, "area")
	if err != nil {
		return err
	}
	node := nodes[0]
	if p.Scope.ParentID == 0 && len(nodes) > 1 && want == 0 {
		node = nodes[1] // the admin lands on the first station; the centre is one click away
	}
	for _, n := range nodes {
		if n.ID == want {
			node = n
		}
	}
	pd := rosterPage{Nodes: nodes, Node: node, Duty: roster.DutyAt(node), Weekdays: roster.WeekdayLabels(), Report: rep, Failed: failed}
	if pd.Officers, err = roster.Officers(ctx, s.DB, p.Scope, node.ID); err != nil {
		return err
	}
	if pd.NowOn, err = roster.NowOnDuty(ctx, s.DB, p.Scope, now); err != nil {
		return err
	}
	if pd.Gaps24, err = roster.Gaps(ctx, s.DB, p.Scope, now, now.Add(24*time.Hour)); err != nil {
		return err
	}
	today := roster.DayOf(now)
	end := today.AddDate(0, 0, rosterDays)
	shifts, err := roster.ListShifts(ctx, s.DB, p.Scope, node.ID, today, end)
	if err != nil {
		return err
	}
	gaps, err := roster.Gaps(ctx, s.DB, node, today, end)
	if err != nil {
		return err
	}
	pd.Grid = roster.BuildGrid(shifts, gaps, now, rosterDays)
	if pd.Patterns, err = roster.ListPatterns(ctx, s.DB, p.Scope, node.ID); err != nil {
		return err
	}
	if pd.Leave, err = roster.ListLeave(ctx, s.DB, node, now.AddDate(0, 0, -1), now.AddDate(0, 0, 90)); err != nil {
		return err
	}
	pd.Today = today.Format(roster.DayLayout)
	pd.Week = today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7)).Format(roster.DayLayout)
	s.Render(w, r, status, "admin_roster", web.Page{Title: "值班排班", Active: "/admin", Data: pd})
	return nil
}

// formTime reads a datetime-local (or "2026-12-08 08:00") value, Shanghai.
func formTime(r *http.Request, name, label string) (time.Time, error) {
	v := strings.TrimSpace(r.FormValue(name))
	if v == "" {
		return time.Time{}, web.Errorf(http.StatusBadRequest, "bad_param", "请填写%s", label)
	}
	t, err := roster.ParseTime(v)
	if err != nil {
		return t, web.Errorf(http.StatusBadRequest, "bad_param", "%s格式不对，应为 2026-12-08 08:00", label)
	}
	return t, nil
}

func (s *handler) handleShiftAdd(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	uid, err := web.FormInt(r, "user_id")
	if err != nil {
		return err
	}
	start, err := formTime(r, "starts_at", "开始时间")
	if err != nil {
		return err
	}
	end, err := formTime(r, "ends_at", "结束时间")
	if err != nil {
		return err
	}
	duty, ok := roster.ParseDuty(r.FormValue("duty"))
	if !ok {
		return web.Errorf(http.StatusBadRequest, "bad_param", "请选择岗位（劝阻或值班）")
	}
	areaID, err := web.FormInt(r, "area")
	if err != nil {
		return err
	}
	if _, err := s.rosterEditor(r, p).AddShift(r.Context(), roster.ShiftInput{AreaID: areaID, UserID: uid, Duty: duty, Start: start, End: end}); err != nil {
		return err
	}
	rosterBack(w, r, "已添加班次 "+start.In(zone.Shanghai).Format("01-02 15:04")+"–"+end.In(zone.Shanghai).Format("01-02 15:04"))
	return nil
}

// rosterDelete is the handler of a delete button: the record named by the
// path's {id}, removed by del in the roster's transaction, then back to the
// roster page with done.
func (s *handler) rosterDelete(del func(roster.Editor, context.Context, int64) error, done string) web.ConsoleHandler {
	return func(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
		id, err := web.PathID(r)
		if err != nil {
			return err
		}
		if err := del(s.rosterEditor(r, p), r.Context(), id); err != nil {
			return err
		}
		rosterBack(w, r, done)
		return nil
	}
}

func (s *handler) handleShiftSwap(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	uid, err := web.FormInt(r, "user_id")
	if err != nil {
		return err
	}
	if uid == 0 {
		return web.Errorf(http.StatusBadRequest, "bad_param", "请选择接班民警")
	}
	if err := s.rosterEditor(r, p).SwapShift(r.Context(), id, uid); err != nil {
		return err
	}
	rosterBack(w, r, "已调班")
	return nil
}

func (s *handler) handleShiftEdit(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	start, err := formTime(r, "starts_at", "开始时间")
	if err != nil {
		return err
	}
	end, err := formTime(r, "ends_at", "结束时间")
	if err != nil {
		return err
	}
	if err := s.rosterEditor(r, p).EditShift(r.Context(), id, start, end); err != nil {
		return err
	}
	rosterBack(w, r, "已修改班次时间")
	return nil
}

func (s *handler) handlePatternAdd(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if err := r.ParseForm(); err != nil {
		return web.Errorf(http.StatusBadRequest, "bad_form", "表单无法读取：%v", err)
	}
	uid, err := web.FormInt(r, "user_id")
	if err != nil {
		return err
	}
	areaID, err := web.FormInt(r, "area")
	if err != nil {
		return err
	}
	duty, ok := roster.ParseDuty(r.FormValue("duty"))
	if !ok {
		return web.Errorf(http.StatusBadRequest, "bad_param", "请选择岗位（劝阻或值班）")
	}
	var wd roster.Weekdays
	for _, v := range r.Form["weekdays"] {
		i, err := strconv.Atoi(v)
		if err != nil || i < 0 || i > 6 {
			return web.Errorf(http.StatusBadRequest, "bad_param", "星期几应为 0（周一）到 6（周日）")
		}
		wd |= 1 << i
	}
	hours, err := strconv.ParseFloat(strings.TrimSpace(r.FormValue("hours")), 64)
	if err != nil {
		return web.Errorf(http.StatusBadRequest, "bad_param", "时长应为小时数，例如 8")
	}
	in := roster.PatternInput{AreaID: areaID, UserID: uid, Duty: duty, Weekdays: wd, Start: r.FormValue("start"), Hours: hours,
		From: r.FormValue("from"), Until: r.FormValue("until")}
	if _, err := s.rosterEditor(r, p).AddPattern(r.Context(), in); err != nil {
		return err
	}
	rosterBack(w, r, "已添加排班规则，并已生成今后 21 天的班次")
	return nil
}

func (s *handler) handleLeaveAdd(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	uid, err := web.FormInt(r, "user_id")
	if err != nil {
		return err
	}
	from, err := formTime(r, "from", "请假开始时间")
	if err != nil {
		return err
	}
	to, err := formTime(r, "to", "请假结束时间")
	if err != nil {
		return err
	}
	if _, err := s.rosterEditor(r, p).AddLeave(r.Context(), uid, from, to, r.FormValue("reason")); err != nil {
		return err
	}
	rosterBack(w, r, "已登记请假，期间不再分派预警")
	return nil
}

func (s *handler) handleRosterCopy(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	weeks, err := strconv.Atoi(strings.TrimSpace(r.FormValue("weeks")))
	if err != nil {
		return web.Errorf(http.StatusBadRequest, "bad_param", "周数应为 1 到 12 的整数")
	}
	areaID, err := web.FormInt(r, "area")
	if err != nil {
		return err
	}
	var res roster.CopyResult
	if res, err = s.rosterEditor(r, p).CopyWeek(r.Context(), areaID, r.FormValue("week"), weeks); err != nil {
		return err
	}
	rosterBack(w, r, fmt.Sprintf("已复制到之后 %d 周：新增 %d 个班次，跳过 %d 个（该民警当时已有班次或已停用）", weeks, res.Created, res.Skipped))
	return nil
}

func (s *handler) handleRosterImport(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f, fh, err := r.FormFile("file")
	if err != nil {
		return web.Errorf(http.StatusBadRequest, "no_file", "没有收到文件：请选择排班文件（.xlsx 或 .csv）")
	}
	defer f.Close()
	name := filepath.Base(fh.Filename)
	var rep roster.ImportReport
	rep, err = s.rosterEditor(r, p).Import(r.Context(), name, f)
	if err != nil {
		ae := web.Classify(err)
		if ae.Status >= 500 {
			return err
		}
		return s.renderRoster(w, r, p, http.StatusUnprocessableEntity, &rep, ae.Message)
	}
	return s.renderRoster(w, r, p, http.StatusOK, &rep, "")
}

func (s *handler) handleRosterExport(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	from := roster.DayOf(s.Now())
	if v := strings.TrimSpace(r.URL.Query().Get("from")); v != "" {
		t, err := roster.ParseDay(v)
		if err != nil {
			return web.Errorf(http.StatusBadRequest, "bad_param", "from 应为日期（YYYY-MM-DD）")
		}
		from = t
	}
	days := rosterDays
	if v := strings.TrimSpace(r.URL.Query().Get("days")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 366 {
			return web.Errorf(http.StatusBadRequest, "bad_param", "days 应为 1 到 366")
		}
		days = n
	}
	rows, err := roster.ExportRows(r.Context(), s.DB, p.Scope, from, from.AddDate(0, 0, days))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	name := "排班-" + from.Format("20060102")
	ctype := "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	if r.URL.Query().Get("format") == "csv" {
		name, ctype = name+".csv", "text/csv; charset=utf-8"
		err = roster.WriteCSV(&buf, rows)
	} else {
		name += ".xlsx"
		err = roster.WriteXLSX(&buf, rows)
	}
	if err != nil {
		return err
	}
	if err := s.Audit(r, p, auth.AuditExport, "duty_shift", "", fmt.Sprintf("roster export %s, %d days: %d shifts",
		from.Format(roster.DayLayout), days, len(rows))); err != nil {
		return err
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}
