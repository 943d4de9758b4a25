package api

import (
	"fmt"
	"net/http"
	"path/filepath"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/web"
)

// handleImportWarnings takes a warnings file (multipart field "file") and
// answers with the row report. all_or_nothing=1 refuses the whole file when
// any row is bad.
func (s *handler) handleImportWarnings(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	r.Body = http.MaxBytesReader(w, r.Body, web.MaxUpload)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		return web.Errorf(http.StatusBadRequest, "bad_upload", "上传失败：请以 multipart/form-data 上传字段 file（不超过 64 MB）：%v", err)
	}
	f, fh, err := r.FormFile("file")
	if err != nil {
		return web.Errorf(http.StatusBadRequest, "no_file", "没有收到文件：表单字段应为 file")
	}
	defer f.Close()
	atomic := r.FormValue("all_or_nothing") == "1" || r.FormValue("all_or_nothing") == "true" || r.FormValue("all_or_nothing") == "on"
	in, err := s.WarningIntake(r.Context())
	if err != nil {
		return err
	}
	name := filepath.Base(fh.Filename)
	rep, err := in.ImportFile(r.Context(), name, f, atomic, "upload", p.User.ID)
	if err != nil {
		return web.Errorf(http.StatusUnprocessableEntity, "bad_file", "文件 %s 无法导入：%v", name, err)
	}
	if err := s.Audit(r, p, auth.AuditCreate, "warning", "", fmt.Sprintf("import %s: %d created, %d merged, %d duplicate, %d bad, stored=%v",
		name, rep.Created, rep.Merged, rep.Duplicates, rep.Rejected, rep.Stored)); err != nil {
		return err
	}
	if err := rep.ForScope(r.Context(), s.DB, p.Scope); err != nil { // no "merged" oracle (warning/privacy.go)
		return err
	}
	status := http.StatusOK
	if !rep.Stored {
		status = http.StatusUnprocessableEntity
	}
	web.WriteJSON(w, status, rep)
	return nil
}
