package console

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/intel"
	"github.com/fanzha/fanzha/internal/web"
)

func (s *handler) intelRoutes() {
	m := s.Mux
	m.HandleFunc("GET /intel/watch", s.Page(auth.CapIntelRead, s.handleIntelWatchPage))
	m.HandleFunc("POST /intel/rescore", s.Page(auth.CapIntelWrite, s.handleIntelRescoreForm))
	m.HandleFunc("GET /intel/accounts/{id}", s.Page(auth.CapIntelRead, s.handleIntelAccountPage))
	m.HandleFunc("POST /intel/accounts/{id}/label", s.Page(auth.CapIntelWrite, s.handleIntelLabelForm))
	m.HandleFunc("GET /intel/graph", s.Page(auth.CapIntelRead, s.handleIntelGraphPage))
	m.HandleFunc("GET /intel/groups", s.Page(auth.CapIntelRead, s.handleIntelGroupsPage))
	m.HandleFunc("GET /intel/groups/{ref}", s.Page(auth.CapIntelRead, s.handleIntelGroupPage))
	m.HandleFunc("GET /intel/outlets", s.Page(auth.CapIntelRead, s.handleIntelOutletsPage))
	m.HandleFunc("GET /intel/outlets.xlsx", s.Page(auth.CapIntelRead, s.HandleIntelOutletsExport))
}

func (s *handler) handleIntelRescoreForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	res, err := s.Rescore(r, p)
	if err != nil {
		return err
	}
	web.RedirectFlash(w, r, "/intel/watch", fmt.Sprintf("已重新评分：%d 个账户（%d 个进入关注名单），%d 个电话号码", res.Accounts, res.Watch, res.Phones))
	return nil
}

// Console pages.

// intelWatchView is the data of the intel_watch page.
type intelWatchView struct {
	Accounts []intel.Scored
	Phones   []intel.Scored
	Weights  intel.Weights
	CanWrite bool
	Pager    web.Pager
}

func (s *handler) handleIntelWatchPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	m := auth.Masker{}
	var err error
	if web.UnmaskAsked(r) {
		if m, err = s.Masker(r, p, "intel_watch", ""); err != nil {
			return err
		}
	}
	// 50 accounts and 50 numbers a page, highest scores first.
	const perPage = 50
	q := r.URL.Query()
	pageNo, _ := strconv.Atoi(q.Get("page"))
	pageNo = max(pageNo, 1)
	q.Set("limit", strconv.Itoa(perPage+1))
	q.Set("offset", strconv.Itoa((pageNo-1)*perPage))
	q.Set("kind", intel.KindAccount)
	r.URL.RawQuery = q.Encode()
	accounts, err := s.WatchList(r, p, m)
	if err != nil {
		return err
	}
	q.Set("kind", intel.KindPhone)
	r.URL.RawQuery = q.Encode()
	phones, err := s.WatchList(r, p, m)
	if err != nil {
		return err
	}
	more := len(accounts) > perPage || len(phones) > perPage
	accounts, phones = accounts[:min(len(accounts), perPage)], phones[:min(len(phones), perPage)]
	pager := web.Pager{ID: "watch-pager", Page: pageNo}
	if pageNo > 1 {
		pager.Prev = "/intel/watch?page=" + strconv.Itoa(pageNo-1)
	}
	if more {
		pager.Next = "/intel/watch?page=" + strconv.Itoa(pageNo+1)
	}
	wts, err := intel.CurrentWeights(r.Context(), s.DB)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "intel_watch", web.Page{Title: "关注名单", Active: "/intel", Unmasked: m.Unmasked,
		Data: intelWatchView{Accounts: accounts, Phones: phones, Weights: wts, CanWrite: p.Can(auth.CapIntelWrite), Pager: pager}})
	return nil
}

// intelAccountView is the data of the intel_account page.
type intelAccountView struct {
	A        web.AccountView
	CanWrite bool
	// A province or city user picks the county whose graph the account's
	// links open, as on the groups page.
	Counties []area.Node
	County   int64 // the chosen county (0: none yet)
}

func (s *handler) handleIntelAccountPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	a, err := s.IntelAccount(r, p)
	if err != nil {
		return err
	}
	v := intelAccountView{A: a, CanWrite: p.Can(auth.CapIntelWrite)}
	if v.Counties, err = s.GraphCounties(r, p); err != nil {
		return err
	}
	if p.Scope.Level.AboveCounty() {
		if v.County, err = web.QueryInt(r, "county"); err != nil {
			return err
		}
	}
	s.Render(w, r, http.StatusOK, "intel_account", web.Page{Title: "账户研判", Active: "/intel", Unmasked: web.UnmaskAsked(r) && p.Can(auth.CapUnmask),
		Data: v})
	return nil
}

