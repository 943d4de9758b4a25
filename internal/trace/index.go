package trace

// acctIndex interns account numbers to dense int32 ids. Account numbers
// are nearly always decimal card or account numbers: those in canonical
// form (digits only, no leading zero, at most 18 digits) are keyed by their
// value in an open-addressing table of 16-byte slots, so a lookup costs one
// cache line and no string comparison; anything else goes to a map.
type acctIndex struct {
	slots []acctSlot // len a power of two; key 0 = empty, else value+1
	shift uint
	n     int
	other map[string]int32
}

type acctSlot struct {
	key uint64
	id  int32
}

// canonicalNumber returns the value of a canonical decimal number.
func canonicalNumber(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 18 || (b[0] == '0' && len(b) > 1) {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	return v, true
}

func newAcctIndex(hint int) *acctIndex {
	x := &acctIndex{}
	x.resize(max(64, hint*2))
	return x
}

func (x *acctIndex) resize(capacity int) {
	size, shift := 1, uint(64)
	for size < capacity {
		size *= 2
		shift--
	}
	old := x.slots
	x.slots, x.shift = make([]acctSlot, size), shift
	for _, s := range old {
		if s.key != 0 {
			x.place(s.key, s.id)
		}
	}
}

func (x *acctIndex) home(key uint64) uint64 { return (key * 0x9E3779B97F4A7C15) >> x.shift }

func (x *acctIndex) place(key uint64, id int32) {
	mask := uint64(len(x.slots) - 1)
	for i := x.home(key); ; i = (i + 1) & mask {
		if x.slots[i].key == 0 {
			x.slots[i] = acctSlot{key, id}
			return
		}
	}
}

// keyOf returns the table key of a canonical account number (value+1), or
// 0 when the number is kept in the map.
func keyOf(b []byte) uint64 {
	if v, ok := canonicalNumber(b); ok {
		return v + 1
	}
	return 0
}

// peek reads the home slot of a key: a load issued early so that its cache
// miss overlaps with other work before the lookup.
func (x *acctIndex) peek(key uint64) uint64 { return x.slots[x.home(key)].key }

// lookupKey finds the id of a table key.
func (x *acctIndex) lookupKey(key uint64) (int32, bool) {
	mask := uint64(len(x.slots) - 1)
	for i := x.home(key); ; i = (i + 1) & mask {
		switch x.slots[i].key {
		case key:
			return x.slots[i].id, true
		case 0:
			return 0, false
		}
	}
}

// addKey records a new table key.
func (x *acctIndex) addKey(key uint64, id int32) {
	if (x.n+1)*2 > len(x.slots) {
		x.resize(len(x.slots) * 2)
	}
	x.place(key, id)
	x.n++
}

// lookup finds the id of an account number given as bytes.
func (x *acctIndex) lookup(b []byte) (int32, bool) {
	if v, ok := canonicalNumber(b); ok {
		return x.lookupKey(v + 1)
	}
	id, ok := x.other[string(b)]
	return id, ok
}

// get finds the id of an account number.
func (x *acctIndex) get(name string) (int32, bool) {
	if x == nil {
		return 0, false
	}
	return x.lookup([]byte(name)) // the conversion does not escape: no allocation
}

// add records a new account number (not present) with the given id.
func (x *acctIndex) add(b []byte, id int32) {
	if v, ok := canonicalNumber(b); ok {
		x.addKey(v+1, id)
		return
	}
	if x.other == nil {
		x.other = map[string]int32{}
	}
	x.other[string(b)] = id
}

// accountNames holds the numbers of interned accounts in one string (no
// pointer per account for the garbage collector to scan).
type accountNames struct {
	data string
	off  []int32 // account a is data[off[a]:off[a+1]]
}

func (n *accountNames) at(a int32) string { return n.data[n.off[a]:n.off[a+1]] }
func (n *accountNames) len() int          { return len(n.off) - 1 }

// nameBuf collects account numbers while a ledger is read.
type nameBuf struct {
	data []byte
	off  []int32
}

func (b *nameBuf) add(name []byte) {
	if b.off == nil {
		b.off = append(b.off, 0)
	}
	b.data = append(b.data, name...)
	b.off = append(b.off, int32(len(b.data)))
}

func (b *nameBuf) count() int { return max(0, len(b.off)-1) }

func (b *nameBuf) done() accountNames {
	if b.off == nil {
		b.off = []int32{0}
	}
	return accountNames{data: string(b.data), off: b.off}
}

func namesOf(list []string) accountNames {
	var b nameBuf
	for _, s := range list {
		b.add([]byte(s))
	}
	return b.done()
}
