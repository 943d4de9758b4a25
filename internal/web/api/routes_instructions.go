package api

import (
	"net/http"

	"github.com/fanzha/fanzha/internal/assess"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/consult"
	"github.com/fanzha/fanzha/internal/dissuade"
	"github.com/fanzha/fanzha/internal/instruction"
	"github.com/fanzha/fanzha/internal/web"
)

// The route table's 指令闭环 (instructions from above: signing, the 待反馈
// queue, the feedback file), 劝阻质量 (回访, the person's history, the
// defrauded-after-dissuasion rate), 96110 and walk-in consultations, and
// the stations' league table with its 督办 tasks (internal/instruction,
// internal/dissuade, internal/consult, internal/assess; docs/INSTRUCTIONS.md).

var (
	qPeriodDefault = "; default: the last 30 days"
	qFeedbackFrom  = apiParam{"from", "string", "instructions received from this date (YYYY-MM-DD, Asia/Shanghai) or RFC 3339 time" + qPeriodDefault}
	qFeedbackTo    = apiParam{"to", "string", "up to this date (included) or RFC 3339 time"}
	qLayout        = apiParam{"layout", "string", "the return file layout (通用反馈表 or 省厅预警反馈表; default 通用反馈表)"}
	qOffset        = apiParam{"offset", "integer", "skip this many rows"}
)

const feedbackDescription = "The feedback file (反馈表) of the instructions in the caller's jurisdiction received in [from, to] that have a result: " +
	"one row per instruction, its latest report. Exporting records every new or changed report as sent (a changed result is a 续报 with a higher 报送次数), " +
	"so the instructions leave GET /api/v1/instructions/pending. X-Feedback-Rows and X-Feedback-New tell how many rows the file has and how many were new or changed. Audited."

