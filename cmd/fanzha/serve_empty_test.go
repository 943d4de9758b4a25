package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestServeEmptyDatabase: `fanzha serve` on an empty directory (embedded
// NATS on) logs a one-time setup link, answers /readyz with setup_required,
// serves the setup form at the link, and its workers log no errors; a
// restart before the setup prints a new link.
func TestServeEmptyDatabase(t *testing.T) {
	dir := t.TempDir()
	linkRe := regexp.MustCompile(`setup_url="?(http://[^" ]+)`)
	run := func() string {
		addr := freePort(t)
		cmd := exec.Command(fanzhaBin, "serve", "--data", dir, "--addr", addr)
		stderr, _ := cmd.StderrPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var logLines []string
		linkc := make(chan string, 1)
		done := make(chan struct{})
		go func() {
			defer close(done)
			sc := bufio.NewScanner(stderr)
			for sc.Scan() {
				mu.Lock()
				logLines = append(logLines, sc.Text())
				mu.Unlock()
				if m := linkRe.FindStringSubmatch(sc.Text()); m != nil {
					linkc <- m[1]
				}
			}
		}()
		var link string
		select {
		case link = <-linkc:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Fatal("no setup link in the log")
		}
		var rz map[string]string
		for i := 0; i < 100; i++ {
			resp, err := http.Get("http://" + addr + "/readyz")
			if err == nil {
				_ = json.NewDecoder(resp.Body).Decode(&rz)
				resp.Body.Close()
				if resp.StatusCode == 200 {
					break
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
		if rz["status"] != "setup_required" {
			t.Errorf("/readyz: %v", rz)
		}
		resp, err := http.Get(link)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), `id="setup-form"`) {
			t.Errorf("setup link %s: %d", link, resp.StatusCode)
		}
		time.Sleep(2500 * time.Millisecond) // let the workers tick on the empty database
		cmd.Process.Signal(syscall.SIGTERM)
		<-done
		cmd.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, l := range logLines {
			if strings.Contains(l, "level=ERROR") {
				t.Errorf("error logged on an empty database: %s", l)
			}
		}
		return link
	}
	first := run()
	second := run()
	if first == second {
		t.Fatal("a restart before the setup printed the same link")
	}
}
