package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/roster"
	"github.com/fanzha/fanzha/internal/zone"
)

// 值班排班 (/admin/roster): who is on duty now, the next 14 days of a
// station (or of the centre) as a day × shift grid with its gaps, and the
// forms that edit the roster — shifts, weekly patterns, leave, copy
// forward, file import and export. A station head sees and edits their own
// station only (internal/roster checks it in every query).

// maxRosterUpload bounds a roster file upload.
const maxRosterUpload = 8 << 20

// rosterDays is how many days the grid shows.
const rosterDays = 14

func (s *Server) rosterRoutes() {
	m := s.mux
	m.HandleFunc("GET /admin/roster", s.page(auth.CapStaffManage, s.handleRosterPage))
	m.HandleFunc("GET /admin/roster/export", s.page(auth.CapStaffManage, s.handleRosterExport))
	m.HandleFunc("POST /admin/roster/shifts", s.page(auth.CapStaffManage, s.handleShiftAdd))
	m.HandleFunc("POST /admin/roster/shifts/{id}/delete", s.page(auth.CapStaffManage, s.rosterDelete(roster.DeleteShift, "已删除班次")))
	m.HandleFunc("POST /admin/roster/shifts/{id}/swap", s.page(auth.CapStaffManage, s.handleShiftSwap))
	m.HandleFunc("POST /admin/roster/shifts/{id}/edit", s.page(auth.CapStaffManage, s.handleShiftEdit))
	m.HandleFunc("POST /admin/roster/patterns", s.page(auth.CapStaffManage, s.handlePatternAdd))
	m.HandleFunc("POST /admin/roster/patterns/{id}/delete", s.page(auth.CapStaffManage, s.rosterDelete(roster.DeletePattern, "已停用排班规则，未开始的班次已删除")))
	m.HandleFunc("POST /admin/roster/leave", s.page(auth.CapStaffManage, s.handleLeaveAdd))
	m.HandleFunc("POST /admin/roster/leave/{id}/delete", s.page(auth.CapStaffManage, s.rosterDelete(roster.DeleteLeave, "已取消请假")))
	m.HandleFunc("POST /admin/roster/copy", s.page(auth.CapStaffManage, s.handleRosterCopy))
	m.HandleFunc("POST /admin/roster/import", s.page(auth.CapStaffManage, s.handleRosterImport))
}

func (s *Server) rosterActor(r *http.Request, p *auth.Principal) roster.Actor {
	return roster.Actor{Scope: p.Scope, Audit: s.auditWho(r, p), Now: s.now()}
}

// rosterTx runs a roster change in one transaction.
func (s *Server) rosterTx(r *http.Request, fn func(q db.Querier) error) error {
	return s.db.InTx(r.Context(), func(tx *db.Tx) error { return fn(tx) })
}

// rosterBack redirects to the roster page of the node the form was about.
func rosterBack(w http.ResponseWriter, r *http.Request, msg string) {
	to := "/admin/roster"
	if a := strings.TrimSpace(r.FormValue("area")); a != "" {
		if _, err := strconv.ParseInt(a, 10, 64); err == nil {
			to += "?area=" + url.QueryEscape(a)
		}
	}
	redirectFlash(w, r, to, msg)
}

// rosterCell is one cell of the grid: the shifts of a band on a day.
type rosterCell struct {
	Shifts []roster.Shift
}

// rosterDay is one row of the grid.
type rosterDay struct {
	Date  string // 12-08 周二
	Day   string // 2026-12-08
	Today bool
	Cells []rosterCell
	Gaps  []string // 16:00–18:00
}

type rosterPage struct {
	Nodes    []area.Node
	Node     area.Node
	Duty     roster.Duty
	Officers []auth.User
	NowOn    []roster.OnDutyNow
	Gaps24   []roster.Gap
	Bands    []string
	Days     []rosterDay
	Patterns []roster.Pattern
	Leave    []roster.Leave
	Weekdays []string
	Today    string
	Week     string
	Report   *roster.ImportReport
	Failed   string
}

func (s *Server) handleRosterPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.renderRoster(w, r, p, http.StatusOK, nil, "")
}

