package returns

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/fanzha/fanzha/internal/money"
)

// SheetHeader is the header row of the return calculation export.
var SheetHeader = []string{"冻结请求", "冻结账号", "方案", "方案状态", "适用规则", "可返还金额（元）", "被害人", "损失（元）",
	"溯源金额（元）", "应返还（元）", "已返还（元）", "未返还（元）", "计算依据"}

// CurrentPlan is the plan a frozen account is returned under: the newest
// plan not superseded, or nil.
func (a FrozenAccount) CurrentPlan() *Plan {
	for i := range a.Plans {
		if a.Plans[i].Status != PlanSuperseded {
			return &a.Plans[i]
		}
	}
	return nil
}

// SheetRows are the rows of the export (without the header): one per
// victim of each frozen account's current plan, then the account's total
// (returned, left frozen). Amounts are yuan with two decimals written by
// money.FormatYuan from fen, exactly as the return page shows them.
func SheetRows(v CaseReturns) [][]string {
	var out [][]string
	for _, a := range v.Accounts {
		p := a.CurrentPlan()
		if p == nil {
			out = append(out, []string{fmt.Sprintf("#%d", a.RequestID), a.Account, "—", "尚未制定", "", money.FormatYuan(a.LeftFen),
				"", "", "", "", "", "", "冻结金额 " + money.FormatYuan(a.FrozenFen)})
			continue
		}
		for _, l := range p.Lines {
			traced := "—"
			if l.Traced {
				traced = money.FormatYuan(l.TracedFen)
			}
			out = append(out, []string{fmt.Sprintf("#%d", a.RequestID), a.Account, fmt.Sprintf("#%d", p.ID), p.StatusName, p.RuleName,
				money.FormatYuan(p.FrozenFen), l.Name, money.FormatYuan(l.LossFen), traced, money.FormatYuan(l.ShareFen),
				money.FormatYuan(l.PaidFen), money.FormatYuan(l.OutstandingFen), l.Basis})
		}
		out = append(out, []string{fmt.Sprintf("#%d", a.RequestID), a.Account, fmt.Sprintf("#%d", p.ID), p.StatusName, p.RuleName,
			money.FormatYuan(p.FrozenFen), "合计", "", "", money.FormatYuan(p.ReturnFen), money.FormatYuan(p.PaidFen),
			money.FormatYuan(p.OutstandingFen), "继续冻结 " + money.FormatYuan(p.LeftFen)})
	}
	return out
}

// WriteXLSX writes a case's return calculation as an Excel workbook
// with one sheet, 返还计算.
func WriteXLSX(w io.Writer, v CaseReturns) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "返还计算"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	title := fmt.Sprintf("案件 %s 冻结资金返还计算（《电信网络新型违法犯罪案件冻结资金返还若干规定》第八条；金额以分计算，按比例时最大余数法取整）", v.CaseNo)
	if err := f.SetCellValue(sheet, "A1", title); err != nil {
		return err
	}
	rows := append([][]string{SheetHeader}, SheetRows(v)...)
	for i, r := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return err
		}
		vals := make([]any, len(r))
		for j, s := range r {
			vals[j] = s
		}
		if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
			return fmt.Errorf("write return sheet row %d: %w", i+1, err)
		}
	}
	_ = f.SetColWidth(sheet, "A", "L", 14)
	_ = f.SetColWidth(sheet, "M", "M", 80)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write return workbook: %w", err)
	}
	return nil
}
