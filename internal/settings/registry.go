// Package settings is the registry of the settings a centre edits in the
// console (系统设置): warning deadlines per grade, stop-payment and freeze
// terms, the points of the warning score, the escalation webhooks and the
// daily bulletin's schedule. Each setting has a key, a Chinese label and
// explanation, a default and a validation; the value in force comes from,
// in this order, a start-up flag (命令行/环境变量: --deadlines,
// --freeze-terms, --escalation-webhook, --webhook-secret, or their FANZHA_*
// variables), the value stored in the console, or the default.
//
// Stored values live in the key/value settings table with who stored them
// and when; every change is audited with its old and new value and bumps
// the settings generation counter (db.GenSettings) in the same transaction,
// so intake, the workers and other replicas follow without a restart.
package settings

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/assess"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/bulletin"
	"github.com/fanzha/fanzha/internal/dissuade"
	"github.com/fanzha/fanzha/internal/fraudtype"
	"github.com/fanzha/fanzha/internal/instruction"
	"github.com/fanzha/fanzha/internal/investigation"
	"github.com/fanzha/fanzha/internal/notify"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/zone"
)

// Group is a section of the settings page.
type Group struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Note  string `json:"note"`
}

// Groups of the settings page, in page order.
var Groups = []Group{
	{"deadlines", "处置时限", "预警从接收到首次联系、到落地核查的时限；超时即升级到中心值班并推送通知。修改后下一条预警即按新时限计算，已接收的预警保持接收时的时限。"},
	{"freeze", "止付冻结期限", "依据《反电信网络诈骗法》及公安机关电信网络诈骗涉案资金紧急止付、快速冻结的规定：紧急止付期限为 48 小时，冻结期限最长 6 个月（期满可续冻）。此处期限不得超过法定期限；提醒在期限届满前发给承办民警和通知渠道。"},
	{"score", "预警评分", "评分决定值班台和劝阻员队列的处置顺序：各项分值相加，分高者先处置。默认分值保证资金预警总排在未涉及资金的高危预警之前；修改后下一条预警即按新分值评分，已有预警的分数不变。"},
	{"webhooks", "升级通知", "处置超时、成员单位逾期未答复、止付冻结到期提醒、值班缺岗提醒发往这些地址（企业微信、钉钉群机器人或 JSON 接口）。每次检查时读取，修改后立即生效。"},
	{"bulletin", "每日通报", "每天在设定时刻（北京时间）生成前一天的全县及各派出所通报；服务停机错过时刻的，在下次启动后补生成，不会重复。"},
	{"investigation", "办案审批", "勾选的办案环节提交后须经领导（或本所所长）审批才生效：审批通过按申请时填写的日期生效，退回的须写明理由，可修改后重新申请。"},
	{"instructions", "上级指令与回访", "上级（部、省、市、县）反诈中心及银行、运营商下发的预警指令须在时限内签收和反馈结果；指令文件未写明截止时间的，按下发级别取此处的默认时限。超时即升级到中心值班。劝阻成功的资金、高危预警按设定天数安排回访，列入劝阻民警的待办。"},
	{"assess", "考核四色等级", "派出所考核排名表按这些界值给每项指标标红、橙、黄、绿色，单位颜色取各项中最差的一项。比率以千分之一计（900 即 90%），每万人发案数以百分之一计（125 即 1.25 起）。"},
	{"security", "登录安全", "等保三级要求管理员和可查看完整号码的人员使用两步验证登录（密码 + 手机验证器上的动态验证码）。API 令牌不受影响。"},
}

// Kind is how a setting's value is written and checked.
type Kind string

// Kinds.
const (
	KindDuration Kind = "duration" // 10m, 2h, 1d
	KindTerm     Kind = "term"     // 48h, 30d, 6mo
	KindLeads    Kind = "leads"    // 7d/1d, or none
	KindPoints   Kind = "points"   // whole points 0–10000
	KindHour     Kind = "hour"     // 0–23
	KindBool     Kind = "bool"     // true/false
	KindTargets  Kind = "targets"  // webhook list, one a line
	KindSecret   Kind = "secret"   // shown masked
	KindNetworks Kind = "networks" // IP networks (CIDR), one a line
	// KindThresholds is a figure's four-colour bounds red/orange/yellow.
	KindThresholds Kind = "thresholds"
)

