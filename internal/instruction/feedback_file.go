package instruction

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/money"
	"github.com/fanzha/fanzha/internal/tabular"
	"github.com/fanzha/fanzha/internal/zone"
)

// Fields of a report a return file may carry, with their Chinese names.
var Fields = []struct{ Key, Name string }{
	{"number", "指令编号"}, {"level", "下发级别"}, {"issuer", "下发单位"}, {"person", "当事人"}, {"station", "处置单位"},
	{"officer", "处置民警"}, {"contact_method", "联系方式"}, {"contact_at", "联系时间"}, {"attempts", "联系次数"},
	{"reached", "是否联系上"}, {"result", "处置结果"}, {"kept", "避免损失（元）"}, {"onsite", "落地核查"},
	{"onsite_at", "核查时间"}, {"case_no", "案件编号"}, {"version", "报送次数"}, {"sent_at", "反馈时间"},
}

// Column is one column of a return file: its header and the report field.
type Column struct {
	Header string `json:"header"`
	Field  string `json:"field"`
}

// Layout is an issuer's return file: its columns in order.
type Layout struct {
	Name    string   `json:"name"`
	Columns []Column `json:"columns"`
}

// Layouts are the shipped return layouts; ParseLayout reads another.
var Layouts = []Layout{
	{Name: "通用反馈表", Columns: defaultColumns()},
	{Name: "省厅预警反馈表", Columns: []Column{{"预警指令编号", "number"}, {"处置派出所", "station"}, {"责任民警", "officer"},
		{"是否见面劝阻/联系", "reached"}, {"劝阻方式", "contact_method"}, {"劝阻结果", "result"}, {"挽损金额", "kept"},
		{"是否落地核查", "onsite"}, {"受案编号", "case_no"}, {"续报次数", "version"}, {"反馈时间", "sent_at"}}},
}

func defaultColumns() []Column {
	var c []Column
	for _, f := range Fields {
		c = append(c, Column{f.Name, f.Key})
	}
	return c
}

// LayoutByName finds a shipped layout; "" is the first.
func LayoutByName(name string) (Layout, error) {
	if name == "" {
		return Layouts[0], nil
	}
	for _, l := range Layouts {
		if l.Name == name {
			return l, nil
		}
	}
	return Layout{}, domain.Invalid("反馈表格式 %q 不存在", name)
}

// ParseLayout reads a layout written one column a line as 表头=字段
// (字段 is a field key or its Chinese name).
func ParseLayout(name, text string) (Layout, error) {
	l := Layout{Name: strings.TrimSpace(name)}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		h, f, ok := strings.Cut(line, "=")
		key := fieldKey(strings.TrimSpace(f))
		if !ok || strings.TrimSpace(h) == "" || key == "" {
			return l, domain.Invalid("第 %d 行 %q 应为“表头=字段”，字段为 %s 之一", n+1, line, fieldNames())
		}
		l.Columns = append(l.Columns, Column{strings.TrimSpace(h), key})
	}
	if len(l.Columns) == 0 {
		return l, domain.Invalid("反馈表格式没有列")
	}
	has := false
	for _, c := range l.Columns {
		has = has || c.Field == "number"
	}
	if !has {
		return l, domain.Invalid("反馈表格式须有“指令编号”列，上级才能对应到指令")
	}
	return l, nil
}

func fieldKey(s string) string {
	for _, f := range Fields {
		if s == f.Key || s == f.Name {
			return f.Key
		}
	}
	return ""
}

func fieldNames() string {
	var n []string
	for _, f := range Fields {
		n = append(n, f.Name)
	}
	return strings.Join(n, "、")
}

const timeLayout = "2006-01-02 15:04"

func yesNo(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}

func localTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(zone.Shanghai).Format(timeLayout)
}

// cell writes one field of a report.
func cell(r Report, field string) string {
	switch field {
	case "number":
		return r.Number
	case "level":
		return LevelName(r.Level)
	case "issuer":
		return r.Issuer
	case "person":
		return r.Person
	case "station":
		return r.Station
	case "officer":
		return r.Officer
	case "contact_method":
		return r.ContactMethod
	case "contact_at":
		return localTime(r.ContactAt)
	case "attempts":
		return strconv.Itoa(r.Attempts)
	case "reached":
		return yesNo(r.Reached, "是", "否")
	case "result":
		return r.Result
	case "kept":
		return money.FormatYuan(r.KeptFen)
	case "onsite":
		return yesNo(r.Onsite, "已核查", "未核查")
	case "onsite_at":
		return localTime(r.OnsiteAt)
	case "case_no":
		return r.CaseNo
	case "version":
		return strconv.FormatInt(r.Version, 10)
	case "sent_at":
		return localTime(r.SentAt)
	}
	return ""
}

