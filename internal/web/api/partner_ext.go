package api

import (
	"net/http"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/web"
	"github.com/fanzha/fanzha/internal/web/apiv1"
)

// The partner API (联席) beyond the inbox: per-unit webhooks, partner
// reports into the warning intake, joint meetings and tasks, per-unit
// figures. Every route is one entry of partnerOps, part of the route table
// that both registers it and documents it (routes.go, openapi.go).

// partnerOps is the route table's partner API (联席): what member units
// call (tag partner) and what the centre manages of them (tag centre).
func (s *handler) partnerOps() []APIRoute {
	return []APIRoute{
		{Method: "GET", Path: "/api/v1/partner/me", Cap: auth.CapPartnerInbox, Handler: s.handlePartnerMe, Tag: "partner",
			Summary: "本单位信息", Description: "The caller's own member unit.", Response: apiv1.PartnerMe{}},
		{Method: "GET", Path: "/api/v1/partner/requests", Cap: auth.CapPartnerInbox, Handler: s.handlePartnerInbox, Tag: "partner",
			Summary: "协查请求收件箱", Description: "Requests addressed to the caller's unit and its branches, open ones first (up to 500). The account and number are in full: the unit must act on them.",
			Response: apiv1.RequestsBody{}},
		{Method: "POST", Path: "/api/v1/partner/requests/{id}/answer", Cap: auth.CapPartnerInbox, Handler: s.handlePartnerAnswer, Tag: "partner",
			Summary: "答复协查请求", Description: "seen (查看), done (办结, with the result and for a freeze the frozen amount in fen) or refused (拒绝, with the reason). An answered request cannot be answered again (409). The answer flows back to the warning or case that asked.",
			Request: apiv1.PartnerAnswer{}, Response: apiv1.StatusBody{}},
		{Method: "POST", Path: "/api/v1/partner/reports", Cap: auth.CapPartnerInbox, Handler: s.handlePartnerSubmitReport, Tag: "partner",
			Summary: "报送预警", Description: "A bank's fund warning (fund_warning) or suspicious-transaction report (suspicious_txn), an operator's scam-number report (scam_number), into the warning intake. Idempotent on the unit's ref: resending answers intake=duplicate. 201 when new, 200 when already received.",
			Request: apiv1.PartnerReportInput{}, Response: apiv1.PartnerReportReceipt{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/api/v1/partner/reports", Cap: auth.CapPartnerInbox, Handler: s.handlePartnerReports, Tag: "partner",
			Summary: "本单位报送的预警及办理情况", Description: "The unit's own reports, newest first, with the state of the warning each became (已受理 / 处置中 / 已办结 and the outcome). No officer or other person is shown.",
			Response: apiv1.ReportsBody{}},
		{Method: "GET", Path: "/api/v1/partner/tasks", Cap: auth.CapPartnerInbox, Handler: s.handlePartnerTasks, Tag: "partner",
			Summary: "本单位的联席任务", Description: "Tasks given to the unit (and its branches) by joint meetings.", Response: apiv1.TasksBody{}},
		{Method: "GET", Path: "/api/v1/partner/tasks/{id}", Cap: auth.CapPartnerInbox, Handler: s.handlePartnerTask, Tag: "partner",
			Summary: "联席任务详情", Description: "A task of the unit with its follow-up notes; another unit's task is 404.", Response: apiv1.PartnerTask{}},
		{Method: "POST", Path: "/api/v1/partner/tasks/{id}/progress", Cap: auth.CapPartnerInbox, Handler: s.handlePartnerTaskProgress, Tag: "partner",
			Summary: "更新任务进展", Description: "Set the status (open / doing / done), the owner, and/or add a follow-up note.",
			Request: apiv1.PartnerTaskUpdate{}, Response: apiv1.PartnerTask{}},
		{Method: "GET", Path: "/api/v1/partner/webhook", Cap: auth.CapPartnerInbox, Handler: s.handlePartnerWebhook, Tag: "partner",
			Summary: "本单位推送地址", Description: "The unit's webhook (404 when none). The secret is never returned.", Response: apiv1.PartnerWebhook{}},
		{Method: "PUT", Path: "/api/v1/partner/webhook", Cap: auth.CapPartnerInbox, Handler: s.handlePartnerSetWebhook, Tag: "partner",
			Summary: "设置本单位推送地址", Description: "URL, format (json-hmac / json, wecom, dingtalk) and the HMAC secret (required for JSON; empty on an update keeps it). Every request addressed to the unit is then posted there, signed X-Fanzha-Signature: sha256=HMAC-SHA256(secret, body), retried with backoff, in order. Loopback, private, link-local and reserved addresses are refused (400) unless the centre allow-lists the network; redirects are not followed.",
			Request: apiv1.PartnerWebhookInput{}, Response: apiv1.PartnerWebhook{}},
		{Method: "GET", Path: "/api/v1/partner/webhook/deliveries", Cap: auth.CapPartnerInbox, Handler: s.handlePartnerDeliveries, Tag: "partner",
			Summary: "推送记录", Description: "The latest 100 deliveries of the unit's webhook: attempts, delivered time, and of a failure only HTTP <status>, robot error <code> or a fixed 'could not connect' text.", Response: apiv1.DeliveriesBody{}},

		{Method: "GET", Path: "/api/v1/units", Cap: auth.CapPartnerManage, Handler: s.handleUnitsAPI, Tag: "centre",
			Summary: "成员单位", Description: "All member units.", Response: unitsBody{}},
		{Method: "GET", Path: "/api/v1/units/{id}/webhook", Cap: auth.CapUnitAdmin, Handler: s.handleUnitWebhook, Tag: "centre",
			Summary: "成员单位推送地址", Description: "The centre admin only (unit.admin).", Response: apiv1.PartnerWebhook{}},
		{Method: "PUT", Path: "/api/v1/units/{id}/webhook", Cap: auth.CapUnitAdmin, Handler: s.handleSetUnitWebhook, Tag: "centre",
			Summary: "设置成员单位推送地址", Description: "The centre admin only (unit.admin); the same address rules as the unit's own PUT.", Request: apiv1.PartnerWebhookInput{}, Response: apiv1.PartnerWebhook{}},
		{Method: "GET", Path: "/api/v1/units/{id}/webhook/deliveries", Cap: auth.CapUnitAdmin, Handler: s.handleUnitDeliveries, Tag: "centre",
			Summary: "成员单位推送记录", Description: "The centre admin only (unit.admin); numbers in the payloads masked.", Response: apiv1.DeliveriesBody{}},
		{Method: "GET", Path: "/api/v1/joint/meetings", Cap: auth.CapPartnerManage, Handler: s.handleMeetings, Tag: "centre",
			Summary: "联席会议", Response: meetingsBody{}},
		{Method: "POST", Path: "/api/v1/joint/meetings", Cap: auth.CapPartnerManage, Handler: s.handleCreateMeeting, Tag: "centre",
			Summary: "记录联席会议", Request: partner.MeetingInput{}, Response: idBody{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/api/v1/joint/tasks", Cap: auth.CapPartnerManage, Handler: s.handleJointTasks, Tag: "centre",
			Summary: "联席任务", Query: []apiParam{{"unit_id", "integer", "only this unit's tasks"}, {"meeting_id", "integer", "only this meeting's tasks"}},
			Response: apiv1.TasksBody{}},
		{Method: "POST", Path: "/api/v1/joint/tasks", Cap: auth.CapPartnerManage, Handler: s.handleCreateTask, Tag: "centre",
			Summary: "下达联席任务", Request: partner.TaskInput{}, Response: idBody{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/api/v1/joint/tasks/{id}", Cap: auth.CapPartnerManage, Handler: s.handleJointTask, Tag: "centre",
			Summary: "联席任务详情", Response: apiv1.PartnerTask{}},
		{Method: "POST", Path: "/api/v1/joint/tasks/{id}/progress", Cap: auth.CapPartnerManage, Handler: s.handleJointTaskProgress, Tag: "centre",
			Summary: "督办任务", Request: apiv1.PartnerTaskUpdate{}, Response: apiv1.PartnerTask{}},
		{Method: "GET", Path: "/api/v1/joint/figures", Cap: auth.CapPartnerManage, Handler: s.handleJointFigures, Tag: "centre",
			Summary: "成员单位答复情况", Description: "Per unit: requests, answered, answered in time, overdue, in-time per mille, median answer time; over the last `days` days (default 90).",
			Query: []apiParam{{"days", "integer", "window in days (default 90)"}}, Response: figuresBody{}},
	}
}

// Response bodies, named for the document.
type (
	unitsBody struct {
		Units []apiv1.PartnerUnit `json:"units"`
	}
	meetingsBody struct {
		Meetings []partner.Meeting `json:"meetings"`
	}
	idBody struct {
		ID int64 `json:"id"`
	}
	figuresBody struct {
		Units []partner.UnitFigure `json:"units"`
	}
)

func (s *handler) handlePartnerMe(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	u, err := partner.GetUnit(r.Context(), s.DB, p.User.UnitID)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, apiv1.PartnerMe{Unit: apiv1.Unit(u), Username: p.User.Username})
	return nil
}

func (s *handler) handlePartnerSubmitReport(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in apiv1.PartnerReportInput
	if err := web.DecodeJSON(r, &in, 1<<16); err != nil {
		return err
	}
	intake, err := s.WarningIntake(r.Context())
	if err != nil {
		return err
	}
	rc, err := partner.SubmitReport(r.Context(), s.DB, intake, p.User.UnitID, p.User.ID, s.AuditWho(r, p), in.Domain(), s.Now())
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if rc.Intake == "duplicate" {
		status = http.StatusOK
	}
	web.WriteJSON(w, status, apiv1.ReportReceipt(rc))
	return nil
}

func (s *handler) handlePartnerReports(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	list, err := partner.Reports(r.Context(), s.DB, p.User.UnitID, 500)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, apiv1.Reports(list))
	return nil
}

func (s *handler) handlePartnerTasks(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	list, err := partner.Tasks(r.Context(), s.DB, partner.TaskFilter{UnitID: p.User.UnitID}, s.Now())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, apiv1.Tasks(list))
	return nil
}

