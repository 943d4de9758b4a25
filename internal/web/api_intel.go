package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/intel"
)

// 两卡研判: the watch lists with their explanations, labels, rescoring and
// refitting, implicated outlets, the entity graph (expansion, groups,
// linked cases). Domain work is in internal/intel; this file only
// translates HTTP.

// intelGraphs keeps each jurisdiction's entity graph while the data it is
// built from is unchanged (checked in the database on every read).
var intelGraphs intel.GraphCache

// graphKeys names each database for the cache. Holding the *db.DB keeps
// its address from being reused by another database while it is cached.
var (
	graphKeys   sync.Map // *db.DB → string
	graphKeySeq atomic.Int64
)

func (s *Server) intelRoutes() {
	m := s.mux
	m.HandleFunc("GET /intel/watch", s.page(auth.CapIntelRead, s.handleIntelWatchPage))
	m.HandleFunc("POST /intel/rescore", s.page(auth.CapIntelWrite, s.handleIntelRescoreForm))
	m.HandleFunc("GET /intel/accounts/{id}", s.page(auth.CapIntelRead, s.handleIntelAccountPage))
	m.HandleFunc("POST /intel/accounts/{id}/label", s.page(auth.CapIntelWrite, s.handleIntelLabelForm))
	m.HandleFunc("GET /intel/graph", s.page(auth.CapIntelRead, s.handleIntelGraphPage))
	m.HandleFunc("GET /intel/groups", s.page(auth.CapIntelRead, s.handleIntelGroupsPage))
	m.HandleFunc("GET /intel/groups/{ref}", s.page(auth.CapIntelRead, s.handleIntelGroupPage))
	m.HandleFunc("GET /intel/outlets", s.page(auth.CapIntelRead, s.handleIntelOutletsPage))
	m.HandleFunc("GET /intel/outlets.xlsx", s.page(auth.CapIntelRead, s.handleIntelOutletsExport))
}

func (s *Server) intelGraph(r *http.Request, p *auth.Principal) (*intel.Graph, error) {
	return intelGraphs.Get(r.Context(), s.db, s.graphKey(), p.Scope, s.now())
}

func (s *Server) graphKey() string {
	key, ok := graphKeys.Load(s.db)
	if !ok {
		key, _ = graphKeys.LoadOrStore(s.db, strconv.FormatInt(graphKeySeq.Add(1), 10))
	}
	return key.(string)
}

// WarmIntelGraph starts building the county's entity graph in the
// background, so that the first visit to 两卡研判 after a start does not wait
// for it (the graph is then kept while the data's fingerprint holds).
func (s *Server) WarmIntelGraph(ctx context.Context) error {
	root, err := area.Root(ctx, s.db)
	if err != nil {
		if errors.Is(err, domain.ErrNotFound) {
			return nil // no county yet (before the first-start setup)
		}
		return err
	}
	intelGraphs.Prefetch(s.db, s.graphKey(), root, s.now())
	return nil
}

// prefetchIntelGraph starts building the caller's graph in the background
// (the 两卡研判 page does not need it, the pages it links to do).
func (s *Server) prefetchIntelGraph(p *auth.Principal) {
	intelGraphs.Prefetch(s.db, s.graphKey(), p.Scope, s.now())
}

func (s *Server) watchList(r *http.Request, p *auth.Principal, m auth.Masker) ([]intel.Scored, error) {
	kind := r.URL.Query().Get("kind")
	if kind != "" && kind != intel.KindAccount && kind != intel.KindPhone {
		return nil, errorf(http.StatusBadRequest, "bad_param", "kind 只能是 account 或 phone")
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		return nil, err
	}
	offset, err := queryInt(r, "offset")
	if err != nil {
		return nil, err
	}
	list, err := intel.WatchList(r.Context(), s.db, p.Scope, intel.WatchFilter{Kind: kind, WatchOnly: r.URL.Query().Get("watch") == "1",
		Offset: int(offset), Limit: int(limit)})
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i] = list[i].Masked(m)
	}
	return list, nil
}

func (s *Server) handleIntelWatch(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	m, err := s.masker(r, p, "intel_watch", "")
	if err != nil {
		return err
	}
	list, err := s.watchList(r, p, m)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

// busiestAccounts is the list of the console's 两卡研判 page and of
// GET /api/v1/intel/accounts: one scoped domain query for both.
func (s *Server) busiestAccounts(r *http.Request, p *auth.Principal, m auth.Masker) ([]intel.AccountActivity, error) {
	limit, err := queryInt(r, "limit")
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 100
	}
	list, err := intel.BusiestAccounts(r.Context(), s.db, p.Scope, int(limit))
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i] = list[i].Masked(m)
	}
	return list, nil
}

