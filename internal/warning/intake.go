package warning

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/roster"
)

// Intake is the one code path every door (API, upload, command line,
// stream) ends in: validate, de-duplicate on (source, source_ref), merge
// with the person's open warning, score, route to a station by address and
// to an on-duty dissuader by load, set deadlines, and store — all in one
// transaction, so a warning is acknowledged only once it is durably stored.
type Intake struct {
	db     *db.DB
	policy atomic.Pointer[Policy]
	now    func() time.Time

	// PolicySource, when set, reads the deadlines in force after the
	// settings changed (in this process or another replica); intake applies
	// them from the next batch on.
	PolicySource func(ctx context.Context) (Policy, error)
	// gens are the generation counters (db.Gen*) of what intake caches:
	// the tree, the roster and the settings. Guarded by mu.
	gens map[string]int64

	// mu serialises batches in this process and guards the caches below
	// (the open load is not one of them: it is read from the database
	// inside each batch's transaction, see assign_load.go).
	mu sync.Mutex

	tree atomic.Pointer[treeIndex]

	// The group committer (started on first use) and the caches it and
	// batches use, guarded by mu.
	committerOnce sync.Once
	queue         chan *job
	shifts        []shift
	officerNames  map[int64]string // on-duty officers' names, read with shifts
	shiftsAt      time.Time

	// OnStored, when set, is called after each committed batch with the
	// ids of the warnings that were created or changed (for live boards).
	OnStored func(ids []int64)
	// OnCommit, when set (before the first Submit), is told how long each
	// intake transaction and its parts took (bench ingest).
	OnCommit func(CommitStats)
}

// CommitStats is the timing of one intake transaction.
type CommitStats struct {
	Warnings int
	Jobs     int
	// Wait is the time spent waiting for this process's previous batch.
	Wait time.Duration
	// Prepare is reading what changed (generations, roster) before the
	// transaction.
	Prepare time.Duration
	// Begin is the wait for the transaction (on SQLite the write lock).
	Begin time.Duration
	// Work is locks, reads and writes inside the transaction.
	Work time.Duration
	// Commit is the COMMIT itself: the disk sync (and, on SQLite, an
	// automatic checkpoint when the log has grown past its limit).
	Commit time.Duration
}

type treeIndex struct {
	root    area.Node
	nodes   map[int64]area.Node
	matcher *AddressMatcher
}

// NewIntake builds the intake for a database whose jurisdiction tree exists.
func NewIntake(ctx context.Context, d *db.DB, p Policy, now func() time.Time) (*Intake, error) {
	if now == nil {
		now = time.Now
	}
	in := &Intake{db: d, now: now}
	in.policy.Store(&p)
	gens, err := db.Generations(ctx, d)
	if err != nil {
		return nil, fmt.Errorf("intake: %w", err)
	}
	in.gens = gens
	if err := in.ReloadTree(ctx); err != nil {
		return nil, err
	}
	return in, nil
}

// Policy returns the deadlines in force.
func (in *Intake) Policy() Policy { return *in.policy.Load() }

// SetPolicy changes the deadlines for the warnings that come next.
func (in *Intake) SetPolicy(p Policy) { in.policy.Store(&p) }

// refresh reloads what changed since intake last looked: the tree (the
// address matcher and routing), the roster (who is on duty) and the
// settings (deadlines). One small query per commit; a console edit is
// therefore in force for the very next warning, on every replica. Called
// with mu held.
func (in *Intake) refresh(ctx context.Context) error {
	gens, err := db.Generations(ctx, in.db)
	if err != nil {
		return err
	}
	if gens[db.GenTree] != in.gens[db.GenTree] {
		if err := in.ReloadTree(ctx); err != nil {
			return err
		}
	}
	if gens[db.GenRoster] != in.gens[db.GenRoster] || gens[db.GenUsers] != in.gens[db.GenUsers] {
		in.shifts = nil // read again below (onDutyAt)
	}
	if gens[db.GenSettings] != in.gens[db.GenSettings] && in.PolicySource != nil {
		p, err := in.PolicySource(ctx)
		if err != nil {
			return err
		}
		in.SetPolicy(p)
	}
	in.gens = gens
	return nil
}

