package partner

import "strings"

// BankName is a bank's everyday name, which its county branches carry:
// 中国工商银行 → 工商银行, but 中国银行 stays 中国银行.
func BankName(bank string) string {
	bank = strings.TrimSpace(bank)
	if short := strings.TrimPrefix(bank, "中国"); short != "银行" {
		return short
	}
	return bank
}

// IsUnitOfBank reports whether a member unit's name is that of a branch of
// the bank: "工商银行云溪支行" of 中国工商银行, "中国银行云溪支行" of 中国银行 —
// never every unit whose name merely contains 银行.
func IsUnitOfBank(unitName, bank string) bool {
	bank = strings.TrimSpace(bank)
	if bank == "" {
		return false
	}
	return strings.HasPrefix(unitName, bank) || strings.HasPrefix(unitName, BankName(bank))
}
