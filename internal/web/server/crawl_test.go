package server

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/crawl"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/intel"
	"github.com/fanzha/fanzha/internal/sim"
	"github.com/fanzha/fanzha/internal/web"
)

// TestCrawlEveryRole signs in as every role of a generated demo county and
// follows every same-site link and form action reachable from the home
// page and the navigation (crawl.Client.Crawl). It fails on any link or
// form a role is shown but cannot use (403, 404, 405, 5xx), and on Latin
// words in the visible text of any page outside the allow-list
// (crawl.Allowed: acronyms, units, numbers, case numbers). New pages are
// covered as soon as something links to them.
func TestCrawlEveryRole(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a demo county")
	}
	ctx := context.Background()
	d := dbtest.SQLite(t)
	auth.BcryptCost = 4
	now := time.Now().UTC()
	if _, err := sim.Generate(ctx, d, sim.Options{Seed: 20261, Now: now, Scale: 0.03}); err != nil {
		t.Fatal(err)
	}
	if _, err := intel.RescoreAll(ctx, d, now); err != nil {
		t.Fatal(err)
	}
	twoFactorOptional(t, d)
	s := New(web.Config{DB: d, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), DataDir: t.TempDir()})
	s.SetReady(true)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	logins, err := sim.DemoLogins(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	roles := map[auth.Role]bool{}
	for _, l := range logins {
		roles[l.Role] = true
		t.Run(string(l.Role), func(t *testing.T) {
			c, err := crawl.Login(ctx, srv.URL, l.Username, l.Password)
			if err != nil {
				t.Fatal(err)
			}
			res, err := c.Crawl(ctx, crawl.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Pages) < 3 {
				t.Fatalf("only %d pages reached", len(res.Pages))
			}
			for _, dd := range res.Dead {
				t.Errorf("dead: %s", dd)
			}
			words := map[string]string{} // word → first page
			for _, p := range res.Pages {
				for _, txt := range p.Text {
					for _, w := range crawl.EnglishWords(txt) {
						if _, ok := words[w]; !ok {
							words[w] = p.URL + " 「" + clip(txt, 120) + "」"
						}
					}
				}
			}
			keys := make([]string, 0, len(words))
			for w := range words {
				keys = append(keys, w)
			}
			sort.Strings(keys)
			for _, w := range keys {
				t.Errorf("English %q on %s", w, words[w])
			}
			t.Logf("%s: %d pages, %d forms probed", l.Role, len(res.Pages), res.Forms)
		})
	}
	for _, r := range []auth.Role{auth.RoleAdmin, auth.RoleDuty, auth.RoleDissuader, auth.RoleAnalyst, auth.RoleInvestigator, auth.RoleLeader, auth.RolePartner, auth.RoleGrid} {
		if !roles[r] {
			t.Errorf("the demo county has no login for %s: the crawl misses a role", r)
		}
	}
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func TestEnglishWords(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
	}{
		{"没有一个映射（card-flag, account-split, finbench-transfer, signed）", "card-flag account-split finbench-transfer signed"},
		{"zip: not a valid zip file", "zip not valid zip file"},
		{"详见 docs/TRACE.md", "docs/TRACE.md"},
		{"POST /api/v1/partner/requests", "POST api/v1/partner/requests"},
		{"sent freeze case 602 account", "sent freeze case account"},
		{"案件 AJ2026000123 损失 1.5万元，导出 Excel、CSV，ID 4301*************5，15km", ""},
		{"两步验证（TOTP）扫描 QR 码，GeoJSON 边界，HTTP 502", ""},
	} {
		got := strings.Join(crawl.EnglishWords(tc.in), " ")
		if got != tc.want {
			t.Errorf("EnglishWords(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// The benchmark-only FinBench mapping is not offered to officers; the
// built-in mappings carry Chinese names.
func TestStatementMappingsForOfficers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.addUser(t, auth.NewUser{Username: "inv", Role: auth.RoleInvestigator, AreaID: f.root.ID, Password: "secret-inv"})
		c := newConsoleClient(t, f.srv.URL)
		c.login("inv", "secret-inv")
		a := c.get("/statements")
		if a.status != 200 {
			t.Fatalf("/statements: %d", a.status)
		}
		for _, bad := range []string{"FinBench", "finbench", ">card-flag<", ">account-split<"} {
			if strings.Contains(a.body, bad) {
				t.Errorf("/statements shows %q", bad)
			}
		}
		for _, want := range []string{"借贷标志格式", "收支分列格式", "带符号金额格式"} {
			if !strings.Contains(a.body, want) {
				t.Errorf("/statements lacks %q", want)
			}
		}
	})
}
