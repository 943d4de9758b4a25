package api

import (
	"net/http"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/instruction"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/returns"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/web/apiv1"
)

// The route table's warnings, cases and funds (止付/冻结, 返还, 流水).

func (s *handler) warningAPIRoutes() []APIRoute {
	return []APIRoute{
		{Method: "GET", Path: "/api/v1/warnings", Cap: auth.CapWarningRead, Handler: s.handleWarnings, Tag: "warnings",
			Summary: "预警列表", Description: "Warnings in the caller's jurisdiction, newest first.",
			Query: []apiParam{{"status", "string", "only this status"}, {"grade", "string", "only this grade"}, {"station", "integer", "only this station's warnings (area id)"},
				qFrom, qTo, qBefore, qLimit, qUnmask},
			Response: warningsBody{}},
		{Method: "GET", Path: "/api/v1/warnings/{id}", Cap: auth.CapWarningRead, Handler: s.handleWarning, Tag: "warnings",
			Summary: "预警详情", Query: []apiParam{qUnmask}, Response: warning.Warning{}},
		{Method: "POST", Path: "/api/v1/warnings", Cap: auth.CapWarningWrite, Handler: s.handleCreateWarnings, Tag: "warnings",
			Summary: "接收预警", Description: "One warning (a JSON object of the Input shape, with an optional \"instruction\" {level, number, issuer, sign_due, feedback_due} that registers the instruction it came as; answered with one ItemResult), a JSON array of them, or a batch {warnings, all_or_nothing} of up to 10,000 (answered with a BatchResult). Answered once durably stored: 201 when something new was stored, 200 when everything was already there, 422 when nothing could be taken.",
			Request: batchRequest{}, Response: instruction.Submitted{}, Status: http.StatusCreated},
		{Method: "POST", Path: "/api/v1/warnings/import", Cap: auth.CapWarningWrite, Handler: s.handleImportWarnings, Tag: "warnings",
			Summary: "导入预警表格", Description: "An .xlsx or .csv file of warnings (multipart field file; all_or_nothing=1 to take none when a row fails). 422 with the report when nothing was taken.",
			Upload: "file", Response: warning.ImportReport{}},
		{Method: "POST", Path: "/api/v1/warnings/next", Cap: auth.CapWarningWrite, Handler: s.handleNextWarning, Tag: "warnings",
			Summary: "下一条", Description: "Hands the caller the waiting warning of their jurisdiction where a call now is expected to keep the most money, claimed for them; 404 nothing_waiting when none waits.",
			Response: warning.NextResult{}},
		{Method: "GET", Path: "/api/v1/warnings/{id}/timeline", Cap: auth.CapWarningRead, Handler: s.handleWarningTimeline, Tag: "warnings",
			Summary: "预警处置记录", Description: "The warning's events and the warnings merged into it.", Query: []apiParam{qUnmask}, Response: warningTimelineBody{}},
		{Method: "POST", Path: "/api/v1/warnings/{id}/contacts", Cap: auth.CapWarningWrite, Handler: s.handleWarningContact, Tag: "warnings",
			Summary: "记录联系", Request: warning.ContactInput{}, Response: apiv1.StatusBody{}, Status: http.StatusCreated},
		{Method: "POST", Path: "/api/v1/warnings/{id}/outcome", Cap: auth.CapWarningWrite, Handler: s.handleWarningOutcome, Tag: "warnings",
			Summary: "记录处置结果", Request: warning.OutcomeInput{}, Response: warning.OutcomeResult{}},
		{Method: "POST", Path: "/api/v1/warnings/{id}/handover", Cap: auth.CapWarningWrite, Handler: s.handleWarningHandover, Tag: "warnings",
			Summary: "移交预警", Request: warning.HandoverInput{}, Response: apiv1.StatusBody{}},
		{Method: "POST", Path: "/api/v1/warnings/{id}/emergency", Cap: auth.CapWarningWrite, Handler: s.handleWarningEmergency, Tag: "warnings",
			Summary: "紧急止付请求", Description: "Sends an emergency stop-payment request for the warning to the member unit.",
			Request: warning.EmergencyInput{}, Response: requestSentBody{}, Status: http.StatusCreated},
		{Method: "POST", Path: "/api/v1/warnings/{id}/fraud-type", Cap: auth.CapWarningWrite, Handler: s.handleWarningFraudType, Tag: "warnings",
			Summary: "修改诈骗类型", Request: fraudTypeBody{}, Response: warningFraudTypeBody{}},
		{Method: "GET", Path: "/api/v1/board", Cap: auth.CapWarningRead, Handler: s.handleBoard, Tag: "warnings",
			Summary: "值班看板", Description: "The open warnings of the duty board, most urgent first.",
			Query:    []apiParam{{"grade", "string", "only this grade"}, {"type", "string", "only this fraud type"}, {"station", "integer", "only this station (area id)"}, {"mine", "string", "1: only the caller's warnings"}, qUnmask},
			Response: boardBody{}},
		{Method: "GET", Path: "/api/v1/events", Cap: auth.CapWarningRead, Handler: s.handleEvents, Tag: "warnings",
			Summary: "看板实时事件", Description: "A server-sent event stream: a \"warnings\" event with the changed ids the caller may see, and a heartbeat every 15 s.",
			Produces: mimeSSE},
	}
}