// Def is one setting.
type Def struct {
	Key     string `json:"key"`
	Group   string `json:"group"`
	Label   string `json:"label"`
	Help    string `json:"help"`
	Kind    Kind   `json:"kind"`
	Default string `json:"default"`
	// Flag is the start-up flag that overrides this setting, and FlagKey
	// its key inside the flag's list (fund in --deadlines fund=10m); empty
	// FlagKey: the flag's whole value.
	Flag    string `json:"flag,omitempty"`
	FlagKey string `json:"-"`
	// Max bounds KindDuration and KindTerm values (the legal limits of the
	// terms); zero: no bound beyond the kind's own.
	max time.Duration
	// maxMonths bounds KindTerm values written in months.
	maxMonths int
	// higherBetter orders KindThresholds bounds (a rate: higher is better).
	higherBetter bool
}

var defs []Def
var byKey = map[string]*Def{}

func add(d Def) {
	defs = append(defs, d)
}

func init() {
	dp := warning.DefaultPolicy()
	add(Def{Key: "deadline.fund", Group: "deadlines", Label: "资金预警首次联系时限", Kind: KindDuration, Default: durString(dp.ContactWithin[warning.GradeFund]),
		Flag: "--deadlines", FlagKey: "fund", max: 7 * 24 * time.Hour,
		Help: "资金预警表示钱正在转出，须在几分钟内打通电话；默认 10 分钟。"})
	add(Def{Key: "deadline.high", Group: "deadlines", Label: "高危预警首次联系时限", Kind: KindDuration, Default: durString(dp.ContactWithin[warning.GradeHigh]),
		Flag: "--deadlines", FlagKey: "high", max: 7 * 24 * time.Hour,
		Help: "老人、未成年人、冒充公检法等高危情形；默认 30 分钟。"})
	add(Def{Key: "deadline.ordinary", Group: "deadlines", Label: "一般预警首次联系时限", Kind: KindDuration, Default: durString(dp.ContactWithin[warning.GradeOrdinary]),
		Flag: "--deadlines", FlagKey: "ordinary", max: 30 * 24 * time.Hour,
		Help: "其余预警；默认 24 小时。"})
	add(Def{Key: "deadline.onsite", Group: "deadlines", Label: "落地核查时限", Kind: KindDuration, Default: durString(dp.OnsiteWithin),
		Flag: "--deadlines", FlagKey: "onsite", max: 7 * 24 * time.Hour,
		Help: "资金或高危预警联系不上、或联系后仍有风险时，上门核查的时限（自登记“联系不上/仍有风险”起算）；默认 2 小时。"})

	dt := partner.DefaultTerms()
	add(Def{Key: "freeze.stop_payment", Group: "freeze", Label: "紧急止付期限", Kind: KindTerm, Default: dt.StopPayment.String(),
		Flag: "--freeze-terms", FlagKey: "stop_payment", max: 48 * time.Hour,
		Help: "自银行确认止付起算。法定紧急止付期限为 48 小时，不得设得更长。写法：48h。"})
	add(Def{Key: "freeze.freeze", Group: "freeze", Label: "冻结期限", Kind: KindTerm, Default: dt.Freeze.String(),
		Flag: "--freeze-terms", FlagKey: "freeze", max: 183 * 24 * time.Hour, maxMonths: 6,
		Help: "自银行确认冻结起算，按自然月计算。法定冻结期限最长 6 个月，期满可依法续冻。写法：6mo（月）或 90d（天）。"})
	add(Def{Key: "freeze.remind_stop_payment", Group: "freeze", Label: "止付到期提醒", Kind: KindLeads, Default: leadsString(dt.RemindStopPayment),
		Flag: "--freeze-terms", FlagKey: "remind_stop_payment",
		Help: "止付届满前多久提醒承办民警转为冻结；多个用 / 分隔，如 12h/2h；写 none 不提醒。"})
	add(Def{Key: "freeze.remind_freeze", Group: "freeze", Label: "冻结到期提醒", Kind: KindLeads, Default: leadsString(dt.RemindFreeze),
		Flag: "--freeze-terms", FlagKey: "remind_freeze",
		Help: "冻结届满前多久提醒承办民警办理续冻；多个用 / 分隔，如 7d/1d；写 none 不提醒。"})

	sp := warning.DefaultScorePoints()
	pts := func(key, label string, v int64, help string) {
		add(Def{Key: "score." + key, Group: "score", Label: label, Kind: KindPoints, Default: strconv.FormatInt(v, 10), Help: help})
	}
	pts("grade_fund", "等级：资金预警", sp.GradeFund, "钱正在转出或即将转出，每一分钟都可能造成损失，所以分值最高；应高于其他各项之和的上限，保证资金预警排在最前。")
	pts("grade_high", "等级：高危预警", sp.GradeHigh, "尚未涉及资金但受骗风险高（老人、未成年人、冒充公检法等）。")
	pts("grade_ordinary", "等级：一般预警", sp.GradeOrdinary, "一般预警的基础分，默认 0，靠其他各项排序。")
	pts("amount_1m", "涉及金额 ≥ 100 万元", sp.Amount1M, "金额越大，一次转账造成的损失越大，越要先打。")
	pts("amount_100k", "涉及金额 ≥ 10 万元", sp.Amount100K, "同上，按金额分档。")
	pts("amount_10k", "涉及金额 ≥ 1 万元", sp.Amount10K, "同上，按金额分档。")
	pts("amount_1k", "涉及金额 ≥ 1000 元", sp.Amount1K, "同上，按金额分档。")
	pts("amount_any", "涉及金额（不足 1000 元）", sp.AmountAny, "预警中写明了金额，说明已有转账意向。")
	pts("age_70", "70 岁以上老人", sp.Age70, "高龄老人最易被冒充公检法、保健品类骗局骗走积蓄，且往往不接陌生电话，需尽早上门或联系家属。")
	pts("age_60", "60 至 69 岁老人", sp.Age60, "老年人是养老、保健品、冒充公检法骗局的主要对象。")
	pts("minor", "未成年人", sp.Minor, "未成年人易被游戏交易、追星返利骗局诱导使用家长的支付账户，需联系监护人。")
	pts("student_age", "学生年龄段（18 至 22 岁）", sp.StudentAge, "在校学生常遇刷单返利、游戏交易、校园贷类骗局。")
	pts("repeat_each", "90 天内重复预警（每次）", sp.RepeatEach, "同一人 90 天内多次被预警，说明骗子仍在联系或本人仍未警觉；每有一次较早的预警加这么多分。")
	pts("repeat_max", "重复预警加分上限", sp.RepeatMax, "重复预警加分的封顶值，避免次数压过等级。")
	pts("contact_in_case", "涉诈号码/账户已在案件中出现", sp.ContactInCase, "对方号码或收款账户已在已立案件中出现，几乎可以确定是诈骗。")
	for _, t := range fraudtype.All() {
		pts("type."+string(t.Code), "诈骗类型："+t.Name, sp.Types[t.Code], typeHelp(t.Code))
	}

	add(Def{Key: "webhooks.targets", Group: "webhooks", Label: "通知地址", Kind: KindTargets, Default: "",
		Flag: "--escalation-webhook",
		Help: "每行一个：普通 JSON 接口直接写 URL；企业微信群机器人写 wecom:URL；钉钉群机器人写 dingtalk:URL。留空则不推送（值班台照常显示超时）。"})
	add(Def{Key: "webhooks.secret", Group: "webhooks", Label: "签名密钥（HMAC-SHA256）", Kind: KindSecret, Default: "",
		Flag: "--webhook-secret",
		Help: "用于给 JSON 接口的请求签名（请求头 X-Fanzha-Signature: sha256=…），接收方据此确认消息来自本系统。保存后只显示掩码；留空不修改。"})

	add(Def{Key: "webhooks.allow_networks", Group: "webhooks", Label: "成员单位推送允许的内网网段", Kind: KindNetworks, Default: "",
		Help: "成员单位自行设置的推送地址不得指向本机、内网、链路本地或保留地址，以免被用来探测中心内部网络。银行等单位确需经专网（内网地址）接收推送的，在此逐行填写允许的网段，如 10.20.0.0/16 或单个地址 10.20.1.5。中心设置的升级通知地址不受此限。"})

	add(Def{Key: bulletin.EnabledSetting, Group: "bulletin", Label: "生成每日通报", Kind: KindBool, Default: "true",
		Help: "关闭后不再自动生成每日通报；周报、月报和手动生成不受影响。"})
	add(Def{Key: bulletin.HourSetting, Group: "bulletin", Label: "每日通报生成时刻（时）", Kind: KindHour, Default: strconv.Itoa(bulletin.DefaultDailyHour),
		Help: "北京时间 0–23 点；到点后生成前一天的通报，默认 8 点。"})

	for _, st := range investigation.Steps {
		add(Def{Key: investigation.ApprovalSetting(st.Action), Group: "investigation", Label: "“" + st.Name + "”须领导审批",
			Kind: KindBool, Default: strconv.FormatBool(st.Approval), Help: approvalHelp(st)})
	}

	for _, l := range instruction.Levels {
		dl := instruction.DefaultDeadlines[l]
		name := instruction.LevelName(l)
		add(Def{Key: instruction.SignSetting(l), Group: "instructions", Label: name + "级指令签收时限", Kind: KindDuration, Default: durString(dl.Sign),
			max: 7 * 24 * time.Hour, Help: "从下发时间起算；指令文件写明签收截止时间的以文件为准。"})
		add(Def{Key: instruction.FeedbackSetting(l), Group: "instructions", Label: name + "级指令反馈时限", Kind: KindDuration, Default: durString(dl.Feedback),
			max: 30 * 24 * time.Hour, Help: "从下发时间起算，须在此前导出反馈文件或推送反馈结果；指令文件写明反馈截止时间的以文件为准。"})
	}
	add(Def{Key: instruction.AutoSignSetting, Group: "instructions", Label: "分派即自动签收", Kind: KindBool, Default: "true",
		Help: "开启时，指令对应的预警分派给劝阻民警即视为签收；关闭后须由民警在预警页面手动签收。"})

	add(Def{Key: dissuade.FirstFollowupSetting, Group: "instructions", Label: "第一次回访（劝阻成功后）", Kind: KindDuration, Default: durString(dissuade.DefaultFollowups[0]),
		max: 90 * 24 * time.Hour, Help: "资金、高危预警劝阻成功后隔多久第一次回访，默认 3 天。"})
	add(Def{Key: dissuade.SecondFollowupSetting, Group: "instructions", Label: "第二次回访（劝阻成功后）", Kind: KindDuration, Default: durString(dissuade.DefaultFollowups[1]),
		max: 90 * 24 * time.Hour, Help: "劝阻成功后隔多久第二次回访，默认 7 天。"})

	for _, f := range assess.Figures {
		dir := "越高越好：低于“红”界值为红色，低于“橙”为橙色，低于“黄”为黄色，其余绿色。"
		if !f.HigherBetter {
			dir = "越低越好：高于“红”界值为红色，高于“橙”为橙色，高于“黄”为黄色，其余绿色。"
		}
		add(Def{Key: assess.Setting(f.Key), Group: "assess", Label: f.Name + "（" + f.Unit + "）", Kind: KindThresholds,
			Default: f.Default.String(), higherBetter: f.HigherBetter, Help: "写作“红/橙/黄”三个界值。" + dir})
	}

	add(Def{Key: auth.TOTPRequiredSetting, Group: "security", Label: "管理员及可查看完整号码的角色必须启用两步验证", Kind: KindBool, Default: "true",
		Help: "开启后，管理员和可查看完整号码的角色（值班、所长、劝阻、研判、办案民警等）尚未绑定验证器的，登录后先完成绑定才能使用系统；其他角色可在“我的账号”中自愿启用。演示环境默认关闭。"})

	for i := range defs {
		byKey[defs[i].Key] = &defs[i]
	}
}

