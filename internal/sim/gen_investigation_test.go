package sim

import (
	"context"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/investigation"
	"github.com/fanzha/fanzha/internal/zone"
)

// The demo county's cases are spread over the lifecycle, their suspects
// have dispositions, and the year's strike figures are alive: every month
// solves cases and strikes people, some cases are gangs, a few steps wait
// for the leader. The coarse case status agrees with the lifecycle.
func TestGeneratedInvestigation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		auth.BcryptCost = 4
		if _, err := Generate(ctx, d, Options{Seed: 7, Now: testNow, Scale: 0.4}); err != nil {
			t.Fatal(err)
		}
		root, err := area.Root(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		counts, err := investigation.StateCounts(ctx, d, root)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range investigation.States {
			if counts[s] == 0 {
				t.Errorf("no case is %s: %v", investigation.StateName(s), counts)
			}
		}
		var bad int
		for _, s := range investigation.States {
			var n int
			if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM cases c LEFT JOIN case_states s ON s.case_id = c.id
				WHERE COALESCE(s.state, 'reported') = ? AND c.status <> ?`, string(s), s.Coarse()).Scan(&n); err != nil {
				t.Fatal(err)
			}
			bad += n
		}
		if bad != 0 {
			t.Errorf("%d cases whose status disagrees with their lifecycle state", bad)
		}
		pend, err := investigation.PendingApprovals(ctx, d, root)
		if err != nil || len(pend) == 0 {
			t.Errorf("no step waits for the leader (%v)", err)
		}
		// Every solved case has a disposed suspect (the rule holds in the data).
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM case_states s WHERE s.state IN ('solved', 'prosecuted', 'closed')
			AND EXISTS (SELECT 1 FROM case_transitions t WHERE t.case_id = s.case_id AND t.action = 'solve' AND t.status = 'done')
			AND NOT EXISTS (SELECT 1 FROM suspect_dispositions d WHERE d.case_id = s.case_id)`).Scan(&bad); err != nil || bad != 0 {
			t.Errorf("%d solved cases without a disposed suspect (%v)", bad, err)
		}
		var shared int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT suspect_id FROM suspect_cases GROUP BY suspect_id HAVING COUNT(*) > 1) x`).Scan(&shared); err != nil {
			t.Fatal(err)
		}
		if shared == 0 {
			t.Errorf("no suspect is on two cases")
		}
		// Each of the last six full months has strike results.
		var year investigation.StrikeCounts
		first := time.Date(testNow.In(zone.Shanghai).Year(), testNow.In(zone.Shanghai).Month(), 1, 0, 0, 0, 0, zone.Shanghai)
		for m := 1; m <= 6; m++ {
			from := first.AddDate(0, -m, 0)
			s, err := investigation.StrikeIn(ctx, d, root, investigation.Window{From: from, To: from.AddDate(0, 1, 0)})
			if err != nil {
				t.Fatal(err)
			}
			if s.Filed == 0 || s.Solved == 0 || s.Criminal == 0 || s.Administrative == 0 || s.Caught == 0 {
				t.Errorf("%s: %+v", from.Format("2006-01"), s)
			}
		}
		year, err = investigation.StrikeIn(ctx, d, root, investigation.Window{From: testNow.AddDate(-1, 0, 0), To: testNow})
		if err != nil {
			t.Fatal(err)
		}
		if year.Gangs == 0 || year.ByRole[investigation.Mule] == 0 || year.ByRole[investigation.Organiser] == 0 {
			t.Errorf("the year: %+v", year)
		}
		// The work around the cases (gen_casework.go): series of cases
		// sharing a suspect, the 集群战役 with cases and progress, tasks of
		// which some are overdue.
		var series, members int
		if err := d.QueryRow(ctx, `SELECT COUNT(DISTINCT parent_id), COUNT(*) FROM case_series WHERE unmerged_at IS NULL`).Scan(&series, &members); err != nil {
			t.Fatal(err)
		}
		if series == 0 || members < series {
			t.Errorf("%d series of %d merged cases", series, members)
		}
		campaigns, err := investigation.Campaigns(ctx, d, root)
		if err != nil || len(campaigns) != 2 {
			t.Fatalf("campaigns %+v, %v", campaigns, err)
		}
		for _, g := range campaigns {
			p, err := investigation.Progress(ctx, d, root, g.ID)
			if err != nil || len(p.Cases) == 0 {
				t.Errorf("campaign %s: %+v, %v", g.Name, p, err)
			}
			if g.Kind == investigation.Cluster && (p.Caught == 0 || p.Solved == 0) {
				t.Errorf("集群战役 shows no progress: %+v", p)
			}
		}
		var tasks, overdue int
		if err := d.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN due_at < ? THEN 1 ELSE 0 END), 0) FROM case_tasks WHERE done_at IS NULL`,
			testNow.UnixMilli()).Scan(&tasks, &overdue); err != nil {
			t.Fatal(err)
		}
		if tasks == 0 || overdue == 0 || overdue == tasks {
			t.Errorf("%d open tasks, %d overdue", tasks, overdue)
		}
		t.Logf("the year's strike figures: %+v; cases per state %v; %d series of %d merged cases; %d tasks, %d overdue",
			year, counts, series, members, tasks, overdue)
	})
}
