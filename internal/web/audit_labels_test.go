package web

import (
	"strings"
	"testing"
)

// The audit page shows what the log stores in Chinese: object types and
// setting keys by label, the words of a detail from the dictionary, quoted
// values marked as data.
func TestAuditTextInChinese(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"outcome false_alarm", "结果 误报"},
		{"sent freeze case 602 account 6222****2333", "已发送 冻结 案件 602 账户 6222****2333"},
		{"role dissuader area 3", `角色 <span translate="no">dissuader</span> 辖区 3`},
	} {
		if got := string(AuditDetailText(tc.in)); got != tc.want {
			t.Errorf("auditDetailText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := AuditObjectText("roster_pattern", "68"); got != "排班规则 68" {
		t.Errorf("object %q", got)
	}
	if got := AuditObjectText("setting", "security.totp_required"); !strings.HasPrefix(got, "系统设置 ") || strings.Contains(got, "totp") {
		t.Errorf("setting object %q", got)
	}
}
