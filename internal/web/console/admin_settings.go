package console

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/settings"
	"github.com/fanzha/fanzha/internal/web"
)

// 系统设置: the settings in force, where each comes from (a start-up flag,
// the console, the default), one form per group, and the change history
// from the audit log. The rules live in internal/settings.

func (s *handler) settingsRoutes() {
	m := s.Mux
	m.HandleFunc("GET /admin/settings", s.Page(auth.CapSettingsAdmin, s.handleSettingsPage))
	m.HandleFunc("POST /admin/settings/{group}", s.Page(auth.CapSettingsAdmin, s.handleSettingsForm))
}

// settingsPage is the data of admin_settings.html.
type settingsPage struct {
	Groups  []settings.GroupValues
	History []historyRow
	// Typed are the values of a refused form, shown again; Errors the
	// reason per key; Group the form they came from.
	Typed  map[string]string
	Errors map[string]string
	Group  string
}

type historyRow struct {
	At, Username, Key, Detail, IP string
}

func (s *handler) handleSettingsPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return s.renderSettings(w, r, http.StatusOK, settingsPage{}, "")
}

func (s *handler) renderSettings(w http.ResponseWriter, r *http.Request, status int, pg settingsPage, msg string) error {
	groups, err := s.SettingsStore.List(r.Context())
	if err != nil {
		return err
	}
	hist, err := settings.History(r.Context(), s.DB, 100)
	if err != nil {
		return err
	}
	pg.Groups = groups
	for _, e := range hist {
		pg.History = append(pg.History, historyRow{At: web.Local(e.At), Username: e.Username, Key: e.ObjectID, Detail: e.Detail, IP: e.IP})
	}
	s.Render(w, r, status, "admin_settings", web.Page{Title: "系统设置", Active: "/admin", Error: msg, Data: pg})
	return nil
}

// handleSettingsForm saves one group's form. A field left as it is changes
// nothing; a refused value shows the page again with the typed values and
// the reason beside the field, and nothing of the form is saved.
func (s *handler) handleSettingsForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	group := r.PathValue("group")
	known := false
	for _, g := range settings.Groups {
		known = known || g.Key == group
	}
	if !known {
		return web.Errorf(http.StatusNotFound, "not_found", "没有这组设置：%s", group)
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
	if err := r.ParseForm(); err != nil {
		return web.Errorf(http.StatusRequestEntityTooLarge, "too_large", "表单过大或无法读取（上限 64 KB）")
	}
	values := map[string]string{}
	for _, d := range settings.Defs() {
		if d.Group != group {
			continue
		}
		if d.Kind == settings.KindBool {
			// An unchecked box is not sent: the hidden field says the box was on the form.
			if _, shown := r.PostForm[d.Key+"._shown"]; shown && !s.SettingsStore.Overridden(d.Key) {
				values[d.Key] = fmt.Sprint(r.PostForm.Get(d.Key) != "")
			}
			continue
		}
		if v, ok := r.PostForm[d.Key]; ok && !s.SettingsStore.Overridden(d.Key) {
			values[d.Key] = strings.Join(v, "\n")
		}
	}
	clear := group == "webhooks" && r.PostForm.Get("clear_secret") != ""
	changes, err := s.SettingsStore.Save(r.Context(), s.AuditWho(r, p), values, clear)
	if fields, ok := settings.IsValidation(err); ok {
		pg := settingsPage{Typed: values, Errors: map[string]string{}, Group: group}
		for _, f := range fields {
			pg.Errors[f.Key] = f.Message
		}
		return s.renderSettings(w, r, http.StatusUnprocessableEntity, pg, domain.Message(err))
	}
	if err != nil {
		return err
	}
	msg := "没有改动"
	if len(changes) > 0 {
		var b bytes.Buffer
		for i, c := range changes {
			if i > 0 {
				b.WriteString("；")
			}
			fmt.Fprintf(&b, "%s：%s → %s", c.Label, c.Old, c.New)
		}
		msg = "已保存，立即生效：" + b.String()
	}
	web.RedirectFlash(w, r, "/admin/settings", msg)
	return nil
}

func init() {
	// settingid turns a setting key into an element id: deadline.fund → set-deadline-fund.
	web.Funcs["settingid"] = func(key string) string { return "set-" + strings.NewReplacer(".", "-", "_", "-").Replace(key) }
	// typed is the value to show in a field: what was typed in a refused
	// form, else the value in force.
	web.Funcs["typed"] = func(pg settingsPage, v settings.Value) string {
		if t, ok := pg.Typed[v.Key]; ok {
			return t
		}
		return v.Value
	}
}
