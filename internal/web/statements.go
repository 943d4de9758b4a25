package web

import (
	"fmt"
	"net/http"
	"path/filepath"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/funds"
)

// 流水导入 helpers both doors use: importing uploaded bank statements.

// FileFailure is a statement file that could not be imported at all (not
// a table, no recognisable header, …); nothing of it was stored.
type FileFailure struct {
	File  string `json:"file"`
	Error string `json:"error"`
}

// ImportStatementFiles imports the uploaded files (multipart field "file",
// repeated) one by one, each in its own transaction: a file that cannot be
// read is reported and the others still go in. A successful import asks for
// a background rescore of accounts.
func (s *Server) ImportStatementFiles(w http.ResponseWriter, r *http.Request, p *auth.Principal) ([]funds.ImportReport, []FileFailure, funds.ImportOptions, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 512<<20)
	if err := r.ParseMultipartForm(16 << 20); err != nil {
		return nil, nil, funds.ImportOptions{}, Errorf(http.StatusBadRequest, "bad_upload", "上传失败：请以 multipart/form-data 上传字段 file（可多个，合计不超过 512 MB）：%v", err)
	}
	files := r.MultipartForm.File["file"]
	if len(files) == 0 {
		return nil, nil, funds.ImportOptions{}, Errorf(http.StatusBadRequest, "no_file", "没有收到文件：请选择要导入的流水文件（表单字段 file）")
	}
	opt := funds.ImportOptions{Mapping: r.FormValue("mapping"), AllOrNothing: r.FormValue("all_or_nothing") == "1", UserID: p.User.ID, Now: s.Now()}
	reports := []funds.ImportReport{}
	failed := []FileFailure{}
	stored := false
	for _, fh := range files {
		name := filepath.Base(fh.Filename)
		f, err := fh.Open()
		if err != nil {
			failed = append(failed, FileFailure{name, err.Error()})
			continue
		}
		rep, err := funds.ImportStatement(r.Context(), s.DB, name, f, opt)
		f.Close()
		if err != nil {
			failed = append(failed, FileFailure{name, err.Error()})
			continue
		}
		if err := s.Audit(r, p, auth.AuditCreate, "statement", fmt.Sprint(rep.ImportID),
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
