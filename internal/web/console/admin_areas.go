package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/web"
)

func (s *handler) areaAdminRoutes() {
	m := s.Mux
	m.HandleFunc("GET /admin/areas", s.Page(auth.CapAreaRead, s.handleAreasPage))
	m.HandleFunc("POST /admin/areas/import", s.Page(auth.CapAreaAdmin, s.handleAreasImportForm))
	m.HandleFunc("GET /admin/areas/export.csv", s.Page(auth.CapAreaRead, s.handleAreasExport("csv")))
	m.HandleFunc("GET /admin/areas/export.xlsx", s.Page(auth.CapAreaRead, s.handleAreasExport("xlsx")))
	m.HandleFunc("POST /admin/areas/boundaries", s.Page(auth.CapAreaAdmin, s.handleBoundariesForm))
	m.HandleFunc("POST /admin/areas", s.Page(auth.CapAreaAdmin, s.handleAreaAddForm))
	m.HandleFunc("GET /admin/areas/{id}", s.Page(auth.CapAreaRead, s.handleAreaPage))
	m.HandleFunc("POST /admin/areas/{id}", s.Page(auth.CapAreaAdmin, s.handleAreaEditForm))
	m.HandleFunc("POST /admin/areas/{id}/move", s.Page(auth.CapAreaAdmin, s.handleAreaMoveForm))
	m.HandleFunc("POST /admin/areas/{id}/merge", s.Page(auth.CapAreaAdmin, s.handleAreaMergeForm))
	m.HandleFunc("POST /admin/areas/{id}/retire", s.Page(auth.CapAreaAdmin, s.handleAreaRetireForm))
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
	HasShapes   int  // stations and towns with a stored shape
	Folded      bool // a large tree: below the first two levels only the opened node's path
}

// foldAbove is the number of rows above which /admin/areas shows the first
// two levels below the caller's node and opens the rest node by node
// (?open=ID): a province's tree has tens of thousands of villages and cells,
// and only the rows shown are read (area.LoadTree).
const foldAbove = 2000

func (s *handler) areasPageData(ctx context.Context, p *auth.Principal, withRetired bool, open int64) (areasPage, error) {
	tp, err := area.LoadTree(ctx, s.DB, p.Scope, withRetired, foldAbove, 2, open)
	if err != nil {
		return areasPage{}, err
	}
	// The parents offered are the nodes on the page; a folded tree's:
	// open a node to add under one of its children.
	parents := tp.All
	if tp.Folded {
		parents = tp.Rows
	}
	return areasPage{Folded: tp.Folded, HasShapes: tp.Shapes, Rows: tp.Rows, Counts: tp.Counts, Parents: area.ParentChoices(parents), Levels: area.Levels,
		CanEdit: p.Can(auth.CapAreaAdmin), CanImport: p.Can(auth.CapAreaAdmin) && p.Scope.ParentID == 0, WithRetired: withRetired}, nil
}

func (s *handler) handleAreasPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	open, err := web.QueryInt(r, "open")
	if err != nil {
		return err
	}
	data, err := s.areasPageData(r.Context(), p, r.URL.Query().Get("retired") == "1", open)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "admin_areas", web.Page{Title: "辖区树", Active: "/admin", Data: data})
	return nil
}

func (s *handler) handleAreasImportForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	name, rd, cleanup, err := web.TreeUpload(w, r)
	defer cleanup()
	var rep area.ImportReport
	if err == nil {
		rep, err = area.Import(r.Context(), s.DB, p.Scope, s.AreaAuditor(r, p), name, rd)
	}
	if err == nil {
		web.RedirectFlash(w, r, "/admin/areas", importSummary(rep))
		return nil
	}
	data, derr := s.areasPageData(r.Context(), p, false, 0)
	if derr != nil {
		return derr
	}
	if errors.Is(err, area.ErrBadRows) {
		data.Report = &rep
	} else {
		ae := web.Classify(err)
		if ae.Status >= 500 {
			return err
		}
		data.ImportError = ae.Message
	}
	s.Render(w, r, http.StatusUnprocessableEntity, "admin_areas", web.Page{Title: "辖区树", Active: "/admin", Data: data})
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

