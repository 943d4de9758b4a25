package console

import (
	"fmt"
	"net/http"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/fraudtype"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/web"
)

// handleFraudTypeForm confirms or corrects a warning's fraud type from its
// page.
func (s *handler) handleFraudTypeForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	code := r.FormValue("fraud_type")
	if err := warning.SetFraudType(r.Context(), s.DB, s.Actor(r, p), id, code, s.Now()); err != nil {
		return err
	}
	s.Publish([]int64{id})
	web.RedirectFlash(w, r, fmt.Sprintf("/warnings/%d", id), "诈骗类型已确认为 "+fraudtype.Name(fraudtype.Code(code)))
	return nil
}

// fraudTypes is the taxonomy for the correction form.
func fraudTypes() []fraudtype.Type { return fraudtype.All() }

func init() { web.Funcs["fraudtypes"] = fraudTypes }
