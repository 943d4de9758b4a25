package trace

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"
)

// TestTraceLeavesNoGoroutine: a trace, with or without the envelope, under
// every rule, and the envelope alone, start no goroutine that is still
// there when they return — on the calling goroutine and when several
// goroutines trace one ledger at once.
func TestTraceLeavesNoGoroutine(t *testing.T) {
	runtime.GC()
	before := runtime.NumGoroutine()
	var opts []Options
	for _, rule := range []Rule{FIFO, Proportional} {
		for _, libr := range []bool{false, true} {
			for _, env := range []bool{false, true} {
				opts = append(opts, Options{Rule: rule, LIBRCap: libr, MaxHops: 4, Envelope: env},
					Options{Rule: rule, LIBRCap: libr, MaxLag: 40 * time.Minute, Envelope: env})
			}
		}
	}
	traceAll := func(t *testing.T, seed uint64) {
		rng := rand.New(rand.NewPCG(seed, 5))
		for it := 0; it < 30; it++ {
			l, starts, mid := randomTraceLedger(rng)
			for _, opt := range opts {
				opt.AsOf = mid
				if _, err := Trace(l, starts, opt); err != nil {
					t.Error(err)
					return
				}
			}
			l.Reach(starts, 3, 0, 0)
		}
	}
	traceAll(t, 1)
	if n := runtime.NumGoroutine(); n != before {
		t.Fatalf("%d goroutines before the traces, %d after", before, n)
	}

	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			traceAll(t, uint64(10+g))
		}()
	}
	wg.Wait()
	// The four tracing goroutines themselves may take a moment to exit
	// after Done; anything the engine started would stay.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() != before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n != before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines before the concurrent traces, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}