func (s *Server) handleIntelBusiest(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	m, err := s.masker(r, p, "accounts", "intel")
	if err != nil {
		return err
	}
	list, err := s.busiestAccounts(r, p, m)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

// accountView is an account's score with where to start its graph.
type accountView struct {
	intel.Scored
	GraphRef string `json:"graph_ref,omitempty"`
}

func (s *Server) intelAccount(r *http.Request, p *auth.Principal) (accountView, error) {
	id, err := pathID(r)
	if err != nil {
		return accountView{}, err
	}
	sc, err := intel.AccountScore(r.Context(), s.db, p.Scope, id)
	if err != nil {
		return accountView{}, err
	}
	m, err := s.masker(r, p, "account", strconv.FormatInt(id, 10))
	if err != nil {
		return accountView{}, err
	}
	if err := s.auditRead(r, p, m, "account", strconv.FormatInt(id, 10)); err != nil {
		return accountView{}, err
	}
	v := accountView{Scored: sc.Masked(m)}
	if g, err := s.intelGraph(r, p); err == nil {
		if _, ok := g.Find(intel.TCard, sc.Subject); ok {
			v.GraphRef = g.Ref(intel.Entity{Type: intel.TCard, Key: sc.Subject})
		}
	} else {
		return v, err
	}
	return v, nil
}

func (s *Server) handleIntelAccount(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	v, err := s.intelAccount(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// setLabel records a label in the caller's jurisdiction (intel.Label).
func (s *Server) setLabel(r *http.Request, p *auth.Principal, in intel.LabelInput) error {
	err := intel.Label(r.Context(), s.db, p.Scope, auth.AuditFor(p, clientIP(r), requestID(r.Context())), in, s.now())
	if err == nil {
		intelGraphs.Invalidate()
	}
	return err
}

func (s *Server) handleIntelLabel(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var req intel.LabelInput
	if err := decodeJSON(r, &req, 1<<14); err != nil {
		return err
	}
	if err := s.setLabel(r, p, req); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]string{"status": "ok"})
	return nil
}

func (s *Server) rescore(r *http.Request, p *auth.Principal) (intel.Rescored, error) {
	res, err := intel.RescoreBy(r.Context(), s.db, auth.AuditFor(p, clientIP(r), requestID(r.Context())), s.now())
	intelGraphs.Invalidate()
	return res, err
}

func (s *Server) handleIntelRescore(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	res, err := s.rescore(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) handleIntelRescoreForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	res, err := s.rescore(r, p)
	if err != nil {
		return err
	}
	redirectFlash(w, r, "/intel/watch", fmt.Sprintf("已重新评分：%d 个账户（%d 个进入关注名单），%d 个电话号码", res.Accounts, res.Watch, res.Phones))
	return nil
}

func (s *Server) handleIntelFit(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	wts, rep, err := intel.FitStored(r.Context(), s.db)
	if err != nil {
		return errorf(http.StatusUnprocessableEntity, "cannot_fit", "无法拟合权重：%v", err)
	}
	report := fmt.Sprintf("fit on %d labels (%d mules): precision=%.4f recall=%.4f", rep.Examples, rep.Mules, rep.Precision, rep.Recall)
	if r.URL.Query().Get("dry_run") != "1" {
		if err := intel.SaveWeights(r.Context(), s.db, auth.AuditFor(p, clientIP(r), requestID(r.Context())), wts, report, s.now()); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"weights": wts, "report": rep, "saved": r.URL.Query().Get("dry_run") != "1"})
	return nil
}

func (s *Server) handleIntelWeights(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	wts, err := intel.CurrentWeights(r.Context(), s.db)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"weights": wts, "features": intel.Features})
	return nil
}

func (s *Server) outletFilter(r *http.Request) (intel.OutletFilter, error) {
	from, err := s.queryTime(r, "from")
	if err != nil {
		return intel.OutletFilter{}, err
	}
	to, err := s.queryTime(r, "to")
	if err != nil {
		return intel.OutletFilter{}, err
	}
	return intel.OutletFilter{From: from, To: to}, nil
}