func (s *handler) handlePartnerTask(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.writeTask(w, r, p.User.UnitID)
}

func (s *handler) writeTask(w http.ResponseWriter, r *http.Request, unitID int64) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	t, err := partner.GetTask(r.Context(), s.DB, unitID, id, s.Now())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, apiv1.Task(t))
	return nil
}

func (s *handler) taskProgress(w http.ResponseWriter, r *http.Request, p *auth.Principal, unitID int64) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var u apiv1.PartnerTaskUpdate
	if err := web.DecodeJSON(r, &u, 1<<16); err != nil {
		return err
	}
	if err := partner.UpdateTask(r.Context(), s.DB, s.AuditWho(r, p), p.User.ID, unitID, id, u.Domain(), s.Now()); err != nil {
		return err
	}
	return s.writeTask(w, r, unitID)
}

func (s *handler) handlePartnerTaskProgress(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.taskProgress(w, r, p, p.User.UnitID)
}

func (s *handler) handlePartnerWebhook(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	wh, err := partner.UnitWebhook(r.Context(), s.DB, p.User.UnitID)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, apiv1.Webhook(wh))
	return nil
}

func (s *handler) setWebhook(w http.ResponseWriter, r *http.Request, p *auth.Principal, unitID int64) error {
	var in apiv1.PartnerWebhookInput
	if err := web.DecodeJSON(r, &in, 1<<14); err != nil {
		return err
	}
	wh, err := partner.SetWebhook(r.Context(), s.DB, s.AuditWho(r, p), unitID, in.Domain(), s.SettingsStore.WebhookGuard(), s.Now())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, apiv1.Webhook(wh))
	return nil
}

