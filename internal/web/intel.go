package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/intel"
)

// 两卡研判 helpers both doors use: watch list, busiest accounts, one account,
// labels, rescoring, outlets, hubs and groups, read for the caller's scope.

func (s *Server) WatchList(r *http.Request, p *auth.Principal, m auth.Masker) ([]intel.Scored, error) {
	kind := r.URL.Query().Get("kind")
	if kind != "" && kind != intel.KindAccount && kind != intel.KindPhone {
		return nil, Errorf(http.StatusBadRequest, "bad_param", "kind 只能是 account 或 phone")
	}
	limit, err := QueryInt(r, "limit")
	if err != nil {
		return nil, err
	}
	offset, err := QueryInt(r, "offset")
	if err != nil {
		return nil, err
	}
	list, err := intel.WatchList(r.Context(), s.DB, p.Scope, intel.WatchFilter{Kind: kind, WatchOnly: r.URL.Query().Get("watch") == "1",
		Offset: int(offset), Limit: int(limit)})
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i] = list[i].Masked(m)
	}
	return list, nil
}

// BusiestAccounts is the list of the console's 两卡研判 page and of
// GET /api/v1/intel/accounts: one scoped domain query for both.
func (s *Server) BusiestAccounts(r *http.Request, p *auth.Principal, m auth.Masker) ([]intel.AccountActivity, error) {
	limit, err := QueryInt(r, "limit")
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 100
	}
	list, err := intel.BusiestAccounts(r.Context(), s.DB, p.Scope, int(limit))
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i] = list[i].Masked(m)
	}
	return list, nil
}

// AccountView is an account's score with where to start its graph.
type AccountView struct {
	intel.Scored
	GraphRef string `json:"graph_ref,omitempty"`
}

func (s *Server) IntelAccount(r *http.Request, p *auth.Principal) (AccountView, error) {
	id, err := PathID(r)
	if err != nil {
		return AccountView{}, err
	}
	sc, err := intel.AccountScore(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return AccountView{}, err
	}
	m, err := s.ViewMasker(r, p, "account", id)
	if err != nil {
		return AccountView{}, err
	}
	v := AccountView{Scored: sc.Masked(m)}
	// A province or city user has no graph without a chosen county: the
	// account is shown without a graph link.
	if g, err := s.IntelGraph(r, p); err == nil {
		if _, ok := g.Find(intel.TCard, sc.Subject); ok {
			v.GraphRef = g.Ref(intel.Entity{Type: intel.TCard, Key: sc.Subject})
		}
	} else if !errors.Is(err, intel.ErrGraphAboveCounty) {
		return v, err
	}
	return v, nil
}

// SetLabel records a label in the caller's jurisdiction (intel.Label).
func (s *Server) SetLabel(r *http.Request, p *auth.Principal, in intel.LabelInput) error {
	err := intel.Label(r.Context(), s.DB, p.Scope, auth.AuditFor(p, ClientIP(r), RequestID(r.Context())), in, s.Now())
	if err == nil {
		IntelGraphs.Invalidate()
	}
	return err
}

func (s *Server) Rescore(r *http.Request, p *auth.Principal) (intel.Rescored, error) {
	res, err := intel.RescoreBy(r.Context(), s.DB, auth.AuditFor(p, ClientIP(r), RequestID(r.Context())), s.Now())
	IntelGraphs.Invalidate()
	return res, err
}

func (s *Server) OutletFilter(r *http.Request) (intel.OutletFilter, error) {
	from, err := s.QueryTime(r, "from")
	if err != nil {
		return intel.OutletFilter{}, err
	}
	to, err := s.QueryTime(r, "to")
	if err != nil {
		return intel.OutletFilter{}, err
	}
	return intel.OutletFilter{From: from, To: to}, nil
}

