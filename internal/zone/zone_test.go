package zone

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestShanghai(t *testing.T) {
	if Shanghai.String() != "Asia/Shanghai" {
		t.Fatalf("zone %q, want Asia/Shanghai from the embedded database", Shanghai)
	}
	for _, at := range []time.Time{
		time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC),
		time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC),
	} {
		if _, off := at.In(Shanghai).Zone(); off*1000 != OffsetMillis {
			t.Errorf("%s: offset %ds, want %dms", at, off, OffsetMillis)
		}
	}
	// Midnight in Shanghai is 16:00 UTC the day before.
	if got := time.Date(2026, 12, 6, 0, 0, 0, 0, Shanghai).UTC(); !got.Equal(time.Date(2026, 12, 5, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("midnight 2026-12-06 Shanghai = %s UTC", got)
	}
}

// declaration is a line of Go that makes a time zone of its own, or a name
// of its own for this one, instead of using zone.Shanghai.
var declaration = regexp.MustCompile(`time\.(LoadLocation|FixedZone)\(|"Asia/Shanghai"|(?i)\b\w*(shanghai|cst)\w*\s*:?=[^=]`)

// TestOneDeclaration fails when a Go file outside this package declares a
// time zone: every package uses zone.Shanghai.
func TestOneDeclaration(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found: %v", err)
	}
	self, _ := filepath.Abs(".")
	files := 0
	for _, top := range []string{"cmd", "internal"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path == self || d.Name() == "node_modules" || d.Name() == "testdata" {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(path, ".go") {
				return nil
			}
			files++
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for i, line := range strings.Split(string(b), "\n") {
				code, _, _ := strings.Cut(line, "//")
				if declaration.MatchString(code) {
					rel, _ := filepath.Rel(root, path)
					t.Errorf("%s:%d declares a time zone; use zone.Shanghai: %s", rel, i+1, strings.TrimSpace(line))
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if files < 100 {
		t.Fatalf("read %d Go files; the walk missed the tree", files)
	}
}

func TestParseSpan(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"30m", 30 * time.Minute, true},
		{" 2h ", 2 * time.Hour, true},
		{"7d", 7 * 24 * time.Hour, true},
		{"1d", 24 * time.Hour, true},
		{"0d", 0, false},
		{"-3d", 0, false},
		{"1.5d", 0, false},
		{"0s", 0, false},
		{"-1h", 0, false},
		{"", 0, false},
		{"d", 0, false},
		{"两天", 0, false},
	} {
		got, ok := ParseSpan(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseSpan(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
