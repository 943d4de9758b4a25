package warning

import (
	"context"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// Handing a warning to an officer of another station changes the handling
// station and the officer, never the person's place (辖区) nor the routing
// note that explains it; both stations see the warning and the new one can
// work it.
func TestHandoverKeepsPersonsPlace(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newTestCounty(t, d)
		res, err := c.intake.Submit(ctx, []Input{sample("H-1", "13800000031", "云溪县青石镇李家村3组12号")}, SubmitOptions{})
		if err != nil {
			t.Fatal(err)
		}
		id := res.Items[0].ID
		before, err := Get(ctx, d, c.root, id)
		if err != nil {
			t.Fatal(err)
		}
		if before.AreaID != c.villageA.ID || before.StationID != c.stA.ID || before.HandledAway() {
			t.Fatalf("routed: area %d station %d away %v", before.AreaID, before.StationID, before.HandledAway())
		}
		if err := Handover(ctx, d, c.actor(c.offA1), id, HandoverInput{ToUserID: c.offB.ID, Reason: "当事人在城关务工"}, c.now); err != nil {
			t.Fatal(err)
		}
		w, err := Get(ctx, d, c.root, id)
		if err != nil {
			t.Fatal(err)
		}
		if w.AreaID != c.villageA.ID || w.AreaName != before.AreaName || w.RouteReason != before.RouteReason {
			t.Fatalf("the person's place changed by handover: area %d %q reason %q (was %d %q %q)",
				w.AreaID, w.AreaName, w.RouteReason, before.AreaID, before.AreaName, before.RouteReason)
		}
		if w.StationID != c.stB.ID || w.AssigneeID != c.offB.ID {
			t.Fatalf("handling: station %d assignee %d, want %d %d", w.StationID, w.AssigneeID, c.stB.ID, c.offB.ID)
		}
		if !w.HandledAway() || w.PlaceStationID != c.stA.ID || w.PlaceStationName != "青石派出所" || w.StationName != "城关派出所" {
			t.Fatalf("place station %d %q, handling %q, away %v", w.PlaceStationID, w.PlaceStationName, w.StationName, w.HandledAway())
		}
		if tl := timeline(t, d, id); !strings.Contains(tl, "转交 城关派出所 b1（当事人属地仍为") {
			t.Fatalf("timeline:\n%s", tl)
		}
		// Both stations see it; the new one works it, the board lists it.
		if _, err := Get(ctx, d, c.stA, id); err != nil {
			t.Fatalf("the place's station lost the warning: %v", err)
		}
		if _, err := Get(ctx, d, c.stB, id); err != nil {
			t.Fatalf("the handling station cannot open the warning: %v", err)
		}
		items, err := Board(ctx, d, c.stB, BoardFilter{}, c.now)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 || items[0].ID != id || !items[0].HandledAway() {
			t.Fatalf("station B's board: %+v", items)
		}
		// Back to the centre: still the same place.
		if err := Handover(ctx, d, c.actor(c.offB), id, HandoverInput{Reason: "非本所辖区"}, c.now); err != nil {
			t.Fatal(err)
		}
		w, err = Get(ctx, d, c.root, id)
		if err != nil {
			t.Fatal(err)
		}
		if w.AreaID != c.villageA.ID || w.StationID != 0 || w.AssigneeID != 0 || !w.HandledAway() {
			t.Fatalf("back to the centre: area %d station %d assignee %d", w.AreaID, w.StationID, w.AssigneeID)
		}
	})
}
