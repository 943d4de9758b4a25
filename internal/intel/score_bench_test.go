package intel

import (
	"sync"
	"testing"
)

// BenchmarkScoreFlows scores 100,000 generated accounts from 1,000,000
// transfers (the reduced size of fanzha bench intel), closed triads
// included.
func BenchmarkScoreFlows(b *testing.B) {
	f := GenerateFlows(100_000, 1_000_000, 1).Build()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.tri, f.triOnce = nil, sync.Once{}
		ScoreFlows(f, DefaultWeights(), nil)
	}
}
