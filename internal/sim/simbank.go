package sim

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/money"
)

// SimBank is a simulated bank's back office: with its partner API token it
// polls its inbox through the public API and, a short while after a request
// arrives, answers it — a freeze or stop-payment with the amount actually
// frozen (the requested amount, at most the account's balance; the whole
// balance when none was asked), a query with the balance, a release or an
// emergency suspension as done. It only uses the HTTP API, exactly as a
// bank's own system would (see examples/partner-client).
type SimBank struct {
	BaseURL string // e.g. http://127.0.0.1:8080
	Token   string // an API token of a partner user of the bank
	Client  *http.Client
	Delay   time.Duration // how long after first seeing a request the bank answers
	Poll    time.Duration // how often it polls its inbox
	// Balance is the account's balance in fen; a balance generated from the
	// account number when nil.
	Balance func(account string) int64
	Log     *slog.Logger
	Now     func() time.Time

	mu   sync.Mutex
	seen map[int64]time.Time
}

type simRequest struct {
	ID        int64  `json:"id"`
	Kind      string `json:"kind"`
	Account   string `json:"account"`
	Phone     string `json:"phone"`
	AmountFen int64  `json:"amount_fen"`
	Status    string `json:"status"`
}

// GeneratedBalance is a plausible balance for an account number: between
// 1,000 and 300,000 yuan, the same every time.
func GeneratedBalance(account string) int64 {
	h := fnv.New64a()
	h.Write([]byte(account))
	return 100_000 + int64(h.Sum64()%29_900_000)
}

func (b *SimBank) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func (b *SimBank) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		buf, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(b.BaseURL, "/")+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+b.Token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c := b.Client
	if c == nil {
		c = &http.Client{Timeout: 15 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, strings.TrimSpace(string(raw)))
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// Step polls the inbox once and answers the requests whose delay has
// passed; it returns how many it answered.
func (b *SimBank) Step(ctx context.Context) (int, error) {
	var inbox struct {
		Requests []simRequest `json:"requests"`
	}
	if err := b.call(ctx, http.MethodGet, "/api/v1/partner/requests", nil, &inbox); err != nil {
		return 0, err
	}
	b.mu.Lock()
	if b.seen == nil {
		b.seen = map[int64]time.Time{}
	}
	now := b.now()
	var due []simRequest
	for _, r := range inbox.Requests {
		if r.Status != "sent" && r.Status != "seen" {
			continue
		}
		first, ok := b.seen[r.ID]
		if !ok {
			b.seen[r.ID], first = now, now
		}
		if now.Sub(first) >= b.Delay {
			due = append(due, r)
		}
	}
	b.mu.Unlock()
	answered := 0
	for _, r := range due {
		if err := b.call(ctx, http.MethodPost, "/api/v1/partner/requests/"+strconv.FormatInt(r.ID, 10)+"/answer", b.answer(r), nil); err != nil {
			if strings.Contains(err.Error(), "HTTP 409") {
				continue // answered meanwhile (by a person at the console)
			}
			return answered, err
		}
		answered++
		b.mu.Lock()
		delete(b.seen, r.ID)
		b.mu.Unlock()
	}
	return answered, nil
}

type simAnswer struct {
	Status    string `json:"status"`
	Result    string `json:"result"`
	ResultFen int64  `json:"result_fen"`
}

func (b *SimBank) answer(r simRequest) simAnswer {
	balance := GeneratedBalance(r.Account)
	if b.Balance != nil {
		balance = b.Balance(r.Account)
	}
	switch r.Kind {
	case "freeze", "stop_payment":
		amount := r.AmountFen
		if amount == 0 || amount > balance {
			amount = balance
		}
		verb := "冻结"
		if r.Kind == "stop_payment" {
			verb = "止付"
		}
		if amount <= 0 {
			return simAnswer{Status: "refused", Result: "账户余额为零，无可" + verb + "资金"}
		}
		return simAnswer{Status: "done", ResultFen: amount,
			Result: fmt.Sprintf("已%s %s 元（账户余额 %s 元）", verb, money.FormatYuan(amount), money.FormatYuan(balance))}
	case "query", "holder_check":
		return simAnswer{Status: "done", ResultFen: balance, Result: fmt.Sprintf("账户正常，当前余额 %s 元", money.FormatYuan(balance))}
	case "release":
		return simAnswer{Status: "done", Result: "已解除冻结"}
	default:
		return simAnswer{Status: "done", Result: "已紧急处置"}
	}
}

// Run polls until ctx ends.
func (b *SimBank) Run(ctx context.Context) {
	every := b.Poll
	if every <= 0 {
		every = 3 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := b.Step(ctx); err != nil && ctx.Err() == nil && b.Log != nil {
			b.Log.Warn("simulated bank", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// StatementBalance reads an account's latest balance from the imported
// statements, falling back to a generated one: the demo bank "knows" the
// balances the statements show.
func StatementBalance(ctx context.Context, d *db.DB) func(string) int64 {
	return func(account string) int64 {
		var bal sql.NullInt64
		err := d.QueryRow(ctx, `SELECT balance_fen FROM statement_rows WHERE account = ? AND balance_fen IS NOT NULL ORDER BY at DESC, id DESC LIMIT 1`, account).Scan(&bal)
		if err == nil && bal.Valid && bal.Int64 > 0 {
			return bal.Int64
		}
		return GeneratedBalance(account)
	}
}

// StartDemoBank runs the simulated bank of the demo county as its partner
// user "bank" (a fresh API token each start), against the server at
// baseURL, answering each request delay after it arrives, until ctx ends.
func StartDemoBank(ctx context.Context, d *db.DB, baseURL string, delay time.Duration, log *slog.Logger) error {
	u, err := auth.GetUserByName(ctx, d, "bank")
	if err != nil {
		if errors.Is(err, domain.ErrNotFound) {
			return nil
		}
		return fmt.Errorf("simulated bank: %w", err)
	}
	tok, _, err := auth.CreateToken(ctx, d, u.ID, "simulated bank "+time.Now().UTC().Format(time.RFC3339), time.Now())
	if err != nil {
		return fmt.Errorf("simulated bank token: %w", err)
	}
	b := &SimBank{BaseURL: baseURL, Token: tok, Delay: delay, Poll: 3 * time.Second, Balance: StatementBalance(ctx, d), Log: log}
	go b.Run(ctx)
	log.Info("simulated bank answers its inbox through the API", "user", u.Username, "delay", b.Delay)
	return nil
}
