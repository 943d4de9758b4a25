package warning

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
)

var phoneSeq int

// submitAt stores one warning of grade g with amount at station A's
// village, received ago before the county's clock.
func (c *testCounty) submitAt(t *testing.T, ref string, g Grade, amountFen int64, ago time.Duration) int64 {
	t.Helper()
	phoneSeq++
	in := sample(ref, "1390000"+strconv.Itoa(1000+phoneSeq), "云溪县青石镇李家村3组12号")
	in.Grade, in.AmountFen, in.ReceivedAt = g, amountFen, c.now.Add(-ago)
	res, err := c.intake.Submit(context.Background(), []Input{in}, SubmitOptions{})
	if err != nil || res.Items[0].Status != ItemCreated {
		t.Fatalf("submit %s: %v %+v", ref, err, res.Items)
	}
	return res.Items[0].ID
}

// contacted records a reached contact on id by officer u, as the API does.
func (c *testCounty) contacted(t *testing.T, u auth.User, id int64) {
	t.Helper()
	if err := RecordContact(context.Background(), c.d, DefaultPolicy(), c.actor(u), id, ContactInput{Method: "call", Result: "reached"}, c.now); err != nil {
		t.Fatal(err)
	}
}

func waitingIDs(items []BoardItem) []int64 {
	out := []int64{}
	for _, it := range items {
		if it.Waiting {
			out = append(out, it.ID)
		}
	}
	return out
}

// The duty board, an officer's 「我的预警」 and 「下一条」 put waiting
// warnings in one order: the dispatch priority, not arrival.
func TestBoardMineAndNextShareTheOrder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newTestCounty(t, d)
		refs := []struct {
			g      Grade
			amount int64
			ago    time.Duration
		}{
			{GradeOrdinary, 3000_00, 40 * time.Minute}, {GradeOrdinary, 1000_00, 39 * time.Minute},
			{GradeHigh, 20000_00, 30 * time.Minute}, {GradeHigh, 5000_00, 29 * time.Minute},
			{GradeFund, 80000_00, 3 * time.Hour}, {GradeFund, 50000_00, 2 * time.Minute},
			{GradeOrdinary, 0, time.Minute}, {GradeHigh, 0, 28 * time.Minute},
		}
		for i, r := range refs {
			c.submitAt(t, "N"+string(rune('A'+i)), r.g, r.amount, r.ago)
		}
		board, err := Board(ctx, d, c.root, BoardFilter{}, c.now)
		if err != nil {
			t.Fatal(err)
		}
		all := waitingIDs(board)
		if len(all) != len(refs) {
			t.Fatalf("%d waiting rows, want %d", len(all), len(refs))
		}
		if fmtIDs(all) == fmtIDs(sortedByID(all)) {
			t.Fatalf("board in arrival order %v: the priority played no part", all)
		}
		for _, it := range board {
			if !strings.Contains(it.Why, "预计可挽回") {
				t.Fatalf("row %d has no reason: %q", it.ID, it.Why)
			}
		}
		owner := map[int64]int64{}
		for _, it := range board {
			owner[it.ID] = it.AssigneeID
		}
		for _, u := range []auth.User{c.offA1, c.offA2} {
			mine, err := Board(ctx, d, c.stA, BoardFilter{AssigneeID: u.ID}, c.now)
			if err != nil {
				t.Fatal(err)
			}
			var want []int64
			for _, id := range all {
				if owner[id] == u.ID {
					want = append(want, id)
				}
			}
			if fmtIDs(waitingIDs(mine)) != fmtIDs(want) {
				t.Fatalf("%s's warnings %v, board order says %v", u.Username, waitingIDs(mine), want)
			}
			// 「下一条」 hands the officer their warnings in the same order.
			var got []int64
			for {
				r, err := Next(ctx, d, c.actor(u), ByExpectedKept, c.now)
				if errors.Is(err, ErrNothingWaiting) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if r.Warning.AssigneeID != u.ID || r.Why == "" {
					t.Fatalf("next gave %+v", r)
				}
				got = append(got, r.Warning.ID)
				c.contacted(t, u, r.Warning.ID)
			}
			if fmtIDs(got) != fmtIDs(want) {
				t.Fatalf("%s's 下一条 sequence %v, board order %v", u.Username, got, want)
			}
		}
	})
}

