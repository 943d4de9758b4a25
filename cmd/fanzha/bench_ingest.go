package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/sim"
	"github.com/fanzha/fanzha/internal/stream"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/web"
	"github.com/fanzha/fanzha/internal/web/server"
)

func init() {
	register("bench-load", "internal: the separate load process of fanzha bench ingest", runBenchLoad)
}

// benchIngest measures the intake on an in-process server with the demo
// county: batch intake through the HTTP API, single-warning POSTs at a fixed
// rate from a separate load process, and the NATS stream door.
func benchIngest(ctx context.Context, args []string) error {
	fs := newFlags("bench ingest")
	dsn := fs.String("db", "", "database: empty for SQLite in a temporary folder, or a postgres:// URL (an empty database)")
	total := fs.Int("warnings", 100000, "warnings for the batch and stream measurements")
	batch := fs.Int("batch", 5000, "warnings per batch request")
	rate := fs.Int("rate", 500, "single-warning POSTs per second from the load process")
	dur := fs.Duration("duration", 10*time.Second, "duration of the single-POST load")
	keep := fs.Bool("keep", false, "keep the temporary folder")
	seal := fs.Bool("seal", true, "chain the audit log every second as serve does (false: measure without the sealer)")
	profile := fs.String("profile", "", "folder for CPU, block and mutex profiles of the single-POST and NATS phases (empty: none)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "fanzha-bench-ingest-")
	if err != nil {
		return err
	}
	if !*keep {
		defer os.RemoveAll(dir)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := openDB(ctx, *dsn, dir, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	auth.BcryptCost = 4
	fmt.Printf("engine %s; generating the demo county (scale 0.1 history)…\n", d.Dialect)
	if _, err := sim.Generate(ctx, d, sim.Options{Seed: 7, Now: time.Now().UTC(), Scale: 0.1}); err != nil {
		return fmt.Errorf("generate county: %w", err)
	}
	if *seal {
		t0 := time.Now()
		n, err := auth.SealAudit(ctx, d, time.Now())
		if err != nil {
			return err
		}
		fmt.Printf("first seal of the audit log: %d rows chained in %.2f s\n", n, time.Since(t0).Seconds())
		go (&auth.AuditSealer{DB: d, Log: log}).Run(ctx, time.Second)
	}
	srv := server.New(web.Config{DB: d, Log: log, DataDir: dir})
	srv.SetReady(true)
	in, err := srv.Intake(ctx)
	if err != nil {
		return err
	}
	obs := &ingestObserver{}
	in.OnCommit = obs.commit
	go d.RunCheckpointsObserved(ctx, db.CheckpointEvery, obs.checkpoint)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler()}
	go hs.Serve(ln)
	defer hs.Close()
	base := "http://" + ln.Addr().String()
	admin, err := auth.GetUserByName(ctx, d, "duty")
	if err != nil {
		return fmt.Errorf("demo user duty: %w", err)
	}
	token, _, err := auth.CreateToken(ctx, d, admin.ID, "bench", time.Now())
	if err != nil {
		return err
	}
	addrs, err := benchAddresses(ctx, d)
	if err != nil {
		return err
	}
	gen := &benchGen{rng: rand.New(rand.NewPCG(11, 13)), addrs: addrs}

	// 1. Batch intake through the API.
	client := &http.Client{Timeout: 120 * time.Second}
	var lat []time.Duration
	// The sender's work (generating and encoding the warnings) is done
	// before the clock starts: what is timed is the server.
	var bodies [][]byte
	for from := 0; from < *total; from += *batch {
		body, _ := json.Marshal(map[string]any{"warnings": gen.batch("B", from, min(*batch, *total-from))})
		bodies = append(bodies, body)
	}
	start := time.Now()
	sent := 0
	for _, body := range bodies {
		n := min(*batch, *total-sent)
		t0 := time.Now()
		res, err := benchPost(client, base+"/api/v1/warnings", token, body)
		if err != nil {
			return err
		}
		lat = append(lat, time.Since(t0))
		var br warning.BatchResult
		if err := json.Unmarshal(res, &br); err != nil || br.Created+br.Merged != n {
			return fmt.Errorf("batch at %d: stored %d+%d of %d (%v): %.300s", sent, br.Created, br.Merged, n, err, res)
		}
		sent += n
	}
	el := time.Since(start)
	perS := float64(*total) / el.Seconds()
	fmt.Printf("batch API intake: %d warnings in %.2f s = %.0f warnings/s; batch of %d p50 %.1f ms p99 %.1f ms\n",
		*total, el.Seconds(), perS, *batch, ms(pct(lat, 0.5)), ms(pct(lat, 0.99)))

	fmt.Printf("  %s\n", obs.report())

	// 2. Single POSTs at a fixed rate from a separate process.
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	stopProfiles, err := startProfiles(*profile, "single")
	if err != nil {
		return err
	}
	obs.reset()
	var gc0 runtime.MemStats
	runtime.ReadMemStats(&gc0)
	cmd := exec.CommandContext(ctx, exe, "bench-load", "--url", base+"/api/v1/warnings", "--token", token,
		"--rate", strconv.Itoa(*rate), "--duration", dur.String())
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("load process: %w", err)
	}
	var lr loadResult
	if err := json.Unmarshal(bytes.TrimSpace(out), &lr); err != nil {
		return fmt.Errorf("load process output %q: %w", out, err)
	}
	if err := stopProfiles(); err != nil {
		return err
	}
	var gc1 runtime.MemStats
	runtime.ReadMemStats(&gc1)
	fmt.Printf("single POST at %d/s for %s from a separate process: %d sent, %d errors, p50 %.2f ms p99 %.2f ms p99.9 %.2f ms max %.2f ms\n",
		*rate, dur, lr.Sent, lr.Errors, lr.P50, lr.P99, lr.P999, lr.Max)
	fmt.Printf("  %s\n", obs.report())
	fmt.Printf("  GC during the phase: %d cycles, pause total %.1f ms, longest %.2f ms, heap %d MB\n", gc1.NumGC-gc0.NumGC,
		float64(gc1.PauseTotalNs-gc0.PauseTotalNs)/1e6, longestPause(&gc1, gc0.NumGC), gc1.HeapAlloc>>20)
	for _, sl := range lr.Slowest {
		fmt.Printf("  slow request sent at +%.3f s: %.1f ms; %s\n", float64(sl.SentUnixNano-lr.StartUnixNano)/1e9, sl.Ms, obs.around(sl.SentUnixNano, sl.Ms))
	}

	// 3. The stream door.
	emb, err := stream.StartEmbedded(dir, 0)
	if err != nil {
		return err
	}
	defer emb.Shutdown()
	nc, err := stream.Connect(emb.URL(), "bench")
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	// The sender is another system: its own connection, publishing
	// asynchronously and waiting whenever the server has too many of its
	// messages unacknowledged.
	pnc, err := stream.Connect(emb.URL(), "bench-sender")
	if err != nil {
		return err
	}
	defer pnc.Close()
	pjs, err := jetstream.New(pnc, jetstream.WithPublishAsyncMaxPending(8192))
	if err != nil {
		return err
	}
	obs.reset()
	if _, err := stream.EnsureStream(ctx, js, stream.DefaultReplicasEmbedded, log); err != nil {
		return err
	}
	var before int64
	_ = d.QueryRow(ctx, "SELECT COUNT(*) FROM warnings").Scan(&before)
	// Encoded before the clock starts, and kept as bytes: 100,000 decoded
	// warnings held in this process's heap were marked by every GC cycle
	// of the server being measured.
	msgs := make([][]byte, *total)
	for i, w := range gen.batch("S", 0, *total) {
		msgs[i], _ = json.Marshal(w)
	}
	runtime.GC()
	stopNATSProfiles, err := startProfiles(*profile, "nats")
	if err != nil {
		return err
	}
	t0 := time.Now()
	var pubErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, b := range msgs {
			for {
				_, err := pjs.PublishAsync(stream.SubjectIn, b)
				if err == nil {
					break
				}
				if !errors.Is(err, jetstream.ErrTooManyStalledMsgs) {
					pubErr = err
					return
				}
				<-pjs.PublishAsyncComplete() // back-pressure: wait for the server's acks, then resend
			}
		}
		select {
		case <-pjs.PublishAsyncComplete():
		case <-time.After(2 * time.Minute):
			pubErr = fmt.Errorf("publish did not complete")
		}
	}()
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := &stream.Consumer{JS: js, NC: nc, Intake: in, DB: d, Log: log}
	go c.Run(cctx)
	// Done when the consumer has acknowledged every message: it
	// acknowledges after the intake transaction commits. The server
	// answers that without touching the database (polling COUNT(*) over
	// the growing table ten times a second took a fifth of the CPU from
	// the intake being measured); the count below checks the database.
	var stored int64
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		if consumerDone(ctx, js, uint64(*total)) {
			break
		}
	}
	sel := time.Since(t0)
	_ = d.QueryRow(ctx, "SELECT COUNT(*) FROM warnings").Scan(&stored)
	if err := stopNATSProfiles(); err != nil {
		return err
	}
	cancel()
	wg.Wait()
	if pubErr != nil {
		return pubErr
	}
	natsPerS := float64(stored-before) / sel.Seconds()
	fmt.Printf("NATS stream intake: %d published, %d stored (lost: %d) in %.2f s = %.0f warnings/s\n",
		*total, stored-before, int64(*total)-(stored-before), sel.Seconds(), natsPerS)
	fmt.Printf("  %s\n", obs.report())
	fmt.Printf("RESULT ingest_per_s=%.0f p99_ms=%.1f http_p99_ms=%.2f http_p999_ms=%.2f http_max_ms=%.2f nats_per_s=%.0f nats_lost=%d engine=%s\n",
		perS, ms(pct(lat, 0.99)), lr.P99, lr.P999, lr.Max, natsPerS, int64(*total)-(stored-before), d.Dialect)
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func pct(v []time.Duration, q float64) time.Duration {
	if len(v) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), v...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(q*float64(len(s))+0.999999) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(s) {
		i = len(s) - 1
	}
	return s[i]
}

