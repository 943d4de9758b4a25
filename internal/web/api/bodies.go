package api

import (
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/bulletin"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/intel"
	"github.com/fanzha/fanzha/internal/investigation"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/prevent"
	"github.com/fanzha/fanzha/internal/settings"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/web"
)

// The shapes of the request and response bodies the route table names
// (api_routes*.go) that have no type of their own elsewhere: the envelopes
// around domain lists and the small answers of actions. The OpenAPI
// document is reflected from them (openapi.go); TestOpenAPIBodiesMatch
// checks each against what its handler writes.
type (
	areasBody struct {
		Areas []area.Node `json:"areas"`
	}
	areaBody struct {
		Area area.Node `json:"area"`
	}
	areaChildrenBody struct {
		Area     area.Node   `json:"area"`
		Children []area.Node `json:"children"`
	}
	areaMoveBody struct {
		ParentID int64 `json:"parent_id"`
	}
	areaMergeBody struct {
		IntoID int64 `json:"into_id"`
	}
	areaRetiredBody struct {
		Retired int `json:"retired"`
	}
	usersBody struct {
		Users []auth.User `json:"users"`
	}
	userCreatedBody struct {
		User     auth.User `json:"user"`
		Password string    `json:"password,omitempty"`
	}
	userDisabledBody struct {
		ID       int64 `json:"id"`
		Disabled bool  `json:"disabled"`
	}
	tokensBody struct {
		Tokens []auth.APIToken `json:"tokens"`
	}
	revokedBody struct {
		ID      int64 `json:"id"`
		Revoked bool  `json:"revoked"`
	}
	deletedBody struct {
		ID      int64 `json:"id"`
		Deleted bool  `json:"deleted"`
	}
	unitRetiredBody struct {
		ID            int64 `json:"id"`
		Retired       bool  `json:"retired"`
		UsersDisabled int   `json:"users_disabled"`
	}
	unitReactivatedBody struct {
		ID      int64 `json:"id"`
		Retired bool  `json:"retired"`
	}
	auditBody struct {
		Entries []auth.AuditEntry `json:"entries"`
	}
	settingsChangedBody struct {
		Changed []settings.Change      `json:"changed"`
		Groups  []settings.GroupValues `json:"groups"`
	}

	warningsBody struct {
		Warnings []warning.Warning `json:"warnings"`
	}
	warningTimelineBody struct {
		Events []warning.Event   `json:"events"`
		Merged []warning.Warning `json:"merged"`
	}
	boardBody struct {
		Now   time.Time           `json:"now"`
		Items []warning.BoardItem `json:"items"`
	}
	requestSentBody struct {
		RequestID int64  `json:"request_id"`
		Status    string `json:"status"`
	}
	fraudTypeBody struct {
		FraudType string `json:"fraud_type"`
	}
	warningFraudTypeBody struct {
		FraudType       string `json:"fraud_type"`
		FraudTypeSource string `json:"fraud_type_source"`
	}

	casesBody struct {
		Cases []funds.Case `json:"cases"`
	}
	caseDetailBody struct {
		funds.Case
		Related  []funds.RelatedCase     `json:"related"`
		Suspects []investigation.Suspect `json:"suspects"` // the lifecycle's suspects (internal/investigation)
		// TraceChanges: what changed in the victims and transfers since the
		// trace was last looked at (GET …/trace looks at it).
		TraceChanges funds.TraceChanges `json:"trace_changes"`
	}
	caseEventsBody struct {
		Events []funds.CaseEvent `json:"events"`
	}
	statementsImportBody struct {
		Reports []funds.ImportReport `json:"reports"`
		Failed  []web.FileFailure    `json:"failed"`
	}
	mappingsBody struct {
		Mappings []funds.Mapping `json:"mappings"`
	}
	freezesBody struct {
		Freezes []partner.FreezeRow `json:"freezes"`
	}
	freezeConfirmBody struct {
		FrozenFen int64  `json:"frozen_fen"`
		Reference string `json:"reference"`
	}
	reasonBody struct {
		Reason string `json:"reason"`
	}
	freezeFollowBody struct {
		RequestID int64  `json:"request_id"`
		Status    string `json:"status"`
		PriorID   int64  `json:"prior_id"`
	}
	freezeTermsBody struct {
		StopPayment       string   `json:"stop_payment"`
		Freeze            string   `json:"freeze"`
		RemindStopPayment []string `json:"remind_stop_payment"`
		RemindFreeze      []string `json:"remind_freeze"`
		Setting           string   `json:"setting"`
	}
	noticeBody struct {
		StartsAt time.Time `json:"starts_at,omitzero"`
	}
	objectionBody struct {
		Objector string `json:"objector"`
		Text     string `json:"text"`
	}
	objectionCreatedBody struct {
		ObjectionID int64 `json:"objection_id"`
		PlanID      int64 `json:"plan_id"`
	}
	resolutionBody struct {
		Resolution string `json:"resolution"`
	}
	objectionResolvedBody struct {
		ObjectionID int64  `json:"objection_id"`
		Status      string `json:"status"`
	}

	intelWatchBody struct {
		Items []intel.Scored `json:"items"`
	}
	intelAccountsBody struct {
		Items []intel.AccountActivity `json:"items"`
	}
	intelOutletsBody struct {
		Items []intel.Outlet `json:"items"`
	}
	intelFitBody struct {
		Weights intel.Weights   `json:"weights"`
		Report  intel.FitReport `json:"report"`
		Saved   bool            `json:"saved"`
	}
	intelWeightsBody struct {
		Weights  intel.Weights       `json:"weights"`
		Features []intel.FeatureInfo `json:"features"`
	}
	storedBody struct {
		Stored int `json:"stored"`
	}
	intelGroupsBody struct {
		Items []web.GroupSummary `json:"items"`
		Hubs  []web.HubView      `json:"hubs"`
	}
	linkedCasesBody struct {
		CaseID int64        `json:"case_id"`
		Linked []linkedCase `json:"linked"`
	}

	preventionOptionsBody struct {
		Kinds          []prevent.Option `json:"kinds"`
		Audiences      []prevent.Option `json:"audiences"`
		OrganiserKinds []prevent.Option `json:"organiser_kinds"`
		FraudTypes     []prevent.Option `json:"fraud_types"`
		Places         []area.Node      `json:"places"`
		Limits         map[string]any   `json:"limits"`
	}
	preventionEventsBody struct {
		Events []prevent.Event `json:"events"`
	}
	bulletinRunsBody struct {
		Runs []bulletin.Run `json:"runs"`
	}
	scheduleBody struct {
		DailyHour int `json:"daily_hour"`
	}
)
