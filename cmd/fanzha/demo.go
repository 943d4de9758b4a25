package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/intel"
	"github.com/fanzha/fanzha/internal/settings"
	"github.com/fanzha/fanzha/internal/sim"
	"github.com/fanzha/fanzha/internal/web/server"
)

func init() {
	register("demo", "run the server on a demo county (generated on first start)", runDemo)
}

func runDemo(ctx context.Context, args []string) error {
	fs := newFlags("demo")
	var sf serverFlags
	sf.bind(fs, "./data/demo")
	seed := fs.Int64("seed", 20261, "seed of the generated county (same seed, same county)")
	var gf genFlags
	gf.bind(fs)
	trickle := fs.Duration("trickle", 20*time.Second, "mean interval between live demo warnings (0 turns the trickle off)")
	simBank := fs.Duration("sim-bank-delay", 8*time.Second, "the simulated bank answers its inbox through the API this long after a request arrives (0 turns it off)")
	var wf workerFlags
	wf.bind(fs)
	var stf streamFlags
	stf.bind(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := gf.check(); err != nil {
		return err
	}
	policy, err := wf.policy()
	if err != nil {
		return err
	}
	if err := stf.check(); err != nil {
		return err
	}
	cfg, err := sf.webConfig()
	if err != nil {
		return err
	}
	log, err := newLogger(sf.logFormat, sf.logLevel, os.Stderr)
	if err != nil {
		return err
	}
	start := time.Now()
	d, err := openDB(ctx, sf.dsn, sf.data, log)
	if err != nil {
		return err
	}
	defer d.Close()
	// Listen first so the address is taken (and printed) at once; /readyz
	// answers 503 until the county is ready.
	ln, err := net.Listen("tcp", sf.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", sf.addr, err)
	}
	st, err := wf.store(d)
	if err != nil {
		return err
	}
	cfg.DB, cfg.Log, cfg.Policy, cfg.Settings = d, log, policy, st
	srv := server.New(cfg)
	errc := make(chan error, 1)
	go func() { errc <- serveHTTP(ctx, ln, srv.Handler(), log) }()

	done, err := sim.IsGenerated(ctx, d)
	if err != nil {
		return err
	}
	if !done {
		log.Info("generating the demo county", "seed", *seed, "counties", gf.counties, "years", gf.years)
		if err := generateDemo(ctx, d, st, sim.Options{Seed: *seed, Scale: 1, Counties: gf.counties, Years: gf.years, Parallel: gf.parallel}, log); err != nil {
			return err
		}
		log.Info("demo county ready", "seconds", time.Since(start).Seconds())
	}
	logins, err := sim.DemoLogins(ctx, d)
	if err != nil {
		return err
	}
	if err := startWorkers(ctx, d, srv, wf, displayAddr(ln.Addr().String()), log); err != nil {
		return err
	}
	if *simBank > 0 { // 联席: the simulated bank (internal/sim/simbank.go)
		if err := sim.StartDemoBank(ctx, d, "http://"+displayAddr(ln.Addr().String()), *simBank, log); err != nil {
			return err
		}
	}
	stopStream, err := startStream(ctx, srv, sf.data, stf, log)
	if err != nil {
		return err
	}
	defer stopStream()
	srv.SetReady(true)
	printDemoBanner(displayAddr(ln.Addr().String()), logins)
	if *trickle > 0 {
		in, err := srv.Intake(ctx)
		if err != nil {
			return err
		}
		tr := &sim.Trickle{Intake: in, Policy: in.Policy()}
		go func() {
			if err := sim.RunTrickle(ctx, d, *seed, *trickle, log, tr); err != nil && ctx.Err() == nil {
				log.Error("demo trickle stopped", "err", err)
			}
		}()
	}
	return <-errc
}

func printDemoBanner(addr string, logins []sim.Login) {
	w := os.Stdout
	fmt.Fprintln(w)
	fmt.Fprintln(w, "fanzha demo county is running (演示县已就绪)")
	fmt.Fprintf(w, "  console: http://%s/\n", addr)
	fmt.Fprintln(w, "  logins (one per role):")
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "    role\t角色\tusername\tpassword\tjurisdiction")
	for _, l := range logins {
		fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\t%s\n", l.Role, auth.RoleName(l.Role), l.Username, l.Password, l.Area)
	}
	tw.Flush()
	fmt.Fprintln(w, "  API token: fanzha user token --data DIR --user USERNAME")
	fmt.Fprintln(w, strings.Repeat("-", 60))
}

