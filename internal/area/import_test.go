package area_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/tabular"
)

// newCounty creates the county root 清河县 (as setup does).
func newCounty(t *testing.T, d *db.DB) area.Node {
	t.Helper()
	root := area.Node{Level: area.County, Kind: "县", Code: testCountyCode, Name: testCountyName, Aliases: "清河"}
	if err := area.Create(context.Background(), d, &root); err != nil {
		t.Fatal(err)
	}
	return root
}

// auditor writes audit lines as the web and the CLI do.
func auditor() area.Auditor {
	who := auth.AuditEntry{Username: "tester", IP: "test"}
	return func(ctx context.Context, q db.Querier, action, id, detail string) error {
		e := who.With(action, "area", id)
		e.Detail = detail
		return auth.Audit(ctx, q, e)
	}
}

func importBytes(t *testing.T, d *db.DB, root area.Node, name string, b []byte) (area.ImportReport, error) {
	t.Helper()
	r, err := tabular.Open(name, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	return area.Import(context.Background(), d, root, auditor(), name, r)
}

func importFile(t *testing.T, d *db.DB, root area.Node, name string) (area.ImportReport, error) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return importBytes(t, d, root, name, b)
}

func countAreas(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), `SELECT COUNT(*) FROM areas`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func byCode(t *testing.T, d *db.DB, code string) area.Node {
	t.Helper()
	n, err := area.ByCode(context.Background(), d, code)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportTestdata(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		for _, file := range []string{"county-tree.csv", "county-tree.xlsx", "gbk"} {
			t.Run(file, func(t *testing.T) {
				ctx := context.Background()
				if file != "county-tree.csv" { // a fresh database per file
					d = dbtest.Open(t, d.Dialect)
				}
				root := newCounty(t, d)
				gen0, _ := db.Generations(ctx, d)
				var rep area.ImportReport
				var err error
				if file == "gbk" {
					rep, err = importBytes(t, d, root, "tree.csv", gbkBytes(t, testRows()))
				} else {
					rep, err = importFile(t, d, root, file)
				}
				if err != nil {
					t.Fatalf("import: %v (%+v)", err, rep.Errors)
				}
				want := map[string]string{"county-tree.csv": "utf-8", "county-tree.xlsx": "xlsx", "gbk": "gb18030"}[file]
				if !rep.Stored || rep.Created != 29 || rep.Rows != 29 || rep.Encoding != want {
					t.Fatalf("report %+v", rep)
				}
				if got := countAreas(t, d); got != 30 {
					t.Fatalf("%d areas, want 30", got)
				}
				gen1, _ := db.Generations(ctx, d)
				if gen1[db.GenTree] <= gen0[db.GenTree] {
					t.Error("tree generation not bumped")
				}
				v := byCode(t, d, "439901100201")
				st := byCode(t, d, "439901-PCS02")
				town := byCode(t, d, "439901100000")
				if v.Name != "杏林村" || v.Kind != "村" || v.FullName != "清河县柳湾镇杏林村" || v.StationID != st.ID ||
					v.Aliases != "杏林|杏林村委会" || v.Population != 2316 || v.Level != area.Village || v.ParentID != town.ID {
					t.Errorf("village %+v", v)
				}
				if town.Kind != "镇" || town.FullName != "清河县柳湾镇" || town.StationID != st.ID {
					t.Errorf("town %+v", town)
				}
				if st.FullName != "清河县河西派出所" || st.Kind != "派出所" || st.StationID != st.ID {
					t.Errorf("station %+v", st)
				}
				if c := byCode(t, d, "439901001001"); c.Kind != "社区" {
					t.Errorf("community kind %q", c.Kind)
				}
				if x := byCode(t, d, "439901200000"); x.Kind != "乡" {
					t.Errorf("乡 kind %q", x.Kind)
				}
				if x := byCode(t, d, "439901001000"); x.Kind != "街道" {
					t.Errorf("街道 kind %q", x.Kind)
				}
				// Figures add up: town = its villages, station = its towns,
				// county = its stations.
				var pop, eld int64
				for _, vv := range testCounty[1].towns[0].villages {
					pop += vv.pop
					eld += vv.elderly
				}
				if town.Population != pop || town.Elderly != eld {
					t.Errorf("town figures %d/%d, want %d/%d", town.Population, town.Elderly, pop, eld)
				}
				var stPop, all int64
				for si, s := range testCounty {
					for _, tw := range s.towns {
						for _, vv := range tw.villages {
							all += vv.pop
							if si == 1 {
								stPop += vv.pop
							}
						}
					}
				}
				if st.Population != stPop {
					t.Errorf("station population %d, want %d", st.Population, stPop)
				}
				r, _ := area.Get(ctx, d, root.ID)
				if r.Population != all {
					t.Errorf("county population %d, want %d", r.Population, all)
				}
				var audits int
				if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE object_type = 'area' AND object_id = 'import' AND detail LIKE '%29 created%'`).Scan(&audits); err != nil || audits != 1 {
					t.Errorf("audit lines %d (%v)", audits, err)
				}
			})
		}
	})
}

func TestImportBadGBKFile(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		root := newCounty(t, d)
		rep, err := importFile(t, d, root, "county-tree-bad-gbk.csv")
		if !errors.Is(err, area.ErrBadRows) || !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("err %v", err)
		}
		_, line := badRows()
		if rep.Stored || rep.Encoding != "gb18030" || len(rep.Errors) != 1 || rep.Errors[0].Row != line ||
			!strings.Contains(rep.Errors[0].Reason, "上级代码 439901300000 不存在") {
			t.Fatalf("report %+v", rep)
		}
		if n := countAreas(t, d); n != 1 {
			t.Fatalf("%d areas stored, want only the root", n)
		}
	})
}

const head = "代码,上级代码,级别,名称,别名,人口,老年人,未成年人,学生\n"

func TestImportBadRows(t *testing.T) {
	cases := []struct {
		name string
		body string
		row  int
		want string
	}{
		{"unknown parent", "S1,,派出所,甲派出所,,,,,\nT1,NOPE,乡镇街道,甲镇,,,,,\n", 3, "上级代码 NOPE 不存在"},
		{"cycle", "S1,,派出所,甲派出所,,,,,\nV1,V2,村社区,甲村,,,,,\nV2,V1,村社区,乙村,,,,,\n", 3, "成环"},
		{"self parent", "S1,S1,派出所,甲派出所,,,,,\n", 2, "成环"},
		{"duplicate code", "S1,,派出所,甲派出所,,,,,\nS1,,派出所,乙派出所,,,,,\n", 3, "重复（第 2 行已有）"},
		{"station under station", "S1,,派出所,甲派出所,,,,,\nS2,S1,派出所,乙派出所,,,,,\n", 3, "级别顺序不对"},
		{"town under county", "T1,,乡镇街道,甲镇,,,,,\n", 2, "级别顺序不对"},
		{"village under station", "S1,,派出所,甲派出所,,,,,\nV1,S1,村社区,甲村,,,,,\n", 3, "级别顺序不对"},
		{"cell under town", "S1,,派出所,甲派出所,,,,,\nT1,S1,镇,甲镇,,,,,\nG1,T1,网格,第1网格,,,,,\n", 4, "级别顺序不对"},
		{"missing name", "S1,,派出所,,,,,,\n", 2, "名称为空"},
		{"missing level", "S1,,,甲派出所,,,,,\n", 2, "级别为空"},
		{"unknown level", "S1,,大队,甲派出所,,,,,\n", 2, "不认识"},
		{"province row", "P1,,省,甲省,,,,,\n", 2, "省（中心）在系统初始化时已建立"},
		{"city under county", "C1,,市,乙市,,,,,\n", 2, "级别顺序不对"},
		{"county row", "X1,,县,乙县,,,,,\n", 2, "县（中心）"},
		{"missing code", ",,派出所,甲派出所,,,,,\n", 2, "代码为空"},
		{"bad code", "S 1,,派出所,甲派出所,,,,,\n", 2, "格式不对"},
		{"county's own code", "439901,,派出所,甲派出所,,,,,\n", 2, "县（中心）本身"},
		{"negative", "S1,,派出所,甲派出所,,-5,,,\n", 2, "不能为负数"},
		{"not an integer", "S1,,派出所,甲派出所,,12.5,,,\n", 2, "不是整数"},
		{"text figure", "S1,,派出所,甲派出所,,很多,,,\n", 2, "不是整数"},
		{"elderly over population", "S1,,派出所,甲派出所,,100,101,,\n", 2, "老年人 101 多于人口 100"},
		{"minors over population", "S1,,派出所,甲派出所,,100,,101,\n", 2, "未成年人 101 多于人口 100"},
		{"students over population", "S1,,派出所,甲派出所,,100,,,101\n", 2, "学生 101 多于人口 100"},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		root := newCounty(t, d)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				// A good row after the bad one: it must not be stored either.
				rep, err := importBytes(t, d, root, "t.csv", []byte(head+c.body+"GOOD,,派出所,好派出所,,,,,\n"))
				if !errors.Is(err, area.ErrBadRows) {
					t.Fatalf("err %v, report %+v", err, rep)
				}
				found := false
				for _, e := range rep.Errors {
					if e.Row == c.row && strings.Contains(e.Reason, c.want) {
						found = true
					}
				}
				if !found || rep.Stored {
					t.Fatalf("want row %d %q, got %+v", c.row, c.want, rep.Errors)
				}
				if n := countAreas(t, d); n != 1 {
					t.Fatalf("%d areas stored, want only the root", n)
				}
			})
		}
		// All of them at once: every bad row reported, once, in order.
		var body strings.Builder
		body.WriteString(head)
		body.WriteString("S1,,派出所,甲派出所,,,,,\n")      // 2 good
		body.WriteString("T1,NOPE,乡镇街道,甲镇,,,,,\n")   // 3 unknown parent
		body.WriteString("S1,,派出所,乙派出所,,,,,\n")      // 4 duplicate
		body.WriteString("V1,S1,村社区,甲村,,-1,,,\n")    // 5 level order and negative
		body.WriteString("T2,S1,乡镇街道,乙镇,,10,20,,\n") // 6 elderly > population
		rep, err := importBytes(t, d, root, "t.csv", []byte(body.String()))
		if !errors.Is(err, area.ErrBadRows) {
			t.Fatal(err)
		}
		var rows []int
		for _, e := range rep.Errors {
			rows = append(rows, e.Row)
		}
		if !reflect.DeepEqual(rows, []int{3, 4, 5, 6}) {
			t.Fatalf("bad rows %v: %+v", rows, rep.Errors)
		}
		if !strings.Contains(rep.Errors[2].Reason, "级别顺序") || !strings.Contains(rep.Errors[2].Reason, "负数") {
			t.Errorf("row 5 reasons: %s", rep.Errors[2].Reason)
		}
	})
}

func TestImportHeader(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		root := newCounty(t, d)
		_, err := importBytes(t, d, root, "t.csv", []byte("代码,名称\nS1,甲派出所\n"))
		if !errors.Is(err, domain.ErrInvalid) || !strings.Contains(err.Error(), "上级代码") || !strings.Contains(err.Error(), "级别") {
			t.Fatalf("err %v", err)
		}
		_, err = importBytes(t, d, root, "t.csv", []byte(head))
		if !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("header only: %v", err)
		}
	})
}

func TestImportAnyOrderAndKinds(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		root := newCounty(t, d)
		body := head +
			"G1,V1,网格,第1网格,,300,60,50,30\n" +
			"V1,T1,村,白杨坡,白杨；白杨坡村,,,,\n" + // level 村 fixes the kind
			"T1,S1,乡镇街道,金沙街道,,,,,\n" +
			"S1,,station,金沙派出所,金沙所,,,,\n" +
			"V2,T1,village,玉泉社区,,500,100,90,60\n"
		rep, err := importBytes(t, d, root, "t.csv", []byte(body))
		if err != nil {
			t.Fatalf("%v %+v", err, rep.Errors)
		}
		g, v, tw := byCode(t, d, "G1"), byCode(t, d, "V1"), byCode(t, d, "T1")
		if g.FullName != "清河县金沙街道白杨坡第1网格" || g.StationID != byCode(t, d, "S1").ID || g.Kind != "网格" {
			t.Errorf("cell %+v", g)
		}
		if v.Kind != "村" || v.Population != 300 || v.Aliases != "白杨|白杨坡村" {
			t.Errorf("village %+v", v)
		}
		if tw.Kind != "街道" || tw.Population != 800 || tw.Students != 90 {
			t.Errorf("town %+v", tw)
		}
		if x := byCode(t, d, "V2"); x.Kind != "社区" {
			t.Errorf("kind %q", x.Kind)
		}
	})
}

func TestImportUpdatesExistingCodes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		root := newCounty(t, d)
		if _, err := importFile(t, d, root, "county-tree.csv"); err != nil {
			t.Fatal(err)
		}
		rows := testRows()
		for _, r := range rows {
			switch r[0] {
			case "439901100000": // rename the town: its villages' full names follow
				r[3], r[4] = "柳湾新镇", "柳湾；新镇"
			case "439901100201":
				r[4], r[5] = "杏林；杏林坪", "2400"
			}
		}
		rows = append(rows, []string{"439901100205", "439901100000", "村社区", "新渡村", "", "900", "200", "100", "80"})
		rep, err := importBytes(t, d, root, "t.csv", csvBytes(t, rows))
		if err != nil {
			t.Fatalf("%v %+v", err, rep.Errors)
		}
		// Town, village, the new village; the town's and station's sums changed too
		// but only rows whose own values differ count as updated.
		if rep.Created != 1 || rep.Updated != 2 || rep.Unchanged != 27 {
			t.Fatalf("report %+v", rep)
		}
		v := byCode(t, d, "439901100201")
		if v.FullName != "清河县柳湾新镇杏林村" || v.Aliases != "杏林|杏林坪" || v.Population != 2400 || v.Elderly != 612 {
			t.Errorf("village %+v", v)
		}
		if v2 := byCode(t, d, "439901100205"); v2.FullName != "清河县柳湾新镇新渡村" {
			t.Errorf("new village %+v", v2)
		}
		tw := byCode(t, d, "439901100000")
		if tw.Population != 2400+1984+2650+1538+900 {
			t.Errorf("town population %d", tw.Population)
		}
		// A move through an import is refused.
		rows = testRows()
		for _, r := range rows {
			if r[0] == "439901100201" {
				r[1] = "439901200000"
			}
		}
		rep, err = importBytes(t, d, root, "t.csv", csvBytes(t, rows))
		if !errors.Is(err, area.ErrBadRows) || len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Reason, "请在控制台使用「移动」") {
			t.Fatalf("move: %v %+v", err, rep.Errors)
		}
		if n := byCode(t, d, "439901100201"); n.ParentID != tw.ID {
			t.Error("moved by a refused import")
		}
		_ = ctx
	})
}

func TestExportRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		root := newCounty(t, d)
		if _, err := importFile(t, d, root, "county-tree.xlsx"); err != nil {
			t.Fatal(err)
		}
		// A cell and a retired village: the cell goes out, the retired one not.
		if _, err := importBytes(t, d, root, "t.csv", []byte(head+"439901100201-G1,439901100201,网格,杏林第一网格,一网格,800,200,100,60\n")); err != nil {
			t.Fatal(err)
		}
		gone := byCode(t, d, "439901102203")
		if _, err := area.Retire(ctx, d, root, auditor(), gone.ID, fixedNow); err != nil {
			t.Fatal(err)
		}
		want, err := area.ExportRows(ctx, d, root)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) != 1+29 { // header, 29 live nodes (30 - 1 retired)
			t.Fatalf("%d export rows", len(want))
		}
		for _, format := range []string{"csv", "xlsx"} {
			var b bytes.Buffer
			var n int
			if format == "csv" {
				n, err = area.WriteCSV(ctx, d, root, &b)
				if !bytes.HasPrefix(b.Bytes(), []byte("\uFEFF代码,上级代码,级别,名称,别名,人口")) {
					t.Errorf("csv head %q", b.String()[:40])
				}
			} else {
				n, err = area.WriteXLSX(ctx, d, root, &b)
			}
			if err != nil || n != 29 {
				t.Fatalf("%s: %d rows, %v", format, n, err)
			}
			fresh := dbtest.Open(t, d.Dialect)
			froot := newCounty(t, fresh)
			rep, err := importBytes(t, fresh, froot, "export."+format, b.Bytes())
			if err != nil {
				t.Fatalf("%s reimport: %v %+v", format, err, rep.Errors)
			}
			got, err := area.ExportRows(ctx, fresh, froot)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s round trip differs:\n got %v\nwant %v", format, got, want)
			}
			// Same tree: full names and stations too.
			for _, code := range []string{"439901100201-G1", "439901001003", "439901-PCS03"} {
				a, b := byCode(t, d, code), byCode(t, fresh, code)
				if a.FullName != b.FullName || a.Kind != b.Kind || byCodeID(t, d, a.StationID) != byCodeID(t, fresh, b.StationID) {
					t.Errorf("%s: %+v vs %+v", code, a, b)
				}
			}
		}
	})
}

func byCodeID(t *testing.T, d *db.DB, id int64) string {
	t.Helper()
	n, err := area.Get(context.Background(), d, id)
	if err != nil {
		t.Fatal(err)
	}
	return n.Code
}

var fixedNow = time.Date(2026, 12, 5, 6, 0, 0, 0, time.UTC)
