package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
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

// The bench's counts find what they are for: an acknowledged warning that
// is not stored, a deadline escalated twice (two outbox rows and two
// events), a webhook key posted twice, and a phone with two open warnings;
// a merged warning about the same phone and a warning escalated for two
// different deadlines are not counted.
func TestBenchReplicasCounts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		root := area.Node{Level: area.County, Code: "R", Name: "云溪县"}
		if err := area.Create(ctx, d, &root); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		ms := db.Millis(now)
		ids := map[string]int64{}
		for _, w := range []struct{ ref, phone, status string }{
			{"BR-H-1", "13900000001", "open"},
			{"BR-H-2", "13900000001", "merged"}, // merged into BR-H-1: not a split
			{"BR-PA-1", "13700000001", "open"},
			{"BR-PB-1", "13700000001", "open"}, // the pair left split
			{"BR-S-1", "13800000001", "open"},
		} {
			var id int64
			if err := d.QueryRow(ctx, `INSERT INTO warnings (source, source_ref, received_at, grade, person_phone, area_id, status, created_at, updated_at)
				VALUES ('bank', ?, ?, 'fund', ?, ?, ?, ?, ?) RETURNING id`, w.ref, ms, w.phone, root.ID, w.status, ms, ms).Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids[w.ref] = id
		}
		esc := func(ref, deadline string, due time.Time) {
			t.Helper()
			payload := fmt.Sprintf(`{"kind":"escalation","data":{"warning_id":%d,"deadline":%q,"due_at":%q}}`, ids[ref], deadline, due.UTC().Format(time.RFC3339Nano))
			if _, err := d.Exec(ctx, `INSERT INTO outbox (kind, target, format, payload, created_at, next_at, delivered_at) VALUES ('escalation', 'http://x', 'json', ?, ?, ?, ?)`,
				payload, ms, ms, ms); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Exec(ctx, `INSERT INTO warning_events (warning_id, at, kind, detail) VALUES (?, ?, 'escalated', '')`, ids[ref], ms); err != nil {
				t.Fatal(err)
			}
		}
		esc("BR-H-1", "contact", now)
		esc("BR-H-1", "onsite", now.Add(time.Hour)) // another deadline: not a duplicate
		esc("BR-S-1", "contact", now)
		esc("BR-S-1", "contact", now) // escalated twice
		r := &replicaRun{d: d, accepted: map[string]string{"BR-H-1": "http", "BR-H-2": "http", "BR-PA-1": "http", "BR-PB-1": "http",
			"BR-S-1": "stream", "BR-S-2": "stream"}, // BR-S-2 acknowledged, never stored
			hook: &hookReceiver{keys: map[string]int{"1": 1, "2": 2, "3": 1}}}
		r.hook.total = 4
		res, err := r.count(ctx, replicaResult{})
		if err != nil {
			t.Fatal(err)
		}
		want := replicaResult{acceptedHTTP: 4, acceptedStream: 2, stored: 5, lost: 1, escalations: 3, escalationEvents: 4, dupEscalations: 1,
			deliveries: 4, keys: 3, dupDeliveries: 1, splitPeople: 1}
		if res != want {
			t.Fatalf("counts\n got %+v\nwant %+v", res, want)
		}
	})
}
