package web

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestResolveClient(t *testing.T) {
	proxies, err := ParseTrustedProxies("127.0.0.1, 10.0.0.0/8 ::1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseTrustedProxies("10.0.0.0/33"); err == nil {
		t.Error("a bad range is accepted")
	}
	for _, c := range []struct {
		name      string
		proxies   []netip.Prefix
		peer, xff string
		proto     string
		wantIP    string
		wantHTTPS bool
	}{
		{"no proxies configured: the header is ignored", nil, "127.0.0.1:5000", "6.6.6.6", "https", "127.0.0.1", false},
		{"untrusted peer: the header is ignored", proxies, "203.0.113.9:5000", "6.6.6.6", "https", "203.0.113.9", false},
		{"trusted proxy: its client", proxies, "127.0.0.1:5000", "203.0.113.9", "https", "203.0.113.9", true},
		{"client-written entries on the left are not believed", proxies, "127.0.0.1:5000", "6.6.6.6, 203.0.113.9", "http", "203.0.113.9", false},
		{"a chain of trusted proxies is skipped", proxies, "127.0.0.1:5000", "6.6.6.6, 203.0.113.9, 10.1.2.3", "", "203.0.113.9", false},
		{"garbage stops the walk", proxies, "127.0.0.1:5000", "6.6.6.6, junk, 10.1.2.3", "", "10.1.2.3", false},
		{"IPv6 proxy", proxies, "[::1]:5000", "2001:db8::7", "", "2001:db8::7", false},
		{"only proxies: the left-most", proxies, "127.0.0.1:5000", "10.9.9.9", "", "10.9.9.9", false},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if c.proto != "" {
			r.Header.Set("X-Forwarded-Proto", c.proto)
		}
		ip, https := ResolveClient(c.proxies, r)
		if ip != c.wantIP || https != c.wantHTTPS {
			t.Errorf("%s: got %s https=%v, want %s https=%v", c.name, ip, https, c.wantIP, c.wantHTTPS)
		}
	}
}
