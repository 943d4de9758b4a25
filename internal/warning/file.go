package warning

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/money"
	"github.com/fanzha/fanzha/internal/tabular"
	"github.com/fanzha/fanzha/internal/zone"
)

// Warning files (Excel .xlsx or CSV in UTF-8 or GBK) have a header row; the
// columns are found by any of these names, so the lists exported by upper
// level centres, banks and operators load without editing. The full table
// is in docs/WARNINGS.md.
var fileColumns = map[string][]string{
	"source":       {"来源", "source", "预警来源"},
	"source_ref":   {"来源编号", "source_ref", "预警编号", "编号", "指令编号", "线索编号"},
	"received_at":  {"接收时间", "received_at", "预警时间", "下发时间", "时间"},
	"grade":        {"等级", "grade", "预警等级", "级别"},
	"name":         {"姓名", "name", "当事人", "当事人姓名", "受害人姓名"},
	"phone":        {"手机号", "phone", "电话", "联系电话", "手机号码", "当事人电话"},
	"id_number":    {"身份证号", "id_number", "证件号码", "身份证号码"},
	"age":          {"年龄", "age"},
	"birth":        {"出生日期", "birth"},
	"sex":          {"性别", "sex"},
	"address":      {"地址", "address", "住址", "居住地址", "现住址", "户籍地址"},
	"fraud_type":   {"诈骗类型", "fraud_type", "类型", "案件类型"},
	"scam_phone":   {"涉诈号码", "scam_phone", "诈骗电话", "对方号码"},
	"scam_account": {"涉诈账号", "scam_account", "对方账号", "收款账号", "涉诈账户"},
	"scam_url":     {"涉诈网址", "scam_url", "网址", "链接"},
	"scam_app":     {"涉诈APP", "scam_app", "app", "应用"},
	"amount":       {"金额", "amount", "涉及金额", "涉案金额", "转账金额"},
	"text":         {"描述", "text", "内容", "简要情况", "预警内容", "备注"},
}

// RowError is a row of a file that could not be read or taken.
type RowError struct {
	Row    int    `json:"row"`
	Reason string `json:"reason"`
}

// FileRows are the warnings read from a file with their row numbers, and
// the rows that could not be parsed.
type FileRows struct {
	Inputs   []Input
	Rows     []int
	Errors   []RowError
	Encoding string
}

// MaxFileRows bounds a warning file; larger lists should come by the API or
// the stream in batches.
const MaxFileRows = 200000

// ReadFile reads a warnings table. Cells that cannot be parsed (a time, an
// amount, an age) make a RowError for that row; the row is not taken.
func ReadFile(name string, r io.Reader) (FileRows, error) {
	var fr FileRows
	tr, err := tabular.Open(name, r)
	if err != nil {
		return fr, err
	}
	defer tr.Close()
	fr.Encoding = tr.Encoding()
	head, _, err := tr.Next()
	if errors.Is(err, io.EOF) {
		return fr, domain.Invalid("文件为空：第 1 行应为表头（来源, 来源编号, 姓名, 手机号, 地址 …）")
	}
	if err != nil {
		return fr, err
	}
	h := tabular.NewHeader(head)
	col := map[string]int{}
	for field, names := range fileColumns {
		col[field] = h.Find(names...)
	}
	var missing []string
	for _, req := range []string{"source", "source_ref"} {
		if col[req] < 0 {
			missing = append(missing, fileColumns[req][0])
		}
	}
	if col["phone"] < 0 && col["id_number"] < 0 {
		missing = append(missing, "手机号 或 身份证号")
	}
	if len(missing) > 0 {
		return fr, domain.Invalid("表头缺少必需的列：%s（第 1 行是：%s）", strings.Join(missing, "、"), strings.Join(head, ", "))
	}
	for {
		row, line, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fr.Errors = append(fr.Errors, RowError{Row: line, Reason: err.Error()})
			// A broken CSV quote makes the rest of the file unreliable.
			return fr, nil
		}
		if len(fr.Inputs)+len(fr.Errors) >= MaxFileRows {
			return fr, domain.Invalid("文件超过 %d 行，请拆分后上传或改用接口批量提交", MaxFileRows)
		}
		in, perr := rowInput(row, col)
		if perr != nil {
			fr.Errors = append(fr.Errors, RowError{Row: line, Reason: perr.Error()})
			continue
		}
		fr.Inputs = append(fr.Inputs, in)
		fr.Rows = append(fr.Rows, line)
	}
	return fr, nil
}