// ReloadTree rebuilds the address matcher after the jurisdiction tree changed.
func (in *Intake) ReloadTree(ctx context.Context) error {
	root, err := area.Root(ctx, in.db)
	if err != nil {
		return fmt.Errorf("intake: %w", err)
	}
	nodes, err := area.Subtree(ctx, in.db, root)
	if err != nil {
		return fmt.Errorf("intake: %w", err)
	}
	// Retired nodes keep their records but route nothing: the matcher never
	// sees them (nor anything under them).
	live := nodes[:0:0]
	for _, n := range nodes {
		if !n.Retired {
			live = append(live, n)
		}
	}
	idx := &treeIndex{root: root, nodes: make(map[int64]area.Node, len(nodes)), matcher: NewAddressMatcher(live)}
	for _, n := range nodes {
		idx.nodes[n.ID] = n
	}
	in.tree.Store(idx)
	return nil
}

// Item statuses in an intake answer.
const (
	ItemCreated   = "created"   // stored as a new open warning
	ItemMerged    = "merged"    // stored and joined to the person's open warning
	ItemDuplicate = "duplicate" // this (source, source_ref) was stored before; nothing changed
	ItemRejected  = "rejected"  // not stored; Error says why
)

// ItemResult is the answer for one warning of a batch.
type ItemResult struct {
	Index       int    `json:"index"` // 0-based position in the batch (row number - 1 … for files see Row)
	Row         int    `json:"row,omitempty"`
	Source      Source `json:"source,omitempty"`
	SourceRef   string `json:"source_ref"`
	Status      string `json:"status"`
	ID          int64  `json:"id,omitempty"`
	MergedInto  int64  `json:"merged_into,omitempty"`
	StationID   int64  `json:"station_id,omitempty"`
	AssigneeID  int64  `json:"assignee_id,omitempty"`
	RouteReason string `json:"route_reason,omitempty"`
	Error       string `json:"error,omitempty"`
}

// BatchResult is the answer for a batch.
type BatchResult struct {
	Created    int          `json:"created"`
	Merged     int          `json:"merged"`
	Duplicates int          `json:"duplicates"`
	Rejected   int          `json:"rejected"`
	Stored     bool         `json:"stored"` // false when AllOrNothing refused the batch
	Items      []ItemResult `json:"items"`
}

// SubmitOptions controls a batch.
type SubmitOptions struct {
	// AllOrNothing refuses the whole batch when any warning in it is
	// invalid; otherwise valid warnings are stored and invalid ones
	// reported.
	AllOrNothing bool
	// Door names the intake door for the timeline: api | upload | cli | stream.
	Door string
	// UserID is the user who submitted (0 for the stream).
	UserID int64
	// Rows gives the file row number of each input (uploads), for reports.
	Rows []int
	// Audit, when set, is written to the audit log in the same transaction
	// as the warnings (who submitted, from where), with the counts.
	Audit *auth.AuditEntry
}

// MaxBatch is the largest batch one call takes.
const MaxBatch = 10000

// ErrBatchTooLarge is returned for batches over MaxBatch.
var ErrBatchTooLarge = domain.TooLarge("一次最多提交 %d 条预警，请拆成几批提交", MaxBatch)

// openWarning is what intake needs of a person's open primary warning.
type openWarning struct {
	id          int64
	grade       Grade
	priority    int64
	contactDue  int64
	lastIntake  int64
	lastContact int64
	stationID   int64
	assigneeID  int64
	dirty       bool
}

