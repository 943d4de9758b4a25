package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/web"
)

// The jurisdiction walk (its fixture is in scope_walk_fixture_test.go, its
// route tables in scope_walk_routes_test.go): every route the server
// registers, called by station A's officers with station B's ids.

// recordTables are the tables holding the stations' records: the walk's
// writes must leave them as they were.
var recordTables = []string{"warnings", "warning_events", "contacts", "cases", "case_events", "case_transfers", "case_party_changes", "case_accounts",
	"victims", "accounts", "partner_requests", "return_plans", "return_objections", "return_payments", "prevention_events",
	"prevention_photos", "awareness_surveys", "duty_shifts", "roster_leave", "roster_patterns", "intel_labels", "areas",
	"units", "unit_contacts", "unit_webhooks", "joint_tasks", "joint_task_notes", "fraudtype_labels", "users",
	"case_states", "case_transitions", "suspects", "suspect_numbers", "suspect_cases", "suspect_dispositions",
	"instructions", "instruction_reports", "followups", "consultations", "app_registrations",
	"supervision_tasks"}

// snapshotQuery reads a table for the snapshot; users only by what a
// write could change (signing in updates the rest).
func snapshotQuery(table string) string {
	if table == "users" {
		return `SELECT id, username, display_name, role, area_id, phone, disabled_at FROM users`
	}
	return `SELECT * FROM ` + table
}

func snapshot(t *testing.T, d *db.DB) map[string][]string {
	t.Helper()
	ctx := context.Background()
	out := map[string][]string{}
	for _, tb := range recordTables {
		rows, err := d.Query(ctx, snapshotQuery(tb))
		if err != nil {
			t.Fatalf("snapshot %s: %v", tb, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for i, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, "%s=%v;", cols[i], v)
			}
			out[tb] = append(out[tb], b.String())
		}
		rows.Close()
		sort.Strings(out[tb])
	}
	return out
}

func TestScopeWalk(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newWalkFixture(t, d)
		patterns := f.s.Mux.RoutePatterns()
		var reads, writes, creates []string
		for _, p := range patterns {
			method, _, _ := strings.Cut(p, " ")
			switch {
			case walkSkip[p] != "":
			case walkGet[p] != nil:
				reads = append(reads, p)
			case method == "GET" || !strings.Contains(p, " "):
				t.Errorf("unknown route %q, add it to the walk (walkGet or walkSkip in scope_walk_test.go)", p)
			case walkCreate[p] != "":
				creates = append(creates, p)
			case walkNoID[p]:
			case strings.Contains(p, "{"):
				if _, ok := f.fillWrite(t, p); !ok {
					t.Errorf("unknown route %q, add it to the walk (its path value needs a kind in walkWriteIDs)", p)
					continue
				}
				writes = append(writes, p)
			default:
				t.Errorf("unknown route %q, add it to the walk (walkNoID in scope_walk_test.go)", p)
			}
		}
		for p := range walkGet {
			if !contains(patterns, p) {
				t.Errorf("walkGet lists %q, which is not registered", p)
			}
		}
		if t.Failed() {
			return
		}
		// The control: the centre sees station B's records, so the walk
		// below can find them where they are shown.
		admin := newConsoleClient(t, f.srv.URL)
		admin.login("admin", "secret-admin")
		shown := map[string]bool{}
		f.walkReads(t, admin, "admin", reads, func(p, path string, status int, body string) {
			if len(f.leaks(body)) > 0 {
				shown[p] = true
			}
		})
		for _, p := range walkControl {
			if !shown[p] {
				t.Errorf("control: the centre does not see station B's records on %s: the fixture or the detector is broken", p)
			}
		}
		before := snapshot(t, d)
		for _, user := range f.roles {
			c := newConsoleClient(t, f.srv.URL)
			c.login(user, walkPass(user))
			csrf := c.csrf()
			ok := 0
			f.walkReads(t, c, user, reads, func(p, path string, status int, body string) {
				if status == http.StatusOK {
					ok++
				}
				if l := f.leaks(body); len(l) > 0 {
					t.Errorf("%s: GET %s (%d) shows station B's %q", user, path, status, l)
				}
				if status >= 500 {
					t.Errorf("%s: GET %s: %d %.300s", user, path, status, body)
				}
			})
			if ok < 10 {
				t.Errorf("%s: only %d pages answered 200: is the user signed in?", user, ok)
			}
			for _, p := range writes {
				method, _, _ := strings.Cut(p, " ")
				path, _ := f.fillWrite(t, p)
				status, body := f.write(t, c, csrf, user, method, path, walkBody[p])
				if status != http.StatusForbidden && status != http.StatusNotFound {
					t.Errorf("%s: %s %s on station B's record: %d, want 403 or 404: %.300s", user, method, path, status, body)
				}
				if l := f.leaks(body); len(l) > 0 {
					t.Errorf("%s: %s %s shows station B's %q", user, method, path, l)
				}
			}
			for _, p := range creates {
				method, path, _ := strings.Cut(p, " ")
				status, body := f.write(t, c, csrf, user, method, path, walkCreate[p])
				refused := status == http.StatusForbidden || status == http.StatusNotFound ||
					(status == http.StatusUnprocessableEntity && strings.Contains(body, "辖区"))
				if !refused {
					t.Errorf("%s: %s %s naming station B: %d, want 403, 404 or 422 naming the jurisdiction: %.300s", user, method, path, status, body)
				}
				if l := f.leaks(body); len(l) > 0 {
					t.Errorf("%s: %s %s shows station B's %q", user, method, path, l)
				}
			}
		}
		after := snapshot(t, d)
		for _, tb := range recordTables {
			if strings.Join(before[tb], "\n") != strings.Join(after[tb], "\n") {
				t.Errorf("the walk's writes changed table %s:\nbefore %v\nafter  %v", tb, before[tb], after[tb])
			}
		}
	})
}

