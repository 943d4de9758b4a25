package intel

import (
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/fanzha/fanzha/internal/zone"
)

// Feature is one explainable mule signal. Each account gets, per feature, a
// raw Value in the unit named by the feature and a Signal in [0, 1] that the
// score weighs; docs/INTEL.md defines each of them.
type Feature int

// The features, in the order of Weights.
const (
	FastOut1h      Feature = iota // share of inflow that leaves within 1 h (FIFO)
	FastOut24h                    // share of inflow that leaves within 24 h (FIFO)
	PassThrough                   // min(in, out) / max(in, out), lowered by a retained balance
	Degree                        // distinct counterparties
	PerDay                        // distinct counterparties per active day
	SubThreshold                  // share of transfers just under 1万 / 5万 / 20万 yuan
	RepeatedSplits                // transfers repeating a (counterparty, direction, day) already seen
	Night                         // share of transfers 00:00–06:00 Asia/Shanghai
	YoungLarge                    // account younger than 90 days at first flow, with large flow
	CashOut                       // share of inflow withdrawn in cash within 24 h
	SourceRegions                 // distinct regions money came from
	RoundTrip                     // counterparties money both went to and came from (回流)
	CaseLinks                     // counterparties confirmed as mules or named in cases
	RiskyPeers                    // counterparties already above the watch threshold without this feature
	ClosedTriads                  // pairs of counterparties that also transact with each other
	RecurringPeers                // (counterparty, direction) pairs seen on two or more days
	RiskyExposure                 // Σ over risky counterparties of 1 / their counterparties
	NumFeatures
)

// FeatureInfo names and explains a feature.
type FeatureInfo struct {
	Code  string `json:"code"`
	Label string `json:"label"` // Chinese, for the console
	Unit  string `json:"unit"`
}

// Features describes every feature, indexed by Feature.
var Features = [NumFeatures]FeatureInfo{
	FastOut1h:      {"fast_out_1h", "快进快出（1小时内转出占比）", "share"},
	FastOut24h:     {"fast_out_24h", "快进快出（24小时内转出占比）", "share"},
	PassThrough:    {"pass_through", "过渡账户（进出平衡、余额近零）", "ratio"},
	Degree:         {"degree", "对手方数量", "accounts"},
	PerDay:         {"counterparties_per_day", "日均对手方", "accounts/day"},
	SubThreshold:   {"sub_threshold", "临界金额（略低于1万/5万/20万）", "share"},
	RepeatedSplits: {"repeated_splits", "拆分重复转账（同日同对手方）", "transfers"},
	Night:          {"night", "夜间交易（0–6时）占比", "share"},
	YoungLarge:     {"young_large_flow", "新开户即大额流水", "signal"},
	CashOut:        {"cash_out_24h", "入账后24小时内取现占比", "share"},
	SourceRegions:  {"source_regions", "资金来源地区数", "regions"},
	RoundTrip:      {"round_trip", "资金回流对手方", "accounts"},
	CaseLinks:      {"case_links", "与已确认涉案账户往来", "accounts"},
	RiskyPeers:     {"risky_peers", "与高风险账户往来", "accounts"},
	ClosedTriads:   {"closed_triads", "对手方之间互有往来（闭合三角）", "pairs"},
	RecurringPeers: {"recurring_peers", "多日反复往来的对手方", "accounts"},
	RiskyExposure:  {"risky_exposure", "高风险账户资金网络暴露度", "share"},
}

// Thresholds (fen) under which split amounts cluster: 1万, 5万 and 20万 yuan,
// the amounts above which banks check or report a transfer.
var subThresholds = [...]int64{1_000_000, 5_000_000, 20_000_000}

const (
	hourMs    = 3600_000
	dayMs     = 24 * hourMs
	youngDays = 90
)

// Vector is one account's features: raw values and signals.
type Vector struct {
	Value  [NumFeatures]float64
	Signal [NumFeatures]float64
}

// squash maps a count onto [0, 1]: 0 → 0, full → 1, logarithmic between.
func squash(v, full float64) float64 {
	if v <= 0 {
		return 0
	}
	return math.Min(1, math.Log1p(v)/math.Log1p(full))
}

// scratch is one worker's reusable memory.
type scratch struct {
	outMark, inMark, seen []int32 // account id → stamp (account id + 1)
	regSeen               []int32
	pairSeen              []int32 // account id → stamp (countTriads)
	keys                  []uint64
	queue                 []fifoItem
}

type fifoItem struct{ at, left int64 }

