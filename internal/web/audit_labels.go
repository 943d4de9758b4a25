package web

import (
	"html/template"
	"regexp"
	"strings"

	"github.com/fanzha/fanzha/internal/settings"
	"github.com/fanzha/fanzha/internal/warning"
)

// The audit log stores what was done in the words the code wrote
// (object types such as "roster_pattern", details such as "outcome
// false_alarm" or "sent freeze case 602 account …"); the stored row is
// never changed (it is hash-chained). The audit page shows it in Chinese:
// object types by label, setting keys by their label in 系统设置, and the
// words of a detail from one dictionary, numbers, names and masked numbers
// kept as they are.

var auditObjectNames = map[string]string{
	"api_token": "接口令牌", "area": "辖区", "audit_log": "审计日志", "awareness_survey": "防骗意识调查", "bulletin": "通报",
	"bulletin_run": "通报生成", "card_outlets": "开卡网点", "case": "案件", "case_returns": "资金返还", "case_suspect": "犯罪嫌疑人",
	"duty_shift": "值班班次", "intel_outlets": "开卡网点研判", "intel_scores": "研判评分", "intel_weights": "评分权重",
	"intel_account": "研判账户", "intel_phone": "研判号码", "joint_meeting": "联席会议", "joint_task": "联席任务",
	"partner_report": "合作单位报送", "partner_request": "协查请求", "prevention_event": "宣传活动", "roster_gap": "排班缺岗",
	"roster_leave": "请假", "roster_pattern": "排班规则", "setting": "系统设置", "statement": "银行流水",
	"statement_mapping": "流水列映射", "unit_contact": "单位联系人", "unit_webhook": "单位推送地址", "user": "用户",
	"user_import": "批量导入用户", "warning": "预警", "unit": "合作单位", "freeze": "止付冻结", "session": "会话",
	"campaign": "专项战役/督办", "case_attachment": "案件附件", "victim": "受害人", "case_transfer": "被骗转账", "case_account": "涉案账户",
}

var auditWords = map[string]string{
	"add": "新增", "under": "隶属", "aliases": "别名", "confirm": "确认", "confirmed": "已确认", "fen": "分", "ref": "编号",
	"expires": "到期", "disable": "停用", "disabled": "已停用", "enable": "启用", "unit": "单位", "units": "个单位",
	"retired": "已撤销", "figures": "数字", "fit": "拟合", "on": "基于", "labelled": "已标注", "accounts": "个账户",
	"account": "账户", "freeze": "冻结", "stop_payment": "止付", "rule": "规则", "pot": "资金池", "import": "导入",
	"rows": "行", "row": "行", "created": "新建", "updated": "更新", "unchanged": "未变", "intake": "接收",
	"merged": "合并", "duplicate": "重复", "merge": "合并", "into": "并入", "children": "个下级", "records": "记录",
	"move": "移动", "from": "从", "to": "到", "name": "姓名", "phone": "电话", "objection": "异议", "resolved": "已处理",
	"payment": "支付", "victim": "被害人", "released": "已解冻", "by": "由", "request": "请求", "retire": "撤销",
	"and": "及", "its": "其", "subtree": "下级", "nodes": "个节点", "role": "角色", "area": "辖区", "superseded": "已被替代",
	"plan": "方案", "sent": "已发送", "send": "发送", "case": "案件", "outcome": "结果", "contact": "联系",
	"emergency": "紧急措施", "handover": "移交", "upload": "上传", "bad": "错误", "export": "导出", "as": "格式",
	"entries": "条", "roster": "排班", "days": "天", "shifts": "班次", "rescore": "重新评分", "watch": "关注",
	"phones": "个号码", "lapsed": "已失效", "at": "于", "rate": "频率", "limited": "受限", "stored": "保存",
	"true": "是", "false": "否", "renew": "续冻", "renewed": "已续冻", "release": "解冻", "reject": "拒绝",
	"rejected": "已拒绝", "notice": "公告", "execute": "执行", "executed": "已执行", "label": "标注", "mule": "涉诈账户",
	"legit": "正常", "password": "密码", "reset": "重置", "token": "令牌", "weights": "权重", "status": "状态",
	"open": "新立", "investigating": "侦办中", "solved": "已破案", "closed": "已结案", "reason": "原因", "note": "备注",
	"onsite": "落地核查", "answer": "答复", "answered": "已答复", "task": "任务", "progress": "进展", "meeting": "会议",
	"webhook": "推送地址", "of": "的", "with": "含", "new": "新", "old": "原", "station": "派出所", "grade": "等级",
	"type": "类型", "fraud_type": "诈骗类型", "suspect": "犯罪嫌疑人", "leave": "请假", "gap": "缺岗", "pattern": "排班规则",
	"shift": "班次", "swap": "换班", "copy": "复制", "week": "周", "setting": "设置", "totp": "两步验证",
	// the case lifecycle, suspects and dispositions (internal/investigation)
	"lifecycle": "办案环节", "transition": "环节", "done": "已办理", "pending": "待审批", "disposition": "处置",
	"linked": "已关联", "accept": "受理", "file": "立案", "not_file": "不予立案", "investigate": "开始侦查",
	"solve": "破案", "prosecute": "移送起诉", "close": "结案", "withdraw": "撤案", "caught": "抓获",
	"detained": "刑事拘留", "arrested": "逮捕", "bailed": "取保候审", "charged": "移送起诉", "sentenced": "判决",
	"admin_penalty": "行政处罚", "admonished": "训诫",
	// work inside a case, series and campaigns
	"attachment": "附件", "campaign": "专项", "tagged": "标记", "xlsx": "Excel", "masked": "脱敏",
	"link": "关联", "series": "串并案", "unmerge": "撤销串并", "added": "已添加", "user": "用户",
	"cluster": "集群战役", "ministry": "部督办", "province": "省", "city": "市",
}

