package web

import (
	"fmt"
	"net/http"
	"path/filepath"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/funds"
)

// handleImportStatements takes one or more statement files (multipart
// field "file", repeated) and answers with a report per file.
func (s *Server) handleImportStatements(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	r.Body = http.MaxBytesReader(w, r.Body, 512<<20)
	if err := r.ParseMultipartForm(16 << 20); err != nil {
		return errorf(http.StatusBadRequest, "bad_upload", "上传失败：请以 multipart/form-data 上传字段 file（可多个，合计不超过 512 MB）：%v", err)
	}
	files := r.MultipartForm.File["file"]
	if len(files) == 0 {
		return errorf(http.StatusBadRequest, "no_file", "没有收到文件：表单字段应为 file")
	}
	opt := funds.ImportOptions{Mapping: r.FormValue("mapping"), AllOrNothing: r.FormValue("all_or_nothing") == "1", UserID: p.User.ID, Now: s.now()}
	var reports []funds.ImportReport
	for _, fh := range files {
		f, err := fh.Open()
		if err != nil {
			return err
		}
		name := filepath.Base(fh.Filename)
		rep, err := funds.ImportStatement(r.Context(), s.db, name, f, opt)
		f.Close()
		if err != nil {
			return errorf(http.StatusUnprocessableEntity, "bad_file", "文件 %s 无法导入：%v", name, err)
		}
		if err := s.audit(r, p, auth.AuditCreate, "statement", fmt.Sprint(rep.ImportID),
			fmt.Sprintf("import %s: %d stored, %d duplicate, %d bad", name, rep.Stored, rep.Duplicates, rep.Bad)); err != nil {
			return err
		}
		reports = append(reports, rep)
	}
	for _, rep := range reports {
		if rep.Stored > 0 {
			s.rescoreSoon()
			break
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"reports": reports})
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
