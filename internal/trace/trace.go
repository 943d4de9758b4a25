package trace

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/fanzha/fanzha/internal/domain"
)

// Options chooses the rule and the limits of a trace.
type Options struct {
	Rule    Rule          `json:"rule"`
	LIBRCap bool          `json:"libr_cap"`           // lowest-intermediate-balance cap, on either rule
	MaxLag  time.Duration `json:"max_lag,omitempty"`  // victim money held longer than this is not followed further (0: no limit)
	MaxHops int           `json:"max_hops,omitempty"` // money is followed through at most this many transfers after the victim's (0: no limit)
	AsOf    time.Time     `json:"as_of,omitzero"`     // balances at this time; later rows are ignored (zero: the end of the ledger)
	// MatchTolerance bounds the gap between a victim's reported transfer and
	// the inflow row it is matched to (zero: DefaultMatchTolerance).
	MatchTolerance time.Duration `json:"match_tolerance,omitempty"`
	// Envelope also computes Reachable: the accounts reachable from the
	// victims' transfers within MaxHops transfers of strictly increasing
	// time, whatever the rule (what a recursive query over transfers gives).
	Envelope bool `json:"envelope,omitempty"`
}

// Start is a victim's losing transfer, where a trace starts.
type Start struct {
	VictimID    int64     `json:"victim_id"`
	TransferID  int64     `json:"transfer_id,omitempty"`
	At          time.Time `json:"at"`
	FromAccount string    `json:"from_account,omitempty"`
	ToAccount   string    `json:"to_account"`
	AmountFen   int64     `json:"amount_fen"`
}

// Leaf types: where traced money stops being followed.
const (
	LeafNoStatement = "no_statement"         // to an account whose statement is not loaded
	LeafCash        = "cash"                 // cash withdrawal (取现/ATM)
	LeafPayment     = "payment"              // consumption, payment to a merchant
	LeafFee         = "fee"                  // bank charges
	LeafUnknown     = "unknown_counterparty" // outflow without counter account
	LeafUnmatched   = "unmatched"            // counter's statement is loaded but holds no matching inflow
	LeafHopLimit    = "hop_limit"            // would go beyond MaxHops
	LeafMaxLag      = "max_lag"              // held longer than MaxLag before leaving
	LeafInTransit   = "in_transit"           // left before AsOf, arrives after it
)

const (
	leafNone uint8 = iota
	leafNoStatement
	leafCash
	leafPayment
	leafFee
	leafUnknown
	leafUnmatched
	leafHopLimit
	leafMaxLag
	leafInTransit
)

var leafNames = [...]string{"", LeafNoStatement, LeafCash, LeafPayment, LeafFee, LeafUnknown, LeafUnmatched, LeafHopLimit, LeafMaxLag, LeafInTransit}

// VictimAmount is an amount of one victim's money.
type VictimAmount struct {
	VictimID  int64 `json:"victim_id"`
	AmountFen int64 `json:"amount_fen"`
}

// Node is a node of the flow graph: a victim, an account the traced
// money reached, or a leaf.
type Node struct {
	ID           string         `json:"id"`
	Kind         string         `json:"kind"` // victim | account | leaf
	VictimID     int64          `json:"victim_id,omitempty"`
	Account      string         `json:"account,omitempty"`   // the account (for a leaf: the account the money left)
	Counter      string         `json:"counter,omitempty"`   // leaf: where it went, when known
	LeafType     string         `json:"leaf_type,omitempty"` // leaf: one of the Leaf… types
	HasStatement bool           `json:"has_statement,omitempty"`
	Depth        int            `json:"depth"`              // transfers from the victim's (account: fewest by which traced money reached it)
	Received     []VictimAmount `json:"received,omitempty"` // traced money that came in (account) or ended here (leaf)
	Balance      []VictimAmount `json:"balance,omitempty"`  // account: traced money still there at AsOf
	BalanceFen   int64          `json:"balance_fen"`        // sum of Balance (account) or of Received (leaf)
}

