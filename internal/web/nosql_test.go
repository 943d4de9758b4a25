package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// sqlText matches a string that is an SQL statement or a piece of one
// (keywords in capitals, as the domain packages write them).
var sqlText = regexp.MustCompile(`(?s)\bSELECT\b.+\bFROM\b|\bINSERT\s+INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b|\b(LEFT\s+|INNER\s+)?JOIN\s+\w+\s+\w*\s*ON\b|\bWHERE\s+\w+(\.\w+)?\s*(=|<|>|IN\b|LIKE\b|IS\b)`)

// dbCalls are the methods that run SQL (database/sql and internal/db).
var dbCalls = map[string]bool{"QueryContext": true, "ExecContext": true, "QueryRow": true, "QueryRowContext": true,
	"Query": true, "Exec": true, "PrepareContext": true, "Prepare": true}

// noSQLProblems lists what in a Go source file runs or builds SQL: calls
// of the methods above (a URL's Query() excepted), the db.Querier type,
// and string literals that read as SQL.
func noSQLProblems(fset *token.FileSet, f *ast.File) []string {
	var out []string
	at := func(n ast.Node, what string) {
		out = append(out, fset.Position(n.Pos()).String()+": "+what)
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if x, ok := n.X.(*ast.Ident); ok && x.Name == "db" && n.Sel.Name == "Querier" {
				at(n, "db.Querier")
			}
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok || !dbCalls[sel.Sel.Name] {
				return true
			}
			if x, ok := sel.X.(*ast.SelectorExpr); ok && x.Sel.Name == "URL" && sel.Sel.Name == "Query" {
				return true // r.URL.Query(): the query string
			}
			at(n, "call of ."+sel.Sel.Name)
		case *ast.BasicLit:
			if n.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(n.Value)
			if err != nil {
				s = n.Value
			}
			if sqlText.MatchString(s) {
				at(n, "SQL in a string: "+strings.Join(strings.Fields(s), " "))
			}
		}
		return true
	})
	return out
}

// TestNoSQLInWeb: web translates HTTP to the domain packages' use cases and
// back; it never runs or builds SQL (docs/ARCHITECTURE.md). Every non-test
// Go file under internal/web is read.
func TestNoSQLInWeb(t *testing.T) {
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		for _, p := range noSQLProblems(fset, f) {
			t.Errorf("%s (move it to the domain package that owns the table)", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 20 {
		t.Fatalf("read only %d Go files under internal/web: is the walk in the right directory?", files)
	}
}

// The check itself finds what it must and passes what it must.
func TestNoSQLProblems(t *testing.T) {
	for _, c := range []struct {
		name, src string
		want      int
	}{
		{"query row", "package x\nfunc f() { s.db.QueryRow(ctx, `x`, 1).Scan(&v) }", 1},
		{"select in a string", "package x\nvar q = `SELECT name FROM units WHERE id = ?`", 1},
		{"insert", "package x\nvar q = \"INSERT INTO audit (a) VALUES (?)\"", 1},
		{"update", "package x\nvar q = \"UPDATE users SET name = ?\"", 1},
		{"delete", "package x\nvar q = \"DELETE FROM users\"", 1},
		{"exec context", "package x\nfunc f() { tx.ExecContext(ctx, q) }", 1},
		{"querier parameter", "package x\nfunc f(q db.Querier) {}", 1},
		{"url query", "package x\nfunc f() { v := r.URL.Query().Get(\"v\") }", 0},
		{"chinese text", "package x\nvar s = \"请选择派出所，再从列表中选择民警\"", 0},
		{"english words", "package x\nvar s = \"select a station from the list, then update the form\"", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, "x.go", c.src, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := noSQLProblems(fset, f); len(got) != c.want {
				t.Errorf("%d problems, want %d: %v", len(got), c.want, got)
			}
		})
	}
}

// TestNoDomainImportsWeb: the domain packages (every package under
// internal/ but web) never import web or a package under it; web calls
// them, not the reverse. Tests may (a test of sim drives the server).
func TestNoDomainImportsWeb(t *testing.T) {
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (path == filepath.Join("..", "web") || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		files++
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			if p == "github.com/fanzha/fanzha/internal/web" || strings.HasPrefix(p, "github.com/fanzha/fanzha/internal/web/") {
				t.Errorf("%s imports %s", path, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("read only %d Go files under internal/: is the walk in the right directory?", files)
	}
}
