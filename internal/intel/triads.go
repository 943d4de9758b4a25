package intel

import "sync/atomic"

// Closed triads (ClosedTriads): for each account, the number of unordered
// pairs of its counterparties that have at least one transfer between them
// in either direction — the triangles through the account in the graph of
// accounts joined by any transfer (cash and fees are not accounts). They
// are counted once for the whole Flows, in O(links^1.5): every link is
// oriented from the end with fewer counterparties to the end with more
// (ties by id), so each triangle is found exactly once, from its lowest
// end, by intersecting oriented neighbour lists, and credited to its three
// accounts.

// triadCounts returns the closed triads of every account, computing them
// on first use.
func (f *Flows) triadCounts() []int32 {
	f.triOnce.Do(func() { f.tri = f.countTriads() })
	return f.tri
}

func (f *Flows) countTriads() []int32 {
	n := len(f.names)
	// Distinct counterparties of every account: counts, then the lists.
	start := make([]int32, n+1)
	each := func(s *scratch, a int32, fn func(c int32)) {
		stamp := a + 1
		visit := func(c int32) {
			if c >= 0 && c != a && s.pairSeen[c] != stamp {
				s.pairSeen[c] = stamp
				fn(c)
			}
		}
		for _, t := range f.outs(a) {
			visit(f.to[t])
		}
		for _, t := range f.ins(a) {
			visit(f.from[t])
		}
	}
	f.parallel(func(s *scratch, a int32) {
		k := int32(0)
		each(s, a, func(int32) { k++ })
		start[a+1] = k
	})
	deg := make([]int32, n)
	for a := 0; a < n; a++ {
		deg[a] = start[a+1]
		start[a+1] += start[a]
	}
	nbr := make([]int32, start[n])
	// fwdEnd[a]: nbr[start[a]:fwdEnd[a]] are a's counterparties ranked
	// above it (more counterparties, or as many and a larger id).
	fwdEnd := make([]int32, n)
	f.parallel(func(s *scratch, a int32) {
		lo, hi := start[a], start[a+1]
		each(s, a, func(c int32) {
			if deg[c] > deg[a] || (deg[c] == deg[a] && c > a) {
				nbr[lo] = c
				lo++
			} else {
				hi--
				nbr[hi] = c
			}
		})
		fwdEnd[a] = lo
	})
	tri := make([]int32, n)
	f.parallel(func(s *scratch, u int32) {
		fwd := nbr[start[u]:fwdEnd[u]]
		if len(fwd) < 2 {
			return
		}
		stamp := u + 1
		for _, v := range fwd {
			s.seen[v] = stamp
		}
		for _, v := range fwd {
			for _, w := range nbr[start[v]:fwdEnd[v]] {
				if s.seen[w] == stamp {
					atomic.AddInt32(&tri[u], 1)
					atomic.AddInt32(&tri[v], 1)
					atomic.AddInt32(&tri[w], 1)
				}
			}
		}
	})
	return tri
}
