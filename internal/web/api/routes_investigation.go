package api

import (
	"net/http"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/investigation"
)

// The route table's 侦办与打击 (internal/investigation): a case's
// lifecycle and its leader's approvals, the suspects with their
// dispositions, and the strike figures (打击战果).

func (s *handler) investigationAPIRoutes() []APIRoute {
	return []APIRoute{
		{Method: "GET", Path: "/api/v1/cases/{id}/lifecycle", Cap: auth.CapCaseRead, Handler: s.handleCaseLifecycle, Tag: "cases",
			Summary: "办案进度", Description: "The case's lifecycle state (接报 … 结案), the step waiting for a leader's approval, the steps it may take next, and every step taken, oldest first.",
			Query: []apiParam{qUnmask}, Response: lifecycleBody{}},
		{Method: "POST", Path: "/api/v1/cases/{id}/steps", Cap: auth.CapCaseRead, Handler: s.handleCaseStep, Tag: "cases",
			Summary: "办理办案环节", Description: "Takes a step (accept, file, not_file, investigate, solve, prosecute, close, withdraw) dated at (YYYY-MM-DD or RFC 3339; default now) with the document number and reason the step needs. The step's roles are checked (403); a step not allowed from the current state or while another waits for approval is 409; 破案 without a suspect disposed on the case, a missing document number or reason, or a date out of order is 422. A step that needs a leader's approval is stored pending (status pending) and the state does not move.",
			Request: stepBody{}, Response: investigation.Transition{}, Status: http.StatusCreated},
		{Method: "POST", Path: "/api/v1/cases/{id}/steps/decision", Cap: auth.CapCaseRead, Handler: s.handleCaseDecision, Tag: "cases",
			Summary: "审批办案环节", Description: "A leader (or the head of the case's station) approves or rejects the case's pending step; a rejection needs a note. Other roles: 403.",
			Request: decisionBody{}, Response: investigation.Transition{}},
		{Method: "GET", Path: "/api/v1/approvals", Cap: auth.CapCaseRead, Handler: s.handleApprovals, Tag: "cases",
			Summary: "待审批的办案环节", Description: "The steps waiting for a leader's approval on cases in the caller's jurisdiction, oldest first.",
			Query: []apiParam{qUnmask}, Response: approvalsBody{}},
		{Method: "GET", Path: "/api/v1/cases/{id}/suspects", Cap: auth.CapCaseRead, Handler: s.handleCaseSuspects, Tag: "cases",
			Summary: "案件嫌疑人", Description: "The suspects of the case with their roles, numbers and the dispositions the caller's jurisdiction sees. Masked unless ?unmask=1.",
			Query: []apiParam{qUnmask}, Response: suspectsBody{}},
		{Method: "POST", Path: "/api/v1/cases/{id}/suspects", Cap: auth.CapCaseWrite, Handler: s.handleAddSuspect, Tag: "cases",
			Summary: "添加嫌疑人", Description: "Records a suspect on the case (role organiser, mule, card_farmer, score_runner, traffic or other), or, with suspect_id, puts a suspect the caller can see on this case too. A person whose ID number is already known is linked, not duplicated.",
			Request: suspectBody{}, Response: idBody{}, Status: http.StatusCreated},
		{Method: "POST", Path: "/api/v1/cases/{id}/suspects/{sid}/dispositions", Cap: auth.CapCaseWrite, Handler: s.handleDisposition, Tag: "cases",
			Summary: "登记处置", Description: "Records what was done to a suspect of the case: caught (with unit and place), detained, arrested, bailed, charged, sentenced, admin_penalty, admonished, dated at (YYYY-MM-DD or RFC 3339). Out-of-order dispositions (逮捕 before 抓获, …) are 422.",
			Request: dispositionBody{}, Response: idBody{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/api/v1/suspects/{id}", Cap: auth.CapCaseRead, Handler: s.handleSuspect, Tag: "cases",
			Summary: "嫌疑人详情", Description: "A suspect seen through the cases of the caller's jurisdiction (elsewhere 404), with those cases and their dispositions. Masked unless ?unmask=1; the view is audited.",
			Query: []apiParam{qUnmask}, Response: investigation.Suspect{}},
		{Method: "GET", Path: "/api/v1/figures/strike", Cap: auth.CapFiguresRead, Handler: s.handleStrikeFigures, Tag: "figures",
			Summary: "打击战果", Description: "The strike figures of a node for a period (default: this month) with 环比 (the period before) and 同比 (a year earlier): cases filed and solved, persons struck criminally and handled administratively, suspects caught (by role), gangs broken.",
			Query: []apiParam{{"node", "integer", "a node under the caller's (default: the caller's jurisdiction)"},
				{"from", "string", "first day (YYYY-MM-DD, Asia/Shanghai); with to"},
				{"to", "string", "last day, included (YYYY-MM-DD)"}},
			Response: strikeBody{}},
	}
}