// walkControl are routes on which the centre must see station B's
// records: proof that the fixture reaches every kind of page the walk
// checks.
var walkControl = []string{"GET /api/v1/warnings/{id}", "GET /warnings/{id}", "GET /api/v1/warnings", "GET /warnings",
	"GET /api/v1/cases/{id}", "GET /cases/{id}", "GET /cases", "GET /intel", "GET /api/v1/intel/accounts",
	"GET /api/v1/intel/watch", "GET /intel/accounts/{id}", "GET /api/v1/freezes", "GET /freezes", "GET /cases/{id}/returns",
	"GET /api/v1/cases/{id}/returns.xlsx", "GET /prevention", "GET /api/v1/prevention/events/{id}", "GET /statements",
	"GET /admin/users", "GET /admin/roster", "GET /api/v1/warnings/{id}/timeline", "GET /api/v1/intel/graph/expand",
	"GET /api/v1/cases/{id}/lifecycle", "GET /api/v1/cases/{id}/suspects", "GET /api/v1/suspects/{id}", "GET /api/v1/approvals",
	"GET /api/v1/instructions/pending", "GET /api/v1/warnings/{id}/instruction", "GET /instructions", "GET /api/v1/consultations",
	"GET /consultations", "GET /api/v1/supervision/tasks", "GET /league",
	"GET /cases/{id}/summary"}

// write sends a write as user: to the API with the user's token and the
// body as JSON ("{}" when empty), to a page with the console session and
// the body as a form with the CSRF token.
func (f *walkFixture) write(t *testing.T, c *consoleClient, csrf, user, method, path, body string) (int, string) {
	t.Helper()
	if strings.HasPrefix(path, "/api/") {
		b := "{}"
		if body != "" {
			b = f.fill(t, body)
		}
		a := f.do(t, method, path, user, b)
		return a.status, a.body
	}
	form, err := url.ParseQuery(f.fill(t, body))
	if err != nil {
		t.Fatal(err)
	}
	form.Set("csrf_token", csrf)
	a := c.post(path, form)
	return a.status, a.body
}

// walkReads makes every read of the walk as user (pages with the console
// session, the API with the user's token), each also with ?unmask=1.
func (f *walkFixture) walkReads(t *testing.T, c *consoleClient, user string, reads []string, check func(p, path string, status int, body string)) {
	t.Helper()
	for _, p := range reads {
		for _, tmpl := range walkGet[p] {
			u := f.fill(t, tmpl)
			sep := "?"
			if strings.Contains(u, "?") {
				sep = "&"
			}
			for _, path := range []string{u, u + sep + "unmask=1"} {
				if strings.HasPrefix(path, "/api/") {
					a := f.do(t, "GET", path, user, "")
					check(p, path, a.status, a.body)
				} else {
					a := c.get(path)
					check(p, path, a.status, a.body)
				}
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The walk fails on a route it does not know.
func TestScopeWalkKnowsEveryRoute(t *testing.T) {
	s := New(web.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	s.Mux.HandleFunc("GET /api/v1/brand-new", func(http.ResponseWriter, *http.Request) {})
	var unknown []string
	for _, p := range s.Mux.RoutePatterns() {
		method, _, _ := strings.Cut(p, " ")
		known := walkSkip[p] != "" || walkGet[p] != nil || walkNoID[p] || walkCreate[p] != "" || (method != "GET" && strings.Contains(p, "{"))
		if !known {
			unknown = append(unknown, p)
		}
	}
	if len(unknown) != 1 || unknown[0] != "GET /api/v1/brand-new" {
		t.Fatalf("unknown routes: %v", unknown)
	}
}