func (s *handler) handlePartnerSetWebhook(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.setWebhook(w, r, p, p.User.UnitID)
}

// deliveries is the centre's view of a unit's delivery log: the messages
// carry full account and phone numbers for the unit they were addressed to;
// the centre reads them masked.
func (s *handler) deliveries(w http.ResponseWriter, r *http.Request, unitID int64) error {
	list, err := partner.WebhookDeliveries(r.Context(), s.DB, unitID, 100)
	if err != nil {
		return err
	}
	for i := range list {
		list[i].Payload = auth.MaskNumbersInText(list[i].Payload)
	}
	web.WriteJSON(w, http.StatusOK, apiv1.Deliveries(list))
	return nil
}

func (s *handler) handlePartnerDeliveries(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	list, err := partner.WebhookDeliveries(r.Context(), s.DB, p.User.UnitID, 100)
	if err != nil {
		return err
	}
	for i := range list {
		list[i].LastError = web.PartnerDeliveryError(list[i].LastError)
	}
	web.WriteJSON(w, http.StatusOK, apiv1.Deliveries(list))
	return nil
}

func (s *handler) handleUnitsAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	list, err := partner.Units(r.Context(), s.DB)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, unitsBody{Units: apiv1.Units(list)})
	return nil
}

func (s *handler) handleUnitWebhook(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	wh, err := partner.UnitWebhook(r.Context(), s.DB, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, apiv1.Webhook(wh))
	return nil
}

