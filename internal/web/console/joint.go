package console

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/notify"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/web"
	"github.com/fanzha/fanzha/internal/zone"
)

// Console pages of 联席: /joint for the centre (meetings, tasks, per-unit
// figures for the meeting's review), /unit for a member unit (its tasks,
// its reports, its webhook and delivery log).

func (s *handler) jointConsoleRoutes() {
	m := s.Mux
	m.HandleFunc("GET /joint", s.Page(auth.CapPartnerManage, s.handleJointPage))
	m.HandleFunc("POST /joint/meetings", s.Page(auth.CapPartnerManage, s.handleJointMeetingForm))
	m.HandleFunc("POST /joint/tasks", s.Page(auth.CapPartnerManage, s.handleJointTaskForm))
	m.HandleFunc("POST /joint/tasks/{id}", s.Page(auth.CapPartnerManage, s.handleJointProgressForm))
	m.HandleFunc("GET /unit", s.Page(auth.CapPartnerInbox, s.handleUnitPage))
	m.HandleFunc("POST /unit/tasks/{id}", s.Page(auth.CapPartnerInbox, s.handleUnitProgressForm))
	m.HandleFunc("POST /unit/webhook", s.Page(auth.CapPartnerInbox, s.handleUnitWebhookForm))
}

// parseDay reads a YYYY-MM-DD form value as a Shanghai date at the given hour.
func parseDay(r *http.Request, name string, hour int) (time.Time, error) {
	v := strings.TrimSpace(r.FormValue(name))
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation("2006-01-02", v, zone.Shanghai)
	if err != nil {
		return t, web.Errorf(http.StatusBadRequest, "bad_param", "%s 应为日期（YYYY-MM-DD）", name)
	}
	return t.Add(time.Duration(hour) * time.Hour).UTC(), nil
}

// jointView is the data of the joint page.
type jointView struct {
	Meetings []partner.Meeting
	Tasks    []partner.Task
	Units    []partner.Unit
	Figures  []partner.UnitFigure
	Webhooks []partner.WebhookStatus
	Today    string
}

func (s *handler) handleJointPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	ctx := r.Context()
	meetings, err := partner.Meetings(ctx, s.DB, 50)
	if err != nil {
		return err
	}
	tasks, err := partner.Tasks(ctx, s.DB, partner.TaskFilter{Limit: 300}, s.Now())
	if err != nil {
		return err
	}
	units, err := partner.Units(ctx, s.DB)
	if err != nil {
		return err
	}
	now := s.Now()
	figs, err := partner.UnitFigures(ctx, s.DB, now.AddDate(0, 0, -90), now)
	if err != nil {
		return err
	}
	hooks, err := partner.WebhookStatuses(ctx, s.DB)
	if err != nil {
		return err
	}
	// Only the centre admin manages a unit's webhook: the others see its
	// state, not its address (a robot's key is part of its URL) nor what
	// the receiver answered.
	if !p.Can(auth.CapUnitAdmin) {
		for i := range hooks {
			hooks[i].URL, hooks[i].LastError = "", web.PartnerDeliveryError(hooks[i].LastError)
		}
	}
	s.Render(w, r, http.StatusOK, "joint", web.Page{Title: "联席会议", Active: "/joint", Data: jointView{
		Meetings: meetings, Tasks: tasks, Units: units, Figures: figs, Webhooks: hooks, Today: now.In(zone.Shanghai).Format("2006-01-02")}})
	return nil
}

func (s *handler) handleJointMeetingForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	held, err := parseDay(r, "held_on", 9)
	if err != nil {
		return err
	}
	var units []int64
	for _, v := range r.Form["unit_id"] {
		var id int64
		if _, err := fmt.Sscan(v, &id); err == nil {
			units = append(units, id)
		}
	}
	id, err := partner.CreateMeeting(r.Context(), s.DB, s.AuditWho(r, p), p.User.ID, partner.MeetingInput{HeldAt: held, Title: r.FormValue("title"),
		Place: r.FormValue("place"), Attendees: r.FormValue("attendees"), Decisions: r.FormValue("decisions"), UnitIDs: units}, s.Now())
	if err != nil {
		return err
	}
	web.RedirectFlash(w, r, "/joint", fmt.Sprintf("已记录联席会议 #%d", id))
	return nil
}