func newScratch(f *Flows) *scratch {
	n := len(f.names)
	return &scratch{outMark: make([]int32, n), inMark: make([]int32, n), seen: make([]int32, n),
		regSeen: make([]int32, f.regions), pairSeen: make([]int32, n)}
}

// fastOut matches each outflow (those passing keep) against the inflows
// received at most window before it, oldest first, and returns the matched
// amount.
func (f *Flows) fastOut(s *scratch, ins, outs []int32, window int64, keep func(t int32) bool) int64 {
	q := s.queue[:0]
	head := 0
	i := 0
	var matched int64
	for _, t := range outs {
		if !keep(t) {
			continue
		}
		at := f.at[t]
		for i < len(ins) && f.at[ins[i]] <= at {
			q = append(q, fifoItem{f.at[ins[i]], f.amt[ins[i]]})
			i++
		}
		for head < len(q) && q[head].at < at-window {
			head++
		}
		need := f.amt[t]
		for need > 0 && head < len(q) {
			take := min(need, q[head].left)
			q[head].left -= take
			need -= take
			matched += take
			if q[head].left == 0 {
				head++
			}
		}
	}
	s.queue = q
	return matched
}

// vector computes the features of account a, all but RiskyPeers and
// CaseLinks, which need other accounts' results (see Scorer).
func (f *Flows) vector(s *scratch, a int32) Vector {
	var v Vector
	ins, outs := f.ins(a), f.outs(a)
	n := len(ins) + len(outs)
	if n == 0 {
		return v
	}
	stamp := a + 1
	var inSum, outSum int64
	var sub, night int
	first := int64(math.MaxInt64)
	var lastDay int64 = math.MinInt64
	nDays := 0
	keys := s.keys[:0]
	counted := func(t int32) {
		amt := f.amt[t]
		for _, th := range subThresholds {
			if amt < th && amt >= th-th/10 {
				sub++
				break
			}
		}
		local := f.at[t] + zone.OffsetMillis
		if h := (local % dayMs) / hourMs; h >= 0 && h < 6 {
			night++
		}
		first = min(first, f.at[t])
	}
	var cps, regions, roundTrip int
	for _, t := range outs {
		outSum += f.amt[t]
		counted(t)
		if c := f.to[t]; c >= 0 {
			if s.outMark[c] != stamp {
				s.outMark[c] = stamp
			}
			if s.seen[c] != stamp {
				s.seen[c] = stamp
				cps++
			}
			keys = append(keys, uint64(c)<<24|uint64(dayOf(f.at[t]))&0x7fffff)
		}
	}
	for _, t := range ins {
		inSum += f.amt[t]
		counted(t)
		if c := f.from[t]; c >= 0 {
			if s.inMark[c] != stamp {
				s.inMark[c] = stamp
				if s.outMark[c] == stamp {
					roundTrip++
				}
			}
			if s.seen[c] != stamp {
				s.seen[c] = stamp
				cps++
			}
			keys = append(keys, 1<<63|uint64(c)<<24|uint64(dayOf(f.at[t]))&0x7fffff)
		}
		if r := f.region[t]; r >= 0 && s.regSeen[r] != stamp {
			s.regSeen[r] = stamp
			regions++
		}
	}
	// Active days: both lists are in time order, so merge them by day.
	for i, j := 0, 0; i < len(ins) || j < len(outs); {
		var t int32
		if j >= len(outs) || (i < len(ins) && f.at[ins[i]] <= f.at[outs[j]]) {
			t = ins[i]
			i++
		} else {
			t = outs[j]
			j++
		}
		if d := dayOf(f.at[t]); d != lastDay {
			lastDay = d
			nDays++
		}
	}
	// Repeated splits: sort the (direction, counterparty, day) keys and
	// count the repeats.
	sortU64(keys)
	repeats, recurring := 0, 0
	days := 0 // distinct days of the current (direction, counterparty)
	for i := range keys {
		if i > 0 && keys[i] == keys[i-1] {
			repeats++
			continue
		}
		if i == 0 || keys[i]>>24 != keys[i-1]>>24 {
			days = 0
		}
		days++
		if days == 2 {
			recurring++
		}
	}
	s.keys = keys

	fn := float64(n)
	if inSum > 0 {
		all := func(int32) bool { return true }
		v.Value[FastOut1h] = float64(f.fastOut(s, ins, outs, hourMs, all)) / float64(inSum)
		v.Value[FastOut24h] = float64(f.fastOut(s, ins, outs, dayMs, all)) / float64(inSum)
		v.Value[CashOut] = float64(f.fastOut(s, ins, outs, dayMs, func(t int32) bool { return f.to[t] == Cash })) / float64(inSum)
	}
	if inSum > 0 && outSum > 0 {
		pt := float64(min(inSum, outSum)) / float64(max(inSum, outSum))
		if bal := f.balance[a]; bal >= 0 {
			pt *= 1 - math.Min(1, float64(bal)/float64(inSum))
		}
		v.Value[PassThrough] = pt
	}
	v.Value[Degree] = float64(cps)
	v.Value[PerDay] = float64(cps) / float64(max(1, nDays))
	v.Value[SubThreshold] = float64(sub) / fn
	v.Value[RepeatedSplits] = float64(repeats)
	v.Value[Night] = float64(night) / fn
	if op := f.openedAt[a]; op > 0 && first != math.MaxInt64 {
		ageDays := float64(first-op) / dayMs
		flowYuan := float64(inSum+outSum) / 100
		v.Value[YoungLarge] = math.Max(0, 1-math.Max(0, ageDays)/youngDays) * squash(flowYuan, 1e6)
	}
	v.Value[SourceRegions] = float64(regions)
	v.Value[RoundTrip] = float64(roundTrip)
	v.Value[RecurringPeers] = float64(recurring)
	v.Value[ClosedTriads] = float64(f.triadCounts()[a])

	v.Signal[FastOut1h] = v.Value[FastOut1h]
	v.Signal[FastOut24h] = v.Value[FastOut24h]
	v.Signal[PassThrough] = v.Value[PassThrough]
	v.Signal[Degree] = squash(v.Value[Degree], 50)
	v.Signal[PerDay] = squash(v.Value[PerDay], 20)
	v.Signal[SubThreshold] = v.Value[SubThreshold]
	v.Signal[RepeatedSplits] = squash(v.Value[RepeatedSplits], 10)
	v.Signal[Night] = v.Value[Night]
	v.Signal[YoungLarge] = v.Value[YoungLarge]
	v.Signal[CashOut] = v.Value[CashOut]
	v.Signal[SourceRegions] = squash(v.Value[SourceRegions]-1, 10)
	v.Signal[RoundTrip] = squash(v.Value[RoundTrip], 5)
	v.Signal[ClosedTriads] = squash(v.Value[ClosedTriads], 5)
	v.Signal[RecurringPeers] = squash(v.Value[RecurringPeers], 5)
	return v
}