func (s *handler) handleSetUnitWebhook(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	return s.setWebhook(w, r, p, id)
}

func (s *handler) handleUnitDeliveries(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	return s.deliveries(w, r, id)
}

func (s *handler) handleMeetings(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	list, err := partner.Meetings(r.Context(), s.DB, 200)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, meetingsBody{Meetings: list})
	return nil
}

func (s *handler) handleCreateMeeting(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in partner.MeetingInput
	if err := web.DecodeJSON(r, &in, 1<<17); err != nil {
		return err
	}
	id, err := partner.CreateMeeting(r.Context(), s.DB, s.AuditWho(r, p), p.User.ID, in, s.Now())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, idBody{ID: id})
	return nil
}

func (s *handler) handleJointTasks(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	unit, err := web.QueryInt(r, "unit_id")
	if err != nil {
		return err
	}
	meeting, err := web.QueryInt(r, "meeting_id")
	if err != nil {
		return err
	}
	list, err := partner.Tasks(r.Context(), s.DB, partner.TaskFilter{UnitID: unit, MeetingID: meeting}, s.Now())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, apiv1.Tasks(list))
	return nil
}

func (s *handler) handleCreateTask(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in partner.TaskInput
	if err := web.DecodeJSON(r, &in, 1<<16); err != nil {
		return err
	}
	id, err := partner.CreateTask(r.Context(), s.DB, s.AuditWho(r, p), p.User.ID, in, s.Now())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, idBody{ID: id})
	return nil
}

func (s *handler) handleJointTask(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.writeTask(w, r, 0)
}

func (s *handler) handleJointTaskProgress(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.taskProgress(w, r, p, 0)
}

func (s *handler) handleJointFigures(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	days, err := web.QueryInt(r, "days")
	if err != nil {
		return err
	}
	if days <= 0 || days > 3660 {
		days = 90
	}
	now := s.Now()
	figs, err := partner.UnitFigures(r.Context(), s.DB, now.Add(-time.Duration(days)*24*time.Hour), now)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, figuresBody{Units: figs})
	return nil
}
