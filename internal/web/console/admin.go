package console

import (
	"net/http"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/web"
)

// 系统管理: what a centre needs to go live from an empty database and keep
// running — first start, the jurisdiction tree, member units, people, the
// duty roster and the settings. Each section has its own file:
//
//	admin_setup.go     first start (one-time setup link), closed for good after
//	admin_areas.go     the jurisdiction tree: import/export, add, rename, move, merge, retire
//	admin_units.go     member units: create, edit, retire, contacts, webhook, partner users
//	admin_people.go    users: create, role and jurisdiction, disable, passwords, tokens, bulk import
//	admin_roster.go    the 7×24 duty roster: patterns, exceptions, copy forward, import/export, gaps
//	admin_settings.go  settings in force, where each value comes from, edits audited
type adminSection struct {
	Path  string
	Label string
	Note  string
	Cap   auth.Capability
}

var adminSections = []adminSection{
	{"/admin/areas", "辖区树", "导入、导出与编辑派出所、乡镇街道、村社区和网格", auth.CapAreaAdmin},
	{"/admin/units", "成员单位", "银行、支付机构、运营商、平台、学校等单位及其账号", auth.CapUnitAdmin},
	{"/admin/users", "人员账号", "民警与合作单位账号、角色、辖区、停用、令牌", auth.CapStaffManage},
	{"/admin/roster", "值班排班", "7×24 排班、请假调班、缺岗提醒", auth.CapStaffManage},
	{"/admin/settings", "系统设置", "时限、止付冻结期限、评分、通知、通报时间", auth.CapSettingsAdmin},
}

func (s *handler) adminRoutes() {
	s.Mux.HandleFunc("GET /admin", s.Page(auth.CapStaffManage, s.handleAdminIndex))
	s.setupRoutes()
	s.areaAdminRoutes()
	s.unitAdminRoutes()
	s.peopleRoutes()
	s.rosterRoutes()
	s.settingsRoutes()
}

func (s *handler) handleAdminIndex(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var mine []adminSection
	for _, sec := range adminSections {
		if p.Can(sec.Cap) {
			mine = append(mine, sec)
		}
	}
	s.Render(w, r, http.StatusOK, "admin", web.Page{Title: "系统管理", Active: "/admin", Data: mine})
	return nil
}
