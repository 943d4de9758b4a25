package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/tabular"
	"github.com/fanzha/fanzha/internal/zone"
)

// 辖区树: the jurisdiction tree in the console (/admin/areas) and the API
// (/api/v1/areas/…). Import and export of the whole tree, and per node:
// add a child, rename (aliases, figures), move, merge, retire. The domain
// rules live in internal/area; this file only translates HTTP.

// maxTreeUpload bounds a tree file (a county's tree is a few hundred KB).
const maxTreeUpload = 10 << 20

func (s *Server) areaAdminRoutes() {
	m := s.mux
	m.HandleFunc("GET /admin/areas", s.page(auth.CapAreaRead, s.handleAreasPage))
	m.HandleFunc("POST /admin/areas/import", s.page(auth.CapAreaAdmin, s.handleAreasImportForm))
	m.HandleFunc("GET /admin/areas/export.csv", s.page(auth.CapAreaRead, s.handleAreasExport("csv")))
	m.HandleFunc("GET /admin/areas/export.xlsx", s.page(auth.CapAreaRead, s.handleAreasExport("xlsx")))
	m.HandleFunc("POST /admin/areas/boundaries", s.page(auth.CapAreaAdmin, s.handleBoundariesForm))
	m.HandleFunc("POST /admin/areas", s.page(auth.CapAreaAdmin, s.handleAreaAddForm))
	m.HandleFunc("GET /admin/areas/{id}", s.page(auth.CapAreaRead, s.handleAreaPage))
	m.HandleFunc("POST /admin/areas/{id}", s.page(auth.CapAreaAdmin, s.handleAreaEditForm))
	m.HandleFunc("POST /admin/areas/{id}/move", s.page(auth.CapAreaAdmin, s.handleAreaMoveForm))
	m.HandleFunc("POST /admin/areas/{id}/merge", s.page(auth.CapAreaAdmin, s.handleAreaMergeForm))
	m.HandleFunc("POST /admin/areas/{id}/retire", s.page(auth.CapAreaAdmin, s.handleAreaRetireForm))
}

// errTreeTooLarge answers an upload over maxTreeUpload.
var errTreeTooLarge = errorf(http.StatusRequestEntityTooLarge, "too_large", "文件过大：辖区树文件不超过 10 MB")

// areaAuditor writes the tree's audit lines as the caller, in the change's
// transaction (area cannot import auth: auth imports area).
func (s *Server) areaAuditor(r *http.Request, p *auth.Principal) area.Auditor {
	who := s.auditWho(r, p)
	return func(ctx context.Context, q db.Querier, action, id, detail string) error {
		e := who.With(action, "area", id)
		e.Detail = detail
		e.At = s.now()
		return auth.Audit(ctx, q, e)
	}
}

// areasPage is what admin_areas.html gets.
type areasPage struct {
	Rows        []area.TreeRow
	Counts      []area.LevelCount
	Parents     []area.TreeRow
	Levels      []area.Level
	CanEdit     bool
	CanImport   bool
	WithRetired bool
	Report      *area.ImportReport
	ImportError string
	Boundaries  *area.BoundaryReport
	BoundaryErr string
	HasShapes   int // stations and towns with a stored shape
}

func (s *Server) areasPageData(ctx context.Context, p *auth.Principal, withRetired bool) (areasPage, error) {
	all, err := area.Tree(ctx, s.db, p.Scope, true)
	if err != nil {
		return areasPage{}, err
	}
	rows := all
	if !withRetired {
		rows = nil
		for _, r := range all {
			if !r.Retired {
				rows = append(rows, r)
			}
		}
	}
	shapes := 0
	for _, r := range all {
		if r.Shape != "" && (r.Level == area.Station || r.Level == area.Town) && !r.Retired {
			shapes++
		}
	}
	return areasPage{HasShapes: shapes, Rows: rows, Counts: area.Counts(all), Parents: area.ParentChoices(all), Levels: area.Levels,
		CanEdit: p.Can(auth.CapAreaAdmin), CanImport: p.Can(auth.CapAreaAdmin) && p.Scope.ParentID == 0, WithRetired: withRetired}, nil
}

