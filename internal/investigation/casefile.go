package investigation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/money"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/trace"
	"github.com/fanzha/fanzha/internal/zone"
)

// The case file (卷宗) as an Excel workbook: a contents sheet with the case's
// header and one sheet per part — the parties (victims and suspects), the
// losing transfers, the trace summary, the requests to banks and operators
// with their answers, the suspects' dispositions, the lifecycle steps and
// the timeline. Personal numbers are masked by the caller's masker, like
// every view; the export is audited.

// CaseFileSheets are the sheets of the workbook, in order, after 卷宗目录.
var CaseFileSheets = []string{"当事人", "被骗转账", "资金追查", "协查请求", "处置情况", "办案流程", "时间线"}

var stepStatus = map[string]string{StatusDone: "已办理", StatusPending: "待审批", StatusRejected: "已驳回"}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(zone.Shanghai).Format("2006-01-02 15:04")
}

// WriteCaseFile writes the case file of a case in scope to w, masked by m,
// and audits the export (export case <id>).
func WriteCaseFile(ctx context.Context, q db.Querier, scope area.Node, who auth.AuditEntry, m auth.Masker, caseID int64, w io.Writer, now time.Time) error {
	c, err := funds.GetCase(ctx, q, scope, caseID)
	if err != nil {
		return err
	}
	c = c.Masked(m)
	state, err := StateOf(ctx, q, scope, caseID)
	if err != nil {
		return err
	}
	suspects, err := CaseSuspects(ctx, q, scope, caseID)
	if err != nil {
		return err
	}
	ct, err := funds.TraceCaseInScope(ctx, q, scope, caseID, trace.Options{})
	if errors.Is(err, funds.ErrNoTransfers) {
		// A case without a losing transfer yet still has a file: its
		// trace sheet holds the headings and no victim rows.
		ct, err = &funds.CaseTrace{}, nil
	}
	if err != nil {
		return err
	}
	requests, err := partner.ForCase(ctx, q, scope, caseID, now)
	if err != nil {
		return err
	}
	steps, err := History(ctx, q, scope, caseID)
	if err != nil {
		return err
	}
	timeline, err := funds.CaseTimeline(ctx, q, scope, caseID)
	if err != nil {
		return err
	}
	series, err := SeriesOf(ctx, q, scope, caseID)
	if err != nil {
		return err
	}

	sheets := map[string][][]any{}
	victimName := map[int64]string{}
	parties := [][]any{{"类别", "姓名", "性别/角色", "身份证号", "电话", "账号", "损失/处置"}}
	for _, v := range c.Victims {
		victimName[v.ID] = v.Name
		parties = append(parties, []any{"受害人", v.Name, v.Sex, v.IDNumber, v.Phone, "", money.FormatYuan(v.LossFen)})
	}
	for _, s := range suspects {
		s = s.Masked(m)
		disp := ""
		for _, d := range s.Disposals {
			if d.CaseID == caseID {
				if disp != "" {
					disp += "；"
				}
				disp += d.KindName + " " + d.At.In(zone.Shanghai).Format("2006-01-02")
			}
		}
		parties = append(parties, []any{"犯罪嫌疑人", s.Name, s.RoleName, s.IDNumber, join(s.Phones), join(s.Accounts), disp})
	}
	sheets["当事人"] = parties

	transfers := [][]any{{"受害人", "时间", "转出账号", "收款账号", "收款银行", "收款户名", "金额（元）", "渠道"}}
	for _, t := range c.Transfers {
		transfers = append(transfers, []any{victimName[t.VictimID], fmtTime(t.At), t.FromAccount, t.ToAccount, t.ToBank, t.ToName,
			money.FormatYuan(t.AmountFen), funds.ChannelName(t.Channel)})
	}
	sheets["被骗转账"] = transfers

	traceRows := [][]any{{"受害人", "被骗金额（元）", "仍在账户（元）", "去向", "金额（元）"}}
	accounts := 0
	for _, n := range ct.Result.Nodes {
		if n.Kind == "account" {
			accounts++
		}
	}
	for _, v := range ct.Result.Victims {
		traceRows = append(traceRows, []any{victimName[v.VictimID], money.FormatYuan(v.LostFen), money.FormatYuan(v.RemainingFen), "", ""})
		leaves := make([]string, 0, len(v.LeafFen))
		for k := range v.LeafFen {
			leaves = append(leaves, k)
		}
		sort.Strings(leaves)
		for _, k := range leaves {
			traceRows = append(traceRows, []any{"", "", "", trace.LeafTypeName(k), money.FormatYuan(v.LeafFen[k])})
		}
	}
	traceRows = append(traceRows, []any{"已调取流水的账户（个）", strconv.Itoa(accounts), "", "", ""})
	sheets["资金追查"] = traceRows

	reqs := [][]any{{"编号", "类型", "协查单位", "账号/电话", "金额（元）", "发起时间", "状态", "答复时间", "答复", "结果金额（元）"}}
	for _, r := range requests {
		target := m.Card(r.Account)
		if target == "" {
			target = m.Phone(r.Phone)
		}
		reqs = append(reqs, []any{strconv.FormatInt(r.ID, 10), r.KindName, r.UnitName, target, money.FormatYuan(r.AmountFen),
			fmtTime(r.CreatedAt), partner.StatusName(r.Status), fmtTime(r.AnsweredAt), m.Text(r.Result), money.FormatYuan(r.ResultFen)})
	}
	sheets["协查请求"] = reqs

	disps := [][]any{{"嫌疑人", "角色", "处置", "日期", "单位", "地点", "文书号", "登记人"}}
	for _, s := range suspects {
		for _, d := range s.Disposals {
			if d.CaseID != caseID {
				continue
			}
			disps = append(disps, []any{s.Name, s.RoleName, d.KindName, d.At.In(zone.Shanghai).Format("2006-01-02"), d.Unit, d.Place, d.DocNo, d.UserName})
		}
	}
	sheets["处置情况"] = disps

	flow := [][]any{{"步骤", "从", "到", "日期", "文书号", "理由", "状态", "办理人"}}
	for _, t := range steps {
		t = t.Masked(m)
		flow = append(flow, []any{t.ActionName, StateName(t.From), StateName(t.To), fmtTime(t.At), t.DocNo, t.Reason, stepStatus[t.Status], t.UserName})
	}
	sheets["办案流程"] = flow

	events := [][]any{{"时间", "类型", "人员", "内容"}}
	for _, e := range timeline {
		events = append(events, []any{fmtTime(e.At), e.Kind, e.UserName, m.Text(e.Detail)})
	}
	sheets["时间线"] = events

	f := excelize.NewFile()
	defer f.Close()
	const toc = "卷宗目录"
	if err := f.SetSheetName("Sheet1", toc); err != nil {
		return err
	}
	head := [][]any{
		{"案件编号", c.CaseNo}, {"所属区域", c.AreaName}, {"派出所", c.StationName}, {"接报时间", fmtTime(c.ReportedAt)},
		{"办案状态", state.Name}, {"主办民警", c.InvestigatorName}, {"损失金额（元）", money.FormatYuan(c.LossFen)},
		{"简要案情", m.Text(c.Summary)},
	}
	if series.ParentID != caseID || len(series.Members) > 0 {
		head = append(head, []any{"系列案", fmt.Sprintf("主案 %s，共 %d 起，损失合计 %s 元", series.ParentNo, series.Cases, money.FormatYuan(series.LossFen))})
	}
	head = append(head, []any{"导出时间", fmtTime(now)}, []any{}, []any{"序号", "目录", "条数"})
	for i, name := range CaseFileSheets {
		head = append(head, []any{strconv.Itoa(i + 1), name, strconv.Itoa(len(sheets[name]) - 1)})
	}
	if err := writeRows(f, toc, head); err != nil {
		return err
	}
	for _, name := range CaseFileSheets {
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
		if err := writeRows(f, name, sheets[name]); err != nil {
			return err
		}
		_ = f.SetColWidth(name, "A", "J", 16)
	}
	_ = f.SetColWidth(toc, "A", "A", 16)
	_ = f.SetColWidth(toc, "B", "B", 60)
	f.SetActiveSheet(0)
	e := who.With(auth.AuditExport, "case", strconv.FormatInt(caseID, 10))
	e.At, e.Detail = now, "case file xlsx masked="+strconv.FormatBool(!m.Unmasked)
	if err := auth.Audit(ctx, q, e); err != nil {
		return err
	}
	return f.Write(w)
}

func writeRows(f *excelize.File, sheet string, rows [][]any) error {
	for i, r := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return err
		}
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			return err
		}
	}
	return nil
}

func join(list []string) string {
	out := ""
	for i, s := range list {
		if i > 0 {
			out += "、"
		}
		out += s
	}
	return out
}