// linkCount counts the distinct counterparties of a for which marked is true.
func (f *Flows) linkCount(s *scratch, a int32, marked func(c int32) bool) int {
	n, _ := f.linkWeight(s, a, marked, nil)
	return n
}

// linkWeight counts the distinct counterparties c of a for which marked is
// true and sums weight(c) over them (weight may be nil).
func (f *Flows) linkWeight(s *scratch, a int32, marked func(c int32) bool, weight func(c int32) float64) (int, float64) {
	stamp := -(a + 1) // distinct from the stamps vector uses
	n := 0
	sum := 0.0
	visit := func(c int32) {
		if c >= 0 && s.seen[c] != stamp {
			s.seen[c] = stamp
			if marked(c) {
				n++
				if weight != nil {
					sum += weight(c)
				}
			}
		}
	}
	for _, t := range f.outs(a) {
		visit(f.to[t])
	}
	for _, t := range f.ins(a) {
		visit(f.from[t])
	}
	return n, sum
}

// dayOf is the Asia/Shanghai calendar day of a time.
func dayOf(ms int64) int64 {
	local := ms + zone.OffsetMillis
	if local < 0 {
		return (local - dayMs + 1) / dayMs
	}
	return local / dayMs
}

// parallel runs fn over account ids [0, n) on every core, each worker with
// its own scratch.
func (f *Flows) parallel(fn func(s *scratch, a int32)) {
	n := int32(len(f.names))
	workers := runtime.GOMAXPROCS(0)
	const chunk = 4096
	var next int32
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := newScratch(f)
			for {
				mu.Lock()
				lo := next
				next += chunk
				mu.Unlock()
				if lo >= n {
					return
				}
				for a := lo; a < min(lo+chunk, n); a++ {
					fn(s, a)
				}
			}
		}()
	}
	wg.Wait()
}

// sortU64 sorts small key lists by insertion, larger ones with slices.Sort.
func sortU64(k []uint64) {
	if len(k) < 24 {
		for i := 1; i < len(k); i++ {
			for j := i; j > 0 && k[j] < k[j-1]; j-- {
				k[j], k[j-1] = k[j-1], k[j]
			}
		}
		return
	}
	slices.Sort(k)
}
