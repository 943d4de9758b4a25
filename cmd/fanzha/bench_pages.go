package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/crawl"
	"github.com/fanzha/fanzha/internal/sim"
)

// benchPages generates the demo county in a temporary folder (the same
// code as `fanzha demo`), serves it with the real handler on 127.0.0.1 and
// crawls every page reachable from the navigation as each demo role,
// timing every HTML page as served.
func benchPages(ctx context.Context, args []string) error {
	fs := newFlags("bench pages")
	dsn := fs.String("db", "", "database: empty for SQLite in a temporary folder, or a postgres:// URL (an empty database)")
	seed := fs.Int64("seed", 20261, "seed of the demo county")
	scale := fs.Float64("scale", 1, "history scale of the demo county (1 as fanzha demo)")
	perShape := fs.Int("per-shape", 3, "pages fetched per kind of page (path with numbers replaced)")
	slow := fs.Int("slow", 10, "print this many slowest pages")
	only := fs.String("only", "", "crawl only URLs with this path prefix after the navigation (with --cpuprofile: profile one page kind)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the crawl (not the generation) to this file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	env, err := newBenchEnv(ctx, *dsn, "", "fanzha-bench-pages-")
	if err != nil {
		return err
	}
	defer env.Close()
	d := env.DB
	fmt.Printf("engine %s; generating the demo county (seed %d, scale %g)…\n", d.Dialect, *seed, *scale)
	t0 := time.Now()
	if err := generateDemo(ctx, d, env.St, *seed, *scale, env.Log); err != nil {
		return err
	}
	fmt.Printf("demo county ready in %.1f s\n", time.Since(t0).Seconds())
	base, err := env.Serve()
	if err != nil {
		return err
	}
	logins, err := sim.DemoLogins(ctx, d)
	if err != nil {
		return err
	}
	type timed struct {
		role auth.Role
		url  string
		dur  time.Duration
	}
	var all []timed
	dead := 0
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var skip func(u *url.URL) bool
	if *only != "" {
		skip = func(u *url.URL) bool { return u.Path != "/" && !strings.HasPrefix(u.Path, *only) }
	}
	for _, l := range logins {
		c, err := crawl.Login(ctx, base, l.Username, l.Password)
		if err != nil {
			return err
		}
		res, err := c.Crawl(ctx, crawl.Options{PerShape: *perShape, Skip: skip})
		if err != nil {
			return err
		}
		var ds []time.Duration
		for _, p := range res.Pages {
			if p.HTML {
				all = append(all, timed{l.Role, p.URL, p.Duration})
				ds = append(ds, p.Duration)
			}
		}
		for _, dd := range res.Dead {
			fmt.Printf("  dead (%s): %s\n", l.Role, dd)
		}
		dead += len(res.Dead)
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		fmt.Printf("%-13s %4d pages  p50 %6.1f ms  p95 %6.1f ms  max %6.1f ms  dead %d\n", l.Role, len(ds),
			ms(pct(ds, 0.5)), ms(pct(ds, 0.95)), ms(pct(ds, 1)), len(res.Dead))
	}
	sort.Slice(all, func(i, j int) bool { return all[i].dur > all[j].dur })
	fmt.Println("slowest pages:")
	for i := 0; i < *slow && i < len(all); i++ {
		fmt.Printf("  %7.1f ms  %-12s %s\n", ms(all[i].dur), all[i].role, all[i].url)
	}
	ds := make([]time.Duration, len(all))
	for i, t := range all {
		ds[i] = t.dur
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	fmt.Printf("RESULT pages=%d p95_ms=%.1f max_ms=%.1f dead=%d engine=%s\n", len(ds), ms(pct(ds, 0.95)), ms(pct(ds, 1)), dead, d.Dialect)
	return nil
}
