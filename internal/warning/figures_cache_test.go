package warning_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/sim"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/zone"
)

// cacheCounty generates a county whose history ends now by the real clock,
// so the triggers' "older than 24 hours" and the cache's closed days are the
// ones a running server sees.
func cacheCounty(t *testing.T, d *db.DB) (time.Time, []area.Node) {
	t.Helper()
	ctx := context.Background()
	auth.BcryptCost = 4
	now := time.Now().UTC()
	if _, err := sim.Generate(ctx, d, sim.Options{Seed: 7, Now: now, Scale: 0.05}); err != nil {
		t.Fatal(err)
	}
	root, err := area.Root(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	stations, err := area.ByLevel(ctx, d, root, area.Station)
	if err != nil {
		t.Fatal(err)
	}
	villages, err := area.ByLevel(ctx, d, stations[1], area.Village)
	if err != nil || len(villages) == 0 {
		t.Fatalf("villages of %s: %v", stations[1].Name, err)
	}
	return now, []area.Node{root, stations[1], villages[0]}
}

// periods are the ones the console asks for, and a few that cut days.
func cachePeriods(now time.Time) [][2]time.Time {
	l := now.In(zone.Shanghai)
	day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, zone.Shanghai)
	return [][2]time.Time{
		{day, now}, // 今日
		{now.AddDate(0, 0, -7), now},
		{time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, zone.Shanghai), now},
		{time.Date(l.Year(), 1, 1, 0, 0, 0, 0, zone.Shanghai), now},
		{now.AddDate(0, 0, -40).Add(3 * time.Hour), now.AddDate(0, 0, -2).Add(-5 * time.Hour)}, // closed days only, cut inside days
		{day.AddDate(0, 0, -2).Add(7 * time.Hour), now.Add(48 * time.Hour)},                    // across the cut, into the future
		{now.AddDate(-2, 0, 0), now},                                                           // older than the cache holds: read from the database
	}
}

// assertSameFigures checks the cache against ComputeFigures for every scope
// and period.
func assertSameFigures(t *testing.T, step string, c *warning.FigureCache, d *db.DB, scopes []area.Node, now time.Time) {
	t.Helper()
	ctx := context.Background()
	for _, scope := range scopes {
		for _, p := range cachePeriods(now) {
			want, err := warning.ComputeFigures(ctx, d, scope, p[0], p[1], now)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Figures(ctx, d, scope, p[0], p[1], now)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: %s %s–%s:\ncache    %+v\ncomputed %+v", step, scope.Name, p[0].In(zone.Shanghai), p[1].In(zone.Shanghai), got, want)
			}
		}
	}
}

