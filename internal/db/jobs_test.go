package db_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/db"
)

func TestClaimAllOrderAndWinners(t *testing.T) {
	found := []int64{5, 2, 9, 2, 7}
	var claimedOrder, wonOrder []int64
	lost := map[int64]bool{9: true} // another replica won 9
	got, err := db.ClaimAll(func() ([]int64, error) { return found, nil }, func(v int64) int64 { return v },
		func(v int64) (bool, error) { claimedOrder = append(claimedOrder, v); return !lost[v], nil },
		func(v int64) error { wonOrder = append(wonOrder, v); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{2, 2, 5, 7, 9}; !slices.Equal(claimedOrder, want) {
		t.Errorf("claimed in order %v, want ascending %v (two sweeps must not deadlock)", claimedOrder, want)
	}
	if want := []int64{2, 2, 5, 7}; !slices.Equal(got, want) || !slices.Equal(wonOrder, want) {
		t.Errorf("won %v (acted on %v), want %v: the lost claim is neither acted on nor returned", got, wonOrder, want)
	}
	// An error stops the sweep (the caller's transaction rolls back).
	_, err = db.ClaimAll(func() ([]int64, error) { return found, nil }, func(v int64) int64 { return v },
		func(v int64) (bool, error) { return true, nil },
		func(v int64) error {
			if v == 5 {
				return errors.New("notify failed")
			}
			return nil
		})
	if err == nil {
		t.Error("an error of won was not returned")
	}
}

func TestEveryRunsAtOnceLogsAndStops(t *testing.T) {
	var mu sync.Mutex
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: &buf, mu: &mu}, nil))
	ctx, cancel := context.WithCancel(context.Background())
	runs := make(chan struct{}, 10)
	done := make(chan struct{})
	go func() {
		db.Every(ctx, time.Hour, log, "test sweep", func(context.Context) error {
			runs <- struct{}{}
			return errors.New("store down")
		})
		close(done)
	}()
	select {
	case <-runs: // at once, not after the first hour
	case <-time.After(5 * time.Second):
		t.Fatal("the job did not run at once")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the loop did not stop with its context")
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(buf.String(), "test sweep") || !strings.Contains(buf.String(), "store down") {
		t.Errorf("the error was not logged under the job's name: %q", buf.String())
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
