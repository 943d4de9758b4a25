package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/warning"
)

// handleEvents streams "warnings" events (the changed ids the caller may
// see) and a heartbeat every 15 s, for the duty board to update without
// reload.
func (s *handler) handleEvents(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	sub := s.Hub.Subscribe(p.Scope)
	defer s.Hub.Unsubscribe(sub)
	fmt.Fprintf(w, "retry: 2000\n\n")
	_ = rc.Flush()
	tick := time.NewTicker(15 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case ids := <-sub.C:
			ids, err := warning.VisibleIDs(r.Context(), s.DB, sub.Scope, ids)
			if err != nil {
				s.Log.Warn("event stream: visible warnings", "err", err)
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
