package web

import (
	"sync"

	"github.com/fanzha/fanzha/internal/area"
)

// hub fans out "warnings changed" notices to the open duty boards over
// server-sent events. A notice carries only ids; each board re-reads what
// its user may see. Every subscriber is registered with its jurisdiction,
// and is sent only the ids of warnings under it (warning.VisibleIDs), read
// in the subscriber's own goroutine so a publish never waits on the
// database.
type hub struct {
	Mu   sync.Mutex
	Subs map[*subscriber]struct{}
	// origin names this process in notices to other replicas; out, while
	// ListenReplicas runs, takes what is published for them
	// (live_replicas.go).
	origin string
	out    chan []int64
}

// subscriber is one open event stream and the node whose warnings it may
// hear about.
type subscriber struct {
	Scope area.Node
	C     chan []int64
}

func newHub() *hub { return &hub{Subs: map[*subscriber]struct{}{}, origin: newOrigin()} }

// Publish tells every subscriber that these warnings changed. A slow
// subscriber misses notices rather than blocking intake; its next notice
// (or its periodic refresh) brings it up to date.
func (h *hub) Publish(ids []int64) {
	h.Mu.Lock()
	defer h.Mu.Unlock()
	for sub := range h.Subs {
		select {
		case sub.C <- ids:
		default:
		}
	}
}

func (h *hub) Subscribe(scope area.Node) *subscriber {
	sub := &subscriber{Scope: scope, C: make(chan []int64, 16)}
	h.Mu.Lock()
	h.Subs[sub] = struct{}{}
	h.Mu.Unlock()
	return sub
}

func (h *hub) Unsubscribe(sub *subscriber) {
	h.Mu.Lock()
	delete(h.Subs, sub)
	h.Mu.Unlock()
}
