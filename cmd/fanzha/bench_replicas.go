package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/stream"
	"github.com/fanzha/fanzha/internal/zone"
)

// bench replicas: three fanzha serve processes and a three-node NATS
// JetStream cluster (three fanzha nats-node processes) on one fresh
// PostgreSQL schema, set up through the product's own commands (setup,
// areas import, user import, roster import, user token). A county's load
// arrives through HTTP (spread over the replicas) and the stream, with
// short contact deadlines so that escalations and their webhooks happen
// during the run; one fanzha and the stream's leader node are killed with
// SIGKILL in the middle. At the end the database and the bench's webhook
// receiver are counted: warnings acknowledged but not stored, deadlines
// escalated more than once, webhooks delivered more than once per
// Idempotency-Key, people left with two open warnings, and how long a
// roster change took to reach another replica's assignments.

const benchCountyCode = "430199"

// replicaConfig is one run of the bench.
type replicaConfig struct {
	bin      string
	dsn      string // the server; the bench makes its own schema in it
	http     int    // single-warning POSTs
	stream   int    // stream messages
	pairs    int    // same phone at the same moment to two doors
	duration time.Duration
	deadline time.Duration // fund contact deadline (high ×1.5, ordinary ×2)
	workers  int
	locked   int // warnings held locked across their deadline
	keep     bool
}

