package api

import (
	"net/http"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/bulletin"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/web"
	"github.com/fanzha/fanzha/internal/web/apiv1"
)

// The API's route table: every route under /api/v1 is one APIRoute, from
// which both the router (registerAPI) and the OpenAPI document
// (openapi.go, GET /api/v1/openapi.json) are built, so the document lists
// exactly what the router serves. The table is split by area over
// routes_*.go; console pages register in package console and are not in
// the document.

// APIRoute is one API operation.
type APIRoute struct {
	Method, Path string
	// Cap is the capability the caller's role must hold (any signed-in
	// caller when empty); checked by web.Server.API before the handler runs.
	Cap     auth.Capability
	Handler web.APIHandler
	// Open is a handler that runs without web.Server.API: the routes that
	// authenticate (login, logout) or need no caller (the document).
	// Exactly one of Handler and Open is set.
	Open http.HandlerFunc
	// Tag groups the operation in the document; Summary is its title
	// (Chinese), Description the rules an integrator needs (English).
	Tag, Summary, Description string
	// Request is a value of the JSON request body's type, or nil.
	Request any
	// OptionalBody marks a request body that may be left out.
	OptionalBody bool
	// Upload names the multipart form field of an uploaded file, for the
	// routes that take files instead of JSON.
	Upload string
	// Response is a value of the success body's type (nil with Produces).
	Response any
	// Produces is the content type of a success body that is not JSON
	// (xlsx, csv, an image, an event stream).
	Produces string
	// Status is the success status (200 when zero).
	Status int
	Query  []apiParam
}

// apiParam is one query parameter of an operation.
type apiParam struct{ Name, Type, Description string }

// apiRoutes is the whole table in registration order.
func (s *handler) apiRoutes() []APIRoute {
	var all []APIRoute
	for _, part := range [][]APIRoute{
		s.coreAPIRoutes(),
		s.warningAPIRoutes(),
		s.caseAPIRoutes(),
		s.investigationAPIRoutes(),
		s.caseworkAPIRoutes(),
		s.casePartiesAPIRoutes(),
		s.fundsAPIRoutes(),
		s.partnerOps(),
		s.intelAPIRoutes(),
		s.preventAPIRoutes(),
		s.instructionAPIRoutes(),
		s.adminAPIRoutes(),
	} {
		all = append(all, part...)
	}
	return all
}

// registerAPI registers every route of the table: Open handlers as they
// are, the others behind the capability check of web.Server.API.
func (s *handler) registerAPI() {
	for _, rt := range s.apiRoutes() {
		h := rt.Open
		if h == nil {
			h = s.API(rt.Cap, rt.Handler)
		}
		s.Mux.HandleFunc(rt.Method+" "+rt.Path, h)
	}
}

// Content types of the non-JSON bodies.
const (
	mimeXLSX  = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	mimeCSV   = "text/csv"
	mimeImage = "image/*"
	mimeSSE   = "text/event-stream"
)

// Query parameters shared by many list routes.
var (
	qFrom   = apiParam{"from", "string", "from this date (YYYY-MM-DD, Asia/Shanghai) or RFC 3339 time"}
	qTo     = apiParam{"to", "string", "up to this date (YYYY-MM-DD, Asia/Shanghai) or RFC 3339 time"}
	qLimit  = apiParam{"limit", "integer", "at most this many rows"}
	qBefore = apiParam{"before", "integer", "the page after this id (keyset paging: the last id of the previous page)"}
	qUnmask = apiParam{"unmask", "integer", "1: numbers in full (audited; only for roles allowed to see them)"}
	qArea   = apiParam{"area", "integer", "a node under the caller's (default: the caller's jurisdiction)"}
	// qCounty picks the county whose entity graph a province or city user
	// works on (the graph is built per county; ignored below a county).
	qCounty = apiParam{"county", "integer", "province or city user: the county (areas.id) whose graph to use; required above a county"}
)

func (s *handler) coreAPIRoutes() []APIRoute {
	return []APIRoute{
		{Method: "POST", Path: "/api/v1/login", Open: s.handleAPILogin, Tag: "auth",
			Summary: "登录", Description: "Signs in with username, password and (with two-factor login) the TOTP or a recovery code; sets the session cookie and answers the CSRF token to send as X-CSRF-Token on unsafe requests. Requires Content-Type: application/json.",
			Request: LoginRequest{}, Response: loginResponse{}},
		{Method: "POST", Path: "/api/v1/logout", Open: s.handleAPILogout, Tag: "auth",
			Summary: "退出登录", Description: "Ends the console session (a session caller must send the CSRF token).", Response: apiv1.StatusBody{}},
		{Method: "GET", Path: "/api/v1/me", Handler: s.handleMe, Tag: "auth",
			Summary: "当前用户", Description: "The caller: user, role, jurisdiction and capabilities.", Response: meResponse{}},
		{Method: "GET", Path: "/api/v1/openapi.json", Open: s.handleOpenAPI, Tag: "auth",
			Summary: "接口文档", Description: "This OpenAPI document; no authentication.", Response: map[string]any{}},
		{Method: "GET", Path: "/api/v1/areas", Cap: auth.CapAreaRead, Handler: s.handleAreas, Tag: "areas",
			Summary: "辖区列表", Description: "The areas in the caller's jurisdiction.", Query: []apiParam{{"level", "string", "only this level (county, station, town, village, cell)"}},
			Response: areasBody{}},
		{Method: "GET", Path: "/api/v1/areas/{id}", Cap: auth.CapAreaRead, Handler: s.handleArea, Tag: "areas",
			Summary: "辖区及下级", Response: areaChildrenBody{}},
		{Method: "GET", Path: "/api/v1/users", Cap: auth.CapUserAdmin, Handler: s.handleUsers, Tag: "users",
			Summary: "用户列表", Description: "Users in the caller's jurisdiction.", Query: []apiParam{{"role", "string", "only this role"}, qUnmask},
			Response: usersBody{}},
		{Method: "GET", Path: "/api/v1/audit", Cap: auth.CapAuditRead, Handler: s.handleAudit, Tag: "audit",
			Summary: "审计日志", Description: "Audit entries, newest first.",
			Query:    []apiParam{{"user", "string", "only this username"}, {"action", "string", "only this action"}, qFrom, qTo, qBefore, qLimit},
			Response: auditBody{}},
		{Method: "GET", Path: "/api/v1/audit/export", Cap: auth.CapAuditRead, Handler: s.handleAuditExport, Tag: "audit",
			Summary: "导出审计日志", Description: "The filtered audit entries as CSV.",
			Query:    []apiParam{{"user", "string", "only this username"}, {"action", "string", "only this action"}, qFrom, qTo, qBefore},
			Produces: mimeCSV},
		{Method: "GET", Path: "/api/v1/figures/overview", Cap: auth.CapFiguresRead, Handler: s.handleOverview, Tag: "figures",
			Summary: "总体数据", Description: "The headline figures of the caller's jurisdiction.", Query: []apiParam{qArea}, Response: bulletin.Overview{}},
		{Method: "GET", Path: "/api/v1/figures/warnings", Cap: auth.CapFiguresRead, Handler: s.handleWarningFigures, Tag: "figures",
			Summary: "预警处置数据", Query: []apiParam{qFrom, qTo, qArea}, Response: warning.Figures{}},
		{Method: "GET", Path: "/api/v1/figures/funds", Cap: auth.CapFiguresRead, Handler: s.handleFundsFigures, Tag: "figures",
			Summary: "资金止付冻结返还数据", Query: []apiParam{qFrom, qTo, qArea}, Response: partner.FundsFigures{}},
	}
}
