package trace

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"

	"github.com/fanzha/fanzha/internal/domain"
)

// The transfer CSV of fanzha bench trace (and of any export of transfers
// rather than statements), read by a dedicated line parser:
//
//	from,to,amount_fen,at_ms,kind
//	621700000000001,621700000000002,150000,1767225600000,t
//	621700000000003,,50000,1767225600123,c
//
// UTF-8, a header line exactly as above, then one transfer per line ending
// in "\n" (an "\r" before it is allowed): from and to are account numbers
// (any bytes but ',' and line ends; to is empty for a cash withdrawal),
// amount_fen a positive integer in fen, at_ms the time in milliseconds
// since the Unix epoch (UTC), kind 't' (transfer) or 'c' (cash withdrawal).
// Every account that appears counts as having its statement loaded, and the
// two ends of each transfer are linked directly. Lines in time order are
// read straight into the ledger; otherwise they are sorted by (time, line)
// first.

// TransferCSVHeader is the first line of a transfer CSV.
const TransferCSVHeader = "from,to,amount_fen,at_ms,kind"

// ErrTransferCSV marks a malformed transfer CSV; it wraps
// domain.ErrInvalid.
var ErrTransferCSV = fmt.Errorf("transfer csv: %w", domain.ErrInvalid)

// LoadTransferCSV reads a transfer CSV into a ledger. sizeHint, the number
// of lines expected (0 if unknown), only sizes the buffers.
func LoadTransferCSV(r io.Reader, sizeHint int) (*Ledger, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	head, err := br.ReadSlice('\n')
	if err != nil && !(err == io.EOF && len(head) > 0) {
		return nil, fmt.Errorf("%w: header: %v", ErrTransferCSV, err)
	}
	if string(bytes.TrimRight(head, "\r\n")) != TransferCSVHeader {
		return nil, fmt.Errorf("%w: header %q, want %q", ErrTransferCSV, bytes.TrimSpace(head), TransferCSVHeader)
	}
	index := newAcctIndex(max(1024, sizeHint/8))
	var names nameBuf
	var num []byte
	// Canonical account numbers are interned by value (the decimal text is
	// written back for the names).
	internKey := func(key uint64) int32 {
		if id, ok := index.lookupKey(key); ok {
			return id
		}
		id := int32(names.count())
		index.addKey(key, id)
		num = strconv.AppendUint(num[:0], key-1, 10)
		names.add(num)
		return id
	}
	internName := func(b []byte) int32 {
		if id, ok := index.lookup(b); ok {
			return id
		}
		id := int32(names.count())
		index.add(b, id)
		names.add(b)
		return id
	}
	from := make([]int32, 0, sizeHint)
	to := make([]int32, 0, sizeHint)
	amt := make([]int64, 0, sizeHint)
	at := make([]int64, 0, sizeHint)
	sorted := true
	type pendingLine struct {
		fromKey, toKey uint64 // 0: id already known
		fromID, toID   int32
		amt, at        int64
		line           int
	}
	// Lines are parsed in batches; the home slots of the batch's account
	// numbers are read in one tight loop (their cache misses overlap), then
	// the numbers are interned.
	const batchSize = 64
	batch := make([]pendingLine, 0, batchSize)
	var sink uint64
	flush := func() error {
		for k := range batch {
			if p := &batch[k]; p.fromKey != 0 {
				sink += index.peek(p.fromKey)
			}
		}
		for k := range batch {
			if p := &batch[k]; p.toKey != 0 {
				sink += index.peek(p.toKey)
			}
		}
		for k := range batch {
			p := &batch[k]
			if p.fromKey != 0 {
				p.fromID = internKey(p.fromKey)
			}
			if p.toKey != 0 {
				p.toID = internKey(p.toKey)
			}
			if p.toID == p.fromID {
				return fmt.Errorf("%w: line %d: transfer to the same account", ErrTransferCSV, p.line)
			}
			if n := len(at); n > 0 && p.at < at[n-1] {
				sorted = false
			}
			from, to, amt, at = append(from, p.fromID), append(to, p.toID), append(amt, p.amt), append(at, p.at)
		}
		batch = batch[:0]
		return nil
	}
	line := 1
	for {
		b, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			return nil, fmt.Errorf("%w: line %d: longer than 1 MiB", ErrTransferCSV, line+1)
		}
		if len(b) == 0 && err == io.EOF {
			break
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("%w: line %d: %v", ErrTransferCSV, line+1, err)
		}
		line++
		f, t, a, ms, perr := parseTransferLine(b)
		if perr != nil {
			return nil, fmt.Errorf("%w: line %d: %v", ErrTransferCSV, line, perr)
		}
		if len(from)+len(batch) >= 1<<31-2 {
			return nil, fmt.Errorf("%w: more than 2^31 lines", ErrTransferCSV)
		}
		p := pendingLine{toID: -1, amt: a, at: ms, line: line}
		if p.fromKey = keyOf(f); p.fromKey == 0 {
			p.fromID = internName(f)
		}
		if t != nil {
			if p.toKey = keyOf(t); p.toKey == 0 {
				p.toID = internName(t)
			}
		}
		batch = append(batch, p)
		if len(batch) == batchSize {
			if err := flush(); err != nil {
				return nil, err
			}
		}
		if err == io.EOF {
			break
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	st := &transferStaging{from: from, to: to, amt: amt, at: at}
	from, to, amt, at = nil, nil, nil, nil
	l := ledgerFromTransfers(names.done(), index, st, sorted)
	l.sink += int64(sink)
	return l, nil
}

// parseTransferLine splits one line; to is nil for a cash withdrawal.
func parseTransferLine(b []byte) (from, to []byte, amount, at int64, err error) {
	b = bytes.TrimSuffix(b, []byte{'\n'})
	b = bytes.TrimSuffix(b, []byte{'\r'})
	var fields [5][]byte
	k := 0
	for k < 4 {
		i := bytes.IndexByte(b, ',')
		if i < 0 {
			return nil, nil, 0, 0, fmt.Errorf("%d fields, want 5", k+1)
		}
		fields[k], b = b[:i], b[i+1:]
		k++
	}
	fields[4] = b
	if len(fields[0]) == 0 {
		return nil, nil, 0, 0, errors.New("empty from account")
	}
	amount, ok := parseDecimal(fields[2])
	if !ok || amount <= 0 {
		return nil, nil, 0, 0, fmt.Errorf("amount_fen %q", fields[2])
	}
	at, ok = parseDecimal(fields[3])
	if !ok {
		return nil, nil, 0, 0, fmt.Errorf("at_ms %q", fields[3])
	}
	switch string(fields[4]) {
	case "t":
		if len(fields[1]) == 0 {
			return nil, nil, 0, 0, errors.New("transfer without to account")
		}
		return fields[0], fields[1], amount, at, nil
	case "c":
		if len(fields[1]) != 0 {
			return nil, nil, 0, 0, errors.New("cash withdrawal with a to account")
		}
		return fields[0], nil, amount, at, nil
	}
	return nil, nil, 0, 0, fmt.Errorf("kind %q, want t or c", fields[4])
}

// parseDecimal reads an optionally negative decimal integer without
// overflow.
func parseDecimal(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg, b = true, b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// ledgerFromTransfers lays transfers out as linked statement rows: an
// outflow row at from and (unless cash) an inflow row at to, seq the line.
// transferStaging holds the parsed lines until they are laid out.
type transferStaging struct {
	from, to []int32
	amt, at  []int64
}

func ledgerFromTransfers(names accountNames, index *acctIndex, st *transferStaging, sorted bool) *Ledger {
	from, to, amt, at := st.from, st.to, st.amt, st.at
	n := names.len()
	m := len(from)
	var order []int32
	if !sorted {
		order = make([]int32, m)
		for k := range order {
			order[k] = int32(k)
		}
		slices.SortStableFunc(order, func(x, y int32) int {
			switch {
			case at[x] < at[y]:
				return -1
			case at[x] > at[y]:
				return 1
			}
			return 0
		})
	}
	l := &Ledger{names: names, index: index, stmt: make([]bool, n), opening: make([]int64, n), start: make([]int32, n+1)}
	rows := 0
	for k := 0; k < m; k++ {
		l.start[from[k]+1]++
		rows++
		if to[k] >= 0 {
			l.start[to[k]+1]++
			rows++
		}
	}
	for a := 0; a < n; a++ {
		l.start[a+1] += l.start[a]
		l.stmt[a] = true
	}
	l.rows = make([]ledgerRow, rows)
	pos := make([]int32, n)
	copy(pos, l.start[:n])
	// Rows are placed in batches: the rows' cache lines are first read in
	// one tight loop (their misses overlap), then written.
	type placed struct{ k, o, i int32 }
	const batchSize = 64
	var batch [batchSize]placed
	var sink int64
	for j0 := 0; j0 < m; j0 += batchSize {
		nb := min(batchSize, m-j0)
		for b := 0; b < nb; b++ {
			k := int32(j0 + b)
			if order != nil {
				k = order[k]
			}
			p := placed{k: k, o: pos[from[k]], i: -1}
			pos[from[k]]++
			if t := to[k]; t >= 0 {
				p.i = pos[t]
				pos[t]++
			}
			batch[b] = p
		}
		for b := 0; b < nb; b++ {
			sink += l.rows[batch[b].o].at
		}
		for b := 0; b < nb; b++ {
			if i := batch[b].i; i >= 0 {
				sink += l.rows[i].at
			}
		}
		for b := 0; b < nb; b++ {
			k, o, i := batch[b].k, batch[b].o, batch[b].i
			if i < 0 {
				l.rows[o] = ledgerRow{at: at[k], amt: -amt[k], counter: -1, link: -1, seq: k, kind: rowCash}
				continue
			}
			l.rows[o] = ledgerRow{at: at[k], amt: -amt[k], counter: to[k], link: i, seq: k}
			l.rows[i] = ledgerRow{at: at[k], amt: amt[k], counter: from[k], link: o, seq: k}
		}
	}
	l.sink += sink // loads issued only to bring cache lines in early
	// Let the staging go before the out-edge index is built: the peak
	// memory of a 10M-transfer load is the rows plus one of the two.
	*st = transferStaging{}
	from, to, amt, at, order, pos = nil, nil, nil, nil, nil, nil
	if len(l.rows) > 1<<20 {
		runtime.GC()
	}
	l.finish()
	return l
}

// EachTransfer calls fn for every outflow row linked to an account (a
// transfer between two loaded statements, or to an account without one),
// account by account, until fn returns false. seq is the row's order of
// addition (the line for a transfer CSV).
func (l *Ledger) EachTransfer(fn func(seq int32, from, to string, atMs, amountFen int64) bool) {
	for a := int32(0); a < int32(l.names.len()); a++ {
		lo, hi := l.rowsOf(a)
		for i := lo; i < hi; i++ {
			if l.rows[i].amt < 0 && l.rows[i].counter >= 0 {
				if !fn(l.rows[i].seq, l.names.at(a), l.names.at(l.rows[i].counter), l.rows[i].at, -l.rows[i].amt) {
					return
				}
			}
		}
	}
}