// Edge aggregates the traced transfers between two nodes.
type Edge struct {
	From      string         `json:"from"`
	To        string         `json:"to"`
	Amounts   []VictimAmount `json:"amounts"`
	TotalFen  int64          `json:"total_fen"`
	Transfers int            `json:"transfers"`
	FirstAt   time.Time      `json:"first_at"`
	LastAt    time.Time      `json:"last_at"`
}

// Victim sums up one victim's money.
type Victim struct {
	VictimID     int64            `json:"victim_id"`
	LostFen      int64            `json:"lost_fen"`
	RemainingFen int64            `json:"remaining_fen"` // still in traced accounts at AsOf
	LeafFen      map[string]int64 `json:"leaf_fen"`      // by leaf type
}

// Result is a trace: the flow graph, balances at AsOf and per-victim
// sums; Explain tells the path of any amount.
type Result struct {
	Options Options   `json:"options"`
	AsOf    time.Time `json:"as_of,omitzero"` // zero when no statement row was read and no time was asked for
	Victims []Victim  `json:"victims"`
	Nodes   []Node    `json:"nodes"`
	Edges   []Edge    `json:"edges"`

	ledger   *Ledger
	starts   []Start
	owners   []int64 // owner → victim id (owner 0: other)
	recs     []traceRec
	nodeIdx  map[string]int
	reach    []int32 // the envelope (Envelope option)
	hasReach bool
	skipped  int // accounts started past their first rows (skip.go), for tests
}

// traceRec is one victim's part of one traced transfer.
type traceRec struct {
	from  int32 // account id; −1 for a victim's own transfer (start)
	to    int32 // account id of the receiver or counter; −1 unknown
	leaf  uint8
	owner int32
	start int32 // index of the start for a victim's transfer, else −1
	at    int64
	amt   int64
}

// acctState is the simulation state of one account the trace touched.
type acctState struct {
	acct    int32
	cursor  int32 // next row to process
	end     int32 // first row after AsOf
	depth   int32
	pending int32 // deliveries to rows not processed yet
	heapPos int32 // −1: not in the heap
	busy    bool  // its rows are being processed (main loop or advance)
	keyOut  bool  // heap key: the next row is an outflow
	keyAt   int64 // heap key: time of the next row
	node    int32 // index in the result's nodes, −1 none yet
	nameLo  int32 // its number is l.names.data[nameLo:nameHi]
	nameHi  int32
	minPend int32 // first row awaiting a delivery (noPending: none)
	pend    []int32
	h       holdings
}

type delivery struct {
	off, n int32 // parts in tracer.arena
	depth  int32
}

// traceScratch is per-trace memory, reused through a pool.
type traceScratch struct {
	seen  []uint64             // envelope membership, one bit per account; all clear between traces
	slots acctTable[reachSlot] // envelope slots of the accounts reached before the last level
	rbuf  reachBufs

	splits splitScratch
	tr     tracer // buffers reused from trace to trace
}

type reachSlot struct {
	mark   uint32 // level of this trace that last wrote it
	expSec uint32 // secOf its arrival when last expanded, 0 never
	best   int64  // earliest arrival
}

func (l *Ledger) getScratch() *traceScratch {
	sc, _ := l.scratch.Get().(*traceScratch)
	if n := l.names.len(); sc == nil || len(sc.seen) != (n+63)/64 {
		sc = &traceScratch{seen: make([]uint64, (n+63)/64)}
	}
	return sc
}

type tracer struct {
	l      *Ledger
	opt    Options
	mode   ruleMode
	sc     *traceScratch
	asOf   int64
	maxLag int64

	states  []*acctState
	blocks  [][]acctState // storage of states, reused
	heap    []*acctState
	deliv   map[int32]delivery
	arena   []tracePart
	recs    []traceRec
	owners  []int64
	owner   map[int64]int32
	parts   []tracePart
	lost    []int64
	skipped int
	byAcct  acctTable[int32] // account → its state in states
	bloom   [64]uint64       // accounts with a state, hashed to 4096 bits: most rows need no table lookup
	seedBuf []reachSeed      // the envelope's seeds
}

