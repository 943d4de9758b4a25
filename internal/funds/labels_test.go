package funds

import "testing"

func TestLabelNames(t *testing.T) {
	for _, tc := range []struct {
		f        func(string) string
		in, want string
	}{
		{CaseStatusName, "investigating", "侦办中"},
		{CaseStatusName, "solved", "已破案"},
		{ChannelName, "mobile_banking", "手机银行"},
		{ChannelName, "crypto", "crypto"}, // unknown: shown as stored
		{OccupationName, "retired", "退休"},
		{OccupationName, "", ""},
	} {
		if got := tc.f(tc.in); got != tc.want {
			t.Errorf("%q → %q, want %q", tc.in, got, tc.want)
		}
	}
}
