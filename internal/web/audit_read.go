package web

import (
	"net/http"

	"github.com/fanzha/fanzha/internal/auth"
)

// AuditRead records that p read one person's record — a warning, a case, an
// intel account, masked or not — with who, what, when and from where (the
// audit entry's user, object, time and client address; the detail is the
// URL read). It is called once per record view, after the jurisdiction
// check found the record; list pages are not record reads. An unmasked read
// was already recorded by masker as "unmask", so it adds nothing then.
func (s *Server) AuditRead(r *http.Request, p *auth.Principal, m auth.Masker, objectType, objectID string) error {
	if m.Unmasked {
		return nil
	}
	return s.Audit(r, p, auth.AuditView, objectType, objectID, r.URL.RequestURI())
}