func historyGen(t *testing.T, d *db.DB) int64 {
	t.Helper()
	g, err := db.Generations(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return g[db.GenWarningHistory]
}

// oldWarning is the id of a warning received days ago under scope.
func oldWarning(t *testing.T, d *db.DB, scope area.Node, daysAgo int, now time.Time) (int64, int64) {
	t.Helper()
	cond, arg := area.UnderClause("area_id", scope)
	var id, at int64
	err := d.QueryRow(context.Background(), `SELECT id, received_at FROM warnings WHERE `+cond+` AND received_at < ? AND status = 'closed'
		ORDER BY received_at DESC LIMIT 1`, arg, db.Millis(now.AddDate(0, 0, -daysAgo))).Scan(&id, &at)
	if err != nil {
		t.Fatal(err)
	}
	return id, at
}

// The cache gives exactly ComputeFigures on a generated county: for the
// county, a station and a village, for today, the last 7 days, the month,
// the year and periods that cut days; after a warning is added and one is
// contacted and closed today (no generation bump: today is read live); after
// a backdated change, a backdated warning and a change to a warning of 40
// days ago (the triggers bump the generation and the cache reloads); and when
// the days it holds move on (only the new days are read).
func TestFigureCacheEqualsComputeFigures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now, scopes := cacheCounty(t, d)
		c := warning.NewFigureCache(zone.Shanghai)

		// Days move on: first as of three days ago, then now.
		assertSameFigures(t, "three days ago", c, d, scopes, now.AddDate(0, 0, -3))
		assertSameFigures(t, "generated", c, d, scopes, now)

		gen := historyGen(t, d)
		in, err := warning.NewIntake(ctx, d, warning.DefaultPolicy(), nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := in.Submit(ctx, []warning.Input{{Source: warning.SourceBank, SourceRef: "FC-TODAY-1", Grade: warning.GradeFund,
			FraudType: "police", Person: warning.Person{Name: "测试", Phone: "13500001111", Age: 70, Address: "云溪县城关街道"},
			Scam: warning.ScamContact{Phone: "17000001111"}}}, warning.SubmitOptions{})
		if err != nil || res.Created != 1 {
			t.Fatalf("submit today: %+v %v", res, err)
		}
		var todayID int64
		if err := d.QueryRow(ctx, `SELECT id FROM warnings WHERE source_ref = 'FC-TODAY-1'`).Scan(&todayID); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, `UPDATE warnings SET first_contact_at = ?, status = 'closed', outcome = 'dissuaded', kept_fen = 880000 WHERE id = ?`,
			db.Millis(now)+1000, todayID); err != nil {
			t.Fatal(err)
		}
		if g := historyGen(t, d); g != gen {
			t.Fatalf("a warning of today bumped the history generation %d → %d", gen, g)
		}
		assertSameFigures(t, "added and closed today", c, d, scopes, now)

		// Backdated: a warning of ten days ago turns out defrauded, with
		// a late first contact.
		id, at := oldWarning(t, d, scopes[1], 10, now)
		if _, err := d.Exec(ctx, `UPDATE warnings SET outcome = 'defrauded', kept_fen = 0, first_contact_at = ? WHERE id = ?`, at+3_600_000, id); err != nil {
			t.Fatal(err)
		}
		if g := historyGen(t, d); g == gen {
			t.Fatal("a change to a warning of ten days ago left the history generation")
		}
		assertSameFigures(t, "backdated change", c, d, scopes, now)

		// A warning typed in today for a call of twelve days ago, open and
		// never contacted (a contact breach that counts against now).
		var areaID, stationID int64
		if err := d.QueryRow(ctx, `SELECT area_id, station_id FROM warnings WHERE id = ?`, id).Scan(&areaID, &stationID); err != nil {
			t.Fatal(err)
		}
		back := now.AddDate(0, 0, -12)
		if _, err := d.Exec(ctx, `INSERT INTO warnings (source, source_ref, received_at, grade, area_id, station_id, status, contact_due_at, onsite_due_at, created_at, updated_at)
			VALUES ('walkin', 'FC-BACK-1', ?, 'high', ?, ?, 'open', ?, ?, ?, ?)`,
			db.Millis(back), areaID, stationID, db.Millis(back)+300_000, db.Millis(back)+86_400_000, db.Millis(now), db.Millis(now)); err != nil {
			t.Fatal(err)
		}
		assertSameFigures(t, "backdated warning", c, d, scopes, now)

		// Forty days ago (before the month, inside the year when not January).
		id, _ = oldWarning(t, d, scopes[0], 40, now)
		if _, err := d.Exec(ctx, `UPDATE warnings SET status = 'merged' WHERE id = ?`, id); err != nil {
			t.Fatal(err)
		}
		assertSameFigures(t, "merged 40 days later", c, d, scopes, now)
	})
}

// Two servers on one database — two caches, each with its own connection
// pool — never serve stale figures: a backdated change made through one is
// in the other's next figures, and so is a change of today.
func TestFigureCacheTwoReplicas(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now, scopes := cacheCounty(t, d)
		d2, err := db.Open(ctx, d.DSN, "")
		if err != nil {
			t.Fatal(err)
		}
		defer d2.Close()
		a, b := warning.NewFigureCache(zone.Shanghai), warning.NewFigureCache(zone.Shanghai)
		l := now.In(zone.Shanghai)
		year := time.Date(l.Year(), 1, 1, 0, 0, 0, 0, zone.Shanghai)
		if now.Sub(year) < 20*24*time.Hour {
			year = now.AddDate(0, 0, -20)
		}
		figures := func(c *warning.FigureCache, q *db.DB) warning.Figures {
			f, err := c.Figures(ctx, q, scopes[0], year, now, now)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
		before := figures(b, d2)
		if got := figures(a, d); !reflect.DeepEqual(got, before) {
			t.Fatalf("replicas disagree before any change:\n%+v\n%+v", got, before)
		}

		// Replica A closes a warning of ten days ago as defrauded.
		id, _ := oldWarning(t, d, scopes[0], 10, now)
		var outcome string
		if err := d.QueryRow(ctx, `SELECT outcome FROM warnings WHERE id = ?`, id).Scan(&outcome); err != nil {
			t.Fatal(err)
		}
		if outcome == "defrauded" {
			t.Fatalf("warning %d already defrauded", id)
		}
		if _, err := d.Exec(ctx, `UPDATE warnings SET outcome = 'defrauded' WHERE id = ?`, id); err != nil {
			t.Fatal(err)
		}
		after := figures(b, d2)
		if after.Defrauded != before.Defrauded+1 {
			t.Fatalf("replica B after A's backdated change: defrauded %d, want %d", after.Defrauded, before.Defrauded+1)
		}
		want, err := warning.ComputeFigures(ctx, d2, scopes[0], year, now, now)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(after, want) {
			t.Fatalf("replica B:\ncache    %+v\ncomputed %+v", after, want)
		}

		// Replica A takes a warning in now: B counts it at once.
		if _, err := d.Exec(ctx, `INSERT INTO warnings (source, source_ref, received_at, grade, area_id, status, created_at, updated_at)
			VALUES ('hotline', 'FC-REPLICA-1', ?, 'fund', ?, 'open', ?, ?)`, db.Millis(now)-1000, scopes[0].ID, db.Millis(now), db.Millis(now)); err != nil {
			t.Fatal(err)
		}
		if got := figures(b, d2); got.Received != after.Received+1 || got.ByGrade[warning.GradeFund] != after.ByGrade[warning.GradeFund]+1 {
			t.Fatalf("replica B after A's new warning: received %d fund %d, want %d %d", got.Received, got.ByGrade[warning.GradeFund],
				after.Received+1, after.ByGrade[warning.GradeFund]+1)
		}
		if got, want := figures(a, d), figures(b, d2); !reflect.DeepEqual(got, want) {
			t.Fatalf("replicas disagree:\n%+v\n%+v", got, want)
		}
	})
}