// reset prepares the scratch's tracer for a new trace.
func (sc *traceScratch) tracer(l *Ledger, opt Options) *tracer {
	t := &sc.tr
	t.l, t.opt, t.sc = l, opt, sc
	t.states, t.heap, t.arena, t.recs = t.states[:0], t.heap[:0], t.arena[:0], t.recs[:0]
	if t.deliv == nil {
		t.deliv, t.owner = map[int32]delivery{}, map[int64]int32{}
	}
	clear(t.deliv)
	clear(t.owner)
	t.owners = []int64{0} // handed to the result
	t.lost = append(t.lost[:0], 0)
	t.bloom = [64]uint64{}
	t.byAcct.reset()
	t.skipped = 0
	return t
}

// newState takes a state from the reused blocks.
func (t *tracer) newState() *acctState {
	n := len(t.states)
	b, i := n/64, n%64
	if b == len(t.blocks) {
		t.blocks = append(t.blocks, make([]acctState, 64))
	}
	s := &t.blocks[b][i]
	lots, pend := s.h.lots[:0], s.pend[:0]
	*s = acctState{heapPos: -1, node: -1, minPend: noPending, pend: pend}
	s.h.lots = lots
	return s
}

// ErrInput marks starts or options the engine cannot use; it wraps
// domain.ErrInvalid, and Trace's refusals wrap it with a Chinese message.
var ErrInput = fmt.Errorf("trace input: %w", domain.ErrInvalid)

// Trace follows the money of the given victim transfers through the ledger.
func Trace(l *Ledger, starts []Start, opt Options) (Result, error) {
	if opt.MaxHops < 0 || opt.MaxLag < 0 {
		return Result{}, domain.Invalid("资金追踪的最大跳数和最长间隔不能为负数").With(ErrInput)
	}
	for k, s := range starts {
		if s.AmountFen <= 0 {
			return Result{}, domain.Invalid("第 %d 笔起始转账的金额必须为正（现为 %d 分）", k+1, s.AmountFen).With(ErrInput)
		}
	}
	sc := l.getScratch()
	defer l.scratch.Put(sc)
	t := sc.tracer(l, opt)
	t.mode = ruleMode{prop: opt.Rule == Proportional, libr: opt.LIBRCap, merge: opt.MaxLag == 0}
	t.asOf = l.maxAt
	if !opt.AsOf.IsZero() {
		t.asOf = millis(opt.AsOf)
	}
	t.maxLag = opt.MaxLag.Milliseconds()
	t.owners = []int64{0}
	t.lost = []int64{0}
	for k, s := range starts {
		t.addStart(k, s)
	}
	t.skipStarts()
	t.run()
	res := t.result(starts)
	res.skipped = t.skipped
	if opt.Envelope {
		res.reach = t.envelope(starts)
		res.hasReach = true
	}
	return res, nil
}

func (t *tracer) ownerOf(victim int64) int32 {
	if o, ok := t.owner[victim]; ok {
		return o
	}
	o := int32(len(t.owners))
	t.owner[victim] = o
	t.owners = append(t.owners, victim)
	t.lost = append(t.lost, 0)
	return o
}

// addStart matches a victim's transfer to the inflow row recording it in
// the receiving account's statement: the same amount, the counter account
// equal to the victim's (when both are known), the nearest in time within
// the tolerance, each row used once.
func (t *tracer) addStart(k int, s Start) {
	l := t.l
	o := t.ownerOf(s.VictimID)
	t.lost[o] += s.AmountFen
	at := millis(s.At)
	rec := traceRec{from: -1, to: -1, owner: o, start: int32(k), at: at, amt: s.AmountFen}
	a, ok := l.index.get(s.ToAccount)
	if ok {
		rec.to = a
	}
	if !ok || !l.stmt[a] {
		rec.leaf = leafNoStatement
		t.recs = append(t.recs, rec)
		return
	}
	tol := t.opt.MatchTolerance
	if tol <= 0 {
		tol = DefaultMatchTolerance
	}
	from, fromOK := l.index.get(s.FromAccount)
	lo, hi := l.rowsOf(a)
	best, bestD := int32(-1), int64(0)
	for i := lo; i < hi; i++ {
		if l.rows[i].amt != s.AmountFen {
			continue
		}
		if fromOK && l.rows[i].counter >= 0 && l.rows[i].counter != from {
			continue
		}
		if _, used := t.deliv[i]; used {
			continue
		}
		d := l.rows[i].at - at
		if d < 0 {
			d = -d
		}
		if d <= tol.Milliseconds() && (best < 0 || d < bestD) {
			best, bestD = i, d
		}
	}
	if best < 0 || l.rows[best].at > t.asOf {
		rec.leaf = leafUnmatched
		if best >= 0 {
			rec.leaf = leafInTransit
		}
		t.recs = append(t.recs, rec)
		return
	}
	rec.at = l.rows[best].at
	t.recs = append(t.recs, rec)
	st, _ := t.touch(a, 0)
	off := int32(len(t.arena))
	t.arena = append(t.arena, tracePart{o, s.AmountFen, 0})
	t.deliv[best] = delivery{off: off, n: 1, depth: 0}
	t.addPending(st, best)
	if st.heapPos < 0 {
		t.push(st)
	}
}

