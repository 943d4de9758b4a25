package funds

import "strings"

// cardBINs maps the first six digits of widely issued debit cards (the
// issuer identification number printed on every card) to the issuing
// bank, for accounts whose bank a statement does not name. The list is
// short on purpose: a wrong bank sends a freeze to the wrong place, so an
// unknown prefix gives "" and the investigator chooses the bank.
var cardBINs = map[string]string{
	"622202": "中国工商银行", "622208": "中国工商银行", "621226": "中国工商银行", "621225": "中国工商银行",
	"622848": "中国农业银行", "622845": "中国农业银行", "622827": "中国农业银行", "623052": "中国农业银行",
	"621661": "中国银行", "621660": "中国银行", "621663": "中国银行", "621790": "中国银行",
	"621700": "中国建设银行", "622700": "中国建设银行", "621081": "中国建设银行", "621467": "中国建设银行",
	"621799": "中国邮政储蓄银行", "622188": "中国邮政储蓄银行", "621098": "中国邮政储蓄银行", "622150": "中国邮政储蓄银行",
	"622260": "交通银行", "622262": "交通银行", "601428": "交通银行",
	"621483": "招商银行", "622588": "招商银行", "621286": "招商银行", "622609": "招商银行",
	"621539": "湖南农村信用社", "622169": "湖南农村信用社",
}

// CardBank returns the issuing bank of a card number from its first six
// digits, or "" when the prefix is not in the table.
func CardBank(number string) string {
	n := strings.ReplaceAll(strings.TrimSpace(number), " ", "")
	if len(n) < 16 {
		return ""
	}
	return cardBINs[n[:6]]
}
