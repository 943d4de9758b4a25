package web

import (
	"testing"
	"time"
)

func TestFormatting(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 4199865: "4,199,865", -1234567: "-1,234,567"} {
		if got := Thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
	// 万元: fen / 1,000,000 with two decimals, rounded half away from zero.
	for fen, want := range map[int64]string{0: "0.00", 4999: "0.00", 5000: "0.01", 1000000: "1.00", 11143300049: "11,143.30", 11143305000: "11,143.31", -15000: "-0.02"} {
		if got := Wan(fen); got != want {
			t.Errorf("wan(%d) = %q, want %q", fen, got, want)
		}
	}
	if AuditActionName("unmask") != "查看完整号码" || AuditActionName("login_failed") != "登录失败" || AuditActionName("other") != "other" {
		t.Error("audit action names")
	}
	if got := Local(time.Date(2026, 1, 31, 17, 30, 0, 0, time.UTC)); got != "2026-02-01 01:30" {
		t.Errorf("local time in Shanghai: %s", got)
	}
}