// approvalHelp explains an approval setting by the step's document.
func approvalHelp(st investigation.Step) string {
	if st.Document == "" {
		return "开启后，“" + st.Name + "”提交后等待领导审批。"
	}
	return "开启后，“" + st.Name + "”（《" + st.Document + "》）提交后等待领导审批，审批通过才改变案件状态。"
}

// typeHelp explains why a fraud type scores what it does.
func typeHelp(c fraudtype.Code) string {
	switch c {
	case fraudtype.Police, fraudtype.ScreenShare:
		return "一通电话内就可能把全部存款转走（“安全账户”、共享屏幕操作网银），必须抢在转账前打断。"
	case fraudtype.Investment, fraudtype.AIFace:
		return "单笔损失大、受害人深信不疑（杀猪盘、AI 换脸冒充亲友），劝阻难度高。"
	case fraudtype.CustomerService, fraudtype.Boss, fraudtype.HealthCare:
		return "常在短时间内诱导大额转账或掏空老人积蓄。"
	case fraudtype.Loan, fraudtype.Credit, fraudtype.Romance:
		return "以“解冻费”“注销征信”“感情”为由多次索要，损失逐步扩大。"
	case fraudtype.Other:
		return "类型不明时的基础分。"
	}
	return "单笔金额通常较小，但受害人多，发现后仍需及时劝阻。"
}

