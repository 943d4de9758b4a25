// Package api is the JSON door of fanzha under /api/v1: one declarative
// route table (routes*.go; method, path, capability, handler, request and
// response types) from which both the router and the OpenAPI document
// (openapi.go, GET /api/v1/openapi.json) are built, and the handlers, one
// file per domain. Handlers translate HTTP to calls of the domain packages
// and back; the server, middleware, authentication, error mapping and the
// helpers shared with the console are in package web.
package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/web"
)

// handler is the server seen by the API's handlers.
type handler struct{ *web.Server }

// masked is a record that masks its numbers for a caller.
type masked[T any] interface{ Masked(auth.Masker) T }

// writeOne answers the record of the path's id, read by get in the
// caller's scope and masked for the caller (objectType names it in the
// audit entry of an unmask).
func writeOne[T masked[T]](s *handler, w http.ResponseWriter, r *http.Request, p *auth.Principal, objectType string,
	get func(ctx context.Context, id int64) (T, error)) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	v, err := get(r.Context(), id)
	if err != nil {
		return err
	}
	m, err := s.Masker(r, p, objectType, strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, v.Masked(m))
	return nil
}

// Mount registers every route of the table on s, and answers any other
// path under /api/ with a JSON 404.
func Mount(s *web.Server) {
	h := &handler{s}
	h.registerAPI()
	s.Mux.HandleFunc("/api/", s.HandleAPINotFound)
}

// Routes is the route table as Mount registers it on s.
func Routes(s *web.Server) []APIRoute { return (&handler{s}).apiRoutes() }
