package investigation_test

import (
	"context"
	"testing"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/domain"
	inv "github.com/fanzha/fanzha/internal/investigation"
)

// Merge and un-merge: the series' totals count each case's loss and each
// suspect exactly once (a suspect on two cases of the series is one
// person); un-merging takes the case's loss and suspects out again and
// keeps it in the history; the refusals keep a series one level deep.
func TestSeriesMergeUnmerge(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		p, a, b, other := w.newCase(t, d, w.vA, t0), w.newCase(t, d, w.vA, t0), w.newCase(t, d, w.vB, t0), w.newCase(t, d, w.vA, t0)
		s1, err := inv.AddSuspect(ctx, d, w.root, w.inv2, p, inv.SuspectInput{Name: "甲", Role: inv.Organiser}, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := inv.LinkSuspect(ctx, d, w.root, w.inv2, s1, a, now); err != nil {
			t.Fatal(err)
		}
		if _, err := inv.AddSuspect(ctx, d, w.root, w.inv2, b, inv.SuspectInput{Name: "乙", Role: inv.Mule}, now); err != nil {
			t.Fatal(err)
		}
		totals := func(id int64, cases int, loss int64, suspects int) inv.Series {
			t.Helper()
			s, err := inv.SeriesOf(ctx, d, w.root, id)
			if err != nil {
				t.Fatal(err)
			}
			if s.ParentID != p || s.Cases != cases || s.LossFen != loss || s.Suspects != suspects {
				t.Fatalf("series of %d: parent %d, %d cases, loss %d, %d suspects; want %d, %d, %d, %d", id, s.ParentID, s.Cases, s.LossFen, s.Suspects,
					p, cases, loss, suspects)
			}
			return s
		}
		for _, c := range []struct {
			name   string
			parent int64
			kids   []int64
			reason string
			kind   error
			words  string
		}{
			{"no reason", p, []int64{a}, "", domain.ErrInvalid, "串并理由"},
			{"parent itself", p, []int64{p}, "同伙", domain.ErrInvalid, "不能包含主案"},
			{"twice in one request", p, []int64{a, a}, "同伙", domain.ErrInvalid, "不能重复"},
			{"ok", p, []int64{a, b}, "同一团伙", nil, ""},
			{"member again", other, []int64{a}, "同伙", domain.ErrConflict, "已在一个系列案中"},
			{"member as parent", a, []int64{other}, "同伙", domain.ErrConflict, "已并入其他系列案"},
			{"parent into another", other, []int64{p}, "同伙", domain.ErrConflict, "是另一系列案的主案"},
		} {
			err := inv.Merge(ctx, d, w.root, w.inv2, c.parent, c.kids, c.reason, now)
			if c.kind == nil && err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			wantErr(t, err, c.kind, c.words)
		}
		wantErr(t, inv.Merge(ctx, d, w.stA, w.inv, other, []int64{b}, "同伙", now), domain.ErrNotFound, "")
		wantErr(t, inv.Merge(ctx, d, w.stA, w.diss, other, []int64{p}, "同伙", now), domain.ErrForbidden, "无权")

		totals(p, 3, 300000, 2)
		totals(a, 3, 300000, 2) // a member finds its series
		wantErr(t, inv.Unmerge(ctx, d, w.root, w.inv2, other, "误串", now), domain.ErrConflict, "不在任何系列案中")
		if err := inv.Unmerge(ctx, d, w.root, w.inv2, b, "并非同一团伙", now); err != nil {
			t.Fatal(err)
		}
		s := totals(p, 2, 200000, 1)
		if len(s.Members) != 1 || s.Members[0].CaseID != a || len(s.History) != 1 || s.History[0].CaseID != b || s.History[0].UnmergeNote != "并非同一团伙" {
			t.Fatalf("members %+v, history %+v", s.Members, s.History)
		}
		// Merged again, b's loss and suspect count once, not twice.
		if err := inv.Merge(ctx, d, w.root, w.inv2, p, []int64{b}, "补充证据后再次串并", now); err != nil {
			t.Fatal(err)
		}
		s = totals(p, 3, 300000, 2)
		if len(s.History) != 1 || len(s.Members) != 2 {
			t.Fatalf("members %+v, history %+v", s.Members, s.History)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM case_events WHERE kind = 'series'`); n != 7 {
			t.Fatalf("%d series lines on the timelines, want 7 (3 + 2 + 2)", n)
		}
	})
}

// Campaigns: set up at a node, seen from under and above it, tagged on
// cases in scope; the progress counts only the caller's cases.
func TestCampaigns(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		ca, cb := w.newCase(t, d, w.vA, t0), w.newCase(t, d, w.vB, t0)
		for _, c := range []struct {
			name string
			in   inv.CampaignInput
			kind error
			word string
		}{
			{"bad kind", inv.CampaignInput{Kind: "x", Name: "x", AreaID: w.root.ID}, domain.ErrInvalid, "战役类型"},
			{"no name", inv.CampaignInput{Kind: inv.Cluster, AreaID: w.root.ID}, domain.ErrInvalid, "战役名称"},
		} {
			_, err := inv.CreateCampaign(ctx, d, w.root, w.leader, c.in, now)
			wantErr(t, err, c.kind, c.word)
		}
		_, err := inv.CreateCampaign(ctx, d, w.stA, w.inv, inv.CampaignInput{Kind: inv.Cluster, Name: "x", AreaID: w.root.ID}, now)
		wantErr(t, err, domain.ErrNotFound, "")
		_, err = inv.CreateCampaign(ctx, d, w.stA, w.diss, inv.CampaignInput{Kind: inv.Cluster, Name: "x", AreaID: w.stA.ID}, now)
		wantErr(t, err, domain.ErrForbidden, "无权")
		g, err := inv.CreateCampaign(ctx, d, w.root, w.leader, inv.CampaignInput{Kind: inv.Cluster, Name: "断卡集群战役", AreaID: w.root.ID, Started: t0}, now)
		if err != nil {
			t.Fatal(err)
		}
		local, err := inv.CreateCampaign(ctx, d, w.stB, w.invB, inv.CampaignInput{Kind: inv.CitySupervis, Name: "城关督办", AreaID: w.stB.ID}, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := inv.TagCase(ctx, d, w.stA, w.inv, g, ca, true, now); err != nil {
			t.Fatal(err)
		}
		if err := inv.TagCase(ctx, d, w.stA, w.inv, g, ca, true, now); err != nil { // already: nothing more
			t.Fatal(err)
		}
		if err := inv.TagCase(ctx, d, w.stB, w.invB, g, cb, true, now); err != nil {
			t.Fatal(err)
		}
		wantErr(t, inv.TagCase(ctx, d, w.stA, w.inv, local, ca, true, now), domain.ErrNotFound, "")
		wantErr(t, inv.TagCase(ctx, d, w.stA, w.inv, g, cb, true, now), domain.ErrNotFound, "")
		if tr, err := inv.Move(ctx, d, w.stA, w.inv, inv.Request{CaseID: ca, Action: inv.Accept, At: day(1)}, now); err != nil || tr.Status != inv.StatusDone {
			t.Fatal(tr, err)
		}
		for _, c := range []struct {
			who       string
			n         int
			seen      int
			loss      int64
			accepted  int64
			campaigns int
		}{
			{"station A", 1, 1, 100000, 1, 1},
			{"county", 2, 2, 200000, 1, 2},
		} {
			scope := w.stA
			if c.who == "county" {
				scope = w.root
			}
			p, err := inv.Progress(ctx, d, scope, g)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Cases) != c.n || p.Campaign.CaseCount != int64(c.seen) || p.LossFen != c.loss || p.ByState[inv.Accepted] != c.accepted {
				t.Fatalf("%s: progress %+v", c.who, p)
			}
			list, err := inv.Campaigns(ctx, d, scope)
			if err != nil || len(list) != c.campaigns {
				t.Fatalf("%s: campaigns %+v, %v", c.who, list, err)
			}
		}
		on, err := inv.CaseCampaigns(ctx, d, w.stA, ca)
		if err != nil || len(on) != 1 || on[0].KindName != "集群战役" {
			t.Fatalf("case campaigns %+v, %v", on, err)
		}
		if err := inv.TagCase(ctx, d, w.stA, w.inv, g, ca, false, now); err != nil {
			t.Fatal(err)
		}
		if p, _ := inv.Progress(ctx, d, w.stA, g); len(p.Cases) != 0 {
			t.Fatalf("untagged case still listed: %+v", p.Cases)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM case_events WHERE case_id = ? AND kind = 'campaign'`, ca); n != 2 {
			t.Fatalf("%d campaign lines, want 2", n)
		}
	})
}
