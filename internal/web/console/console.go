// Package console is the server-rendered Chinese console: the pages, one
// file per domain, registered by Mount. Pages call the same domain
// functions as the API, render templates of package web
// (internal/web/templates, with the partials of templates/common) fed one
// typed view struct per page, and guard links by the caller's capabilities.
package console

import (
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/web"
)

// handler is the server seen by the console's pages.
type handler struct{ *web.Server }

// Mount registers the console's pages on s.
func Mount(s *web.Server) {
	h := &handler{s}
	h.consoleRoutes()
	h.jointConsoleRoutes() // 联席 pages: joint.go
	h.freezePages()        // 止付/冻结 and 返还 pages: freeze.go
	h.preventRoutes()      // 宣传防范, 研判通报, 大屏 pages: prevent.go, bulletin.go
	h.intelRoutes()        // 两卡研判 pages: intel.go
	h.campaignPages()      // 战役督办 pages: campaigns.go
	h.adminRoutes()        // 系统管理: setup, tree, units, people, roster, settings (admin.go)
	h.instructionPages()   // 指令反馈, 回访, 考核排名, 96110与来访: instructions.go, league.go
	s.Mux.HandleFunc("POST /warnings/{id}/fraud-type", s.Page(auth.CapWarningWrite, h.handleFraudTypeForm))
}
