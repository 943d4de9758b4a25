package api

import (
	"net/http"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/settings"
	"github.com/fanzha/fanzha/internal/web"
)

// settingsDoc is the JSON of GET /api/v1/settings.
type settingsDoc struct {
	Groups []settings.GroupValues `json:"groups"`
}

func (s *handler) handleSettingsAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	groups, err := s.SettingsStore.List(r.Context())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, settingsDoc{Groups: groups})
	return nil
}

// settingsPut is the body of PUT /api/v1/settings: the values to change,
// by key, as strings ("" puts a setting back to its default; for the
// secret "" keeps it, clear_secret removes it).
type settingsPut struct {
	Values      map[string]string `json:"values"`
	ClearSecret bool              `json:"clear_secret"`
}

func (s *handler) handleSettingsPut(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var body settingsPut
	if err := web.DecodeJSON(r, &body, 1<<16); err != nil {
		return err
	}
	if len(body.Values) == 0 && !body.ClearSecret {
		return web.Errorf(http.StatusBadRequest, "empty", "没有要修改的设置：请求体应为 {\"values\": {\"deadline.fund\": \"15m\"}}")
	}
	changes, err := s.SettingsStore.Save(r.Context(), s.AuditWho(r, p), body.Values, body.ClearSecret)
	if fields, ok := settings.IsValidation(err); ok {
		web.WriteJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": domain.Message(err), "code": "invalid_settings",
			"fields": fields, "request_id": web.RequestID(r.Context())})
		return nil
	}
	if err != nil {
		return err
	}
	groups, err := s.SettingsStore.List(r.Context())
	if err != nil {
		return err
	}
	if changes == nil {
		changes = []settings.Change{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"changed": changes, "groups": groups})
	return nil
}
