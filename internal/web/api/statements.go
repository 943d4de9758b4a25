package api

import (
	"net/http"
	"strings"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/web"
)

// handleImportStatements answers with a report per imported file and the
// files that could not be read (422 when none could).
func (s *handler) handleImportStatements(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	reports, failed, _, err := s.ImportStatementFiles(w, r, p)
	if err != nil {
		return err
	}
	if len(reports) == 0 {
		msgs := make([]string, len(failed))
		for i, f := range failed {
			msgs[i] = f.File + "：" + f.Error
		}
		return web.Errorf(http.StatusUnprocessableEntity, "bad_file", "没有文件能导入：%s", strings.Join(msgs, "；"))
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"reports": reports, "failed": failed})
	return nil
}

func (s *handler) handleMappings(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	ms, err := funds.Mappings(r.Context(), s.DB)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"mappings": ms})
	return nil
}

func (s *handler) handleSaveMapping(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var m funds.Mapping
	if err := web.DecodeJSON(r, &m, 1<<16); err != nil {
		return err
	}
	if err := funds.SaveMapping(r.Context(), s.DB, m, p.User.ID, s.Now()); err != nil {
		return err
	}
	if err := s.Audit(r, p, auth.AuditCreate, "statement_mapping", m.Name, ""); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, m)
	return nil
}
