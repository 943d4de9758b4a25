package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
)

// The binary under test, built once by TestMain.
var fanzhaBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fanzha-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fanzhaBin = filepath.Join(dir, "fanzha")
	out, err := exec.Command("go", "build", "-o", fanzhaBin, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build fanzha: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// seedCounty writes a one-station county with an on-duty dissuader into a
// fresh SQLite database in dir.
func seedCounty(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	auth.BcryptCost = 4
	root := area.Node{Level: area.County, Code: "R", Name: "云溪县"}
	st := area.Node{Level: area.Station, Code: "R-1", Name: "青石派出所"}
	town := area.Node{Level: area.Town, Code: "R-1-1", Name: "青石镇"}
	for _, n := range []*area.Node{&root, &st, &town} {
		switch n {
		case &st:
			n.ParentID = root.ID
		case &town:
			n.ParentID = st.ID
		}
		if err := area.Create(ctx, d, n); err != nil {
			t.Fatal(err)
		}
	}
	u, err := auth.CreateUser(ctx, d, auth.NewUser{Username: "duty", Role: auth.RoleDuty, AreaID: root.ID, Password: "x"})
	if err != nil {
		t.Fatal(err)
	}
	off, err := auth.CreateUser(ctx, d, auth.NewUser{Username: "qs1", Role: auth.RoleDissuader, AreaID: st.ID, Password: "x"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	// A full roster for two days (the station and the centre), so the only
	// message the webhook gets is the escalation (no roster-gap alerts).
	for _, sh := range []struct {
		user, area int64
		duty       string
	}{{off.ID, st.ID, "dissuader"}, {u.ID, root.ID, "duty_officer"}} {
		for k := 0; k < 2; k++ {
			from := now.Add(-time.Hour + time.Duration(k)*24*time.Hour)
			if _, err := d.Exec(ctx, `INSERT INTO duty_shifts (user_id, area_id, duty, starts_at, ends_at) VALUES (?,?,?,?,?)`,
				sh.user, sh.area, sh.duty, db.Millis(from), db.Millis(from.Add(24*time.Hour))); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func startServe(t *testing.T, dir, addr, hook string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(fanzhaBin, "serve", "--data", dir, "--addr", addr, "--no-nats",
		"--deadlines", "fund=3s", "--escalation-webhook", hook, "--log-level", "warn")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return cmd
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Kill()
	t.Fatal("server did not become ready")
	return nil
}

// Kill the server mid-deadline; the deadline passes while it is down; on
// restart the escalation fires at once and reaches the webhook.
func TestEscalationAfterRestart(t *testing.T) {
	dir := t.TempDir()
	seedCounty(t, dir)
	var mu sync.Mutex
	var hooks []string
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		hooks = append(hooks, string(b))
		mu.Unlock()
	}))
	defer receiver.Close()

	tok, err := exec.Command(fanzhaBin, "user", "token", "--data", dir, "--user", "duty").Output()
	if err != nil {
		t.Fatalf("fanzha user token: %v", err)
	}
	token := strings.TrimSpace(string(tok))
	if !strings.HasPrefix(token, auth.TokenPrefix) || strings.Contains(token, "\n") {
		t.Fatalf("user token printed %q", tok)
	}

	addr := freePort(t)
	srv := startServe(t, dir, addr, receiver.URL)
	body := `{"source":"bank","source_ref":"R-100","grade":"fund","amount_fen":5000000,"person":{"name":"王秀英","phone":"13800009999","address":"云溪县青石镇"}}`
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/warnings", bytes.NewReader([]byte(body)))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var item struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&item)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || item.ID == 0 {
		t.Fatalf("intake answered %d %+v", resp.StatusCode, item)
	}
	// Crash: no graceful shutdown.
	if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = srv.Wait()
	time.Sleep(4 * time.Second) // the 3 s deadline passes while the server is down

	restarted := time.Now()
	srv = startServe(t, dir, addr, receiver.URL)
	defer func() {
		_ = srv.Process.Signal(syscall.SIGTERM)
		_ = srv.Wait()
	}()
	var got []string
	for time.Since(restarted) < 10*time.Second {
		mu.Lock()
		got = append([]string(nil), hooks...)
		mu.Unlock()
		if len(got) > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(got) != 1 || !strings.Contains(got[0], `"kind":"escalation"`) || !strings.Contains(got[0], fmt.Sprintf(`"warning_id":%d`, item.ID)) {
		t.Fatalf("webhook after restart got %q", got)
	}
	t.Logf("escalation delivered %.1f s after restart", time.Since(restarted).Seconds())

	// The warning shows the escalation on its timeline.
	req, _ = http.NewRequest(http.MethodGet, fmt.Sprintf("http://%s/api/v1/warnings/%d/timeline", addr, item.ID), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"kind":"escalated"`) {
		t.Fatalf("timeline lacks the escalation: %s", b)
	}
}
