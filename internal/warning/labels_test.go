package warning

import "testing"

func TestEventKindName(t *testing.T) {
	for in, want := range map[string]string{"escalated": "超时升级", "handover": "移交", "update": "更新", "new_kind": "new_kind",
		"instruction": "上级指令", "signed": "签收", "feedback": "反馈", "followup": "回访"} {
		if got := EventKindName(in); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}
