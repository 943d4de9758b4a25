package trace

import (
	"encoding/json"
	"fmt"
	"math/bits"
	"strings"
)

// Allocation rules: which money leaves an account with each outflow. An
// account's balance is held by owners: each victim of the trace, and
// "other" (owner 0) for everything else — the balance before the statement
// starts, unrelated inflows, money of unknown origin. See docs/TRACE.md.
//
//   - FIFO (先进先出): outflows spend the money in the order it arrived,
//     the pre-existing balance first. An inflow carrying several owners keeps
//     the order in which the paying account spent them.
//   - Proportional (按比例, rolling charge): each outflow carries every
//     owner's share of the balance at that moment; shares in fen by the
//     largest-remainder rule (below).
//   - LIBR cap (最低余额规则), an option on either rule: other money is
//     presumed spent before any victim's, so a victim's claim falls only when
//     the balance falls below what victims hold, and later deposits of other
//     money never restore it — a victim's claim on an account never exceeds
//     the lowest balance the account fell to after her money came in. Among
//     victims, FIFO or proportional still decides whose money leaves.
//
// An outflow larger than the balance the statement explains (rows missing,
// overdraft, an opening balance the bank did not give) is paid first from
// the whole balance and then from "other": unknown money never carries a
// victim's claim.

// Rule is an allocation rule.
type Rule int

// The allocation rules.
const (
	FIFO Rule = iota
	Proportional
)

func (r Rule) String() string {
	if r == Proportional {
		return "proportional"
	}
	return "fifo"
}

// MarshalJSON writes the rule's name.
func (r Rule) MarshalJSON() ([]byte, error) { return json.Marshal(r.String()) }

// UnmarshalJSON reads a rule's name.
func (r *Rule) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParseRule(s)
	*r = v
	return err
}

// ParseRule reads "fifo" or "proportional" (also 先进先出, 按比例).
func ParseRule(s string) (Rule, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "fifo", "先进先出":
		return FIFO, nil
	case "proportional", "pro-rata", "prorata", "haircut", "按比例":
		return Proportional, nil
	}
	return FIFO, fmt.Errorf("unknown allocation rule %q (fifo | proportional)", s)
}

// tracePart is an amount of one owner's money; at is when it arrived at the
// account holding it.
type tracePart struct {
	owner int32 // 0 other, k ≥ 1 the k-th victim of the trace
	amt   int64
	at    int64
}

// holdings is the composition of one account's balance.
//
// other is the other money spent first: under FIFO without the cap, the
// other money older than every lot in the queue; with the cap or under the
// proportional rule, all other money. lots[head:] is, under FIFO, the queue
// of later money in arrival order (other lots appear in it only without the
// cap); under the proportional rule, one entry per victim holding money, in
// the order their money first arrived (at = latest arrival).
type holdings struct {
	other  int64
	lots   []tracePart
	head   int
	victim int64 // sum of victim money in lots
}

// ruleMode bundles the options the holdings need.
type ruleMode struct {
	prop  bool // proportional rule
	libr  bool // lowest-intermediate-balance cap
	merge bool // merge adjacent FIFO lots of one owner (no MaxLag)
}

func (h *holdings) addOther(m ruleMode, a, at int64) {
	if a <= 0 {
		return
	}
	if m.prop || m.libr || h.head == len(h.lots) {
		h.other += a
		return
	}
	if n := len(h.lots); m.merge && h.lots[n-1].owner == 0 {
		h.lots[n-1].amt += a
		return
	}
	h.lots = append(h.lots, tracePart{0, a, at})
}

// add credits one arriving part.
func (h *holdings) add(m ruleMode, p tracePart, at int64) {
	if p.amt <= 0 {
		return
	}
	if p.owner == 0 {
		h.addOther(m, p.amt, at)
		return
	}
	h.victim += p.amt
	if m.prop {
		for k := h.head; k < len(h.lots); k++ {
			if h.lots[k].owner == p.owner {
				h.lots[k].amt += p.amt
				h.lots[k].at = at
				return
			}
		}
		h.lots = append(h.lots, tracePart{p.owner, p.amt, at})
		return
	}
	if n := len(h.lots); m.merge && n > h.head && h.lots[n-1].owner == p.owner {
		h.lots[n-1].amt += p.amt
		return
	}
	h.lots = append(h.lots, tracePart{p.owner, p.amt, at})
}

// take debits an outflow of x fen and appends the parts it carries to out:
// victims' parts and other parts (unknown money for any deficit last).
func (h *holdings) take(m ruleMode, x int64, out []tracePart, sc *splitScratch) []tracePart {
	if h.victim == 0 {
		// Only other money (a FIFO queue without victim lots is folded
		// into other by compact).
		h.other -= min(x, h.other)
		if out != nil {
			out = append(out, tracePart{0, x, 0})
		}
		return out
	}
	// Other money first: with the cap always; under FIFO it is the head of
	// the queue. The proportional rule without the cap splits it below.
	if !m.prop || m.libr {
		if o := min(x, h.other); o > 0 {
			h.other -= o
			x -= o
			out = append(out, tracePart{0, o, 0})
		}
	}
	if x == 0 {
		return out
	}
	if m.prop {
		out = h.takeProportional(m, x, out, sc)
	} else {
		for x > 0 && h.head < len(h.lots) {
			l := &h.lots[h.head]
			n := min(l.amt, x)
			out = append(out, tracePart{l.owner, n, l.at})
			if l.owner != 0 {
				h.victim -= n
			}
			l.amt -= n
			x -= n
			if l.amt == 0 {
				h.head++
			}
		}
		if x > 0 {
			out = append(out, tracePart{0, x, 0})
		}
	}
	h.compact()
	return out
}