// The triggers of migration 00020 bump the history generation for a change
// to a warning older than 24 hours in a column the figures read, and for
// nothing else.
func TestWarningHistoryTriggers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now, scopes := cacheCounty(t, d)
		oldID, _ := oldWarning(t, d, scopes[0], 3, now)
		var recentID int64
		if err := d.QueryRow(ctx, `SELECT id FROM warnings WHERE received_at > ? ORDER BY received_at DESC LIMIT 1`,
			db.Millis(now.Add(-20*time.Hour))).Scan(&recentID); err != nil {
			t.Fatal(err)
		}
		for i, tc := range []struct {
			name string
			sql  string
			id   int64
			bump bool
		}{
			{"recent warning, outcome", `UPDATE warnings SET outcome = 'false_alarm' WHERE id = ?`, recentID, false},
			{"old warning, a column the figures do not read", `UPDATE warnings SET score_detail = 'x' WHERE id = ?`, oldID, false},
			{"old warning, kept money", `UPDATE warnings SET kept_fen = kept_fen + 1 WHERE id = ?`, oldID, true},
			{"old warning, station", `UPDATE warnings SET station_id = NULL WHERE id = ?`, oldID, true},
			{"recent warning moved to three days ago", `UPDATE warnings SET received_at = received_at - 259200000 WHERE id = ?`, recentID, true},
			{"backdated warning inserted", `INSERT INTO warnings (source, source_ref, received_at, grade, area_id, status, created_at, updated_at)
				SELECT 'walkin', 'TRIG-1', received_at, 'high', area_id, 'open', created_at, updated_at FROM warnings WHERE id = ?`, oldID, true},
			{"backdated warning deleted", `DELETE FROM warnings WHERE source_ref = 'TRIG-1' AND id <> ?`, 0, true},
			{"warning of now inserted", `INSERT INTO warnings (source, source_ref, received_at, grade, area_id, status, created_at, updated_at)
				SELECT 'walkin', 'TRIG-2', ` + fmt.Sprint(db.Millis(now)) + `, 'high', area_id, 'open', created_at, updated_at FROM warnings WHERE id = ?`, oldID, false},
		} {
			before := historyGen(t, d)
			if _, err := d.Exec(ctx, tc.sql, tc.id); err != nil {
				t.Fatalf("%d %s: %v", i, tc.name, err)
			}
			if got := historyGen(t, d) != before; got != tc.bump {
				t.Errorf("%s: bumped %v, want %v", tc.name, got, tc.bump)
			}
		}
		// Many old rows in one transaction: one bump on PostgreSQL (once
		// per transaction), at least one on SQLite.
		before := historyGen(t, d)
		if _, err := d.Exec(ctx, `UPDATE warnings SET kept_fen = kept_fen WHERE received_at < ?`, db.Millis(now.AddDate(0, 0, -30))); err != nil {
			t.Fatal(err)
		}
		g := historyGen(t, d)
		if g <= before || (d.Dialect == db.Postgres && g != before+1) {
			t.Errorf("bulk change of old warnings: generation %d → %d", before, g)
		}
	})
}
