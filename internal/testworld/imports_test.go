package testworld

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestOnlyTestsImportTestworld: the fixture county must never reach the
// product. No non-test Go file under cmd/ or internal/ may import this
// package, and the walk must actually see the tests that do.
func TestOnlyTestsImportTestworld(t *testing.T) {
	const path = `"github.com/fanzha/fanzha/internal/testworld"`
	product, tests := 0, 0
	for _, root := range []string{"../../cmd", ".."} {
		err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() {
				if e.Name() == "node_modules" || e.Name() == "testdata" {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(p, ".go") || strings.HasPrefix(filepath.ToSlash(p), "../testworld/") {
				return nil
			}
			f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			isTest := strings.HasSuffix(p, "_test.go")
			if !isTest {
				product++
			}
			for _, imp := range f.Imports {
				if imp.Path.Value != path {
					continue
				}
				if isTest {
					tests++
				} else {
					t.Errorf("%s imports internal/testworld: only tests may", p)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if product < 100 || tests < 4 {
		t.Fatalf("walk saw %d product files and %d importing tests: it checks the wrong folders", product, tests)
	}
}
