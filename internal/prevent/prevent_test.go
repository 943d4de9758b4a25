package prevent

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/sim"
	"github.com/fanzha/fanzha/internal/zone"
)

var testNow = time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC)

func tinyPNG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{200, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func county(t *testing.T, d *db.DB) area.Node {
	t.Helper()
	auth.BcryptCost = 4
	if _, err := sim.Generate(context.Background(), d, sim.Options{Seed: 5, Now: testNow, Scale: 0.05}); err != nil {
		t.Fatal(err)
	}
	root, err := area.Root(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// A grid worker logs an event with a photo in their village; it is stored,
// audited, listed among their own events, and outside their area refused.
func TestCreateEventWithPhoto(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		county(t, d)
		u, err := auth.GetUserByName(ctx, d, "grid")
		if err != nil {
			t.Fatal(err)
		}
		p, err := auth.LoadPrincipal(ctx, d, u, "cli")
		if err != nil {
			t.Fatal(err)
		}
		who := auth.AuditFor(p, "127.0.0.1", "test")
		pic := tinyPNG(t)
		e := NewEvent{AreaID: p.Scope.ID, Kind: "door_to_door", At: testNow.Add(-time.Hour), Title: "入户宣传",
			OrganiserKind: "grid_worker", Organiser: u.DisplayName, Audience: []string{"elderly", "elderly"}, Reached: 23,
			Leaflets: 30, FraudTypes: []string{"police", "health"}}
		id, err := Create(ctx, d, p.Scope, who, e, []NewPhoto{{Name: "x/现场.png", Data: pic}}, testNow)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Get(ctx, d, p.Scope, id, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Reached != 23 || len(got.Audience) != 1 || len(got.Photos) != 1 || got.Photos[0].Name != "现场.png" ||
			got.Photos[0].ContentType != "image/png" || got.Photos[0].Size != int64(len(pic)) {
			t.Fatalf("event read back: %+v", got)
		}
		ph, data, err := PhotoData(ctx, d, p.Scope, got.Photos[0].ID, u.ID)
		if err != nil || !bytes.Equal(data, pic) || ph.EventID != id {
			t.Fatalf("photo: %v %d bytes", err, len(data))
		}
		own, err := List(ctx, d, p.Scope, Filter{CreatedBy: u.ID})
		if err != nil || len(own) == 0 || own[0].ID != id {
			t.Fatalf("own list: %v %+v", err, own)
		}
		var audits int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE object_type = 'prevention_event' AND action = 'create'`).Scan(&audits)
		if audits != 1 {
			t.Fatalf("audit lines %d", audits)
		}
		// Another village is outside the grid worker's area.
		root, _ := area.Root(ctx, d)
		vs, _ := area.ByLevel(ctx, d, root, area.Village)
		var other area.Node
		for _, v := range vs {
			if !p.Scope.Contains(v) {
				other = v
				break
			}
		}
		e.AreaID = other.ID
		if _, err := Create(ctx, d, p.Scope, who, e, nil, testNow); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("outside the area: %v", err)
		}
		// Validation: not an image, too many photos, no audience.
		e.AreaID = p.Scope.ID
		if _, err := Create(ctx, d, p.Scope, who, e, []NewPhoto{{Name: "a.png", Data: []byte("not an image")}}, testNow); !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("text as photo: %v", err)
		}
		many := make([]NewPhoto, MaxPhotos+1)
		for i := range many {
			many[i] = NewPhoto{Name: "p.png", Data: pic}
		}
		if _, err := Create(ctx, d, p.Scope, who, e, many, testNow); !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("too many photos: %v", err)
		}
		big := append(bytes.Clone(pic), make([]byte, MaxPhotoBytes)...)
		if _, err := Create(ctx, d, p.Scope, who, e, []NewPhoto{{Name: "big.png", Data: big}}, testNow); !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("too big: %v", err)
		}
		e.Audience = nil
		if _, err := Create(ctx, d, p.Scope, who, e, nil, testNow); !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("no audience: %v", err)
		}
	})
}

// Coverage agrees with a loop over the raw events, for the county and one
// station, and a new event in a missed village makes it reached.
func TestCoverageMatchesRawEvents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		root := county(t, d)
		stations, _ := area.ByLevel(ctx, d, root, area.Station)
		from, to := testNow.AddDate(0, 0, -30), testNow
		nodes, _ := area.Subtree(ctx, d, root)
		byID := map[int64]area.Node{}
		for _, n := range nodes {
			byID[n.ID] = n
		}
		type ev struct {
			area    int64
			at      int64
			kind    string
			reached int64
		}
		var evs []ev
		rows, err := d.Query(ctx, `SELECT area_id, at, kind, reached FROM prevention_events`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var e ev
			if err := rows.Scan(&e.area, &e.at, &e.kind, &e.reached); err != nil {
				t.Fatal(err)
			}
			evs = append(evs, e)
		}
		rows.Close()
		for _, scope := range []area.Node{root, stations[2]} {
			c, err := ComputeCoverage(ctx, d, scope, from, to)
			if err != nil {
				t.Fatal(err)
			}
			var events, people, villages, hit, cells, cellsHit int64
			reachedV := map[int64]bool{}
			reachedC := map[int64]bool{}
			kinds := map[string]int64{}
			for _, e := range evs {
				n := byID[e.area]
				if e.at < from.UnixMilli() || e.at >= to.UnixMilli() || !scope.Contains(n) {
					continue
				}
				events++
				people += e.reached
				kinds[e.kind]++
				switch n.Level {
				case area.Village:
					reachedV[n.ID] = true
				case area.Cell:
					reachedC[n.ID] = true
					reachedV[n.ParentID] = true
				}
			}
			for _, n := range nodes {
				if !scope.Contains(n) {
					continue
				}
				if n.Level == area.Village {
					villages++
					if reachedV[n.ID] {
						hit++
					}
				}
				if n.Level == area.Cell {
					cells++
					if reachedC[n.ID] {
						cellsHit++
					}
				}
			}
			if c.Events != events || c.People != people || c.Villages != villages || c.VillagesHit != hit || c.Cells != cells || c.CellsHit != cellsHit {
				t.Fatalf("%s: got events %d people %d villages %d/%d cells %d/%d; want %d %d %d/%d %d/%d", scope.Name,
					c.Events, c.People, c.VillagesHit, c.Villages, c.CellsHit, c.Cells, events, people, hit, villages, cellsHit, cells)
			}
			if hit == villages {
				t.Fatalf("%s: the demo county leaves some villages unreached", scope.Name)
			}
			for _, k := range c.ByKind {
				if kinds[k.Kind] != k.Events {
					t.Fatalf("kind %s: %d want %d", k.Kind, k.Events, kinds[k.Kind])
				}
			}
			var listed, stHit int64
			for _, s := range c.Stations {
				listed += int64(len(s.NotReached))
				stHit += s.VillagesHit
			}
			if listed != villages-hit || stHit != hit {
				t.Fatalf("not-reached lists hold %d, want %d", listed, villages-hit)
			}
			if c.Tree == nil || c.Tree.Villages != villages || c.Tree.VillagesHit != hit || c.Tree.Events != events {
				t.Fatalf("tree root %+v", c.Tree)
			}
		}
		// Log an event in a missed village of station 2: it becomes reached.
		c, _ := ComputeCoverage(ctx, d, stations[2], from, to)
		missed := c.Stations[0].NotReached[0]
		_, err = Create(ctx, d, root, auth.AuditEntry{Username: "test"}, NewEvent{AreaID: missed.ID, Kind: "lecture",
			At: testNow.Add(-2 * time.Hour), Title: "讲座", Audience: []string{"elderly"}, Reached: 40}, nil, testNow)
		if err != nil {
			t.Fatal(err)
		}
		c2, _ := ComputeCoverage(ctx, d, stations[2], from, to)
		if c2.VillagesHit != c.VillagesHit+1 || c2.Events != c.Events+1 || c2.People != c.People+40 {
			t.Fatalf("after the event: %d/%d events %d", c2.VillagesHit, c.VillagesHit, c2.Events)
		}
	})
}

// Each targeting row's numbers agree with a loop over the raw victims and
// events, and its explanation states them.
func TestTargetingRowsExplained(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		root := county(t, d)
		p := TargetingParams{CaseDays: 180, QuietDays: 60, Limit: 500}
		tg, err := ComputeTargeting(ctx, d, root, p, testNow, zone.Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		if len(tg.Rows) == 0 {
			t.Fatal("no targeting rows on the demo county")
		}
		nodes, _ := area.Subtree(ctx, d, root)
		byID := map[int64]area.Node{}
		for _, n := range nodes {
			byID[n.ID] = n
		}
		village := func(id int64) int64 {
			n := byID[id]
			if n.Level == area.Cell {
				return n.ParentID
			}
			if n.Level == area.Village {
				return n.ID
			}
			return 0
		}
		for _, r := range tg.Rows[:min(len(tg.Rows), 15)] {
			var victims, loss int64
			rows, err := d.Query(ctx, `SELECT v.area_id, v.birth_date, v.occupation, v.loss_fen, c.fraud_type, c.reported_at
				FROM victims v JOIN cases c ON c.id = v.case_id`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var a, l, at int64
				var birth, occ, ft string
				_ = rows.Scan(&a, &birth, &occ, &l, &ft, &at)
				if at < testNow.AddDate(0, 0, -p.CaseDays).UnixMilli() || at >= testNow.UnixMilli() || village(a) != r.VillageID || ft != r.FraudType {
					continue
				}
				age, ok := AgeAt(birth, time.UnixMilli(at), zone.Shanghai)
				if VictimGroup(age, ok, occ) == r.Group {
					victims++
					loss += l
				}
			}
			rows.Close()
			var groupEvents, typeEvents int64
			erows, _ := d.Query(ctx, `SELECT area_id, at, audience, fraud_types FROM prevention_events`)
			for erows.Next() {
				var a, at int64
				var aud, ft string
				_ = erows.Scan(&a, &at, &aud, &ft)
				if village(a) != r.VillageID || at < testNow.AddDate(0, 0, -p.QuietDays).UnixMilli() || at >= testNow.UnixMilli() ||
					!strings.Contains(","+aud+",", ","+r.Group+",") {
					continue
				}
				groupEvents++
				if strings.Contains(","+ft+",", ","+r.FraudType+",") {
					typeEvents++
				}
			}
			erows.Close()
			if r.Victims != victims || r.LossFen != loss || r.GroupEvents != groupEvents || typeEvents != 0 {
				t.Fatalf("row %d %s %s %s: got %d victims %d fen %d events; loop %d %d %d (type events %d)", r.Rank, r.Village, r.Group,
					r.FraudType, r.Victims, r.LossFen, r.GroupEvents, victims, loss, groupEvents, typeEvents)
			}
			if !strings.Contains(r.Explanation, r.Village) || !strings.Contains(r.Explanation, r.TypeName) ||
				!strings.Contains(r.Explanation, " "+itoa(victims)+" 名") {
				t.Fatalf("explanation %q", r.Explanation)
			}
		}
		// Ranked: rows without any event for the group come first.
		seenReached := false
		for _, r := range tg.Rows {
			if r.GroupEvents > 0 {
				seenReached = true
			} else if seenReached {
				t.Fatalf("row %d without events after rows with events", r.Rank)
			}
		}
	})
}

func itoa(n int64) string { return formatInt(n) }

func formatInt(n int64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// Surveys: validation and the pooled monthly figure.
func TestSurveyTrend(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		root := county(t, d)
		vs, _ := area.ByLevel(ctx, d, root, area.Village)
		who := auth.AuditEntry{Username: "test"}
		if _, err := d.Exec(ctx, `DELETE FROM awareness_surveys`); err != nil { // the demo year's surveys
			t.Fatal(err)
		}
		day := func(m, dd int) time.Time { return time.Date(2026, time.Month(m), dd, 0, 0, 0, 0, zone.Shanghai) }
		for _, s := range []NewSurvey{{vs[0].ID, day(9, 3), 200, 130, "questionnaire", ""}, {vs[1].ID, day(9, 20), 100, 80, "", ""},
			{vs[0].ID, day(10, 5), 300, 276, "phone", ""}} {
			if _, err := RecordSurvey(ctx, d, root, who, s, testNow); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := RecordSurvey(ctx, d, root, who, NewSurvey{vs[0].ID, day(10, 6), 10, 11, "", ""}, testNow); !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("aware > sample: %v", err)
		}
		tr, err := Trends(ctx, d, root, zone.Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		if len(tr.Monthly) != 2 || tr.Monthly[0].Month != "2026-09" || tr.Monthly[0].Permille != 700 || tr.Monthly[1].Permille != 920 {
			t.Fatalf("monthly %+v", tr.Monthly)
		}
		if len(tr.Areas) != 2 || len(tr.Areas[0].Surveys) != 2 || tr.Areas[0].Surveys[0].Permille != 650 {
			t.Fatalf("areas %+v", tr.Areas)
		}
	})
}
