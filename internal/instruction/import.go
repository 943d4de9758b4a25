package instruction

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/money"
	"github.com/fanzha/fanzha/internal/tabular"
	"github.com/fanzha/fanzha/internal/warning"
)

// Instruction files (.xlsx or CSV, UTF-8 or GBK) have a header row; the
// columns are found by any of these names (docs/INSTRUCTIONS.md).
var importColumns = map[string][]string{
	"number":       {"指令编号", "number", "预警编号", "编号"},
	"level":        {"下发级别", "level", "指令级别", "下发单位级别", "层级"},
	"issuer":       {"下发单位", "issuer", "来源单位"},
	"received_at":  {"下发时间", "received_at", "接收时间", "预警时间"},
	"sign_due":     {"签收截止时间", "sign_due", "签收时限"},
	"feedback_due": {"反馈截止时间", "feedback_due", "反馈时限"},
	"grade":        {"预警等级", "grade", "等级"},
	"name":         {"姓名", "name", "当事人", "当事人姓名"},
	"phone":        {"手机号", "phone", "联系电话", "手机号码", "当事人电话"},
	"id_number":    {"身份证号", "id_number", "证件号码", "身份证号码"},
	"age":          {"年龄", "age"},
	"address":      {"地址", "address", "住址", "现住址"},
	"fraud_type":   {"诈骗类型", "fraud_type", "案件类型"},
	"scam_phone":   {"涉诈号码", "scam_phone", "诈骗电话"},
	"scam_account": {"涉诈账号", "scam_account", "收款账号"},
	"amount":       {"金额", "amount", "涉及金额"},
	"text":         {"简要情况", "text", "预警内容", "描述"},
}

// ImportReport tells what an instruction file did.
type ImportReport struct {
	Rows       int                 `json:"rows"`
	Intake     warning.BatchResult `json:"intake"`
	Errors     []warning.RowError  `json:"errors"`
	Registered int                 `json:"registered"`
}

// ImportFile reads an instruction file, takes its warnings through the one
// intake path and registers each taken warning's instruction. A row that
// cannot be read (no number, a bad level or time) is reported, not taken.
func ImportFile(ctx context.Context, d *db.DB, in *warning.Intake, name string, r io.Reader, opt warning.SubmitOptions, now time.Time) (ImportReport, error) {
	var rep ImportReport
	data, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return rep, err
	}
	tr, err := tabular.Open(name, bytes.NewReader(data))
	if err != nil {
		return rep, err
	}
	defer tr.Close()
	head, _, err := tr.Next()
	if errors.Is(err, io.EOF) {
		return rep, domain.Invalid("文件为空：第 1 行应为表头（指令编号, 下发级别, 姓名, 手机号, 地址 …）")
	}
	if err != nil {
		return rep, err
	}
	h := tabular.NewHeader(head)
	col := map[string]int{}
	for f, names := range importColumns {
		col[f] = h.Find(names...)
	}
	var missing []string
	for _, f := range []string{"number", "level"} {
		if col[f] < 0 {
			missing = append(missing, importColumns[f][0])
		}
	}
	if col["phone"] < 0 && col["id_number"] < 0 {
		missing = append(missing, "手机号 或 身份证号")
	}
	if len(missing) > 0 {
		return rep, domain.Invalid("表头缺少必需的列：%s（第 1 行是：%s）", strings.Join(missing, "、"), strings.Join(head, ", "))
	}
	var inputs []warning.Input
	var metas []Input
	var rows []int
	for {
		row, line, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			rep.Errors = append(rep.Errors, warning.RowError{Row: line, Reason: err.Error()})
			break
		}
		rep.Rows++
		if rep.Rows > warning.MaxBatch {
			return rep, domain.Invalid("指令文件超过 %d 行，请拆分后导入", warning.MaxBatch)
		}
		wi, meta, rerr := readRow(row, col)
		if rerr != nil {
			rep.Errors = append(rep.Errors, warning.RowError{Row: line, Reason: rerr.Error()})
			continue
		}
		inputs, metas, rows = append(inputs, wi), append(metas, meta), append(rows, line)
	}
	if len(inputs) == 0 {
		return rep, nil
	}
	opt.Rows = rows
	res, err := in.Submit(ctx, inputs, opt)
	rep.Intake = res
	if err != nil {
		return rep, err
	}
	var reg []Input
	for _, it := range res.Items {
		if it.ID == 0 || it.Index < 0 || it.Index >= len(metas) {
			continue
		}
		m := metas[it.Index]
		m.WarningID = it.ID
		reg = append(reg, m)
	}
	cfg, err := LoadConfig(ctx, d)
	if err != nil {
		return rep, err
	}
	if err := Register(ctx, d, cfg, reg, now); err != nil {
		return rep, err
	}
	rep.Registered = len(reg)
	return rep, nil
}

func readRow(row []string, col map[string]int) (warning.Input, Input, error) {
	get := func(f string) string { return tabular.Cell(row, col[f]) }
	var meta Input
	lv, err := ParseLevel(get("level"))
	if err != nil {
		return warning.Input{}, meta, err
	}
	meta.Level, meta.Number, meta.Issuer = lv, strings.TrimSpace(get("number")), get("issuer")
	if meta.Number == "" {
		return warning.Input{}, meta, domain.Invalid("指令编号为空")
	}
	src := warning.SourceUpper
	switch lv {
	case Bank:
		src = warning.SourceBank
	case Operator:
		src = warning.SourceOperator
	}
	wi := warning.Input{Source: src, SourceRef: meta.Number, Grade: warning.Grade(get("grade")),
		Person:    warning.Person{Name: get("name"), Phone: get("phone"), IDNumber: get("id_number"), Address: get("address")},
		FraudType: get("fraud_type"), Text: get("text"),
		Scam: warning.ScamContact{Phone: get("scam_phone"), Account: get("scam_account")}}
	for f, dst := range map[string]*time.Time{"received_at": &meta.ReceivedAt, "sign_due": &meta.SignDue, "feedback_due": &meta.FeedbackDue} {
		if v := get(f); v != "" {
			t, err := warning.ParseLocalTime(v)
			if err != nil {
				return wi, meta, err
			}
			*dst = t
		}
	}
	wi.ReceivedAt = meta.ReceivedAt
	if v := get("age"); v != "" {
		a, err := strconv.Atoi(strings.TrimSuffix(v, "岁"))
		if err != nil {
			return wi, meta, domain.Invalid("年龄 %q 不是整数", v)
		}
		wi.Person.Age = a
	}
	if v := get("amount"); v != "" {
		fen, err := money.ParseYuan(v)
		if err != nil {
			return wi, meta, err
		}
		wi.AmountFen = fen
	}
	return wi, meta, nil
}
