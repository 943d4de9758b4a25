package funds

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The envelope on a second core.
//
// A trace's envelope (trace_reach.go) and its allocation under the rule
// (trace.go) read the same ledger but share no state, and each spends most
// of its time waiting for memory: cache and TLB misses on a ledger far
// larger than the processor's caches. Two cores wait in parallel, so a
// trace hands its envelope to a helper goroutine on the other core, runs
// the allocation and builds the flow graph meanwhile, then takes the
// envelope back.
//
// Waking a parked goroutine costs tens of µs on a virtual machine (the
// other vCPU has to be woken by the host), about as long as the envelope
// itself, so the helper does not park at once: after each envelope it
// watches its mailbox for helperSpin (10 ms), a time in which a busy server (or a
// benchmark) posts the next one. Parked, it is woken by the next post, but
// that trace does not wait: whoever comes first takes a posted envelope —
// the helper, or the trace itself when its allocation is done and the
// helper has not started. One helper serves one trace at a time; a trace
// finding it busy computes its own envelope. With one processor
// (GOMAXPROCS 1) there is no helper.
//
// The helper keeps its own scratch (membership bitmap, slots, buffers), so
// that they stay in its core's cache from envelope to envelope.

const helperSpin = 10 * time.Millisecond

// Mailbox states.
const (
	mailIdle   int32 = iota // nothing posted; the helper watches
	mailPosted              // a task is posted, not taken
	mailTaken               // the helper computes it
	mailDone                // its result is ready for the poster
	mailBusy                // the poster is writing the task, or computes it itself
)

type envelopeTask struct {
	l       *Ledger
	seeds   []reachSeed
	maxHops int
	maxLag  int64
	asOf    int64
	out     []int32
}

type envelopeHelper struct {
	share    levelShare
	state    atomic.Int32
	sleeping atomic.Bool
	wake     chan struct{}
	task     envelopeTask
	sc       *traceScratch // the helper's own
	helped   atomic.Int64  // envelopes the helper computed
	local    atomic.Int64  // envelopes posted but computed by the trace itself
}

var (
	helperOff  atomic.Bool
	helperOnce sync.Once
	helper     *envelopeHelper // nil with one processor
)

// SetEnvelopeHelper turns the envelope's second core on (the default) or
// off: off, every trace computes its own envelope, as with one processor.
func SetEnvelopeHelper(on bool) { helperOff.Store(!on) }

// EnvelopeHelperStats returns how many posted envelopes the helper computed
// and how many the traces computed themselves because it had not started
// (traces that found the helper busy, or it off, are in neither), and how
// many frontier accounts of the helper's envelopes the traces expanded.
func EnvelopeHelperStats() (helped, local, joined int64) {
	if h := theHelper(); h != nil {
		return h.helped.Load(), h.local.Load(), h.share.joinedTotal.Load()
	}
	return 0, 0, 0
}

func theHelper() *envelopeHelper {
	helperOnce.Do(func() {
		if runtime.GOMAXPROCS(0) < 2 {
			return
		}
		helper = &envelopeHelper{wake: make(chan struct{}, 1)}
		go helper.loop()
	})
	if helperOff.Load() {
		return nil
	}
	return helper
}

// post hands the envelope of seeds to the helper; false when it is busy.
func (h *envelopeHelper) post(l *Ledger, seeds []reachSeed, maxHops int, maxLag, asOf int64) bool {
	if h == nil || !h.state.CompareAndSwap(mailIdle, mailBusy) {
		return false
	}
	h.task = envelopeTask{l: l, seeds: append(h.task.seeds[:0], seeds...), maxHops: maxHops, maxLag: maxLag, asOf: asOf}
	h.state.Store(mailPosted)
	if h.sleeping.Load() {
		select {
		case h.wake <- struct{}{}:
		default:
		}
	}
	return true
}

// collect returns the envelope posted: the helper's result, or, when the
// helper has not started it, the result of computing it here with sc.
func (h *envelopeHelper) collect(sc *traceScratch) []int32 {
	if h.state.CompareAndSwap(mailPosted, mailBusy) {
		h.local.Add(1)
		tk := &h.task
		out := tk.l.reach(sc, tk.seeds, tk.maxHops, tk.maxLag, tk.asOf, 0)
		tk.l = nil
		h.state.Store(mailIdle)
		return out
	}
	// Taken: expand the levels' chunks the helper has not claimed yet,
	// until it is done.
	h.share.join(func() bool { return h.state.Load() == mailDone })
	out := h.task.out
	h.task.out = nil
	h.helped.Add(1)
	h.state.Store(mailIdle)
	return out
}

// loop is the helper: it watches the mailbox, yielding now and then to
// other goroutines, and parks after helperSpin without work.
func (h *envelopeHelper) loop() {
	for {
		deadline := time.Now().Add(helperSpin)
		for spins := 1; h.state.Load() != mailPosted; spins++ {
			if spins&1023 != 0 {
				continue
			}
			runtime.Gosched()
			if time.Now().Before(deadline) {
				continue
			}
			h.sleeping.Store(true)
			if h.state.Load() != mailPosted {
				<-h.wake
			}
			h.sleeping.Store(false)
			deadline = time.Now().Add(helperSpin)
		}
		if !h.state.CompareAndSwap(mailPosted, mailTaken) {
			continue // the trace took it back
		}
		tk := &h.task
		if n := (tk.l.names.len() + 63) / 64; h.sc == nil || len(h.sc.seen) != n {
			h.sc = &traceScratch{seen: make([]uint64, n)}
		}
		tk.out = tk.l.reachShared(h.sc, tk.seeds, tk.maxHops, tk.maxLag, tk.asOf, 0, &h.share)
		tk.l = nil
		h.state.Store(mailDone)
	}
}

