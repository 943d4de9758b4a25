// Package api is the JSON door of fanzha under /api/v1: one declarative
// route table (routes*.go; method, path, capability, handler, request and
// response types) from which both the router and the OpenAPI document
// (openapi.go, GET /api/v1/openapi.json) are built, and the handlers, one
// file per domain. Handlers translate HTTP to calls of the domain packages
// and back; the server, middleware, authentication, error mapping and the
// helpers shared with the console are in package web.
package api

import "github.com/fanzha/fanzha/internal/web"

// handler is the server seen by the API's handlers.
type handler struct{ *web.Server }

// Mount registers every route of the table on s, and answers any other
// path under /api/ with a JSON 404.
func Mount(s *web.Server) {
	h := &handler{s}
	h.registerAPI()
	s.Mux.HandleFunc("/api/", s.HandleAPINotFound)
}

// Routes is the route table as Mount registers it on s.
func Routes(s *web.Server) []APIRoute { return (&handler{s}).apiRoutes() }