func (s *handler) handleIntelLabelForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	if err := s.SetLabel(r, p, intel.LabelInput{AccountID: id, Label: r.FormValue("label"), Note: r.FormValue("note")}); err != nil {
		return err
	}
	web.RedirectFlash(w, r, fmt.Sprintf("/intel/accounts/%d", id), "已记录标注")
	return nil
}

// intelGraphView is the data of the intel_graph page.
type intelGraphView struct {
	Node    string
	Account string
	Case    string
	County  string // a province or city user's county (?county=), passed on to the expansion API
}

func (s *handler) handleIntelGraphPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	q := r.URL.Query()
	s.Render(w, r, http.StatusOK, "intel_graph", web.Page{Title: "关系图谱", Active: "/intel",
		Data: intelGraphView{Node: q.Get("node"), Account: q.Get("account"), Case: q.Get("case"), County: q.Get("county")}})
	return nil
}

// intelGroupsView is the data of the intel_groups page.
type intelGroupsView struct {
	Groups    []web.GroupSummary
	Hubs      []web.HubView
	HubDegree int
	// A province or city user picks the county whose groups are listed.
	Counties []area.Node
	County   int64  // the chosen county (0: none yet)
	CountyQ  string // "?county=N" carried by the group links, or ""
}

func (s *handler) handleIntelGroupsPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	counties, err := s.GraphCounties(r, p)
	if err != nil {
		return err
	}
	v := intelGroupsView{HubDegree: intel.HubDegree, Counties: counties}
	if p.Scope.Level.AboveCounty() {
		if v.County, err = web.QueryInt(r, "county"); err != nil {
			return err
		}
		if v.County == 0 {
			// No county chosen yet: the picker alone.
			s.Render(w, r, http.StatusOK, "intel_groups", web.Page{Title: "团伙", Active: "/intel", Data: v})
			return nil
		}
		v.CountyQ = fmt.Sprintf("?county=%d", v.County)
	}
	if v.Groups, err = s.IntelGroups(r, p); err != nil {
		return err
	}
	if v.Hubs, err = s.IntelHubs(r, p); err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "intel_groups", web.Page{Title: "团伙", Active: "/intel", Data: v})
	return nil
}

// intelGroupView is the data of the intel_group page: the group and, for
// a province or city user, the county its graph links keep.
type intelGroupView struct {
	web.GroupDetail
	County int64 // 0: a county user's own graph
}

// groupPageRows is how many members and links a group page lists.
const groupPageRows = 200

func (s *handler) handleIntelGroupPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	d, err := s.IntelGroup(r, p, groupPageRows)
	if err != nil {
		return err
	}
	v := intelGroupView{GroupDetail: d}
	if county, _ := web.QueryInt(r, "county"); county != 0 && p.Scope.Level.AboveCounty() {
		v.County = county // the graph links stay in the county
	}
	s.Render(w, r, http.StatusOK, "intel_group", web.Page{Title: "团伙详情", Active: "/intel", Data: v})
	return nil
}

// intelOutletsView is the data of the intel_outlets page.
type intelOutletsView struct {
	Items []intel.Outlet
	From  string
	To    string
	Query string
}

func (s *handler) handleIntelOutletsPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f, err := s.OutletFilter(r)
	if err != nil {
		return err
	}
	list, err := intel.RankOutlets(r.Context(), s.DB, p.Scope, f)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "intel_outlets", web.Page{Title: "涉两卡单位", Active: "/intel",
		Data: intelOutletsView{Items: list, From: r.URL.Query().Get("from"), To: r.URL.Query().Get("to"), Query: r.URL.RawQuery}})
	return nil
}

func (s *handler) handleIntelPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	m := auth.Masker{}
	var err error
	if web.UnmaskAsked(r) {
		if m, err = s.Masker(r, p, "accounts", "intel"); err != nil {
			return err
		}
	}
	list, err := s.BusiestAccounts(r, p, m)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "intel", web.Page{Title: "两卡研判", Active: "/intel", Unmasked: m.Unmasked, Data: list})
	s.PrefetchIntelGraph(p)
	return nil
}
