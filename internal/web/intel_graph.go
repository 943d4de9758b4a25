package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
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

// IntelGraphs keeps each jurisdiction's entity graph while the data it is
// built from is unchanged (checked in the database on every read).
var IntelGraphs intel.GraphCache

// graphKeys names each database for the cache. Holding the *db.DB keeps
// its address from being reused by another database while it is cached.
var (
	graphKeys   sync.Map // *db.DB → string
	graphKeySeq atomic.Int64
)

// IntelGraph is the graph the caller works on: their jurisdiction's for a
// county and below; for a province or city user, the county chosen with
// ?county= (intel.GraphScope: intel.ErrGraphAboveCounty without one).
func (s *Server) IntelGraph(r *http.Request, p *auth.Principal) (*intel.Graph, error) {
	scope, err := s.IntelGraphScope(r, p)
	if err != nil {
		return nil, err
	}
	return IntelGraphs.Get(r.Context(), s.DB, s.GraphKey(), scope, s.Now())
}

// IntelGraphScope is the jurisdiction of the caller's graph (?county= for a
// province or city user).
func (s *Server) IntelGraphScope(r *http.Request, p *auth.Principal) (area.Node, error) {
	county, err := QueryInt(r, "county")
	if err != nil {
		return area.Node{}, err
	}
	return intel.GraphScope(r.Context(), s.DB, p.Scope, county)
}

// GraphCounties are the counties a province or city user picks a graph
// from (none for a county user and below, whose graph is their own).
func (s *Server) GraphCounties(r *http.Request, p *auth.Principal) ([]area.Node, error) {
	if !p.Scope.Level.AboveCounty() {
		return nil, nil
	}
	return area.ByLevel(r.Context(), s.DB, p.Scope, area.County)
}

func (s *Server) GraphKey() string {
	key, ok := graphKeys.Load(s.DB)
	if !ok {
		key, _ = graphKeys.LoadOrStore(s.DB, strconv.FormatInt(graphKeySeq.Add(1), 10))
	}
	return key.(string)
}

// WarmIntelGraph starts building the county's entity graph in the
// background, so that the first visit to 两卡研判 after a start does not wait
// for it (the graph is then kept while the data's fingerprint holds).
func (s *Server) WarmIntelGraph(ctx context.Context) error {
	root, err := area.Root(ctx, s.DB)
	if err != nil {
		if errors.Is(err, domain.ErrNotFound) {
			return nil // no county yet (before the first-start setup)
		}
		return err
	}
	IntelGraphs.Prefetch(s.DB, s.GraphKey(), root, s.Now())
	return nil
}

// PrefetchIntelGraph starts building the caller's graph in the background
// (the 两卡研判 page does not need it, the pages it links to do).
func (s *Server) PrefetchIntelGraph(p *auth.Principal) {
	IntelGraphs.Prefetch(s.DB, s.GraphKey(), p.Scope, s.Now())
}