func (s *handler) instructionAPIRoutes() []APIRoute {
	return []APIRoute{
		{Method: "GET", Path: "/api/v1/instructions/pending", Cap: auth.CapWarningRead, Handler: s.handlePendingFeedback, Tag: "instructions",
			Summary: "待反馈指令", Description: "The instructions in the caller's jurisdiction not yet reported back to their issuer, the nearest feedback deadline first: left is the time to the deadline in nanoseconds (negative: overdue). Paged by offset and limit (default 100, at most 1000); total and overdue count the whole queue.",
			Query: []apiParam{qOffset, qLimit, {"overdue", "integer", "1: only the overdue ones"}}, Response: pendingBody{}},
		{Method: "GET", Path: "/api/v1/instructions/feedback.xlsx", Cap: auth.CapWarningWrite, Handler: s.handleFeedbackFile, Tag: "instructions",
			Summary: "导出指令反馈表", Description: feedbackDescription, Query: []apiParam{qFeedbackFrom, qFeedbackTo, qLayout}, Produces: mimeXLSX},
		{Method: "GET", Path: "/api/v1/warnings/feedback.xlsx", Cap: auth.CapWarningWrite, Handler: s.handleFeedbackFile, Tag: "instructions",
			Summary: "导出指令反馈表（预警路径）", Description: "The same file as GET /api/v1/instructions/feedback.xlsx, under the name scripts use. " + feedbackDescription,
			Query: []apiParam{qFeedbackFrom, qFeedbackTo, qLayout}, Produces: mimeXLSX},
		{Method: "POST", Path: "/api/v1/instructions/import", Cap: auth.CapWarningWrite, Handler: s.handleImportInstructions, Tag: "instructions",
			Summary: "导入上级指令表格", Description: "An .xlsx or .csv instruction file (multipart field file; columns 指令编号, 下发级别 and 手机号 or 身份证号 required, see docs/INSTRUCTIONS.md). Its warnings go through the intake; each taken warning's instruction is registered with the issuer's deadlines or the level's defaults. Rows that cannot be read are listed in errors with a Chinese reason; a file that cannot be read at all is 400/422.",
			Upload: "file", Response: instruction.ImportReport{}},
		{Method: "GET", Path: "/api/v1/warnings/{id}/instruction", Cap: auth.CapWarningRead, Handler: s.handleWarningInstruction, Tag: "instructions",
			Summary: "预警的指令", Description: "The instruction the warning came as: level, number, issuer, sign and feedback deadlines, signing, the report as it would be sent now and the versions sent. A warning that did not come as an instruction is 404.",
			Response: instruction.Info{}},
		{Method: "POST", Path: "/api/v1/warnings/{id}/sign", Cap: auth.CapWarningWrite, Handler: s.handleSignInstruction, Tag: "instructions",
			Summary: "签收指令", Description: "Signs for the warning's instruction by hand (when signing is not automatic on assignment). Signing twice is 409. Audited; answers the instruction.",
			Response: instruction.Info{}},
		{Method: "GET", Path: "/api/v1/warnings/{id}/history", Cap: auth.CapWarningRead, Handler: s.handleWarningHistory, Tag: "warnings",
			Summary: "当事人既往记录", Description: "The person's earlier warnings (same phone or ID number, in the caller's jurisdiction) with their contact attempts, and the cases where the person is a victim. Phones masked unless unmask=1 (audited).",
			Query: []apiParam{qUnmask}, Response: dissuade.History{}},
		{Method: "GET", Path: "/api/v1/followups", Cap: auth.CapWarningRead, Handler: s.handleFollowups, Tag: "warnings",
			Summary: "我的回访", Description: "The caller's open follow-up calls (回访, scheduled after a successful dissuasion of a fund or high-risk warning) due before the end of the next days days (default 1: today and the overdue ones), earliest first.",
			Query: []apiParam{{"days", "integer", "due within this many days (default 1, at most 60)"}, qUnmask}, Response: followupsBody{}},
		{Method: "POST", Path: "/api/v1/followups", Cap: auth.CapWarningWrite, Handler: s.handleFollowupDone, Tag: "warnings",
			Summary: "登记回访结果", Description: "Records the result of follow-up id: safe (情况稳定), at_risk (仍有被骗风险), defrauded (已被骗) or unreachable (未联系上), with a note. A follow-up outside the caller's jurisdiction is 404, one already recorded 409. Answers the caller's list.",
			Request: followupBody{}, Response: followupsBody{}},
		{Method: "GET", Path: "/api/v1/figures/dissuasion", Cap: auth.CapFiguresRead, Handler: s.handleDissuasionFigures, Tag: "figures",
			Summary: "劝阻成功率与劝阻后被骗率", Description: "For the warnings whose outcome was given in the period: the dissuasion rate (劝阻成功 of those closed, false alarms left out) beside the defrauded-after-dissuasion rate (劝阻成功 warnings whose person is the victim of a case reported within 30 days after), in total, per station and per officer, with the list of those cases. Rates in ‰ in the *_permille fields.",
			Query: []apiParam{qFrom, qTo, qArea}, Response: dissuasionBody{}},
		{Method: "GET", Path: "/api/v1/figures/league", Cap: auth.CapFiguresRead, Handler: s.handleLeague, Tag: "figures",
			Summary: "考核排名（四色）", Description: "The league table of the period: one row per station under a county (per town under a station, per city under a province, per county under a city) with each assessed figure (value, numerator, denominator) and its colour red, orange, yellow or green by the configured thresholds ('' when there was nothing to measure), and the row's worst colour. figures lists the columns with their names, units and whether higher is better.",
			Query: []apiParam{qFrom, qTo, qArea}, Response: leagueBody{}},
		{Method: "GET", Path: "/api/v1/consultations", Cap: auth.CapWarningRead, Handler: s.handleConsultations, Tag: "consultations",
			Summary: "96110与来访登记", Description: "The consultations and tips logged in the caller's jurisdiction in the period (default the last 30 days), newest first; status open, lead (已转断卡线索), converted or closed filters; lead_at is when a tip became a 断卡 lead. Phones and accounts masked unless unmask=1 (audited).",
			Query: []apiParam{qFrom, qTo, {"status", "string", "open, lead, converted or closed"}, qUnmask}, Response: consultationsBody{}},
		{Method: "POST", Path: "/api/v1/consultations", Cap: auth.CapWarningWrite, Handler: s.handleLogConsultation, Tag: "consultations",
			Summary: "登记咨询或线索", Description: "Logs a 96110 call, walk-in or online consultation (channel hotline, walkin, online or other; kind consult or tip) with its summary; area_id defaults to the caller's node and must be in the caller's jurisdiction. Audited.",
			Request: consult.Input{}, Response: idBody{}, Status: http.StatusCreated},
		{Method: "POST", Path: "/api/v1/consultations/{id}/convert", Cap: auth.CapWarningWrite, Handler: s.handleConvertConsultation, Tag: "consultations",
			Summary: "转为预警", Description: "Turns an open consultation into a warning about the person at risk it now names (phone or ID number required) through the intake, source 96110 or 来访; converting again is 409 naming the warning. Audited.",
			Request: web.ConvertInput{}, Response: convertedBody{}, Status: http.StatusCreated},
		{Method: "POST", Path: "/api/v1/consultations/{id}/lead", Cap: auth.CapWarningWrite, Handler: s.handleConsultationLead, Tag: "consultations",
			Summary: "转为断卡线索", Description: "Turns a tip (open, or already converted to a warning) into a 断卡 lead: its scam account and phone number are labelled mules in 两卡研判 with the tip's reference ZX-<id>; an open tip becomes 已转断卡线索 (status lead) and may still become a warning. A tip gives its lead once: again is 409, a closed one 409; one naming neither a scam account nor a phone number is 422 (code no_number). Answers the numbers labelled, the account masked unless unmask=1 (audited). Audited.",
			Query: []apiParam{qUnmask}, Response: consult.CardLead{}, Status: http.StatusCreated},
		{Method: "POST", Path: "/api/v1/consultations/{id}/close", Cap: auth.CapWarningWrite, Handler: s.handleCloseConsultation, Tag: "consultations",
			Summary: "办结咨询", Description: "Closes an open consultation that needs no warning; a converted or closed one is 409. Audited.",
			Response: statusBody{}},
		{Method: "GET", Path: "/api/v1/supervision/tasks", Cap: auth.CapFiguresRead, Handler: s.handleSupervisionTasks, Tag: "supervision",
			Summary: "督办任务", Description: "The 督办 tasks of the units in the caller's jurisdiction: one per unit graded red by the league table of a month (created on the 1st of the next month), assigned to the unit's leader (else the nearest leader above), with the red figures and their bounds. Open ones first, the newest period first; status open or closed (done) filters. Paged by offset and limit (default 50, at most 500).",
			Query: []apiParam{{"status", "string", "open or closed (default: both)"}, qOffset, qLimit}, Response: supervisionTasksBody{}},
		{Method: "POST", Path: "/api/v1/supervision/tasks/{id}/close", Cap: auth.CapFiguresRead, Handler: s.handleCloseSupervisionTask, Tag: "supervision",
			Summary: "办结督办任务", Description: "Records what was done about the red figures (note, required) and closes the task. Only the leader the task is assigned to, or a user with staff.manage (the centre's admin, a station head), may close it: anyone else in the jurisdiction is 403, a task outside it 404, one already closed 409. Audited; answers the task.",
			Request: closeTaskBody{}, Response: assess.Task{}},
		{Method: "POST", Path: "/api/v1/registrations/import", Cap: auth.CapStaffManage, Handler: s.handleImportRegistrations, Tag: "figures",
			Summary: "导入反诈APP注册数", Description: "The monthly 国家反诈中心 APP registrations per area (.xlsx or .csv, multipart field file; columns 地区 (code or name in the caller's jurisdiction), 月份, 注册数). All or nothing: any bad row refuses the file (422) with every bad row listed. A month imported again replaces its count.",
			Upload: "file", Response: registrationsBody{}},
	}
}
