package trace

import (
	"slices"
	"time"
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
//
// Membership is a bitmap of one bit per account, set as accounts are
// reached and cleared from the result at the end. An account reached
// before the last level gets a slot (earliest arrival, expansion) in a
// small hash table of this trace; the accounts first reached at the last
// level, most of them, need only their bit.
//
// With a lag the walk is computed by reachLag.
func (l *Ledger) reach(sc *traceScratch, seeds []reachSeed, maxHops int, maxLag, asOf int64, seqLimit int32) []int32 {
	if maxLag > 0 {
		return l.reachLag(seeds, maxHops, maxLag, asOf, seqLimit)
	}
	seen, slots := sc.seen, &sc.slots
	defer slots.reset()
	rb := &sc.rbuf
	out := rb.out[:0] // copied to the caller's slice at the end
	frontier, next, cand := rb.frontier[:0], rb.next[:0], rb.cand[:0]
	defer func() {
		rb.frontier, rb.next, rb.cand, rb.out = frontier, next, cand, out
		for _, a := range out {
			seen[a>>6] = 0 // every bit set in this trace is one of out's
		}
	}()
	lv := uint32(1) // level that wrote a slot (seeds: 1)
	for _, s := range seeds {
		w, b := s.acct>>6, uint64(1)<<(s.acct&63)
		if seen[w]&b == 0 {
			seen[w] |= b
			*slots.insert(s.acct) = reachSlot{mark: lv, best: s.at}
			out = append(out, s.acct)
			frontier = append(frontier, s.acct)
		} else if sl := slots.get(s.acct); s.at < sl.best {
			sl.best = s.at
		}
	}
	// Each level: the out-edges of every frontier account after its
	// arrival, then the arrivals they make.
	for h := 0; len(frontier) > 0 && (maxHops <= 0 || h < maxHops); h++ {
		cand = cand[:0]
		for _, u := range frontier {
			su := slots.get(u)
			e := su.best
			bound := asOf
			if su.expSec != 0 {
				// Expanded before, with a later arrival: the transfers
				// after that arrival reached their targets then, at the
				// same times, in fewer hops.
				bound = min(bound, l.secUp(su.expSec))
			}
			su.expSec = l.secOf(e)
			lo, hi := l.outIdx[u].lo, l.outIdx[u+1].lo
			if e >= l.secUp(l.outIdx[u].lastSec) {
				continue // nothing after the arrival
			}
			for i := l.outAfter(lo, hi, e); i < hi; i++ {
				ed := &l.out[i]
				if ed.at > bound {
					break
				}
				if seqLimit > 0 && l.rows[ed.row].seq >= seqLimit {
					continue
				}
				cand = append(cand, reachCand{at: ed.at, to: ed.to})
			}
		}
		lv++
		if maxHops > 0 && h == maxHops-1 {
			for _, c := range cand {
				w, b := c.to>>6, uint64(1)<<(c.to&63)
				if seen[w]&b == 0 { // membership only: nothing expands after the last level
					seen[w] |= b
					out = append(out, c.to)
				}
			}
			break
		}
		next = next[:0]
		slots.reserve(len(cand))
		for _, c := range cand {
			v := c.to
			w, b := v>>6, uint64(1)<<(v&63)
			if seen[w]&b == 0 { // first arrival
				seen[w] |= b
				out = append(out, v)
				*slots.insert(v) = reachSlot{mark: lv, best: c.at}
				next = append(next, v)
			} else if sv := slots.get(v); c.at < sv.best { // earlier arrival
				sv.best = c.at
				if sv.mark != lv {
					sv.mark = lv
					next = append(next, v)
				}
			}
		}
		frontier, next = next, frontier
	}
	if len(out) == 0 {
		return nil // whichever scratch computed it
	}
	return slices.Clone(out) // one allocation of the result's size
}

// reachLag is reach with a lag: a walk continues from an account only by
// transfers within maxLag of its arrival there. Earliest arrivals no longer
// suffice (a later arrival opens a later window), so every arrival is
// kept, and each account remembers the windows (t, t+maxLag] already
// expanded: they were expanded at this level or an earlier one, so their
// transfers reached their targets at the same times in no more hops, and a
// new arrival expands only the parts of its window not covered yet. Each
// transfer is thus followed at most once.
func (l *Ledger) reachLag(seeds []reachSeed, maxHops int, maxLag, asOf int64, seqLimit int32) []int32 {
	type arrival struct {
		acct int32
		at   int64
	}
	reached := map[int32]bool{}
	covered := map[int32][]lagWindow{}
	var out []int32
	var frontier []arrival
	for _, s := range seeds {
		if !reached[s.acct] {
			reached[s.acct] = true
			out = append(out, s.acct)
		}
		frontier = append(frontier, arrival{s.acct, s.at})
	}
	for h := 0; len(frontier) > 0 && (maxHops <= 0 || h < maxHops); h++ {
		var next []arrival
		seenNext := map[arrival]bool{}
		for _, a := range frontier {
			w := lagWindow{a.at, min(a.at+maxLag, asOf)}
			if w.hi <= w.lo {
				continue
			}
			var gaps []lagWindow
			covered[a.acct], gaps = addLagWindow(covered[a.acct], w)
			lo, hi := l.outIdx[a.acct].lo, l.outIdx[a.acct+1].lo
			for _, g := range gaps {
				for i := l.outAfter(lo, hi, g.lo); i < hi && l.out[i].at <= g.hi; i++ {
					ed := &l.out[i]
					if seqLimit > 0 && l.rows[ed.row].seq >= seqLimit {
						continue
					}
					if !reached[ed.to] {
						reached[ed.to] = true
						out = append(out, ed.to)
					}
					if n := (arrival{ed.to, ed.at}); !seenNext[n] {
						seenNext[n] = true
						next = append(next, n)
					}
				}
			}
		}
		frontier = next
	}
	return out
}

// lagWindow is the time interval (lo, hi] of ms.
type lagWindow struct{ lo, hi int64 }

// addLagWindow adds w to the sorted, disjoint windows ws and returns them
// with the parts of w they did not cover before.
func addLagWindow(ws []lagWindow, w lagWindow) ([]lagWindow, []lagWindow) {
	var gaps []lagWindow
	cur := w.lo
	for _, c := range ws {
		if c.hi <= cur || c.lo >= w.hi {
			continue
		}
		if c.lo > cur {
			gaps = append(gaps, lagWindow{cur, c.lo})
		}
		cur = max(cur, c.hi)
	}
	if cur < w.hi {
		gaps = append(gaps, lagWindow{cur, w.hi})
	}
	// Merge w into the list.
	merged := make([]lagWindow, 0, len(ws)+1)
	placed := false
	for _, c := range ws {
		switch {
		case c.hi < w.lo:
			merged = append(merged, c)
		case c.lo > w.hi:
			if !placed {
				merged = append(merged, w)
				placed = true
			}
			merged = append(merged, c)
		default: // overlapping or touching: absorb
			w = lagWindow{min(w.lo, c.lo), max(w.hi, c.hi)}
		}
	}
	if !placed {
		merged = append(merged, w)
	}
	return merged, gaps
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
	out, frontier, next []int32
	cand                []reachCand
}

type reachCand struct {
	at int64
	to int32
}

// envelope computes the reachable accounts of a trace. It uses its own
// part of the scratch, so it may run alongside the allocation.
func (t *tracer) envelope(starts []Start) []int32 {
	return t.l.reach(t.sc, t.seeds(starts), t.opt.MaxHops, t.maxLag, t.asOf, 0)
}

// seeds are the envelope's starting points: the accounts receiving the
// victims' transfers, at the transfers' times.
func (t *tracer) seeds(starts []Start) []reachSeed {
	seeds := t.seedBuf[:0]
	for _, s := range starts {
		if a, ok := t.l.index.get(s.ToAccount); ok {
			seeds = append(seeds, reachSeed{a, millis(s.At)})
		}
	}
	t.seedBuf = seeds
	return seeds
}

// Reach returns the envelope of the given starts (see above) considering
// only rows added before seqLimit (all rows when seqLimit ≤ 0): the accounts
// reachable within maxHops transfers of strictly increasing time.
func (l *Ledger) Reach(starts []Start, maxHops int, maxLag time.Duration, seqLimit int) []string {
	sc := l.getScratch()
	defer l.scratch.Put(sc)
	seeds := make([]reachSeed, 0, len(starts))
	for _, s := range starts {
		if a, ok := l.index.get(s.ToAccount); ok {
			seeds = append(seeds, reachSeed{a, millis(s.At)})
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