// genFlags are the demo's size: one county, or a province of --counties
// counties, with --years of history.
type genFlags struct {
	counties, years, parallel int
}

func (g *genFlags) bind(fs *flag.FlagSet) {
	fs.IntVar(&g.counties, "counties", 0, fmt.Sprintf("generate a province (湘南省) of this many counties under its cities, each like the demo county (0: the demo county alone; at most %d)", sim.MaxCounties))
	fs.IntVar(&g.years, "years", 1, "years of generated history")
	fs.IntVar(&g.parallel, "parallel", 4, "counties of a province generated at once on PostgreSQL (SQLite: one)")
}

func (g *genFlags) check() error {
	switch {
	case g.counties < 0 || g.counties > sim.MaxCounties:
		return fmt.Errorf("%w: --counties must be between 0 and %d", errUsage, sim.MaxCounties)
	case g.years < 1 || g.years > 10:
		return fmt.Errorf("%w: --years must be between 1 and 10", errUsage)
	case g.parallel < 1:
		return fmt.Errorf("%w: --parallel must be at least 1", errUsage)
	}
	return nil
}

// generateDemo generates the demo county (or province) into an empty
// database: the synthetic history, password-only logins and the first
// scoring of accounts and numbers. `fanzha demo` and `fanzha bench pages`
// share it.
func generateDemo(ctx context.Context, d *db.DB, st *settings.Store, o sim.Options, log *slog.Logger) error {
	start := time.Now()
	// Cheap hashing for the demo's many officers; real users get the
	// full bcrypt cost.
	auth.BcryptCost = 4
	if o.Now.IsZero() {
		o.Now = time.Now().UTC()
	}
	if o.Counties > 0 && o.Progress == nil {
		o.Progress = func(s string) { log.Info("demo province", "step", s, "seconds", time.Since(start).Seconds()) }
	}
	sum, err := sim.Generate(ctx, d, o)
	if err != nil {
		return fmt.Errorf("generate demo county: %w", err)
	}
	// The demo's officers sign in with a password only (README, the
	// browser tests): the demo county makes two-factor login optional
	// through its own settings, as a centre would in 系统设置.
	if _, err := st.Save(ctx, auth.AuditEntry{Username: "demo", IP: "cli", At: time.Now().UTC()},
		map[string]string{auth.TOTPRequiredSetting: "false"}, false); err != nil {
		return fmt.Errorf("demo settings: %w", err)
	}
	log.Info("demo county generated", "counties", sum.Counties, "stations", sum.Stations, "villages", sum.Villages, "cells", sum.Cells, "inhabitants", sum.Inhabitants,
		"officers", sum.Officers, "shifts", sum.Shifts, "warnings", sum.Warnings, "fund", sum.FundWarnings, "high", sum.HighWarnings,
		"cases", sum.Cases, "statement_rows", sum.StatementRows, "prevention_events", sum.PreventionEvents,
		"seconds", time.Since(start).Seconds())
	// 两卡研判: score the year's accounts and numbers so the watch list
	// is there from the start.
	t0 := time.Now()
	sc, err := intel.RescoreAll(ctx, d, time.Now())
	if err != nil {
		return fmt.Errorf("score demo accounts and numbers: %w", err)
	}
	log.Info("demo accounts scored", "accounts", sc.Accounts, "watch", sc.Watch, "phones", sc.Phones, "seconds", time.Since(t0).Seconds())
	return nil
}
