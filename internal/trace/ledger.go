package trace

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// The trace engine works on a Ledger: every loaded statement row of every
// account, held in compact flat arrays so that a trace over millions of
// transfers touches only the accounts the money reaches.
//
// Layout (compressed sparse rows): accounts are interned to int32 ids; the
// rows of account a are rows[start[a]:start[a+1]], sorted by (time, seq),
// where seq is the order in which the rows were added (the statement order
// for rows of the same millisecond). Each row is one transaction seen from
// its account: amount > 0 money in, amount < 0 money out, the counter
// account (−1 when the bank gave none), the row's kind (transfer, cash,
// payment, fee) and its link: for an outflow to an account whose statement is
// loaded, the index of the matching inflow row there, and back. A linked pair
// is one transfer seen from both ends; the engine follows money along links
// and never counts the pair twice.

// Row kinds, from the statement's summary (摘要) and channel (渠道).
const (
	rowTransfer uint8 = iota // to or from the counter account
	rowCash                  // cash deposit or withdrawal (存现/取现/ATM)
	rowPayment               // consumption or payment to a merchant (消费/POS/快捷支付…)
	rowFee                   // bank charges (手续费/年费…)
)

// DefaultMatchTolerance is how far apart the two ends of one transfer may be
// recorded by two banks (or a victim's report and the bank) and still be
// matched: amounts must be equal and counter accounts agree.
const DefaultMatchTolerance = time.Hour

// ledgerRow is one statement row, 32 bytes: the fields a trace reads
// together sit in one cache line.
type ledgerRow struct {
	at      int64 // unix ms UTC
	amt     int64 // signed fen, + in, − out
	counter int32 // counter account id, −1 unknown
	link    int32 // matching row of the counter account, −1 none
	seq     int32 // order of addition (ties within a millisecond; the line of a transfer file)
	kind    uint8 // rowTransfer | rowCash | rowPayment | rowFee
}

// Ledger is the in-memory index of loaded statements the trace engine runs
// on. It is read-only once built and safe for concurrent traces.
type Ledger struct {
	names   accountNames // account id → number
	index   *acctIndex   // account number → id
	stmt    []bool       // account id → its statement is loaded
	opening []int64      // account id → balance before its first loaded row (≥ 0)

	start []int32     // account id → first row; len(names)+1
	rows  []ledgerRow // rows of all accounts, account by account

	minAt, maxAt int64

	// Out-edge index: the outflows to an account of account a are
	// out[outIdx[a].lo:outIdx[a+1].lo], in row order; no out-edge of a is
	// after secUp(outIdx[a].lastSec), so an arrival then needs no look at out.
	outIdx []outRange
	out    []outEdge
	floor  []int64 // floored balance before every skipStride-th row (skip.go); nil when links are not exact in time

	scratch sync.Pool // *traceScratch, reused by traces
	sink    int64     // values of loads issued only to bring cache lines in early
}

// Accounts is the number of accounts the ledger knows (with or without a
// loaded statement).
func (l *Ledger) Accounts() int { return l.names.len() }

// Rows is the number of statement rows loaded.
func (l *Ledger) Rows() int { return len(l.rows) }

// HasStatement reports whether the account's statement is loaded.
func (l *Ledger) HasStatement(account string) bool {
	id, ok := l.index.get(account)
	return ok && l.stmt[id]
}

// Span returns the times of the first and last loaded rows.
func (l *Ledger) Span() (first, last time.Time) {
	if len(l.rows) == 0 {
		return time.Time{}, time.Time{}
	}
	return time.UnixMilli(l.minAt).UTC(), time.UnixMilli(l.maxAt).UTC()
}

// AccountID returns the interned id of an account number.
func (l *Ledger) AccountID(account string) (int32, bool) {
	id, ok := l.index.get(account)
	return id, ok
}

// AccountName returns the number of an interned account id.
func (l *Ledger) AccountName(id int32) string { return l.names.at(id) }

// millis is a time in unix ms, 0 for the zero time (as the database
// stores it).
func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// rowsOf returns the row range of an account.
func (l *Ledger) rowsOf(a int32) (int32, int32) { return l.start[a], l.start[a+1] }

