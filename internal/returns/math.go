package returns

import "math/bits"

func mul64(a, b uint64) (hi, lo uint64) { return bits.Mul64(a, b) }

func div128(hi, lo, c uint64) (q, r uint64) {
	// hi < c holds for fen amounts (a ≤ total ≤ W = c), as bits.Div64 requires.
	return bits.Div64(hi, lo, c)
}