// Defs returns every setting, in page order.
func Defs() []Def { return append([]Def(nil), defs...) }

// Lookup finds a setting by key.
func Lookup(key string) (Def, bool) {
	d, ok := byKey[key]
	if !ok {
		return Def{}, false
	}
	return *d, true
}

// Normalize checks a value of the setting and returns it in its stored
// form; the error is Chinese, for the person who typed it.
func (d Def) Normalize(v string) (string, error) { return d.normalize(v, false) }

// normalize with forFlag accepts deadlines under a minute: automation and
// tests start the server with --deadlines fund=3s; the console may not.
func (d Def) normalize(v string, forFlag bool) (string, error) {
	v = strings.TrimSpace(v)
	switch d.Kind {
	case KindDuration:
		dur, err := parseDur(v)
		if err != nil {
			return "", err
		}
		if dur < time.Minute && !forFlag {
			return "", fmt.Errorf("不能短于 1 分钟")
		}
		if d.max > 0 && dur > d.max {
			return "", fmt.Errorf("不能长于 %s", humanDur(d.max))
		}
		return durString(dur), nil
	case KindTerm:
		t, err := partner.ParseTerms("freeze=" + v)
		if err != nil {
			return "", fmt.Errorf("应为正的期限，如 48h、30d 或 6mo（月）")
		}
		term := t.Freeze
		if term.Months == 0 && term.Dur < time.Hour {
			return "", fmt.Errorf("不能短于 1 小时")
		}
		if term.Months > 0 && (d.maxMonths == 0 || term.Months > d.maxMonths) {
			if d.maxMonths == 0 {
				return "", fmt.Errorf("不能长于法定期限 %s", humanDur(d.max))
			}
			return "", fmt.Errorf("不能长于法定期限 %d 个月", d.maxMonths)
		}
		if term.Months == 0 && d.max > 0 && term.Dur > d.max {
			if d.maxMonths > 0 {
				return "", fmt.Errorf("不能长于法定期限 %d 个月", d.maxMonths)
			}
			return "", fmt.Errorf("不能长于法定期限 %s", humanDur(d.max))
		}
		return term.String(), nil
	case KindLeads:
		if v == "" || v == "none" || v == "无" || v == "不提醒" {
			return "none", nil
		}
		t, err := partner.ParseTerms("remind_freeze=" + strings.ReplaceAll(v, "／", "/"))
		if err != nil {
			return "", fmt.Errorf("应为提前量，如 12h 或 7d/1d，多个用 / 分隔；不提醒写 none")
		}
		if len(t.RemindFreeze) > 5 {
			return "", fmt.Errorf("最多设 5 次提醒")
		}
		return leadsString(t.RemindFreeze), nil
	case KindPoints:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return "", fmt.Errorf("应为整数分值")
		}
		if n < 0 || n > 10000 {
			return "", fmt.Errorf("分值应在 0 到 10000 之间")
		}
		return strconv.FormatInt(n, 10), nil
	case KindHour:
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSuffix(v, "点"), "时"))
		if err != nil || n < 0 || n > 23 {
			return "", fmt.Errorf("时刻应为 0 到 23 之间的整数")
		}
		return strconv.Itoa(n), nil
	case KindBool:
		switch strings.ToLower(v) {
		case "true", "on", "1", "yes", "是", "开":
			return "true", nil
		case "false", "off", "0", "no", "否", "关":
			return "false", nil
		}
		return "", fmt.Errorf("应为开启或关闭")
	case KindTargets:
		ts, err := parseTargets(v)
		if err != nil {
			return "", err
		}
		return targetsString(ts), nil
	case KindThresholds:
		t, err := assess.ParseThresholds(v, d.higherBetter)
		if err != nil {
			return "", fmt.Errorf("%s", err.Error())
		}
		return t.String(), nil
	case KindNetworks:
		ps, err := ParseNetworks(v)
		if err != nil {
			return "", err
		}
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = p.String()
		}
		return strings.Join(out, "\n"), nil
	case KindSecret:
		if len(v) > 200 {
			return "", fmt.Errorf("密钥不能超过 200 个字符")
		}
		if v != "" && len(v) < 16 {
			return "", fmt.Errorf("密钥至少 16 个字符，建议用随机生成的长字符串")
		}
		return v, nil
	}
	return "", fmt.Errorf("未知的设置类型 %s", d.Kind)
}