func benchReplicas(ctx context.Context, args []string) error {
	fs := newFlags("bench replicas")
	var c replicaConfig
	fs.StringVar(&c.dsn, "db", "", "PostgreSQL server URL (default $FANZHA_TEST_POSTGRES); the bench makes a fresh schema in it and drops it after")
	fs.IntVar(&c.http, "warnings", 4000, "warnings POSTed one by one over HTTP, spread over the replicas")
	fs.IntVar(&c.stream, "stream", 2000, "warnings published to the NATS stream")
	fs.IntVar(&c.pairs, "pairs", 60, "pairs of warnings about one phone sent at the same moment to two replicas (a third of them HTTP + stream)")
	fs.DurationVar(&c.duration, "duration", 60*time.Second, "how long the load runs; the kills happen at half time")
	fs.DurationVar(&c.deadline, "deadline", 20*time.Second, "contact deadline of fund warnings (high ×1.5, ordinary ×2): escalations happen during the run")
	fs.IntVar(&c.workers, "workers", 8, "concurrent HTTP senders")
	fs.IntVar(&c.locked, "locked", 20, "fund warnings held locked (SELECT … FOR UPDATE) from before their deadline to 3 s after it, at a quarter of the run")
	fs.StringVar(&c.bin, "bin", "", "the fanzha binary to start (default: this one)")
	fs.BoolVar(&c.keep, "keep", false, "keep the schema, the folder and the process logs")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if c.dsn == "" {
		c.dsn = os.Getenv("FANZHA_TEST_POSTGRES")
	}
	if !db.IsPostgresURL(c.dsn) {
		return fmt.Errorf("%w: bench replicas runs several fanzha processes on one database, which needs PostgreSQL: give --db postgres://… or set FANZHA_TEST_POSTGRES (SQLite serves one process only)", errUsage)
	}
	if c.http < 1 || c.stream < 0 || c.pairs < 0 || c.duration < 5*time.Second || c.deadline < time.Second || c.workers < 1 || c.locked < 0 {
		return fmt.Errorf("%w: --warnings ≥ 1, --stream ≥ 0, --pairs ≥ 0, --duration ≥ 5s, --deadline ≥ 1s, --workers ≥ 1, --locked ≥ 0", errUsage)
	}
	if c.bin == "" {
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		c.bin = exe
	}
	r, err := newReplicaRun(ctx, c)
	if err != nil {
		return err
	}
	defer r.close()
	res, err := r.run(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("counts: accepted http=%d stream=%d (refused %d) stored=%d; escalations=%d (events %d); webhooks received=%d keys=%d undelivered=%d; pairs=%d\n",
		res.acceptedHTTP, res.acceptedStream, res.refused, res.stored, res.escalations, res.escalationEvents, res.deliveries, res.keys, res.undelivered, c.pairs)
	fmt.Printf("RESULT replicas=3 warnings=%d lost=%d duplicate_escalations=%d duplicate_deliveries=%d split_people=%d roster_lag_ms=%d\n",
		res.acceptedHTTP+res.acceptedStream, res.lost, res.dupEscalations, res.dupDeliveries, res.splitPeople, res.rosterLagMS)
	var bad []string
	if res.lost > 0 {
		bad = append(bad, fmt.Sprintf("%d acknowledged warnings not stored", res.lost))
	}
	if res.dupEscalations > 0 {
		bad = append(bad, fmt.Sprintf("%d deadlines escalated more than once", res.dupEscalations))
	}
	if res.dupDeliveries > 0 {
		bad = append(bad, fmt.Sprintf("%d webhooks delivered again under the same Idempotency-Key", res.dupDeliveries))
	}
	if res.splitPeople > 0 {
		bad = append(bad, fmt.Sprintf("%d people with two open warnings", res.splitPeople))
	}
	if res.rosterLagMS < 0 || res.rosterLagMS > 2000 {
		bad = append(bad, fmt.Sprintf("roster change reached replica B after %d ms (limit 2000; -1: never)", res.rosterLagMS))
	}
	if res.escalations == 0 {
		bad = append(bad, "no deadline was escalated during the run (nothing measured)")
	}
	if res.undelivered > 0 {
		bad = append(bad, fmt.Sprintf("%d notifications still undelivered", res.undelivered))
	}
	if res.refused > 0 {
		bad = append(bad, fmt.Sprintf("%d warnings refused (4xx): the bench's warnings should all be taken", res.refused))
	}
	if len(bad) > 0 {
		return errors.New(strings.Join(bad, "; "))
	}
	return nil
}

// replicaRun holds the processes and the receiver of one run.
type replicaRun struct {
	c       replicaConfig
	dir     string
	admin   *db.DB // the server, for the schema
	schema  string
	dsn     string          // the schema
	d       *db.DB          // the schema, for the counts
	token   string          // duty1's, for the warnings
	head    *consoleSession // head6 signed in on replica A, for the roster change
	nats    []*benchProc
	natsURL string
	serves  []*benchProc
	hook    *hookReceiver
	hookSrv *http.Server
	hookAt  string // base URL of the receiver
	client  *http.Client

	mu       sync.Mutex
	accepted map[string]string // source_ref -> door (http|stream)
	refused  int
}

func newReplicaRun(ctx context.Context, c replicaConfig) (*replicaRun, error) {
	dir, err := os.MkdirTemp("", "fanzha-bench-replicas-")
	if err != nil {
		return nil, err
	}
	r := &replicaRun{c: c, dir: dir, accepted: map[string]string{},
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	admin, err := db.Open(ctx, c.dsn, "")
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	r.admin = admin
	var b [5]byte
	_, _ = rand.Read(b[:])
	r.schema = "bench_replicas_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+r.schema); err != nil {
		r.close()
		return nil, fmt.Errorf("create schema: %w", err)
	}
	u, err := url.Parse(c.dsn)
	if err != nil {
		r.close()
		return nil, err
	}
	q := u.Query()
	q.Set("search_path", r.schema)
	u.RawQuery = q.Encode()
	r.dsn = u.String()
	return r, nil
}

// close stops every process still running and removes what the run made
// (unless --keep).
func (r *replicaRun) close() {
	for _, p := range append(append([]*benchProc{}, r.serves...), r.nats...) {
		p.stop()
	}
	if r.hookSrv != nil {
		r.hookSrv.Close()
	}
	if r.d != nil {
		r.d.Close()
	}
	if r.keep() {
		fmt.Printf("kept: schema %s, folder %s (process logs *.log)\n", r.schema, r.dir)
	} else {
		if r.admin != nil && r.schema != "" {
			_, _ = r.admin.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+r.schema+" CASCADE")
		}
		os.RemoveAll(r.dir)
	}
	if r.admin != nil {
		r.admin.Close()
	}
}

func (r *replicaRun) keep() bool { return r.c.keep }

// replicaResult are the counts of one run.
type replicaResult struct {
	acceptedHTTP, acceptedStream, refused, stored int
	lost                                          int
	escalations, escalationEvents, dupEscalations int
	deliveries, keys, dupDeliveries, undelivered  int
	splitPeople                                   int
	rosterLagMS                                   int64
}

func (r *replicaRun) run(ctx context.Context) (replicaResult, error) {
	var res replicaResult
	t0 := time.Now()
	err := r.setupCounty(ctx)
	if err != nil {
		return res, err
	}
	fmt.Printf("county set up through fanzha setup / areas import / user import / roster import (%.1f s)\n", time.Since(t0).Seconds())
	if err := r.startHook(); err != nil {
		return res, err
	}
	if err := r.startNATS(ctx); err != nil {
		return res, err
	}
	if err := r.startServes(ctx); err != nil {
		return res, err
	}
	if r.head, err = signInConsole(ctx, r.serves[0].addr, "head6", benchPassword); err != nil {
		return res, fmt.Errorf("station head's console sign-in on replica A: %w", err)
	}
	fmt.Printf("3 NATS nodes (%s) and 3 fanzha replicas running on schema %s (%.1f s); load for %s…\n",
		r.natsURL, r.schema, time.Since(t0).Seconds(), r.c.duration)
	lag, err := r.load(ctx)
	if err != nil {
		return res, err
	}
	res.rosterLagMS = lag
	if err := r.drain(ctx); err != nil {
		return res, err
	}
	// Stop the replicas (SIGTERM), so that nothing changes while counting.
	for _, p := range r.serves {
		p.stop()
	}
	return r.count(ctx, res)
}