func (s *Server) renderRoster(w http.ResponseWriter, r *http.Request, p *auth.Principal, status int, rep *roster.ImportReport, failed string) error {
	ctx := r.Context()
	now := s.now()
	nodes, err := roster.Nodes(ctx, s.db, p.Scope)
	if err != nil {
		return err
	}
	if len(nodes) == 0 {
		return errorf(http.StatusNotFound, "no_roster", "您的辖区（%s）没有可排班的派出所或中心", p.Scope.Name)
	}
	want, err := formInt(r, "area")
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
	if pd.Officers, err = roster.Officers(ctx, s.db, p.Scope, node.ID); err != nil {
		return err
	}
	if pd.NowOn, err = roster.NowOnDuty(ctx, s.db, p.Scope, now); err != nil {
		return err
	}
	if pd.Gaps24, err = roster.Gaps(ctx, s.db, p.Scope, now, now.Add(24*time.Hour)); err != nil {
		return err
	}
	today := roster.DayOf(now)
	end := today.AddDate(0, 0, rosterDays)
	shifts, err := roster.ListShifts(ctx, s.db, p.Scope, node.ID, today, end)
	if err != nil {
		return err
	}
	gaps, err := roster.Gaps(ctx, s.db, node, today, end)
	if err != nil {
		return err
	}
	// Bands: the distinct start–end times of the shifts, by start.
	band := func(sh roster.Shift) string {
		e := sh.End.In(zone.Shanghai).Format("15:04")
		if e == "00:00" {
			e = "24:00"
		}
		return sh.Start.In(zone.Shanghai).Format("15:04") + "–" + e
	}
	seen := map[string]bool{}
	for _, sh := range shifts {
		if b := band(sh); !seen[b] {
			seen[b] = true
			pd.Bands = append(pd.Bands, b)
		}
	}
	sort.Strings(pd.Bands)
	col := map[string]int{}
	for i, b := range pd.Bands {
		col[b] = i
	}
	for d := today; d.Before(end); d = d.AddDate(0, 0, 1) {
		day := rosterDay{Date: d.Format("01-02") + " 周" + pd.Weekdays[(int(d.Weekday())+6)%7], Day: d.Format(roster.DayLayout),
			Today: d.Equal(today), Cells: make([]rosterCell, len(pd.Bands))}
		next := d.AddDate(0, 0, 1)
		for _, sh := range shifts {
			if !sh.Start.Before(d) && sh.Start.Before(next) {
				c := &day.Cells[col[band(sh)]]
				c.Shifts = append(c.Shifts, sh)
			}
		}
		for _, g := range gaps {
			if g.Start.Before(next) && g.End.After(d) {
				gs, ge := g.Start, g.End
				if gs.Before(d) {
					gs = d
				}
				if ge.After(next) {
					ge = next
				}
				es := ge.In(zone.Shanghai).Format("15:04")
				if ge.Equal(next) {
					es = "24:00"
				}
				day.Gaps = append(day.Gaps, gs.In(zone.Shanghai).Format("15:04")+"–"+es)
			}
		}
		pd.Days = append(pd.Days, day)
	}
	if pd.Patterns, err = roster.ListPatterns(ctx, s.db, p.Scope, node.ID); err != nil {
		return err
	}
	if pd.Leave, err = roster.ListLeave(ctx, s.db, node, now.AddDate(0, 0, -1), now.AddDate(0, 0, 90)); err != nil {
		return err
	}
	pd.Today = today.Format(roster.DayLayout)
	pd.Week = today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7)).Format(roster.DayLayout)
	s.render(w, r, status, "admin_roster", page{Title: "值班排班", Active: "/admin", Data: pd})
	return nil
}

// formTime reads a datetime-local (or "2026-12-08 08:00") value, Shanghai.
func formTime(r *http.Request, name, label string) (time.Time, error) {
	v := strings.TrimSpace(r.FormValue(name))
	if v == "" {
		return time.Time{}, errorf(http.StatusBadRequest, "bad_param", "请填写%s", label)
	}
	t, err := roster.ParseTime(v)
	if err != nil {
		return t, errorf(http.StatusBadRequest, "bad_param", "%s格式不对，应为 2026-12-08 08:00", label)
	}
	return t, nil
}

func (s *Server) handleShiftAdd(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	uid, err := formInt(r, "user_id")
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
		return errorf(http.StatusBadRequest, "bad_param", "请选择岗位（劝阻或值班）")
	}
	areaID, err := formInt(r, "area")
	if err != nil {
		return err
	}
	err = s.rosterTx(r, func(q db.Querier) error {
		_, err := roster.AddShift(r.Context(), q, s.rosterActor(r, p), roster.ShiftInput{AreaID: areaID, UserID: uid, Duty: duty, Start: start, End: end})
		return err
	})
	if err != nil {
		return err
	}
	rosterBack(w, r, "已添加班次 "+start.In(zone.Shanghai).Format("01-02 15:04")+"–"+end.In(zone.Shanghai).Format("01-02 15:04"))
	return nil
}

// rosterDelete is the handler of a delete button: the record named by the
// path's {id}, removed by del in the roster's transaction, then back to the
// roster page with done.
func (s *Server) rosterDelete(del func(context.Context, db.Querier, roster.Actor, int64) error, done string) consoleHandler {
	return func(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		if err := s.rosterTx(r, func(q db.Querier) error { return del(r.Context(), q, s.rosterActor(r, p), id) }); err != nil {
			return err
		}
		rosterBack(w, r, done)
		return nil
	}
}

func (s *Server) handleShiftSwap(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	uid, err := formInt(r, "user_id")
	if err != nil {
		return err
	}
	if uid == 0 {
		return errorf(http.StatusBadRequest, "bad_param", "请选择接班民警")
	}
	if err := s.rosterTx(r, func(q db.Querier) error { return roster.SwapShift(r.Context(), q, s.rosterActor(r, p), id, uid) }); err != nil {
		return err
	}
	rosterBack(w, r, "已调班")
	return nil
}

