package trace

import (
	"bytes"
	"sync"
	"testing"
)

var benchTraceSet struct {
	once sync.Once
	l    *Ledger
	gen  GenResult
}

func benchLedger(b *testing.B) (*Ledger, GenResult) {
	benchTraceSet.once.Do(func() {
		var buf bytes.Buffer
		gen, err := WriteBenchCSV(&buf, GenConfig{Seed: 1, Transfers: 1_000_000, Accounts: 100_000, Victims: 1000})
		if err != nil {
			b.Fatal(err)
		}
		l, err := LoadTransferCSV(&buf, gen.Lines)
		if err != nil {
			b.Fatal(err)
		}
		benchTraceSet.l, benchTraceSet.gen = l, gen
	})
	return benchTraceSet.l, benchTraceSet.gen
}

// BenchmarkTrace: one victim transfer of the generated set (1M transfers),
// 6 hops, FIFO, with the envelope — what fanzha bench trace times.
func BenchmarkTrace(b *testing.B) {
	l, gen := benchLedger(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := gen.Starts[i%len(gen.Starts)]
		if _, err := Trace(l, []Start{s}, Options{MaxHops: 6, Envelope: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTraceAllocation: the same without the envelope.
func BenchmarkTraceAllocation(b *testing.B) {
	l, gen := benchLedger(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := gen.Starts[i%len(gen.Starts)]
		if _, err := Trace(l, []Start{s}, Options{MaxHops: 6}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReach: the envelope alone.
func BenchmarkReach(b *testing.B) {
	l, gen := benchLedger(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := gen.Starts[i%len(gen.Starts)]
		l.Reach([]Start{s}, 6, 0, 0)
	}
}

var benchCaseSet struct {
	once sync.Once
	l    *Ledger
	gen  GenResult
}

// BenchmarkTraceCaseSized: the allocation (no envelope, as the case trace
// asks) on a ledger of a case's size — 50,000 rows among 5,000 accounts —
// where the whole ledger sits in the processor's caches.
func BenchmarkTraceCaseSized(b *testing.B) {
	benchCaseSet.once.Do(func() {
		var buf bytes.Buffer
		gen, err := WriteBenchCSV(&buf, GenConfig{Seed: 2, Transfers: 25_000, Accounts: 5_000, Victims: 200})
		if err != nil {
			b.Fatal(err)
		}
		l, err := LoadTransferCSV(&buf, gen.Lines)
		if err != nil {
			b.Fatal(err)
		}
		benchCaseSet.l, benchCaseSet.gen = l, gen
	})
	l, gen := benchCaseSet.l, benchCaseSet.gen
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := gen.Starts[i%len(gen.Starts)]
		if _, err := Trace(l, []Start{s}, Options{MaxHops: 6}); err != nil {
			b.Fatal(err)
		}
	}
}
