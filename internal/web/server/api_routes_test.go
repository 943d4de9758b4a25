package server

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/web"
	"github.com/fanzha/fanzha/internal/web/api"
	"github.com/getkin/kin-openapi/openapi3"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata")

// openAPIDoc fetches the document as an integrator would.
func openAPIDoc(t *testing.T, s *web.Server) []byte {
	t.Helper()
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, mustRequest(t, "GET", "/api/v1/openapi.json"))
	if rec.Code != 200 {
		t.Fatalf("openapi.json: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

// Every API route the router serves is in /api/v1/openapi.json with its
// method, and every documented operation is served.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	s := New(web.Config{})
	served := map[string]bool{}
	for _, p := range s.Mux.RoutePatterns() {
		method, path, ok := strings.Cut(p, " ")
		if !ok || !strings.HasPrefix(path, "/api/") {
			continue // console pages, health, and the /api/ not-found fallback
		}
		served[method+" "+path] = true
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc(t, s), &doc); err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	for _, op := range sortedKeys(served) {
		if !documented[op] {
			t.Errorf("served but not in openapi.json: %s", op)
		}
	}
	for _, op := range sortedKeys(documented) {
		if !served[op] {
			t.Errorf("in openapi.json but not served: %s", op)
		}
	}
	if len(served) < 120 {
		t.Errorf("only %d API routes served; the walk above compared nothing useful", len(served))
	}
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// The document is a valid OpenAPI 3.1 document (kin-openapi's validation:
// structure, references, unique operation ids, path parameters declared).
func TestOpenAPIValidates(t *testing.T) {
	body := openAPIDoc(t, New(web.Config{}))
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(body)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("validate: %v", err)
	}
	if doc.Paths.Len() < 100 {
		t.Errorf("%d paths", doc.Paths.Len())
	}
	// An operation on a path with {id} declares the parameter (a broken
	// table entry would leave the client unable to call it).
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for _, m := range api.PathParam.FindAllStringSubmatch(path, -1) {
				if op.Parameters.GetByInAndName("path", m[1]) == nil {
					t.Errorf("%s %s: path parameter %s not declared", method, path, m[1])
				}
			}
		}
	}
}

// Every entry of the table is complete: one handler, a capability check
// unless it is one of the open routes, a summary, a known tag, a body.
func TestAPIRouteTableComplete(t *testing.T) {
	s := New(web.Config{})
	open := []string{"POST /api/v1/login", "POST /api/v1/logout", "GET /api/v1/openapi.json"}
	anyCaller := []string{"GET /api/v1/me"}
	tags := map[string]bool{}
	for _, td := range api.TagDescriptions {
		tags[td.Name] = true
	}
	seen := map[string]bool{}
	for _, rt := range api.Routes(s) {
		key := rt.Method + " " + rt.Path
		if seen[key] {
			t.Errorf("%s twice in the table", key)
		}
		seen[key] = true
		if (rt.Handler == nil) == (rt.Open == nil) {
			t.Errorf("%s: exactly one of Handler and Open", key)
		}
		if rt.Open != nil && !slices.Contains(open, key) {
			t.Errorf("%s: an Open route skips authentication; only %v may", key, open)
		}
		if rt.Handler != nil && rt.Cap == "" && !slices.Contains(anyCaller, key) {
			t.Errorf("%s: no capability", key)
		}
		if rt.Summary == "" || !tags[rt.Tag] {
			t.Errorf("%s: summary %q, tag %q", key, rt.Summary, rt.Tag)
		}
		if (rt.Response == nil) == (rt.Produces == "") {
			t.Errorf("%s: exactly one of Response and Produces", key)
		}
	}
}