// A fund warning whose officer is on another call moves to a free officer;
// an ordinary one stays; an officer's own call in progress comes back
// until a contact is recorded; two officers never take the same warning.
func TestNextReassignsAndClaimsOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newTestCounty(t, d)
		first := c.submitAt(t, "R1", GradeHigh, 10000_00, 10*time.Minute)
		w, _ := Get(ctx, d, c.root, first)
		busy, free := c.offA1, c.offA2
		if w.AssigneeID == c.offA2.ID {
			busy, free = c.offA2, c.offA1
		}
		r, err := Next(ctx, d, c.actor(busy), ByExpectedKept, c.now)
		if err != nil || r.Warning.ID != first {
			t.Fatalf("next for %s: %v %+v", busy.Username, err, r)
		}
		// Again without a contact: the same call comes back.
		if r2, err := Next(ctx, d, c.actor(busy), ByExpectedKept, c.now); err != nil || r2.Warning.ID != first || !r2.Resumed {
			t.Fatalf("second next without a contact: %v %+v", err, r2)
		}
		// Two new warnings of the busy officer's.
		fund := c.submitAt(t, "R2", GradeFund, 60000_00, time.Minute)
		ord := c.submitAt(t, "R3", GradeOrdinary, 1000_00, 20*time.Minute)
		if _, err := d.Exec(ctx, `UPDATE warnings SET assignee_id = ? WHERE id IN (?, ?)`, busy.ID, fund, ord); err != nil {
			t.Fatal(err)
		}
		r, err = Next(ctx, d, c.actor(free), ByExpectedKept, c.now)
		if err != nil || r.Warning.ID != fund || r.Warning.AssigneeID != free.ID || !strings.Contains(r.Reassigned, busy.DisplayName) {
			t.Fatalf("free officer's next: %v %+v", err, r)
		}
		c.contacted(t, free, fund)
		if r, err := Next(ctx, d, c.actor(free), ByExpectedKept, c.now); !errors.Is(err, ErrNothingWaiting) {
			t.Fatalf("the busy officer's ordinary warning moved: %v %+v", err, r)
		}
		events, err := Timeline(ctx, d, c.root, fund)
		if err != nil {
			t.Fatal(err)
		}
		said := false
		for _, e := range events {
			said = said || e.Kind == "assigned" && strings.Contains(e.Detail, "改派") && strings.Contains(e.Detail, "预计可挽回")
		}
		if !said {
			t.Fatalf("timeline does not say why it moved: %+v", events)
		}
		// Once the busy officer records the contact, their ordinary
		// warning is theirs to take next.
		c.contacted(t, busy, first)
		if r, err := Next(ctx, d, c.actor(busy), ByExpectedKept, c.now); err != nil || r.Warning.ID != ord {
			t.Fatalf("busy officer's next after the contact: %v %+v", err, r)
		}
		// Two officers asking at once for one unassigned warning: one gets it.
		c.contacted(t, busy, ord)
		lone := c.submitAt(t, "R4", GradeFund, 30000_00, time.Minute)
		if _, err := d.Exec(ctx, `UPDATE warnings SET assignee_id = NULL WHERE id = ?`, lone); err != nil {
			t.Fatal(err)
		}
		// Another station's officer never gets it.
		if r, err := Next(ctx, d, c.actor(c.offB), ByExpectedKept, c.now); !errors.Is(err, ErrNothingWaiting) {
			t.Fatalf("station B's officer was handed station A's warning: %v %+v", err, r)
		}
		var wg sync.WaitGroup
		got := make([]int64, 2)
		for i, u := range []auth.User{c.offA1, c.offA2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := Next(ctx, d, c.actor(u), ByExpectedKept, c.now)
				if err == nil {
					got[i] = r.Warning.ID
				} else if !errors.Is(err, ErrNothingWaiting) {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if (got[0] == lone) == (got[1] == lone) {
			t.Fatalf("both or neither officer got warning %d: %v", lone, got)
		}
		// Claims and reassignments kept the stored open load exact.
		checkOfficerLoad(t, d)
	})
}

func fmtIDs(ids []int64) string {
	var b strings.Builder
	for _, id := range ids {
		b.WriteString(" ")
		b.WriteString(itoa(id))
	}
	return b.String()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func sortedByID(ids []int64) []int64 {
	out := append([]int64(nil), ids...)
	slices.Sort(out)
	return out
}