// ---- the county, through the product's commands ----

// benchTowns are the towns of the bench county, two per station; the
// first of each pair names the station.
var benchTowns = []string{"青石", "白沙", "云溪", "枫林", "桃源", "松岭", "柳塘", "石门", "金坪", "龙潭", "梅溪", "竹山"}

// benchVillages are the villages, three per town.
var benchVillages = []string{"李家", "王家", "张家", "刘家", "陈家", "杨家", "赵家", "黄家", "周家", "吴家", "徐家", "孙家",
	"胡家", "朱家", "高家", "林家", "何家", "郭家", "马家", "罗家", "梁家", "宋家", "郑家", "谢家",
	"韩家", "唐家", "冯家", "于家", "董家", "萧家", "程家", "曹家", "袁家", "邓家", "许家", "傅家"}

const (
	benchStations = 6
	benchPassword = "Bench-2026-Yunxi"
)

// lagStation is the station nobody is rostered at when the run starts; the
// roster change puts its first dissuader on duty.
const lagStation = benchStations

// benchAddress is an address in village v (0-based over benchVillages).
func benchAddress(v int) string {
	return fmt.Sprintf("云溪县%s镇%s村%d组", benchTowns[v/3], benchVillages[v], 1+v%7)
}

// stationVillages are the villages (indexes) of station s (1-based).
func stationVillages(s int) []int {
	first := (s - 1) * 6
	return []int{first, first + 1, first + 2, first + 3, first + 4, first + 5}
}

func writeCSV(path string, rows [][]string) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o600)
}

// rosterRows puts users on duty from an hour ago for two days, in shifts
// of at most 24 hours (the roster's limit).
func rosterRows(users []string, now time.Time) [][]string {
	rows := [][]string{{"用户名", "开始", "结束"}}
	f := func(t time.Time) string { return t.In(zone.Shanghai).Format("2006-01-02 15:04") }
	for _, u := range users {
		for k := 0; k < 2; k++ {
			from := now.Add(-time.Hour + time.Duration(k)*24*time.Hour)
			rows = append(rows, []string{u, f(from), f(from.Add(24 * time.Hour))})
		}
	}
	return rows
}

func (r *replicaRun) setupCounty(ctx context.Context) error {
	cliData := filepath.Join(r.dir, "cli")
	if err := os.MkdirAll(cliData, 0o700); err != nil {
		return err
	}
	base := []string{"--db", r.dsn, "--data", cliData}
	if _, err := r.cli(ctx, benchPassword+"\n", append([]string{"setup", "--county-code", benchCountyCode, "--county-name", "云溪县",
		"--admin", "admin", "--admin-name", "管理员"}, base...)...); err != nil {
		return err
	}
	tree := [][]string{{"代码", "上级代码", "级别", "名称"}}
	for s := 1; s <= benchStations; s++ {
		sc := fmt.Sprintf("S%d", s)
		tree = append(tree, []string{sc, "", "派出所", benchTowns[(s-1)*2] + "派出所"})
		for t := 0; t < 2; t++ {
			ti := (s-1)*2 + t
			tc := fmt.Sprintf("%s-T%d", sc, t+1)
			tree = append(tree, []string{tc, sc, "乡镇街道", benchTowns[ti] + "镇"})
			for v := 0; v < 3; v++ {
				tree = append(tree, []string{fmt.Sprintf("%s-V%d", tc, v+1), tc, "村社区", benchVillages[ti*3+v] + "村"})
			}
		}
	}
	treeFile := filepath.Join(r.dir, "tree.csv")
	if err := writeCSV(treeFile, tree); err != nil {
		return err
	}
	if _, err := r.cli(ctx, "", append([]string{"areas", "import"}, append(base, treeFile)...)...); err != nil {
		return err
	}
	users := [][]string{{"用户名", "姓名", "角色", "辖区代码", "手机", "初始密码"}, {"duty1", "值班一", "duty", benchCountyCode, "", benchPassword}}
	// The head of the roster-lag station changes its roster on replica A.
	users = append(users, []string{"head6", "所领导", "station_head", fmt.Sprintf("S%d", lagStation), "", benchPassword})
	var onDuty []string
	for s := 1; s <= benchStations; s++ {
		for k := 1; k <= 3; k++ {
			name := fmt.Sprintf("d%d%d", s, k)
			users = append(users, []string{name, fmt.Sprintf("劝阻%d-%d", s, k), "dissuader", fmt.Sprintf("S%d", s), "", benchPassword})
			if s != lagStation && k <= 2 {
				onDuty = append(onDuty, name)
			}
		}
	}
	usersFile := filepath.Join(r.dir, "users.csv")
	if err := writeCSV(usersFile, users); err != nil {
		return err
	}
	if _, err := r.cli(ctx, "", append([]string{"user", "import"}, append(base, usersFile)...)...); err != nil {
		return err
	}
	now := time.Now()
	rosterFile := filepath.Join(r.dir, "roster.csv")
	if err := writeCSV(rosterFile, rosterRows(append(onDuty, "duty1"), now)); err != nil {
		return err
	}
	if _, err := r.cli(ctx, "", append([]string{"roster", "import"}, append(base, rosterFile)...)...); err != nil {
		return err
	}
	tok, err := r.cli(ctx, "", append([]string{"user", "token", "--user", "duty1", "--label", "bench replicas"}, base...)...)
	if err != nil {
		return err
	}
	r.token = strings.TrimSpace(tok)
	d, err := db.Open(ctx, r.dsn, "")
	if err != nil {
		return err
	}
	r.d = d
	return nil
}

