package server

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/fanzha/fanzha/internal/db/dbtest"
	"github.com/fanzha/fanzha/internal/web/api"
	"github.com/getkin/kin-openapi/openapi3"
)

// The document describes what the server answers: every JSON GET of the
// jurisdiction walk (scope_walk_test.go), made as the centre's admin who
// sees station B's records (the partner routes as the fixture's bank), is
// valid against its operation's 200 schema — field names, types, required
// fields and where null may appear.
func TestOpenAPIDescribesResponses(t *testing.T) {
	d := dbtest.SQLite(t)
	f := newWalkFixture(t, d)
	doc, err := openapi3.NewLoader().LoadFromData(openAPIDoc(t, f.s))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for p, urls := range walkGet {
		method, pattern, _ := strings.Cut(p, " ")
		if method != "GET" || !strings.HasPrefix(pattern, "/api/") {
			continue
		}
		item := doc.Paths.Find(pattern)
		if item == nil || item.Get == nil {
			t.Errorf("%s: not in the document", p)
			continue
		}
		resp := item.Get.Responses.Status(http.StatusOK)
		if resp == nil || resp.Value.Content.Get("application/json") == nil {
			continue // xlsx, csv, images
		}
		schema := resp.Value.Content.Get("application/json").Schema.Value
		for _, tmpl := range urls {
			path := f.fill(t, tmpl)
			a := f.do(t, "GET", path, "admin", "")
			if a.status == http.StatusForbidden {
				a = f.do(t, "GET", path, "bank", "") // the partner routes
			}
			if a.status != http.StatusOK {
				continue // another role's route, or the walk's id of nothing
			}
			var v any
			if err := json.Unmarshal([]byte(a.body), &v); err != nil {
				t.Errorf("GET %s: not JSON: %v", path, err)
				continue
			}
			checked++
			if err := schema.VisitJSON(v, openapi3.MultiErrors(), openapi3.EnableJSONSchema2020()); err != nil {
				t.Errorf("GET %s does not match the document:\n%.1500v", path, err)
			}
		}
	}
	t.Logf("%d answers checked", checked)
	if checked < 40 {
		t.Errorf("only %d answers checked", checked)
	}
}

// The reflection follows encoding/json: text marshalers are strings, a nil
// pointer, slice or map without omitempty is null, embedded structs are
// flattened.
func TestSchemaFollowsEncodingJSON(t *testing.T) {
	type inner struct {
		A string `json:"a"`
	}
	type outer struct {
		inner
		Rule    textRule       `json:"rule"`
		Opt     *int64         `json:"opt"`
		OptOmit *int64         `json:"opt_omit,omitempty"`
		List    []string       `json:"list"`
		Counts  map[string]int `json:"counts,omitempty"`
	}
	ss := api.NewSchemaSet()
	props := ss.Object(reflect.TypeOf(outer{}))["properties"].(map[string]any)
	want := map[string]string{
		"a":        `{"type":"string"}`,
		"rule":     `{"type":"string"}`,
		"opt":      `{"format":"int64","type":["integer","null"]}`,
		"opt_omit": `{"format":"int64","type":"integer"}`,
		"list":     `{"items":{"type":"string"},"type":["array","null"]}`,
		"counts":   `{"additionalProperties":{"format":"int64","type":"integer"},"type":"object"}`,
	}
	if len(props) != len(want) {
		t.Errorf("properties %v", props)
	}
	for k, w := range want {
		b, _ := json.Marshal(props[k])
		if string(b) != w {
			t.Errorf("%s: %s, want %s", k, b, w)
		}
	}
}

type textRule int

func (r textRule) MarshalText() ([]byte, error) { return []byte("fifo"), nil }
