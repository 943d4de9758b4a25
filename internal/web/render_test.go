package web

import (
	"testing"
)

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{"/": "/", "/warnings/7?unmask=1": "/warnings/7?unmask=1", "": "/", "warnings": "/",
		"//x.example": "/", `/\x.example`: "/", "http://x.example/": "/", "javascript:alert(1)": "/"} {
		if got := SafeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSafeNextNasty: after login only a clean same-site path is followed.
func TestSafeNextNasty(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"/warnings/7?unmask=1", "/warnings/7?unmask=1"},
		{"/admin/users?role=admin&q=%E7%8E%8B", "/admin/users?role=admin&q=%E7%8E%8B"},
		{"/", "/"},
		{"//evil.example", "/"},
		{"///evil.example", "/"},
		{`/\evil.example`, "/"},
		{`\\evil.example`, "/"},
		{`/warnings\..\..\evil`, "/"},
		{"/\t/evil.example", "/"},
		{"/\t\t//evil.example", "/"},
		{"/\r\n/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/%2F%2Fevil.example", "/"},
		{"/%2f/evil.example", "/"},
		{"/%5Cevil.example", "/"},
		{"/%09/evil.example", "/"},
		{"http://evil.example/", "/"},
		{"https:/evil.example", "/"},
		{"HTTP://evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{" /warnings", "/"},
		{"/ /evil", "/"},
		{"/\u3000/evil", "/"},
		{"/\x00/evil", "/"},
		{"/@evil.example", "/@evil.example"},
		{"", "/"},
		{"warnings", "/"},
	} {
		if got := SafeNext(c.in); got != c.want {
			t.Errorf("safeNext(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
