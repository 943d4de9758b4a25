package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/tabular"
	"github.com/fanzha/fanzha/internal/zone"
)

// 辖区 helpers both doors use: the audit of tree changes, reading an
// uploaded tree or boundary file, the tree export.

// ErrTreeTooLarge answers an upload over maxTreeUpload.
var ErrTreeTooLarge = Errorf(http.StatusRequestEntityTooLarge, "too_large", "文件过大：辖区树文件不超过 10 MB")

// AreaAuditor writes the tree's audit lines as the caller (auth.AreaAuditor).
func (s *Server) AreaAuditor(r *http.Request, p *auth.Principal) area.Auditor {
	return auth.AreaAuditor(s.AuditWho(r, p), s.Now())
}

// TreeUpload opens the uploaded tree file: multipart field "file", or (API)
// the raw body with the file name in ?name= or Content-Disposition. The
// body is bounded before anything is parsed; cleanup removes temporary
// files of the multipart form.
func TreeUpload(w http.ResponseWriter, r *http.Request) (name string, rd tabular.Reader, cleanup func(), err error) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxTreeUpload)
	cleanup = func() {}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var src io.Reader
	if ct == "multipart/form-data" {
		if err := r.ParseMultipartForm(2 << 20); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return "", nil, cleanup, ErrTreeTooLarge
			}
			return "", nil, cleanup, Errorf(http.StatusBadRequest, "bad_upload", "上传失败：请以 multipart/form-data 上传字段 file：%v", err)
		}
		cleanup = func() { _ = r.MultipartForm.RemoveAll() }
		f, fh, ferr := r.FormFile("file")
		if ferr != nil {
			return "", nil, cleanup, Errorf(http.StatusBadRequest, "no_file", "没有收到文件：请选择 .xlsx 或 .csv 文件（表单字段 file）")
		}
		prev := cleanup
		cleanup = func() { f.Close(); prev() }
		name, src = filepath.Base(fh.Filename), f
	} else {
		name = r.URL.Query().Get("name")
		if name == "" {
			if _, params, err := mime.ParseMediaType(r.Header.Get("Content-Disposition")); err == nil {
				name = params["filename"]
			}
		}
		if name == "" {
			name = "upload.csv"
			if strings.Contains(ct, "spreadsheetml") {
				name = "upload.xlsx"
			}
		}
		name = filepath.Base(name)
		body, rerr := io.ReadAll(r.Body)
		if rerr != nil {
			var mbe *http.MaxBytesError
			if errors.As(rerr, &mbe) {
				return "", nil, cleanup, ErrTreeTooLarge
			}
			return "", nil, cleanup, Errorf(http.StatusBadRequest, "bad_upload", "读取上传内容失败：%v", rerr)
		}
		if len(body) == 0 {
			return "", nil, cleanup, Errorf(http.StatusBadRequest, "no_file", "没有收到文件：请求体为空")
		}
		src = bytes.NewReader(body)
	}
	rd, err = tabular.Open(name, src)
	if err != nil {
		return "", nil, cleanup, Errorf(http.StatusUnprocessableEntity, "bad_file", "文件 %s 无法读取：%v", name, err)
	}
	prev := cleanup
	cleanup = func() { rd.Close(); prev() }
	return name, rd, cleanup, nil
}

// ExportTree writes the caller's tree as CSV or XLSX, audited.
func (s *Server) ExportTree(w http.ResponseWriter, r *http.Request, p *auth.Principal, format string) error {
	var buf strings.Builder
	var n int
	var err error
	var ctype string
	switch format {
	case "xlsx":
		n, err = area.WriteXLSX(r.Context(), s.DB, p.Scope, &buf)
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case "csv", "":
		format = "csv"
		n, err = area.WriteCSV(r.Context(), s.DB, p.Scope, &buf)
		ctype = "text/csv; charset=utf-8"
	default:
		return Errorf(http.StatusBadRequest, "bad_param", "format 应为 csv 或 xlsx")
	}
	if err != nil {
		return err
	}
	if err := s.Audit(r, p, auth.AuditExport, "area", p.Scope.Code, fmt.Sprintf("export %d nodes as %s", n, format)); err != nil {
		return err
	}
	fname := fmt.Sprintf("辖区树-%s-%s.%s", p.Scope.Name, s.Now().In(zone.Shanghai).Format("20060102"), format)
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": fname}))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = io.WriteString(w, buf.String())
	return nil
}

// BoundaryUpload opens an uploaded GeoJSON file: multipart field "file" or
// the raw body (the body is bounded by the route's limit, bodylimit.go).
func BoundaryUpload(r *http.Request) (io.Reader, func(), error) {
	cleanup := func() {}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return r.Body, cleanup, nil
	}
	if err := r.ParseMultipartForm(2 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, cleanup, ErrTreeTooLarge
		}
		return nil, cleanup, Errorf(http.StatusBadRequest, "bad_upload", "上传失败：请以 multipart/form-data 上传字段 file：%v", err)
	}
	cleanup = func() { _ = r.MultipartForm.RemoveAll() }
	f, _, err := r.FormFile("file")
	if err != nil {
		return nil, cleanup, Errorf(http.StatusBadRequest, "no_file", "没有收到文件：请选择 GeoJSON 文件（表单字段 file）")
	}
	prev := cleanup
	return f, func() { f.Close(); prev() }, nil
}