// The bodies the table names are what the handlers write and read: for
// each handler (and the helpers it hands w to), the keys of every map
// literal it writes with writeJSON are the JSON fields of the declared
// response type, and the fields of an anonymous struct it decodes are
// those of the declared request type.
func TestOpenAPIBodiesMatch(t *testing.T) {
	fset := token.NewFileSet()
	funcs := map[string]*ast.FuncDecl{}
	// The handlers (web/api) and the helpers of web they hand w to.
	files, _ := filepath.Glob(filepath.Join("..", "api", "*.go"))
	core, _ := filepath.Glob(filepath.Join("..", "*.go"))
	for _, name := range append(files, core...) {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil {
				funcs[fd.Name.Name] = fd
			}
		}
	}
	checked := 0
	for _, rt := range api.Routes(New(web.Config{})) {
		if rt.Handler == nil {
			continue
		}
		name := runtime.FuncForPC(reflect.ValueOf(rt.Handler).Pointer()).Name()
		name = strings.TrimSuffix(name[strings.LastIndex(name, ".")+1:], "-fm")
		fd := funcs[name]
		if fd == nil {
			t.Errorf("%s %s: handler %s not found", rt.Method, rt.Path, name)
			continue
		}
		outs, ins := bodyShapes(fd, funcs, 0)
		key := rt.Method + " " + rt.Path
		if rt.Response != nil {
			want := jsonKeys(reflect.TypeOf(rt.Response))
			for _, got := range outs {
				checked++
				if !slices.Equal(got, want) {
					t.Errorf("%s: %s writes %v, the table declares %T %v", key, name, got, rt.Response, want)
				}
			}
		}
		for _, got := range ins {
			checked++
			if rt.Request == nil {
				t.Errorf("%s: %s reads %v, the table declares no request", key, name, got)
			} else if want := jsonKeys(reflect.TypeOf(rt.Request)); !slices.Equal(got, want) {
				t.Errorf("%s: %s reads %v, the table declares %T %v", key, name, got, rt.Request, want)
			}
		}
	}
	if checked < 40 {
		t.Errorf("only %d bodies checked", checked)
	}
}

// bodyShapes collects the sorted keys of the map literals fd writes with
// writeJSON (error bodies left out) and of the anonymous structs it
// decodes, following calls that hand on w or r two levels down.
func bodyShapes(fd *ast.FuncDecl, funcs map[string]*ast.FuncDecl, depth int) (outs, ins [][]string) {
	anon := map[string]*ast.StructType{}
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ValueSpec:
			if st, ok := n.Type.(*ast.StructType); ok {
				for _, id := range n.Names {
					anon[id.Name] = st
				}
			}
		case *ast.CallExpr:
			var fn string
			switch f := n.Fun.(type) {
			case *ast.Ident:
				fn = f.Name
			case *ast.SelectorExpr:
				fn = f.Sel.Name
				if id, ok := f.X.(*ast.Ident); ok && id.Name == "s" && depth < 2 && len(n.Args) > 0 {
					if a, ok := n.Args[0].(*ast.Ident); ok && (a.Name == "w" || a.Name == "r") && funcs[fn] != nil {
						o, i := bodyShapes(funcs[fn], funcs, depth+1)
						outs, ins = append(outs, o...), append(ins, i...)
					}
				}
			}
			switch {
			case fn == "WriteJSON" && len(n.Args) == 3:
				cl, ok := n.Args[2].(*ast.CompositeLit)
				if !ok {
					return true
				}
				if _, ok := cl.Type.(*ast.MapType); !ok {
					return true
				}
				var keys []string
				for _, el := range cl.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok {
						if lit, ok := kv.Key.(*ast.BasicLit); ok {
							k, _ := strconv.Unquote(lit.Value)
							keys = append(keys, k)
						}
					}
				}
				if !slices.Contains(keys, "error") {
					sort.Strings(keys)
					outs = append(outs, keys)
				}
			case fn == "DecodeJSON" && len(n.Args) >= 2:
				if u, ok := n.Args[1].(*ast.UnaryExpr); ok {
					if id, ok := u.X.(*ast.Ident); ok && anon[id.Name] != nil {
						var keys []string
						for _, f := range anon[id.Name].Fields.List {
							if f.Tag == nil {
								continue
							}
							tag, _ := strconv.Unquote(f.Tag.Value)
							k, _, _ := strings.Cut(reflect.StructTag(tag).Get("json"), ",")
							keys = append(keys, k)
						}
						sort.Strings(keys)
						ins = append(ins, keys)
					}
				}
			}
		}
		return true
	})
	return outs, ins
}

// jsonKeys are the sorted top-level JSON field names of t.
func jsonKeys(t reflect.Type) []string {
	ss := api.NewSchemaSet()
	var keys []string
	for k := range ss.Object(t)["properties"].(map[string]any) {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// The partner API's contract — the operations member units call and the
// schemas they use — is testdata/openapi_partner.json. A change to it is a
// change to the banks' integration: review the diff, then rewrite it with
// go test ./internal/web/server -run TestPartnerOpenAPIGolden -update.
func TestPartnerOpenAPIGolden(t *testing.T) {
	doc := api.BuildOpenAPI(api.Routes(New(web.Config{})), func(rt api.APIRoute) bool { return rt.Tag == "partner" })
	got, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "openapi_partner.json")
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the partner API contract changed: diff %s against the document of TestPartnerOpenAPIGolden; if intended, rerun with -update and review the diff", golden)
	}
}