func (s *Server) handleShiftEdit(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
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
	if err := s.rosterTx(r, func(q db.Querier) error { return roster.EditShift(r.Context(), q, s.rosterActor(r, p), id, start, end) }); err != nil {
		return err
	}
	rosterBack(w, r, "已修改班次时间")
	return nil
}

func (s *Server) handlePatternAdd(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, "bad_form", "表单无法读取：%v", err)
	}
	uid, err := formInt(r, "user_id")
	if err != nil {
		return err
	}
	areaID, err := formInt(r, "area")
	if err != nil {
		return err
	}
	duty, ok := roster.ParseDuty(r.FormValue("duty"))
	if !ok {
		return errorf(http.StatusBadRequest, "bad_param", "请选择岗位（劝阻或值班）")
	}
	var wd roster.Weekdays
	for _, v := range r.Form["weekdays"] {
		i, err := strconv.Atoi(v)
		if err != nil || i < 0 || i > 6 {
			return errorf(http.StatusBadRequest, "bad_param", "星期几应为 0（周一）到 6（周日）")
		}
		wd |= 1 << i
	}
	hours, err := strconv.ParseFloat(strings.TrimSpace(r.FormValue("hours")), 64)
	if err != nil {
		return errorf(http.StatusBadRequest, "bad_param", "时长应为小时数，例如 8")
	}
	in := roster.PatternInput{AreaID: areaID, UserID: uid, Duty: duty, Weekdays: wd, Start: r.FormValue("start"), Hours: hours,
		From: r.FormValue("from"), Until: r.FormValue("until")}
	if err := s.rosterTx(r, func(q db.Querier) error {
		_, err := roster.AddPattern(r.Context(), q, s.rosterActor(r, p), in)
		return err
	}); err != nil {
		return err
	}
	rosterBack(w, r, "已添加排班规则，并已生成今后 21 天的班次")
	return nil
}

func (s *Server) handleLeaveAdd(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	uid, err := formInt(r, "user_id")
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
	if err := s.rosterTx(r, func(q db.Querier) error {
		_, err := roster.AddLeave(r.Context(), q, s.rosterActor(r, p), uid, from, to, r.FormValue("reason"))
		return err
	}); err != nil {
		return err
	}
	rosterBack(w, r, "已登记请假，期间不再分派预警")
	return nil
}

func (s *Server) handleRosterCopy(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	weeks, err := strconv.Atoi(strings.TrimSpace(r.FormValue("weeks")))
	if err != nil {
		return errorf(http.StatusBadRequest, "bad_param", "周数应为 1 到 12 的整数")
	}
	areaID, err := formInt(r, "area")
	if err != nil {
		return err
	}
	var res roster.CopyResult
	if err := s.rosterTx(r, func(q db.Querier) error {
		var err error
		res, err = roster.CopyWeek(r.Context(), q, s.rosterActor(r, p), areaID, r.FormValue("week"), weeks)
		return err
	}); err != nil {
		return err
	}
	rosterBack(w, r, fmt.Sprintf("已复制到之后 %d 周：新增 %d 个班次，跳过 %d 个（该民警当时已有班次或已停用）", weeks, res.Created, res.Skipped))
	return nil
}

func (s *Server) handleRosterImport(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f, fh, err := r.FormFile("file")
	if err != nil {
		return errorf(http.StatusBadRequest, "no_file", "没有收到文件：请选择排班文件（.xlsx 或 .csv）")
	}
	defer f.Close()
	name := filepath.Base(fh.Filename)
	var rep roster.ImportReport
	err = s.rosterTx(r, func(q db.Querier) error {
		var err error
		rep, err = roster.Import(r.Context(), q, s.rosterActor(r, p), name, f)
		return err
	})
	if err != nil {
		ae := classify(err)
		if ae.Status >= 500 {
			return err
		}
		return s.renderRoster(w, r, p, http.StatusUnprocessableEntity, &rep, ae.Message)
	}
	return s.renderRoster(w, r, p, http.StatusOK, &rep, "")
}

func (s *Server) handleRosterExport(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	from := roster.DayOf(s.now())
	if v := strings.TrimSpace(r.URL.Query().Get("from")); v != "" {
		t, err := roster.ParseDay(v)
		if err != nil {
			return errorf(http.StatusBadRequest, "bad_param", "from 应为日期（YYYY-MM-DD）")
		}
		from = t
	}
	days := rosterDays
	if v := strings.TrimSpace(r.URL.Query().Get("days")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 366 {
			return errorf(http.StatusBadRequest, "bad_param", "days 应为 1 到 366")
		}
		days = n
	}
	rows, err := roster.ExportRows(r.Context(), s.db, p.Scope, from, from.AddDate(0, 0, days))
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
	if err := s.audit(r, p, auth.AuditExport, "duty_shift", "", fmt.Sprintf("roster export %s, %d days: %d shifts",
		from.Format(roster.DayLayout), days, len(rows))); err != nil {
		return err
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}
