package api

import (
	"net/http"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/investigation"
)

// The route table's work inside a case (tasks, notes, attachments, links),
// 串并案 series, campaigns (集群战役, 部/省/市督办) and the case file
// (internal/investigation).

func (s *handler) caseworkAPIRoutes() []APIRoute {
	return []APIRoute{
		{Method: "GET", Path: "/api/v1/cases/{id}/tasks", Cap: auth.CapCaseRead, Handler: s.handleCaseTasks, Tag: "cases",
			Summary: "案件任务", Description: "The tasks of the case, open first by due date; overdue marks an open task past its due date.",
			Response: tasksBody{}},
		{Method: "POST", Path: "/api/v1/cases/{id}/tasks", Cap: auth.CapCaseWrite, Handler: s.handleAddTask, Tag: "cases",
			Summary: "布置任务", Description: "Gives a task (title, due_at as YYYY-MM-DD or RFC 3339) to an officer who may work the case (assignee_id: an active user with case.write whose jurisdiction holds the case; others 400).",
			Request: taskBody{}, Response: idBody{}, Status: http.StatusCreated},
		{Method: "POST", Path: "/api/v1/cases/{id}/tasks/{tid}", Cap: auth.CapCaseWrite, Handler: s.handleTaskDone, Tag: "cases",
			Summary: "完成或重开任务", Description: "done true marks the task done, false reopens it. A task not of this case is 404. Answers the case's tasks.",
			Request: taskDoneBody{}, Response: tasksBody{}},
		{Method: "GET", Path: "/api/v1/tasks/overdue", Cap: auth.CapCaseRead, Handler: s.handleOverdueTasks, Tag: "cases",
			Summary: "我的逾期任务", Description: "The caller's open tasks past their due date, on cases in the caller's jurisdiction.",
			Response: tasksBody{}},
		{Method: "GET", Path: "/api/v1/cases/{id}/notes", Cap: auth.CapCaseRead, Handler: s.handleCaseNotes, Tag: "cases",
			Summary: "案件备注", Description: "The notes of the case, newest first.", Response: notesBody{}},
		{Method: "POST", Path: "/api/v1/cases/{id}/notes", Cap: auth.CapCaseWrite, Handler: s.handleAddNote, Tag: "cases",
			Summary: "添加备注", Description: "Adds a note (body) to the case; audited and on the case's timeline.",
			Request: noteBody{}, Response: idBody{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/api/v1/cases/{id}/attachments", Cap: auth.CapCaseRead, Handler: s.handleCaseAttachments, Tag: "cases",
			Summary: "案件附件", Description: "The attachments of the case (name, type, size, SHA-256), without their contents.",
			Response: attachmentsBody{}},
		{Method: "POST", Path: "/api/v1/cases/{id}/attachments", Cap: auth.CapCaseWrite, Handler: s.handleAddAttachment, Tag: "cases",
			Summary: "上传附件", Description: "One JPEG, PNG, WebP image or PDF file of at most 10 MB: multipart field file, or the raw body with the name in ?name=. The type is found by decoding (images are re-encoded, dropping their metadata); anything else is 400 with the reason.",
			Upload: "file", Response: investigation.Attachment{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/api/v1/cases/{id}/attachments/{aid}", Cap: auth.CapCaseRead, Handler: s.handleAttachment, Tag: "cases",
			Summary: "下载附件", Description: "The attachment's contents; every read is audited. An attachment not of this case is 404.",
			Produces: "application/octet-stream"},
		{Method: "GET", Path: "/api/v1/cases/{id}/links", Cap: auth.CapCaseRead, Handler: s.handleCaseLinks, Tag: "cases",
			Summary: "关联预警与团伙", Description: "The warnings and intel groups related to the case.", Response: linksBody{}},
		{Method: "POST", Path: "/api/v1/cases/{id}/links", Cap: auth.CapCaseWrite, Handler: s.handleAddLink, Tag: "cases",
			Summary: "关联预警或团伙", Description: "kind warning with warning_id (a warning in the caller's jurisdiction), or kind intel_group with ref (an entity key of the group, e.g. phone:13800000000). The same link twice is 409.",
			Request: linkBody{}, Response: idBody{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/api/v1/cases/{id}/series", Cap: auth.CapCaseRead, Handler: s.handleSeries, Tag: "cases",
			Summary: "串并案", Description: "The series the case belongs to (its parent, current members, un-merged history) with the losses and suspects rolled up once each.",
			Response: investigation.Series{}},
		{Method: "POST", Path: "/api/v1/cases/{id}/series", Cap: auth.CapCaseWrite, Handler: s.handleMerge, Tag: "cases",
			Summary: "串并案件", Description: "Merges case_ids into the series whose parent is this case, with a reason; answers the series.",
			Request: mergeBody{}, Response: investigation.Series{}},
		{Method: "DELETE", Path: "/api/v1/cases/{id}/series/{child}", Cap: auth.CapCaseWrite, Handler: s.handleUnmerge, Tag: "cases",
			Summary: "撤销串并", Description: "Takes a member out of the series of this parent case (?note= why); the history keeps it. A case not a member is 404.",
			Query: []apiParam{{"note", "string", "why the case is taken out"}}, Response: investigation.Series{}},
		{Method: "GET", Path: "/api/v1/campaigns", Cap: auth.CapCaseRead, Handler: s.handleCampaigns, Tag: "cases",
			Summary: "集群战役与督办", Description: "The campaigns and supervised-case tags seen from the caller's jurisdiction, with the number of their cases in it.",
			Response: campaignsBody{}},
		{Method: "POST", Path: "/api/v1/campaigns", Cap: auth.CapCaseRead, Handler: s.handleCreateCampaign, Tag: "cases",
			Summary: "设立战役或督办", Description: "kind cluster (集群战役), ministry, province or city (督办), a name and the area (in the caller's jurisdiction) it belongs to. Leaders and roles with case.write; others 403.",
			Request: campaignBody{}, Response: idBody{}, Status: http.StatusCreated},
		{Method: "POST", Path: "/api/v1/campaigns/{id}/cases", Cap: auth.CapCaseWrite, Handler: s.handleTagCase, Tag: "cases",
			Summary: "案件加入或移出战役", Description: "Puts case_id (in the caller's jurisdiction) in the campaign, or with remove true takes it out; answers the campaign's progress.",
			Request: campaignCaseBody{}, Response: investigation.CampaignProgress{}},
		{Method: "GET", Path: "/api/v1/campaigns/{id}", Cap: auth.CapCaseRead, Handler: s.handleCampaign, Tag: "cases",
			Summary: "战役进度", Description: "The campaign with its cases in the caller's jurisdiction: counts by lifecycle state, filed, solved, losses, suspects, caught and struck criminally.",
			Response: investigation.CampaignProgress{}},
		{Method: "GET", Path: "/api/v1/cases/{id}/file.xlsx", Cap: auth.CapCaseRead, Handler: s.handleCaseFile, Tag: "cases",
			Summary: "导出案件卷宗", Description: "The case file as a workbook (卷宗目录, parties, transfers, trace, requests, dispositions, lifecycle, timeline); the export is audited. Masked unless ?unmask=1.",
			Query: []apiParam{qUnmask}, Produces: mimeXLSX},
	}
}
