package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/bulletin"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/sim"
	"github.com/fanzha/fanzha/internal/zone"
)

// benchBulletin generates the demo county (a year of history) on SQLite in
// a temporary folder and times the bulletin of the whole county, computed
// (current, 环比 and 同比 periods) and rendered to the printable page and to
// Excel, for the last full month, week and day before --now (fixed by
// default, so the data and periods are the same on every run). Each figure is the median
// of --runs runs. The last line is
//
//	RESULT monthly_ms=<x> weekly_ms=<y> daily_ms=<z>
func benchBulletin(ctx context.Context, args []string) error {
	fs := newFlags("bench bulletin")
	seed := fs.Int64("seed", 1, "seed of the demo county")
	runs := fs.Int("runs", 5, "runs per bulletin kind (the median is reported)")
	dir := fs.String("dir", "", "folder for the database (default: a temporary folder, removed afterwards)")
	nowFlag := fs.String("now", "2026-11-20T06:00:00Z", "the end of the generated year (RFC 3339); fixed so that runs are comparable")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	folder := *dir
	if folder == "" {
		var err error
		if folder, err = os.MkdirTemp("", "fanzha-bench-bulletin-"); err != nil {
			return err
		}
		defer os.RemoveAll(folder)
	}
	d, err := db.Open(ctx, "", folder)
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	now, err := time.Parse(time.RFC3339, *nowFlag)
	if err != nil {
		return fmt.Errorf("%w: --now: %v", errUsage, err)
	}
	sum, err := sim.Generate(ctx, d, sim.Options{Seed: *seed, Now: now})
	if err != nil {
		return err
	}
	fmt.Printf("bulletin benchmark: demo county seed %d, year ending %s, on SQLite (%s): %d villages, %d warnings, %d cases, %d prevention events; generated in %s; %d CPUs\n",
		*seed, now.Format(time.RFC3339), folder, sum.Villages, sum.Warnings, sum.Cases, sum.PreventionEvents, sum.Took.Round(time.Millisecond), runtime.NumCPU())
	root, err := area.Root(ctx, d)
	if err != nil {
		return err
	}
	loc := zone.Shanghai
	local := now.In(loc)
	lastMonth := time.Date(local.Year(), local.Month(), 1, 12, 0, 0, 0, loc).AddDate(0, -1, 0)
	lastWeek := local.AddDate(0, 0, -7)
	yesterday := local.AddDate(0, 0, -1)
	var results []int64
	for _, k := range []struct {
		kind bulletin.PeriodKind
		day  time.Time
	}{{bulletin.Monthly, lastMonth}, {bulletin.Weekly, lastWeek}, {bulletin.Daily, yesterday}} {
		p, err := bulletin.PeriodOf(k.kind, k.day, loc)
		if err != nil {
			return err
		}
		var times []time.Duration
		var cases int64
		for i := 0; i < *runs; i++ {
			t0 := time.Now()
			b, err := bulletin.Compute(ctx, d, root, p, now, loc)
			if err != nil {
				return err
			}
			if err := bulletin.RenderHTML(io.Discard, b, bulletin.PrintOptions{}); err != nil {
				return err
			}
			if err := bulletin.WriteExcel(io.Discard, b); err != nil {
				return err
			}
			times = append(times, time.Since(t0))
			cases = b.Cur.Cases
		}
		slices.Sort(times)
		med := times[len(times)/2]
		fmt.Printf("%-8s %s: %d cases; compute+render+excel median %s (min %s, max %s, %d runs)\n", k.kind, p.Label(), cases,
			med.Round(time.Microsecond), times[0].Round(time.Microsecond), times[len(times)-1].Round(time.Microsecond), *runs)
		results = append(results, med.Milliseconds())
	}
	fmt.Printf("RESULT monthly_ms=%d weekly_ms=%d daily_ms=%d\n", results[0], results[1], results[2])
	return nil
}