func (s *Server) handleAreasPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	data, err := s.areasPageData(r.Context(), p, r.URL.Query().Get("retired") == "1")
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin_areas", page{Title: "辖区树", Active: "/admin", Data: data})
	return nil
}

// treeUpload opens the uploaded tree file: multipart field "file", or (API)
// the raw body with the file name in ?name= or Content-Disposition. The
// body is bounded before anything is parsed; cleanup removes temporary
// files of the multipart form.
func treeUpload(w http.ResponseWriter, r *http.Request) (name string, rd tabular.Reader, cleanup func(), err error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxTreeUpload)
	cleanup = func() {}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var src io.Reader
	if ct == "multipart/form-data" {
		if err := r.ParseMultipartForm(2 << 20); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return "", nil, cleanup, errTreeTooLarge
			}
			return "", nil, cleanup, errorf(http.StatusBadRequest, "bad_upload", "上传失败：请以 multipart/form-data 上传字段 file：%v", err)
		}
		cleanup = func() { _ = r.MultipartForm.RemoveAll() }
		f, fh, ferr := r.FormFile("file")
		if ferr != nil {
			return "", nil, cleanup, errorf(http.StatusBadRequest, "no_file", "没有收到文件：请选择 .xlsx 或 .csv 文件（表单字段 file）")
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
				return "", nil, cleanup, errTreeTooLarge
			}
			return "", nil, cleanup, errorf(http.StatusBadRequest, "bad_upload", "读取上传内容失败：%v", rerr)
		}
		if len(body) == 0 {
			return "", nil, cleanup, errorf(http.StatusBadRequest, "no_file", "没有收到文件：请求体为空")
		}
		src = bytes.NewReader(body)
	}
	rd, err = tabular.Open(name, src)
	if err != nil {
		return "", nil, cleanup, errorf(http.StatusUnprocessableEntity, "bad_file", "文件 %s 无法读取：%v", name, err)
	}
	prev := cleanup
	cleanup = func() { rd.Close(); prev() }
	return name, rd, cleanup, nil
}

func (s *Server) handleAreasImportForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	name, rd, cleanup, err := treeUpload(w, r)
	defer cleanup()
	var rep area.ImportReport
	if err == nil {
		rep, err = area.Import(r.Context(), s.db, p.Scope, s.areaAuditor(r, p), name, rd)
	}
	if err == nil {
		redirectFlash(w, r, "/admin/areas", importSummary(rep))
		return nil
	}
	data, derr := s.areasPageData(r.Context(), p, false)
	if derr != nil {
		return derr
	}
	if errors.Is(err, area.ErrBadRows) {
		data.Report = &rep
	} else {
		ae := classify(err)
		if ae.Status >= 500 {
			return err
		}
		data.ImportError = ae.Message
	}
	s.render(w, r, http.StatusUnprocessableEntity, "admin_areas", page{Title: "辖区树", Active: "/admin", Data: data})
	return nil
}

// importSummary is the success message of an import, with the counts.
func importSummary(rep area.ImportReport) string {
	var levels []string
	for _, l := range rep.ByLevel {
		levels = append(levels, fmt.Sprintf("%s %d", l.Name, l.N))
	}
	return fmt.Sprintf("已导入 %s：共 %d 行（%s），新增 %d，更新 %d，未变 %d", rep.File, rep.Rows, strings.Join(levels, "、"),
		rep.Created, rep.Updated, rep.Unchanged)
}

