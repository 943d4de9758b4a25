package main

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestBenchTraceSmall runs fanzha bench trace at a small size: every trace
// conserves money, and with a PostgreSQL server (FANZHA_TEST_POSTGRES) the
// envelope reaches the same accounts as the recursive CTE on every trace —
// the check the full-size benchmark makes on 10 million transfers.
func TestBenchTraceSmall(t *testing.T) {
	pg := os.Getenv("FANZHA_TEST_POSTGRES")
	out, err := exec.Command(fanzhaBin, "bench", "trace", "--transfers", "30000", "--accounts", "2000",
		"--victims", "40", "--rounds", "2", "--postgres", pg).CombinedOutput()
	if err != nil {
		t.Fatalf("bench trace: %v\n%s", err, out)
	}
	text := string(out)
	if !strings.Contains(text, "traces: 40 victim transfers × 2 rounds") {
		t.Fatalf("no trace summary:\n%s", text)
	}
	result := regexp.MustCompile(`(?m)^RESULT transactions=30000 trace_p50_ms=[0-9.]+ trace_p99_ms=[0-9.]+ pg_cte_p50_ms=(\S+) speedup=(\S+) rss_mb=[0-9]+$`).FindStringSubmatch(text)
	if result == nil {
		t.Fatalf("no RESULT line of the documented form:\n%s", text)
	}
	if pg == "" {
		if result[1] != "NA" || result[2] != "NA" {
			t.Fatalf("without PostgreSQL the comparison must read NA: %s", result[0])
		}
		return
	}
	if !strings.Contains(text, "reached sets identical on 40 of 40 traces") {
		t.Fatalf("the envelope and the CTE differ:\n%s", text)
	}
	if result[1] == "NA" || result[2] == "NA" {
		t.Fatalf("a PostgreSQL server was given but no comparison was made: %s", result[0])
	}
}
