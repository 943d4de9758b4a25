// Package auth is who may do what: users bound to a node of the
// jurisdiction tree, their roles and capabilities, console sessions with
// CSRF tokens, API tokens, login rate limiting, masking of personal numbers,
// and the append-only audit log.
package auth

// Role is a user's job in fanzha; it decides the capabilities.
type Role string

// The roles of PRODUCT.md.
const (
	RoleAdmin        Role = "admin"        // 中心管理员: runs the centre's installation
	RoleDuty         Role = "duty"         // 值班民警: watches warnings 24/7, re-routes, escalates
	RoleDissuader    Role = "dissuader"    // 劝阻民警 / 社区民警: calls and visits people at risk
	RoleAnalyst      Role = "analyst"      // 研判员: traces, scoring, bulletins
	RoleInvestigator Role = "investigator" // 办案民警: owns cases, freezes, returns
	RoleLeader       Role = "leader"       // 领导: dashboard and bulletins
	RolePartner      Role = "partner"      // 合作单位: bank / operator / member unit staff
	RoleGrid         Role = "grid"         // 网格员 / 学校 / 社区: logs prevention events
	// RoleStationHead is a station's head (所长 / 教导员): a station officer
	// who also manages the officers and the duty roster of their own station.
	RoleStationHead Role = "station_head"
)

// Roles lists every role in display order.
var Roles = []Role{RoleAdmin, RoleDuty, RoleStationHead, RoleDissuader, RoleAnalyst, RoleInvestigator, RoleLeader, RolePartner, RoleGrid}

// RoleName is the Chinese name of a role.
func RoleName(r Role) string {
	switch r {
	case RoleAdmin:
		return "中心管理员"
	case RoleDuty:
		return "值班民警"
	case RoleDissuader:
		return "劝阻民警"
	case RoleAnalyst:
		return "研判员"
	case RoleInvestigator:
		return "办案民警"
	case RoleLeader:
		return "领导"
	case RolePartner:
		return "合作单位"
	case RoleGrid:
		return "网格员"
	case RoleStationHead:
		return "所领导"
	}
	return string(r)
}

// ValidRole reports whether r is a known role.
func ValidRole(r Role) bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Capability is one thing a role may do. Handlers ask for capabilities, never
// for roles, so a role's rights are written down in one table.
type Capability string

// Capabilities.
const (
	CapWarningRead   Capability = "warning.read"
	CapWarningWrite  Capability = "warning.write"
	CapCaseRead      Capability = "case.read"
	CapCaseWrite     Capability = "case.write"
	CapFundsRead     Capability = "funds.read"
	CapFundsWrite    Capability = "funds.write"
	CapIntelRead     Capability = "intel.read"
	CapIntelWrite    Capability = "intel.write"
	CapPreventRead   Capability = "prevent.read"
	CapPreventWrite  Capability = "prevent.write"
	CapBulletinRead  Capability = "bulletin.read"
	CapFiguresRead   Capability = "figures.read"
	CapUnmask        Capability = "unmask"
	CapAuditRead     Capability = "audit.read"
	CapUserAdmin     Capability = "user.admin"
	CapAreaRead      Capability = "area.read"
	CapPartnerInbox  Capability = "partner.inbox"
	CapPartnerManage Capability = "partner.manage"
	// CapStaffManage manages officers and the duty roster within the
	// caller's own jurisdiction (the centre admin: all; a station head:
	// their station).
	CapStaffManage Capability = "staff.manage"
	// CapAreaAdmin edits the jurisdiction tree.
	CapAreaAdmin Capability = "area.admin"
	// CapUnitAdmin creates, edits and retires member units.
	CapUnitAdmin Capability = "unit.admin"
	// CapSettingsAdmin edits the centre's settings.
	CapSettingsAdmin Capability = "settings.admin"
)

var roleCaps = map[Role][]Capability{
	RoleAdmin: {CapWarningRead, CapWarningWrite, CapCaseRead, CapCaseWrite, CapFundsRead, CapFundsWrite,
		CapIntelRead, CapIntelWrite, CapPreventRead, CapPreventWrite, CapBulletinRead, CapFiguresRead,
		CapUnmask, CapAuditRead, CapUserAdmin, CapAreaRead, CapPartnerManage,
		CapStaffManage, CapAreaAdmin, CapUnitAdmin, CapSettingsAdmin},
	RoleDuty: {CapWarningRead, CapWarningWrite, CapCaseRead, CapPreventRead, CapBulletinRead, CapFiguresRead,
		CapUnmask, CapAreaRead, CapPartnerManage},
	RoleStationHead: {CapWarningRead, CapWarningWrite, CapCaseRead, CapPreventRead, CapPreventWrite,
		CapBulletinRead, CapFiguresRead, CapUnmask, CapAreaRead, CapStaffManage},
	RoleDissuader: {CapWarningRead, CapWarningWrite, CapCaseRead, CapPreventRead, CapPreventWrite,
		CapBulletinRead, CapFiguresRead, CapUnmask, CapAreaRead},
	RoleAnalyst: {CapWarningRead, CapCaseRead, CapFundsRead, CapFundsWrite, CapIntelRead, CapIntelWrite,
		CapPreventRead, CapPreventWrite, CapBulletinRead, CapFiguresRead, CapUnmask, CapAreaRead},
	RoleInvestigator: {CapWarningRead, CapCaseRead, CapCaseWrite, CapFundsRead, CapFundsWrite, CapIntelRead,
		CapPreventRead, CapBulletinRead, CapFiguresRead, CapUnmask, CapAreaRead, CapPartnerManage},
	RoleLeader: {CapWarningRead, CapCaseRead, CapFundsRead, CapIntelRead, CapPreventRead, CapBulletinRead,
		CapFiguresRead, CapAreaRead},
	RolePartner: {CapPartnerInbox},
	RoleGrid:    {CapPreventRead, CapPreventWrite, CapAreaRead},
}

// Can reports whether a role has a capability.
func (r Role) Can(c Capability) bool {
	for _, x := range roleCaps[r] {
		if x == c {
			return true
		}
	}
	return false
}

// Capabilities lists what a role may do.
func (r Role) Capabilities() []Capability {
	out := make([]Capability, len(roleCaps[r]))
	copy(out, roleCaps[r])
	return out
}
