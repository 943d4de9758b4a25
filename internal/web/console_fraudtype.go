package web

import (
	"fmt"
	"net/http"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/fraudtype"
	"github.com/fanzha/fanzha/internal/warning"
)

// handleFraudTypeForm confirms or corrects a warning's fraud type from its
// page.
func (s *Server) handleFraudTypeForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	code := r.FormValue("fraud_type")
	if err := warning.SetFraudType(r.Context(), s.db, s.actor(r, p), id, code, s.now()); err != nil {
		return err
	}
	s.publish([]int64{id})
	redirectFlash(w, r, fmt.Sprintf("/warnings/%d", id), "诈骗类型已确认为 "+fraudtype.Name(fraudtype.Code(code)))
	return nil
}

// fraudTypes is the taxonomy for the correction form.
func fraudTypes() []fraudtype.Type { return fraudtype.All() }

func init() { funcs["fraudtypes"] = fraudTypes }
