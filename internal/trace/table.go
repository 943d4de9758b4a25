package trace

import "math/bits"

// acctTable maps the few hundred accounts one trace works on to its
// per-account values: open addressing with linear probing, grown at half
// full, emptied after the trace by clearing only the entries used. It stays
// in the processor's cache, where an array over all a ledger's accounts
// costs a cache (and TLB) miss for each account a trace touches.
//
// Staying in the cache also means staying small. A table lives as long as
// its scratch and serves trace after trace; grown once by a trace reaching
// tens of thousands of accounts, its probes would spread over megabytes —
// more than the core's 1 MiB L2 — and every later trace would pay a miss
// per account for it (the envelope's slots: 47 ns per candidate instead of
// a few). So reset puts a table larger than tableKeep entries aside and
// goes back to one of tableKeep; the arrays of each size are kept, cleared,
// for the next trace that grows that far.
type acctTable[V any] struct {
	keys  []int32 // account + 1; 0: empty
	vals  []V
	used  []int32 // positions filled, for reset
	shift uint

	spare   []tableArrays[V] // cleared arrays by size (index: log2 of the size)
	oldUsed []int32          // used's other buffer, swapped by grow
}

type tableArrays[V any] struct {
	keys []int32
	vals []V
}

const (
	tableMin  = 256  // entries of a new table
	tableKeep = 4096 // largest table kept from one trace to the next
)

func (t *acctTable[V]) home(a int32) int32 {
	return int32((uint64(uint32(a)) * 0x9E3779B97F4A7C15) >> t.shift)
}

// get returns the value of an account, nil when absent.
func (t *acctTable[V]) get(a int32) *V {
	if len(t.keys) == 0 {
		return nil
	}
	mask := int32(len(t.keys) - 1)
	for i := t.home(a); ; i = (i + 1) & mask {
		switch t.keys[i] {
		case a + 1:
			return &t.vals[i]
		case 0:
			return nil
		}
	}
}

// insert adds an account (which must be absent) and returns its value,
// valid until the next insert.
func (t *acctTable[V]) insert(a int32) *V {
	if 2*(len(t.used)+1) > len(t.keys) {
		t.grow()
	}
	mask := int32(len(t.keys) - 1)
	i := t.home(a)
	for t.keys[i] != 0 {
		i = (i + 1) & mask
	}
	t.keys[i] = a + 1
	t.used = append(t.used, i)
	return &t.vals[i]
}

func (t *acctTable[V]) grow() { t.growTo(max(tableMin, 2*len(t.keys))) }

// reserve makes room for n more accounts at once: a table about to take a
// level of a large envelope grows to its final size in one step, instead
// of doubling (and moving every entry) several times on the way.
func (t *acctTable[V]) reserve(n int) {
	need := 2 * (len(t.used) + n)
	if need <= len(t.keys) {
		return
	}
	size := max(tableMin, len(t.keys))
	for size < need {
		size *= 2
	}
	t.growTo(size)
}

func (t *acctTable[V]) growTo(size int) {
	oldKeys, oldVals, oldUsed := t.keys, t.vals, t.used
	t.use(size)
	t.used, t.oldUsed = t.oldUsed[:0], oldUsed
	for _, i := range oldUsed {
		*t.insert(oldKeys[i] - 1) = oldVals[i]
	}
	t.putAside(oldKeys, oldVals, oldUsed)
}

// use switches to cleared arrays of size entries (a power of two).
func (t *acctTable[V]) use(size int) {
	c := bits.Len(uint(size)) - 1
	for len(t.spare) <= c {
		t.spare = append(t.spare, tableArrays[V]{})
	}
	if s := &t.spare[c]; s.keys != nil {
		t.keys, t.vals = s.keys, s.vals
		*s = tableArrays[V]{}
	} else {
		t.keys, t.vals = make([]int32, size), make([]V, size)
	}
	t.shift = uint(64 - c)
}

// putAside clears the given entries of arrays no longer in use and keeps
// them for reuse. Arrays smaller than tableKeep are dropped: a table never
// goes back below the size it reached (nor reset below tableKeep), so they
// would not be used again.
func (t *acctTable[V]) putAside(keys []int32, vals []V, used []int32) {
	if len(keys) < tableKeep {
		return
	}
	var zero V
	for _, i := range used {
		keys[i] = 0
		vals[i] = zero
	}
	c := bits.Len(uint(len(keys))) - 1
	for len(t.spare) <= c {
		t.spare = append(t.spare, tableArrays[V]{})
	}
	t.spare[c] = tableArrays[V]{keys, vals}
}

// reset empties the table, and shrinks it to tableKeep entries when it
// has grown beyond.
func (t *acctTable[V]) reset() {
	if len(t.keys) > tableKeep {
		keys, vals := t.keys, t.vals
		t.use(tableKeep)
		t.putAside(keys, vals, t.used)
		t.used = t.used[:0]
		return
	}
	var zero V
	for _, i := range t.used {
		t.keys[i] = 0
		t.vals[i] = zero
	}
	t.used = t.used[:0]
}
