package api

import (
	"net/http"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/bulletin"
	"github.com/fanzha/fanzha/internal/intel"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/prevent"
	"github.com/fanzha/fanzha/internal/web"
	"github.com/fanzha/fanzha/internal/web/apiv1"
)

// The route table's 两卡研判, 宣传防范 and 研判通报, and 系统管理 (areas,
// users, units, settings).

func (s *handler) intelAPIRoutes() []APIRoute {
	return []APIRoute{
		{Method: "GET", Path: "/api/v1/intel/watch", Cap: auth.CapIntelRead, Handler: s.handleIntelWatch, Tag: "intel",
			Summary: "重点关注名单", Description: "Scored accounts and phones, highest score first.",
			Query:    []apiParam{{"kind", "string", "account or phone"}, {"watch", "string", "1: only those on watch"}, {"offset", "integer", "skip this many"}, qLimit, qUnmask},
			Response: intelWatchBody{}},
		{Method: "GET", Path: "/api/v1/intel/accounts", Cap: auth.CapIntelRead, Handler: s.handleIntelBusiest, Tag: "intel",
			Summary: "活跃账户", Query: []apiParam{qLimit, qUnmask}, Response: intelAccountsBody{}},
		{Method: "GET", Path: "/api/v1/intel/accounts/{id}", Cap: auth.CapIntelRead, Handler: s.handleIntelAccount, Tag: "intel",
			Summary: "账户研判详情", Query: []apiParam{qUnmask}, Response: web.AccountView{}},
		{Method: "POST", Path: "/api/v1/intel/labels", Cap: auth.CapIntelWrite, Handler: s.handleIntelLabel, Tag: "intel",
			Summary: "标注账户", Request: intel.LabelInput{}, Response: apiv1.StatusBody{}, Status: http.StatusCreated},
		{Method: "POST", Path: "/api/v1/intel/rescore", Cap: auth.CapIntelWrite, Handler: s.handleIntelRescore, Tag: "intel",
			Summary: "重新评分", Response: intel.Rescored{}},
		{Method: "POST", Path: "/api/v1/intel/fit", Cap: auth.CapIntelWrite, Handler: s.handleIntelFit, Tag: "intel",
			Summary: "拟合评分权重", Description: "Fits the weights to the labels and saves them (dry_run=1: only reports).",
			Query: []apiParam{{"dry_run", "string", "1: fit without saving"}}, Response: intelFitBody{}},
		{Method: "GET", Path: "/api/v1/intel/weights", Cap: auth.CapIntelRead, Handler: s.handleIntelWeights, Tag: "intel",
			Summary: "评分权重", Response: intelWeightsBody{}},
		{Method: "GET", Path: "/api/v1/intel/outlets", Cap: auth.CapIntelRead, Handler: s.handleIntelOutlets, Tag: "intel",
			Summary: "开户网点", Query: []apiParam{qFrom, qTo}, Response: intelOutletsBody{}},
		{Method: "GET", Path: "/api/v1/intel/outlets/export", Cap: auth.CapIntelRead, Handler: s.HandleIntelOutletsExport, Tag: "intel",
			Summary: "导出开户网点", Query: []apiParam{qFrom, qTo}, Produces: mimeXLSX},
		{Method: "POST", Path: "/api/v1/intel/outlets/import", Cap: auth.CapIntelWrite, Handler: s.handleIntelOutletsImport, Tag: "intel",
			Summary: "导入开户网点", Upload: "file", Response: storedBody{}},
		{Method: "GET", Path: "/api/v1/intel/graph/expand", Cap: auth.CapIntelRead, Handler: s.handleIntelExpand, Tag: "intel",
			Summary: "关系图展开", Query: []apiParam{{"node", "string", "start at this node ref"}, {"account", "integer", "or at this account (accounts.id)"}, {"case", "string", "or at this case"}, {"hops", "integer", "how many links out (at most 6)"}, {"types", "string", "comma-separated node types to follow"}, qCounty, qLimit, qUnmask},
			Response: graphResponse{}},
		{Method: "GET", Path: "/api/v1/intel/groups", Cap: auth.CapIntelRead, Handler: s.handleIntelGroups, Tag: "intel",
			Summary: "团伙", Query: []apiParam{qCounty}, Response: intelGroupsBody{}},
		{Method: "GET", Path: "/api/v1/intel/groups/{ref}", Cap: auth.CapIntelRead, Handler: s.handleIntelGroup, Tag: "intel",
			Summary: "团伙详情", Query: []apiParam{qCounty, qUnmask}, Response: web.GroupDetail{}},
		{Method: "GET", Path: "/api/v1/intel/cases/{id}/linked", Cap: auth.CapIntelRead, Handler: s.handleIntelLinkedCases, Tag: "intel",
			Summary: "串并案件", Query: []apiParam{qCounty, qUnmask}, Response: linkedCasesBody{}},
	}
}