func (s *Server) HandleIntelOutletsExport(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f, err := s.OutletFilter(r)
	if err != nil {
		return err
	}
	list, err := intel.RankOutlets(r.Context(), s.DB, p.Scope, f)
	if err != nil {
		return err
	}
	period := "（全部开户时间）"
	if !f.From.IsZero() || !f.To.IsZero() {
		period = fmt.Sprintf("（开户时间 %s 至 %s）", r.URL.Query().Get("from"), r.URL.Query().Get("to"))
	}
	if err := s.Audit(r, p, auth.AuditExport, "intel_outlets", "", r.URL.RequestURI()); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="outlets.xlsx"`)
	return intel.WriteOutletsXLSX(w, list, period)
}

// GroupSummary is a group in the list.
type GroupSummary struct {
	Ref         string          `json:"ref"` // a member to open the group by
	Size        int             `json:"size"`
	ByType      map[string]int  `json:"by_type"`
	Composition string          `json:"composition"` // 「银行卡 227 个、电话 740 个」
	Cases       []string        `json:"cases"`
	CaseNos     []intel.CaseRef `json:"case_nos"`
}

// HubView is a hub of the graph: an entity so many others share that it is
// left out of the groups.
type HubView struct {
	Ref       string `json:"ref"`
	TypeLabel string `json:"type_label"`
	Label     string `json:"label"` // masked
	Links     int    `json:"links"`
}

func (s *Server) IntelHubs(r *http.Request, p *auth.Principal) ([]HubView, error) {
	g, err := s.IntelGraph(r, p)
	if err != nil {
		return nil, err
	}
	out := []HubView{}
	for _, v := range g.Hubs() {
		e := g.Entity(v)
		out = append(out, HubView{Ref: g.Ref(e), TypeLabel: intel.TypeLabels[e.Type], Label: intel.EntityLabel(e, auth.Masker{}), Links: g.StrongDegree(v)})
		if len(out) == 50 {
			break
		}
	}
	return out, nil
}

func (s *Server) IntelGroups(r *http.Request, p *auth.Principal) ([]GroupSummary, error) {
	g, err := s.IntelGraph(r, p)
	if err != nil {
		return nil, err
	}
	groups := g.Groups(3)
	groups = groups[:min(len(groups), 200)]
	// The case numbers of all listed groups in one scoped query.
	var keys []string
	for _, gr := range groups {
		keys = append(keys, gr.Cases...)
	}
	refs, err := intel.CaseNumbers(r.Context(), s.DB, p.Scope, keys)
	if err != nil {
		return nil, err
	}
	byKey := make(map[string]intel.CaseRef, len(refs))
	for _, c := range refs {
		byKey[strconv.FormatInt(c.ID, 10)] = c
	}
	out := make([]GroupSummary, 0, len(groups))
	for _, gr := range groups {
		nos := []intel.CaseRef{}
		for _, k := range gr.Cases {
			if c, ok := byKey[k]; ok {
				nos = append(nos, c)
			}
		}
		out = append(out, GroupSummary{Ref: g.Ref(g.Entity(gr.Members[0])), Size: gr.Size, ByType: gr.ByType,
			Composition: intel.Composition(gr.ByType), Cases: gr.Cases, CaseNos: nos})
	}
	return out, nil
}

// GroupDetail is one group with its members, links, cases and money, and
// the entities outside it that its members are linked to.
type GroupDetail struct {
	Ref         string           `json:"ref"`
	Size        int              `json:"size"`
	ByType      map[string]int   `json:"by_type"`
	Composition string           `json:"composition"`
	Cases       []caseBrief      `json:"cases"`
	LossFen     int64            `json:"loss_fen"`
	Nodes       []intel.NodeView `json:"nodes"`        // members, those with most strong links first
	MembersMore int              `json:"members_more"` // members not listed
	Links       []intel.LinkView `json:"links"`
	LinksTotal  int              `json:"links_total"`
	Outside     []outsideView    `json:"outside"` // at most 100, most linked first
	OutsideMore int              `json:"outside_more"`
}

// outsideView is an entity linked to a group without being a member: a
// contact shared with other groups, a hub, an account the group paid once.
type outsideView struct {
	Ref       string `json:"ref"`
	TypeLabel string `json:"type_label"`
	Label     string `json:"label"`
	Links     int    `json:"links"`  // members it is linked to
	Groups    int    `json:"groups"` // groups it is linked into, this one included
	Hub       bool   `json:"hub"`
}

type caseBrief struct {
	ID      int64  `json:"id"`
	CaseNo  string `json:"case_no"`
	LossFen int64  `json:"loss_fen"`
}

// IntelGroup reads the group of a member; at most limit members and links
// are rendered (0: all the group returns).
func (s *Server) IntelGroup(r *http.Request, p *auth.Principal, limit int) (GroupDetail, error) {
	g, err := s.IntelGraph(r, p)
	if err != nil {
		return GroupDetail{}, err
	}
	v, ok := g.ByRef(r.PathValue("ref"))
	if !ok {
		return GroupDetail{}, Errorf(http.StatusNotFound, "not_found", "没有这个团伙（关系图已更新或不在本辖区）")
	}
	m, err := s.Masker(r, p, "intel_group", r.PathValue("ref"))
	if err != nil {
		return GroupDetail{}, err
	}
	gr, edges := g.GroupOf(v)
	d := GroupDetail{Ref: r.PathValue("ref"), Size: gr.Size, ByType: gr.ByType, Composition: intel.Composition(gr.ByType),
		Cases: []caseBrief{}, LinksTotal: len(edges), Outside: []outsideView{}}
	// The graph holds only the jurisdiction's cases; reading them through
	// the scoped case query keeps it so however the graph is built.
	refs, err := intel.CaseNumbers(r.Context(), s.DB, p.Scope, gr.Cases)
	if err != nil {
		return GroupDetail{}, err
	}
	for _, c := range refs {
		d.Cases = append(d.Cases, caseBrief{ID: c.ID, CaseNo: c.CaseNo, LossFen: c.LossFen})
		d.LossFen += c.LossFen
	}
	members := gr.Members
	if limit > 0 {
		members, edges = members[:min(len(members), limit)], edges[:min(len(edges), limit)]
	}
	d.MembersMore = gr.Size - len(members)
	d.Nodes, d.Links, err = g.View(r.Context(), s.DB, members, nil, edges, m)
	if err != nil {
		return GroupDetail{}, err
	}
	out := g.OutsideOf(gr, 3)
	d.OutsideMore = max(0, len(out)-100)
	for _, o := range out[:min(len(out), 100)] {
		e := g.Entity(o.Node)
		d.Outside = append(d.Outside, outsideView{Ref: g.Ref(e), TypeLabel: intel.TypeLabels[e.Type], Label: intel.EntityLabel(e, m),
			Links: o.Links, Groups: o.Groups, Hub: g.IsHub(o.Node)})
	}
	return d, nil
}
