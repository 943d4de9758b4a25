package partner

import "testing"

func TestIsUnitOfBank(t *testing.T) {
	for _, c := range []struct {
		unit, bank string
		want       bool
	}{
		{"工商银行云溪支行", "中国工商银行", true},
		{"工商银行云溪支行", "工商银行", true},
		{"中国银行云溪支行", "中国银行", true},
		{"工商银行云溪支行", "中国银行", false}, // 中国银行 is not "银行"
		{"建设银行云溪支行", "中国工商银行", false},
		{"工商银行云溪支行", "", false},
		{"湖南农村信用社云溪支行", "湖南农村信用社", true},
	} {
		if got := IsUnitOfBank(c.unit, c.bank); got != c.want {
			t.Errorf("IsUnitOfBank(%q, %q) = %v, want %v", c.unit, c.bank, got, c.want)
		}
	}
	if BankName("中国银行") != "中国银行" || BankName("中国邮政储蓄银行") != "邮政储蓄银行" {
		t.Error("BankName")
	}
}
