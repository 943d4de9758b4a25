package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strconv"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/crawl"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/setup"
	"github.com/fanzha/fanzha/internal/zone"
)

// benchCaseTrace measures the case trace as officers meet it: a database of
// statements of the kind the demo generates (cases whose money runs through
// layers of mule accounts, ordinary accounts around them, a few payment
// platform hub accounts with 100k+ rows), stored through the statement
// importer, then GET /api/v1/cases/{id}/trace and one explain click per
// case through the real HTTP handler.
func benchCaseTrace(ctx context.Context, args []string) error {
	fs := newFlags("bench casetrace")
	dsn := fs.String("db", "", "database: empty for SQLite in a temporary folder, or a postgres:// URL (an empty database or schema)")
	rows := fs.Int("rows", 10_000_000, "statement rows to store")
	cases := fs.Int("cases", 1000, "cases to open and trace")
	hubShare := fs.Float64("hub-share", 0.2, "share of cases whose money passes through a payment-platform hub account")
	hubs := fs.Int("hubs", 3, "payment-platform hub accounts")
	hubRows := fs.Int("hub-rows", 120_000, "statement rows of each hub account")
	seed := fs.Uint64("seed", 1, "generator seed")
	dataDir := fs.String("data-dir", "", "keep the SQLite database (and, with --db, the record of what the database holds) in this folder and reuse it when run again with the same generation flags (empty: a temporary folder)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the traces (not the generation) to this file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	env, err := newBenchEnv(ctx, *dsn, *dataDir, "fanzha-bench-casetrace-")
	if err != nil {
		return err
	}
	defer env.Close()
	d := env.DB
	const password = "Case-Trace-2026"
	want := caseTraceData{Rows: *rows, Cases: *cases, HubShare: *hubShare, Hubs: *hubs, HubRows: *hubRows, Seed: *seed}
	data, reused, err := want.load(ctx, d, env.Dir)
	if err != nil {
		return err
	}
	if reused {
		fmt.Printf("engine %s; reusing the %d statement rows and %d cases stored in %s\n", d.Dialect, data.Stored, len(data.IDs), env.Dir)
	} else {
		if data, err = want.generate(ctx, d, env, password); err != nil {
			return err
		}
	}
	ids, hubIDs := data.IDs, data.ViaHub
	base, err := env.Serve()
	if err != nil {
		return err
	}
	c, err := crawl.Login(ctx, base, "analyst", password)
	if err != nil {
		return err
	}
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
	var traces, explains, hubTraces []time.Duration
	var maxRows, hubStops int
	for i, id := range ids {
		var tv struct {
			Scope funds.LedgerScope `json:"scope"`
			Nodes []struct {
				ID       string `json:"id"`
				Kind     string `json:"kind"`
				VictimID int64  `json:"victim_id"`
			} `json:"nodes"`
			Victims []struct {
				VictimID int64 `json:"victim_id"`
			} `json:"victims"`
		}
		dur, err := getJSON(ctx, c, fmt.Sprintf("/api/v1/cases/%d/trace", id), &tv)
		if err != nil {
			return err
		}
		traces = append(traces, dur)
		if hubIDs[id] {
			hubTraces = append(hubTraces, dur)
			if tv.Scope.Hubs > 0 {
				hubStops++
			}
		}
		maxRows = max(maxRows, tv.Scope.Rows)
		// The click: the deepest account node, for the first victim.
		node := ""
		for _, n := range tv.Nodes {
			if n.Kind == "account" {
				node = n.ID
			}
		}
		if node == "" || len(tv.Victims) == 0 {
			return fmt.Errorf("case %d: trace without an account node", id)
		}
		q := url.Values{"node": {node}, "victim": {strconv.FormatInt(tv.Victims[0].VictimID, 10)}}
		dur, err = getJSON(ctx, c, fmt.Sprintf("/api/v1/cases/%d/trace/explain?%s", id, q.Encode()), nil)
		if err != nil {
			return err
		}
		explains = append(explains, dur)
		if (i+1)%250 == 0 {
			fmt.Printf("  %d cases traced\n", i+1)
		}
	}
	for _, s := range [][]time.Duration{traces, explains, hubTraces} {
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	}
	fmt.Printf("trace    %4d cases  p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms (most rows loaded by one trace: %d)\n",
		len(traces), ms(pct(traces, 0.5)), ms(pct(traces, 0.99)), ms(pct(traces, 1)), maxRows)
	fmt.Printf("  via hub %3d cases  p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms (%d stopped at a hub)\n",
		len(hubTraces), ms(pct(hubTraces, 0.5)), ms(pct(hubTraces, 0.99)), ms(pct(hubTraces, 1)), hubStops)
	fmt.Printf("explain  %4d clicks p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms\n",
		len(explains), ms(pct(explains, 0.5)), ms(pct(explains, 0.99)), ms(pct(explains, 1)))
	fmt.Printf("RESULT rows=%d api_p50_ms=%.1f api_p99_ms=%.1f explain_p99_ms=%.1f max_ms=%.1f engine=%s\n",
		data.Stored, ms(pct(traces, 0.5)), ms(pct(traces, 0.99)), ms(pct(explains, 0.99)), ms(max(pct(traces, 1), pct(explains, 1))), d.Dialect)
	return nil
}

// caseTraceData is what bench casetrace stored: the generation flags, the
// rows stored and the cases opened. It is written to casetrace.json in the
// data folder, so that a later run with the same flags reuses the database.
type caseTraceData struct {
	Rows     int     `json:"rows"`
	Cases    int     `json:"cases"`
	HubShare float64 `json:"hub_share"`
	Hubs     int     `json:"hubs"`
	HubRows  int     `json:"hub_rows"`
	Seed     uint64  `json:"seed"`
	DSN      string  `json:"dsn"`

	Stored int            `json:"stored"`
	IDs    []int64        `json:"ids"`
	ViaHub map[int64]bool `json:"via_hub"`
}

func (w caseTraceData) sameFlags(o caseTraceData) bool {
	return w.Rows == o.Rows && w.Cases == o.Cases && w.HubShare == o.HubShare && w.Hubs == o.Hubs && w.HubRows == o.HubRows && w.Seed == o.Seed
}

// load returns the record of dir when it was written for the same flags and
// database and the database still holds its cases.
func (w caseTraceData) load(ctx context.Context, d *db.DB, dir string) (caseTraceData, bool, error) {
	w.DSN = d.DSN
	b, err := os.ReadFile(filepath.Join(dir, "casetrace.json"))
	if errors.Is(err, os.ErrNotExist) {
		return w, false, nil
	}
	if err != nil {
		return w, false, err
	}
	var got caseTraceData
	if err := json.Unmarshal(b, &got); err != nil {
		return w, false, fmt.Errorf("%s: %w", filepath.Join(dir, "casetrace.json"), err)
	}
	if !w.sameFlags(got) || got.DSN != d.DSN || len(got.IDs) == 0 {
		return w, false, fmt.Errorf("%s holds a benchmark database of other flags or another database: use another --data-dir", dir)
	}
	var n int
	if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM cases`).Scan(&n); err != nil {
		return w, false, err
	}
	if n != len(got.IDs) {
		return w, false, fmt.Errorf("%s: the database holds %d cases, the record %d: use another --data-dir", dir, n, len(got.IDs))
	}
	return got, true, nil
}

// generate sets the county up, stores the statements, opens the cases and
// writes the record into the data folder.
func (w caseTraceData) generate(ctx context.Context, d *db.DB, env *benchEnv, password string) (caseTraceData, error) {
	w.DSN = d.DSN
	res, err := setup.Run(ctx, d, setup.Params{CountyCode: "430102", CountyName: "基准区", AdminUsername: "bench", Password: password},
		setup.Options{Audit: auth.AuditEntry{IP: "cli", Username: "cli:bench"}})
	if err != nil {
		return w, err
	}
	// An analyst of the county traces.
	if _, err := auth.CreateUser(ctx, d, auth.NewUser{Username: "analyst", Role: auth.RoleAnalyst, AreaID: res.County.ID, Password: password}); err != nil {
		return w, err
	}
	// The benchmark's analyst signs in with a password only, as the demo's
	// officers do.
	if _, err := env.St.Save(ctx, auth.AuditEntry{Username: "bench", IP: "cli", At: time.Now().UTC()},
		map[string]string{auth.TOTPRequiredSetting: "false"}, false); err != nil {
		return w, err
	}
	fmt.Printf("engine %s; storing %d statement rows (%d cases, %d hubs × %d rows) through the statement importer…\n",
		d.Dialect, w.Rows, w.Cases, w.Hubs, w.HubRows)
	t0 := time.Now()
	g := newCaseTraceGen(w.Seed, w.Cases, w.Hubs, w.HubShare)
	if w.Stored, err = g.store(ctx, d, w.Rows, w.HubRows); err != nil {
		return w, err
	}
	fmt.Printf("stored %d rows in %.1f s\n", w.Stored, time.Since(t0).Seconds())
	if w.IDs, w.ViaHub, err = g.openCases(ctx, d, res.County.ID); err != nil {
		return w, err
	}
	b, err := json.Marshal(w)
	if err != nil {
		return w, err
	}
	return w, os.WriteFile(filepath.Join(env.Dir, "casetrace.json"), b, 0o644)
}

// getJSON GETs path with the signed-in client and decodes the answer into
// v (when not nil), timing the round trip.
func getJSON(ctx context.Context, c *crawl.Client, path string, v any) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", c.Base+path, nil)
	if err != nil {
		return 0, err
	}
	t := time.Now()
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	dur := time.Since(t)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			return 0, fmt.Errorf("GET %s: %w", path, err)
		}
	}
	return dur, nil
}

// caseTraceGen generates the statements and cases of bench casetrace, of
// the kind the demo county holds (sim.Generate): statements of the accounts
// the police requested — the mule accounts of fraud gangs, a few payment
// platforms' settlement accounts (hubs) and, for the rest of the rows,
// accounts of other inquiries — whose counterparties are mostly accounts
// without a statement. Cases come in gangs of ten sharing their mule
// accounts, as the demo's do: each case's victims pay one of the gang's
// first-layer mules, every mule forwards most of what it received to two
// or three mules of the next layer within hours and the last layer
// withdraws cash; a share of the cases sends one layer's money through a
// hub. Every mule also has ordinary traffic with accounts without a
// statement; a hub has hubRows rows with its customers.
type caseTraceGen struct {
	rng      *rand.Rand
	cases    []genCase
	hubs     []string
	hubShare float64
	epoch    time.Time
	w        *bufio.Writer
	n        int // rows written into the current file
}

type genCase struct {
	viaHub  bool
	victims []funds.NewVictim
}

const (
	caseTraceLayers = 4
	caseTraceGang   = 10 // cases per gang
)

func newCaseTraceGen(seed uint64, cases, hubs int, hubShare float64) *caseTraceGen {
	g := &caseTraceGen{rng: rand.New(rand.NewPCG(seed, 21)), hubShare: hubShare,
		epoch: time.Date(2026, 9, 1, 0, 0, 0, 0, zone.Shanghai)}
	for h := range hubs {
		g.hubs = append(g.hubs, fmt.Sprintf("9100%012d", h))
	}
	g.cases = make([]genCase, cases)
	return g
}

// The gang's mules of a layer: 3 × layer accounts.
func mule(gang, layer, k int) string { return fmt.Sprintf("6222%04d%02d%06d", layer, k, gang) }
func ordinary(k int) string          { return fmt.Sprintf("6217%012d", k) }
func inquiry(k int) string           { return fmt.Sprintf("6225%012d", k) }
func victimAccount(c, v int) string  { return fmt.Sprintf("6228%06d%06d", v, c) }
func (g *caseTraceGen) at(day float64) time.Time {
	return g.epoch.Add(time.Duration(day * float64(24*time.Hour))).Truncate(time.Second)
}

// row writes one statement row in the built-in "signed" dialect.
func (g *caseTraceGen) row(account string, at time.Time, fen int64, counter, summary string) {
	fmt.Fprintf(g.w, "%s,%s,%s,%s,%s\n", account, at.Format("2006-01-02 15:04:05"), yuanSigned(fen), counter, summary)
	g.n++
}

// transfer writes both ends of a transfer between accounts with statements.
func (g *caseTraceGen) transfer(from, to string, at time.Time, fen int64) {
	g.row(from, at, -fen, to, "转账")
	g.row(to, at, fen, from, "转账")
}

func yuanSigned(fen int64) string {
	s := ""
	if fen < 0 {
		s, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", s, fen/100, fen%100)
}

// store writes the rows in files of at most half a million rows, each
// stored with funds.ImportStatement, and returns the rows stored.
func (g *caseTraceGen) store(ctx context.Context, d *db.DB, rows, hubRows int) (int, error) {
	total := 0
	var pw *io.PipeWriter
	var done chan error
	var rep funds.ImportReport
	open := func() {
		var pr *io.PipeReader
		pr, pw = io.Pipe()
		g.w = bufio.NewWriterSize(pw, 1<<16)
		g.n = 0
		done = make(chan error, 1)
		go func() {
			var err error
			rep, err = funds.ImportStatement(ctx, d, "statements.csv", pr, funds.ImportOptions{Mapping: "signed"})
			pr.CloseWithError(io.ErrClosedPipe)
			done <- err
		}()
		fmt.Fprintln(g.w, "账号,交易时间,交易金额,对方账号,摘要")
	}
	closeFile := func() error {
		if err := g.w.Flush(); err != nil {
			return err
		}
		pw.Close()
		if err := <-done; err != nil {
			return err
		}
		if rep.Bad > 0 {
			return fmt.Errorf("generated statement: %d bad rows, first: %+v", rep.Bad, rep.Errors[0])
		}
		total += int(rep.Stored)
		return nil
	}
	written := 0
	flushIfFull := func() error {
		if g.n < 500_000 {
			return nil
		}
		written += g.n
		if err := closeFile(); err != nil {
			return err
		}
		open()
		return nil
	}
	open()
	ordinaries := max(1000, rows/20)
	// The cases' mule layers, with the ordinary traffic of each mule the
	// case uses.
	for c := range g.cases {
		gc := &g.cases[c]
		gang := c / caseTraceGang
		gc.viaHub = g.rng.Float64() < g.hubShare
		start := g.rng.Float64() * 80
		nv := 1 + g.rng.IntN(2)
		inflow := int64(0)
		l1 := mule(gang, 1, g.rng.IntN(3))
		for v := range nv {
			nt := 1 + g.rng.IntN(3)
			vic := funds.NewVictim{Name: fmt.Sprintf("受害人%d-%d", c, v)}
			for t := range nt {
				fen := int64(5_000_00 + g.rng.IntN(200_000_00))
				at := g.at(start + float64(v*nt+t)*0.02)
				vic.Transfers = append(vic.Transfers, funds.NewTransfer{At: at, FromAccount: victimAccount(c, v), ToAccount: l1, AmountFen: fen})
				g.row(l1, at, fen, victimAccount(c, v), "转账")
				inflow += fen
			}
			gc.victims = append(gc.victims, vic)
		}
		used := []string{l1}
		layer := []string{l1}
		amounts := []int64{inflow}
		t := start + 0.1
		for depth := 2; depth <= caseTraceLayers; depth++ {
			var next []string
			var nextAmt []int64
			for i, from := range layer {
				fan := 2 + g.rng.IntN(2)
				out := amounts[i] * 9 / 10
				for k := range fan {
					to := mule(gang, depth, g.rng.IntN(3*depth))
					if gc.viaHub && depth == 3 && k == 0 {
						to = g.hubs[g.rng.IntN(len(g.hubs))]
					}
					fen := out / int64(fan)
					g.transfer(from, to, g.at(t+g.rng.Float64()*0.1), fen)
					if to[:4] == "6222" {
						next = append(next, to)
						nextAmt = append(nextAmt, fen)
						used = append(used, to)
					}
				}
			}
			layer, amounts, t = next, nextAmt, t+0.15
		}
		for i, m := range layer {
			g.row(m, g.at(t+g.rng.Float64()*0.1), -amounts[i]*9/10, "", "ATM取现")
		}
		// Ordinary traffic of the case's mules, before and after.
		for _, m := range used {
			for range 5 + g.rng.IntN(10) {
				fen := int64(1_00 + g.rng.IntN(3_000_00))
				if g.rng.IntN(2) == 0 {
					fen = -fen
				}
				g.row(m, g.at(start-10+g.rng.Float64()*30), fen, ordinary(g.rng.IntN(ordinaries)), "转账")
			}
		}
		if err := flushIfFull(); err != nil {
			return 0, err
		}
	}
	// The hubs: the platform's customers pay in and are paid out.
	for _, h := range g.hubs {
		for i := 0; i < hubRows; i++ {
			fen := int64(1_00 + g.rng.IntN(5_000_00))
			if i%2 == 1 {
				fen = -fen
			}
			g.row(h, g.at(g.rng.Float64()*90), fen, ordinary(g.rng.IntN(ordinaries)), "快捷支付")
			if err := flushIfFull(); err != nil {
				return 0, err
			}
		}
	}
	// Statements of other inquiries, 300 rows an account, up to the row
	// count.
	for k := 0; written+g.n < rows; k++ {
		acct := inquiry(k)
		for range 300 {
			fen := int64(1_00 + g.rng.IntN(2_000_00))
			if g.rng.IntN(2) == 0 {
				fen = -fen
			}
			g.row(acct, g.at(g.rng.Float64()*90), fen, ordinary(g.rng.IntN(ordinaries)), "转账")
		}
		if err := flushIfFull(); err != nil {
			return 0, err
		}
	}
	if err := closeFile(); err != nil {
		return 0, err
	}
	return total, nil
}

// openCases opens the generated cases through funds.CreateCase and
// returns their ids and which of them pass through a hub.
func (g *caseTraceGen) openCases(ctx context.Context, d *db.DB, county int64) ([]int64, map[int64]bool, error) {
	var ids []int64
	hub := map[int64]bool{}
	for c, gc := range g.cases {
		id, _, err := funds.CreateCase(ctx, d, funds.NewCase{AreaID: county,
			Summary: fmt.Sprintf("基准案件 %d", c), Victims: gc.victims}, time.Now())
		if err != nil {
			return nil, nil, err
		}
		ids = append(ids, id)
		hub[id] = gc.viaHub
	}
	return ids, hub, nil
}