func (s *Server) handleAreasImportAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	name, rd, cleanup, err := treeUpload(w, r)
	defer cleanup()
	if err != nil {
		return err
	}
	rep, err := area.Import(r.Context(), s.db, p.Scope, s.areaAuditor(r, p), name, rd)
	if errors.Is(err, area.ErrBadRows) {
		writeJSON(w, http.StatusUnprocessableEntity, rep)
		return nil
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// exportTree writes the caller's tree as CSV or XLSX, audited.
func (s *Server) exportTree(w http.ResponseWriter, r *http.Request, p *auth.Principal, format string) error {
	var buf strings.Builder
	var n int
	var err error
	var ctype string
	switch format {
	case "xlsx":
		n, err = area.WriteXLSX(r.Context(), s.db, p.Scope, &buf)
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case "csv", "":
		format = "csv"
		n, err = area.WriteCSV(r.Context(), s.db, p.Scope, &buf)
		ctype = "text/csv; charset=utf-8"
	default:
		return errorf(http.StatusBadRequest, "bad_param", "format 应为 csv 或 xlsx")
	}
	if err != nil {
		return err
	}
	if err := s.audit(r, p, auth.AuditExport, "area", p.Scope.Code, fmt.Sprintf("export %d nodes as %s", n, format)); err != nil {
		return err
	}
	fname := fmt.Sprintf("辖区树-%s-%s.%s", p.Scope.Name, s.now().In(zone.Shanghai).Format("20060102"), format)
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": fname}))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = io.WriteString(w, buf.String())
	return nil
}

func (s *Server) handleAreasExport(format string) consoleHandler {
	return func(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
		return s.exportTree(w, r, p, format)
	}
}

func (s *Server) handleAreasExportAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.exportTree(w, r, p, r.URL.Query().Get("format"))
}

// nodeForm reads the editable fields of a node from a console form.
func nodeForm(r *http.Request) (area.NodeInput, error) {
	in := area.NodeInput{Level: area.Level(strings.TrimSpace(r.FormValue("level"))), Code: strings.TrimSpace(r.FormValue("code")),
		Name: strings.TrimSpace(r.FormValue("name")), Aliases: r.FormValue("aliases")}
	for _, f := range []struct {
		name, label string
		dst         *int64
	}{{"population", "人口", &in.Population}, {"elderly", "老年人", &in.Elderly}, {"minors", "未成年人", &in.Minors}, {"students", "学生", &in.Students}} {
		v := strings.NewReplacer(",", "", "，", "", " ", "").Replace(r.FormValue(f.name))
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return in, errorf(http.StatusBadRequest, "bad_param", "%s 应为整数", f.label)
		}
		*f.dst = n
	}
	return in, nil
}

func (s *Server) handleAreaAddForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	parent, err := formInt(r, "parent_id")
	if err != nil {
		return err
	}
	in, err := nodeForm(r)
	if err != nil {
		return err
	}
	n, err := area.AddChild(r.Context(), s.db, p.Scope, s.areaAuditor(r, p), parent, in)
	if err != nil {
		return err
	}
	redirectFlash(w, r, "/admin/areas/"+strconv.FormatInt(n.ID, 10), fmt.Sprintf("已添加%s %s（%s）", area.LevelName(n.Level), n.FullName, n.Code))
	return nil
}

// areaNodePage is what admin_areas_node.html gets.
type areaNodePage struct {
	Node     area.Node
	Parent   area.Node
	Station  area.Node
	Into     area.Node // the node it was merged into
	Rows     []area.TreeRow
	Movable  []area.TreeRow
	Mergable []area.TreeRow
	Usage    area.Usage
	CanEdit  bool
}

