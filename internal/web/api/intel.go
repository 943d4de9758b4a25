package api

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/intel"
	"github.com/fanzha/fanzha/internal/web"
)

func (s *handler) handleIntelWatch(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	m, err := s.Masker(r, p, "intel_watch", "")
	if err != nil {
		return err
	}
	list, err := s.WatchList(r, p, m)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

func (s *handler) handleIntelBusiest(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	m, err := s.Masker(r, p, "accounts", "intel")
	if err != nil {
		return err
	}
	list, err := s.BusiestAccounts(r, p, m)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

func (s *handler) handleIntelAccount(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	v, err := s.IntelAccount(r, p)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, v)
	return nil
}

func (s *handler) handleIntelLabel(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var req intel.LabelInput
	if err := web.DecodeJSON(r, &req, 1<<14); err != nil {
		return err
	}
	if err := s.SetLabel(r, p, req); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]string{"status": "ok"})
	return nil
}

func (s *handler) handleIntelRescore(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	res, err := s.Rescore(r, p)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (s *handler) handleIntelFit(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	wts, rep, err := intel.FitStored(r.Context(), s.DB)
	if err != nil {
		return web.Errorf(http.StatusUnprocessableEntity, "cannot_fit", "无法拟合权重：%v", err)
	}
	report := fmt.Sprintf("fit on %d labels (%d mules): precision=%.4f recall=%.4f", rep.Examples, rep.Mules, rep.Precision, rep.Recall)
	if r.URL.Query().Get("dry_run") != "1" {
		if err := intel.SaveWeights(r.Context(), s.DB, auth.AuditFor(p, web.ClientIP(r), web.RequestID(r.Context())), wts, report, s.Now()); err != nil {
			return err
		}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"weights": wts, "report": rep, "saved": r.URL.Query().Get("dry_run") != "1"})
	return nil
}

func (s *handler) handleIntelWeights(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	wts, err := intel.CurrentWeights(r.Context(), s.DB)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"weights": wts, "features": intel.Features})
	return nil
}

func (s *handler) handleIntelOutlets(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f, err := s.OutletFilter(r)
	if err != nil {
		return err
	}
	list, err := intel.RankOutlets(r.Context(), s.DB, p.Scope, f)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

func (s *handler) handleIntelOutletsImport(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		return web.Errorf(http.StatusBadRequest, "bad_upload", "上传失败：请以 multipart/form-data 上传字段 file：%v", err)
	}
	f, fh, err := r.FormFile("file")
	if err != nil {
		return web.Errorf(http.StatusBadRequest, "no_file", "没有收到文件：表单字段应为 file")
	}
	defer f.Close()
	n, err := intel.ImportOutlets(r.Context(), s.DB, filepath.Base(fh.Filename), f)
	if err != nil {
		return err
	}
	if err := s.Audit(r, p, auth.AuditCreate, "card_outlets", "", fmt.Sprintf("import %s: %d rows", fh.Filename, n)); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]int{"stored": n})
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
func (s *handler) startNode(r *http.Request, p *auth.Principal, g *intel.Graph) (int32, error) {
	q := r.URL.Query()
	switch {
	case q.Get("node") != "":
		if v, ok := g.ByRef(q.Get("node")); ok {
			return v, nil
		}
	case q.Get("account") != "":
		id, err := strconv.ParseInt(q.Get("account"), 10, 64)
		if err != nil {
			return 0, web.Errorf(http.StatusBadRequest, "bad_param", "account 应为账户编号")
		}
		num, err := intel.AccountByID(r.Context(), s.DB, p.Scope, id)
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
		return 0, web.Errorf(http.StatusBadRequest, "bad_param", "需要 node、account 或 case 参数指明起点")
	}
	return 0, web.Errorf(http.StatusNotFound, "not_found", "关系图中没有这个起点（或不在本辖区）")
}

func (s *handler) handleIntelExpand(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	g, err := s.IntelGraph(r, p)
	if err != nil {
		return err
	}
	start, err := s.startNode(r, p, g)
	if err != nil {
		return err
	}
	hops, err := web.QueryInt(r, "hops")
	if err != nil {
		return err
	}
	if hops <= 0 {
		hops = 1
	}
	if hops > 6 {
		return web.Errorf(http.StatusBadRequest, "bad_param", "hops 最多为 6")
	}
	limit, err := web.QueryInt(r, "limit")
	if err != nil {
		return err
	}
	var allow func(intel.EntityType) bool
	if ts := r.URL.Query().Get("types"); ts != "" {
		set := map[intel.EntityType]bool{}
		for _, t := range strings.Split(ts, ",") {
			et, ok := intel.ParseEntityType(strings.TrimSpace(t))
			if !ok {
				return web.Errorf(http.StatusBadRequest, "bad_param", "未知的实体类型 %q", t)
			}
			set[et] = true
		}
		allow = func(t intel.EntityType) bool { return set[t] }
	}
	m, err := s.Masker(r, p, "intel_graph", "")
	if err != nil {
		return err
	}
	ex := g.Expand(start, int(hops), allow, int(limit))
	nodes, links, err := g.View(r.Context(), s.DB, ex.Nodes, ex.Hop, ex.Edges, m)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, graphResponse{Start: nodes[0].Ref, Nodes: nodes, Links: links, Truncated: ex.Truncated})
	return nil
}

func (s *handler) handleIntelGroups(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	list, err := s.IntelGroups(r, p)
	if err != nil {
		return err
	}
	hubs, err := s.IntelHubs(r, p)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"items": list, "hubs": hubs})
	return nil
}

func (s *handler) handleIntelGroup(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	d, err := s.IntelGroup(r, p, 0)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, d)
	return nil
}

// linkedCase is a case linked to another through shared entities.
type linkedCase struct {
	CaseID int64    `json:"case_id"`
	Shared []string `json:"shared"` // the shared entities, as the reader may see them
}

func (s *handler) linkedCases(r *http.Request, p *auth.Principal, caseID int64, m auth.Masker) ([]linkedCase, error) {
	g, err := s.IntelGraph(r, p)
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

func (s *handler) handleIntelLinkedCases(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	m, err := s.Masker(r, p, "case", strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	list, err := s.linkedCases(r, p, id, m)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"case_id": id, "linked": list})
	return nil
}
