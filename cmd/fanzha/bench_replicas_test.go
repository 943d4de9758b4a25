package main

import (
	"bytes"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/db/dbtest"
)

// The short version of fanzha bench replicas: three serve processes and a
// three-node NATS cluster on one PostgreSQL schema, a replica and the
// stream's leader killed with SIGKILL halfway; nothing acknowledged is
// lost, no deadline escalates twice, no webhook key arrives twice, no
// person keeps two open warnings, and a roster change reaches another
// replica within 2 s.
func TestBenchReplicasShort(t *testing.T) {
	base := dbtest.PostgresURL()
	if base == "" {
		t.Skip("FANZHA_TEST_POSTGRES not set: bench replicas needs PostgreSQL")
	}
	if testing.Short() {
		t.Skip("starts six processes for about a minute")
	}
	cmd := exec.Command(fanzhaBin, "bench", "replicas", "--db", base, "--warnings", "300", "--stream", "150",
		"--pairs", "15", "--duration", "15s", "--deadline", "5s")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	t.Logf("fanzha bench replicas:\n%s", out.String())
	if err != nil {
		t.Fatalf("bench replicas failed: %v", err)
	}
	if !strings.Contains(out.String(), "killed with SIGKILL") {
		t.Fatal("no replica was killed")
	}
	m := regexp.MustCompile(`(?m)^RESULT replicas=3 warnings=(\d+) lost=(\d+) duplicate_escalations=(\d+) duplicate_deliveries=(\d+) split_people=(\d+) roster_lag_ms=(-?\d+)$`).
		FindStringSubmatch(out.String())
	if m == nil {
		t.Fatal("no RESULT line")
	}
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	if n(1) < 300+150+2*15 {
		t.Errorf("warnings acknowledged: %d, want every one sent (≥ %d)", n(1), 300+150+2*15)
	}
	for i, name := range []string{"", "", "lost", "duplicate_escalations", "duplicate_deliveries", "split_people"} {
		if name != "" && n(i) != 0 {
			t.Errorf("%s = %d, want 0", name, n(i))
		}
	}
	if lag := n(6); lag < 0 || lag > 2000 {
		t.Errorf("roster_lag_ms = %d, want 0..2000", lag)
	}
	if !regexp.MustCompile(`escalations=[1-9]\d* `).MatchString(out.String()) {
		t.Error("no deadline escalated during the run")
	}
}

// Without PostgreSQL the bench refuses with a message naming what it needs.
func TestBenchReplicasRefusesSQLite(t *testing.T) {
	cmd := exec.Command(fanzhaBin, "bench", "replicas", "--db", "")
	cmd.Env = append(cmd.Environ(), "FANZHA_TEST_POSTGRES=", "FANZHA_DB=")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Fatalf("exit: %v, want status 2\n%s", err, out)
	}
	if !strings.Contains(string(out), "needs PostgreSQL") || !strings.Contains(string(out), "FANZHA_TEST_POSTGRES") {
		t.Fatalf("message: %s", out)
	}
}
