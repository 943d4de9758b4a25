// Package fraudtype holds the one fraud taxonomy used everywhere in fanzha
// (warnings, cases, prevention, bulletins), following the public-security
// categories of telecom and online fraud, plus the types seen locally; the
// text classifier (one shared instance, Serving) and the officers' labels
// it is retrained on (labels.go).
package fraudtype

// Code is the stable identifier of a fraud type, stored in the database.
type Code string

// The taxonomy. Codes are stable: they are stored in records and files.
const (
	Rebate          Code = "rebate"           // 刷单返利
	Investment      Code = "investment"       // 虚假网络投资理财 (incl. 杀猪盘)
	Loan            Code = "loan"             // 虚假网络贷款
	CustomerService Code = "customer_service" // 冒充电商物流客服
	Police          Code = "police"           // 冒充公检法
	Credit          Code = "credit"           // 虚假征信
	Shopping        Code = "shopping"         // 虚假购物服务
	Game            Code = "game"             // 网络游戏产品虚假交易
	Romance         Code = "romance"          // 网络婚恋交友
	Boss            Code = "boss"             // 冒充领导熟人
	HealthCare      Code = "health"           // 保健品/养老
	PartTime        Code = "parttime"         // 网络兼职
	OverseasJob     Code = "overseas_job"     // 境外务工
	AIFace          Code = "ai_face"          // AI换脸
	ScreenShare     Code = "screen_share"     // 共享屏幕
	Other           Code = "other"            // 其他
)

// Type describes one fraud type.
type Type struct {
	Code       Code
	Name       string // Chinese name shown in the console and bulletins
	NameEN     string
	Definition string // one-line definition in Chinese
	// Phrases are typical wordings of the type, as victims and warnings
	// report them: shown to officers beside a suggestion, used in
	// prevention material, and the seed of the classifier's rules.
	Phrases []string
}

var all = []Type{
	{Rebate, "刷单返利", "Order-brushing rebate", "以刷单、点赞、做任务返佣金为名，先小额返利再诱导大额垫付",
		[]string{"刷单", "点赞关注返佣金", "做任务", "先垫付后返还", "连单", "任务未完成无法提现"}},
	{Investment, "虚假网络投资理财", "Fake online investment", "诱导在虚假平台投资股票、外汇、虚拟币等，含以婚恋为饵的“杀猪盘”",
		[]string{"带你炒股", "内幕消息", "稳赚不赔", "投资平台充值", "导师带单", "提现要交税"}},
	{Loan, "虚假网络贷款", "Fake online loan", "以无抵押、低息贷款为饵，收取手续费、保证金、解冻费",
		[]string{"无抵押低息贷款", "不看征信", "银行卡号填错资金冻结", "解冻费", "保证金", "刷流水"}},
	{CustomerService, "冒充电商物流客服", "Fake e-commerce/logistics service", "冒充电商、快递客服，以退款、理赔、关闭百万保障等为由转账",
		[]string{"百万保障", "商品质量问题理赔", "快递丢失赔偿", "关闭会员自动扣费", "备用金", "航班取消改签"}},
	{Police, "冒充公检法", "Impersonating police/procuratorate/court", "冒充公安、检察院、法院等，称涉嫌洗钱等犯罪，要求转入“安全账户”",
		[]string{"涉嫌洗钱", "安全账户", "资金清查", "通缉令", "下载会议软件配合调查", "不得告诉他人"}},
	{Credit, "虚假征信", "Fake credit record", "称征信有污点、学生贷需注销，诱导贷款后转账",
		[]string{"注销校园贷", "学生账户", "影响征信", "征信修复", "把额度取出来清零"}},
	{Shopping, "虚假购物服务", "Fake shopping/service", "以低价商品、代购、办证等服务为饵收款不发货",
		[]string{"低价转让", "代购", "先付定金", "不走平台私下交易", "代办证件包过"}},
	{Game, "网络游戏产品虚假交易", "Fake game-item trade", "以买卖游戏账号、装备、游戏币为名诈骗，多针对学生",
		[]string{"出售游戏账号", "低价装备", "免费领皮肤", "交易账户冻结", "解冻费"}},
	{Romance, "网络婚恋交友", "Online dating", "以婚恋交友建立感情后以各种理由索要钱财",
		[]string{"网恋", "婚恋网站", "想和你结婚", "家人生病借钱", "回国机票费用"}},
	{Boss, "冒充领导熟人", "Impersonating boss/acquaintance", "冒充领导、亲友、老师，以急需用钱为由要求转账",
		[]string{"我是你领导", "换了新号码", "明天到我办公室", "帮我先转一下", "出事了急需用钱", "别告诉家里人"}},
	{HealthCare, "保健品/养老诈骗", "Health products/elderly care", "以保健品、养老项目、以房养老等名义骗取老年人钱财",
		[]string{"免费健康讲座", "保健品包治百病", "以房养老", "养老项目高收益"}},
	{PartTime, "网络兼职", "Online part-time job", "以高薪兼职为名收取押金、会费或诱导刷单",
		[]string{"网络兼职", "日结高薪", "先交押金", "培训费", "会员费"}},
	{OverseasJob, "境外务工", "Overseas job", "以高薪境外务工为饵，骗取费用或诱骗出境",
		[]string{"境外高薪", "包吃包住", "机票报销", "安排出境"}},
	{AIFace, "AI换脸拟声", "AI face/voice swap", "利用AI换脸、拟声冒充熟人视频通话骗取钱财",
		[]string{"视频里是熟人", "AI换脸", "声音一模一样", "视频后借钱"}},
	{ScreenShare, "共享屏幕", "Screen sharing", "诱导开启屏幕共享，窃取验证码、银行卡信息后转走资金",
		[]string{"屏幕共享", "共享屏幕", "远程协助", "验证码不用告诉我"}},
	{Other, "其他", "Other", "其他类型的电信网络诈骗",
		[]string{"中奖要交税", "ETC认证", "积分兑换链接"}},
}

var byCode = func() map[Code]Type {
	m := make(map[Code]Type, len(all))
	for _, t := range all {
		m[t.Code] = t
	}
	return m
}()

// All returns the taxonomy in its display order.
func All() []Type {
	out := make([]Type, len(all))
	copy(out, all)
	for i := range out {
		out[i].Phrases = append([]string(nil), all[i].Phrases...)
	}
	return out
}

// Lookup returns the type with the given code.
func Lookup(c Code) (Type, bool) {
	t, ok := byCode[c]
	return t, ok
}

// Valid reports whether c is a code of the taxonomy.
func Valid(c Code) bool {
	_, ok := byCode[c]
	return ok
}

// Name returns the Chinese name of a code, or the code itself when unknown,
// and "" for the empty code.
func Name(c Code) string {
	if c == "" {
		return ""
	}
	if t, ok := byCode[c]; ok {
		return t.Name
	}
	return string(c)
}

// Parse accepts a code or a Chinese name (as found in uploads) and returns
// the code.
func Parse(s string) (Code, bool) {
	if t, ok := byCode[Code(s)]; ok {
		return t.Code, true
	}
	for _, t := range all {
		if t.Name == s {
			return t.Code, true
		}
	}
	return "", false
}

// Phrases returns the typical phrases of a type (nil for an unknown code).
func Phrases(c Code) []string {
	t, ok := byCode[c]
	if !ok {
		return nil
	}
	out := make([]string, len(t.Phrases))
	copy(out, t.Phrases)
	return out
}