func (s *Server) handleIntelOutlets(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f, err := s.outletFilter(r)
	if err != nil {
		return err
	}
	list, err := intel.RankOutlets(r.Context(), s.db, p.Scope, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

func (s *Server) handleIntelOutletsExport(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f, err := s.outletFilter(r)
	if err != nil {
		return err
	}
	list, err := intel.RankOutlets(r.Context(), s.db, p.Scope, f)
	if err != nil {
		return err
	}
	period := "（全部开户时间）"
	if !f.From.IsZero() || !f.To.IsZero() {
		period = fmt.Sprintf("（开户时间 %s 至 %s）", r.URL.Query().Get("from"), r.URL.Query().Get("to"))
	}
	if err := s.audit(r, p, auth.AuditExport, "intel_outlets", "", r.URL.RequestURI()); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="outlets.xlsx"`)
	return intel.WriteOutletsXLSX(w, list, period)
}

func (s *Server) handleIntelOutletsImport(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		return errorf(http.StatusBadRequest, "bad_upload", "上传失败：请以 multipart/form-data 上传字段 file：%v", err)
	}
	f, fh, err := r.FormFile("file")
	if err != nil {
		return errorf(http.StatusBadRequest, "no_file", "没有收到文件：表单字段应为 file")
	}
	defer f.Close()
	n, err := intel.ImportOutlets(r.Context(), s.db, filepath.Base(fh.Filename), f)
	if err != nil {
		return err
	}
	if err := s.audit(r, p, auth.AuditCreate, "card_outlets", "", fmt.Sprintf("import %s: %d rows", fh.Filename, n)); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"stored": n})
	return nil
}

// graphResponse is what the graph explorer draws.
type graphResponse struct {
	Start     string           `json:"start"`
	Nodes     []intel.NodeView `json:"nodes"`
	Links     []intel.LinkView `json:"links"`
	Truncated bool             `json:"truncated"`
}

// startNode finds the node an expansion starts from: ?node=REF,
// ?account=ID (accounts.id) or ?case=ID.
func (s *Server) startNode(r *http.Request, p *auth.Principal, g *intel.Graph) (int32, error) {
	q := r.URL.Query()
	switch {
	case q.Get("node") != "":
		if v, ok := g.ByRef(q.Get("node")); ok {
			return v, nil
		}
	case q.Get("account") != "":
		id, err := strconv.ParseInt(q.Get("account"), 10, 64)
		if err != nil {
			return 0, errorf(http.StatusBadRequest, "bad_param", "account 应为账户编号")
		}
		num, err := intel.AccountByID(r.Context(), s.db, p.Scope, id)
		if err != nil {
			return 0, err
		}
		if v, ok := g.Find(intel.TCard, num); ok {
			return v, nil
		}
	case q.Get("case") != "":
		if v, ok := g.Find(intel.TCase, q.Get("case")); ok {
			return v, nil
		}
	default:
		return 0, errorf(http.StatusBadRequest, "bad_param", "需要 node、account 或 case 参数指明起点")
	}
	return 0, errorf(http.StatusNotFound, "not_found", "关系图中没有这个起点（或不在本辖区）")
}

func (s *Server) handleIntelExpand(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	g, err := s.intelGraph(r, p)
	if err != nil {
		return err
	}
	start, err := s.startNode(r, p, g)
	if err != nil {
		return err
	}
	hops, err := queryInt(r, "hops")
	if err != nil {
		return err
	}
	if hops <= 0 {
		hops = 1
	}
	if hops > 6 {
		return errorf(http.StatusBadRequest, "bad_param", "hops 最多为 6")
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	var allow func(intel.EntityType) bool
	if ts := r.URL.Query().Get("types"); ts != "" {
		set := map[intel.EntityType]bool{}
		for _, t := range strings.Split(ts, ",") {
			et, ok := intel.ParseEntityType(strings.TrimSpace(t))
			if !ok {
				return errorf(http.StatusBadRequest, "bad_param", "未知的实体类型 %q", t)
			}
			set[et] = true
		}
		allow = func(t intel.EntityType) bool { return set[t] }
	}
	m, err := s.masker(r, p, "intel_graph", "")
	if err != nil {
		return err
	}
	ex := g.Expand(start, int(hops), allow, int(limit))
	nodes, links, err := g.View(r.Context(), s.db, ex.Nodes, ex.Hop, ex.Edges, m)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, graphResponse{Start: nodes[0].Ref, Nodes: nodes, Links: links, Truncated: ex.Truncated})
	return nil
}

// groupSummary is a group in the list.
type groupSummary struct {
	Ref         string          `json:"ref"` // a member to open the group by
	Size        int             `json:"size"`
	ByType      map[string]int  `json:"by_type"`
	Composition string          `json:"composition"` // 「银行卡 227 个、电话 740 个」
	Cases       []string        `json:"cases"`
	CaseNos     []intel.CaseRef `json:"case_nos"`
}

// hubView is a hub of the graph: an entity so many others share that it is
// left out of the groups.
type hubView struct {
	Ref       string `json:"ref"`
	TypeLabel string `json:"type_label"`
	Label     string `json:"label"` // masked
	Links     int    `json:"links"`
}

func (s *Server) intelHubs(r *http.Request, p *auth.Principal) ([]hubView, error) {
	g, err := s.intelGraph(r, p)
	if err != nil {
		return nil, err
	}
	out := []hubView{}
	for _, v := range g.Hubs() {
		e := g.Entity(v)
		out = append(out, hubView{Ref: g.Ref(e), TypeLabel: intel.TypeLabels[e.Type], Label: intel.EntityLabel(e, auth.Masker{}), Links: g.StrongDegree(v)})
		if len(out) == 50 {
			break
		}
	}
	return out, nil
}

func (s *Server) intelGroups(r *http.Request, p *auth.Principal) ([]groupSummary, error) {
	g, err := s.intelGraph(r, p)
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
	refs, err := intel.CaseNumbers(r.Context(), s.db, p.Scope, keys)
	if err != nil {
		return nil, err
	}
	byKey := make(map[string]intel.CaseRef, len(refs))
	for _, c := range refs {
		byKey[strconv.FormatInt(c.ID, 10)] = c
	}
	out := make([]groupSummary, 0, len(groups))
	for _, gr := range groups {
		nos := []intel.CaseRef{}
		for _, k := range gr.Cases {
			if c, ok := byKey[k]; ok {
				nos = append(nos, c)
			}
		}
		out = append(out, groupSummary{Ref: g.Ref(g.Entity(gr.Members[0])), Size: gr.Size, ByType: gr.ByType,
			Composition: intel.Composition(gr.ByType), Cases: gr.Cases, CaseNos: nos})
	}
	return out, nil
}

func (s *Server) handleIntelGroups(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	list, err := s.intelGroups(r, p)
	if err != nil {
		return err
	}
	hubs, err := s.intelHubs(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list, "hubs": hubs})
	return nil
}

// groupDetail is one group with its members, links, cases and money, and
// the entities outside it that its members are linked to.
type groupDetail struct {
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

// intelGroup reads the group of a member; at most limit members and links
// are rendered (0: all the group returns).
func (s *Server) intelGroup(r *http.Request, p *auth.Principal, limit int) (groupDetail, error) {
	g, err := s.intelGraph(r, p)
	if err != nil {
		return groupDetail{}, err
	}
	v, ok := g.ByRef(r.PathValue("ref"))
	if !ok {
		return groupDetail{}, errorf(http.StatusNotFound, "not_found", "没有这个团伙（关系图已更新或不在本辖区）")
	}
	m, err := s.masker(r, p, "intel_group", r.PathValue("ref"))
	if err != nil {
		return groupDetail{}, err
	}
	gr, edges := g.GroupOf(v)
	d := groupDetail{Ref: r.PathValue("ref"), Size: gr.Size, ByType: gr.ByType, Composition: intel.Composition(gr.ByType),
		Cases: []caseBrief{}, LinksTotal: len(edges), Outside: []outsideView{}}
	// The graph holds only the jurisdiction's cases; reading them through
	// the scoped case query keeps it so however the graph is built.
	refs, err := intel.CaseNumbers(r.Context(), s.db, p.Scope, gr.Cases)
	if err != nil {
		return groupDetail{}, err
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
	d.Nodes, d.Links, err = g.View(r.Context(), s.db, members, nil, edges, m)
	if err != nil {
		return groupDetail{}, err
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

func (s *Server) handleIntelGroup(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	d, err := s.intelGroup(r, p, 0)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// linkedCase is a case linked to another through shared entities.
type linkedCase struct {
	CaseID int64    `json:"case_id"`
	Shared []string `json:"shared"` // the shared entities, as the reader may see them
}

func (s *Server) linkedCases(r *http.Request, p *auth.Principal, caseID int64, m auth.Masker) ([]linkedCase, error) {
	g, err := s.intelGraph(r, p)
	if err != nil {
		return nil, err
	}
	out := []linkedCase{}
	for _, l := range g.CasesLinkedTo(caseID) {
		other := l.CaseA
		if other == caseID {
			other = l.CaseB
		}
		lc := linkedCase{CaseID: other}
		for _, e := range l.Shared {
			lc.Shared = append(lc.Shared, intel.TypeLabels[e.Type]+" "+intel.EntityLabel(e, m))
		}
		out = append(out, lc)
	}
	return out, nil
}

func (s *Server) handleIntelLinkedCases(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	m, err := s.masker(r, p, "case", strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	list, err := s.linkedCases(r, p, id, m)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"case_id": id, "linked": list})
	return nil
}

// Console pages.

func (s *Server) handleIntelWatchPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	m := auth.Masker{}
	var err error
	if unmaskAsked(r) {
		if m, err = s.masker(r, p, "intel_watch", ""); err != nil {
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
	accounts, err := s.watchList(r, p, m)
	if err != nil {
		return err
	}
	q.Set("kind", intel.KindPhone)
	r.URL.RawQuery = q.Encode()
	phones, err := s.watchList(r, p, m)
	if err != nil {
		return err
	}
	more := len(accounts) > perPage || len(phones) > perPage
	accounts, phones = accounts[:min(len(accounts), perPage)], phones[:min(len(phones), perPage)]
	pager := map[string]any{"Page": pageNo}
	if pageNo > 1 {
		pager["Prev"] = "/intel/watch?page=" + strconv.Itoa(pageNo-1)
	}
	if more {
		pager["Next"] = "/intel/watch?page=" + strconv.Itoa(pageNo+1)
	}
	wts, err := intel.CurrentWeights(r.Context(), s.db)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "intel_watch", page{Title: "关注名单", Active: "/intel", Unmasked: m.Unmasked,
		Data: map[string]any{"Accounts": accounts, "Phones": phones, "Weights": wts, "CanWrite": p.Can(auth.CapIntelWrite), "Pager": pager}})
	return nil
}

func (s *Server) handleIntelAccountPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	v, err := s.intelAccount(r, p)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "intel_account", page{Title: "账户研判", Active: "/intel", Unmasked: unmaskAsked(r) && p.Can(auth.CapUnmask),
		Data: map[string]any{"A": v, "CanWrite": p.Can(auth.CapIntelWrite)}})
	return nil
}

func (s *Server) handleIntelLabelForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.setLabel(r, p, intel.LabelInput{AccountID: id, Label: r.FormValue("label"), Note: r.FormValue("note")}); err != nil {
		return err
	}
	redirectFlash(w, r, fmt.Sprintf("/intel/accounts/%d", id), "已记录标注")
	return nil
}

func (s *Server) handleIntelGraphPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	q := r.URL.Query()
	s.render(w, r, http.StatusOK, "intel_graph", page{Title: "关系图谱", Active: "/intel",
		Data: map[string]string{"Node": q.Get("node"), "Account": q.Get("account"), "Case": q.Get("case")}})
	return nil
}

func (s *Server) handleIntelGroupsPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	list, err := s.intelGroups(r, p)
	if err != nil {
		return err
	}
	hubs, err := s.intelHubs(r, p)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "intel_groups", page{Title: "团伙", Active: "/intel", Data: map[string]any{"Groups": list, "Hubs": hubs, "HubDegree": intel.HubDegree}})
	return nil
}

// groupPageRows is how many members and links a group page lists.
const groupPageRows = 200

func (s *Server) handleIntelGroupPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	d, err := s.intelGroup(r, p, groupPageRows)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "intel_group", page{Title: "团伙详情", Active: "/intel", Data: d})
	return nil
}

func (s *Server) handleIntelOutletsPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f, err := s.outletFilter(r)
	if err != nil {
		return err
	}
	list, err := intel.RankOutlets(r.Context(), s.db, p.Scope, f)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "intel_outlets", page{Title: "涉两卡单位", Active: "/intel",
		Data: map[string]any{"Items": list, "From": r.URL.Query().Get("from"), "To": r.URL.Query().Get("to"), "Query": r.URL.RawQuery}})
	return nil
}