// touch returns the state of an account, creating it at the start of its
// statement with its opening balance as other money; true when it did.
func (t *tracer) touch(a int32, depth int32) (*acctState, bool) {
	if s := t.stateOf(a); s != nil {
		if depth < s.depth {
			s.depth = depth
		}
		return s, false
	}
	lo, hi := t.l.rowsOf(a)
	s := t.newState()
	end := hi
	if t.asOf < t.l.maxAt {
		end = t.l.firstAfter(lo, hi, t.asOf)
	}
	s.acct, s.cursor, s.end, s.depth = a, lo, end, depth
	s.h.other = t.l.opening[a]
	// Its name, for the graph: loaded now, beside the account's other
	// misses, rather than one at a time when the graph is built.
	s.nameLo, s.nameHi = t.l.names.off[a], t.l.names.off[a+1]
	t.setKey(s)
	*t.byAcct.insert(a) = int32(len(t.states))
	t.states = append(t.states, s)
	t.bloom[(a>>6)&63] |= 1 << (a & 63)
	return s, true
}

// setKey caches the heap key of an account's next row.
func (t *tracer) setKey(s *acctState) {
	if s.cursor < s.end {
		s.keyAt, s.keyOut = t.l.rows[s.cursor].at, t.l.rows[s.cursor].amt < 0
	}
}

// stateOf returns the state of an account, nil when the trace has not
// reached it. The bloom filter answers most lookups — of accounts not
// reached, the usual case — without the table.
func (t *tracer) stateOf(a int32) *acctState {
	if a < 0 || t.bloom[(a>>6)&63]&(1<<(a&63)) == 0 {
		return nil
	}
	if k := t.byAcct.get(a); k != nil {
		return t.states[*k]
	}
	return nil
}

// run processes the rows of touched accounts in global time order (a heap
// keyed by each account's next row; at equal times outflows first), so that
// money is delivered before the receiving row is read. An account leaves
// the heap when it holds no victim money and expects none.
func (t *tracer) run() {
	for len(t.heap) > 0 {
		s := t.pop()
		s.busy = true
		for s.cursor < s.end {
			if len(t.heap) > 0 && t.less(t.heap[0], s) {
				break
			}
			t.step(s)
			if s.h.victim == 0 && s.pending == 0 {
				break
			}
		}
		s.busy = false
		t.requeue(s)
	}
}

func (t *tracer) requeue(s *acctState) {
	if s.heapPos < 0 && (s.h.victim > 0 || s.pending > 0) && s.cursor < s.end {
		t.push(s)
	}
}

// advance processes an account's rows up to and including row o: a
// receiving account needs the paying account's outflow first.
func (t *tracer) advance(s *acctState, o int32) {
	if s.heapPos >= 0 {
		t.remove(int(s.heapPos)) // its key changes; heap members are never busy
	}
	s.busy = true
	for s.cursor <= o && s.cursor < s.end {
		t.step(s)
	}
	s.busy = false
	t.requeue(s)
}

