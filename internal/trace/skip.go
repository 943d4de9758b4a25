package trace

import "math"

// Skipping the rows before the money arrives.
//
// An account the money reaches is simulated from the start of its
// statement, because its balance when the money arrives decides what the
// money's outflows carry. Until then it holds no victim money, and each row
// only moves its other balance: an inflow adds to it, an outflow spends it
// down to zero at most. That balance before any row is therefore a fixed
// property of the ledger (the floored running balance: b ← max(0, b+amt)
// from the opening balance), and the ledger keeps it before every
// skipStride-th row. A trace then starts a newly reached account at the
// last such row before its first delivery, instead of stepping through
// (and waiting on the memory of) the dozens of rows before it.
//
// The rows skipped must not be able to receive victim money later in the
// trace. When both rows of every matched transfer carry the same time (a
// transfer file, or statements whose banks agree on the clock), the trace
// processes money-carrying outflows in time order, so no row earlier than
// the outflow being routed now can receive any: the rows skipped are those
// strictly earlier. With clock skew between matched rows that order does
// not hold, and the ledger keeps no skip points (floor is nil): every row is
// stepped as before. TestTraceSkipIsInvisible checks, on random worlds with
// ties, that a trace with skipping equals one without, under every rule
// and option.

const skipStride = 8

// buildSkips records whether every link is exact in time and, if so, the
// floored balance of each account before every skipStride-th row.
func (l *Ledger) buildSkips() {
	l.floor = nil
	for i := range l.rows {
		if k := l.rows[i].link; k >= 0 && l.rows[k].at != l.rows[i].at {
			return
		}
	}
	l.floor = make([]int64, (len(l.rows)+skipStride-1)/skipStride)
	for a := 0; a < l.names.len(); a++ {
		b := l.opening[a]
		for i := l.start[a]; i < l.start[a+1]; i++ {
			if i%skipStride == 0 {
				l.floor[i/skipStride] = b
			}
			b = max(0, b+l.rows[i].amt)
		}
	}
}

// skip moves the cursor of an account the trace has just reached, holding
// no victim money and having stepped no row, to the last skip point at or
// before row limit that only rows strictly before time before precede.
func (t *tracer) skip(s *acctState, limit int32, before int64) {
	l := t.l
	if l.floor == nil {
		return
	}
	lo := s.cursor
	p := limit - limit%skipStride
	for p > lo && l.rows[p-1].at >= before {
		p -= skipStride
	}
	if p <= lo {
		return
	}
	t.skipped++
	s.cursor = p
	s.h.other = l.floor[p/skipStride]
	t.setKey(s)
}

// skipStarts skips the first rows of the accounts the victims' transfers
// reached: no row earlier than the first delivery can receive victim money.
func (t *tracer) skipStarts() {
	first := int64(math.MaxInt64)
	for _, s := range t.states {
		if s.minPend != noPending {
			first = min(first, t.l.rows[s.minPend].at)
		}
	}
	for _, s := range t.states {
		if s.minPend != noPending {
			t.skip(s, s.minPend, first)
		}
	}
}