// ---- webhook receiver ----

// hookReceiver counts the webhook posts per Idempotency-Key.
type hookReceiver struct {
	mu    sync.Mutex
	keys  map[string]int
	total int
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	_, _ = io.Copy(io.Discard, req.Body)
	h.mu.Lock()
	h.keys[req.Header.Get("Idempotency-Key")]++
	h.total++
	h.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (r *replicaRun) startHook() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	r.hook = &hookReceiver{keys: map[string]int{}}
	r.hookSrv = &http.Server{Handler: r.hook, ReadHeaderTimeout: 10 * time.Second}
	r.hookAt = "http://" + ln.Addr().String()
	go func() { _ = r.hookSrv.Serve(ln) }()
	return nil
}

func (r *replicaRun) hookURL() string {
	return r.hookAt
}

// ---- NATS cluster and replicas ----

func (r *replicaRun) startNATS(ctx context.Context) error {
	ports, err := freeLoopbackPorts(6)
	if err != nil {
		return err
	}
	var routes, urls []string
	for i := 0; i < 3; i++ {
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", ports[3+i]))
		urls = append(urls, fmt.Sprintf("nats://127.0.0.1:%d", ports[i]))
	}
	for i := 0; i < 3; i++ {
		name := fmt.Sprintf("n%d", i+1)
		p, err := r.spawn("nats-"+name, "nats-node", "--name", name, "--port", strconv.Itoa(ports[i]),
			"--cluster-port", strconv.Itoa(ports[3+i]), "--routes", strings.Join(routes, ","), "--store", filepath.Join(r.dir, "nats-"+name))
		if err != nil {
			return err
		}
		r.nats = append(r.nats, p)
	}
	r.natsURL = strings.Join(urls, ",")
	// Ready when JetStream answers through the cluster (a meta leader).
	deadline := time.Now().Add(60 * time.Second)
	for {
		err := natsReady(ctx, r.natsURL)
		if err == nil {
			return nil
		}
		for _, p := range r.nats {
			if !p.running() {
				return fmt.Errorf("NATS node %s exited: %v\n%s", p.name, p.err, p.tail())
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the NATS cluster did not elect a JetStream leader within 60 s: %v", err)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// natsReady reports whether JetStream answers at url.
func natsReady(ctx context.Context, url string) error {
	nc, err := stream.Connect(url, "bench-replicas-probe")
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err = js.AccountInfo(cctx)
	return err
}

func (r *replicaRun) deadlines() string {
	d := r.c.deadline
	return fmt.Sprintf("fund=%s,high=%s,ordinary=%s", d, d*3/2, d*2)
}

func (r *replicaRun) startServes(ctx context.Context) error {
	ports, err := freeLoopbackPorts(3)
	if err != nil {
		return err
	}
	for i := 0; i < 3; i++ {
		name := fmt.Sprintf("fanzha-%c", 'A'+i)
		data := filepath.Join(r.dir, name)
		if err := os.MkdirAll(data, 0o700); err != nil {
			return err
		}
		p, err := r.spawn(name, "serve", "--db", r.dsn, "--data", data, "--addr", fmt.Sprintf("127.0.0.1:%d", ports[i]),
			"--nats-url", r.natsURL, "--deadlines", r.deadlines(), "--escalation-webhook", r.hookURL()+"/hook",
			"--log-level", "warn")
		if err != nil {
			return err
		}
		p.addr = fmt.Sprintf("http://127.0.0.1:%d", ports[i])
		r.serves = append(r.serves, p)
	}
	deadline := time.Now().Add(90 * time.Second)
	for _, p := range r.serves {
		for {
			resp, err := r.client.Get(p.addr + "/readyz")
			if err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK && strings.Contains(string(b), `"ready"`) {
					break
				}
			}
			if !p.running() {
				return fmt.Errorf("replica %s exited: %v\n%s", p.name, p.err, p.tail())
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("replica %s not ready within 90 s\n%s", p.name, p.tail())
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	return nil
}

// ---- load ----

// benchWarning is one warning of the load.
type benchWarning struct {
	ref   string
	phone string
	grade string
	addr  string
}

func (w benchWarning) body() []byte {
	b, _ := json.Marshal(map[string]any{
		"source": "bank", "source_ref": w.ref, "grade": w.grade,
		"person": map[string]any{"name": "测试" + w.phone[len(w.phone)-3:], "phone": w.phone, "address": w.addr},
		"text":   "bench replicas：对方自称公安民警，要求转账到安全账户",
	})
	return b
}

var benchGrades = []string{"fund", "high", "ordinary"}

// warningsFor makes n warnings with refs prefix-i and phones phonePrefix+i,
// in the villages of the stations that have dissuaders on duty.
func warningsFor(prefix, phonePrefix string, n int) []benchWarning {
	out := make([]benchWarning, n)
	villages := (benchStations - 1) * 6 // not the roster-lag station's
	for i := range out {
		out[i] = benchWarning{ref: fmt.Sprintf("%s-%d", prefix, i), phone: fmt.Sprintf("%s%08d", phonePrefix, i),
			grade: benchGrades[i%3], addr: benchAddress((i * 7) % villages)}
	}
	return out
}

func (r *replicaRun) accept(ref, door string) {
	r.mu.Lock()
	r.accepted[ref] = door
	r.mu.Unlock()
}

// postAnswer is what the bench reads of a POST /api/v1/warnings answer.
type postAnswer struct {
	Status     string `json:"status"`
	ID         int64  `json:"id"`
	AssigneeID int64  `json:"assignee_id"`
}

// post sends one warning to replica i; when the replica is gone (refused
// connection, reset, 5xx) it tries the others, as a sender behind a load
// balancer would. 2xx is an acknowledgement.
func (r *replicaRun) post(ctx context.Context, i int, w benchWarning) (postAnswer, error) {
	var last error
	for attempt := 0; attempt < 12; attempt++ {
		p := r.serves[(i+attempt)%len(r.serves)]
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.addr+"/api/v1/warnings", bytes.NewReader(w.body()))
		if err != nil {
			return postAnswer{}, err
		}
		req.Header.Set("Authorization", "Bearer "+r.token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := r.client.Do(req)
		if err != nil {
			last = err
			if ctx.Err() != nil {
				return postAnswer{}, ctx.Err()
			}
			time.Sleep(100 * time.Millisecond)
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode/100 == 2:
			var a postAnswer
			_ = json.Unmarshal(b, &a)
			r.accept(w.ref, "http")
			return a, nil
		case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
			last = fmt.Errorf("%s: %d %s", p.name, resp.StatusCode, b)
			time.Sleep(200 * time.Millisecond)
			continue
		default:
			r.mu.Lock()
			r.refused++
			r.mu.Unlock()
			return postAnswer{}, fmt.Errorf("%s refused %s: %d %s", p.name, w.ref, resp.StatusCode, b)
		}
	}
	return postAnswer{}, fmt.Errorf("warning %s not acknowledged by any replica: %v", w.ref, last)
}

// publish sends one warning to the stream until JetStream acknowledges it
// (the message id makes a retried publish one message).
func (r *replicaRun) publish(ctx context.Context, js jetstream.JetStream, w benchWarning) error {
	deadline := time.Now().Add(90 * time.Second)
	for {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := js.Publish(cctx, stream.SubjectIn, w.body(), jetstream.WithMsgID(w.ref))
		cancel()
		if err == nil {
			r.accept(w.ref, "stream")
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("stream publish of %s not acknowledged within 90 s: %w", w.ref, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// paced runs fn(i) for i in [0,n) spread evenly over d, on workers
// goroutines, and returns the first error.
func paced(ctx context.Context, n, workers int, d time.Duration, fn func(i int) error) error {
	start := time.Now()
	var next atomic.Int64
	var first error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if wait := time.Until(start.Add(time.Duration(int64(d) * int64(i) / int64(n)))); wait > 0 {
					time.Sleep(wait)
				}
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// load runs the HTTP, stream and pair load for the duration, kills a
// replica and the stream leader's NATS node at half time, and measures the
// roster change after the kills. It returns the roster lag in ms (-1:
// never seen).
func (r *replicaRun) load(ctx context.Context) (int64, error) {
	nc, err := stream.Connect(r.natsURL, "bench-replicas-sender")
	if err != nil {
		return -1, err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return -1, err
	}
	httpW := warningsFor("BR-H", "139", r.c.http)
	streamW := warningsFor("BR-S", "138", r.c.stream)
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	run := func(name string, fn func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(); err != nil {
				errs <- fmt.Errorf("%s: %w", name, err)
			}
		}()
	}
	run("http load", func() error {
		return paced(lctx, len(httpW), r.c.workers, r.c.duration, func(i int) error {
			_, err := r.post(lctx, i, httpW[i])
			return err
		})
	})
	run("stream load", func() error {
		return paced(lctx, len(streamW), 4, r.c.duration, func(i int) error { return r.publish(lctx, js, streamW[i]) })
	})
	run("pairs", func() error { return r.pairs(lctx, js) })
	run("locks across deadlines", func() error {
		select {
		case <-time.After(r.c.duration / 4):
		case <-lctx.Done():
			return nil
		}
		return r.holdLocks(lctx)
	})
	lag := int64(-1)
	run("kills and roster change", func() error {
		select {
		case <-time.After(r.c.duration / 2):
		case <-lctx.Done():
			return nil
		}
		if err := r.kills(lctx, js); err != nil {
			return err
		}
		l, err := r.rosterLag(lctx)
		lag = l
		return err
	})
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case err := <-errs:
		cancel()
		<-done
		return -1, err
	}
	select {
	case err := <-errs:
		return -1, err
	default:
	}
	return lag, nil
}

// pairs sends, spread over the run, pairs of warnings about one phone at
// the same moment: two thirds to replicas A and B over HTTP, a third to A
// over HTTP and to the stream.
func (r *replicaRun) pairs(ctx context.Context, js jetstream.JetStream) error {
	if r.c.pairs == 0 {
		return nil
	}
	villages := (benchStations - 1) * 6
	return paced(ctx, r.c.pairs, 4, r.c.duration, func(i int) error {
		phone := fmt.Sprintf("137%08d", i)
		a := benchWarning{ref: fmt.Sprintf("BR-PA-%d", i), phone: phone, grade: benchGrades[i%3], addr: benchAddress((i * 5) % villages)}
		b := a
		b.ref = fmt.Sprintf("BR-PB-%d", i)
		gate := make(chan struct{})
		var wg sync.WaitGroup
		var ea, eb error
		wg.Add(2)
		go func() { defer wg.Done(); <-gate; _, ea = r.post(ctx, 0, a) }()
		go func() {
			defer wg.Done()
			<-gate
			if i%3 == 2 {
				eb = r.publish(ctx, js, b)
			} else {
				_, eb = r.post(ctx, 1, b)
			}
		}()
		close(gate)
		wg.Wait()
		return errors.Join(ea, eb)
	})
}

// holdLocks locks open fund warnings whose contact deadline is a few
// seconds ahead, in one transaction, and keeps them locked until 3 s after
// the last of those deadlines: every replica's escalator meets the locked
// rows when the deadlines pass and must still escalate each once.
func (r *replicaRun) holdLocks(ctx context.Context) error {
	if r.c.locked == 0 {
		return nil
	}
	var held int
	var until time.Time
	t0 := time.Now()
	err := r.d.InTx(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, contact_due_at FROM warnings WHERE status = 'open' AND grade = 'fund'
			AND escalated_at IS NULL AND contact_due_at > ? ORDER BY contact_due_at LIMIT ? FOR UPDATE`,
			db.Millis(time.Now().Add(2*time.Second)), r.c.locked)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, due int64
			if err := rows.Scan(&id, &due); err != nil {
				rows.Close()
				return err
			}
			held++
			until = db.Time(due).Add(3 * time.Second)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return sleepCtx(ctx, time.Until(until))
	})
	if err != nil {
		return fmt.Errorf("hold warnings locked: %w", err)
	}
	fmt.Printf("held %d fund warnings locked across their deadlines for %.1f s\n", held, time.Since(t0).Seconds())
	return nil
}

// kills ends replica C and the NATS node leading the warning stream with
// SIGKILL.
func (r *replicaRun) kills(ctx context.Context, js jetstream.JetStream) error {
	victim := r.nats[2]
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	if st, err := js.Stream(cctx, stream.StreamName); err == nil {
		if info, err := st.Info(cctx); err == nil && info.Cluster != nil {
			for _, p := range r.nats {
				if p.name == "nats-"+info.Cluster.Leader {
					victim = p
				}
			}
		}
	}
	cancel()
	c := r.serves[2]
	c.kill()
	victim.kill()
	fmt.Printf("killed with SIGKILL at %s: replica %s (pid %d) and NATS node %s (pid %d, the stream's leader when found)\n",
		r.c.duration/2, c.name, c.cmd.Process.Pid, victim.name, victim.cmd.Process.Pid)
	// The senders go on to the replicas left (post tries the next one).
	return nil
}

// rosterLag puts the first dissuader of the station nobody was rostered at
// on duty through replica A (its head, signed in on A's console, adds a
// shift with the roster page's form) and posts a warning for
// that station to replica B every 100 ms until B assigns one to that
// dissuader. The lag is from A's answer to the POST on B whose answer
// names the dissuader.
func (r *replicaRun) rosterLag(ctx context.Context) (int64, error) {
	var uid, station int64
	if err := r.d.QueryRow(ctx, `SELECT id, area_id FROM users WHERE username = ?`, fmt.Sprintf("d%d1", lagStation)).Scan(&uid, &station); err != nil {
		return -1, fmt.Errorf("roster-lag dissuader: %w", err)
	}
	villages := stationVillages(lagStation)
	probe := 0
	send := func() (bool, error) {
		w := benchWarning{ref: fmt.Sprintf("BR-R-%d", probe), phone: fmt.Sprintf("136%08d", probe), grade: "ordinary",
			addr: benchAddress(villages[probe%len(villages)])}
		probe++
		a, err := r.post(ctx, 1, w)
		return err == nil && a.AssigneeID == uid, err
	}
	// Before the change the station has nobody on duty.
	if got, err := send(); err != nil || got {
		if err != nil {
			return -1, err
		}
		return -1, fmt.Errorf("station %d assigned to d%d1 before the roster change", lagStation, lagStation)
	}
	now := time.Now()
	f := func(t time.Time) string { return t.In(zone.Shanghai).Format("2006-01-02 15:04") }
	if err := r.head.post(ctx, "/admin/roster?area="+strconv.FormatInt(station, 10), "/admin/roster/shifts", url.Values{
		"user_id": {strconv.FormatInt(uid, 10)}, "area": {strconv.FormatInt(station, 10)}, "duty": {"劝阻"},
		"starts_at": {f(now.Add(-time.Hour))}, "ends_at": {f(now.Add(20 * time.Hour))}}); err != nil {
		return -1, fmt.Errorf("roster change on replica A: %w", err)
	}
	changed := time.Now()
	for time.Since(changed) < 10*time.Second {
		got, err := send()
		if err != nil {
			return -1, err
		}
		if got {
			lag := time.Since(changed).Milliseconds()
			fmt.Printf("roster change on replica A: replica B assigned station %d's warning to the new dissuader %d ms after A's answer\n", lagStation, lag)
			return lag, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return -1, nil
}

// ---- drain and count ----

// drain waits until every acknowledged warning is stored (the messages the
// killed replica had taken come back after JetStream's ack wait), every
// contact deadline has passed and been escalated, and the outbox is empty.
func (r *replicaRun) drain(ctx context.Context) error {
	r.mu.Lock()
	want := len(r.accepted)
	r.mu.Unlock()
	t0 := time.Now()
	fmt.Printf("load done: %d warnings acknowledged; waiting for intake, deadlines and webhooks…\n", want)
	stored := 0
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		if err := r.d.QueryRow(ctx, `SELECT COUNT(*) FROM warnings WHERE source_ref LIKE 'BR-%'`).Scan(&stored); err != nil {
			return err
		}
		if stored >= want {
			break
		}
		if err := sleepCtx(ctx, time.Second); err != nil {
			return err
		}
	}
	fmt.Printf("stored %d of %d after %.0f s\n", stored, want, time.Since(t0).Seconds())
	// Past every deadline, then until nothing is left to escalate or deliver.
	var lastDue int64
	if err := r.d.QueryRow(ctx, `SELECT COALESCE(MAX(contact_due_at), 0) FROM warnings WHERE status = 'open'`).Scan(&lastDue); err != nil {
		return err
	}
	if wait := time.Until(db.Time(lastDue).Add(3 * time.Second)); wait > 0 {
		if err := sleepCtx(ctx, wait); err != nil {
			return err
		}
	}
	deadline = time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		var open, pending int
		if err := r.d.QueryRow(ctx, `SELECT COUNT(*) FROM warnings WHERE status = 'open' AND contact_due_at < ? AND escalated_at IS NULL`,
			db.Millis(time.Now())).Scan(&open); err != nil {
			return err
		}
		if err := r.d.QueryRow(ctx, `SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL`).Scan(&pending); err != nil {
			return err
		}
		if open == 0 && pending == 0 {
			break
		}
		if err := sleepCtx(ctx, time.Second); err != nil {
			return err
		}
	}
	// A last moment for a post in flight to reach the receiver.
	return sleepCtx(ctx, 3*time.Second)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *replicaRun) count(ctx context.Context, res replicaResult) (replicaResult, error) {
	r.mu.Lock()
	for _, door := range r.accepted {
		if door == "http" {
			res.acceptedHTTP++
		} else {
			res.acceptedStream++
		}
	}
	res.refused = r.refused
	accepted := make([]string, 0, len(r.accepted))
	for ref := range r.accepted {
		accepted = append(accepted, ref)
	}
	r.mu.Unlock()

	stored := map[string]bool{}
	rows, err := r.d.Query(ctx, `SELECT source_ref FROM warnings WHERE source_ref LIKE 'BR-%'`)
	if err != nil {
		return res, err
	}
	for rows.Next() {
		var ref string
		if err := rows.Scan(&ref); err != nil {
			rows.Close()
			return res, err
		}
		stored[ref] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, err
	}
	res.stored = len(stored)
	var lost []string
	for _, ref := range accepted {
		if !stored[ref] {
			lost = append(lost, ref)
		}
	}
	sort.Strings(lost)
	res.lost = len(lost)
	if len(lost) > 0 {
		fmt.Printf("lost (acknowledged, not stored): %s\n", strings.Join(lost[:min(20, len(lost))], " "))
	}

	// Escalations: one outbox row per escalated deadline (one webhook
	// target), each naming its warning, deadline and due time; one
	// escalated event per escalated deadline.
	breaches := map[string]int{}
	perWarning := map[int64]int{}
	rows, err = r.d.Query(ctx, `SELECT payload FROM outbox WHERE kind = 'escalation'`)
	if err != nil {
		return res, err
	}
	for rows.Next() {
		var payload string
		if err := rows.Scan(&payload); err != nil {
			rows.Close()
			return res, err
		}
		var m struct {
			Data struct {
				WarningID int64  `json:"warning_id"`
				Deadline  string `json:"deadline"`
				DueAt     string `json:"due_at"`
			} `json:"data"`
		}
		if err := json.Unmarshal([]byte(payload), &m); err != nil {
			rows.Close()
			return res, fmt.Errorf("escalation payload: %w", err)
		}
		k := fmt.Sprintf("%d/%s/%s", m.Data.WarningID, m.Data.Deadline, m.Data.DueAt)
		if breaches[k] == 0 {
			perWarning[m.Data.WarningID]++
		}
		breaches[k]++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, err
	}
	res.escalations = len(breaches)
	for _, n := range breaches {
		res.dupEscalations += n - 1
	}
	rows, err = r.d.Query(ctx, `SELECT warning_id, COUNT(*) FROM warning_events WHERE kind = 'escalated' GROUP BY warning_id`)
	if err != nil {
		return res, err
	}
	extraEvents := 0
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return res, err
		}
		res.escalationEvents += n
		if n > perWarning[id] {
			extraEvents += n - perWarning[id]
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, err
	}
	res.dupEscalations = max(res.dupEscalations, extraEvents)
	if err := r.d.QueryRow(ctx, `SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL`).Scan(&res.undelivered); err != nil {
		return res, err
	}

	r.hook.mu.Lock()
	res.deliveries, res.keys = r.hook.total, len(r.hook.keys)
	for _, n := range r.hook.keys {
		res.dupDeliveries += n - 1
	}
	r.hook.mu.Unlock()

	if err := r.d.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT person_phone FROM warnings
		WHERE status = 'open' AND person_phone <> '' GROUP BY person_phone HAVING COUNT(*) > 1) s`).Scan(&res.splitPeople); err != nil {
		return res, err
	}
	return res, nil
}