// step processes one row of an account.
func (t *tracer) step(s *acctState) {
	l := t.l
	i := s.cursor
	r := &l.rows[i]
	a, at := r.amt, r.at
	if a > 0 {
		ok := i == s.minPend
		if !ok && r.link >= 0 {
			// The paying account may still owe this row its victim money.
			if snd := t.stateOf(r.counter); snd != nil && snd.cursor <= r.link && !snd.busy {
				t.advance(snd, r.link)
				ok = i == s.minPend
			}
		}
		s.cursor++
		t.setKey(s)
		if !ok {
			s.h.addOther(t.mode, a, at)
			return
		}
		d := t.deliv[i]
		delete(t.deliv, i)
		t.donePending(s, i)
		var sum int64
		for _, p := range t.arena[d.off : d.off+d.n] {
			s.h.add(t.mode, p, at)
			sum += p.amt
		}
		s.h.addOther(t.mode, a-sum, at)
		if d.depth < s.depth {
			s.depth = d.depth
		}
		return
	}
	s.cursor++
	t.setKey(s)
	if s.h.victim == 0 {
		// Only other money here: spend it without splitting (a FIFO
		// queue without victim money is folded into other).
		s.h.other -= min(-a, s.h.other)
		return
	}
	t.parts = s.h.take(t.mode, -a, t.parts[:0], &t.sc.splits)
	t.route(s, i, t.parts)
}

// addPending and donePending keep an account's rows awaiting a delivery
// and the first of them, so that other rows cost one comparison.
func (t *tracer) addPending(s *acctState, row int32) {
	s.pend = append(s.pend, row)
	s.pending++
	s.minPend = min(s.minPend, row)
}

func (t *tracer) donePending(s *acctState, row int32) {
	s.pending--
	s.minPend = noPending
	for k := 0; k < len(s.pend); k++ {
		if s.pend[k] == row {
			s.pend[k] = s.pend[len(s.pend)-1]
			s.pend = s.pend[:len(s.pend)-1]
			k--
			continue
		}
		s.minPend = min(s.minPend, s.pend[k])
	}
}

const noPending = int32(1<<31 - 1)

// route sends the victim parts of outflow row i of account s on: delivered
// to the matching inflow, or ended as a leaf.
func (t *tracer) route(s *acctState, i int32, parts []tracePart) {
	l := t.l
	at := l.rows[i].at
	hasVictim := false
	for _, p := range parts {
		if p.owner != 0 {
			hasVictim = true
			break
		}
	}
	if !hasVictim {
		return
	}
	c := l.rows[i].counter
	leaf := leafNone
	var rs *acctState
	dest := l.rows[i].link
	switch {
	case t.opt.MaxHops > 0 && int(s.depth) >= t.opt.MaxHops:
		leaf = leafHopLimit
	case dest >= 0:
		switch {
		case l.rows[dest].at > t.asOf:
			leaf = leafInTransit
		default:
			var fresh bool
			rs, fresh = t.touch(c, s.depth+1)
			if fresh {
				t.skip(rs, dest, at)
			}
			if _, taken := t.deliv[dest]; taken || rs.cursor > dest {
				leaf = leafUnmatched // the receiving row was already read: clocks too far apart
				rs = nil
			}
		}
	case l.rows[i].kind == rowCash:
		leaf = leafCash
	case l.rows[i].kind == rowPayment:
		leaf = leafPayment
	case l.rows[i].kind == rowFee:
		leaf = leafFee
	case c < 0:
		leaf = leafUnknown
	case l.stmt[c]:
		leaf = leafUnmatched
	default:
		leaf = leafNoStatement
	}
	var off int32
	if rs != nil {
		off = int32(len(t.arena))
	}
	for _, p := range parts {
		if p.owner == 0 {
			if rs != nil && !t.mode.prop && !t.mode.libr {
				t.arena = append(t.arena, p) // keeps the FIFO order of mixed money
			}
			continue
		}
		pl := leaf
		if pl == leafNone && t.maxLag > 0 && at-p.at > t.maxLag {
			pl = leafMaxLag
		}
		t.record(s.acct, c, pl, p.owner, at, p.amt)
		if pl == leafNone {
			t.arena = append(t.arena, p)
		} else if rs != nil && !t.mode.prop && !t.mode.libr {
			t.arena = append(t.arena, tracePart{0, p.amt, p.at}) // stays in the FIFO order, untraced
		}
	}
	if rs == nil {
		return
	}
	n := int32(len(t.arena)) - off
	hasV := false
	for _, p := range t.arena[off:] {
		if p.owner != 0 {
			hasV = true
			break
		}
	}
	if !hasV {
		t.arena = t.arena[:off]
		return
	}
	t.deliv[dest] = delivery{off: off, n: n, depth: s.depth + 1}
	t.addPending(rs, dest)
	if rs.heapPos < 0 && !rs.busy {
		t.push(rs) // a busy account is requeued when its processing ends
	}
}

