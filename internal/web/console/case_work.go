package console

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/investigation"
	"github.com/fanzha/fanzha/internal/web"
	"github.com/fanzha/fanzha/internal/zone"
)

// The case page's work panels (internal/investigation, work inside a case):
// 办案任务, 办案笔记, 附件, 关联预警/团伙, 串并案 and 战役/督办. The forms
// post to the routes below, which call the same use cases as the API
// (web/api/casework.go) and come back to the panel with a flash.

// caseWorkView is the data of the work panels.
type caseWorkView struct {
	Tasks       []investigation.Task
	Assignees   []funds.Investigator // who a task may go to (writers only)
	Notes       []investigation.Note
	Attachments []investigation.Attachment
	Links       []caseLinkRow
	Series      investigation.Series
	IsParent    bool                     // the case is the series' parent (merging happens here)
	InSeries    bool                     // the series has more than this case
	Campaigns   []investigation.Campaign // the case's
	Offered     []investigation.Campaign // seen from the caller, the case not under them
	CanTag      bool
	MaxFiles    int
	MaxFileMB   int
	Today       string
}

// caseLinkRow is a related warning or intel group as shown: an intel
// group's entity key masked like the page.
type caseLinkRow struct {
	ID        int64
	Kind      string
	KindName  string
	WarningID int64
	Ref       string
	Note      string
	CreatedAt time.Time
}

func (s *handler) caseWorkPages() {
	m := s.Mux
	m.HandleFunc("POST /cases/{id}/tasks", s.Page(auth.CapCaseWrite, s.handleTaskForm))
	m.HandleFunc("POST /cases/{id}/tasks/{tid}", s.Page(auth.CapCaseWrite, s.handleTaskDoneForm))
	m.HandleFunc("POST /cases/{id}/notes", s.Page(auth.CapCaseWrite, s.handleNoteForm))
	m.HandleFunc("POST /cases/{id}/attachments", s.Page(auth.CapCaseWrite, s.handleAttachmentForm))
	m.HandleFunc("POST /cases/{id}/links", s.Page(auth.CapCaseWrite, s.handleLinkForm))
	m.HandleFunc("POST /cases/{id}/series", s.Page(auth.CapCaseWrite, s.handleMergeForm))
	m.HandleFunc("POST /cases/{id}/series/{child}/unmerge", s.Page(auth.CapCaseWrite, s.handleUnmergeForm))
	m.HandleFunc("POST /cases/{id}/campaigns", s.Page(auth.CapCaseRead, s.handleCaseCampaignForm))
	m.HandleFunc("GET /cases/{id}/summary", s.Page(auth.CapCaseRead, s.handleCaseSummary))
}

// caseWork reads the work panels of case id for p, masked by m.
func (s *handler) caseWork(r *http.Request, p *auth.Principal, id int64, m auth.Masker) (caseWorkView, error) {
	ctx, now := r.Context(), s.Now()
	v := caseWorkView{MaxFiles: investigation.MaxAttachments, MaxFileMB: investigation.MaxAttachmentBytes >> 20,
		Today: now.In(zone.Shanghai).Format("2006-01-02"), CanTag: p.User.Role == auth.RoleLeader || p.Can(auth.CapCaseWrite)}
	var err error
	if v.Tasks, err = investigation.CaseTasks(ctx, s.DB, p.Scope, id, now); err != nil {
		return v, err
	}
	if p.Can(auth.CapCaseWrite) {
		if v.Assignees, err = funds.Investigators(ctx, s.DB, p.Scope, id, now); err != nil {
			return v, err
		}
	}
	if v.Notes, err = investigation.CaseNotes(ctx, s.DB, p.Scope, id); err != nil {
		return v, err
	}
	for i := range v.Notes {
		v.Notes[i].Body = m.Text(v.Notes[i].Body)
	}
	if v.Attachments, err = investigation.CaseAttachments(ctx, s.DB, p.Scope, id); err != nil {
		return v, err
	}
	links, err := investigation.CaseLinks(ctx, s.DB, p.Scope, id)
	if err != nil {
		return v, err
	}
	for _, l := range links {
		row := caseLinkRow{ID: l.ID, Kind: l.Kind, WarningID: l.WarningID, Note: m.Text(l.Note), CreatedAt: l.CreatedAt, KindName: "预警"}
		if l.Kind == investigation.LinkIntelGroup {
			row.KindName, row.Ref = "研判团伙", maskRef(m, l.Ref)
		}
		v.Links = append(v.Links, row)
	}
	if v.Series, err = investigation.SeriesOf(ctx, s.DB, p.Scope, id); err != nil {
		return v, err
	}
	v.IsParent = v.Series.ParentID == id
	v.InSeries = !v.IsParent || len(v.Series.Members) > 0
	if v.Campaigns, err = investigation.CaseCampaigns(ctx, s.DB, p.Scope, id); err != nil {
		return v, err
	}
	if v.CanTag {
		all, err := investigation.Campaigns(ctx, s.DB, p.Scope)
		if err != nil {
			return v, err
		}
		on := map[int64]bool{}
		for _, g := range v.Campaigns {
			on[g.ID] = true
		}
		for _, g := range all {
			if !on[g.ID] {
				v.Offered = append(v.Offered, g)
			}
		}
	}
	return v, nil
}

