package api

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/investigation"
	"github.com/fanzha/fanzha/internal/web"
)

// The handlers of work inside a case (tasks, notes, attachments, links),
// series (串并案), campaigns (集群战役, 督办) and the case file export:
// each reads the request and calls internal/investigation with the
// caller's scope and audit entry.

type (
	tasksBody struct {
		Tasks []investigation.Task `json:"tasks"`
	}
	taskBody struct {
		Title      string `json:"title"`
		AssigneeID int64  `json:"assignee_id"`
		Due        string `json:"due_at"` // YYYY-MM-DD or RFC 3339
	}
	taskDoneBody struct {
		Done bool `json:"done"` // false reopens the task
	}
	notesBody struct {
		Notes []investigation.Note `json:"notes"`
	}
	noteBody struct {
		Body string `json:"body"`
	}
	attachmentsBody struct {
		Attachments []investigation.Attachment `json:"attachments"`
	}
	linksBody struct {
		Links []investigation.Link `json:"links"`
	}
	linkBody struct {
		Kind      string `json:"kind"` // warning or intel_group
		WarningID int64  `json:"warning_id,omitempty"`
		Ref       string `json:"ref,omitempty"`
		Note      string `json:"note,omitempty"`
	}
	mergeBody struct {
		CaseIDs []int64 `json:"case_ids"`
		Reason  string  `json:"reason"`
	}
	campaignsBody struct {
		Campaigns []investigation.Campaign `json:"campaigns"`
	}
	campaignBody struct {
		Kind    investigation.CampaignKind `json:"kind"`
		Name    string                     `json:"name"`
		AreaID  int64                      `json:"area_id"`
		Started string                     `json:"started_at,omitempty"` // YYYY-MM-DD or RFC 3339; empty: now
		Note    string                     `json:"note,omitempty"`
	}
	campaignCaseBody struct {
		CaseID int64 `json:"case_id"`
		Remove bool  `json:"remove,omitempty"` // true takes the case out of the campaign
	}
)

// pathInt reads a positive path value other than {id}.
func pathInt(r *http.Request, name, what string) (int64, error) {
	v, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || v <= 0 {
		return 0, web.Errorf(http.StatusBadRequest, "bad_id", "%s编号 %q 不是有效的正整数", what, r.PathValue(name))
	}
	return v, nil
}

// dueTime reads a task's due date: YYYY-MM-DD is the end of that day
// (Asia/Shanghai), RFC 3339 the time given.
func (s *handler) dueTime(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if t, err := time.ParseInLocation("2006-01-02", v, s.Loc); err == nil {
		return t.AddDate(0, 0, 1).Add(-time.Second), nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Time{}, web.Errorf(http.StatusBadRequest, "bad_param", "due_at=%q 应为日期 YYYY-MM-DD 或 RFC 3339 时间", v)
}

func (s *handler) handleCaseTasks(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	list, err := investigation.CaseTasks(r.Context(), s.DB, p.Scope, id, s.Now())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, tasksBody{Tasks: list})
	return nil
}

func (s *handler) handleAddTask(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var in taskBody
	if err := web.DecodeJSON(r, &in, 1<<14); err != nil {
		return err
	}
	if strings.TrimSpace(in.Due) == "" {
		return web.Errorf(http.StatusUnprocessableEntity, "invalid", "请填写任务的截止日期")
	}
	due, err := s.dueTime(in.Due)
	if err != nil {
		return err
	}
	tid, err := investigation.AddTask(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p),
		investigation.TaskInput{CaseID: id, Title: in.Title, AssigneeID: in.AssigneeID, Due: due}, s.Now())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, idBody{ID: tid})
	return nil
}

func (s *handler) handleTaskDone(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	tid, err := pathInt(r, "tid", "任务")
	if err != nil {
		return err
	}
	var in taskDoneBody
	if err := web.DecodeJSON(r, &in, 1<<12); err != nil {
		return err
	}
	// The task must be one of this case's (in scope): a task id of another
	// case under this case's path is not found.
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
	if err := investigation.SetTaskDone(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), tid, in.Done, s.Now()); err != nil {
		return err
	}
	return s.handleCaseTasks(w, r, p)
}

func (s *handler) handleOverdueTasks(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	list, err := investigation.OverdueTasks(r.Context(), s.DB, p.Scope, p.User.ID, s.Now())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, tasksBody{Tasks: list})
	return nil
}

func (s *handler) handleCaseNotes(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	list, err := investigation.CaseNotes(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, notesBody{Notes: list})
	return nil
}