// record adds one victim's part of a transfer, merged with the previous
// record when it is the same transfer and owner.
func (t *tracer) record(from, to int32, leaf uint8, owner int32, at, amt int64) {
	if n := len(t.recs); n > 0 {
		r := &t.recs[n-1]
		if r.from == from && r.to == to && r.leaf == leaf && r.owner == owner && r.at == at && r.start < 0 {
			r.amt += amt
			return
		}
	}
	t.recs = append(t.recs, traceRec{from: from, to: to, leaf: leaf, owner: owner, start: -1, at: at, amt: amt})
}

// Heap of account states by (next row time, outflow before inflow, account).
func (t *tracer) less(a, b *acctState) bool {
	if a.keyAt != b.keyAt {
		return a.keyAt < b.keyAt
	}
	if a.keyOut != b.keyOut {
		return a.keyOut
	}
	return a.acct < b.acct
}

func (t *tracer) push(s *acctState) {
	s.heapPos = int32(len(t.heap))
	t.heap = append(t.heap, s)
	t.up(len(t.heap) - 1)
}

func (t *tracer) pop() *acctState {
	s := t.heap[0]
	t.remove(0)
	return s
}

func (t *tracer) remove(i int) {
	h := t.heap
	n := len(h) - 1
	h[i].heapPos = -1
	if i != n {
		h[i] = h[n]
		h[i].heapPos = int32(i)
	}
	t.heap = h[:n]
	if i < n {
		t.fix(i)
	}
}

func (t *tracer) fix(i int) {
	if !t.down(i) {
		t.up(i)
	}
}

func (t *tracer) up(j int) {
	h := t.heap
	for j > 0 {
		p := (j - 1) / 2
		if !t.less(h[j], h[p]) {
			break
		}
		h[p], h[j] = h[j], h[p]
		h[p].heapPos, h[j].heapPos = int32(p), int32(j)
		j = p
	}
}

func (t *tracer) down(i int) bool {
	h := t.heap
	i0 := i
	for {
		c := 2*i + 1
		if c >= len(h) {
			break
		}
		if r := c + 1; r < len(h) && t.less(h[r], h[c]) {
			c = r
		}
		if !t.less(h[c], h[i]) {
			break
		}
		h[i], h[c] = h[c], h[i]
		h[i].heapPos, h[c].heapPos = int32(i), int32(c)
		i = c
	}
	return i > i0
}

// Node ids of the flow graph.
func victimNodeID(v int64) string { return "victim/" + strconv.FormatInt(v, 10) }

