// Package server assembles fanzha's HTTP server: the core of package web
// with its two doors mounted, the JSON API (web/api) and the console
// (web/console). The tests that need the whole server live here.
package server

import (
	"github.com/fanzha/fanzha/internal/web"
	"github.com/fanzha/fanzha/internal/web/api"
	"github.com/fanzha/fanzha/internal/web/console"
)

// New builds the server with the API and the console; call Handler to
// serve it.
func New(cfg web.Config) *web.Server {
	s := web.New(cfg)
	api.Mount(s)
	console.Mount(s)
	return s
}
