package warning

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

const goodCSV = `来源,来源编号,等级,姓名,手机号,身份证号,地址,诈骗类型,金额(元),接收时间,描述
上级中心,F-1,高危,王秀英,13800001001,,云溪县青石镇李家村3组,冒充公检法,,2026-11-02 09:30:00,自称民警
银行,F-2,资金预警,李建国,13800001002,,城关街道新华社区,刷单返利,"12,000.50",2026-11-02 09:31:00,大额转账
`

// A file with malformed rows: every bad row reported with its row number;
// with all-or-nothing nothing is stored, otherwise exactly the good rows.
const mixedCSV = `来源,来源编号,等级,姓名,手机号,地址,金额(元),接收时间
上级中心,X-1,高危,张三,13800002001,青石镇李家村,,2026-11-02 09:30:00
火星,X-2,高危,李四,13800002002,青石镇李家村,,2026-11-02 09:30:00
上级中心,X-3,高危,王五,13800002003,青石镇李家村,12.345,2026-11-02 09:30:00
上级中心,,高危,赵六,13800002004,青石镇李家村,,2026-11-02 09:30:00
上级中心,X-5,紧急,钱七,13800002005,青石镇李家村,,2026-11-02 09:30:00
上级中心,X-6,一般,孙八,13800002006,青石镇李家村,,昨天下午
上级中心,X-7,一般,周九,,青石镇李家村,,2026-11-02 09:30:00
上级中心,X-8,一般,吴十,13800002008,城关街道新华社区,100,2026-11-02 09:30:00
`

func TestImportFileRowReport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newTestCounty(t, d)
		rep, err := c.intake.ImportFile(ctx, "mixed.csv", strings.NewReader(mixedCSV), true, "upload", 0)
		if err != nil {
			t.Fatal(err)
		}
		wantBad := []int{3, 4, 5, 6, 7, 8}
		if rep.Stored || len(rep.Errors) != len(wantBad) {
			t.Fatalf("all-or-nothing: stored=%v errors=%+v", rep.Stored, rep.Errors)
		}
		for i, row := range wantBad {
			if rep.Errors[i].Row != row || rep.Errors[i].Reason == "" {
				t.Fatalf("error %d: %+v, want row %d with a reason", i, rep.Errors[i], row)
			}
		}
		var n int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM warnings`).Scan(&n)
		if n != 0 {
			t.Fatalf("refused file stored %d warnings", n)
		}
		rep, err = c.intake.ImportFile(ctx, "mixed.csv", strings.NewReader(mixedCSV), false, "upload", 0)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Stored || rep.Created != 2 || rep.Rejected != 6 || rep.Rows != 8 {
			t.Fatalf("partial import: %+v", rep)
		}
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM warnings`).Scan(&n)
		if n != 2 {
			t.Fatalf("stored %d warnings, want the 2 good rows", n)
		}
		var amount int64
		_ = d.QueryRow(ctx, `SELECT amount_fen FROM warnings WHERE source_ref = 'X-8'`).Scan(&amount)
		if amount != 10000 {
			t.Fatalf("amount of X-8 = %d fen, want 10000", amount)
		}
		// The same file again: nothing new, all duplicates.
		rep, _ = c.intake.ImportFile(ctx, "mixed.csv", strings.NewReader(mixedCSV), false, "cli", 0)
		if rep.Created != 0 || rep.Duplicates != 2 {
			t.Fatalf("re-import: %+v", rep)
		}
	})
}

func TestImportGBKAndXLSX(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newTestCounty(t, d)
		gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(goodCSV))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := c.intake.ImportFile(ctx, "list.csv", bytes.NewReader(gbk), true, "upload", 0)
		if err != nil || !rep.Stored || rep.Created != 2 || rep.Encoding != "gb18030" {
			t.Fatalf("GBK import: %+v %v", rep, err)
		}
		w, _ := Get(ctx, d, c.root, rep.Items[1].ID)
		if w.Person.Name != "李建国" || w.AmountFen != 1_200_050 || w.Grade != GradeFund || w.FraudType != "rebate" || w.StationID != c.stB.ID {
			t.Fatalf("GBK row read wrong: %+v", w)
		}
		f := excelize.NewFile()
		_ = f.SetSheetRow("Sheet1", "A1", &[]any{"来源", "来源编号", "姓名", "电话", "住址", "涉及金额"})
		_ = f.SetSheetRow("Sheet1", "A2", &[]any{"96110", "H-1", "陈桂兰", "13800003001", "青石李家村", "3万"})
		var buf bytes.Buffer
		_ = f.Write(&buf)
		rep, err = c.intake.ImportFile(ctx, "list.xlsx", &buf, true, "upload", 0)
		if err != nil || rep.Created != 1 {
			t.Fatalf("xlsx import: %+v %v", rep, err)
		}
		w, _ = Get(ctx, d, c.root, rep.Items[0].ID)
		if w.Source != SourceHotline || w.AmountFen != 3_000_000 || w.StationID != c.stA.ID {
			t.Fatalf("xlsx row read wrong: %+v", w)
		}
	})
}

func TestImportRefusesBadHeader(t *testing.T) {
	_, err := ReadFile("x.csv", strings.NewReader("a,b,c\n1,2,3\n"))
	if err == nil || !strings.Contains(err.Error(), "来源") {
		t.Fatalf("bad header: %v", err)
	}
}

// FuzzReadFile: any bytes give rows, row errors or a file error, never a
// panic; every row error has a positive row number.
func FuzzReadFile(f *testing.F) {
	f.Add([]byte(goodCSV))
	f.Add([]byte(mixedCSV))
	f.Add([]byte("来源,来源编号,手机号\n上级,\"x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := ReadFile("f.csv", bytes.NewReader(data))
		if err != nil {
			return
		}
		if len(fr.Inputs) != len(fr.Rows) {
			t.Fatalf("%d inputs, %d row numbers", len(fr.Inputs), len(fr.Rows))
		}
		for _, e := range fr.Errors {
			if e.Row <= 0 || e.Reason == "" {
				t.Fatalf("row error %+v", e)
			}
		}
		for _, in := range fr.Inputs {
			_, _ = normalize(in, testNow)
		}
	})
}

var testNow = time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)
