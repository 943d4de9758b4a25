package web

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/funds"
)

// fileFailure is a statement file that could not be imported at all (not
// a table, no recognisable header, …); nothing of it was stored.
type fileFailure struct {
	File  string `json:"file"`
	Error string `json:"error"`
}

// importStatementFiles imports the uploaded files (multipart field "file",
// repeated) one by one, each in its own transaction: a file that cannot be
// read is reported and the others still go in. A successful import asks for
// a background rescore of accounts.
func (s *Server) importStatementFiles(w http.ResponseWriter, r *http.Request, p *auth.Principal) ([]funds.ImportReport, []fileFailure, funds.ImportOptions, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 512<<20)
	if err := r.ParseMultipartForm(16 << 20); err != nil {
		return nil, nil, funds.ImportOptions{}, errorf(http.StatusBadRequest, "bad_upload", "上传失败：请以 multipart/form-data 上传字段 file（可多个，合计不超过 512 MB）：%v", err)
	}
	files := r.MultipartForm.File["file"]
	if len(files) == 0 {
		return nil, nil, funds.ImportOptions{}, errorf(http.StatusBadRequest, "no_file", "没有收到文件：请选择要导入的流水文件（表单字段 file）")
	}
	opt := funds.ImportOptions{Mapping: r.FormValue("mapping"), AllOrNothing: r.FormValue("all_or_nothing") == "1", UserID: p.User.ID, Now: s.now()}
	reports := []funds.ImportReport{}
	failed := []fileFailure{}
	stored := false
	for _, fh := range files {
		name := filepath.Base(fh.Filename)
		f, err := fh.Open()
		if err != nil {
			failed = append(failed, fileFailure{name, err.Error()})
			continue
		}
		rep, err := funds.ImportStatement(r.Context(), s.db, name, f, opt)
		f.Close()
		if err != nil {
			failed = append(failed, fileFailure{name, err.Error()})
			continue
		}
		if err := s.audit(r, p, auth.AuditCreate, "statement", fmt.Sprint(rep.ImportID),
			fmt.Sprintf("import %s: %d stored, %d duplicate, %d bad", name, rep.Stored, rep.Duplicates, rep.Bad)); err != nil {
			return nil, nil, opt, err
		}
		reports = append(reports, rep)
		stored = stored || rep.Stored > 0
	}
	if stored {
		s.rescoreSoon()
	}
	return reports, failed, opt, nil
}

// handleImportStatements answers with a report per imported file and the
// files that could not be read (422 when none could).
func (s *Server) handleImportStatements(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	reports, failed, _, err := s.importStatementFiles(w, r, p)
	if err != nil {
		return err
	}
	if len(reports) == 0 {
		msgs := make([]string, len(failed))
		for i, f := range failed {
			msgs[i] = f.File + "：" + f.Error
		}
		return errorf(http.StatusUnprocessableEntity, "bad_file", "没有文件能导入：%s", strings.Join(msgs, "；"))
	}
	writeJSON(w, http.StatusOK, map[string]any{"reports": reports, "failed": failed})
	return nil
}

func (s *Server) handleMappings(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	ms, err := funds.Mappings(r.Context(), s.db)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"mappings": ms})
	return nil
}

func (s *Server) handleSaveMapping(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var m funds.Mapping
	if err := decodeJSON(r, &m, 1<<16); err != nil {
		return err
	}
	if err := funds.SaveMapping(r.Context(), s.db, m, p.User.ID, s.now()); err != nil {
		return err
	}
	if err := s.audit(r, p, auth.AuditCreate, "statement_mapping", m.Name, ""); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}
