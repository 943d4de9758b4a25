package web

import (
	"net/http"
	"strconv"

	"github.com/fanzha/fanzha/internal/auth"
)

// ViewMasker is the masker for one person's record the caller views (the
// record of kind objectType and id, found in the caller's scope): Masker,
// then the view audited by AuditRead.
func (s *Server) ViewMasker(r *http.Request, p *auth.Principal, objectType string, id int64) (auth.Masker, error) {
	oid := strconv.FormatInt(id, 10)
	m, err := s.Masker(r, p, objectType, oid)
	if err != nil {
		return auth.Masker{}, err
	}
	return m, s.AuditRead(r, p, m, objectType, oid)
}

// AuditRead records that p read one person's record — a warning, a case, an
// intel account, masked or not — with who, what, when and from where (the
// audit entry's user, object, time and client address; the detail is the
// URL read). It is called once per record view, after the jurisdiction
// check found the record; list pages are not record reads. An unmasked read
// was already recorded by Masker as "unmask", so it adds nothing then.
func (s *Server) AuditRead(r *http.Request, p *auth.Principal, m auth.Masker, objectType, objectID string) error {
	if m.Unmasked {
		return nil
	}
	return s.Audit(r, p, auth.AuditView, objectType, objectID, r.URL.RequestURI())
}