var auditWordRe = regexp.MustCompile(`[A-Za-z][A-Za-z_]*`)

// AuditDetailText is an audit detail as the audit page shows it. A Latin
// word not in the dictionary is a value the detail quotes (a username, a
// code, a file name) and is marked as such (translate="no").
func AuditDetailText(detail string) template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range auditWordRe.FindAllStringIndex(detail, -1) {
		w := detail[m[0]:m[1]]
		b.WriteString(template.HTMLEscapeString(detail[last:m[0]]))
		last = m[1]
		if o := warning.OutcomeName(warning.Outcome(w)); o != w {
			b.WriteString(o)
		} else if v, ok := auditWords[strings.ToLower(w)]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(`<span translate="no">` + template.HTMLEscapeString(w) + `</span>`)
		}
	}
	b.WriteString(template.HTMLEscapeString(detail[last:]))
	return template.HTML(b.String())
}

// AuditObjectText is an audit row's object (type and id) in Chinese: a
// setting by its label in 系统设置.
func AuditObjectText(typ, id string) string {
	if typ == "setting" {
		if d, ok := settings.Lookup(id); ok {
			return "系统设置 " + d.Label
		}
	}
	name, ok := auditObjectNames[typ]
	if !ok {
		name = typ
	}
	if id == "" {
		return name
	}
	return name + " " + id
}

// entityKindName is the Chinese name of an intel graph entity kind.
func entityKindName(k string) string {
	m := map[string]string{"person": "人员", "phone": "电话号码", "card": "银行卡", "device": "设备", "ip": "IP 地址",
		"address": "地址", "url": "网址", "app": "应用", "case": "案件"}
	if v, ok := m[k]; ok {
		return v
	}
	return k
}

var literalRe = regexp.MustCompile(`[A-Za-z][A-Za-z0-9_.:=/\-]*[A-Za-z0-9=]|[A-Za-z]`)

// helpText shows a setting's help with the literal values one types (none,
// wecom:URL, X-Fanzha-Signature, sha256=) as code; acronyms (JSON, URL)
// stay text.
func helpText(s string) template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range literalRe.FindAllStringIndex(s, -1) {
		w := s[m[0]:m[1]]
		if len(w) < 2 || strings.ToUpper(w) == w {
			continue
		}
		b.WriteString(template.HTMLEscapeString(s[last:m[0]]))
		b.WriteString("<code>" + template.HTMLEscapeString(w) + "</code>")
		last = m[1]
	}
	b.WriteString(template.HTMLEscapeString(s[last:]))
	return template.HTML(b.String())
}
