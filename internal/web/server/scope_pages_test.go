package server

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/prevent"
)

// The live event stream tells a station's board only about its own
// warnings: another station's warning id never reaches it.
func TestEventStreamScoped(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newWalkFixture(t, d)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", f.srv.URL+"/api/v1/events", nil)
		req.Header.Set("Authorization", "Bearer "+f.tokens["walkDiss"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		rd := bufio.NewReader(resp.Body)
		if line, _ := rd.ReadString('\n'); !strings.HasPrefix(line, "retry:") {
			t.Fatalf("stream starts with %q", line)
		}
		// Wait until the stream is subscribed.
		for i := 0; ; i++ {
			f.s.Hub.Mu.Lock()
			n := len(f.s.Hub.Subs)
			f.s.Hub.Mu.Unlock()
			if n > 0 {
				break
			}
			if i > 200 {
				t.Fatal("no subscriber")
			}
			time.Sleep(10 * time.Millisecond)
		}
		b := f.ids["warning"]
		f.s.Hub.Publish([]int64{mustInt(t, b)})             // B only: nothing is sent
		f.s.Hub.Publish([]int64{mustInt(t, b), f.warningA}) // A's id only
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				t.Fatalf("stream ended: %v", err)
			}
			if strings.HasPrefix(line, "data:") {
				if want := "data: [" + itoa(f.warningA) + "]\n"; line != want {
					t.Fatalf("event data %q, want %q", line, want)
				}
				return
			}
		}
	})
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A grid worker's home page lists the events they logged, as
// GET /api/v1/prevention/events answers them: not another worker's, even
// in the same station.
func TestGridHomeOwnEvents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newWalkFixture(t, d)
		ctx := context.Background()
		town := area.Node{ParentID: f.stA.ID, Level: area.Town, Code: "A-T", Name: "石门镇"}
		if err := area.Create(ctx, d, &town); err != nil {
			t.Fatal(err)
		}
		other := f.addUser(t, auth.NewUser{Username: "gridA2", Role: auth.RoleGrid, AreaID: f.stA.ID, Password: walkPass("gridA2")})
		var own int64
		_ = d.QueryRow(ctx, `SELECT id FROM users WHERE username = 'walkGrid'`).Scan(&own)
		for _, e := range []struct {
			user  int64
			title string
		}{{own, "自己的宣讲"}, {other, "同所他人宣讲"}} {
			if _, err := prevent.Create(ctx, d, f.stA, auth.AuditEntry{UserID: e.user}, prevent.NewEvent{AreaID: town.ID, Kind: "lecture",
				At: time.Now().Add(-time.Hour), Title: e.title, OrganiserKind: "grid_worker", Audience: []string{"elderly"}, Reached: 10}, nil, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		c := newConsoleClient(t, f.srv.URL)
		c.login("walkGrid", walkPass("walkGrid"))
		home := c.get("/")
		if home.status != 200 || !strings.Contains(home.body, "自己的宣讲") || strings.Contains(home.body, "同所他人宣讲") {
			t.Fatalf("grid home: %d, own event shown %v, other's shown %v", home.status,
				strings.Contains(home.body, "自己的宣讲"), strings.Contains(home.body, "同所他人宣讲"))
		}
		if a := f.do(t, "GET", "/api/v1/prevention/events", "walkGrid", ""); strings.Contains(a.body, "同所他人宣讲") || !strings.Contains(a.body, "自己的宣讲") {
			t.Fatalf("API: %s", a.body)
		}
	})
}

// The 两卡研判 page and GET /api/v1/intel/accounts are one query: the
// centre sees station B's mule account on both, station A's analyst on
// neither, and holder names are masked unless unmasked.
func TestIntelBusiestScoped(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newWalkFixture(t, d)
		a := f.do(t, "GET", "/api/v1/intel/accounts", "admin", "")
		if a.status != 200 || !strings.Contains(a.body, auth.MaskCard(walkMuleB)) || strings.Contains(a.body, walkHolderB) ||
			!strings.Contains(a.body, "燕**") {
			t.Fatalf("centre: %d %s", a.status, a.body)
		}
		if a := f.do(t, "GET", "/api/v1/intel/accounts?unmask=1", "admin", ""); !strings.Contains(a.body, walkMuleB) || !strings.Contains(a.body, walkHolderB) {
			t.Fatalf("centre unmasked: %s", a.body)
		}
		c := newConsoleClient(t, f.srv.URL)
		c.login("admin", "secret-admin")
		if pg := c.get("/intel"); !strings.Contains(pg.body, auth.MaskCard(walkMuleB)) || strings.Contains(pg.body, walkHolderB) {
			t.Fatalf("centre page: %.500s", pg.body)
		}
		if a := f.do(t, "GET", "/api/v1/intel/accounts?unmask=1", "walkAn", ""); a.status != 200 || strings.Contains(a.body, "9183") {
			t.Fatalf("station A: %d %s", a.status, a.body)
		}
	})
}
