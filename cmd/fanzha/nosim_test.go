package main

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// A real county runs `serve` and `setup` (and the workers, backups and
// administration commands they share) without any demo code: none of their
// files may import internal/sim. The demo generator calls product
// functions; the product never calls the demo.
func TestProductCommandsDoNotImportSim(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	// The files that may: the demo itself and the benchmarks that generate
	// their data with it.
	allowed := map[string]bool{"demo.go": true}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || strings.HasPrefix(f, "bench") || allowed[f] {
			continue
		}
		ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			if strings.Contains(imp.Path.Value, "/internal/sim") {
				t.Errorf("%s imports %s: serve, setup and the administration commands must not depend on the demo", f, imp.Path.Value)
			}
		}
		checked++
	}
	for _, must := range []string{"serve.go", "workers.go"} {
		found := false
		for _, f := range files {
			found = found || f == must
		}
		if !found {
			t.Errorf("%s is missing: the test checks the wrong folder", must)
		}
	}
	if checked < 5 {
		t.Fatalf("only %d files checked", checked)
	}
}
