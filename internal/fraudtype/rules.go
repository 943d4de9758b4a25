package fraudtype

// Rule is an explicit high-precision rule: when every one of its phrases
// occurs in the normalised text, the text is a scam of type Type. Rules
// exist for wordings that no legitimate message uses ("安全账户", "百万保障"),
// so that such a text is flagged even when the statistical model has never
// seen the rest of its wording.
type Rule struct {
	Name    string   // short identifier reported in predictions
	Type    Code     // the fraud type the rule votes for
	Phrases []string // all must occur (normalised, simplified Chinese)
}

// ruleBoost is added to the log-odds of a rule's type. It is large enough to
// make a rule's type win over a model that is merely unsure, but a model
// with strong evidence for a sibling type (a police impersonation that also
// mentions screen sharing) can still overrule it.
const ruleBoost = 4

// Rules are checked in this order; several may fire on one text. Treat the
// list as read-only: the classifier compiles its phrases at start-up.
var Rules = []Rule{
	{"safe-account", Police, []string{"安全账户"}},
	{"fund-clearance", Police, []string{"资金清查"}},
	{"fund-check-case", Police, []string{"资金核查", "案"}},
	{"wanted-order", Police, []string{"通缉令"}},
	{"arrest-warrant", Police, []string{"逮捕令"}},
	{"money-laundering-suspect", Police, []string{"涉嫌洗钱"}},
	{"million-protection", CustomerService, []string{"百万保障"}},
	{"lost-parcel-claim", CustomerService, []string{"快递", "丢失", "理赔", "转"}},
	{"loan-unfreeze-fee", Loan, []string{"贷款", "解冻"}},
	{"loan-card-number-error", Loan, []string{"放款", "卡号", "错误"}},
	{"loan-deposit", Loan, []string{"贷款", "保证金"}},
	{"loan-turnover", Loan, []string{"贷", "刷流水"}},
	{"cancel-student-loan", Credit, []string{"注销", "校园贷"}},
	{"cancel-student-account", Credit, []string{"注销", "学生账户"}},
	{"credit-repair", Credit, []string{"征信", "修复"}},
	{"guess-who", Boss, []string{"猜猜我是谁"}},
	{"come-to-my-office", Boss, []string{"到我办公室"}},
	{"order-brushing", Rebate, []string{"刷单"}},
	{"like-for-commission", Rebate, []string{"点赞", "佣金"}},
	{"task-commission", Rebate, []string{"做任务", "佣金"}},
	{"pig-butchering", Investment, []string{"杀猪盘"}},
	{"inside-tip-stock", Investment, []string{"内幕消息", "股"}},
	{"screen-share", ScreenShare, []string{"屏幕共享"}},
	{"share-screen", ScreenShare, []string{"共享屏幕"}},
	{"face-swap", AIFace, []string{"换脸"}},
	{"game-account-unfreeze", Game, []string{"游戏", "账号", "解冻"}},
	{"overseas-high-pay", OverseasJob, []string{"境外", "高薪"}},
	{"part-time-deposit", PartTime, []string{"兼职", "押金"}},
	{"reverse-mortgage", HealthCare, []string{"以房养老"}},
}

// preventionCues mark texts that warn about a scam rather than run one:
// police bulletins and bank reminders quote the very phrases the rules look
// for ("公安机关不会要求转账到安全账户"). When one occurs, rules stay silent
// and the model alone decides.
var preventionCues = []string{"谨防", "警惕", "提防", "防骗", "防范", "切勿", "不要相信", "都是诈骗", "均为诈骗", "就是诈骗", "是诈骗", "不会要求", "从不", "反诈宣传"}
