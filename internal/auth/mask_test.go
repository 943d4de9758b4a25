package auth

import "testing"

func TestMasking(t *testing.T) {
	cases := []struct {
		name string
		fn   func(string) string
		in   string
		want string
	}{
		{"id 18", MaskIDNumber, "430102199001011234", "4301*************4"},
		{"id with X", MaskIDNumber, "43010219900101123X", "4301*************X"},
		{"id 15", MaskIDNumber, "430102900101123", "4301**********3"},
		{"id short", MaskIDNumber, "1234", "****"},
		{"id empty", MaskIDNumber, "", ""},
		{"mobile", MaskPhone, "13812345678", "138****5678"},
		{"mobile spaces trimmed", MaskPhone, " 13812345678 ", "138****5678"},
		{"landline", MaskPhone, "07318765432", "073****5432"},
		{"short number", MaskPhone, "96110", "****0"},
		{"landline 7", MaskPhone, "8765432", "****432"},
		{"landline 8", MaskPhone, "87654321", "****4321"},
		{"card 19", MaskCard, "6222021234567890123", "**** 0123"},
		{"card spaced", MaskCard, "6222 0212 3456 7890", "**** 7890"},
		{"card short", MaskCard, "123", "****"},
		{"account 7", MaskCard, "1234567", "**** 567"},
		{"card empty", MaskCard, "", ""},
	}
	for _, c := range cases {
		if got := c.fn(c.in); got != c.want {
			t.Errorf("%s: mask(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
	m := Masker{Unmasked: true}
	if m.ID("430102199001011234") != "430102199001011234" || m.Phone("13812345678") != "13812345678" {
		t.Error("unmasked masker changed a value")
	}
	if (Masker{}).Card("6222021234567890123") != "**** 0123" {
		t.Error("default masker did not mask")
	}
}

func TestRoleCapabilities(t *testing.T) {
	cases := []struct {
		role Role
		cap  Capability
		want bool
	}{
		{RoleAdmin, CapAuditRead, true},
		{RoleDuty, CapAuditRead, false},
		{RolePartner, CapWarningRead, false},
		{RolePartner, CapCaseRead, false},
		{RolePartner, CapUnmask, false},
		{RolePartner, CapFiguresRead, false},
		{RoleGrid, CapWarningRead, false},
		{RoleGrid, CapPreventWrite, true},
		{RoleLeader, CapUnmask, false},
		{RoleDissuader, CapWarningWrite, true},
		{RoleDissuader, CapUserAdmin, false},
		{RoleInvestigator, CapCaseWrite, true},
		{RoleAnalyst, CapCaseWrite, false},
	}
	for _, c := range cases {
		if got := c.role.Can(c.cap); got != c.want {
			t.Errorf("%s.Can(%s) = %v, want %v", c.role, c.cap, got, c.want)
		}
	}
}
