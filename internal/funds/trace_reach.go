package funds

import (
	"time"

	"github.com/fanzha/fanzha/internal/db"
)

// The envelope of a trace: every account the victims' money could have
// reached, whatever the allocation rule — the accounts reachable from the
// account receiving a victim's transfer (hop 0, arrival at the transfer's
// time) by a walk of at most MaxHops outgoing transfers, each strictly
// later than the one before (the first strictly later than the victim's
// transfer), within MaxLag of the previous arrival when a lag is set, and
// not after AsOf. Accounts may repeat along a walk. This is exactly what a
// recursive SQL query over a transfers table computes (docs/TRACE.md), and
// what fanzha bench trace compares with PostgreSQL.
//
// Computed level by level with earliest arrivals: E_h(v), the earliest time
// money can be at v after at most h transfers, is the minimum over
// transfers u→v at time t > E_{h−1}(u) of t. An account whose earliest
// arrival did not improve at level h has nothing new to offer at level h+1,
// so only improved accounts are expanded. Rows are sorted by time, so the
// transfers after an arrival are a binary search away.

type reachSeed struct {
	acct int32
	at   int64
}

// reach returns the accounts reachable from the seeds (including them).
// Rows with seq ≥ seqLimit are ignored when seqLimit > 0.
//
// An account expanded again with an earlier arrival e' (at a later level)
// only needs its transfers up to its previous expansion time e: the later
// ones already reached their targets at the same times with fewer hops.
func (l *Ledger) reach(sc *traceScratch, seeds []reachSeed, maxHops int, maxLag, asOf int64, seqLimit int32) []int32 {
	// Slots are valid for this trace when their mark is at least base: every
	// level takes the next number of a counter that never goes back (until
	// it would wrap, when all slots are cleared).
	if sc.level > 1<<31 {
		clear(sc.reach)
		sc.level = 0
	}
	base := sc.level + 1
	slots := sc.reach
	rb := &sc.rbuf
	out := make([]int32, 0, 256) // handed to the caller
	frontier, next, times := rb.frontier[:0], rb.next[:0], rb.times[:0]
	los, his, cand := rb.los[:0], rb.his[:0], rb.cand[:0]
	defer func() {
		rb.frontier, rb.next, rb.times, rb.los, rb.his, rb.cand = frontier, next, times, los, his, cand
	}()
	sc.level++
	lv := sc.level
	for _, s := range seeds {
		sl := &slots[s.acct]
		switch {
		case sl.mark < base:
			*sl = reachSlot{mark: lv, best: s.at}
			out = append(out, s.acct)
			frontier = append(frontier, s.acct)
		case s.at < sl.best:
			sl.best = s.at
		}
	}
	// Each level: first the out-edge ranges of the whole frontier and the
	// edges after each arrival (loads independent of each other, so the
	// processor overlaps their cache misses), then the arrivals. Accounts
	// first reached at the last level need no earliest time, only a mark.
	for h := 0; len(frontier) > 0 && (maxHops <= 0 || h < maxHops); h++ {
		last := maxHops > 0 && h == maxHops-1
		times, los, his = times[:0], los[:0], his[:0]
		for _, u := range frontier {
			e := slots[u].best
			lo, hi := l.outIdx[u].lo, l.outIdx[u+1].lo
			if e >= l.secUp(l.outIdx[u].lastSec) {
				hi = lo // nothing after the arrival
			}
			times = append(times, e)
			los = append(los, lo)
			his = append(his, hi)
		}
		// Touch the first out-edge of every frontier account before
		// using any: a branch-free loop lets the misses overlap.
		var touch int64
		for k, lo := range los {
			if lo < his[k] {
				touch += l.out[lo].at
			}
		}
		sc.touch += touch
		cand = cand[:0]
		for k, u := range frontier {
			e := times[k]
			su := &slots[u]
			bound := asOf
			if su.expSec != 0 {
				// Expanded before, with a later arrival: the transfers
				// after that arrival reached their targets then, at the
				// same times, in fewer hops.
				bound = min(bound, l.secUp(su.expSec))
			}
			if maxLag > 0 {
				bound = min(bound, e+maxLag)
			}
			su.expSec = l.secOf(e)
			lo, hi := los[k], his[k]
			var i int32
			if hi-lo > 16 {
				i = l.outAfter(lo, hi, e)
			} else {
				for i = lo; i < hi && l.out[i].at <= e; i++ {
				}
			}
			for ; i < hi; i++ {
				ed := &l.out[i]
				if ed.at > bound {
					break
				}
				if seqLimit > 0 && l.rows[ed.row].seq >= seqLimit {
					continue
				}
				cand = append(cand, reachCand{ed.to, ed.at})
			}
		}
		var touchS uint32
		for _, c := range cand {
			touchS += slots[c.to].mark
		}
		sc.touch += int64(touchS)
		sc.level++
		lv = sc.level
		if last {
			for _, c := range cand {
				if sv := &slots[c.to]; sv.mark < base {
					sv.mark = lv // membership only: nothing expands after the last level
					out = append(out, c.to)
				}
			}
			break
		}
		next = next[:0]
		for _, c := range cand {
			v := c.to
			sv := &slots[v]
			switch {
			case sv.mark < base: // first arrival
				*sv = reachSlot{mark: lv, best: c.at}
				out = append(out, v)
				next = append(next, v)
			case c.at < sv.best: // earlier arrival
				sv.best = c.at
				if sv.mark != lv {
					sv.mark = lv
					next = append(next, v)
				}
			}
		}
		frontier, next = next, frontier
	}
	return out
}

