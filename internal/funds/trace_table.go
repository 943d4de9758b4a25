package funds

// acctTable maps the few hundred accounts one trace works on to its
// per-account values: open addressing with linear probing, grown at half
// full, emptied after the trace by clearing only the entries used. It stays
// in the processor's cache, where an array over all a ledger's accounts
// costs a cache (and TLB) miss for each account a trace touches.
type acctTable[V any] struct {
	keys  []int32 // account + 1; 0: empty
	vals  []V
	used  []int32 // positions filled, for reset
	shift uint
}

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

func (t *acctTable[V]) grow() {
	size := max(256, 2*len(t.keys))
	oldKeys, oldVals, oldUsed := t.keys, t.vals, t.used
	t.keys, t.vals, t.used = make([]int32, size), make([]V, size), make([]int32, 0, size/2)
	t.shift = 64
	for s := size; s > 1; s >>= 1 {
		t.shift--
	}
	for _, i := range oldUsed {
		*t.insert(oldKeys[i] - 1) = oldVals[i]
	}
}

// reset empties the table.
func (t *acctTable[V]) reset() {
	var zero V
	for _, i := range t.used {
		t.keys[i] = 0
		t.vals[i] = zero
	}
	t.used = t.used[:0]
}