func (s *Server) handleAreaPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	n, err := area.Get(ctx, s.db, id)
	if err != nil {
		return err
	}
	if !p.Sees(n) {
		return fmt.Errorf("area %d: %w", id, area.ErrNotFound)
	}
	all, err := area.Tree(ctx, s.db, p.Scope, true)
	if err != nil {
		return err
	}
	data := areaNodePage{Node: n, CanEdit: p.Can(auth.CapAreaAdmin), Movable: area.MoveTargets(all, n), Mergable: area.MergeTargets(all, n)}
	for _, row := range all {
		if n.Contains(row.Node) {
			row.Depth -= len(strings.Split(strings.Trim(n.Path, "/"), "/")) - len(strings.Split(strings.Trim(p.Scope.Path, "/"), "/"))
			data.Rows = append(data.Rows, row)
		}
	}
	if n.ParentID != 0 {
		data.Parent, _ = area.Get(ctx, s.db, n.ParentID)
	}
	if n.StationID != 0 {
		data.Station, _ = area.Get(ctx, s.db, n.StationID)
	}
	if n.MergedInto != 0 {
		data.Into, _ = area.Get(ctx, s.db, n.MergedInto)
	}
	if data.Usage, err = area.UsageOf(ctx, s.db, n); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin_areas_node", page{Title: n.Name + " · 辖区树", Active: "/admin", Data: data})
	return nil
}

func (s *Server) handleAreaEditForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in, err := nodeForm(r)
	if err != nil {
		return err
	}
	n, err := area.Update(r.Context(), s.db, p.Scope, s.areaAuditor(r, p), id, in)
	if err != nil {
		return err
	}
	redirectFlash(w, r, "/admin/areas/"+strconv.FormatInt(id, 10), "已保存 "+n.FullName)
	return nil
}

func (s *Server) handleAreaMoveForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	to, err := formInt(r, "parent_id")
	if err != nil {
		return err
	}
	n, err := area.Move(r.Context(), s.db, p.Scope, s.areaAuditor(r, p), id, to)
	if err != nil {
		return err
	}
	redirectFlash(w, r, "/admin/areas/"+strconv.FormatInt(id, 10), "已移动，现为 "+n.FullName)
	return nil
}

func (s *Server) handleAreaMergeForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	into, err := formInt(r, "into_id")
	if err != nil {
		return err
	}
	rep, err := area.Merge(r.Context(), s.db, p.Scope, s.areaAuditor(r, p), id, into, s.now())
	if err != nil {
		return err
	}
	redirectFlash(w, r, "/admin/areas/"+strconv.FormatInt(into, 10), mergeSummary(rep))
	return nil
}

// mergeSummary tells the admin what a merge moved.
func mergeSummary(rep area.MergeReport) string {
	labels := map[string]string{"users": "账号", "warnings": "预警", "cases": "案件", "victims": "受害人", "prevention_events": "宣传活动",
		"duty_shifts": "值班班次", "awareness_surveys": "问卷", "bulletin_runs": "通报"}
	var parts []string
	total := 0
	for t, k := range rep.Moved {
		total += k
		l := labels[t]
		if l == "" {
			l = t
		}
		parts = append(parts, fmt.Sprintf("%s %d", l, k))
	}
	msg := fmt.Sprintf("已将 %s 并入 %s：下级 %d 个", rep.From.FullName, rep.Into.FullName, rep.Children)
	if total > 0 {
		msg += "，记录 " + strings.Join(parts, "、")
	}
	if len(rep.Kept) > 0 {
		msg += "；以下记录与目标冲突，保留在原节点：" + strings.Join(rep.Kept, "、")
	}
	return msg + "。原节点已撤销。"
}

func (s *Server) handleAreaRetireForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	k, err := area.Retire(r.Context(), s.db, p.Scope, s.areaAuditor(r, p), id, s.now())
	if err != nil {
		return err
	}
	redirectFlash(w, r, "/admin/areas/"+strconv.FormatInt(id, 10), fmt.Sprintf("已撤销 %d 个节点：历史记录保留，不再接收预警分流", k))
	return nil
}

// The JSON API of the same edits.

type areaAddRequest struct {
	ParentID int64 `json:"parent_id"`
	area.NodeInput
}

