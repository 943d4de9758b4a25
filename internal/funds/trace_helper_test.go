package funds

import (
	"bytes"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

func reachOf(r TraceResult) []string { return r.Reachable() }

func helperTestLedger(t *testing.T) (*Ledger, TraceGenResult) {
	t.Helper()
	var buf bytes.Buffer
	gen, err := WriteTraceBenchCSV(&buf, TraceGenConfig{Seed: 5, Transfers: 40_000, Accounts: 4_000, Victims: 60})
	if err != nil {
		t.Fatal(err)
	}
	l, err := LoadTransferCSV(bytes.NewReader(buf.Bytes()), 0)
	if err != nil {
		t.Fatal(err)
	}
	return l, gen
}

// The envelope computed on the second core (its levels shared with the
// trace once the trace's own work is done) is the one the trace computes
// itself, in the same order, for traces run one after another and from several goroutines at
// once (most then find the helper busy and compute their own), with and
// without a lag; and the helper does take posted envelopes.
func TestEnvelopeHelperSameResult(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("one processor: no helper")
	}
	l, gen := helperTestLedger(t)
	opts := []TraceOptions{
		{MaxHops: 6, Envelope: true},
		{MaxHops: 4, MaxLag: 6 * time.Hour, Envelope: true},
	}
	want := make([][][]string, len(opts))
	SetEnvelopeHelper(false)
	for o, opt := range opts {
		for _, s := range gen.Starts {
			want[o] = append(want[o], reachOf(mustTrace(t, l, []TraceStart{s}, opt)))
		}
	}
	SetEnvelopeHelper(true)
	helped0, _, joined0 := EnvelopeHelperStats()
	for o, opt := range opts {
		for k, s := range gen.Starts {
			if got := reachOf(mustTrace(t, l, []TraceStart{s}, opt)); !slices.Equal(got, want[o][k]) {
				t.Fatalf("options %d start %d: helper's envelope has %d accounts, the trace's own %d", o, k, len(got), len(want[o][k]))
			}
		}
	}
	helped, _, joined := EnvelopeHelperStats()
	// On a loaded machine the helper's goroutine may not be scheduled
	// during one pass; it must take posted envelopes within a few seconds
	// of traces (the results are checked the same way meanwhile).
	for deadline := time.Now().Add(5 * time.Second); helped == helped0 && time.Now().Before(deadline); {
		for k, s := range gen.Starts {
			if got := reachOf(mustTrace(t, l, []TraceStart{s}, opts[0])); !slices.Equal(got, want[0][k]) {
				t.Fatalf("start %d: helper's envelope has %d accounts, the trace's own %d", k, len(got), len(want[0][k]))
			}
		}
		helped, _, joined = EnvelopeHelperStats()
	}
	if helped == helped0 {
		t.Errorf("the helper computed none of the envelopes of 5 s of traces")
	}
	t.Logf("helper: %d envelopes, %d frontier accounts expanded by the traces", helped-helped0, joined-joined0)
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for rep := 0; rep < 3; rep++ {
				for k := g; k < len(gen.Starts); k += 2 {
					res, err := Trace(l, []TraceStart{gen.Starts[k]}, opts[0])
					if err != nil {
						errs <- err.Error()
						return
					}
					if !slices.Equal(reachOf(res), want[0][k]) {
						errs <- "a concurrent trace's envelope differs"
						return
					}
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}

// A posted envelope the helper has not started is computed by the trace
// itself, and the mailbox is free again after either way.
func TestEnvelopeHelperTakeBack(t *testing.T) {
	l, gen := helperTestLedger(t)
	h := &envelopeHelper{wake: make(chan struct{}, 1)} // no goroutine: nobody takes it
	sc := l.getScratch()
	for _, s := range gen.Starts[:10] {
		a, ok := l.index.get(s.ToAccount)
		if !ok {
			t.Fatalf("start account %s not in the ledger", s.ToAccount)
		}
		seeds := []reachSeed{{a, s.At.UnixMilli()}}
		want := l.reach(sc, seeds, 6, 0, l.maxAt, 0)
		if !h.post(l, seeds, 6, 0, l.maxAt) {
			t.Fatal("an idle helper refused a post")
		}
		if h.post(l, seeds, 6, 0, l.maxAt) {
			t.Fatal("a busy helper accepted a second post")
		}
		if got := h.collect(sc); !slices.Equal(got, want) {
			t.Fatalf("taken back: %d accounts, want %d", len(got), len(want))
		}
		if h.state.Load() != mailIdle {
			t.Fatalf("mailbox state %d after the take-back", h.state.Load())
		}
	}
	if helped, local := h.helped.Load(), h.local.Load(); helped != 0 || local != 10 {
		t.Fatalf("helped %d, taken back %d; want 0 and 10", helped, local)
	}
	// Now with the helper running (parked first: it wakes on the post).
	go h.loop()
	for _, s := range gen.Starts {
		a, _ := l.index.get(s.ToAccount)
		seeds := []reachSeed{{a, s.At.UnixMilli()}}
		want := l.reach(sc, seeds, 6, 0, l.maxAt, 0)
		if !h.post(l, seeds, 6, 0, l.maxAt) {
			t.Fatal("an idle helper refused a post")
		}
		time.Sleep(50 * time.Microsecond) // time for the helper to take some
		if got := h.collect(sc); !slices.Equal(got, want) {
			t.Fatalf("%d accounts, want %d", len(got), len(want))
		}
	}
	if helped, local := h.helped.Load(), h.local.Load(); helped+local != 10+int64(len(gen.Starts)) {
		t.Fatalf("helped %d + taken back %d ≠ %d posts", helped, local, 10+len(gen.Starts))
	}
}
