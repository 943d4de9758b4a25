package console

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/investigation"
	"github.com/fanzha/fanzha/internal/web"
	"github.com/fanzha/fanzha/internal/zone"
)

// 战役督办: the campaigns (集群战役) and supervised cases (部/省/市督办)
// seen from the caller's jurisdiction, each with its progress counted over
// its cases in the caller's scope (investigation.Progress), a page per
// campaign with its cases, and the form that sets one up. Cases are tagged
// into a campaign from the case page (case_work.go).

func (s *handler) campaignPages() {
	m := s.Mux
	m.HandleFunc("GET /campaigns", s.Page(auth.CapCaseRead, s.handleCampaignsPage))
	m.HandleFunc("POST /campaigns", s.Page(auth.CapCaseRead, s.handleCampaignForm))
	m.HandleFunc("GET /campaigns/{id}", s.Page(auth.CapCaseRead, s.handleCampaignPage))
}

// campaignsView is the data of the campaigns page.
type campaignsView struct {
	Rows      []campaignRow
	Kinds     []web.Option
	Nodes     []area.Node // where a campaign may be set up
	CanCreate bool
	Today     string
}

// campaignRow is a campaign with its progress in the caller's scope.
type campaignRow struct {
	investigation.Campaign
	Solved   int64 // cases whose 破案 step is done
	Closed   int64 // cases 结案 now
	Caught   int64
	Criminal int64
	LossFen  int64
}

// mayCreateCampaign mirrors the domain's rule (a leader, or a role with
// case.write) so the form is shown only to those who may use it.
func mayCreateCampaign(p *auth.Principal) bool {
	return p.User.Role == auth.RoleLeader || p.Can(auth.CapCaseWrite)
}

func (s *handler) handleCampaignsPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	ctx := r.Context()
	list, err := investigation.Campaigns(ctx, s.DB, p.Scope)
	if err != nil {
		return err
	}
	v := campaignsView{CanCreate: mayCreateCampaign(p), Today: s.Now().In(zone.Shanghai).Format("2006-01-02")}
	for _, g := range list {
		pr, err := investigation.Progress(ctx, s.DB, p.Scope, g.ID)
		if err != nil {
			return err
		}
		v.Rows = append(v.Rows, campaignRow{Campaign: g, Solved: pr.Solved, Closed: pr.ByState[investigation.Closed],
			Caught: pr.Caught, Criminal: pr.Criminal, LossFen: pr.LossFen})
	}
	if v.CanCreate {
		for _, k := range investigation.CampaignKinds {
			v.Kinds = append(v.Kinds, web.Option{Value: string(k), Name: investigation.CampaignKindName(k)})
		}
		nodes, err := area.Subtree(ctx, s.DB, p.Scope)
		if err != nil {
			return err
		}
		for _, n := range nodes {
			if n.ID == p.Scope.ID || n.Level.Centre() || n.Level == area.Station {
				n.Shape = ""
				v.Nodes = append(v.Nodes, n)
			}
		}
	}
	s.Render(w, r, http.StatusOK, "campaigns", web.Page{Title: "战役督办", Active: "/campaigns", Data: v})
	return nil
}

func (s *handler) handleCampaignForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	areaID, err := web.FormInt(r, "area_id")
	if err != nil {
		return err
	}
	var started time.Time
	if v := strings.TrimSpace(r.FormValue("started")); v != "" {
		if started, err = time.ParseInLocation("2006-01-02", v, zone.Shanghai); err != nil {
			return web.Errorf(http.StatusBadRequest, "bad_date", "开始日期 %q 应为 YYYY-MM-DD", v)
		}
	}
	id, err := investigation.CreateCampaign(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), investigation.CampaignInput{
		Kind: investigation.CampaignKind(r.FormValue("kind")), Name: r.FormValue("name"), AreaID: areaID, Started: started,
		Note: r.FormValue("note")}, s.Now())
	if err != nil {
		return err
	}
	web.RedirectFlash(w, r, fmt.Sprintf("/campaigns/%d", id), "已设立")
	return nil
}

// campaignView is the data of the campaign page.
type campaignView struct {
	P      investigation.CampaignProgress
	States []campaignState
}

// campaignState is one state and how many of the campaign's cases are in it.
type campaignState struct {
	Name  string
	Count int64
}

func (s *handler) handleCampaignPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	pr, err := investigation.Progress(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	v := campaignView{P: pr}
	for _, st := range investigation.States {
		if n := pr.ByState[st]; n > 0 {
			v.States = append(v.States, campaignState{Name: investigation.StateName(st), Count: n})
		}
	}
	s.Render(w, r, http.StatusOK, "campaign", web.Page{Title: pr.Campaign.KindName + " " + pr.Campaign.Name, Active: "/campaigns", Data: v})
	return nil
}
