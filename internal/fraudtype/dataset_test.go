package fraudtype

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// devDataDir returns the development split of Telecom_Fraud_Texts_5 beside
// the repository, or skips the test when it is absent. FANZHA_DATA_DIR
// overrides the location.
func devDataDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("FANZHA_DATA_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "data", "telecom-fraud-texts-5")
	}
	if _, err := os.Stat(filepath.Join(dir, "label00-last.csv")); err != nil {
		t.Skipf("evaluation data not found at %s (set FANZHA_DATA_DIR); skipping", dir)
	}
	return dir
}

func TestParseLabel(t *testing.T) {
	cases := map[string]string{
		"0": Normal, "正常": Normal, " normal ": Normal,
		"冒充公检法及政府机关类": string(Police), "贷款、代办信用卡类": string(Loan),
		"冒充客服服务": string(CustomerService), "冒充领导、熟人类": string(Boss),
		"police": string(Police), "虚假征信": string(Credit), "刷单返利": string(Rebate),
	}
	for in, want := range cases {
		if got, ok := ParseLabel(in); !ok || got != want {
			t.Errorf("ParseLabel(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := ParseLabel("诈骗"); ok {
		t.Error("accepted an unknown label")
	}
}

func TestReadDirUTF8AndGBK(t *testing.T) {
	dir := t.TempDir()
	utf := "content,label\n我是你领导，明天来我办公室,冒充领导、熟人类\n\"含有,逗号的\"\"引号\"\"文本\",0\n"
	if err := os.WriteFile(filepath.Join(dir, "a.csv"), []byte(utf), 0o644); err != nil {
		t.Fatal(err)
	}
	gbk, err := simplifiedchinese.GBK.NewEncoder().String("content,label\n您的快递丢失可以理赔,冒充客服服务\n,0\n今天开会,正常\n")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "b.csv"), []byte(gbk), 0o644); err != nil {
		t.Fatal(err)
	}
	ex, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []Example{
		{"我是你领导，明天来我办公室", string(Boss)},
		{"含有,逗号的\"引号\"文本", Normal},
		{"您的快递丢失可以理赔", string(CustomerService)},
		{"今天开会", Normal},
	}
	if len(ex) != len(want) {
		t.Fatalf("read %d examples %v, want %d", len(ex), ex, len(want))
	}
	for i := range want {
		if ex[i] != want[i] {
			t.Errorf("example %d = %+v, want %+v", i, ex[i], want[i])
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "c.csv"), []byte("content,label\n文本,不知道\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadDir(dir); err == nil {
		t.Error("an unknown label was accepted")
	}
}

func TestSplit(t *testing.T) {
	src := t.TempDir()
	var rows string
	for i := range 10 {
		rows += "第" + string(rune('0'+i)) + "条消息,0\n"
	}
	if err := os.WriteFile(filepath.Join(src, "n.csv"), []byte("content,label\n"+rows), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	n, err := Split(src, out, 0.8, 1)
	if err != nil {
		t.Fatal(err)
	}
	if n.Train != 8 || n.Test != 2 {
		t.Fatalf("split %+v, want 8/2", n)
	}
	train, _ := ReadDir(filepath.Join(out, "train"))
	test, _ := ReadDir(filepath.Join(out, "test"))
	seen := map[string]bool{}
	for _, ex := range append(train, test...) {
		if seen[ex.Text] {
			t.Errorf("%q on both sides", ex.Text)
		}
		seen[ex.Text] = true
	}
	if len(seen) != 10 {
		t.Errorf("%d distinct rows after split", len(seen))
	}
	// Never inside a repository.
	repo := t.TempDir()
	os.Mkdir(filepath.Join(repo, ".git"), 0o755)
	if _, err := Split(src, filepath.Join(repo, "x"), 0.8, 1); err == nil {
		t.Error("split wrote inside a Git working tree")
	}
}

func TestEvaluateCountsCreditAsLoan(t *testing.T) {
	// A model trained on a handful of texts, to test the scoring logic only.
	ex := []Example{
		{"贷款需要先交保证金和解冻费", string(Loan)},
		{"无抵押贷款当天放款先交手续费", string(Loan)},
		{"校园贷要注销不然影响征信", string(Credit)},
		{"征信有逾期记录可以帮你修复", string(Credit)},
		{"今天晚上一起吃饭吧", Normal},
		{"您的快递已到驿站请取件", Normal},
	}
	opt := DefaultTrainOptions()
	opt.Epochs = 30
	m, err := Train(ex, opt)
	if err != nil {
		t.Fatal(err)
	}
	eval := []Example{
		{"学生时期的校园贷账户需要注销，否则影响征信", string(Loan)},
		{"晚上一起去吃饭", Normal},
	}
	res, err := Evaluate(New(m), eval)
	if err != nil {
		t.Fatal(err)
	}
	if res.Accuracy != 1 || res.MacroF1 != 1 || len(res.Classes) != 2 {
		t.Fatalf("a credit prediction of a loan-class text should count as loan: %+v", res)
	}
}

// TestShippedModelOnDevData evaluates the shipped model on the development
// split of the public set, when present. The model never saw these texts:
// it was trained on the project corpus only.
func TestShippedModelOnDevData(t *testing.T) {
	dir := devDataDir(t)
	if testing.Short() {
		t.Skip("evaluating 8,000 texts")
	}
	ex, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Evaluate(shippedClassifier(t), ex)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("shipped model on %s: macro-F1 %.4f, accuracy %.4f, scam F1 %.4f", dir, res.MacroF1, res.Accuracy, res.Scam.F1)
	if res.MacroF1 < 0.85 {
		t.Errorf("shipped model macro-F1 %.4f < 0.85 on the development split", res.MacroF1)
	}
}
