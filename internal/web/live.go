package web

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
)

// hub fans out "warnings changed" notices to the open duty boards over
// server-sent events. A notice carries only ids; each board re-reads what
// its user may see, so jurisdiction filtering stays in the domain package.
type hub struct {
	mu   sync.Mutex
	subs map[chan []int64]struct{}
}

func newHub() *hub { return &hub{subs: map[chan []int64]struct{}{}} }

// Publish tells every subscriber that these warnings changed. A slow
// subscriber misses notices rather than blocking intake; its next notice
// (or its periodic refresh) brings it up to date.
func (h *hub) Publish(ids []int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.subs {
		select {
		case c <- ids:
		default:
		}
	}
}

func (h *hub) subscribe() chan []int64 {
	c := make(chan []int64, 16)
	h.mu.Lock()
	h.subs[c] = struct{}{}
	h.mu.Unlock()
	return c
}

func (h *hub) unsubscribe(c chan []int64) {
	h.mu.Lock()
	delete(h.subs, c)
	h.mu.Unlock()
}

// handleEvents streams "warnings" events (the changed ids) and a heartbeat
// every 15 s, for the duty board to update without reload.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	c := s.hub.subscribe()
	defer s.hub.unsubscribe(c)
	fmt.Fprintf(w, "retry: 2000\n\n")
	_ = rc.Flush()
	tick := time.NewTicker(15 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case ids := <-c:
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
