package funds

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// Each header dialect reads into the golden rows (testdata/statements/*.golden.json).
func TestStatementDialectsGolden(t *testing.T) {
	cases := []struct{ file, mapping, encoding string }{
		{"card-flag.csv", "card-flag", "utf-8"},
		{"signed.csv", "signed", "utf-8"},
		{"account-split-gbk.csv", "account-split", "gb18030"},
	}
	for _, c := range cases {
		data, err := os.ReadFile(filepath.Join("testdata/statements", c.file))
		if err != nil {
			t.Fatal(err)
		}
		p, err := PreviewStatement(c.file, bytes.NewReader(data), BuiltinMappings, "", 100)
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		if p.Mapping != c.mapping || p.Encoding != c.encoding || len(p.Errors) != 0 {
			t.Fatalf("%s: mapping %s encoding %s errors %v", c.file, p.Mapping, p.Encoding, p.Errors)
		}
		got, _ := json.MarshalIndent(p.Rows, "", "  ")
		golden := filepath.Join("testdata/statements", strings.TrimSuffix(c.file, ".csv")+".golden.json")
		if *update {
			if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%s: %v (run go test -update once)", golden, err)
		}
		if string(bytes.TrimSpace(want)) != string(bytes.TrimSpace(got)) {
			t.Errorf("%s: rows differ from %s:\n%s", c.file, golden, got)
		}
	}
}

func TestStatementAmountsExact(t *testing.T) {
	data, _ := os.ReadFile("testdata/statements/card-flag.csv")
	p, err := PreviewStatement("card-flag.csv", bytes.NewReader(data), BuiltinMappings, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []int64{5_000_000, -3_000_000, -1, -2_000_000}
	for i, w := range want {
		if p.Rows[i].AmountFen != w {
			t.Errorf("row %d amount %d fen, want %d", i+2, p.Rows[i].AmountFen, w)
		}
	}
	if p.Rows[0].BalanceFen == nil || *p.Rows[0].BalanceFen != 5_012_035 {
		t.Errorf("balance of row 2: %v", p.Rows[0].BalanceFen)
	}
	if got := p.Rows[0].At.Format("2006-01-02T15:04:05Z07:00"); got != "2026-10-01T02:02:11Z" {
		t.Errorf("time of row 2 in UTC: %s", got)
	}
}

func TestStatementBadRows(t *testing.T) {
	bad := "交易卡号,交易时间,交易金额,借贷标志,对手账号\n" +
		"6222,2026-10-01 10:00:00,100,贷,6333\n" +
		",2026-10-01 10:00:00,100,贷,6333\n" +
		"6222,昨天,100,贷,6333\n" +
		"6222,2026-10-01 10:00:00,12.345,贷,6333\n" +
		"6222,2026-10-01 10:00:00,100,?,6333\n" +
		"6222,2026-10-01 10:00:00,0,贷,6333\n"
	p, err := PreviewStatement("bad.csv", strings.NewReader(bad), BuiltinMappings, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Rows) != 1 || len(p.Errors) != 5 {
		t.Fatalf("rows %d errors %+v", len(p.Rows), p.Errors)
	}
	for i, e := range p.Errors {
		if e.Row != i+3 || e.File != "bad.csv" || e.Reason == "" {
			t.Errorf("error %d: %+v", i, e)
		}
	}
	if _, err := PreviewStatement("x.csv", strings.NewReader("甲,乙\n1,2\n"), BuiltinMappings, "", 10); err == nil || !strings.Contains(err.Error(), "无法识别") {
		t.Errorf("unknown header: %v", err)
	}
}

func TestImportStatementsDedupAndAllOrNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		data, _ := os.ReadFile("testdata/statements/card-flag.csv")
		rep, err := ImportStatement(ctx, d, "card-flag.csv", bytes.NewReader(data), ImportOptions{})
		if err != nil || !rep.Committed || rep.Stored != 4 || rep.Accounts != 1 {
			t.Fatalf("first import: %+v %v", rep, err)
		}
		// An overlapping statement: the same 4 rows plus one more.
		more := string(data) + "6222021001000000001,张伟,工商银行云溪支行营业部,2026-10-02 09:00:00,100.00,贷,220.34,,,,利息,,,,\n"
		rep, err = ImportStatement(ctx, d, "card-flag-2.csv", strings.NewReader(more), ImportOptions{})
		if err != nil || rep.Stored != 1 || rep.Duplicates != 4 {
			t.Fatalf("overlapping import: %+v %v", rep, err)
		}
		var n int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM statement_rows`).Scan(&n)
		if n != 5 {
			t.Fatalf("%d rows stored, want 5", n)
		}
		var branch string
		_ = d.QueryRow(ctx, `SELECT branch FROM accounts WHERE number = '6222021001000000001'`).Scan(&branch)
		if branch != "工商银行云溪支行营业部" {
			t.Fatalf("opening branch %q", branch)
		}
		// GBK with a bad row, all-or-nothing: nothing stored, the row reported.
		gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("交易账号,交易日期,交易时间,收入金额,支出金额,对方账号\n" +
			"6230,20261001,102001,10.00,,6228\n6230,20261001,102002,10.00,5.00,6228\n"))
		rep, err = ImportStatement(ctx, d, "s.csv", bytes.NewReader(gbk), ImportOptions{AllOrNothing: true})
		if err != nil || rep.Committed || rep.Bad != 1 || rep.Errors[0].Row != 3 {
			t.Fatalf("all-or-nothing: %+v %v", rep, err)
		}
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM statement_rows`).Scan(&n)
		if n != 5 {
			t.Fatalf("refused file stored rows: %d", n)
		}
		rep, _ = ImportStatement(ctx, d, "s.csv", bytes.NewReader(gbk), ImportOptions{})
		if !rep.Committed || rep.Stored != 1 || rep.Bad != 1 {
			t.Fatalf("partial: %+v", rep)
		}
		// A saved mapping is used for detection.
		m := Mapping{Name: "my-bank", Account: []string{"卡"}, Time: []string{"时"}, Amount: []string{"额"}, Counter: []string{"对"}}
		if err := SaveMapping(ctx, d, m, 0, time.Now()); err != nil {
			t.Fatal(err)
		}
		rep, err = ImportStatement(ctx, d, "mine.csv", strings.NewReader("卡,时,额,对\n9,2026-10-03 08:00:00,-5,8\n"), ImportOptions{})
		if err != nil || rep.Mapping != "my-bank" || rep.Stored != 1 {
			t.Fatalf("saved mapping: %+v %v", rep, err)
		}
	})
}

// FuzzStatementReader: any bytes give rows or per-row errors, never a panic.
func FuzzStatementReader(f *testing.F) {
	for _, n := range []string{"card-flag.csv", "signed.csv", "account-split-gbk.csv"} {
		b, _ := os.ReadFile(filepath.Join("testdata/statements", n))
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := PreviewStatement("f.csv", bytes.NewReader(data), BuiltinMappings, "", 1000)
		if err != nil {
			return
		}
		for _, r := range p.Rows {
			if r.Account == "" || r.AmountFen == 0 || r.At.IsZero() {
				t.Fatalf("accepted an incomplete row: %+v", r)
			}
		}
		for _, e := range p.Errors {
			if e.Row <= 0 || e.Reason == "" {
				t.Fatalf("row error %+v", e)
			}
		}
	})
}