func benchPost(c *http.Client, url, token string, body []byte) ([]byte, error) {
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return b, fmt.Errorf("HTTP %d: %.300s", resp.StatusCode, b)
	}
	return b, err
}

// benchAddresses are real addresses of the demo county's villages.
func benchAddresses(ctx context.Context, d *db.DB) ([]string, error) {
	root, err := area.Root(ctx, d)
	if err != nil {
		return nil, err
	}
	vs, err := area.ByLevel(ctx, d, root, area.Village)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, v := range vs {
		out = append(out, v.FullName+"2组"+strconv.Itoa(int(v.ID%40)+1)+"号")
	}
	out = append(out, "广东省深圳市南山区粤海街道科技园")
	return out, nil
}

type benchGen struct {
	rng   *rand.Rand
	addrs []string
}

var benchTypes = []string{"rebate", "investment", "customer_service", "police", "loan", "credit", "shopping", "game", "boss", "health"}

// batch makes n distinct realistic warnings; one in ten concerns a person
// already warned in the batch, so merging is exercised.
func (g *benchGen) batch(prefix string, from, n int) []warning.Input {
	out := make([]warning.Input, n)
	for i := range out {
		k := from + i
		phone := fmt.Sprintf("13%09d", g.rng.IntN(1_000_000_000))
		if i > 0 && g.rng.IntN(10) == 0 {
			phone = out[g.rng.IntN(i)].Person.Phone
		}
		grade := warning.GradeOrdinary
		amount := int64(0)
		switch r := g.rng.IntN(100); {
		case r < 2:
			grade, amount = warning.GradeFund, int64(1000+g.rng.IntN(200000))*100
		case r < 27:
			grade = warning.GradeHigh
		}
		out[i] = warning.Input{Source: warning.SourceUpper, SourceRef: fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano(), k),
			Grade: grade, AmountFen: amount, FraudType: benchTypes[g.rng.IntN(len(benchTypes))],
			Person: warning.Person{Name: "测试" + strconv.Itoa(k%1000), Phone: phone, Age: 16 + g.rng.IntN(70),
				Address: g.addrs[g.rng.IntN(len(g.addrs))]},
			Scam: warning.ScamContact{Phone: fmt.Sprintf("170%08d", g.rng.IntN(100_000_000))},
			Text: "对方自称客服，称需要关闭百万保障否则扣费"}
	}
	return out
}

