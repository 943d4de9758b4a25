package warning

// eventKinds are the Chinese names of the kinds of a warning's timeline
// lines (warning_events.kind), including those other packages write through
// AddEvent: instruction, signed, feedback (internal/instruction) and
// followup (internal/dissuade).
var eventKinds = map[string]string{"intake": "接收", "routed": "分流", "assigned": "分派", "merged": "合并", "contact": "联系",
	"outcome": "结果", "handover": "移交", "emergency": "紧急措施", "escalated": "超时升级", "update": "更新",
	"instruction": "上级指令", "signed": "签收", "feedback": "反馈", "followup": "回访"}

// EventKindName is the Chinese name of a timeline line's kind; an unknown
// kind is shown as it is.
func EventKindName(k string) string { return labelOr(eventKinds, k) }
