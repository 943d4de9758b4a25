package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/returns"
)

// 返还 helpers both doors use: the Excel of a case's return plans.

// WriteReturnsXLSX answers a case's return calculation as a workbook, with
// the account numbers in full (the document goes to the bank and the
// court), and audits the export.
func (s *Server) WriteReturnsXLSX(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := PathID(r)
	if err != nil {
		return err
	}
	v, err := returns.GetCaseReturns(r.Context(), s.DB, p.Scope, id, s.Now())
	if err != nil {
		return err
	}
	if !p.Can(auth.CapUnmask) {
		v = v.Masked(auth.Masker{})
	}
	if err := s.Audit(r, p, auth.AuditExport, "case_returns", strconv.FormatInt(id, 10), fmt.Sprintf("%d frozen accounts", len(v.Accounts))); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="returns-%s.xlsx"`, v.CaseNo))
	return returns.WriteXLSX(w, v)
}