func rowInput(row []string, col map[string]int) (Input, error) {
	get := func(f string) string { return tabular.Cell(row, col[f]) }
	in := Input{
		Source:    Source(get("source")),
		SourceRef: get("source_ref"),
		Grade:     Grade(get("grade")),
		Person: Person{Name: get("name"), Phone: get("phone"), IDNumber: get("id_number"), Birth: normalizeDate(get("birth")),
			Sex: normalizeSex(get("sex")), Address: get("address")},
		FraudType: get("fraud_type"),
		Scam:      ScamContact{Phone: get("scam_phone"), Account: get("scam_account"), URL: get("scam_url"), App: get("scam_app")},
		Text:      get("text"),
	}
	if v := get("received_at"); v != "" {
		t, err := ParseLocalTime(v)
		if err != nil {
			return in, err
		}
		in.ReceivedAt = t
	}
	if v := get("age"); v != "" {
		a, err := strconv.Atoi(strings.TrimSuffix(v, "岁"))
		if err != nil {
			return in, domain.Invalid("年龄 %q 不是整数", v)
		}
		in.Person.Age = a
	}
	if v := get("amount"); v != "" {
		fen, err := money.ParseYuan(v)
		if err != nil {
			return in, err
		}
		in.AmountFen = fen
	}
	return in, nil
}

var localLayouts = []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006/01/02 15:04:05", "2006/1/2 15:04:05", "2006/1/2 15:04",
	"2006-01-02T15:04:05", "20060102150405", "2006年1月2日 15:04", "2006年01月02日 15:04:05", "2006-01-02", "2006/1/2"}

// ParseLocalTime reads a time written in Asia/Shanghai in the forms Chinese
// systems export, or RFC 3339 with its own offset.
func ParseLocalTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	for _, l := range localLayouts {
		if t, err := time.ParseInLocation(l, s, zone.Shanghai); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, domain.Invalid("时间 %q 无法识别（应为 2006-01-02 15:04:05 这类格式）", s)
}

func normalizeDate(s string) string {
	if s == "" {
		return ""
	}
	for _, l := range []string{"2006-01-02", "2006/1/2", "20060102", "2006年1月2日", "2006.1.2"} {
		if t, err := time.Parse(l, s); err == nil {
			return t.Format("2006-01-02")
		}
	}
	return s // normalize() reports it
}

func normalizeSex(s string) string {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "男", "M", "MALE", "1":
		return "M"
	case "女", "F", "FEMALE", "2":
		return "F"
	}
	return ""
}

// ImportReport is the row report of a file import.
type ImportReport struct {
	File       string       `json:"file"`
	Encoding   string       `json:"encoding"`
	Rows       int          `json:"rows"` // data rows read
	Created    int          `json:"created"`
	Merged     int          `json:"merged"`
	Duplicates int          `json:"duplicates"`
	Rejected   int          `json:"rejected"`
	Stored     bool         `json:"stored"`
	Errors     []RowError   `json:"errors"`
	Items      []ItemResult `json:"items,omitempty"`
}

// ImportFile reads a warnings file and takes it through the intake: either
// every good row is stored and every bad row reported (allOrNothing false),
// or, when any row is bad, nothing is stored and every bad row reported.
func (in *Intake) ImportFile(ctx context.Context, name string, r io.Reader, allOrNothing bool, door string, userID int64) (ImportReport, error) {
	rep := ImportReport{File: name, Errors: []RowError{}}
	fr, err := ReadFile(name, r)
	if err != nil {
		return rep, err
	}
	rep.Encoding = fr.Encoding
	rep.Rows = len(fr.Inputs) + len(fr.Errors)
	rep.Errors = append(rep.Errors, fr.Errors...)
	// Validate every row before storing anything, so all-or-nothing can
	// refuse the file with the complete list of problems.
	now := in.now()
	for i, x := range fr.Inputs {
		if _, err := normalize(x, now); err != nil {
			rep.Errors = append(rep.Errors, RowError{Row: fr.Rows[i], Reason: err.Error()})
		}
	}
	sortRowErrors(rep.Errors)
	rep.Rejected = len(rep.Errors)
	if allOrNothing && len(rep.Errors) > 0 {
		return rep, nil
	}
	for start := 0; start < len(fr.Inputs); start += MaxBatch {
		end := min(start+MaxBatch, len(fr.Inputs))
		res, err := in.Submit(ctx, fr.Inputs[start:end], SubmitOptions{Door: door, UserID: userID, Rows: fr.Rows[start:end]})
		if err != nil {
			return rep, fmt.Errorf("rows %d–%d not stored (rows before them are stored): %w", fr.Rows[start], fr.Rows[end-1], err)
		}
		rep.Created += res.Created
		rep.Merged += res.Merged
		rep.Duplicates += res.Duplicates
		for _, it := range res.Items {
			if it.Status != ItemRejected {
				rep.Items = append(rep.Items, it)
			}
		}
	}
	rep.Stored = true
	return rep, nil
}

func sortRowErrors(e []RowError) {
	sort.SliceStable(e, func(i, j int) bool { return e[i].Row < e[j].Row })
}
