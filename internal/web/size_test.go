package web

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// maxFileLines is the most lines a source file under internal/web may
// have, tests included: a longer file holds more than one thing and is
// split by what is inside.
const maxFileLines = 500

// TestFileSize: no Go file, template or style sheet under internal/web is
// over maxFileLines. Generated and recorded files are left out: the built
// script bundle (static/dist) and golden files (testdata).
func TestFileSize(t *testing.T) {
	files := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "dist" || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		switch filepath.Ext(path) {
		case ".go", ".html", ".css":
		default:
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		if n := bytes.Count(b, []byte("\n")); n > maxFileLines {
			t.Errorf("%s has %d lines, over %d: split it by what is inside", path, n, maxFileLines)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 150 || !strings.HasSuffix(mustAbs(t, "."), filepath.Join("internal", "web")) {
		t.Fatalf("read only %d files: is the walk in internal/web?", files)
	}
}

func mustAbs(t *testing.T, path string) string {
	t.Helper()
	p, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