type loadResult struct {
	Sent          int        `json:"sent"`
	Errors        int        `json:"errors"`
	P50           float64    `json:"p50_ms"`
	P99           float64    `json:"p99_ms"`
	P999          float64    `json:"p999_ms"`
	Max           float64    `json:"max_ms"`
	StartUnixNano int64      `json:"start_unix_nano"`
	Slowest       []slowSend `json:"slowest"`
}

// slowSend is one of the slowest requests: when it was due and how long it
// took, to set beside the server's commits and checkpoints.
type slowSend struct {
	SentUnixNano int64   `json:"sent_unix_nano"`
	Ms           float64 `json:"ms"`
}

// runBenchLoad is the separate load process: open-loop single-warning POSTs
// at a fixed rate (requests are sent on schedule whether or not earlier ones
// have answered, so a slow server shows up as latency, not as a lower rate).
func runBenchLoad(ctx context.Context, args []string) error {
	fs := newFlags("bench-load")
	url := fs.String("url", "", "intake URL")
	token := fs.String("token", "", "API token")
	rate := fs.Int("rate", 500, "requests per second")
	dur := fs.Duration("duration", 10*time.Second, "duration")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}
	g := &benchGen{rng: rand.New(rand.NewPCG(3, 5)), addrs: []string{"云溪县城关镇", "青石镇"}}
	n := int(float64(*rate) * dur.Seconds())
	bodies := make([][]byte, n)
	for i, w := range g.batch("L", 0, n) {
		bodies[i], _ = json.Marshal(w)
	}
	// Warm the connections.
	for i := 0; i < 8; i++ {
		if resp, err := client.Get(strings.Replace(*url, "/api/v1/warnings", "/healthz", 1)); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	var mu sync.Mutex
	var lat []time.Duration
	var sends []slowSend
	errs := 0
	var wg sync.WaitGroup
	interval := time.Second / time.Duration(*rate)
	start := time.Now()
	for i := 0; i < n; i++ {
		at := start.Add(time.Duration(i) * interval)
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
		wg.Add(1)
		go func(b []byte, sched time.Time) {
			defer wg.Done()
			_, err := benchPost(client, *url, *token, b)
			// Latency from the scheduled send time (no coordinated omission).
			l := time.Since(sched)
			mu.Lock()
			lat = append(lat, l)
			sends = append(sends, slowSend{SentUnixNano: sched.UnixNano(), Ms: ms(l)})
			if err != nil {
				errs++
			}
			mu.Unlock()
		}(bodies[i], at)
	}
	wg.Wait()
	sort.Slice(sends, func(i, j int) bool { return sends[i].Ms > sends[j].Ms })
	res := loadResult{Sent: n, Errors: errs, P50: ms(pct(lat, 0.5)), P99: ms(pct(lat, 0.99)), P999: ms(pct(lat, 0.999)), Max: ms(pct(lat, 1)),
		StartUnixNano: start.UnixNano(), Slowest: sends[:min(5, len(sends))]}
	b, _ := json.Marshal(res)
	fmt.Println(string(b))
	return nil
}

// consumerDone reports whether the intake consumer has acknowledged at
// least n messages and holds none pending.
func consumerDone(ctx context.Context, js jetstream.JetStream, n uint64) bool {
	cons, err := js.Consumer(ctx, stream.StreamName, stream.ConsumerName)
	if err != nil {
		return false
	}
	info, err := cons.Info(ctx)
	if err != nil {
		return false
	}
	return info.AckFloor.Consumer >= n && info.NumAckPending == 0 && info.NumPending == 0
}
