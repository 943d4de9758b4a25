package web

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"testing"
)

// TestDoorsApart: the two doors, web/api and web/console, import the core
// but never each other (what both need belongs in the core); only
// web/server assembles them. The core cannot import them (a cycle).
func TestDoorsApart(t *testing.T) {
	const mod = "github.com/fanzha/fanzha/internal/web/"
	for door, other := range map[string]string{"api": "console", "console": "api"} {
		files, err := filepath.Glob(filepath.Join(door, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) < 10 {
			t.Fatalf("%s: only %d files: is the walk in internal/web?", door, len(files))
		}
		for _, name := range files {
			f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, im := range f.Imports {
				p, _ := strconv.Unquote(im.Path.Value)
				if p == mod+other || p == mod+"server" {
					t.Errorf("%s imports %s: move what both doors need into the core", name, p)
				}
			}
		}
	}
}