// Submit runs a batch through the pipeline.
func (in *Intake) Submit(ctx context.Context, inputs []Input, opt SubmitOptions) (BatchResult, error) {
	if len(inputs) > MaxBatch {
		return BatchResult{}, ErrBatchTooLarge
	}
	now := in.now().UTC()
	res := BatchResult{Items: make([]ItemResult, len(inputs))}
	norm := make([]normalized, len(inputs))
	valid := make([]bool, len(inputs))
	for i, raw := range inputs {
		it := &res.Items[i]
		it.Index, it.Source, it.SourceRef = i, raw.Source, raw.SourceRef
		if i < len(opt.Rows) {
			it.Row = opt.Rows[i]
		}
		n, err := normalize(raw, now)
		if err != nil {
			it.Status, it.Error = ItemRejected, err.Error()
			res.Rejected++
			continue
		}
		it.Source = n.Source
		norm[i], valid[i] = n, true
	}
	if opt.AllOrNothing && res.Rejected > 0 {
		return res, nil
	}
	j := &job{done: make(chan error, 1), audit: opt.Audit}
	for i := range inputs {
		if valid[i] {
			norm[i].door, norm[i].userID = opt.Door, opt.UserID
			j.items = append(j.items, &norm[i])
			j.results = append(j.results, &res.Items[i])
		}
	}
	var err error
	failedFrom := 0 // the first item not stored when err != nil
	switch {
	case len(j.items) == 0:
	case len(j.items) < groupCommitBelow:
		// Small submissions (single warnings from the API or the stream)
		// are committed together with whatever else is waiting: one
		// transaction and one disk sync for many callers.
		in.startCommitter()
		select {
		case in.queue <- j:
		case <-ctx.Done():
			return res, ctx.Err()
		}
		err = <-j.done
	default:
		// A large batch is stored in chunks of batchChunk warnings, one
		// transaction each, so that single warnings waiting for the group
		// committer are taken between two chunks instead of behind a
		// 5,000-warning transaction. A chunk is stored whole or not at
		// all; when one fails, the chunks before it stay stored (their
		// items say so) and a resent batch finds them as duplicates.
		for start := 0; start < len(j.items); start += batchChunk {
			end := min(start+batchChunk, len(j.items))
			part := &job{items: j.items[start:end], results: j.results[start:end], audit: j.audit}
			if err = in.commit(ctx, []*job{part}); err != nil {
				failedFrom = start
				break
			}
		}
	}
	if err != nil {
		// Say so on every item not stored.
		for _, it := range j.results[failedFrom:] {
			it.Status, it.ID, it.MergedInto, it.AssigneeID = "", 0, 0, 0
		}
		return res, fmt.Errorf("store warnings: %w", err)
	}
	res.Stored = true
	for _, it := range res.Items {
		switch it.Status {
		case ItemCreated:
			res.Created++
		case ItemMerged:
			res.Merged++
		case ItemDuplicate:
			res.Duplicates++
		}
	}
	return res, nil
}

// groupCommitBelow: submissions with fewer warnings go through the group
// committer; larger batches are their own transactions of at most
// batchChunk warnings (about 50 ms of work on a 2-core server).
const (
	groupCommitBelow = 200
	batchChunk       = 1000
)

// maxGroup bounds the warnings of one group commit.
const maxGroup = 5000

// job is one submission waiting to be stored.
type job struct {
	items   []*normalized
	results []*ItemResult
	audit   *auth.AuditEntry
	done    chan error
}

func (in *Intake) startCommitter() {
	in.committerOnce.Do(func() {
		in.queue = make(chan *job, 4096)
		go in.runCommitter()
	})
}

// runCommitter takes queued submissions and commits them in groups: the
// first one waiting, plus every other already queued, up to maxGroup
// warnings. Under load the queue fills while a commit runs, so groups grow
// exactly when it pays; idle, a single warning is committed at once.
func (in *Intake) runCommitter() {
	for j := range in.queue {
		jobs := []*job{j}
		n := len(j.items)
	drain:
		for n < maxGroup {
			select {
			case more := <-in.queue:
				jobs = append(jobs, more)
				n += len(more.items)
			default:
				break drain
			}
		}
		err := in.commit(context.Background(), jobs)
		for _, x := range jobs {
			x.done <- err
		}
	}
}

