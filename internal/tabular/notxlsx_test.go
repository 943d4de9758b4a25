package tabular

import (
	"strings"
	"testing"
)

// A file named .xlsx that is not a workbook is refused in Chinese, without
// the zip library's English (「zip: not a valid zip file」).
func TestNotAWorkbookSaysSoInChinese(t *testing.T) {
	_, err := Open("流水.xlsx", strings.NewReader("交易卡号,交易金额\n6222,100\n"))
	if err == nil {
		t.Fatal("a CSV named .xlsx opened as a workbook")
	}
	if msg := err.Error(); strings.Contains(msg, "zip") || !strings.Contains(msg, "不是 .xlsx") {
		t.Fatalf("message %q", msg)
	}
}
