package web

import (
	"net/http"
	"sync"
)

// routeMux is the server's ServeMux that also remembers every pattern
// registered on it, so tests can walk the whole router (scope_walk_test.go):
// a route added without being known to the jurisdiction walk fails it.
type routeMux struct {
	*http.ServeMux
	mu       sync.Mutex
	patterns []string
}

func newRouteMux() *routeMux { return &routeMux{ServeMux: http.NewServeMux()} }

// HandleFunc registers a handler function for the pattern and records it.
func (m *routeMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.record(pattern)
	m.ServeMux.HandleFunc(pattern, h)
}

// Handle registers a handler for the pattern and records it.
func (m *routeMux) Handle(pattern string, h http.Handler) {
	m.record(pattern)
	m.ServeMux.Handle(pattern, h)
}

func (m *routeMux) record(pattern string) {
	m.mu.Lock()
	m.patterns = append(m.patterns, pattern)
	m.mu.Unlock()
}

// RoutePatterns returns the registered patterns in registration order.
func (m *routeMux) RoutePatterns() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.patterns...)
}