// commit stores the jobs in one transaction.
func (in *Intake) commit(ctx context.Context, jobs []*job) error {
	t0 := time.Now()
	in.mu.Lock()
	defer in.mu.Unlock()
	var st CommitStats
	tLocked := time.Now()
	st.Wait = tLocked.Sub(t0)
	if err := in.refresh(ctx); err != nil {
		return err
	}
	now := in.now().UTC()
	tree := in.tree.Load()
	onDuty, err := in.onDutyAt(ctx, now)
	if err != nil {
		return err
	}
	var items []*normalized
	for _, j := range jobs {
		items = append(items, j.items...)
	}
	routeItems(tree, items)
	stations := stationKeys(items)
	var changed []int64
	var tIn, tOut time.Time
	tTx := time.Now()
	err = in.db.InTx(ctx, func(tx *db.Tx) error {
		tIn = time.Now()
		defer func() { tOut = time.Now() }()
		b, err := newBatch(ctx, tx, in, tree, now, onDuty)
		if err != nil {
			return err
		}
		defer b.close()
		if err := lockPeople(ctx, tx, items); err != nil {
			return err
		}
		if err := lockStations(ctx, tx, stations); err != nil {
			return err
		}
		if b.load, err = readLoad(ctx, tx, stations, onDuty); err != nil {
			return err
		}
		if err := b.prefetch(ctx, items); err != nil {
			return err
		}
		if err := b.allocate(ctx, len(items)); err != nil {
			return err
		}
		for _, j := range jobs {
			for k, n := range j.items {
				if err := b.take(ctx, n, j.results[k]); err != nil {
					return fmt.Errorf("warning %s/%s: %w", n.Source, n.SourceRef, err)
				}
			}
		}
		if err := b.flush(ctx); err != nil {
			return err
		}
		if err := b.flushPrimaries(ctx); err != nil {
			return err
		}
		if err := countAssigned(ctx, tx, b.assigned); err != nil {
			return err
		}
		for _, j := range jobs {
			if j.audit == nil {
				continue
			}
			var created, merged, dup int
			for _, r := range j.results {
				switch r.Status {
				case ItemCreated:
					created++
				case ItemMerged:
					merged++
				case ItemDuplicate:
					dup++
				}
			}
			if created+merged == 0 {
				continue
			}
			e := j.audit.With(auth.AuditCreate, "warning", "")
			if created+merged == 1 {
				for _, r := range j.results {
					if r.Status == ItemCreated || r.Status == ItemMerged {
						e.ObjectID = strconv.FormatInt(r.ID, 10)
					}
				}
			}
			e.At = now
			e.Detail = fmt.Sprintf("intake %s: %d created, %d merged, %d duplicate", doorName(j.items[0].door), created, merged, dup)
			if err := auth.Audit(ctx, tx, e); err != nil {
				return err
			}
		}
		changed = b.changed
		return nil
	})
	if err != nil {
		return err
	}
	if in.OnCommit != nil {
		end := time.Now()
		st.Warnings, st.Jobs = len(items), len(jobs)
		st.Prepare, st.Begin, st.Work, st.Commit = tTx.Sub(tLocked), tIn.Sub(tTx), tOut.Sub(tIn), end.Sub(tOut)
		in.OnCommit(st)
	}
	if in.OnStored != nil && len(changed) > 0 {
		in.OnStored(changed)
	}
	return nil
}

// onDutyAt returns the on-duty dissuaders per station at t, from the
// roster as internal/roster computes it (shifts of enabled officers, leave
// cut out), cached for a minute around t; refresh drops the cache when the
// roster or the users change, so an edit is in force for the next warning.
func (in *Intake) onDutyAt(ctx context.Context, t time.Time) (map[int64][]int64, error) {
	if in.shifts == nil || t.Sub(in.shiftsAt) > time.Minute || t.Before(in.shiftsAt) {
		slots, err := roster.Window(ctx, in.db, t.Add(-2*time.Hour), t.Add(2*time.Hour))
		if err != nil {
			return nil, err
		}
		list := make([]shift, 0, len(slots))
		names := make(map[int64]string, len(slots))
		for _, sl := range slots {
			if sl.Duty == roster.Dissuader {
				list = append(list, shift{station: sl.AreaID, user: sl.UserID, start: db.Millis(sl.Start), end: db.Millis(sl.End)})
				names[sl.UserID] = sl.Name
			}
		}
		in.officerNames = names
		sort.SliceStable(list, func(i, j int) bool { return list[i].user < list[j].user })
		in.shifts, in.shiftsAt = list, t
	}
	ms := db.Millis(t)
	out := map[int64][]int64{}
	seen := map[[2]int64]bool{}
	for _, sh := range in.shifts {
		if sh.start <= ms && sh.end > ms && !seen[[2]int64{sh.station, sh.user}] {
			seen[[2]int64{sh.station, sh.user}] = true
			out[sh.station] = append(out[sh.station], sh.user)
		}
	}
	return out, nil
}

type shift struct{ station, user, start, end int64 }

// officerName is the display name of an on-duty officer as the roster
// cache read it (the timeline names people, not user ids).
func (in *Intake) officerName(id int64) string {
	if n := in.officerNames[id]; n != "" {
		return n
	}
	return fmt.Sprintf("（编号 %d）", id)
}

// batch is the state of one Submit transaction.
type batch struct {
	in    *Intake
	tx    *db.Tx
	tree  *treeIndex
	now   time.Time
	stmts map[string]*sql.Stmt

	onDuty   map[int64][]int64 // station -> on-duty dissuaders
	load     map[int64]int     // officer -> open warnings, read in the transaction (readLoad)
	assigned map[int64]int     // officer -> warnings assigned in this batch
	seenRef  map[string]int64  // source|ref -> id, within the batch
	byPhone  map[string]*openWarning
	byID     map[string]*openWarning
	changed  []int64

	// Filled by prefetch.
	prefetched  bool
	known       map[string]dupInfo
	hist        map[string][]int64
	scamPhone   map[string]bool
	scamAccount map[string]bool

	// Rows waiting to be written by flush, and the ids allocated for them.
	rows   []pendingRow
	newIDs map[int64]bool
	events [][]any
	ids    []int64
}