func (s *handler) handleAddNote(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var in noteBody
	if err := web.DecodeJSON(r, &in, 1<<16); err != nil {
		return err
	}
	nid, err := investigation.AddNote(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, in.Body, s.Now())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, idBody{ID: nid})
	return nil
}

func (s *handler) handleCaseAttachments(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	list, err := investigation.CaseAttachments(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, attachmentsBody{Attachments: list})
	return nil
}

// readUpload reads one file: the multipart field file, or the raw body
// with its name in ?name=.
func readUpload(r *http.Request) (string, []byte, error) {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		f, h, err := r.FormFile("file")
		if err != nil {
			return "", nil, web.Errorf(http.StatusBadRequest, "bad_request", "请在表单字段 file 中上传附件")
		}
		defer f.Close()
		data, err := io.ReadAll(f)
		return h.Filename, data, err
	}
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r.Body); err != nil {
		return "", nil, err
	}
	return r.URL.Query().Get("name"), buf.Bytes(), nil
}

func (s *handler) handleAddAttachment(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	name, data, err := readUpload(r)
	if err != nil {
		return err
	}
	a, err := investigation.AddAttachment(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id,
		investigation.NewAttachment{Name: name, Data: data}, s.Now())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, a)
	return nil
}

func (s *handler) handleAttachment(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	aid, err := pathInt(r, "aid", "附件")
	if err != nil {
		return err
	}
	a, data, err := investigation.AttachmentData(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), aid, s.Now())
	if err != nil {
		return err
	}
	if a.CaseID != id {
		return web.Errorf(http.StatusNotFound, "not_found", "案件 %d 没有附件 %d", id, aid)
	}
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Disposition", "attachment; filename=\"attachment\"; filename*=UTF-8''"+url.PathEscape(a.Name))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, err = w.Write(data)
	return err
}

func (s *handler) handleCaseLinks(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	list, err := investigation.CaseLinks(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, linksBody{Links: list})
	return nil
}

func (s *handler) handleAddLink(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var in linkBody
	if err := web.DecodeJSON(r, &in, 1<<14); err != nil {
		return err
	}
	lid, err := investigation.AddLink(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p),
		investigation.LinkInput{CaseID: id, Kind: in.Kind, WarningID: in.WarningID, Ref: in.Ref, Note: in.Note}, s.Now())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, idBody{ID: lid})
	return nil
}

func (s *handler) handleSeries(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	se, err := investigation.SeriesOf(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, se)
	return nil
}

func (s *handler) handleMerge(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var in mergeBody
	if err := web.DecodeJSON(r, &in, 1<<14); err != nil {
		return err
	}
	if err := investigation.Merge(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, in.CaseIDs, in.Reason, s.Now()); err != nil {
		return err
	}
	return s.handleSeries(w, r, p)
}

func (s *handler) handleUnmerge(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	child, err := pathInt(r, "child", "案件")
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
	if err := investigation.Unmerge(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), child, r.URL.Query().Get("note"), s.Now()); err != nil {
		return err
	}
	return s.handleSeries(w, r, p)
}

func (s *handler) handleCampaigns(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	list, err := investigation.Campaigns(r.Context(), s.DB, p.Scope)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, campaignsBody{Campaigns: list})
	return nil
}

func (s *handler) handleCreateCampaign(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in campaignBody
	if err := web.DecodeJSON(r, &in, 1<<14); err != nil {
		return err
	}
	started, err := s.dayOrTime("started_at", in.Started)
	if err != nil {
		return err
	}
	id, err := investigation.CreateCampaign(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p),
		investigation.CampaignInput{Kind: in.Kind, Name: in.Name, AreaID: in.AreaID, Started: started, Note: in.Note}, s.Now())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, idBody{ID: id})
	return nil
}

func (s *handler) handleTagCase(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var in campaignCaseBody
	if err := web.DecodeJSON(r, &in, 1<<12); err != nil {
		return err
	}
	if err := investigation.TagCase(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, in.CaseID, !in.Remove, s.Now()); err != nil {
		return err
	}
	return s.handleCampaign(w, r, p)
}

func (s *handler) handleCampaign(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	pr, err := investigation.Progress(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, pr)
	return nil
}

func (s *handler) handleCaseFile(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	m, err := s.Masker(r, p, "case", strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := investigation.WriteCaseFile(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), m, id, &buf, s.Now()); err != nil {
		return err
	}
	w.Header().Set("Content-Type", mimeXLSX)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"case-%d.xlsx\"", id))
	_, err = w.Write(buf.Bytes())
	return err
}
