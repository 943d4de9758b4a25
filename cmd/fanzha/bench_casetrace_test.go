package main

import (
	"context"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
)

// captureStdout runs fn and returns what it printed.
func captureStdout(t *testing.T, fn func() error) (string, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	out := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		out <- string(b)
	}()
	ferr := fn()
	os.Stdout = old
	w.Close()
	return <-out, ferr
}

// The small mode of bench casetrace: it stores the statements, traces every
// case through the HTTP handler (the hub cases stop at the hub), prints the
// RESULT line, and a second run with the same --data-dir reuses the
// database; other flags on that folder are refused.
func TestBenchCaseTraceSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("stores 50k statement rows")
	}
	ctx := context.Background()
	dir := t.TempDir()
	args := []string{"--rows", "50000", "--cases", "20", "--hubs", "1", "--hub-rows", "21000", "--hub-share", "0.5", "--data-dir", dir}
	out, err := captureStdout(t, func() error { return benchCaseTrace(ctx, args) })
	if err != nil {
		t.Fatalf("first run: %v\n%s", err, out)
	}
	result := regexp.MustCompile(`(?m)^RESULT rows=(\d+) api_p50_ms=[\d.]+ api_p99_ms=[\d.]+ explain_p99_ms=[\d.]+ max_ms=[\d.]+ engine=sqlite$`)
	if !result.MatchString(out) {
		t.Fatalf("no RESULT line:\n%s", out)
	}
	if m := regexp.MustCompile(`via hub +(\d+) cases .*\((\d+) stopped at a hub\)`).FindStringSubmatch(out); m == nil || m[1] == "0" || m[1] != m[2] {
		t.Errorf("hub cases not stopped at the hub: %v\n%s", m, out)
	}
	out, err = captureStdout(t, func() error { return benchCaseTrace(ctx, args) })
	if err != nil || !strings.Contains(out, "reusing the") || !result.MatchString(out) {
		t.Fatalf("second run did not reuse the data folder: %v\n%s", err, out)
	}
	other := append(append([]string{}, args...), "--seed", "2")
	if _, err := captureStdout(t, func() error { return benchCaseTrace(ctx, other) }); err == nil || !strings.Contains(err.Error(), "other flags") {
		t.Fatalf("other flags on the same folder: %v", err)
	}
}
