package warning

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// listByIDWalk is List's query as it was before the node-by-node path: the
// scope's EXISTS clause under ORDER BY w.id DESC. The reference the new
// path must match.
func listByIDWalk(t *testing.T, q db.Querier, scope area.Node, f Filter) []int64 {
	t.Helper()
	var where db.Where
	where.And(scopeClause("w", scope)).
		AndIf(f.Status != "", "w.status = ?", f.Status).
		AndIf(f.Grade != "", "w.grade = ?", f.Grade).
		AndIf(f.StationID != 0, "w.station_id = ?", f.StationID).
		Between("w.received_at", f.From, f.To).
		AndIf(f.BeforeID > 0, "w.id < ?", f.BeforeID)
	page := db.Page{Limit: f.Limit}.Clamp(100, 500)
	rows, err := q.Query(context.Background(), `SELECT w.id FROM warnings w WHERE `+where.String()+` ORDER BY w.id DESC`+page.SQL(), where.Args()...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// A county's, a station's and a village's warning lists read node by node
// on PostgreSQL (scopeNewestClause) and return the same warnings, in the
// same order, as the id walk under the scope clause — with every filter,
// a page smaller than a node's warnings, paging by id, and a warning handed
// over to the other station (seen by both stations).
func TestListSmallScopeSameRows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newTestCounty(t, d)
		var inA, inB []int64
		for i := range 7 {
			phoneSeq++
			addr := "云溪县青石镇李家村3组12号"
			if i%3 == 2 {
				addr = "云溪县城关街道新华社区5号"
			}
			in := sample("ls-"+strconv.Itoa(i), "1380000"+strconv.Itoa(2000+phoneSeq), addr)
			in.ReceivedAt = c.now.Add(-time.Duration(10-i) * time.Hour)
			if i%2 == 1 {
				in.Grade = GradeOrdinary
			}
			res, err := c.intake.Submit(ctx, []Input{in}, SubmitOptions{})
			if err != nil || res.Items[0].Status != ItemCreated {
				t.Fatalf("submit %d: %v %+v", i, err, res.Items)
			}
			if i%3 == 2 {
				inB = append(inB, res.Items[0].ID)
			} else {
				inA = append(inA, res.Items[0].ID)
			}
		}
		// Hand the newest of village A's warnings to station B: its place
		// stays in A, its handling station is B.
		handed := inA[len(inA)-1]
		if _, err := d.Exec(ctx, `UPDATE warnings SET station_id = ? WHERE id = ?`, c.stB.ID, handed); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, `UPDATE warnings SET status = 'closed' WHERE id = ?`, inA[0]); err != nil {
			t.Fatal(err)
		}
		if !useNewestByNode(d, c.stA) && d.Dialect == db.Postgres {
			t.Fatal("a station's list on PostgreSQL does not read node by node")
		}
		filters := []Filter{
			{}, {Limit: 2}, {Status: "open"}, {Status: "closed"}, {Grade: GradeOrdinary},
			{StationID: c.stB.ID}, {BeforeID: handed}, {BeforeID: handed, Limit: 1},
			{From: c.now.Add(-7 * time.Hour), To: c.now.Add(-5 * time.Hour)},
		}
		for _, scope := range []area.Node{c.root, c.stA, c.stB, c.villageA, c.villageB} {
			for _, f := range filters {
				got, err := List(ctx, d, scope, f)
				if err != nil {
					t.Fatal(err)
				}
				ids := []int64{}
				for _, w := range got {
					ids = append(ids, w.ID)
				}
				if want := listByIDWalk(t, d, scope, f); !slices.Equal(ids, want) {
					t.Errorf("%s %+v: list %v, id walk %v", scope.Name, f, ids, want)
				}
			}
		}
		// What a user sees: station B's list holds its own warnings and the
		// one handed over to it, newest first.
		got, err := List(ctx, d, c.stB, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		want := append(slices.Clone(inB), handed)
		slices.Sort(want)
		slices.Reverse(want)
		ids := []int64{}
		for _, w := range got {
			ids = append(ids, w.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(want) {
			t.Errorf("station B's list %v, want %v", ids, want)
		}
	})
}
