package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/warning"
)

// ingestObserver collects the intake's commit timings and the SQLite
// checkpoints of a bench ingest phase, so a slow request can be set beside
// what the server was doing then.
type ingestObserver struct {
	mu      sync.Mutex
	commits []timedCommit
	checks  []timedCheckpoint
}

type timedCommit struct {
	end time.Time
	warning.CommitStats
}

func (c timedCommit) total() time.Duration {
	return c.Wait + c.Prepare + c.Begin + c.Work + c.Commit
}

type timedCheckpoint struct {
	end time.Time
	db.Checkpoint
}

func (o *ingestObserver) commit(s warning.CommitStats) {
	o.mu.Lock()
	o.commits = append(o.commits, timedCommit{time.Now(), s})
	o.mu.Unlock()
}

func (o *ingestObserver) checkpoint(c db.Checkpoint) {
	o.mu.Lock()
	o.checks = append(o.checks, timedCheckpoint{time.Now(), c})
	o.mu.Unlock()
}

func (o *ingestObserver) reset() {
	o.mu.Lock()
	o.commits, o.checks = nil, nil
	o.mu.Unlock()
}

// report sums up the phase: commits (size and the p99 and max of each
// part) and checkpoints.
func (o *ingestObserver) report() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.commits) == 0 {
		return "no intake commits"
	}
	part := func(name string, f func(timedCommit) time.Duration) string {
		v := make([]time.Duration, len(o.commits))
		for i, c := range o.commits {
			v[i] = f(c)
		}
		return fmt.Sprintf("%s p99 %.1f max %.1f", name, ms(pct(v, 0.99)), ms(pct(v, 1)))
	}
	warnings := 0
	for _, c := range o.commits {
		warnings += c.Warnings
	}
	var b strings.Builder
	fmt.Fprintf(&b, "intake commits: %d (%.1f warnings each); ms: %s; %s; %s; %s; %s; %s", len(o.commits), float64(warnings)/float64(len(o.commits)),
		part("total", timedCommit.total), part("wait", func(c timedCommit) time.Duration { return c.Wait }),
		part("prepare", func(c timedCommit) time.Duration { return c.Prepare }), part("begin", func(c timedCommit) time.Duration { return c.Begin }),
		part("work", func(c timedCommit) time.Duration { return c.Work }), part("commit", func(c timedCommit) time.Duration { return c.Commit }))
	if len(o.checks) > 0 {
		var longest timedCheckpoint
		pages, restarts := 0, 0
		var restart time.Duration
		for _, c := range o.checks {
			restart = max(restart, c.Restart)
			if c.Took > longest.Took {
				longest = c
			}
			pages = max(pages, c.LogPages)
			if c.Restarted {
				restarts++
			}
		}
		fmt.Fprintf(&b, "\n  checkpoints: %d (%d restarted the log), longest %.1f ms (%d of %d log pages copied), largest log %d pages, longest restart (writers wait) %.1f ms",
			len(o.checks), restarts, ms(longest.Took), longest.CopiedPages, longest.LogPages, pages, ms(restart))
	}
	return b.String()
}

// around describes the commits and checkpoints overlapping a request sent
// at sent (unix ns) that took took ms.
func (o *ingestObserver) around(sent int64, took float64) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	from, to := time.Unix(0, sent), time.Unix(0, sent).Add(time.Duration(took*float64(time.Millisecond)))
	var parts []string
	for _, c := range o.commits {
		start := c.end.Add(-c.total())
		if c.end.After(from) && start.Before(to) {
			parts = append(parts, fmt.Sprintf("commit of %d: wait %.0f prepare %.0f begin %.0f work %.0f commit %.0f ms",
				c.Warnings, ms(c.Wait), ms(c.Prepare), ms(c.Begin), ms(c.Work), ms(c.Commit)))
		}
	}
	for _, c := range o.checks {
		start := c.end.Add(-c.Took)
		if c.end.After(from) && start.Before(to) {
			parts = append(parts, fmt.Sprintf("checkpoint %.0f ms (%d pages)", ms(c.Took), c.CopiedPages))
		}
	}
	if len(parts) > 6 {
		sort.SliceStable(parts, func(i, j int) bool {
			return strings.HasPrefix(parts[i], "checkpoint") && !strings.HasPrefix(parts[j], "checkpoint")
		})
		parts = append(parts[:6], fmt.Sprintf("… %d more", len(parts)-6))
	}
	if len(parts) == 0 {
		return "no commit or checkpoint overlapped it"
	}
	return strings.Join(parts, "; ")
}

// startProfiles starts the CPU profile and the block and mutex profiles
// of one phase into dir (files named phase-cpu.pprof, phase-block.pprof …);
// the returned function writes them. An empty dir does nothing.
func startProfiles(dir, phase string) (func() error, error) {
	if dir == "" {
		return func() error { return nil }, nil
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	cpu, err := os.Create(filepath.Join(dir, phase+"-cpu.pprof"))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		cpu.Close()
		return nil, err
	}
	runtime.SetBlockProfileRate(int(100 * time.Microsecond))
	runtime.SetMutexProfileFraction(10)
	return func() error {
		pprof.StopCPUProfile()
		cpu.Close()
		for _, name := range []string{"block", "mutex", "goroutine"} {
			f, err := os.Create(filepath.Join(dir, phase+"-"+name+".pprof"))
			if err != nil {
				return err
			}
			err = pprof.Lookup(name).WriteTo(f, 0)
			f.Close()
			if err != nil {
				return err
			}
		}
		runtime.SetBlockProfileRate(0)
		runtime.SetMutexProfileFraction(0)
		fmt.Printf("profiles of the %s phase in %s (go tool pprof -top bin/fanzha %s/%s-block.pprof)\n", phase, dir, dir, phase)
		return nil
	}, nil
}

// longestPause is the longest GC pause since cycle from (of the last 256).
func longestPause(m *runtime.MemStats, from uint32) float64 {
	var longest uint64
	for i := from + 1; i <= m.NumGC; i++ {
		if m.NumGC-i >= 256 {
			continue
		}
		longest = max(longest, m.PauseNs[(i+255)%256])
	}
	return float64(longest) / 1e6
}