// ParseNetworks reads IP networks (10.0.0.0/8) or single addresses
// separated by lines or commas.
func ParseNetworks(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == '，' || r == ' ' }) {
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("“%s” 不是有效的网段或地址：应写成 10.20.0.0/16 或 10.20.1.5", f)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	if len(out) > 50 {
		return nil, fmt.Errorf("最多 50 个网段")
	}
	return out, nil
}

// parseTargets reads webhooks separated by lines or commas.
func parseTargets(v string) ([]notify.Target, error) {
	var out []notify.Target
	seen := map[string]bool{}
	for _, line := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == '，' }) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		t, err := notify.ParseTarget(line)
		if err != nil {
			return nil, fmt.Errorf("“%s” 不是有效地址：应为 http(s) 网址，可加前缀 wecom: 或 dingtalk:", line)
		}
		if seen[t.URL] {
			return nil, fmt.Errorf("地址重复：%s", t.URL)
		}
		seen[t.URL] = true
		out = append(out, t)
	}
	if len(out) > 20 {
		return nil, fmt.Errorf("最多 20 个通知地址")
	}
	return out, nil
}

func targetsString(ts []notify.Target) string {
	var lines []string
	for _, t := range ts {
		if t.Format == notify.FormatJSON || t.Format == "" {
			lines = append(lines, t.URL)
		} else {
			lines = append(lines, string(t.Format)+":"+t.URL)
		}
	}
	return strings.Join(lines, "\n")
}

// parseDur reads a Go duration (10m, 2h, 90m) or whole days (1d).
func parseDur(v string) (time.Duration, error) {
	if d, ok := zone.ParseSpan(v); ok {
		return d, nil
	}
	return 0, fmt.Errorf("应为正的时长，如 10m（分钟）、2h（小时）或 1d（天）")
}

// durString writes a duration the shortest way parseDur reads it.
func durString(d time.Duration) string {
	switch {
	case d > 0 && d%(24*time.Hour) == 0:
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	}
	return d.String()
}

func leadsString(ds []time.Duration) string {
	if len(ds) == 0 {
		return "none"
	}
	var s []string
	for _, d := range ds {
		s = append(s, durString(d))
	}
	return strings.Join(s, "/")
}

// humanDur writes a duration in Chinese: 30 分钟, 48 小时, 7 天.
func humanDur(d time.Duration) string {
	switch {
	case d > 72*time.Hour && d%(24*time.Hour) == 0:
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + " 天"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + " 小时"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + " 分钟"
	}
	return d.String()
}