// result assembles the flow graph and the sums. Nodes are found by integer
// keys here; the index by id string is built when first asked for.
func (t *tracer) result(starts []Start) Result {
	l := t.l
	res := Result{Options: t.opt, AsOf: time.UnixMilli(t.asOf).UTC(), ledger: l, starts: starts,
		owners: t.owners, recs: slices.Clone(t.recs)}
	if len(l.rows) == 0 && t.opt.AsOf.IsZero() {
		// No statement: balances are "as of" nothing, never 1970-01-01.
		res.AsOf = time.Time{}
	}
	// Nodes: at most the accounts with a state, the leaves and the
	// victims; edges: about one into each node. Sized so, a typical graph
	// allocates once and zeroes no more than it uses.
	leafRecs := 0
	for k := range t.recs {
		if t.recs[k].leaf != leafNone {
			leafRecs++
		}
	}
	maxNodes := len(t.states) + leafRecs + len(t.owners)
	res.Nodes = make([]Node, 0, maxNodes)
	res.Edges = make([]Edge, 0, min(len(t.recs), maxNodes+maxNodes/4))
	// Per-victim amounts of nodes and edges: one victim each in most
	// traces, so they start as one-element windows of a shared array.
	amounts := make([]VictimAmount, 0, 2*len(t.recs)+len(t.states))
	nv := len(t.owners)
	victims := make([]Victim, nv)
	for o := 1; o < nv; o++ {
		victims[o] = Victim{VictimID: t.owners[o], LostFen: t.lost[o], LeafFen: map[string]int64{}}
	}
	var acctNode map[int32]int // accounts without state (none expected)
	victimNode := make([]int, nv)
	type leafKey struct {
		leaf     uint8
		from, to int32 // from −1: a victim's transfer, to the start
	}
	type leafAt struct {
		k    leafKey
		node int
	}
	var leafNode map[leafKey]int // beyond 32 leaves; below, a linear search in leafKeys
	var leafKeys []leafAt
	var startLeaf map[string]int32
	account := func(a int32) int {
		st := t.stateOf(a)
		if st != nil && st.node >= 0 {
			return int(st.node)
		}
		if k, ok := acctNode[a]; ok {
			return k
		}
		var n Node
		if st != nil {
			name := l.names.data[st.nameLo:st.nameHi]
			n = Node{ID: name, Kind: "account", Account: name, HasStatement: true, Depth: -1} // it has rows
		} else {
			name := l.names.at(a)
			n = Node{ID: name, Kind: "account", Account: name, HasStatement: l.stmt[a], Depth: -1}
		}
		k := len(res.Nodes)
		if st != nil {
			n.Depth = int(st.depth)
			st.node = int32(k)
		} else {
			if acctNode == nil {
				acctNode = map[int32]int{}
			}
			acctNode[a] = k
		}
		res.Nodes = append(res.Nodes, n)
		return k
	}
	addAmount := func(xs []VictimAmount, v, amt int64) []VictimAmount {
		for k := range xs {
			if xs[k].VictimID == v {
				xs[k].AmountFen += amt
				return xs
			}
		}
		if xs == nil && len(amounts) < cap(amounts) {
			amounts = append(amounts, VictimAmount{v, amt})
			return amounts[len(amounts)-1 : len(amounts) : len(amounts)]
		}
		return append(xs, VictimAmount{v, amt})
	}
	type ekey struct{ from, to int }
	var edges map[ekey]int // beyond 32 edges; below, a linear search is faster
	ekeys := make([]ekey, 0, len(t.recs))
	for k := range t.recs {
		r := &t.recs[k]
		v := t.owners[r.owner]
		var from, to int
		if r.start >= 0 {
			if victimNode[r.owner] == 0 {
				victimNode[r.owner] = len(res.Nodes) + 1
				res.Nodes = append(res.Nodes, Node{ID: victimNodeID(v), Kind: "victim", VictimID: v})
			}
			from = victimNode[r.owner] - 1
		} else {
			from = account(r.from)
		}
		if r.leaf == leafNone {
			to = account(r.to)
		} else {
			lk := leafKey{r.leaf, r.from, r.to}
			if r.start >= 0 {
				// Victims' transfers that end at once: one leaf per victim
				// and receiving account.
				id := res.recNodeID(k)
				if startLeaf == nil {
					startLeaf = map[string]int32{}
				}
				if _, ok := startLeaf[id]; !ok {
					startLeaf[id] = r.start
				}
				lk.to = startLeaf[id]
			}
			ok := false
			if leafNode != nil {
				to, ok = leafNode[lk]
			} else {
				for j := range leafKeys {
					if leafKeys[j].k == lk {
						to, ok = leafKeys[j].node, true
						break
					}
				}
			}
			if !ok {
				n := Node{ID: res.recNodeID(k), Kind: "leaf", LeafType: leafNames[r.leaf]}
				switch {
				case r.start >= 0:
					n.Account, n.Counter = starts[r.start].FromAccount, starts[r.start].ToAccount
				default:
					n.Account = l.names.at(r.from)
					if r.to >= 0 {
						n.Counter = l.names.at(r.to)
					}
					if s := t.stateOf(r.from); s != nil {
						n.Depth = int(s.depth) + 1
					}
				}
				to = len(res.Nodes)
				if leafNode != nil {
					leafNode[lk] = to
				} else if leafKeys = append(leafKeys, leafAt{lk, to}); len(leafKeys) > 32 {
					leafNode = make(map[leafKey]int, 2*len(leafKeys))
					for _, x := range leafKeys {
						leafNode[x.k] = x.node
					}
				}
				res.Nodes = append(res.Nodes, n)
			}
			victims[r.owner].LeafFen[leafNames[r.leaf]] += r.amt
			res.Nodes[to].BalanceFen += r.amt
		}
		res.Nodes[to].Received = addAmount(res.Nodes[to].Received, v, r.amt)
		ek := ekey{from, to}
		e, ok := -1, false
		if edges != nil {
			e, ok = edges[ek]
		} else {
			for j := range res.Edges {
				if ekeys[j] == ek {
					e, ok = j, true
					break
				}
			}
		}
		if !ok {
			e = len(res.Edges)
			ekeys = append(ekeys, ek)
			if edges == nil && len(ekeys) > 32 {
				edges = make(map[ekey]int, len(t.recs))
				for j, k := range ekeys {
					edges[k] = j
				}
			} else if edges != nil {
				edges[ek] = e
			}
			res.Edges = append(res.Edges, Edge{From: res.Nodes[from].ID, To: res.Nodes[to].ID, FirstAt: time.UnixMilli(r.at).UTC()})
		}
		ed := &res.Edges[e]
		ed.Amounts = addAmount(ed.Amounts, v, r.amt)
		ed.TotalFen += r.amt
		ed.Transfers++
		if at := time.UnixMilli(r.at).UTC(); at.After(ed.LastAt) {
			ed.LastAt = at
		}
	}
	sums := make([]int64, nv)
	for _, s := range t.states {
		if s.h.victim == 0 {
			continue
		}
		clear(sums)
		s.h.byOwner(sums)
		k := account(s.acct)
		for o := 1; o < nv; o++ {
			if sums[o] > 0 {
				res.Nodes[k].Balance = addAmount(res.Nodes[k].Balance, t.owners[o], sums[o])
				res.Nodes[k].BalanceFen += sums[o]
				victims[o].RemainingFen += sums[o]
			}
		}
	}
	res.Victims = victims[1:]
	slices.SortFunc(res.Victims, func(a, b Victim) int { return cmp.Compare(a.VictimID, b.VictimID) })
	return res
}

