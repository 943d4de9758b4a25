// Package intel is 两卡治理与研判: mule-account and phone-number scoring
// with explanations, implicated outlets, the entity graph with k-hop
// expansion, groups (candidate gangs) and linked cases.
package intel

import (
	"cmp"
	"slices"
	"sync"
)

// Counterparty ids with a meaning of their own in Flows.
const (
	Cash    int32 = -1 // a cash deposit or withdrawal (存现/取现/ATM)
	Outside int32 = -2 // a payment or fee with no counter account (消费/手续费)
)

// Flows is the compact in-memory form of every transfer the scorer reads:
// accounts interned to int32 ids, transfers in time order in flat arrays,
// and for each account the indices of its outgoing and incoming transfers
// (compressed sparse rows, in time order). Ten million transfers take about
// 360 MB.
type Flows struct {
	names []string
	index map[string]int32

	from, to []int32 // account ids; Cash or Outside for the non-account end
	at       []int64 // unix ms UTC
	amt      []int64 // fen, > 0
	region   []int32 // the payer's region (bank / branch / IP block) id, −1 unknown

	outStart, inStart []int32 // per account, len(names)+1
	outIdx, inIdx     []int32 // transfer indices

	openedAt []int64 // account id → opening time (unix ms), 0 unknown
	balance  []int64 // account id → last known balance in fen, −1 unknown
	regions  int32

	triOnce sync.Once
	tri     []int32 // account id → closed triads (triads.go), computed on first use
}

// Accounts is the number of interned accounts.
func (f *Flows) Accounts() int { return len(f.names) }

// Transfers is the number of transfers.
func (f *Flows) Transfers() int { return len(f.at) }

// Name returns the account number of an id.
func (f *Flows) Name(id int32) string { return f.names[id] }

// ID returns the id of an account number.
func (f *Flows) ID(number string) (int32, bool) {
	id, ok := f.index[number]
	return id, ok
}

// FlowBuilder collects transfers and builds Flows.
type FlowBuilder struct {
	f        Flows
	regionID map[string]int32
	sorted   bool
	lastAt   int64
}

// NewFlowBuilder returns an empty builder; sizeHint is the number of
// transfers expected (0 when unknown).
func NewFlowBuilder(sizeHint int) *FlowBuilder {
	b := &FlowBuilder{regionID: map[string]int32{}, sorted: true}
	b.f.index = map[string]int32{}
	b.f.from = make([]int32, 0, sizeHint)
	b.f.to = make([]int32, 0, sizeHint)
	b.f.at = make([]int64, 0, sizeHint)
	b.f.amt = make([]int64, 0, sizeHint)
	b.f.region = make([]int32, 0, sizeHint)
	return b
}

// Account interns an account number.
func (b *FlowBuilder) Account(number string) int32 {
	if id, ok := b.f.index[number]; ok {
		return id
	}
	id := int32(len(b.f.names))
	b.f.index[number] = id
	b.f.names = append(b.f.names, number)
	b.f.openedAt = append(b.f.openedAt, 0)
	b.f.balance = append(b.f.balance, -1)
	return id
}

// Region interns a region label ("" is unknown, −1).
func (b *FlowBuilder) Region(label string) int32 {
	if label == "" {
		return -1
	}
	if id, ok := b.regionID[label]; ok {
		return id
	}
	id := int32(len(b.regionID))
	b.regionID[label] = id
	b.f.regions = id + 1
	return id
}

// SetOpened records when an account was opened.
func (b *FlowBuilder) SetOpened(id int32, atMs int64) { b.f.openedAt[id] = atMs }

// SetBalance records an account's last known balance.
func (b *FlowBuilder) SetBalance(id int32, fen int64) { b.f.balance[id] = fen }

// Add adds one transfer of amountFen (> 0) from one account id to another
// (either end may be Cash or Outside, not both). region is the payer's
// region id or −1.
func (b *FlowBuilder) Add(from, to int32, atMs, amountFen int64, region int32) {
	if amountFen <= 0 || from == to || (from < 0 && to < 0) {
		return
	}
	if atMs < b.lastAt {
		b.sorted = false
	}
	b.lastAt = atMs
	b.f.from = append(b.f.from, from)
	b.f.to = append(b.f.to, to)
	b.f.at = append(b.f.at, atMs)
	b.f.amt = append(b.f.amt, amountFen)
	b.f.region = append(b.f.region, region)
}

// Build sorts the transfers by time (stable: equal times keep the order of
// addition) and indexes them per account. The builder must not be used
// afterwards.
func (b *FlowBuilder) Build() *Flows {
	f := &b.f
	if !b.sorted {
		perm := make([]int32, len(f.at))
		for i := range perm {
			perm[i] = int32(i)
		}
		slices.SortStableFunc(perm, func(x, y int32) int { return cmp.Compare(f.at[x], f.at[y]) })
		f.from = permute(f.from, perm)
		f.to = permute(f.to, perm)
		f.at = permute(f.at, perm)
		f.amt = permute(f.amt, perm)
		f.region = permute(f.region, perm)
	}
	for _, r := range f.region {
		f.regions = max(f.regions, r+1)
	}
	n := len(f.names)
	f.outStart, f.outIdx = csr(n, f.from)
	f.inStart, f.inIdx = csr(n, f.to)
	return f
}

func permute[T any](v []T, perm []int32) []T {
	out := make([]T, len(v))
	for i, p := range perm {
		out[i] = v[p]
	}
	return out
}

// csr groups transfer indices by account (ends < 0 are skipped), keeping
// time order within each account by a counting sort.
func csr(n int, ends []int32) (start, idx []int32) {
	start = make([]int32, n+1)
	for _, a := range ends {
		if a >= 0 {
			start[a+1]++
		}
	}
	for i := 0; i < n; i++ {
		start[i+1] += start[i]
	}
	idx = make([]int32, start[n])
	pos := make([]int32, n)
	copy(pos, start[:n])
	for t, a := range ends {
		if a >= 0 {
			idx[pos[a]] = int32(t)
			pos[a]++
		}
	}
	return start, idx
}

// outs and ins return an account's transfer indices in time order.
func (f *Flows) outs(a int32) []int32 { return f.outIdx[f.outStart[a]:f.outStart[a+1]] }
func (f *Flows) ins(a int32) []int32  { return f.inIdx[f.inStart[a]:f.inStart[a+1]] }

// Counterparties returns the distinct accounts a has sent money to or
// received money from.
func (f *Flows) Counterparties(a int32) []int32 {
	seen := map[int32]bool{}
	var out []int32
	add := func(c int32) {
		if c >= 0 && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	for _, t := range f.outs(a) {
		add(f.to[t])
	}
	for _, t := range f.ins(a) {
		add(f.from[t])
	}
	return out
}
