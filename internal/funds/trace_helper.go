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
// watches its mailbox for helperSpin, a time in which a busy server (or a
// benchmark) posts the next one. Parked, it is woken by the next post, but
// that trace does not wait: whoever comes first takes a posted envelope —
// the helper, or the trace itself when its allocation is done and the
// helper has not started. One helper serves one trace at a time; a trace
// finding it busy computes its own envelope. With one processor
// (GOMAXPROCS 1) there is no helper.
//
// The helper keeps its own scratch (membership bitmap, slots, buffers), so
// that they stay in its core's cache from envelope to envelope.

const helperSpin = 2 * time.Millisecond

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
// and how many the traces computed themselves because it had not started.
// Traces that found the helper busy, or it off, are in neither.
func EnvelopeHelperStats() (helped, local int64) {
	if h := theHelper(); h != nil {
		return h.helped.Load(), h.local.Load()
	}
	return 0, 0
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
	// Taken: wait for it. Yield now and then, so that a helper waiting
	// for a processor (both busy) gets this one.
	for spins := 1; h.state.Load() != mailDone; spins++ {
		if spins&1023 == 0 {
			runtime.Gosched()
		}
	}
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
		tk.out = tk.l.reach(h.sc, tk.seeds, tk.maxHops, tk.maxLag, tk.asOf, 0)
		tk.l = nil
		h.state.Store(mailDone)
	}
}
