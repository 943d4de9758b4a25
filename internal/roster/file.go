package roster

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/tabular"
	"github.com/fanzha/fanzha/internal/zone"
)

// The roster file (CSV in UTF-8 or GBK, or .xlsx): a header row, then one
// shift per row.
//
//	用户名  开始              结束              岗位   所属
//	s01d1   2026-12-08 08:00  2026-12-08 16:00  劝阻   S01
//
// 开始/结束 are Asia/Shanghai. 岗位 (劝阻/值班, or dissuader/duty_officer) is
// optional: duty officers (role duty) stand 值班 at the centre, others 劝阻
// at their station. 所属 (the code of the station, or of the county for
// 值班) is optional: by default the officer's own station (or the centre).
var FileHeader = []string{"用户名", "开始", "结束", "岗位", "所属"}

// TimeLayout is how the file writes times.
const TimeLayout = "2006-01-02 15:04"

var timeLayouts = []string{TimeLayout, "2006-01-02 15:04:05", "2006/01/02 15:04", "2006/01/02 15:04:05", "2006-1-2 15:04", "2006/1/2 15:04",
	"2006-01-02T15:04", "2006-01-02T15:04:05"}

// ParseTime reads a time of the roster file (Asia/Shanghai).
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, zone.Shanghai); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, domain.Invalid("时间 %q 格式不对，应为 2026-12-08 08:00", s)
}

// BadRow is a row of a file that cannot be imported.
type BadRow struct {
	Row    int    `json:"row"`
	Reason string `json:"reason"`
}

// ImportReport is what an import found and did.
type ImportReport struct {
	File     string   `json:"file"`
	Encoding string   `json:"encoding"`
	Rows     int      `json:"rows"`
	Created  int      `json:"created"`
	Bad      []BadRow `json:"bad"`
}

type fileShift struct {
	row int
	in  ShiftInput
}

