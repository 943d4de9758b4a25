package fraudtype

import (
	"strings"
	"unicode"
)

// synonyms is the maintained list of the names banks, operators, upper
// centres and officers use for each type of the taxonomy. A sender's
// 诈骗类型 is matched against the code, the Chinese name and these names,
// after folding (full width, traditional characters, case, spaces and
// punctuation) and dropping a trailing 诈骗/类/案/型. Add a name here when a
// sender's wording lands in 其他 with the note 「诈骗类型…不在分类表中」.
var synonyms = map[Code][]string{
	Rebate: {"刷单", "刷单返利类", "网络刷单", "刷单返利诈骗", "点赞返利", "做任务返利", "刷单返佣",
		"网络刷单返利", "兼职刷单"},
	Investment: {"虚假投资理财", "投资理财", "虚假投资", "网络投资理财", "虚假网络投资", "杀猪盘", "投资",
		"理财", "炒股", "荐股", "虚拟币投资", "虚假理财", "网络投资", "投资理财类", "虚假投资理财类"},
	Loan: {"贷款", "虚假贷款", "网络贷款", "网贷", "虚假网贷", "无抵押贷款", "贷款类"},
	CustomerService: {"冒充客服", "冒充电商客服", "冒充物流客服", "冒充电商物流客服类", "冒充快递客服",
		"虚假客服", "客服退款", "冒充客服退款", "冒充购物客服", "冒充电商物流"},
	Police: {"冒充公检法类", "冒充公安", "冒充警察", "冒充检察院", "冒充法院", "冒充公检法机关",
		"公检法", "冒充政府机关", "冒充公检法及政府机关"},
	Credit:      {"征信", "虚假征信类", "注销校园贷", "征信修复", "注销网贷", "消除不良征信"},
	Shopping:    {"虚假购物", "网络购物", "购物", "虚假购物服务类", "代购", "虚假服务", "低价购物"},
	Game:        {"游戏", "游戏交易", "网络游戏", "虚假游戏交易", "游戏装备交易", "游戏账号交易", "网络游戏虚假交易"},
	Romance:     {"婚恋", "婚恋交友", "网络交友", "交友", "网恋", "网络婚恋"},
	Boss:        {"冒充领导", "冒充熟人", "冒充亲友", "冒充领导熟人类", "冒充老师", "冒充熟人领导"},
	HealthCare:  {"保健品", "养老", "养老诈骗", "保健品诈骗", "以房养老", "养老服务"},
	PartTime:    {"兼职", "网络兼职类", "虚假兼职"},
	OverseasJob: {"境外务工类", "出境务工", "海外务工", "境外高薪招聘"},
	AIFace:      {"AI换脸", "AI拟声", "换脸", "AI换脸拟声类", "人工智能换脸", "深度伪造"},
	ScreenShare: {"屏幕共享", "共享屏幕类", "远程控制", "远程协助"},
	Other:       {"其它", "其他类型", "其他诈骗"},
}

// bySynonym maps a folded name (code, Chinese name or synonym) to its type.
var bySynonym = func() map[string]Code {
	m := map[string]Code{}
	add := func(s string, c Code) {
		k := foldName(s)
		if k == "" {
			return
		}
		if old, ok := m[k]; ok && old != c {
			panic("fraudtype: synonym " + s + " names two types: " + string(old) + ", " + string(c))
		}
		m[k] = c
	}
	for _, t := range all {
		add(string(t.Code), t.Code)
		add(t.Name, t.Code)
		add(t.NameEN, t.Code)
	}
	for c, names := range synonyms {
		for _, s := range names {
			add(s, c)
		}
	}
	return m
}()

// foldName reduces a type name to its comparable form: folded runes without
// spaces or punctuation, a trailing 诈骗/类/案/型 dropped.
func foldName(s string) string {
	var b strings.Builder
	for _, r := range s {
		r = fold(r)
		if r < 0 || unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) {
			continue
		}
		b.WriteRune(r)
	}
	k := b.String()
	for changed := true; changed; {
		changed = false
		for _, suf := range []string{"诈骗案件", "诈骗案", "诈骗", "案件", "类型", "类", "案", "型"} {
			if strings.HasSuffix(k, suf) && len(k) > len(suf) {
				k, changed = strings.TrimSuffix(k, suf), true
				break
			}
		}
	}
	return k
}

// Resolve maps a sender's fraud-type name to the taxonomy: a code, the
// Chinese name, or one of the names banks, operators and upper centres use
// (Synonyms). ok is false when the name is none of them; callers then ask
// the classifier or keep the record as 其他 with a note — never drop it.
func Resolve(s string) (Code, bool) {
	if c, ok := Parse(s); ok {
		return c, true
	}
	c, ok := bySynonym[foldName(s)]
	return c, ok
}

// Synonyms returns the names accepted for a type besides its code and
// Chinese name (a copy; nil for an unknown code).
func Synonyms(c Code) []string {
	names, ok := synonyms[c]
	if !ok {
		return nil
	}
	return append([]string(nil), names...)
}