// dupQuery reads a stored warning by its sender's reference (the fallback
// when another process stored it between prefetch and insert).
const dupQuery = `SELECT id, status, COALESCE(merged_into, 0) FROM warnings WHERE source = ? AND source_ref = ?`

func newBatch(ctx context.Context, tx *db.Tx, in *Intake, tree *treeIndex, now time.Time, onDuty map[int64][]int64) (*batch, error) {
	b := &batch{in: in, tx: tx, tree: tree, now: now, stmts: map[string]*sql.Stmt{},
		onDuty: onDuty, assigned: map[int64]int{}, seenRef: map[string]int64{},
		byPhone: map[string]*openWarning{}, byID: map[string]*openWarning{}}
	return b, nil
}

func (b *batch) close() {
	for _, s := range b.stmts {
		s.Close()
	}
}

func nullable(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// take runs one valid warning through dedupe, merge, score, route, assign
// and insert.
func (b *batch) take(ctx context.Context, n *normalized, it *ItemResult) error {
	key := string(n.Source) + "|" + n.SourceRef
	if id, ok := b.seenRef[key]; ok {
		it.Status, it.ID = ItemDuplicate, id
		return nil
	}
	var id int64
	var status string
	var mergedInto int64
	if d, ok := b.known[key]; ok {
		it.Status, it.ID, it.MergedInto = ItemDuplicate, d.id, d.mergedInto
		b.seenRef[key] = d.id
		return nil
	}

	primary, err := b.openPrimary(ctx, n.Person.Phone, n.Person.IDNumber)
	if err != nil {
		return err
	}
	prior := b.priorCount(n)
	contactInCase := (n.Scam.Account != "" && b.scamAccount[n.Scam.Account]) || (n.Scam.Phone != "" && b.scamPhone[n.Scam.Phone])
	score, parts := b.in.Policy().Scoring().Score(ScoreInput{Grade: n.Grade, AmountFen: n.AmountFen, Age: n.Person.Age, FraudType: n.FraudType,
		PriorWarnings: prior, ContactInCase: contactInCase})
	detail, _ := json.Marshal(parts)

	m := n.route
	areaID, stationID, reason := m.NodeID, m.StationID, m.Reason
	if areaID == 0 {
		areaID = b.tree.root.ID
		if n.Person.Address == "" {
			reason = "未匹配：未提供地址，进入中心队列"
		} else if reason == "" {
			reason = "未匹配：地址无法对应到辖区，进入中心队列"
		}
	}
	due := b.in.Policy().ContactDue(n.Grade, n.ReceivedAt)

	var assignee int64
	status = "open"
	if primary != nil {
		status, mergedInto = "merged", primary.id
		assignee = 0
	} else if stationID != 0 {
		assignee = b.assign(stationID)
		if assignee == 0 {
			reason += "；本所当前无在班劝阻员，由中心值班调度"
		}
	}
	var stationArg any
	if stationID != 0 {
		stationArg = stationID
	}
	var ageArg any
	if n.Person.Age > 0 {
		ageArg = n.Person.Age
	}
	ms := db.Millis(b.now)
	id = b.nextID()
	b.rows = append(b.rows, pendingRow{id: id, item: it, key: key, assignee: assignee, args: []any{id, n.Source, n.SourceRef, db.Millis(n.ReceivedAt), n.Grade, score,
		n.Person.Name, n.Person.Phone, n.Person.IDNumber, n.Person.Birth, ageArg, n.Person.Sex, n.Person.Address,
		n.FraudType, n.Scam.Phone, n.Scam.Account, n.Scam.URL, n.Scam.App, n.AmountFen, n.Text,
		areaID, stationArg, reason, nullable(assignee), status, nullable(mergedInto),
		db.Millis(due), db.Millis(n.ReceivedAt), string(detail), ms, ms, n.typeSource, n.typePermille}})
	b.seenRef[key] = id
	b.remember(n)
	it.ID, it.StationID, it.RouteReason = id, stationID, reason
	door := n.door
	if door == "" {
		door = "api"
	}
	intakeNote := fmt.Sprintf("经%s接收（%s %s），%s，优先分 %d", doorName(door), SourceName(n.Source), n.SourceRef, GradeName(n.Grade), score)
	for _, note := range n.notes {
		intakeNote += "；" + note
	}
	// Routing and assignment go on the intake line: they happen at the
	// same instant, and one timeline row per warning keeps intake fast.
	if primary == nil {
		intakeNote += "；" + reason
		if assignee != 0 {
			intakeNote += "；按值班表分派给在班劝阻员 " + b.in.officerName(assignee)
		}
	}
	if err := b.event(ctx, id, "intake", n.userID, intakeNote); err != nil {
		return err
	}
	if primary != nil {
		it.Status, it.MergedInto = ItemMerged, primary.id
		b.mergeInto(primary, n, score, due)
		note := fmt.Sprintf("同一当事人的新预警 #%d（%s %s，%s）并入", id, SourceName(n.Source), n.SourceRef, GradeName(n.Grade))
		if err := b.event(ctx, primary.id, "merged", n.userID, note); err != nil {
			return err
		}
		b.changed = append(b.changed, id, primary.id)
		return nil
	}
	it.Status, it.AssigneeID = ItemCreated, assignee

	ow := &openWarning{id: id, grade: n.Grade, priority: score, contactDue: db.Millis(due), lastIntake: db.Millis(n.ReceivedAt),
		stationID: stationID, assigneeID: assignee}
	if n.Person.Phone != "" {
		b.byPhone[n.Person.Phone] = ow
	}
	if n.Person.IDNumber != "" {
		b.byID[n.Person.IDNumber] = ow
	}
	b.changed = append(b.changed, id)
	return nil
}

func doorName(d string) string {
	switch d {
	case "api":
		return "接口"
	case "upload":
		return "文件上传"
	case "cli":
		return "命令行导入"
	case "stream":
		return "消息流"
	case "partner":
		return "成员单位"
	}
	return d
}

func (b *batch) event(ctx context.Context, warningID int64, kind string, userID int64, detail string) error {
	b.events = append(b.events, []any{warningID, db.Millis(b.now), kind, nullable(userID), detail})
	return nil
}

// openPrimary finds the person's open warning, in this batch or stored.
func (b *batch) openPrimary(ctx context.Context, phone, idNumber string) (*openWarning, error) {
	if phone != "" {
		if ow := b.byPhone[phone]; ow != nil {
			return ow, nil
		}
	}
	if idNumber != "" {
		if ow := b.byID[idNumber]; ow != nil {
			return ow, nil
		}
	}
	// Everything stored was read by prefetch: no open warning here means
	// none exists.
	return nil, nil
}

// mergeInto folds a new warning into the person's open primary: the primary
// takes the highest grade and priority and the earliest pending deadline. If
// the primary's person was already contacted after its last intake, the new
// warning calls for a new contact, so its own deadline applies.
func (b *batch) mergeInto(p *openWarning, n *normalized, score int64, due time.Time) {
	if GradeRank(n.Grade) > GradeRank(p.grade) {
		p.grade = n.Grade
	}
	if score > p.priority {
		p.priority = score
	}
	d := db.Millis(due)
	contactedSinceIntake := p.lastContact != 0 && p.lastContact >= p.lastIntake
	if contactedSinceIntake || p.contactDue == 0 || d < p.contactDue {
		p.contactDue = d
	}
	if r := db.Millis(n.ReceivedAt); r > p.lastIntake {
		p.lastIntake = r
	}
	p.dirty = true
}

// flushPrimaries writes the merged primaries back.
func (b *batch) flushPrimaries(ctx context.Context) error {
	seen := map[int64]bool{}
	var list []*openWarning
	for _, m := range []map[string]*openWarning{b.byPhone, b.byID} {
		for _, ow := range m {
			if ow.dirty && !seen[ow.id] {
				seen[ow.id] = true
				list = append(list, ow)
			}
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].id < list[j].id })
	for _, ow := range list {
		_, err := b.tx.Exec(ctx, `UPDATE warnings SET grade = ?, priority = ?, contact_due_at = ?, last_intake_at = ?, updated_at = ? WHERE id = ?`,
			ow.grade, ow.priority, ow.contactDue, ow.lastIntake, db.Millis(b.now), ow.id)
		if err != nil {
			return fmt.Errorf("update merged warning %d: %w", ow.id, err)
		}
	}
	return nil
}
