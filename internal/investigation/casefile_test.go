package investigation_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
	inv "github.com/fanzha/fanzha/internal/investigation"
)

// The case file workbook, read back: the contents sheet with the case's
// number, state and series, and each part with its rows — the victim and
// the suspect (masked), the transfer, the trace, the bank's answer, the
// disposition, the lifecycle steps and the timeline; the export is
// audited, and a case outside the scope is not found.
func TestCaseFileWorkbook(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		id := w.newCase(t, d, w.vA, t0)
		other := w.newCase(t, d, w.vA, t0)
		var victim int64
		if err := d.QueryRow(ctx, `INSERT INTO victims (case_id, name, sex, id_number, phone, area_id, loss_fen) VALUES (?,?,?,?,?,?,?) RETURNING id`,
			id, "王秀英", "F", "110101195001011234", "13912345678", w.vA.ID, 5_000_000).Scan(&victim); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, `INSERT INTO case_transfers (case_id, victim_id, at, from_account, to_account, to_bank, to_name, amount_fen, channel)
			VALUES (?,?,?,?,?,?,?,?,?)`, id, victim, t0.UnixMilli(), "6222020000001111", "6217000000002222", "建设银行", "李某", 5_000_000, "mobile_banking"); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, `INSERT INTO partner_requests (kind, case_id, account, amount_fen, status, created_at, result, result_fen, answered_at)
			VALUES ('freeze',?,?,?,'done',?,?,?,?)`, id, "6217000000002222", 5_000_000, t0.UnixMilli(), "已冻结 30000 元", 3_000_000, day(1).UnixMilli()); err != nil {
			t.Fatal(err)
		}
		if _, err := inv.Move(ctx, d, w.root, w.duty, inv.Request{CaseID: id, Action: inv.Accept, At: day(0)}, now); err != nil {
			t.Fatal(err)
		}
		sid, err := inv.AddSuspect(ctx, d, w.root, w.inv2, id, inv.SuspectInput{Name: "李某", IDNumber: "440101199001011230", Role: inv.Mule}, now)
		if err != nil {
			t.Fatal(err)
		}
		dispose(t, d, w, sid, id, inv.Caught, day(2))
		if err := inv.Merge(ctx, d, w.root, w.inv2, id, []int64{other}, "同一收款账户", now); err != nil {
			t.Fatal(err)
		}

		var buf bytes.Buffer
		err = inv.WriteCaseFile(ctx, d, w.stB, w.invB, auth.Masker{}, id, &buf, now)
		wantErr(t, err, domain.ErrNotFound, "")
		buf.Reset()
		if err := inv.WriteCaseFile(ctx, d, w.stA, w.inv, auth.Masker{}, id, &buf, now); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if got, want := strings.Join(f.GetSheetList(), ","), "卷宗目录,"+strings.Join(inv.CaseFileSheets, ","); got != want {
			t.Fatalf("sheets %s, want %s", got, want)
		}
		rows := func(sheet string) [][]string {
			t.Helper()
			r, err := f.GetRows(sheet)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		text := func(sheet string) string {
			var b strings.Builder
			for _, r := range rows(sheet) {
				b.WriteString(strings.Join(r, "|") + "\n")
			}
			return b.String()
		}
		toc := text("卷宗目录")
		for _, want := range []string{"案件编号|AJ-00001", "办案状态|受理", "系列案|主案 AJ-00001，共 2 起，损失合计 2,000.00 元",
			"1|当事人|2", "2|被骗转账|1", "4|协查请求|1", "5|处置情况|1", "6|办案流程|1"} {
			if !strings.Contains(toc, want) {
				t.Errorf("contents lack %q:\n%s", want, toc)
			}
		}
		for sheet, wants := range map[string][]string{
			"当事人":  {"受害人|王秀英|F|1101*************4|139****5678||50,000.00", "犯罪嫌疑人|李某|取款人/车手|4401*************0|||抓获 2026-10-03"},
			"被骗转账": {"王秀英|2026-10-01 10:00|**** 1111|**** 2222|建设银行|李某|50,000.00|手机银行"},
			"资金追查": {"王秀英|50,000.00|", "未调取流水的账户|50,000.00", "已调取流水的账户（个）|0"},
			"协查请求": {"1|冻结||**** 2222|50,000.00|2026-10-01 10:00|已办结|2026-10-02 10:00|已冻结 30000 元|30,000.00"},
			"处置情况": {"李某|取款人/车手|抓获|2026-10-03|青石派出所|广东省东莞市"},
			"办案流程": {"受理|接报|受理|2026-10-01 10:00"},
			"时间线":  {"lifecycle|duty|受理，日期 2026-10-01", "series|inv2|串并案件 AJ-00002：同一收款账户"},
		} {
			got := text(sheet)
			for _, want := range wants {
				if !strings.Contains(got, want) {
					t.Errorf("%s lacks %q:\n%s", sheet, want, got)
				}
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_log WHERE action = 'export' AND object_type = 'case' AND username = 'inv'`); n != 1 {
			t.Fatalf("%d audited exports, want 1", n)
		}
	})
}

// A case reported without a losing transfer yet still has a case file: its
// 资金追查 sheet holds the headings and the count of statements, no victim.
func TestCaseFileWithoutTransfers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		id := w.newCase(t, d, w.vA, t0)
		var buf bytes.Buffer
		if err := inv.WriteCaseFile(context.Background(), d, w.stA, w.inv, auth.Masker{}, id, &buf, now); err != nil {
			t.Fatalf("a case without transfers: %v", err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows("资金追查")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0][0] != "受害人" || rows[1][0] != "已调取流水的账户（个）" {
			t.Fatalf("资金追查 of a case without transfers: %q", rows)
		}
	})
}