// maskRef masks the number in an intel group's entity key (phone:…,
// account:…) like every number on the page.
func maskRef(m auth.Masker, ref string) string {
	kind, key, ok := strings.Cut(ref, ":")
	if !ok {
		return m.Text(ref)
	}
	switch kind {
	case "phone":
		return kind + ":" + m.Phone(key)
	case "account", "card":
		return kind + ":" + m.Card(key)
	}
	return kind + ":" + m.Text(key)
}

// caseAnchor is the case page at one of its panels.
func caseAnchor(id int64, panel string) string {
	return fmt.Sprintf("/cases/%d#%s", id, panel)
}

// pathNumber reads a positive path value other than {id}.
func pathNumber(r *http.Request, name, what string) (int64, error) {
	v, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || v <= 0 {
		return 0, web.Errorf(http.StatusBadRequest, "bad_id", "%s编号 %q 不是有效的正整数", what, r.PathValue(name))
	}
	return v, nil
}

func (s *handler) handleTaskForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	assignee, err := web.FormInt(r, "assignee_id")
	if err != nil {
		return err
	}
	dueDay := strings.TrimSpace(r.FormValue("due"))
	if dueDay == "" {
		return web.Errorf(http.StatusUnprocessableEntity, "invalid", "请填写任务的截止日期")
	}
	d, err := time.ParseInLocation("2006-01-02", dueDay, zone.Shanghai)
	if err != nil {
		return web.Errorf(http.StatusBadRequest, "bad_date", "截止日期 %q 应为 YYYY-MM-DD", dueDay)
	}
	// The due date is the end of that day, as in the API.
	due := d.AddDate(0, 0, 1).Add(-time.Second)
	if _, err := investigation.AddTask(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p),
		investigation.TaskInput{CaseID: id, Title: r.FormValue("title"), AssigneeID: assignee, Due: due}, s.Now()); err != nil {
		return err
	}
	web.RedirectFlash(w, r, caseAnchor(id, "tasks"), "已新建任务")
	return nil
}

func (s *handler) handleTaskDoneForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	tid, err := pathNumber(r, "tid", "任务")
	if err != nil {
		return err
	}
	// The task must be one of this case's (in scope).
	list, err := investigation.CaseTasks(r.Context(), s.DB, p.Scope, id, s.Now())
	if err != nil {
		return err
	}
	found := false
	for _, t := range list {
		found = found || t.ID == tid
	}
	if !found {
		return web.Errorf(http.StatusNotFound, "not_found", "案件 %d 没有任务 %d", id, tid)
	}
	done := r.FormValue("done") == "1"
	if err := investigation.SetTaskDone(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), tid, done, s.Now()); err != nil {
		return err
	}
	msg := "任务已完成"
	if !done {
		msg = "任务已重新打开"
	}
	web.RedirectFlash(w, r, caseAnchor(id, "tasks"), msg)
	return nil
}