// Sharing the envelope's levels. When the trace that posted an envelope
// has finished its own work and the helper has not, the trace expands part
// of each level's frontier while the helper expands the rest, instead of
// waiting: a frontier of a few hundred accounts is a few hundred cache
// misses, and two cores wait for them in parallel.
//
// The helper publishes each level (frontier, arrivals, bounds) and both
// claim chunks of shareChunkLen accounts through one word: the level's number
// (24 bits, counting up), the frontier's length and the next unclaimed
// position (20 bits each). A chunk claimed by a compare-and-swap of the
// word belongs to that level, and the helper ends a level only after every
// account of it is expanded, so the level's arrays do not change while a
// claimed chunk is read. Each appends its candidates to its own list, and
// the helper merges the two in frontier order at the end of the level. Frontiers
// smaller than shareMin are expanded by the helper alone.
const (
	shareMin      = 32
	shareMax      = 1<<20 - 1
	shareChunkLen = 8
	shareLevel    = 1<<24 - 1
)

type levelShare struct {
	claim  atomic.Uint64
	joined atomic.Int32 // accounts of the current level expanded by the trace
	level  uint64       // the helper's count of levels published

	ledger        *Ledger
	frontier      []int32
	times, bounds []int64
	hcand, jcand  []reachCand  // the helper's and the trace's candidates of the level
	hrun, jrun    []shareChunk // where each one's chunks are in them
	touch         int32        // sink of the helper's loads
	joinedTotal   atomic.Int64 // accounts expanded by traces, for EnvelopeHelperStats
}

// shareChunk is one claimed chunk: frontier position lo, candidates
// [from, to) in its claimer's list.
type shareChunk struct{ lo, from, to int32 }

func shareWord(level uint64, n, next int32) uint64 {
	return level<<40 | uint64(n)<<20 | uint64(next)
}

// take claims the next chunk of the level; false when none is left or the
// level is over.
func (s *levelShare) take(level uint64) (lo, hi int32, ok bool) {
	for {
		c := s.claim.Load()
		if c>>40 != level {
			return 0, 0, false
		}
		n, next := int32(c>>20&(1<<20-1)), int32(c&(1<<20-1))
		if next >= n {
			return 0, 0, false
		}
		hi := min(next+shareChunkLen, n)
		if s.claim.CompareAndSwap(c, shareWord(level, n, hi)) {
			return next, hi, true
		}
	}
}

// expand is the helper's side of one level: it publishes the level,
// expands chunks until none is left, waits for the trace's, and appends
// all the level's candidates to cand in frontier order — the order of an
// expansion not shared, so that the envelope comes out the same.
func (s *levelShare) expand(l *Ledger, frontier []int32, times, bounds []int64, cand []reachCand) []reachCand {
	s.level = (s.level + 1) & shareLevel
	s.ledger, s.frontier, s.times, s.bounds = l, frontier, times, bounds
	s.hcand, s.jcand, s.hrun, s.jrun = s.hcand[:0], s.jcand[:0], s.hrun[:0], s.jrun[:0]
	s.joined.Store(0)
	n := int32(len(frontier))
	s.claim.Store(shareWord(s.level, n, 0))
	// The whole frontier's cards, loads independent of each other (as
	// when not shared); the trace's chunks load theirs on its core.
	var touch int32
	for _, u := range frontier {
		touch += l.cards[u].n
	}
	s.touch += touch
	var mine int32
	for {
		lo, hi, ok := s.take(s.level)
		if !ok {
			break
		}
		from := int32(len(s.hcand))
		s.hcand = l.expandChunk(s.hcand, frontier[lo:hi], times[lo:hi], bounds[lo:hi], &s.touch)
		s.hrun = append(s.hrun, shareChunk{lo, from, int32(len(s.hcand))})
		mine += hi - lo
	}
	for spins := 1; mine+s.joined.Load() < n; spins++ {
		if spins&1023 == 0 {
			runtime.Gosched()
		}
	}
	// Each side claimed its chunks in increasing order: merge by position.
	h, j := s.hrun, s.jrun
	for len(h) > 0 || len(j) > 0 {
		if len(j) == 0 || len(h) > 0 && h[0].lo < j[0].lo {
			cand = append(cand, s.hcand[h[0].from:h[0].to]...)
			h = h[1:]
		} else {
			cand = append(cand, s.jcand[j[0].from:j[0].to]...)
			j = j[1:]
		}
	}
	return cand
}

// join is the trace's side: it expands chunks of whatever level is
// published until done reports the envelope finished, yielding now and
// then so that a helper waiting for a processor gets this one.
func (s *levelShare) join(done func() bool) {
	var sink int32
	for spins := 1; !done(); spins++ {
		lo, hi, ok := s.take(s.claim.Load() >> 40)
		if !ok {
			if spins&1023 == 0 {
				runtime.Gosched()
			}
			continue
		}
		from := int32(len(s.jcand))
		s.jcand = s.ledger.expandChunk(s.jcand, s.frontier[lo:hi], s.times[lo:hi], s.bounds[lo:hi], &sink)
		s.jrun = append(s.jrun, shareChunk{lo, from, int32(len(s.jcand))})
		s.joined.Add(hi - lo)
		s.joinedTotal.Add(int64(hi - lo))
	}
}