// secOf and secUp convert a time to whole seconds after the ledger's first
// row, rounded so that secUp(secOf(t)) ≥ t; 0 is kept for "none".
func (l *Ledger) secOf(t int64) uint32 {
	d := (t-l.minAt)/1000 + 1
	return uint32(min(max(d, 1), 1<<32-1))
}

func (l *Ledger) secUp(s uint32) int64 { return l.minAt + int64(s)*1000 }

// reachBufs are the envelope's working lists, reused from trace to trace.
type reachBufs struct {
	frontier, next, los, his []int32
	times                    []int64
	cand                     []reachCand
}

type reachCand struct {
	to int32
	at int64
}

// envelope computes the reachable accounts of a trace. It uses its own
// part of the scratch, so it may run alongside the allocation.
func (t *tracer) envelope(starts []TraceStart) []int32 {
	seeds := make([]reachSeed, 0, len(starts))
	for _, s := range starts {
		if a, ok := t.l.index.get(s.ToAccount); ok {
			seeds = append(seeds, reachSeed{a, db.Millis(s.At)})
		}
	}
	return t.l.reach(t.sc, seeds, t.opt.MaxHops, t.maxLag, t.asOf, 0)
}

// Reach returns the envelope of the given starts (see above) considering
// only rows added before seqLimit (all rows when seqLimit ≤ 0): the accounts
// reachable within maxHops transfers of strictly increasing time.
func (l *Ledger) Reach(starts []TraceStart, maxHops int, maxLag time.Duration, seqLimit int) []string {
	sc := l.getScratch()
	defer l.scratch.Put(sc)
	seeds := make([]reachSeed, 0, len(starts))
	for _, s := range starts {
		if a, ok := l.index.get(s.ToAccount); ok {
			seeds = append(seeds, reachSeed{a, db.Millis(s.At)})
		}
	}
	ids := l.reach(sc, seeds, maxHops, maxLag.Milliseconds(), l.maxAt, int32(seqLimit))
	out := make([]string, len(ids))
	for k, a := range ids {
		out[k] = l.names.at(a)
	}
	return out
}

// ReachSQL is the envelope as the recursive query an analyst writes over a
// table(id, from_id, to_id, at, amount_fen) of transfers: $1 the account
// receiving the victim's transfer, $2 its time (ms), $3 the hop limit. It
// returns the same set of accounts as Reach with no lag and AsOf at the end.
// UNION (not UNION ALL) keeps one row per (account, arrival time, hop).
func ReachSQL(table string) string {
	return `WITH RECURSIVE r(acct, t, hop) AS (
    SELECT $1::bigint, $2::bigint, 0
  UNION
    SELECT tr.to_id, tr.at, r.hop + 1
    FROM r JOIN ` + table + ` tr ON tr.from_id = r.acct AND tr.at > r.t
    WHERE r.hop < $3
)
SELECT DISTINCT acct FROM r`
}