func (s *handler) handleNoteForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	if _, err := investigation.AddNote(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, r.FormValue("body"), s.Now()); err != nil {
		return err
	}
	web.RedirectFlash(w, r, caseAnchor(id, "notes"), "已记录笔记")
	return nil
}

func (s *handler) handleAttachmentForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	// The case first: outside the caller's jurisdiction it is not found,
	// whatever was posted.
	if _, err := investigation.CaseAttachments(r.Context(), s.DB, p.Scope, id); err != nil {
		return err
	}
	f, h, err := r.FormFile("file")
	if err != nil {
		return web.Errorf(http.StatusBadRequest, "bad_request", "请选择要上传的附件（图片或 PDF）")
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return web.Errorf(http.StatusBadRequest, "bad_form", "附件无法读取，请重新选择后提交")
	}
	a, err := investigation.AddAttachment(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id,
		investigation.NewAttachment{Name: h.Filename, Data: data}, s.Now())
	if err != nil {
		return err
	}
	web.RedirectFlash(w, r, caseAnchor(id, "attachments"), "已上传附件 "+a.Name)
	return nil
}

func (s *handler) handleLinkForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	in := investigation.LinkInput{CaseID: id, Kind: r.FormValue("kind"), Note: r.FormValue("note")}
	ref := strings.TrimSpace(r.FormValue("ref"))
	if in.Kind == investigation.LinkWarning {
		n, err := strconv.ParseInt(strings.TrimPrefix(ref, "#"), 10, 64)
		if err != nil || n <= 0 {
			return web.Errorf(http.StatusUnprocessableEntity, "invalid", "请填写预警编号（数字）")
		}
		in.WarningID = n
	} else {
		in.Ref = ref
	}
	if _, err := investigation.AddLink(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), in, s.Now()); err != nil {
		return err
	}
	web.RedirectFlash(w, r, caseAnchor(id, "links"), "已添加关联")
	return nil
}

func (s *handler) handleMergeForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	// The parent first: a case outside the caller's jurisdiction is not
	// found before any number typed is looked at.
	if _, err := investigation.SeriesOf(r.Context(), s.DB, p.Scope, id); err != nil {
		return err
	}
	ids, err := investigation.CaseIDsByNo(r.Context(), s.DB, p.Scope, r.FormValue("case_nos"))
	if err != nil {
		return err
	}
	if err := investigation.Merge(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, ids, r.FormValue("reason"), s.Now()); err != nil {
		return err
	}
	web.RedirectFlash(w, r, caseAnchor(id, "series"), fmt.Sprintf("已串并 %d 起案件", len(ids)))
	return nil
}

func (s *handler) handleUnmergeForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	child, err := pathNumber(r, "child", "案件")
	if err != nil {
		return err
	}
	se, err := investigation.SeriesOf(r.Context(), s.DB, p.Scope, child)
	if err != nil {
		return err
	}
	if se.ParentID != id || child == id {
		return web.Errorf(http.StatusNotFound, "not_found", "案件 %d 不在案件 %d 的串并案中", child, id)
	}
	if err := investigation.Unmerge(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), child, r.FormValue("note"), s.Now()); err != nil {
		return err
	}
	web.RedirectFlash(w, r, caseAnchor(id, "series"), "已撤销串并")
	return nil
}

// handleCaseCampaignForm puts the case under a campaign (or, remove=1,
// takes it off).
func (s *handler) handleCaseCampaignForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	if _, err := investigation.CaseCampaigns(r.Context(), s.DB, p.Scope, id); err != nil {
		return err // outside the caller's jurisdiction: not found
	}
	g, err := web.FormInt(r, "campaign_id")
	if err != nil {
		return err
	}
	if g <= 0 {
		return web.Errorf(http.StatusUnprocessableEntity, "invalid", "请选择战役或督办")
	}
	add := r.FormValue("remove") != "1"
	if err := investigation.TagCase(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), g, id, add, s.Now()); err != nil {
		return err
	}
	msg := "已列入战役/督办"
	if !add {
		msg = "已移出战役/督办"
	}
	web.RedirectFlash(w, r, caseAnchor(id, "campaigns"), msg)
	return nil
}
