// Command partner-client is an example of a bank's integration with fanzha's
// partner API, using only the Go standard library. It polls the unit's inbox
// and answers every open freeze (冻结) and stop-payment (止付) request with
// the amount actually frozen: the requested amount, at most the account's
// balance (from a CSV of account,balance_yuan standing in for the core
// banking system), the whole balance when none was asked. With -listen it
// also receives the unit's webhook, checks its HMAC signature, and polls at
// once when a request is announced.
//
//	go run ./examples/partner-client -base http://127.0.0.1:8080 -token $TOKEN -balances balances.csv
package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"
)

// Request is what the inbox lists (GET /api/v1/partner/requests).
type Request struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	KindName  string    `json:"kind_name"`
	Account   string    `json:"account"`
	Phone     string    `json:"phone"`
	AmountFen int64     `json:"amount_fen"`
	Reason    string    `json:"reason"`
	Status    string    `json:"status"`
	DueAt     time.Time `json:"due_at"`
}

// Answer is the body of POST /api/v1/partner/requests/{id}/answer.
type Answer struct {
	Status    string `json:"status"` // seen | done | refused
	Result    string `json:"result"`
	ResultFen int64  `json:"result_fen"`
}

// apiError is fanzha's error body.
type apiError struct {
	Error     string `json:"error"`
	Code      string `json:"code"`
	RequestID string `json:"request_id"`
}

type client struct {
	base, token string
	http        *http.Client
}

func (c *client) do(ctx context.Context, method, path string, in, out any) (int, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode/100 != 2 {
		var e apiError
		_ = json.Unmarshal(raw, &e)
		return resp.StatusCode, fmt.Errorf("%s %s: HTTP %d %s: %s (request %s)", method, path, resp.StatusCode, e.Code, e.Error, e.RequestID)
	}
	if out != nil {
		return resp.StatusCode, json.Unmarshal(raw, out)
	}
	return resp.StatusCode, nil
}

// readBalances reads account,balance_yuan lines.
func readBalances(path string) (map[string]int64, error) {
	out := map[string]int64{}
	if path == "" {
		return out, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		if len(r) < 2 {
			continue
		}
		fen, err := yuanToFen(r[1])
		if err != nil {
			continue // a header line
		}
		out[strings.TrimSpace(r[0])] = fen
	}
	return out, nil
}

// yuanToFen parses "1234.56" exactly, without floating point.
func yuanToFen(s string) (int64, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 {
		return 0, fmt.Errorf("%q: at most two decimals", s)
	}
	frac = (frac + "00")[:2]
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w < 0 {
		return 0, fmt.Errorf("%q: not an amount", s)
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q: not an amount", s)
	}
	return w*100 + f, nil
}

func yuan(fen int64) string { return fmt.Sprintf("%d.%02d", fen/100, fen%100) }

// decide answers one request from the bank's books.
func decide(r Request, balances map[string]int64) (Answer, bool) {
	if r.Kind != "freeze" && r.Kind != "stop_payment" {
		return Answer{}, false // queries and the rest are left to a person at the console
	}
	balance, known := balances[r.Account]
	if !known {
		return Answer{Status: "refused", Result: "本行无此账户"}, true
	}
	amount := r.AmountFen
	if amount == 0 || amount > balance {
		amount = balance
	}
	if amount == 0 {
		return Answer{Status: "refused", Result: "账户余额为零"}, true
	}
	verb := map[string]string{"freeze": "冻结", "stop_payment": "止付"}[r.Kind]
	return Answer{Status: "done", ResultFen: amount, Result: fmt.Sprintf("已%s %s 元（余额 %s 元）", verb, yuan(amount), yuan(balance))}, true
}

// poll answers every open request it can, once.
func poll(ctx context.Context, c *client, balances map[string]int64) error {
	var inbox struct {
		Requests []Request `json:"requests"`
	}
	if _, err := c.do(ctx, http.MethodGet, "/api/v1/partner/requests", nil, &inbox); err != nil {
		return err
	}
	for _, r := range inbox.Requests {
		if r.Status != "sent" && r.Status != "seen" {
			continue
		}
		a, ok := decide(r, balances)
		if !ok {
			continue
		}
		status, err := c.do(ctx, http.MethodPost, fmt.Sprintf("/api/v1/partner/requests/%d/answer", r.ID), a, nil)
		switch {
		case status == http.StatusConflict:
			log.Printf("request #%d was answered meanwhile", r.ID)
		case err != nil:
			return err
		default:
			log.Printf("request #%d %s %s: %s", r.ID, r.KindName, r.Account, a.Result)
		}
	}
	return nil
}

// verify checks a webhook delivery's signature: X-Fanzha-Signature is
// "sha256=" + hex(HMAC-SHA256(secret, body)).
func verify(secret string, body []byte, header string) bool {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(header))
}

func main() {
	base := flag.String("base", "http://127.0.0.1:8080", "fanzha's URL")
	token := flag.String("token", os.Getenv("FANZHA_TOKEN"), "the partner user's API token (or FANZHA_TOKEN)")
	balancesPath := flag.String("balances", "", "CSV of account,balance_yuan (the core banking system's balances)")
	every := flag.Duration("interval", 30*time.Second, "how often to poll the inbox")
	once := flag.Bool("once", false, "poll once and exit")
	listen := flag.String("listen", "", "address to receive the unit's webhook on, e.g. :9090 (optional)")
	secret := flag.String("secret", os.Getenv("FANZHA_WEBHOOK_SECRET"), "the webhook's HMAC secret (or FANZHA_WEBHOOK_SECRET)")
	flag.Parse()
	if *token == "" {
		log.Fatal("an API token is required: -token or FANZHA_TOKEN")
	}
	balances, err := readBalances(*balancesPath)
	if err != nil {
		log.Fatalf("balances: %v", err)
	}
	c := &client{base: strings.TrimRight(*base, "/"), token: *token, http: &http.Client{Timeout: 20 * time.Second}}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *once {
		if err := poll(ctx, c, balances); err != nil {
			log.Fatal(err)
		}
		return
	}
	wake := make(chan struct{}, 1)
	if *listen != "" {
		mux := http.NewServeMux()
		mux.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) {
			body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			if err != nil {
				http.Error(w, "read", http.StatusBadRequest)
				return
			}
			if *secret == "" || !verify(*secret, body, r.Header.Get("X-Fanzha-Signature")) {
				http.Error(w, "bad signature", http.StatusUnauthorized)
				return
			}
			var m struct {
				Kind  string `json:"kind"`
				Title string `json:"title"`
			}
			_ = json.Unmarshal(body, &m)
			log.Printf("webhook: %s %s", m.Kind, m.Title)
			select {
			case wake <- struct{}{}:
			default:
			}
			w.WriteHeader(http.StatusNoContent)
		})
		srv := &http.Server{Addr: *listen, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Fatalf("webhook receiver: %v", err)
			}
		}()
		defer srv.Close()
	}
	t := time.NewTicker(*every)
	defer t.Stop()
	for {
		if err := poll(ctx, c, balances); err != nil && ctx.Err() == nil {
			log.Printf("poll: %v", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		}
	}
}