func (s *handler) handleJointTaskForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	due, err := parseDay(r, "due_on", 18)
	if err != nil {
		return err
	}
	unit, err := web.FormInt(r, "unit_id")
	if err != nil {
		return err
	}
	meeting, err := web.FormInt(r, "meeting_id")
	if err != nil {
		return err
	}
	id, err := partner.CreateTask(r.Context(), s.DB, s.AuditWho(r, p), p.User.ID, partner.TaskInput{MeetingID: meeting, UnitID: unit,
		Title: r.FormValue("title"), Detail: r.FormValue("detail"), Owner: r.FormValue("owner"), DueAt: due}, s.Now())
	if err != nil {
		return err
	}
	web.RedirectFlash(w, r, "/joint", fmt.Sprintf("已下达任务 #%d", id))
	return nil
}

func (s *handler) progressForm(w http.ResponseWriter, r *http.Request, p *auth.Principal, unitID int64, back string) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	u := partner.TaskUpdate{Status: r.FormValue("status"), Note: r.FormValue("note"), Owner: r.FormValue("owner")}
	if err := partner.UpdateTask(r.Context(), s.DB, s.AuditWho(r, p), p.User.ID, unitID, id, u, s.Now()); err != nil {
		return err
	}
	web.RedirectFlash(w, r, back, fmt.Sprintf("已更新任务 #%d", id))
	return nil
}

func (s *handler) handleJointProgressForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.progressForm(w, r, p, 0, "/joint")
}

func (s *handler) handleUnitProgressForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.progressForm(w, r, p, p.User.UnitID, "/unit")
}

// unitView is the data of a member unit's own page (本单位事务); Webhook
// is nil until the unit sets one.
type unitView struct {
	Unit       partner.Unit
	Tasks      []partner.Task
	Reports    []partner.Report
	Webhook    *partner.Webhook
	Deliveries []notify.Delivery
}

func (s *handler) handleUnitPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	ctx := r.Context()
	unit, err := partner.GetUnit(ctx, s.DB, p.User.UnitID)
	if err != nil {
		return err
	}
	tasks, err := partner.UnitTasks(ctx, s.DB, unit.ID, s.Now())
	if err != nil {
		return err
	}
	reports, err := partner.Reports(ctx, s.DB, unit.ID, 100)
	if err != nil {
		return err
	}
	data := unitView{Unit: unit, Tasks: tasks, Reports: reports}
	wh, err := partner.UnitWebhook(ctx, s.DB, unit.ID)
	switch {
	case err == nil:
		data.Webhook = &wh
		list, err := notify.Deliveries(ctx, s.DB, wh.ID, 30)
		if err != nil {
			return err
		}
		for i := range list {
			list[i].LastError = web.PartnerDeliveryError(list[i].LastError)
		}
		data.Deliveries = list
	case !errors.Is(err, domain.ErrNotFound):
		return err
	}
	s.Render(w, r, http.StatusOK, "unit", web.Page{Title: "本单位事务", Active: "/unit", Data: data})
	return nil
}

func (s *handler) handleUnitWebhookForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	enabled := r.FormValue("enabled") == "1"
	in := partner.WebhookInput{URL: r.FormValue("url"), Format: r.FormValue("format"), Secret: r.FormValue("secret"), Enabled: &enabled}
	if _, err := partner.SetWebhook(r.Context(), s.DB, s.AuditWho(r, p), p.User.UnitID, in, s.SettingsStore.WebhookGuard(), s.Now()); err != nil {
		return err
	}
	web.RedirectFlash(w, r, "/unit", "已保存推送地址")
	return nil
}