// setCell reads one field back (the issuer's side of the round trip).
func setCell(r *Report, field, v string) error {
	v = strings.TrimSpace(v)
	var err error
	parseTime := func() time.Time {
		if v == "" || err != nil {
			return time.Time{}
		}
		var t time.Time
		t, err = time.ParseInLocation(timeLayout, v, zone.Shanghai)
		return t
	}
	switch field {
	case "number":
		r.Number = v
	case "level":
		r.Level, err = ParseLevel(v)
	case "issuer":
		r.Issuer = v
	case "person":
		r.Person = v
	case "station":
		r.Station = v
	case "officer":
		r.Officer = v
	case "contact_method":
		r.ContactMethod = v
	case "contact_at":
		r.ContactAt = parseTime()
	case "attempts":
		r.Attempts, err = strconv.Atoi(v)
	case "reached":
		r.Reached = v == "是"
	case "result":
		r.Result = v
	case "kept":
		r.KeptFen, err = money.ParseYuan(v)
	case "onsite":
		r.Onsite = v == "已核查"
	case "onsite_at":
		r.OnsiteAt = parseTime()
	case "case_no":
		r.CaseNo = v
	case "version":
		r.Version, err = strconv.ParseInt(v, 10, 64)
	case "sent_at":
		r.SentAt = parseTime()
	}
	if err != nil {
		return domain.Invalid("%s %q 无法读取", field, v)
	}
	return nil
}

// WriteFile writes reports as an Excel return file in a layout.
func WriteFile(w io.Writer, l Layout, reports []Report) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "反馈"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	head := make([]any, len(l.Columns))
	for i, c := range l.Columns {
		head[i] = c.Header
	}
	if err := f.SetSheetRow(sheet, "A1", &head); err != nil {
		return err
	}
	for i, r := range reports {
		vals := make([]any, len(l.Columns))
		for j, c := range l.Columns {
			vals[j] = tabular.SafeCell(cell(r, c.Field))
		}
		at, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return err
		}
		if err := f.SetSheetRow(sheet, at, &vals); err != nil {
			return err
		}
	}
	_, err := f.WriteTo(w)
	return err
}

// ReadFile reads a return file in a layout, as the issuer would: every
// column of the layout must be in the header.
func ReadFile(name string, r io.Reader, l Layout) ([]Report, error) {
	tr, err := tabular.Open(name, r)
	if err != nil {
		return nil, err
	}
	defer tr.Close()
	head, _, err := tr.Next()
	if err != nil {
		return nil, domain.Invalid("反馈文件为空")
	}
	h := tabular.NewHeader(head)
	idx := make([]int, len(l.Columns))
	for i, c := range l.Columns {
		if idx[i] = h.Find(c.Header); idx[i] < 0 {
			return nil, domain.Invalid("反馈文件缺少“%s”列", c.Header)
		}
	}
	var out []Report
	for {
		row, line, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		var rep Report
		for i, c := range l.Columns {
			if err := setCell(&rep, c.Field, tabular.Cell(row, idx[i])); err != nil {
				return out, fmt.Errorf("第 %d 行：%w", line, err)
			}
		}
		out = append(out, rep)
	}
}

// ExportFeedback is the feedback file of the instructions in scope issued
// in [from, to) that have a result: each row the report's latest version,
// recorded now when new or changed (续报), so that the 待反馈 queue
// shrinks by what the file carries.
func ExportFeedback(ctx context.Context, d *db.DB, scope area.Node, from, to time.Time, l Layout, userID int64, now time.Time) ([]byte, Sent, error) {
	if !to.After(from) {
		return nil, Sent{}, domain.Invalid("结束时间须晚于开始时间")
	}
	reports, err := Reports(ctx, d, scope, from, to)
	if err != nil {
		return nil, Sent{}, err
	}
	sent, err := Record(ctx, d, reports, "file", userID, now, nil)
	if err != nil {
		return nil, sent, err
	}
	var buf bytes.Buffer
	if err := WriteFile(&buf, l, sent.Reports); err != nil {
		return nil, sent, fmt.Errorf("feedback file: %w", err)
	}
	return buf.Bytes(), sent, nil
}