// Import reads a roster file and stores its shifts, all or nothing: every
// bad row (unknown or disabled user, bad time, end not after start, longer
// than 24 hours, overlap with another shift of the officer in the file or
// in the roster, a node outside the actor's jurisdiction …) is reported
// with its row number and then nothing is stored (the error wraps
// domain.ErrInvalid; the report lists the rows). Call it in a transaction.
func Import(ctx context.Context, q db.Querier, a Actor, name string, r io.Reader) (ImportReport, error) {
	rep := ImportReport{File: name, Bad: []BadRow{}}
	tr, err := tabular.Open(name, r)
	if err != nil {
		return rep, domain.Invalid("无法读取文件 %s：%v", name, err)
	}
	defer tr.Close()
	rep.Encoding = tr.Encoding()
	head, _, err := tr.Next()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return rep, domain.Invalid("文件 %s 是空的", name)
		}
		return rep, domain.Invalid("无法读取文件 %s：%v", name, err)
	}
	h := tabular.NewHeader(head)
	cUser, cStart, cEnd := h.Find("用户名", "username", "账号"), h.Find("开始", "开始时间", "start", "starts_at"), h.Find("结束", "结束时间", "end", "ends_at")
	cDuty, cArea := h.Find("岗位", "duty"), h.Find("所属", "所属单位", "station", "area")
	if cUser < 0 || cStart < 0 || cEnd < 0 {
		return rep, domain.Invalid("表头须包含 用户名、开始、结束 三列（可选 岗位、所属）")
	}
	users := map[string]auth.User{}
	codes := map[string]int64{}
	var good []fileShift
	mine := map[int64][]fileShift{}
	for {
		row, line, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return rep, domain.Invalid("第 %d 行无法读取：%v", line, err)
		}
		rep.Rows++
		bad := func(format string, args ...any) {
			rep.Bad = append(rep.Bad, BadRow{Row: line, Reason: fmt.Sprintf(format, args...)})
		}
		username := strings.TrimSpace(tabular.Cell(row, cUser))
		if username == "" {
			bad("用户名为空")
			continue
		}
		u, ok := users[username]
		if !ok {
			if u, err = auth.GetUserByName(ctx, q, username); err != nil {
				bad("用户 %s 不存在", username)
				continue
			}
			users[username] = u
		}
		if u.Disabled {
			bad("用户 %s 已停用", username)
			continue
		}
		start, err := ParseTime(tabular.Cell(row, cStart))
		if err != nil {
			bad("开始%s", domain.Message(err))
			continue
		}
		end, err := ParseTime(tabular.Cell(row, cEnd))
		if err != nil {
			bad("结束%s", domain.Message(err))
			continue
		}
		if err := checkTimes(start, end); err != nil {
			bad("%s", domain.Message(err))
			continue
		}
		in := ShiftInput{UserID: u.ID, Start: start, End: end}
		homeArea, homeDuty, homeErr := HomeOf(ctx, q, u)
		if d := strings.TrimSpace(tabular.Cell(row, cDuty)); d != "" {
			if in.Duty, ok = ParseDuty(d); !ok {
				bad("岗位 %q 不对，应为 劝阻 或 值班", d)
				continue
			}
		} else if homeErr != nil {
			bad("%s", domain.Message(homeErr))
			continue
		} else {
			in.Duty = homeDuty
		}
		if code := strings.TrimSpace(tabular.Cell(row, cArea)); code != "" {
			id, ok := codes[code]
			if !ok {
				err := q.QueryRow(ctx, `SELECT id FROM areas WHERE code = ?`, code).Scan(&id)
				if errors.Is(err, sql.ErrNoRows) {
					bad("所属代码 %s 不存在", code)
					continue
				} else if err != nil {
					return rep, err
				}
				codes[code] = id
			}
			in.AreaID = id
		} else if in.Duty == homeDuty && homeErr == nil {
			in.AreaID = homeArea
		} else if in.AreaID, err = homeFor(ctx, q, u, in.Duty); err != nil {
			bad("%s", domain.Message(err))
			continue
		}
		if _, err := place(ctx, q, a.Scope, in.AreaID, u.ID, in.Duty); err != nil {
			bad("%s", domain.Message(err))
			continue
		}
		clash := 0
		for _, o := range mine[u.ID] {
			if o.in.Start.Before(end) && o.in.End.After(start) {
				clash = o.row
				break
			}
		}
		if clash != 0 {
			bad("与第 %d 行 %s 的班次时间重叠", clash, username)
			continue
		}
		if other, err := overlapping(ctx, q, u.ID, start, end, 0); err != nil {
			return rep, err
		} else if other != 0 {
			bad("%s", domain.Message(overlapError(ctx, q, u, other)))
			continue
		}
		fs := fileShift{row: line, in: in}
		good = append(good, fs)
		mine[u.ID] = append(mine[u.ID], fs)
	}
	if len(rep.Bad) > 0 {
		return rep, domain.Invalid("%d 行有误，未导入任何班次", len(rep.Bad))
	}
	if rep.Rows == 0 {
		return rep, domain.Invalid("文件 %s 没有数据行", name)
	}
	for _, fs := range good {
		if _, err := addShift(ctx, q, a, fs.in, "import", false); err != nil {
			return rep, fmt.Errorf("第 %d 行：%w", fs.row, err)
		}
		rep.Created++
	}
	return rep, a.changed(ctx, q, auth.AuditCreate, "duty_shift", 0, fmt.Sprintf("导入排班 %s：%d 个班次", name, rep.Created))
}

// ExportRows are the rows of a roster file for the shifts of the nodes in
// scope starting in [from, to).
func ExportRows(ctx context.Context, q db.Querier, scope area.Node, from, to time.Time) ([][]string, error) {
	list, err := ListShifts(ctx, q, scope, 0, from, to)
	if err != nil {
		return nil, err
	}
	out := [][]string{}
	for _, s := range list {
		if s.Start.Before(from) {
			continue
		}
		out = append(out, []string{s.Username, s.Start.In(zone.Shanghai).Format(TimeLayout), s.End.In(zone.Shanghai).Format(TimeLayout),
			DutyName(s.Duty), s.AreaCode})
	}
	return out, nil
}

// WriteCSV writes a roster file as UTF-8 CSV with a BOM (Excel opens it).
func WriteCSV(w io.Writer, rows [][]string) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := tabular.NewCSVWriter(w)
	if err := cw.Write(FileHeader); err != nil {
		return err
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes a roster file as an Excel workbook (sheet 排班).
func WriteXLSX(w io.Writer, rows [][]string) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "排班"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	for i, r := range append([][]string{FileHeader}, rows...) {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return err
		}
		vals := make([]any, len(r))
		for j, s := range r {
			vals[j] = s
		}
		if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
			return fmt.Errorf("write roster row %d: %w", i+1, err)
		}
	}
	_ = f.SetColWidth(sheet, "A", "A", 14)
	_ = f.SetColWidth(sheet, "B", "C", 18)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write roster workbook: %w", err)
	}
	return nil
}
