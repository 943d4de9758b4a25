// Package fraudtype holds the one fraud taxonomy used everywhere in fanzha
// (warnings, cases, prevention, bulletins), following the public-security
// categories of telecom and online fraud, plus the types seen locally.
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
}

var all = []Type{
	{Rebate, "刷单返利", "Order-brushing rebate", "以刷单、点赞、做任务返佣金为名，先小额返利再诱导大额垫付"},
	{Investment, "虚假网络投资理财", "Fake online investment", "诱导在虚假平台投资股票、外汇、虚拟币等，含以婚恋为饵的“杀猪盘”"},
	{Loan, "虚假网络贷款", "Fake online loan", "以无抵押、低息贷款为饵，收取手续费、保证金、解冻费"},
	{CustomerService, "冒充电商物流客服", "Fake e-commerce/logistics service", "冒充电商、快递客服，以退款、理赔、关闭百万保障等为由转账"},
	{Police, "冒充公检法", "Impersonating police/procuratorate/court", "冒充公安、检察院、法院等，称涉嫌洗钱等犯罪，要求转入“安全账户”"},
	{Credit, "虚假征信", "Fake credit record", "称征信有污点、学生贷需注销，诱导贷款后转账"},
	{Shopping, "虚假购物服务", "Fake shopping/service", "以低价商品、代购、办证等服务为饵收款不发货"},
	{Game, "网络游戏产品虚假交易", "Fake game-item trade", "以买卖游戏账号、装备、游戏币为名诈骗，多针对学生"},
	{Romance, "网络婚恋交友", "Online dating", "以婚恋交友建立感情后以各种理由索要钱财"},
	{Boss, "冒充领导熟人", "Impersonating boss/acquaintance", "冒充领导、亲友、老师，以急需用钱为由要求转账"},
	{HealthCare, "保健品/养老诈骗", "Health products/elderly care", "以保健品、养老项目、以房养老等名义骗取老年人钱财"},
	{PartTime, "网络兼职", "Online part-time job", "以高薪兼职为名收取押金、会费或诱导刷单"},
	{OverseasJob, "境外务工", "Overseas job", "以高薪境外务工为饵，骗取费用或诱骗出境"},
	{AIFace, "AI换脸拟声", "AI face/voice swap", "利用AI换脸、拟声冒充熟人视频通话骗取钱财"},
	{ScreenShare, "共享屏幕", "Screen sharing", "诱导开启屏幕共享，窃取验证码、银行卡信息后转走资金"},
	{Other, "其他", "Other", "其他类型的电信网络诈骗"},
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