func (s *handler) caseAPIRoutes() []APIRoute {
	return []APIRoute{
		{Method: "GET", Path: "/api/v1/cases", Cap: auth.CapCaseRead, Handler: s.handleCases, Tag: "cases",
			Summary: "案件列表", Query: []apiParam{{"status", "string", "only this status"}, {"fraud_type", "string", "only this fraud type"}, qFrom, qTo, qBefore, qLimit},
			Response: casesBody{}},
		{Method: "POST", Path: "/api/v1/cases", Cap: auth.CapCaseWrite, Handler: s.handleCreateCase, Tag: "cases",
			Summary: "立案", Description: "Opens a case with its victims and transfers; the fraud type is classified when not given.",
			Request: funds.CaseReport{}, Response: funds.OpenedCase{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/api/v1/cases/{id}", Cap: auth.CapCaseRead, Handler: s.handleCase, Tag: "cases",
			Summary: "案件详情", Description: "The case with its related cases, suspects and what changed in its victims and transfers since its trace was last looked at (trace_changes).", Query: []apiParam{qUnmask}, Response: caseDetailBody{}},
		{Method: "POST", Path: "/api/v1/cases/{id}/fraud-type", Cap: auth.CapCaseWrite, Handler: s.handleCaseFraudType, Tag: "cases",
			Summary: "修改案件诈骗类型", Request: fraudTypeBody{}, Response: fraudTypeBody{}},
		{Method: "GET", Path: "/api/v1/cases/{id}/timeline", Cap: auth.CapCaseRead, Handler: s.handleCaseTimeline, Tag: "cases",
			Summary: "案件时间线", Response: caseEventsBody{}},
		{Method: "GET", Path: "/api/v1/cases/{id}/trace", Cap: auth.CapCaseRead, Handler: s.handleCaseTrace, Tag: "cases",
			Summary: "资金流向追踪", Query: append(traceParams(), qUnmask), Response: partner.TraceView{}},
		{Method: "GET", Path: "/api/v1/cases/{id}/trace/explain", Cap: auth.CapCaseRead, Handler: s.handleCaseTraceExplain, Tag: "cases",
			Summary: "追踪路径说明", Description: "Why money of a victim is traced to a node: the steps of the allocation.",
			Query:    append(traceParams(), apiParam{"victim", "string", "the victim's account"}, apiParam{"node", "string", "the traced account"}, qUnmask),
			Response: funds.NodeExplanation{}},
		{Method: "POST", Path: "/api/v1/cases/{id}/trace/requests", Cap: auth.CapFundsWrite, Handler: s.handleCaseTraceRequest, Tag: "cases",
			Summary: "从追踪结果发起止付/冻结", Description: "Requests to the member units for the chosen traced accounts; 201 when some were sent, 200 when all already existed.",
			Request: traceRequestIn{}, Response: partner.TraceRequestResult{}, Status: http.StatusCreated},
		{Method: "POST", Path: "/api/v1/cases/{id}/requests", Cap: auth.CapFundsWrite, Handler: s.handleCreateCaseRequest, Tag: "cases",
			Summary: "向成员单位发起协查请求", Request: partner.CaseRequest{}, Response: requestSentBody{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/api/v1/cases/{id}/requests", Cap: auth.CapCaseRead, Handler: s.handleCaseRequests, Tag: "cases",
			Summary: "案件的协查请求", Query: []apiParam{qUnmask}, Response: apiv1.RequestsBody{}},
	}
}

// traceParams are the allocation options of the fund trace.
func traceParams() []apiParam {
	return []apiParam{
		{"rule", "string", "fifo (先进先出, default) or proportional (按比例)"},
		{"libr", "string", "1: the lowest-intermediate-balance rule"},
		{"max_hops", "integer", "0–50, 0 for no limit"},
		{"max_lag", "string", "hours (24) or a duration (90m)"},
		{"as_of", "string", "RFC 3339 or 2026-11-20 18:00 (Beijing time): the money as it stood then"},
	}
}

func (s *handler) fundsAPIRoutes() []APIRoute {
	return []APIRoute{
		{Method: "POST", Path: "/api/v1/statements/import", Cap: auth.CapFundsWrite, Handler: s.handleImportStatements, Tag: "funds",
			Summary: "导入银行流水", Description: "Bank statement files (multipart field file, repeated; mapping names a saved column mapping; all_or_nothing=1).",
			Upload: "file", Response: statementsImportBody{}},
		{Method: "GET", Path: "/api/v1/statements/mappings", Cap: auth.CapFundsRead, Handler: s.handleMappings, Tag: "funds",
			Summary: "流水列映射", Response: mappingsBody{}},
		{Method: "POST", Path: "/api/v1/statements/mappings", Cap: auth.CapFundsWrite, Handler: s.handleSaveMapping, Tag: "funds",
			Summary: "保存流水列映射", Request: funds.Mapping{}, Response: funds.Mapping{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/api/v1/freezes", Cap: auth.CapFundsRead, Handler: s.handleFreezes, Tag: "funds",
			Summary: "止付/冻结列表", Query: []apiParam{{"status", "string", "only this status"}, {"case", "integer", "only this case's"}, qUnmask},
			Response: freezesBody{}},
		{Method: "GET", Path: "/api/v1/freezes/{id}", Cap: auth.CapFundsRead, Handler: s.handleFreeze, Tag: "funds",
			Summary: "止付/冻结详情", Query: []apiParam{qUnmask}, Response: partner.FreezeRow{}},
		{Method: "POST", Path: "/api/v1/freezes/{id}/send", Cap: auth.CapFundsWrite, Handler: s.handleFreezeSend, Tag: "funds",
			Summary: "发送止付/冻结", Response: partner.FreezeRow{}},
		{Method: "POST", Path: "/api/v1/freezes/{id}/confirm", Cap: auth.CapFundsWrite, Handler: s.handleFreezeConfirm, Tag: "funds",
			Summary: "确认已止付/冻结", Request: freezeConfirmBody{}, Response: partner.FreezeRow{}},
		{Method: "POST", Path: "/api/v1/freezes/{id}/reject", Cap: auth.CapFundsWrite, Handler: s.handleFreezeReject, Tag: "funds",
			Summary: "记录银行拒绝", Request: reasonBody{}, Response: partner.FreezeRow{}},
		{Method: "POST", Path: "/api/v1/freezes/{id}/renew", Cap: auth.CapFundsWrite, Handler: s.handleFreezeRenew, Tag: "funds",
			Summary: "续冻", Request: reasonBody{}, Response: freezeFollowBody{}, Status: http.StatusCreated},
		{Method: "POST", Path: "/api/v1/freezes/{id}/convert", Cap: auth.CapFundsWrite, Handler: s.handleFreezeConvert, Tag: "funds",
			Summary: "止付转冻结", Request: reasonBody{}, Response: freezeFollowBody{}, Status: http.StatusCreated},
		{Method: "POST", Path: "/api/v1/freezes/{id}/release", Cap: auth.CapFundsWrite, Handler: s.handleFreezeRelease, Tag: "funds",
			Summary: "解除止付/冻结", Request: reasonBody{}, Response: freezeFollowBody{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/api/v1/freeze-terms", Cap: auth.CapFundsRead, Handler: s.handleFreezeTerms, Tag: "funds",
			Summary: "止付/冻结期限", Response: freezeTermsBody{}},
		{Method: "GET", Path: "/api/v1/cases/{id}/returns", Cap: auth.CapFundsRead, Handler: s.handleCaseReturns, Tag: "funds",
			Summary: "案件返还", Query: []apiParam{qUnmask}, Response: returns.CaseReturns{}},
		{Method: "GET", Path: "/api/v1/cases/{id}/returns.xlsx", Cap: auth.CapFundsRead, Handler: s.handleCaseReturnsXLSX, Tag: "funds",
			Summary: "导出案件返还表", Produces: mimeXLSX},
		{Method: "POST", Path: "/api/v1/freezes/{id}/return-plans", Cap: auth.CapFundsWrite, Handler: s.handleCreateReturnPlan, Tag: "funds",
			Summary: "制定返还方案", Response: returns.Plan{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/api/v1/return-plans/{id}", Cap: auth.CapFundsRead, Handler: s.handleReturnPlan, Tag: "funds",
			Summary: "返还方案", Response: returns.Plan{}},
		{Method: "POST", Path: "/api/v1/return-plans/{id}/notice", Cap: auth.CapFundsWrite, Handler: s.handleReturnNotice, Tag: "funds",
			Summary: "公示返还方案", Description: "The body is optional: without starts_at the notice starts now.",
			Request: noticeBody{}, OptionalBody: true, Response: returns.Plan{}},
		{Method: "POST", Path: "/api/v1/return-plans/{id}/objections", Cap: auth.CapFundsWrite, Handler: s.handleReturnObjection, Tag: "funds",
			Summary: "登记异议", Request: objectionBody{}, Response: objectionCreatedBody{}, Status: http.StatusCreated},
		{Method: "POST", Path: "/api/v1/return-objections/{id}/resolve", Cap: auth.CapFundsWrite, Handler: s.handleResolveObjection, Tag: "funds",
			Summary: "处理异议", Request: resolutionBody{}, Response: objectionResolvedBody{}},
		{Method: "POST", Path: "/api/v1/return-plans/{id}/execute", Cap: auth.CapFundsWrite, Handler: s.handleExecuteReturnPlan, Tag: "funds",
			Summary: "执行返还方案", Response: returns.Plan{}},
		{Method: "POST", Path: "/api/v1/return-plans/{id}/payments", Cap: auth.CapFundsWrite, Handler: s.handleReturnPayment, Tag: "funds",
			Summary: "登记返还款项", Request: returns.NewPayment{}, Response: returns.Plan{}, Status: http.StatusCreated},
	}
}
