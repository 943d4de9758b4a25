package main

import (
	"context"
	"fmt"

	"github.com/fanzha/fanzha/internal/sim"
)

func init() {
	register("bench", "benchmarks: dispatch, ingest, trace, casetrace, intel, bulletin, pages, replicas", runBench)
}

const benchUsage = `usage: fanzha bench <dispatch|ingest|trace|casetrace|intel|bulletin|pages|replicas> [flags]`

func runBench(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w\n%s", errUsage, benchUsage)
	}
	switch args[0] {
	case "dispatch":
		return benchDispatch(args[1:])
	case "ingest":
		return benchIngest(ctx, args[1:])
	case "trace":
		return benchTrace(ctx, args[1:])
	case "casetrace":
		return benchCaseTrace(ctx, args[1:])
	case "bulletin":
		return benchBulletin(ctx, args[1:])
	case "pages":
		return benchPages(ctx, args[1:])
	case "intel":
		return benchIntel(args[1:])
	case "replicas":
		return benchReplicas(ctx, args[1:])
	}
	return fmt.Errorf("%w: unknown benchmark %q\n%s", errUsage, args[0], benchUsage)
}

// benchDispatch replays seeded county days through the product (intake,
// roster, 「下一条」, contacts and outcomes on a temporary SQLite database)
// with 「下一条」 in arrival order and in fanzha's order, at the same staffing.
func benchDispatch(args []string) error {
	fs := newFlags("bench dispatch")
	c := sim.DefaultDayConfig(1)
	seed := fs.Int64("seed", 1, "seed of the simulated days")
	days := fs.Int("days", 7, "number of days to replay")
	fs.IntVar(&c.WarningsPerDay, "warnings", c.WarningsPerDay, "mean warnings per day")
	fs.IntVar(&c.StationOfficers, "station-officers", c.StationOfficers, "dissuaders on duty per station by day")
	fs.IntVar(&c.NightOfficers, "night-officers", c.NightOfficers, "dissuaders on duty per station at night")
	fs.IntVar(&c.CentreOfficers, "centre-officers", c.CentreOfficers, "centre dissuaders (「下一条」 over the whole county)")
	fs.Float64Var(&c.ContactMinutes, "contact-minutes", c.ContactMinutes, "mean officer minutes per warning")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	c.Seed = *seed
	r, err := sim.CompareDispatch(context.Background(), c, *days)
	if err != nil {
		return err
	}
	fmt.Printf("dispatch simulation: %d days, seed %d, %d warnings/day, %d stations × %d officers (night %d) + %d centre, %.0f min per contact\n",
		*days, c.Seed, c.WarningsPerDay, c.Stations, c.StationOfficers, c.NightOfficers, c.CentreOfficers, c.ContactMinutes)
	for i, d := range r.PerDay {
		fmt.Printf("day %d  %s\n", i+1, d[0].Describe())
		fmt.Printf("       %s\n", d[1].Describe())
	}
	fmt.Printf("total  %s\n", r.FIFO.Describe())
	fmt.Printf("       %s\n", r.Fanzha.Describe())
	if r.FIFO.KeptFen > 0 {
		fmt.Printf("fanzha keeps %.1f%% more money than FIFO at the same staffing\n", 100*(float64(r.Fanzha.KeptFen)/float64(r.FIFO.KeptFen)-1))
	}
	fmt.Printf("RESULT fifo_in_time=%.4f fanzha_in_time=%.4f fifo_kept_fen=%d fanzha_kept_fen=%d\n",
		r.FIFO.InTimeShare(), r.Fanzha.InTimeShare(), r.FIFO.KeptFen, r.Fanzha.KeptFen)
	return nil
}
