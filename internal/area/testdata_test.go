package area_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/fanzha/fanzha/internal/area"
)

// The made-up county of the testdata (and of the lead's browser test):
// 清河县, code 439901, three stations, six towns, twenty villages and
// communities. Regenerate the files with
//
//	FANZHA_WRITE_TESTDATA=1 go test ./internal/area -run TestWriteTestdata
//
// Stations and towns leave 人口 … empty: their figures become the sums of
// their villages.

const (
	testCountyCode = "439901"
	testCountyName = "清河县"
)

type tVillage struct {
	code, name, aliases        string
	pop, elderly, minors, stud int64
}

type tTown struct {
	code, name, aliases string
	villages            []tVillage
}

type tStation struct {
	code, name, aliases string
	towns               []tTown
}

var testCounty = []tStation{
	{"439901-PCS01", "城南派出所", "城南所", []tTown{
		{"439901001000", "清源街道", "清源；清源街道办事处", []tVillage{
			{"439901001001", "桂香社区", "桂香；桂香小区", 6820, 1190, 1240, 980},
			{"439901001002", "南湖社区", "南湖", 7415, 1302, 1388, 1104},
			{"439901001003", "锦绣社区", "锦绣；锦绣花园", 5960, 877, 1206, 935},
			{"439901001004", "望江社区", "望江；望江楼", 4380, 951, 702, 530},
		}},
		{"439901002000", "文昌街道", "文昌；文昌街道办事处", []tVillage{
			{"439901002001", "书院社区", "书院；书院街", 5210, 1020, 930, 1310},
			{"439901002002", "东关社区", "东关", 4875, 1133, 760, 590},
			{"439901002003", "学府社区", "学府；学府路", 6140, 860, 1422, 1680},
		}},
	}},
	{"439901-PCS02", "河西派出所", "河西所", []tTown{
		{"439901100000", "柳湾镇", "柳湾；柳湾乡", []tVillage{
			{"439901100201", "杏林村", "杏林；杏林村委会", 2316, 612, 388, 241},
			{"439901100202", "荷塘湾村", "荷塘湾；荷塘", 1984, 540, 326, 205},
			{"439901100203", "马家坪村", "马家坪；老马坪", 2650, 701, 452, 298},
			{"439901100204", "渡口铺村", "渡口铺；渡口", 1538, 433, 241, 150},
		}},
		{"439901200000", "杨桥乡", "杨桥", []tVillage{
			{"439901200201", "枫林坳村", "枫林坳；枫林", 1422, 418, 219, 133},
			{"439901200202", "竹园冲村", "竹园冲；竹园", 1276, 390, 187, 120},
			{"439901200203", "高岭村", "高岭；高岭上", 1803, 505, 290, 176},
		}},
	}},
	{"439901-PCS03", "北山派出所", "北山所", []tTown{
		{"439901101000", "松岗镇", "松岗", []tVillage{
			{"439901101201", "茶山坳村", "茶山坳；茶山", 2105, 588, 342, 214},
			{"439901101202", "龙潭寺村", "龙潭寺", 2467, 640, 401, 262},
			{"439901101203", "石桥铺村", "石桥铺", 1890, 522, 300, 188},
		}},
		{"439901102000", "白石镇", "白石；白石乡", []tVillage{
			{"439901102201", "青龙岗村", "青龙岗", 2233, 610, 371, 236},
			{"439901102202", "凤鸣村", "凤鸣；凤鸣村委会", 1760, 496, 280, 174},
			{"439901102203", "大塘坪村", "大塘坪；大塘", 2044, 571, 333, 209},
		}},
	}},
}

// testRows is the county as import rows (header first). Stations name the
// county's code as their parent; towns and stations leave the figures empty.
func testRows() [][]string {
	rows := [][]string{{"代码", "上级代码", "级别", "名称", "别名", "人口", "老年人", "未成年人", "学生"}}
	for _, st := range testCounty {
		rows = append(rows, []string{st.code, testCountyCode, "派出所", st.name, st.aliases, "", "", "", ""})
		for _, tw := range st.towns {
			rows = append(rows, []string{tw.code, st.code, "乡镇街道", tw.name, tw.aliases, "", "", "", ""})
			for _, v := range tw.villages {
				rows = append(rows, []string{v.code, tw.code, "村社区", v.name, v.aliases, strconv.FormatInt(v.pop, 10),
					strconv.FormatInt(v.elderly, 10), strconv.FormatInt(v.minors, 10), strconv.FormatInt(v.stud, 10)})
			}
		}
	}
	return rows
}

// badRows is testRows with one bad row: a village whose town does not
// exist (row 20 of the file).
func badRows() ([][]string, int) {
	rows := testRows()
	const at = 19 // 0-based: row 20 of the file
	bad := []string{"439901300201", "439901300000", "村社区", "月亮湾村", "月亮湾", "1200", "300", "200", "100"}
	rows = append(rows[:at], append([][]string{bad}, rows[at:]...)...)
	return rows, at + 1
}

func csvBytes(t testing.TB, rows [][]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gbkBytes(t testing.TB, rows [][]string) []byte {
	t.Helper()
	out, err := simplifiedchinese.GBK.NewEncoder().Bytes(csvBytes(t, rows))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func xlsxBytes(t testing.TB, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "辖区树"); err != nil {
		t.Fatal(err)
	}
	for i, row := range rows {
		vals := make([]any, len(row))
		for k, v := range row {
			vals[k] = v
			if n, err := strconv.ParseInt(v, 10, 64); err == nil && i > 0 && k >= 5 {
				vals[k] = n
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("辖区树", cell, &vals); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestWriteTestdata writes the committed testdata files (only when asked),
// and otherwise checks they are what the generator writes.
func TestWriteTestdata(t *testing.T) {
	bad, _ := badRows()
	files := map[string][]byte{
		"county-tree.csv":         csvBytes(t, testRows()),
		"county-tree-bad-gbk.csv": gbkBytes(t, bad),
	}
	if os.Getenv("FANZHA_WRITE_TESTDATA") != "" {
		files["county-tree.xlsx"] = xlsxBytes(t, testRows())
		for name, b := range files {
			if err := os.WriteFile(filepath.Join("testdata", name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("testdata/%s differs from the generator: run FANZHA_WRITE_TESTDATA=1 go test ./internal/area -run TestWriteTestdata", name)
		}
	}
	if _, err := os.Stat(filepath.Join("testdata", "county-tree.xlsx")); err != nil {
		t.Error(err)
	}
}

// villageCount is 20, as the acceptance test wants.
func TestTestCountyShape(t *testing.T) {
	towns, villages := 0, 0
	names := map[string]bool{}
	for _, st := range testCounty {
		for _, tw := range st.towns {
			towns++
			for _, v := range tw.villages {
				villages++
				if names[v.name] {
					t.Errorf("village %s twice", v.name)
				}
				names[v.name] = true
				if got := area.KindFor(area.Village, v.name); got == "" {
					t.Errorf("no kind for %s", v.name)
				}
			}
		}
	}
	if len(testCounty) != 3 || towns != 6 || villages != 20 {
		t.Fatalf("county has %d stations, %d towns, %d villages; want 3, 6, 20", len(testCounty), towns, villages)
	}
}
