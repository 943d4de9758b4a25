package funds

// Chinese names of the codes stored in the case tables.
var (
	caseStatuses = map[string]string{"open": "新立", "investigating": "侦办中", "solved": "已破案", "closed": "已结案"}
	channels     = map[string]string{"mobile_banking": "手机银行", "bank_transfer": "网银转账", "counter": "柜面", "atm": "ATM",
		"alipay": "支付宝", "wechat": "微信"}
	occupations = map[string]string{"retired": "退休", "student": "学生", "enterprise": "企业职工", "farmer": "农民",
		"unemployed": "无业", "civil_servant": "公职人员", "self_employed": "个体", "other": "其他"}
)

// CaseStatusName is the Chinese name of a case status (cases.status).
func CaseStatusName(s string) string { return nameOr(caseStatuses, s) }

// ChannelName is the Chinese name of a losing transfer's channel
// (case_transfers.channel).
func ChannelName(c string) string { return nameOr(channels, c) }

// OccupationName is the Chinese name of a victim's occupation
// (victims.occupation).
func OccupationName(o string) string { return nameOr(occupations, o) }

// nameOr is m[k], or k itself when m has no name for it.
func nameOr(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return v
	}
	return k
}
