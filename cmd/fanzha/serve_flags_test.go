package main

import (
	"errors"
	"testing"
	"time"
)

// The login-security flags of serve and demo: --trusted-proxies (or
// FANZHA_TRUSTED_PROXIES) and the session limits reach the server's config;
// bad values are usage errors.
func TestServeSecurityFlags(t *testing.T) {
	parse := func(args ...string) (serverFlags, error) {
		fs := newFlags("serve")
		var sf serverFlags
		sf.bind(fs, "./data")
		return sf, parseFlags(fs, args)
	}
	t.Setenv("FANZHA_TRUSTED_PROXIES", "127.0.0.1,10.0.0.0/8")
	sf, err := parse("--session-idle", "15m")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := sf.webConfig()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.TrustedProxies) != 2 || cfg.TrustedProxies[1].String() != "10.0.0.0/8" {
		t.Errorf("trusted proxies: %v", cfg.TrustedProxies)
	}
	if cfg.Sessions.Idle != 15*time.Minute || cfg.Sessions.Max != 12*time.Hour {
		t.Errorf("sessions: %+v", cfg.Sessions)
	}
	for _, args := range [][]string{{"--trusted-proxies", "10.0.0.0/40"}, {"--trusted-proxies", "nginx"}, {"--session-idle", "13h"}} {
		sf, err := parse(args...)
		if err == nil {
			_, err = sf.webConfig()
		}
		if !errors.Is(err, errUsage) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}
