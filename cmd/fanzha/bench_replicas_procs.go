package main

// The processes and the console browser of fanzha bench replicas
// (bench_replicas.go).

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/pquerna/otp/totp"
)

// benchProc is one child process with its log file.
type benchProc struct {
	name string
	addr string // base URL of a replica
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
	once sync.Once
}

func (r *replicaRun) spawn(name string, args ...string) (*benchProc, error) {
	logPath := filepath.Join(r.dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(r.c.bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &benchProc{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	return p, nil
}

func (p *benchProc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// kill ends the process with SIGKILL, as a machine loss would.
func (p *benchProc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// stop asks the process to end (SIGTERM) and kills it after 20 s.
func (p *benchProc) stop() {
	p.once.Do(func() {
		if !p.running() {
			return
		}
		_ = p.cmd.Process.Signal(os.Interrupt)
		select {
		case <-p.done:
		case <-time.After(20 * time.Second):
			p.kill()
		}
	})
}

// tail is the end of the process's log, for error messages.
func (p *benchProc) tail() string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// cli runs a fanzha command to its end and returns its stdout.
func (r *replicaRun) cli(ctx context.Context, stdin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, r.c.bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("fanzha %s: %v\n%s", strings.Join(args[:min(2, len(args))], " "), err, errb.String())
	}
	return out.String(), nil
}

func freeLoopbackPorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// consoleSession is a browser's session on one replica's console.
type consoleSession struct {
	base   string
	client *http.Client
}

var (
	csrfFieldRe  = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
	totpSecretRe = regexp.MustCompile(`id="totp-secret">([A-Z2-7]+)<`)
)

// signInConsole signs a user in on a replica's console as a person would:
// the login form, then (the role may unmask numbers, so two-factor login
// is required) the enrolment of an authenticator with the secret shown,
// answered with the app's current code.
func signInConsole(ctx context.Context, base, username, password string) (*consoleSession, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	c := &consoleSession{base: base, client: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	tok, err := c.field(ctx, "/login", csrfFieldRe)
	if err != nil {
		return nil, err
	}
	st, _, err := c.form(ctx, "/login", url.Values{"csrf_token": {tok}, "username": {username}, "password": {password}})
	if err != nil {
		return nil, err
	}
	if st != http.StatusSeeOther {
		return nil, fmt.Errorf("login: status %d", st)
	}
	body, err := c.page(ctx, "/login/2fa")
	if err != nil {
		return nil, err
	}
	sec, csrf := totpSecretRe.FindStringSubmatch(body), csrfFieldRe.FindStringSubmatch(body)
	if sec == nil || csrf == nil {
		return nil, fmt.Errorf("no two-factor enrolment form on /login/2fa: %.300s", body)
	}
	code, err := totp.GenerateCode(sec[1], time.Now())
	if err != nil {
		return nil, err
	}
	st, b, err := c.form(ctx, "/login/2fa", url.Values{"csrf_token": {csrf[1]}, "code": {code}})
	if err != nil {
		return nil, err
	}
	if st != http.StatusOK {
		return nil, fmt.Errorf("two-factor enrolment: status %d %.300s", st, b)
	}
	return c, nil
}

func (c *consoleSession) page(ctx context.Context, path string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return "", err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: status %d", path, resp.StatusCode)
	}
	return string(b), err
}

func (c *consoleSession) field(ctx context.Context, path string, re *regexp.Regexp) (string, error) {
	body, err := c.page(ctx, path)
	if err != nil {
		return "", err
	}
	m := re.FindStringSubmatch(body)
	if m == nil {
		return "", fmt.Errorf("GET %s: no form token", path)
	}
	return m[1], nil
}

func (c *consoleSession) form(ctx context.Context, path string, v url.Values) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, strings.NewReader(v.Encode()))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// post submits a form of the page at from (which gives the form token) to
// path, and wants the console's redirect back.
func (c *consoleSession) post(ctx context.Context, from, path string, v url.Values) error {
	tok, err := c.field(ctx, from, csrfFieldRe)
	if err != nil {
		return err
	}
	v.Set("csrf_token", tok)
	st, b, err := c.form(ctx, path, v)
	if err != nil {
		return err
	}
	if st != http.StatusSeeOther {
		return fmt.Errorf("POST %s: status %d %.300s", path, st, b)
	}
	return nil
}
