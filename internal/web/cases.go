package web

import (
	"net/http"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/funds"
)

// 侦办 helpers both doors use: opening a case from a report, audited for
// the caller. (Suspects, steps and dispositions are internal/investigation's
// use cases, which both doors call directly.)

// Opening a case from a report (报案): POST /api/v1/cases and the report
// form on the console. Amounts are yuan as text ("1,234.50") or fen.

// OpenCase stores a report as a case investigated by the caller
// (funds.OpenCase); the API and the report form share it.
func (s *Server) OpenCase(r *http.Request, p *auth.Principal, in funds.CaseReport) (funds.OpenedCase, error) {
	return funds.OpenCase(r.Context(), s.DB, p.Scope, auth.AuditFor(p, ClientIP(r), RequestID(r.Context())), in, s.Now())
}