// firstAfter returns the first row of account a in [lo, hi) whose time is
// strictly after t.
func (l *Ledger) firstAfter(lo, hi int32, t int64) int32 {
	for lo < hi {
		m := int32(uint32(lo+hi) >> 1)
		if l.rows[m].at <= t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// LedgerRow is one statement row given to a LedgerBuilder.
type LedgerRow struct {
	Account    string
	At         time.Time
	AmountFen  int64  // + in, − out
	BalanceFen *int64 // balance after the row, when the bank gives it
	Counter    string // counter account number, "" when unknown
	Summary    string // 摘要
	Channel    string // 渠道
}

type builderRow struct {
	acct, counter int32
	at, amt       int64
	bal           int64
	hasBal        bool
	kind          uint8
}

// LedgerBuilder collects statement rows and builds a Ledger: it interns
// accounts, sorts each account's rows by time, infers opening balances and
// matches the two ends of each transfer between loaded statements.
type LedgerBuilder struct {
	// MatchTolerance bounds the time difference between an outflow and the
	// inflow it is matched to; zero means DefaultMatchTolerance.
	MatchTolerance time.Duration

	index      *acctIndex
	names      []string
	stmt       []bool
	opening    []int64
	openingSet []bool
	rows       []builderRow
	// direct links (AddTransfer): pairs of builder row indices
	direct [][2]int32
}

// NewLedgerBuilder returns an empty builder.
func NewLedgerBuilder() *LedgerBuilder {
	return &LedgerBuilder{index: newAcctIndex(64)}
}

// account interns an account number.
func (b *LedgerBuilder) account(name string) int32 {
	if id, ok := b.index.get(name); ok {
		return id
	}
	id := int32(len(b.names))
	b.index.add([]byte(name), id)
	b.names = append(b.names, name)
	b.stmt = append(b.stmt, false)
	b.opening = append(b.opening, 0)
	b.openingSet = append(b.openingSet, false)
	return id
}

// SetOpeningBalance sets the balance an account held before its first loaded
// row, overriding the one inferred from the first row's balance column.
func (b *LedgerBuilder) SetOpeningBalance(account string, fen int64) {
	id := b.account(account)
	b.stmt[id] = true
	b.opening[id], b.openingSet[id] = fen, true
}

// AddRow adds one statement row; the account's statement counts as loaded.
func (b *LedgerBuilder) AddRow(r LedgerRow) error {
	if r.Account == "" {
		return fmt.Errorf("ledger row: empty account")
	}
	if r.AmountFen == 0 {
		return nil // nothing moves
	}
	a := b.account(r.Account)
	b.stmt[a] = true
	c := int32(-1)
	if cs := strings.TrimSpace(r.Counter); cs != "" && cs != r.Account {
		c = b.account(cs)
	}
	br := builderRow{acct: a, counter: c, at: millis(r.At), amt: r.AmountFen, kind: classifyRow(r.Summary, r.Channel)}
	if r.BalanceFen != nil {
		br.bal, br.hasBal = *r.BalanceFen, true
	}
	b.rows = append(b.rows, br)
	return nil
}

// AddTransfer adds one transfer whose both ends are loaded: an outflow row at
// from and the inflow row at to, matched to each other without the
// tolerance search (data sets of transfers rather than statements, such as
// FinBench). An empty to records a cash withdrawal from from.
func (b *LedgerBuilder) AddTransfer(from, to string, at time.Time, amountFen int64) {
	if amountFen <= 0 || from == "" || from == to {
		return
	}
	f := b.account(from)
	b.stmt[f] = true
	if to == "" {
		b.rows = append(b.rows, builderRow{acct: f, counter: -1, at: millis(at), amt: -amountFen, kind: rowCash})
		return
	}
	t := b.account(to)
	b.stmt[t] = true
	ms := millis(at)
	i := int32(len(b.rows))
	b.rows = append(b.rows, builderRow{acct: f, counter: t, at: ms, amt: -amountFen, kind: rowTransfer},
		builderRow{acct: t, counter: f, at: ms, amt: amountFen, kind: rowTransfer})
	b.direct = append(b.direct, [2]int32{i, i + 1})
}

// Build sorts, links and returns the ledger. The builder must not be used
// afterwards.
func (b *LedgerBuilder) Build() *Ledger {
	n := len(b.names)
	l := &Ledger{names: namesOf(b.names), index: b.index, stmt: b.stmt, opening: make([]int64, n)}
	// Sort rows by (account, time, addition order) with a permutation.
	perm := make([]int32, len(b.rows))
	for i := range perm {
		perm[i] = int32(i)
	}
	slices.SortFunc(perm, func(x, y int32) int {
		rx, ry := &b.rows[x], &b.rows[y]
		switch {
		case rx.acct != ry.acct:
			return int(rx.acct) - int(ry.acct)
		case rx.at < ry.at:
			return -1
		case rx.at > ry.at:
			return 1
		}
		return int(x - y)
	})
	nr := len(perm)
	l.start = make([]int32, n+1)
	l.rows = make([]ledgerRow, nr)
	pos := make([]int32, len(b.rows)) // builder row → ledger row
	for i, k := range perm {
		r := &b.rows[k]
		l.start[r.acct+1]++
		l.rows[i] = ledgerRow{at: r.at, amt: r.amt, counter: r.counter, link: -1, kind: r.kind, seq: k}
		pos[k] = int32(i)
	}
	for a := 0; a < n; a++ {
		l.start[a+1] += l.start[a]
	}
	for a := int32(0); a < int32(n); a++ {
		lo, hi := l.start[a], l.start[a+1]
		switch {
		case b.openingSet[a]:
			l.opening[a] = max(0, b.opening[a])
		case lo < hi:
			if r := &b.rows[l.rows[lo].seq]; r.hasBal {
				l.opening[a] = max(0, r.bal-r.amt)
			}
		}
	}
	for _, d := range b.direct {
		o, in := pos[d[0]], pos[d[1]]
		l.rows[o].link, l.rows[in].link = in, o
	}
	l.matchTransfers(b.MatchTolerance)
	l.finish()
	b.rows, b.direct = nil, nil
	return l
}

// finish computes the ledger's time span and the out-edge index.
func (l *Ledger) finish() {
	l.minAt, l.maxAt = 0, 0
	for i := range l.rows {
		t := l.rows[i].at
		if i == 0 || t < l.minAt {
			l.minAt = t
		}
		if i == 0 || t > l.maxAt {
			l.maxAt = t
		}
	}
	n := l.names.len()
	l.outIdx = make([]outRange, n+1)
	m := 0
	for i := range l.rows {
		if l.rows[i].amt < 0 && l.rows[i].counter >= 0 {
			m++
		}
	}
	l.out = make([]outEdge, 0, m)
	for a := 0; a < n; a++ {
		r := outRange{lo: int32(len(l.out))}
		for i := l.start[a]; i < l.start[a+1]; i++ {
			if l.rows[i].amt < 0 && l.rows[i].counter >= 0 {
				l.out = append(l.out, outEdge{at: l.rows[i].at, to: l.rows[i].counter, row: i})
				r.lastSec = l.secOf(l.rows[i].at)
			}
		}
		l.outIdx[a] = r
	}
	l.outIdx[n] = outRange{lo: int32(len(l.out))}
	l.buildSkips()
}

// outRange locates an account's out-edges (8 bytes: the index of a
// million accounts stays in the processor's cache).
type outRange struct {
	lo      int32
	lastSec uint32
}

// outEdge is an outflow to an account, in the out-edge index the envelope
// walks: one cache line holds four, so following an account's transfers
// after a time touches little memory.
type outEdge struct {
	at  int64
	to  int32
	row int32
}

// outAfter returns the first out-edge of [lo, hi) strictly after t.
func (l *Ledger) outAfter(lo, hi int32, t int64) int32 {
	for lo < hi {
		m := int32(uint32(lo+hi) >> 1)
		if l.out[m].at <= t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// matchTransfers links each outflow to an account whose statement is loaded
// with the inflow row recording the same transfer there: the same amount,
// the inflow's counter account equal to the payer (or left empty by the
// bank), recorded within tol of the outflow. Among candidates the one
// closest in time wins (the earlier on a tie); each inflow is matched at
// most once. Outflows are matched in (account, time) order. A matched
// inflow with an empty counter gets the payer as counter.
func (l *Ledger) matchTransfers(tol time.Duration) {
	if tol <= 0 {
		tol = DefaultMatchTolerance
	}
	tolMs := tol.Milliseconds()
	type key struct {
		counter int32
		amt     int64
	}
	// Candidate inflows per receiving account, built lazily.
	cands := map[int32]map[key][]int32{}
	inflows := func(b int32) map[key][]int32 {
		if m, ok := cands[b]; ok {
			return m
		}
		m := map[key][]int32{}
		lo, hi := l.rowsOf(b)
		for i := lo; i < hi; i++ {
			if l.rows[i].amt > 0 && l.rows[i].link < 0 {
				k := key{l.rows[i].counter, l.rows[i].amt}
				m[k] = append(m[k], i)
			}
		}
		cands[b] = m
		return m
	}
	pick := func(list []int32, t int64) int32 {
		best, bestD := int32(-1), int64(0)
		for _, i := range list {
			if l.rows[i].link >= 0 {
				continue
			}
			d := l.rows[i].at - t
			if d < 0 {
				d = -d
			}
			if d > tolMs {
				continue
			}
			if best < 0 || d < bestD {
				best, bestD = i, d
			}
		}
		return best
	}
	for a := int32(0); a < int32(l.names.len()); a++ {
		lo, hi := l.rowsOf(a)
		for o := lo; o < hi; o++ {
			if l.rows[o].amt >= 0 || l.rows[o].link >= 0 {
				continue
			}
			b := l.rows[o].counter
			if b < 0 || !l.stmt[b] {
				continue
			}
			m := inflows(b)
			in := pick(m[key{a, -l.rows[o].amt}], l.rows[o].at)
			if in < 0 {
				in = pick(m[key{-1, -l.rows[o].amt}], l.rows[o].at)
			}
			if in < 0 {
				continue
			}
			l.rows[o].link, l.rows[in].link = in, o
			l.rows[in].counter = a
		}
	}
}

// classifyRow tells cash, payments and fees from transfers by the summary
// and channel the bank wrote.
func classifyRow(summary, channel string) uint8 {
	s := summary + " " + channel
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(s, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("取现", "取款", "存现", "存款机", "ATM", "atm", "现金", "柜面取"):
		return rowCash
	case has("手续费", "年费", "工本费", "短信费", "管理费", "服务费"):
		return rowFee
	case has("消费", "POS", "pos", "快捷支付", "网上支付", "财付通", "支付宝", "微信支付", "缴费", "购物", "商户"):
		return rowPayment
	}
	return rowTransfer
}
