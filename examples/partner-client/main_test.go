package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestYuanToFen(t *testing.T) {
	for in, want := range map[string]int64{"1234.56": 123456, "1,000": 100000, "0.5": 50, "7": 700} {
		if got, err := yuanToFen(in); err != nil || got != want {
			t.Errorf("%s: %d %v", in, got, err)
		}
	}
	if _, err := yuanToFen("1.234"); err == nil {
		t.Error("three decimals accepted")
	}
}

// The client answers an open freeze with the amount frozen, capped by the
// balance, and leaves other kinds alone.
func TestPollAnswersFreeze(t *testing.T) {
	var answered = map[string]Answer{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch {
		case r.Method == "GET" && r.URL.Path == "/api/v1/partner/requests":
			_, _ = w.Write([]byte(`{"requests":[{"id":1,"kind":"freeze","account":"A1","amount_fen":500000,"status":"sent"},
				{"id":2,"kind":"query","account":"A1","status":"sent"},{"id":3,"kind":"freeze","account":"A1","status":"done"}]}`))
		case r.Method == "POST" && strings.HasPrefix(r.URL.Path, "/api/v1/partner/requests/"):
			var a Answer
			_ = json.NewDecoder(r.Body).Decode(&a)
			answered[r.URL.Path] = a
			_, _ = w.Write([]byte(`{"status":"done"}`))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	c := &client{base: srv.URL, token: "tok", http: srv.Client()}
	if err := poll(context.Background(), c, map[string]int64{"A1": 123456}); err != nil {
		t.Fatal(err)
	}
	a, ok := answered["/api/v1/partner/requests/1/answer"]
	if len(answered) != 1 || !ok || a.Status != "done" || a.ResultFen != 123456 {
		t.Fatalf("answered %+v", answered)
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"kind":"partner_request"}`)
	// HMAC-SHA256("k", body), computed independently with openssl dgst -sha256 -hmac k.
	if verify("k", body, "sha256=0000") || !verify("k", body, "sha256=c3ef39b2188e5493a353a08ca4e1f36589c5eab741d022ca2cd7616da0ce9f6d") {
		t.Fatal("verify")
	}
}