// takeProportional splits x over the owners by their share of the balance
// (with the cap: of the victims' money, other money having gone first).
func (h *holdings) takeProportional(m ruleMode, x int64, out []tracePart, sc *splitScratch) []tracePart {
	lots := h.lots[h.head:]
	withOther := !m.libr && h.other > 0
	base := h.victim
	if withOther {
		base += h.other
	}
	if x >= base {
		// Everything goes; the rest is unknown money.
		if withOther {
			out = append(out, tracePart{0, h.other, 0})
			h.other = 0
		}
		for _, l := range lots {
			out = append(out, l)
		}
		h.lots, h.head, h.victim = h.lots[:0], 0, 0
		if x > base {
			out = append(out, tracePart{0, x - base, 0})
		}
		return out
	}
	w := sc.weights[:0]
	if withOther {
		w = append(w, h.other)
	}
	for _, l := range lots {
		w = append(w, l.amt)
	}
	share := splitLargestRemainder(x, w, sc)
	k := 0
	if withOther {
		if share[0] > 0 {
			out = append(out, tracePart{0, share[0], 0})
			h.other -= share[0]
		}
		k = 1
	}
	for j := range lots {
		s := share[k+j]
		if s == 0 {
			continue
		}
		out = append(out, tracePart{lots[j].owner, s, lots[j].at})
		lots[j].amt -= s
		h.victim -= s
	}
	sc.weights = w
	return out
}

// compact drops spent entries; under FIFO, once no victim money is left the
// remaining queue is all other money and folds into other.
func (h *holdings) compact() {
	if h.victim == 0 {
		for k := h.head; k < len(h.lots); k++ {
			h.other += h.lots[k].amt
		}
		h.lots, h.head = h.lots[:0], 0
		return
	}
	// Proportional entries emptied by a split, or a long spent FIFO head.
	n := 0
	if h.head > 16 && h.head*2 > len(h.lots) {
		n = copy(h.lots, h.lots[h.head:])
		h.lots, h.head = h.lots[:n], 0
	}
	j := h.head
	for k := h.head; k < len(h.lots); k++ {
		if h.lots[k].amt > 0 {
			h.lots[j] = h.lots[k]
			j++
		}
	}
	h.lots = h.lots[:j]
}

// byOwner adds the victim money held to sums (indexed by owner).
func (h *holdings) byOwner(sums []int64) {
	for k := h.head; k < len(h.lots); k++ {
		if o := h.lots[k].owner; o != 0 {
			sums[o] += h.lots[k].amt
		}
	}
}

// splitScratch holds reusable buffers of the largest-remainder split.
type splitScratch struct {
	weights []int64
	share   []int64
	rem     []uint64
}

// splitLargestRemainder divides x fen over holders of weights w (x ≤ Σw)
// exactly: holder k gets ⌊x·w_k/W⌋, and the fen left over (fewer than the
// number of holders) go one each to the holders with the largest remainders
// x·w_k mod W; equal remainders go to the holder listed first. The shares
// add up to x, and no holder gets more than its weight. Products are
// computed in 128 bits.
func splitLargestRemainder(x int64, w []int64, sc *splitScratch) []int64 {
	var W uint64
	for _, v := range w {
		W += uint64(v)
	}
	share := sc.share[:0]
	rem := sc.rem[:0]
	if W == 0 || x <= 0 {
		for range w {
			share = append(share, 0)
		}
		sc.share = share
		return share
	}
	var sum int64
	for _, v := range w {
		hi, lo := bits.Mul64(uint64(v), uint64(x))
		q, r := bits.Div64(hi, lo, W) // hi < W because v ≤ W and x < 2^64
		share = append(share, int64(q))
		rem = append(rem, r)
		sum += int64(q)
	}
	for left := x - sum; left > 0; left-- {
		best := -1
		for k, r := range rem {
			if r > 0 && (best < 0 || r > rem[best]) {
				best = k
			}
		}
		if best < 0 {
			break // cannot happen: Σrem = left·W
		}
		share[best]++
		rem[best] = 0
	}
	sc.share, sc.rem = share, rem
	return share
}

// ShareRemainingProRata is the other classic view of mixed money (pro rata
// over the remaining balance): the balance left in an account is divided
// among the contributors in proportion to what each put in, whatever
// happened in between. Fen by the largest-remainder rule, ties to the
// contributor listed first. With the textbook example (P, M, K each paid in
// 10, 20 spent, 10 left) each gets a third: 3.34, 3.33, 3.33.
//
// Nobody gets more than she put in; libr, when non-nil, also caps each
// contributor at her lowest intermediate balance (libr[k], the lowest
// balance of the account after her money came in). What the caps free is
// divided again among the others in the same way; what nobody can claim is
// returned unattributed as the last element, after one share per
// contribution.
func ShareRemainingProRata(remainingFen int64, contributions []int64, libr []int64) []int64 {
	n := len(contributions)
	out := make([]int64, n+1)
	caps := make([]int64, n)
	for k, c := range contributions {
		caps[k] = max(0, c)
		if libr != nil {
			caps[k] = max(0, min(caps[k], libr[k]))
		}
	}
	left := max(0, remainingFen)
	var sc splitScratch
	for left > 0 {
		var w []int64
		var idx []int
		for k := 0; k < n; k++ {
			if out[k] < caps[k] {
				w = append(w, contributions[k])
				idx = append(idx, k)
			}
		}
		if len(idx) == 0 {
			break
		}
		share := splitLargestRemainder(left, w, &sc)
		capped := false
		for j, k := range idx {
			s := share[j]
			if out[k]+s > caps[k] {
				s = caps[k] - out[k]
				capped = true
			}
			out[k] += s
			left -= s
		}
		if !capped {
			break
		}
	}
	out[n] = left
	return out
}
