package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// pageDataProblems lists the page data of a Go source file that is not a
// typed view: a Page literal whose Data is a map literal, and — outside the
// JSON API (api is true for files of web/api, whose bodies may be maps) —
// any map[string]any at all.
func pageDataProblems(fset *token.FileSet, f *ast.File, api bool) []string {
	var out []string
	at := func(n ast.Node, what string) {
		out = append(out, fset.Position(n.Pos()).String()+": "+what)
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CompositeLit:
			if !isPageType(n.Type) {
				return true
			}
			for _, el := range n.Elts {
				kv, ok := el.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				if k, ok := kv.Key.(*ast.Ident); !ok || k.Name != "Data" {
					continue
				}
				if cl, ok := kv.Value.(*ast.CompositeLit); ok {
					if _, isMap := cl.Type.(*ast.MapType); isMap {
						at(kv.Value, "page data is a map literal")
					}
				}
			}
		case *ast.MapType:
			if api {
				return true
			}
			if k, ok := n.Key.(*ast.Ident); ok && k.Name == "string" && isAny(n.Value) {
				at(n, "map[string]any (give the page a view struct)")
			}
		}
		return true
	})
	return out
}

func isPageType(e ast.Expr) bool {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name == "Page"
	case *ast.SelectorExpr:
		return t.Sel.Name == "Page"
	}
	return false
}

func isAny(e ast.Expr) bool {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name == "any"
	case *ast.InterfaceType:
		return len(t.Methods.List) == 0
	}
	return false
}

// TestTypedPageData: every page is rendered from a typed view struct (one
// per page, in the console file of its domain), never a map[string]any.
// Every non-test Go file under internal/web is read.
func TestTypedPageData(t *testing.T) {
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || d.Name() == "static") {
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
		api := strings.HasPrefix(filepath.ToSlash(path), "api/") || strings.HasPrefix(filepath.ToSlash(path), "apiv1/")
		for _, p := range pageDataProblems(fset, f, api) {
			t.Error(p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 60 {
		t.Fatalf("read only %d Go files under internal/web: is the walk in the right directory?", files)
	}
}

// The check finds what it must and passes what it must.
func TestPageDataProblems(t *testing.T) {
	for _, c := range []struct {
		name, src string
		api       bool
		want      int
	}{
		{"map literal as data", "package x\nfunc f() { s.Render(w, r, 200, \"p\", web.Page{Title: \"t\", Data: map[string]any{\"A\": 1}}) }", false, 2},
		{"string map as data", "package x\nfunc f() { s.Render(w, r, 200, \"p\", Page{Data: map[string]string{\"A\": \"1\"}}) }", false, 1},
		{"map in an api file's page", "package x\nvar p = web.Page{Data: map[string]int{}}", true, 1},
		{"a variable of map type", "package x\nfunc f() { data := map[string]interface{}{}; _ = data }", false, 1},
		{"view struct", "package x\nfunc f() { s.Render(w, r, 200, \"p\", web.Page{Data: casesView{List: l}}) }", false, 0},
		{"json body in the api", "package x\nfunc f() { web.WriteJSON(w, 200, map[string]any{\"id\": 1}) }", true, 0},
		{"form values", "package x\nvar form = map[string]string{}", false, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, "x.go", c.src, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := pageDataProblems(fset, f, c.api); len(got) != c.want {
				t.Errorf("%d problems, want %d: %v", len(got), c.want, got)
			}
		})
	}
}
