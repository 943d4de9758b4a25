package web

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/warning"
)

// hub fans out "warnings changed" notices to the open duty boards over
// server-sent events. A notice carries only ids; each board re-reads what
// its user may see. Every subscriber is registered with its jurisdiction,
// and is sent only the ids of warnings under it (warning.VisibleIDs), read
// in the subscriber's own goroutine so a publish never waits on the
// database.
type hub struct {
	mu   sync.Mutex
	subs map[*subscriber]struct{}
	// origin names this process in notices to other replicas; out, while
	// ListenReplicas runs, takes what is published for them
	// (live_replicas.go).
	origin string
	out    chan []int64
}

// subscriber is one open event stream and the node whose warnings it may
// hear about.
type subscriber struct {
	scope area.Node
	c     chan []int64
}

func newHub() *hub { return &hub{subs: map[*subscriber]struct{}{}, origin: newOrigin()} }

// Publish tells every subscriber that these warnings changed. A slow
// subscriber misses notices rather than blocking intake; its next notice
// (or its periodic refresh) brings it up to date.
func (h *hub) Publish(ids []int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for sub := range h.subs {
		select {
		case sub.c <- ids:
		default:
		}
	}
}

func (h *hub) subscribe(scope area.Node) *subscriber {
	sub := &subscriber{scope: scope, c: make(chan []int64, 16)}
	h.mu.Lock()
	h.subs[sub] = struct{}{}
	h.mu.Unlock()
	return sub
}

func (h *hub) unsubscribe(sub *subscriber) {
	h.mu.Lock()
	delete(h.subs, sub)
	h.mu.Unlock()
}

// handleEvents streams "warnings" events (the changed ids the caller may
// see) and a heartbeat every 15 s, for the duty board to update without
// reload.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	sub := s.hub.subscribe(p.Scope)
	defer s.hub.unsubscribe(sub)
	fmt.Fprintf(w, "retry: 2000\n\n")
	_ = rc.Flush()
	tick := time.NewTicker(15 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case ids := <-sub.c:
			ids, err := warning.VisibleIDs(r.Context(), s.db, sub.scope, ids)
			if err != nil {
				s.log.Warn("event stream: visible warnings", "err", err)
				continue
			}
			if len(ids) == 0 {
				continue
			}
			parts := make([]string, len(ids))
			for i, id := range ids {
				parts[i] = fmt.Sprint(id)
			}
			fmt.Fprintf(w, "event: warnings\ndata: [%s]\n\n", strings.Join(parts, ","))
		case <-tick.C:
			fmt.Fprintf(w, ": heartbeat\n\n")
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
	}
}