func (s *handler) handleAreasExport(format string) web.ConsoleHandler {
	return func(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
		return s.ExportTree(w, r, p, format)
	}
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
			return in, web.Errorf(http.StatusBadRequest, "bad_param", "%s 应为整数", f.label)
		}
		*f.dst = n
	}
	return in, nil
}

func (s *handler) handleAreaAddForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	parent, err := web.FormInt(r, "parent_id")
	if err != nil {
		return err
	}
	in, err := nodeForm(r)
	if err != nil {
		return err
	}
	n, err := area.AddChild(r.Context(), s.DB, p.Scope, s.AreaAuditor(r, p), parent, in)
	if err != nil {
		return err
	}
	web.RedirectFlash(w, r, "/admin/areas/"+strconv.FormatInt(n.ID, 10), fmt.Sprintf("已添加%s %s（%s）", area.LevelName(n.Level), n.FullName, n.Code))
	return nil
}

// areaNodePage is what admin_areas_node.html gets.
type areaNodePage struct {
	area.NodeDetail
	CanEdit bool
}

func (s *handler) handleAreaPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	d, err := area.Detail(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	data := areaNodePage{NodeDetail: d, CanEdit: p.Can(auth.CapAreaAdmin)}
	s.Render(w, r, http.StatusOK, "admin_areas_node", web.Page{Title: d.Node.Name + " · 辖区树", Active: "/admin", Data: data})
	return nil
}

func (s *handler) handleAreaEditForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	in, err := nodeForm(r)
	if err != nil {
		return err
	}
	n, err := area.Update(r.Context(), s.DB, p.Scope, s.AreaAuditor(r, p), id, in)
	if err != nil {
		return err
	}
	web.RedirectFlash(w, r, "/admin/areas/"+strconv.FormatInt(id, 10), "已保存 "+n.FullName)
	return nil
}

func (s *handler) handleAreaMoveForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	to, err := web.FormInt(r, "parent_id")
	if err != nil {
		return err
	}
	n, err := area.Move(r.Context(), s.DB, p.Scope, s.AreaAuditor(r, p), id, to)
	if err != nil {
		return err
	}
	web.RedirectFlash(w, r, "/admin/areas/"+strconv.FormatInt(id, 10), "已移动，现为 "+n.FullName)
	return nil
}

func (s *handler) handleAreaMergeForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	into, err := web.FormInt(r, "into_id")
	if err != nil {
		return err
	}
	rep, err := area.Merge(r.Context(), s.DB, p.Scope, s.AreaAuditor(r, p), id, into, s.Now())
	if err != nil {
		return err
	}
	web.RedirectFlash(w, r, "/admin/areas/"+strconv.FormatInt(into, 10), mergeSummary(rep))
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

func (s *handler) handleAreaRetireForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	k, err := area.Retire(r.Context(), s.DB, p.Scope, s.AreaAuditor(r, p), id, s.Now())
	if err != nil {
		return err
	}
	web.RedirectFlash(w, r, "/admin/areas/"+strconv.FormatInt(id, 10), fmt.Sprintf("已撤销 %d 个节点：历史记录保留，不再接收预警分流", k))
	return nil
}

func (s *handler) handleBoundariesForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	src, cleanup, err := web.BoundaryUpload(r)
	defer cleanup()
	var rep area.BoundaryReport
	if err == nil {
		rep, err = area.ImportBoundaries(r.Context(), s.DB, p.Scope, s.AreaAuditor(r, p), src)
	}
	if err == nil {
		web.RedirectFlash(w, r, "/admin/areas", fmt.Sprintf("已导入边界：派出所 %d 个、乡镇街道 %d 个；大屏地图按实际边界绘制", rep.Stations, rep.Towns))
		return nil
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = web.ErrTreeTooLarge
	}
	data, derr := s.areasPageData(r.Context(), p, false, 0)
	if derr != nil {
		return derr
	}
	if errors.Is(err, area.ErrBadBoundaries) {
		data.Boundaries = &rep
	} else {
		ae := web.Classify(err)
		if ae.Status >= 500 {
			return err
		}
		data.BoundaryErr = ae.Message
	}
	s.Render(w, r, http.StatusUnprocessableEntity, "admin_areas", web.Page{Title: "辖区树", Active: "/admin", Data: data})
	return nil
}
