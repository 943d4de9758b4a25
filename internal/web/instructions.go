package web

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/assess"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/consult"
	"github.com/fanzha/fanzha/internal/instruction"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/zone"
)

// 指令闭环 and 劝阻质量 helpers both doors use: the instruction file import,
// the feedback file export, the league table of a period, reading a
// consultation's conversion. The rules live in internal/instruction,
// internal/dissuade, internal/consult and internal/assess.

// MaxInstructionUpload bounds an instruction file (at most
// warning.MaxBatch rows).
const MaxInstructionUpload = MaxUpload

// MaxRegistrationsUpload bounds a monthly APP registrations file.
const MaxRegistrationsUpload = 8 << 20

// Period reads ?from= and ?to= (dates or RFC 3339; a date as the end
// includes that day), by default the last days days up to now.
func (s *Server) Period(r *http.Request, days int) (time.Time, time.Time, error) {
	return s.periodParams(r, days)
}

// UploadedFile opens the uploaded file of a multipart form field; the
// body is bounded by the route's limit (bodylimit.go).
func UploadedFile(r *http.Request, field string) (string, io.ReadCloser, error) {
	if err := r.ParseMultipartForm(multipartMemory); err != nil {
		return "", nil, Errorf(http.StatusBadRequest, "bad_upload", "上传失败：请以 multipart/form-data 上传字段 %s：%v", field, shortErr(err))
	}
	f, fh, err := r.FormFile(field)
	if err != nil {
		return "", nil, Errorf(http.StatusBadRequest, "no_file", "没有收到文件：表单字段应为 %s", field)
	}
	return filepath.Base(fh.Filename), f, nil
}

// ImportInstructions takes an instruction file through the one intake
// path, registers each warning's instruction, audits the import and
// answers the report with what lies outside the caller's jurisdiction left
// out (no "merged" oracle, warning/privacy.go).
func (s *Server) ImportInstructions(r *http.Request, p *auth.Principal, name string, f io.Reader) (instruction.ImportReport, error) {
	in, err := s.WarningIntake(r.Context())
	if err != nil {
		return instruction.ImportReport{}, err
	}
	who := s.AuditEntry(r, p)
	rep, err := instruction.ImportFile(r.Context(), s.DB, in, name, f, warning.SubmitOptions{Door: "upload", UserID: p.User.ID, Audit: &who}, s.Now())
	if err != nil {
		return rep, err
	}
	if err := s.Audit(r, p, auth.AuditCreate, "instruction", "", fmt.Sprintf("import %s: %d rows, %d registered, %d bad rows",
		name, rep.Rows, rep.Registered, len(rep.Errors))); err != nil {
		return rep, err
	}
	var ids []int64
	for _, it := range rep.Intake.Items {
		if it.ID != 0 {
			ids = append(ids, it.ID)
		}
	}
	s.Publish(ids)
	if err := rep.Intake.ForScope(r.Context(), s.DB, p.Scope); err != nil {
		return rep, err
	}
	if rep.Errors == nil {
		rep.Errors = []warning.RowError{}
	}
	return rep, nil
}

// WriteFeedbackFile answers the feedback file (反馈表) of the instructions
// in the caller's jurisdiction issued in the period of the request
// (default the last 30 days), in the layout ?layout= names (default
// 通用反馈表). Exporting records every new or changed report as sent, so
// the 待反馈 queue shrinks by what the file carries; the export is audited.
func (s *Server) WriteFeedbackFile(w http.ResponseWriter, r *http.Request, p *auth.Principal, from, to time.Time, layoutName string) error {
	l, err := instruction.LayoutByName(layoutName)
	if err != nil {
		return err
	}
	data, sent, err := instruction.ExportFeedback(r.Context(), s.DB, p.Scope, from, to, l, p.User.ID, s.Now())
	if err != nil {
		return err
	}
	if err := s.Audit(r, p, auth.AuditExport, "instruction", "", fmt.Sprintf("feedback file %s–%s: %d rows, %d new or changed",
		from.In(zone.Shanghai).Format("2006-01-02"), to.In(zone.Shanghai).Format("2006-01-02"), len(sent.Reports), len(sent.New))); err != nil {
		return err
	}
	fname := fmt.Sprintf("指令反馈-%s-%s.xlsx", p.Scope.Name, s.Now().In(zone.Shanghai).Format("20060102-1504"))
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": fname}))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Feedback-Rows", strconv.Itoa(len(sent.Reports)))
	w.Header().Set("X-Feedback-New", strconv.Itoa(len(sent.New)))
	_, _ = io.Copy(w, bytes.NewReader(data))
	return nil
}

// League computes the league table of the node ?area= names under the
// caller's jurisdiction (default the jurisdiction) for the request's
// period (default the last 30 days).
func (s *Server) League(r *http.Request, p *auth.Principal) (assess.League, error) {
	node, err := s.ScopeParam(r, p)
	if err != nil {
		return assess.League{}, err
	}
	from, to, err := s.Period(r, 30)
	if err != nil {
		return assess.League{}, err
	}
	return assess.Compute(r.Context(), s.DB, node, from, to)
}

// ConvertInput is the person at risk a consultation now names, with the
// grade of the warning it becomes.
type ConvertInput struct {
	Name     string        `json:"name"`
	Phone    string        `json:"phone"`
	IDNumber string        `json:"id_number"`
	Address  string        `json:"address"`
	Grade    warning.Grade `json:"grade"`
}

// ConvertConsultation turns a consultation into a warning through the one
// intake path and publishes it to the live boards.
func (s *Server) ConvertConsultation(r *http.Request, p *auth.Principal, id int64, in ConvertInput) (int64, error) {
	intake, err := s.WarningIntake(r.Context())
	if err != nil {
		return 0, err
	}
	person := warning.Person{Name: strings.TrimSpace(in.Name), Phone: strings.TrimSpace(in.Phone),
		IDNumber: strings.TrimSpace(in.IDNumber), Address: strings.TrimSpace(in.Address)}
	wid, err := consult.Convert(r.Context(), s.DB, intake, p.Scope, s.AuditEntry(r, p), id, person, in.Grade, s.Now())
	if err != nil {
		return wid, err
	}
	s.Publish([]int64{wid})
	return wid, nil
}

// LeagueUnitName names the rows of a league table under node: 派出所 under
// a county, 乡镇/街道 under a station.
func LeagueUnitName(node area.Node) string {
	switch node.Level {
	case area.Station:
		return "乡镇/街道"
	case area.Town:
		return "村/社区"
	}
	return "派出所"
}