func (s *Server) handleAreaAddAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var req areaAddRequest
	if err := decodeJSON(r, &req, 1<<16); err != nil {
		return err
	}
	n, err := area.AddChild(r.Context(), s.db, p.Scope, s.areaAuditor(r, p), req.ParentID, req.NodeInput)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"area": n})
	return nil
}

func (s *Server) handleAreaEditAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in area.NodeInput
	if err := decodeJSON(r, &in, 1<<16); err != nil {
		return err
	}
	n, err := area.Update(r.Context(), s.db, p.Scope, s.areaAuditor(r, p), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"area": n})
	return nil
}

func (s *Server) handleAreaMoveAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req struct {
		ParentID int64 `json:"parent_id"`
	}
	if err := decodeJSON(r, &req, 1<<16); err != nil {
		return err
	}
	n, err := area.Move(r.Context(), s.db, p.Scope, s.areaAuditor(r, p), id, req.ParentID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"area": n})
	return nil
}

func (s *Server) handleAreaMergeAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req struct {
		IntoID int64 `json:"into_id"`
	}
	if err := decodeJSON(r, &req, 1<<16); err != nil {
		return err
	}
	rep, err := area.Merge(r.Context(), s.db, p.Scope, s.areaAuditor(r, p), id, req.IntoID, s.now())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (s *Server) handleAreaRetireAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	k, err := area.Retire(r.Context(), s.db, p.Scope, s.areaAuditor(r, p), id, s.now())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"retired": k})
	return nil
}

// boundaryUpload opens an uploaded GeoJSON file: multipart field "file" or
// the raw body (the body is bounded by the route's limit, bodylimit.go).
func boundaryUpload(r *http.Request) (io.Reader, func(), error) {
	cleanup := func() {}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return r.Body, cleanup, nil
	}
	if err := r.ParseMultipartForm(2 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, cleanup, errTreeTooLarge
		}
		return nil, cleanup, errorf(http.StatusBadRequest, "bad_upload", "上传失败：请以 multipart/form-data 上传字段 file：%v", err)
	}
	cleanup = func() { _ = r.MultipartForm.RemoveAll() }
	f, _, err := r.FormFile("file")
	if err != nil {
		return nil, cleanup, errorf(http.StatusBadRequest, "no_file", "没有收到文件：请选择 GeoJSON 文件（表单字段 file）")
	}
	prev := cleanup
	return f, func() { f.Close(); prev() }, nil
}

func (s *Server) handleBoundariesForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	src, cleanup, err := boundaryUpload(r)
	defer cleanup()
	var rep area.BoundaryReport
	if err == nil {
		rep, err = area.ImportBoundaries(r.Context(), s.db, p.Scope, s.areaAuditor(r, p), src)
	}
	if err == nil {
		redirectFlash(w, r, "/admin/areas", fmt.Sprintf("已导入边界：派出所 %d 个、乡镇街道 %d 个；大屏地图按实际边界绘制", rep.Stations, rep.Towns))
		return nil
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = errTreeTooLarge
	}
	data, derr := s.areasPageData(r.Context(), p, false)
	if derr != nil {
		return derr
	}
	if errors.Is(err, area.ErrBadBoundaries) {
		data.Boundaries = &rep
	} else {
		ae := classify(err)
		if ae.Status >= 500 {
			return err
		}
		data.BoundaryErr = ae.Message
	}
	s.render(w, r, http.StatusUnprocessableEntity, "admin_areas", page{Title: "辖区树", Active: "/admin", Data: data})
	return nil
}

func (s *Server) handleBoundariesAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	src, cleanup, err := boundaryUpload(r)
	defer cleanup()
	if err != nil {
		return err
	}
	rep, err := area.ImportBoundaries(r.Context(), s.db, p.Scope, s.areaAuditor(r, p), src)
	if errors.Is(err, area.ErrBadBoundaries) {
		writeJSON(w, http.StatusUnprocessableEntity, rep)
		return nil
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errTreeTooLarge
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}
