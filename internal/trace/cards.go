package trace

import "math"

// Out-edge cards: the envelope's view of an account in one cache line.
//
// Expanding an account in the envelope needs its out-edges after an
// arrival time. Through outIdx and out that is two or three cache misses
// (the index entry, the first edge, often the next line of edges); a trace
// expands hundreds of random accounts among a million, so those misses are
// most of its time. A card holds, in 64 bytes, where the account's edges
// start, how many there are, and its last seven edges packed into eight
// bytes each: for most accounts (a handful of outflows) and most arrivals
// (the edges after an arrival are the account's latest), one miss answers.
// Older edges are read from out as before. A busy account (more than
// cardFenceMin out-edges) has fences instead: the packed edges at 1/8, 2/8,
// … 7/8 of its list, so that the first edge after an arrival is found by
// scanning one eighth of the list — one miss and a sequential read — where
// a binary search over hundreds of edges waits for eight misses in turn.
//
// A packed edge is (at − minAt) << cardToBits | more << 26 | to: the time
// in ms since the ledger's first row in the high 37 bits (4.3 years), then
// whether the receiving account has an out-edge of its own after this one
// ("more"), then the receiving account in the low 26 bits (67 million
// accounts). Comparing packed values compares times. A ledger that does
// not fit has no cards and the envelope uses outIdx and out alone.
//
// The envelope reads "more" with the edge: an account the edge reaches
// that has no later out-edge is a dead end there, and about a third of the
// accounts a walk reaches are, so their cards need not be read at all.

const (
	cardTail     = 7
	cardFenceMin = 3 * (cardTail + 1) // more out-edges than this: fences
	cardToBits   = 27                 // the time's shift
	cardMore     = 1 << 26            // the receiving account has a later out-edge
	cardToMask   = cardMore - 1       // the receiving account
	cardAtMax    = 1<<(64-cardToBits) - 1
)

type outCard struct {
	lo   int32            // first out-edge in out
	n    int32            // number of out-edges
	tail [cardTail]uint64 // n ≤ cardFenceMin: the last min(n, 7) edges; else the fences
}

// fence returns the position (from the account's first edge) of fence j.
func fence(n int32, j int) int32 { return int32(int64(j+1) * int64(n) / (cardTail + 1)) }

// buildCards fills l.cards from outIdx and out, or leaves it nil when the
// ledger's span or accounts do not fit the packing.
func (l *Ledger) buildCards() {
	l.cards = nil
	n := l.names.len()
	if n == 0 || n > cardToMask+1 || l.maxAt-l.minAt > cardAtMax {
		return
	}
	// The time of each account's last out-edge, for the edges' "more".
	last := make([]int64, n)
	for a := 0; a < n; a++ {
		last[a] = math.MinInt64
		if lo, hi := l.outIdx[a].lo, l.outIdx[a+1].lo; hi > lo {
			last[a] = l.out[hi-1].at
		}
	}
	pack := func(e *outEdge) uint64 { return l.packEdge(e.at, e.to, last[e.to] > e.at) }
	cards := make([]outCard, n)
	for a := 0; a < n; a++ {
		lo, hi := l.outIdx[a].lo, l.outIdx[a+1].lo
		c := &cards[a]
		c.lo, c.n = lo, hi-lo
		if c.n > cardFenceMin {
			for j := range c.tail {
				c.tail[j] = pack(&l.out[lo+fence(c.n, j)])
			}
			continue
		}
		k := max(lo, hi-cardTail)
		for i := k; i < hi; i++ {
			c.tail[i-k] = pack(&l.out[i])
		}
	}
	l.cards = cards
}

func (l *Ledger) packEdge(at int64, to int32, more bool) uint64 {
	p := uint64(at-l.minAt)<<cardToBits | uint64(to)
	if more {
		p |= cardMore
	}
	return p
}

// packedAfter is the smallest packed value of an edge strictly after t
// (t ≥ minAt − 1): every packed edge ≥ it is later than t.
func (l *Ledger) packedAfter(t int64) uint64 {
	if t < l.minAt {
		return 0
	}
	d := uint64(t - l.minAt + 1)
	if d > cardAtMax {
		return ^uint64(0)
	}
	return d << cardToBits
}

// packedUpTo is the largest packed value of an edge at or before t.
func (l *Ledger) packedUpTo(t int64) uint64 {
	if t < l.minAt {
		return 0 // no edge; callers compare with packedAfter first
	}
	d := uint64(t - l.minAt)
	if d >= cardAtMax {
		return ^uint64(0)
	}
	return d<<cardToBits | cardToMask
}

// expandCard appends to cand the out-edges of account u strictly after e
// and at or before bound, in time order, reading the card and, when the
// arrival is older than the card's edges, the older edges in out.
func (l *Ledger) expandCard(cand []reachCand, u int32, e, bound int64) []reachCand {
	c := &l.cards[u]
	if c.n == 0 || bound <= e || bound < l.minAt || e >= l.maxAt {
		return cand
	}
	after, upTo := l.packedAfter(e), l.packedUpTo(bound)
	if c.n > cardFenceMin {
		// The first edge after e lies after the last fence at or before e.
		i := c.lo
		for j := cardTail - 1; j >= 0; j-- {
			if c.tail[j] < after {
				i = c.lo + fence(c.n, j) + 1
				break
			}
		}
		for hi := c.lo + c.n; i < hi; i++ {
			ed := &l.out[i]
			if ed.at <= e {
				continue
			}
			if ed.at > bound {
				break
			}
			cand = append(cand, reachCand{at: ed.at, to: ed.to, more: true})
		}
		return cand
	}
	k := min(c.n, cardTail)
	tail := c.tail[:k]
	if c.n > cardTail && tail[0] >= after {
		// Edges before the card's may be after e too.
		lo, hi := c.lo, c.lo+c.n-cardTail // at most 17 edges
		i := lo
		for i < hi && l.out[i].at <= e {
			i++
		}
		for ; i < hi; i++ {
			ed := &l.out[i]
			if ed.at > bound {
				return cand
			}
			cand = append(cand, reachCand{at: ed.at, to: ed.to, more: true})
		}
	}
	for _, p := range tail {
		if p < after {
			continue
		}
		if p > upTo {
			break
		}
		cand = append(cand, reachCand{at: l.minAt + int64(p>>cardToBits), to: int32(p & cardToMask), more: p&cardMore != 0})
	}
	return cand
}
