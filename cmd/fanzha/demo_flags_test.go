package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
)

// The demo's size flags: a province of 1–190 counties, 1–10 years.
func TestGenFlags(t *testing.T) {
	cases := []struct {
		args []string
		ok   bool
		g    genFlags
	}{
		{nil, true, genFlags{0, 1, 4}},
		{[]string{"--counties", "100", "--years", "3"}, true, genFlags{100, 3, 4}},
		{[]string{"--counties", "3", "--parallel", "2"}, true, genFlags{3, 1, 2}},
		{[]string{"--counties", "191"}, false, genFlags{}},
		{[]string{"--counties", "-1"}, false, genFlags{}},
		{[]string{"--years", "0"}, false, genFlags{}},
		{[]string{"--parallel", "0"}, false, genFlags{}},
	}
	for _, c := range cases {
		fs := newFlags("demo")
		var g genFlags
		g.bind(fs)
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		err := g.check()
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, errUsage)) {
			t.Errorf("%v: %v, want ok=%v", c.args, err, c.ok)
		}
		if c.ok && g != c.g {
			t.Errorf("%v: %+v, want %+v", c.args, g, c.g)
		}
	}
}

// fanzha setup --province-code/--province-name makes the province the
// root; mixing it with a county's flags is refused.
func TestSetupProvince(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	var out, errb bytes.Buffer
	err := setupCommand(ctx, []string{"--data", dir, "--province-code", "430000", "--county-name", "芙蓉区", "--admin", "boss"},
		strings.NewReader("Correct-horse-battery-9\n"), &out, &errb)
	if !errors.Is(err, errUsage) {
		t.Fatalf("province and county flags together: %v", err)
	}
	err = setupCommand(ctx, []string{"--data", dir, "--province-code", "430000", "--province-name", "湖南省", "--admin", "boss"},
		strings.NewReader("Correct-horse-battery-9\n"), &out, &errb)
	if err != nil || !strings.Contains(out.String(), "湖南省") {
		t.Fatalf("province setup: %v %s", err, out.String())
	}
	d, err := db.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	root, err := area.Root(ctx, d)
	if err != nil || root.Level != area.Province || root.Code != "430000" {
		t.Fatalf("root %+v %v", root, err)
	}
}