func (s *handler) preventAPIRoutes() []APIRoute {
	qAreaID := apiParam{"area_id", "integer", "a node under the caller's (default: the caller's jurisdiction)"}
	bulletinQ := []apiParam{qAreaID, {"kind", "string", "daily (default), weekly, monthly or custom"}, {"date", "string", "the day of the period (YYYY-MM-DD)"},
		{"from", "string", "custom: first day (YYYY-MM-DD)"}, {"to", "string", "custom: last day (YYYY-MM-DD)"}}
	return []APIRoute{
		{Method: "GET", Path: "/api/v1/prevention/options", Cap: auth.CapPreventRead, Handler: s.handlePreventionOptions, Tag: "prevention",
			Summary: "宣传活动选项", Response: preventionOptionsBody{}},
		{Method: "GET", Path: "/api/v1/prevention/events", Cap: auth.CapPreventRead, Handler: s.handlePreventionEvents, Tag: "prevention",
			Summary: "宣传活动", Query: []apiParam{{"kind", "string", "only this kind"}, qAreaID, qFrom, qTo, qLimit}, Response: preventionEventsBody{}},
		{Method: "POST", Path: "/api/v1/prevention/events", Cap: auth.CapPreventWrite, Handler: s.handleCreatePreventionEvent, Tag: "prevention",
			Summary: "登记宣传活动", Description: "JSON, or multipart form fields with photos (field photos, repeated).",
			Request: prevent.NewEvent{}, Response: prevent.Event{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/api/v1/prevention/events/{id}", Cap: auth.CapPreventRead, Handler: s.handlePreventionEvent, Tag: "prevention",
			Summary: "宣传活动详情", Response: prevent.Event{}},
		{Method: "GET", Path: "/api/v1/prevention/photos/{id}", Cap: auth.CapPreventRead, Handler: s.handlePreventionPhoto, Tag: "prevention",
			Summary: "活动照片", Produces: mimeImage},
		{Method: "GET", Path: "/api/v1/prevention/coverage", Cap: auth.CapPreventRead, Handler: s.handleCoverage, Tag: "prevention",
			Summary: "宣传覆盖", Query: []apiParam{qAreaID, qFrom, qTo}, Response: prevent.Coverage{}},
		{Method: "GET", Path: "/api/v1/prevention/surveys", Cap: auth.CapPreventRead, Handler: s.handleSurveys, Tag: "prevention",
			Summary: "知晓率调查趋势", Query: []apiParam{qAreaID}, Response: prevent.SurveyTrends{}},
		{Method: "POST", Path: "/api/v1/prevention/surveys", Cap: auth.CapPreventWrite, Handler: s.handleCreateSurvey, Tag: "prevention",
			Summary: "登记知晓率调查", Request: web.SurveyBody{}, Response: idBody{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/api/v1/prevention/targeting", Cap: auth.CapPreventRead, Handler: s.handleTargeting, Tag: "prevention",
			Summary: "精准宣传对象", Query: []apiParam{qAreaID, {"case_days", "integer", "cases of the last this many days"}, {"quiet_days", "integer", "no event for this many days"}, qLimit},
			Response: prevent.Targeting{}},

		{Method: "GET", Path: "/api/v1/bulletins/report", Cap: auth.CapBulletinRead, Handler: s.handleBulletinJSON, Tag: "bulletins",
			Summary: "研判通报", Query: bulletinQ, Response: bulletin.Bulletin{}},
		{Method: "GET", Path: "/api/v1/bulletins/report.xlsx", Cap: auth.CapBulletinRead, Handler: s.handleBulletinXLSX, Tag: "bulletins",
			Summary: "导出研判通报", Query: bulletinQ, Produces: mimeXLSX},
		{Method: "GET", Path: "/api/v1/bulletins/runs", Cap: auth.CapBulletinRead, Handler: s.handleBulletinRuns, Tag: "bulletins",
			Summary: "通报生成记录", Response: bulletinRunsBody{}},
		{Method: "GET", Path: "/api/v1/bulletins/schedule", Cap: auth.CapBulletinRead, Handler: s.handleBulletinSchedule, Tag: "bulletins",
			Summary: "日报生成时间", Response: scheduleBody{}},
		{Method: "PUT", Path: "/api/v1/bulletins/schedule", Cap: auth.CapUserAdmin, Handler: s.handleSetBulletinSchedule, Tag: "bulletins",
			Summary: "设置日报生成时间", Request: scheduleBody{}, Response: scheduleBody{}},
		{Method: "GET", Path: "/api/v1/dashboard", Cap: auth.CapBulletinRead, Handler: s.handleDashboard, Tag: "bulletins",
			Summary: "大屏数据", Response: bulletin.Dashboard{}},
	}
}

func (s *handler) adminAPIRoutes() []APIRoute {
	return []APIRoute{
		{Method: "POST", Path: "/api/v1/areas/import", Cap: auth.CapAreaAdmin, Handler: s.handleAreasImportAPI, Tag: "areas",
			Summary: "导入辖区树", Description: "An .xlsx or .csv tree: multipart field file, or the raw body with the file name in ?name= or Content-Disposition. 422 with the report when refused.",
			Upload: "file", Query: []apiParam{{"name", "string", "the file name of a raw body"}}, Response: area.ImportReport{}},
		{Method: "GET", Path: "/api/v1/areas/export", Cap: auth.CapAreaRead, Handler: s.handleAreasExportAPI, Tag: "areas",
			Summary: "导出辖区树", Query: []apiParam{{"format", "string", "csv (default) or xlsx"}}, Produces: mimeCSV},
		{Method: "POST", Path: "/api/v1/areas/boundaries", Cap: auth.CapAreaAdmin, Handler: s.handleBoundariesAPI, Tag: "areas",
			Summary: "导入辖区边界", Description: "A GeoJSON file (multipart field file, or the raw body). 422 with the report when refused.",
			Upload: "file", Response: area.BoundaryReport{}},
		{Method: "POST", Path: "/api/v1/areas", Cap: auth.CapAreaAdmin, Handler: s.handleAreaAddAPI, Tag: "areas",
			Summary: "新增辖区", Request: areaAddRequest{}, Response: areaBody{}, Status: http.StatusCreated},
		{Method: "PATCH", Path: "/api/v1/areas/{id}", Cap: auth.CapAreaAdmin, Handler: s.handleAreaEditAPI, Tag: "areas",
			Summary: "修改辖区", Request: area.NodeInput{}, Response: areaBody{}},
		{Method: "POST", Path: "/api/v1/areas/{id}/move", Cap: auth.CapAreaAdmin, Handler: s.handleAreaMoveAPI, Tag: "areas",
			Summary: "调整上级", Request: areaMoveBody{}, Response: areaBody{}},
		{Method: "POST", Path: "/api/v1/areas/{id}/merge", Cap: auth.CapAreaAdmin, Handler: s.handleAreaMergeAPI, Tag: "areas",
			Summary: "合并辖区", Request: areaMergeBody{}, Response: area.MergeReport{}},
		{Method: "POST", Path: "/api/v1/areas/{id}/retire", Cap: auth.CapAreaAdmin, Handler: s.handleAreaRetireAPI, Tag: "areas",
			Summary: "撤销辖区", Response: areaRetiredBody{}},

		{Method: "POST", Path: "/api/v1/users", Cap: auth.CapStaffManage, Handler: s.handleCreateUserAPI, Tag: "users",
			Summary: "新增用户", Description: "With generate and no password, the generated password is answered once (password).",
			Request: userCreateRequest{}, Response: userCreatedBody{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/api/v1/users/{id}", Cap: auth.CapStaffManage, Handler: s.handleUserAPI, Tag: "users",
			Summary: "用户详情", Query: []apiParam{qUnmask}, Response: auth.User{}},
		{Method: "PATCH", Path: "/api/v1/users/{id}", Cap: auth.CapStaffManage, Handler: s.handleUpdateUserAPI, Tag: "users",
			Summary: "修改用户", Request: auth.UserUpdate{}, Response: auth.User{}},
		{Method: "POST", Path: "/api/v1/users/{id}/disable", Cap: auth.CapStaffManage, Handler: s.handleDisableUserAPI, Tag: "users",
			Summary: "停用用户", Response: userDisabledBody{}},
		{Method: "POST", Path: "/api/v1/users/{id}/enable", Cap: auth.CapStaffManage, Handler: s.handleEnableUserAPI, Tag: "users",
			Summary: "启用用户", Response: userDisabledBody{}},
		{Method: "GET", Path: "/api/v1/users/{id}/tokens", Cap: auth.CapStaffManage, Handler: s.handleUserTokensAPI, Tag: "users",
			Summary: "用户的接口令牌", Response: tokensBody{}},
		{Method: "DELETE", Path: "/api/v1/users/{id}/tokens/{token}", Cap: auth.CapStaffManage, Handler: s.handleRevokeUserTokenAPI, Tag: "users",
			Summary: "吊销接口令牌", Response: revokedBody{}},

		{Method: "POST", Path: "/api/v1/units", Cap: auth.CapUnitAdmin, Handler: s.handleCreateUnitAPI, Tag: "units",
			Summary: "新增成员单位", Request: partner.UnitInput{}, Response: unitBody{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/api/v1/units/{id}", Cap: auth.CapUnitAdmin, Handler: s.handleUnitAPI, Tag: "units",
			Summary: "成员单位详情", Query: []apiParam{qUnmask}, Response: unitBody{}},
		{Method: "PATCH", Path: "/api/v1/units/{id}", Cap: auth.CapUnitAdmin, Handler: s.handleUpdateUnitAPI, Tag: "units",
			Summary: "修改成员单位", Description: "Fields left out keep their value.", Request: partner.UnitInput{}, Response: unitBody{}},
		{Method: "POST", Path: "/api/v1/units/{id}/retire", Cap: auth.CapUnitAdmin, Handler: s.handleRetireUnitAPI, Tag: "units",
			Summary: "撤销成员单位", Description: "Retires the unit and disables its users.", Response: unitRetiredBody{}},
		{Method: "POST", Path: "/api/v1/units/{id}/reactivate", Cap: auth.CapUnitAdmin, Handler: s.handleReactivateUnitAPI, Tag: "units",
			Summary: "恢复成员单位", Response: unitReactivatedBody{}},
		{Method: "POST", Path: "/api/v1/units/{id}/contacts", Cap: auth.CapUnitAdmin, Handler: s.handleAddContactAPI, Tag: "units",
			Summary: "新增联系人", Request: partner.ContactInput{}, Response: partner.Contact{}, Status: http.StatusCreated},
		{Method: "DELETE", Path: "/api/v1/units/{id}/contacts/{contact}", Cap: auth.CapUnitAdmin, Handler: s.handleDeleteContactAPI, Tag: "units",
			Summary: "删除联系人", Response: deletedBody{}},

		{Method: "GET", Path: "/api/v1/settings", Cap: auth.CapSettingsAdmin, Handler: s.handleSettingsAPI, Tag: "settings",
			Summary: "系统设置", Response: settingsDoc{}},
		{Method: "PUT", Path: "/api/v1/settings", Cap: auth.CapSettingsAdmin, Handler: s.handleSettingsPut, Tag: "settings",
			Summary: "修改系统设置", Description: "Values by key; 422 {error, code: invalid_settings, fields, request_id} when a value is refused.",
			Request: settingsPut{}, Response: settingsChangedBody{}},
	}
}