// Reachable returns the envelope (with the Envelope option): the accounts
// reachable from the victims' transfers within MaxHops transfers of
// strictly increasing time, whatever the rule.
func (r *Result) Reachable() []string {
	out := make([]string, len(r.reach))
	for k, a := range r.reach {
		out[k] = r.ledger.names.at(a)
	}
	return out
}

// ReachableCount is len(Reachable()) without naming the accounts.
func (r *Result) ReachableCount() int { return len(r.reach) }

// CheckConservation verifies, for every victim, that the money at leaves
// plus the money still in traced accounts equals what she lost, exactly.
func (r *Result) CheckConservation() error {
	for _, v := range r.Victims {
		sum := v.RemainingFen
		for _, f := range v.LeafFen {
			sum += f
		}
		if sum != v.LostFen {
			return fmt.Errorf("victim %d: lost %d fen, traced %d (remaining %d, leaves %v)", v.VictimID, v.LostFen, sum, v.RemainingFen, v.LeafFen)
		}
	}
	return nil
}

// Node returns the flow graph node with the given id.
func (r *Result) Node(id string) (Node, bool) {
	if r.nodeIdx == nil {
		r.nodeIdx = make(map[string]int, len(r.Nodes))
		for k, n := range r.Nodes {
			r.nodeIdx[n.ID] = k
		}
	}
	k, ok := r.nodeIdx[id]
	if !ok {
		return Node{}, false
	}
	return r.Nodes[k], true
}

// BalanceOf returns the traced money of a victim still in an account at
// AsOf.
func (r *Result) BalanceOf(account string, victimID int64) int64 {
	n, ok := r.Node(account)
	if !ok {
		return 0
	}
	for _, b := range n.Balance {
		if b.VictimID == victimID {
			return b.AmountFen
		}
	}
	return 0
}
