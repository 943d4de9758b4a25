package api

import (
	"encoding"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The OpenAPI 3.1 document of the whole API, generated from the route table
// (routes*.go): paths from the routes, schemas by reflection from the Go
// types of their bodies (json tags), the bearer-token security scheme and
// the error body every failure shares. It lists exactly the routes the
// router serves (TestOpenAPIListsEveryRoute).

var (
	openAPIOnce sync.Once
	openAPIBody []byte
)

func (s *handler) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	openAPIOnce.Do(func() {
		openAPIBody, _ = json.MarshalIndent(s.openAPI(), "", "  ")
	})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(openAPIBody)
}

var PathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// schemaSet collects the component schemas of a document. A schema's name
// is its Go type's name, prefixed with the package name outside web and
// apiv1 (warning.Person is WarningPerson). The partner contract's types
// (package apiv1) keep their published names: they are reflected first, and
// a domain type whose name one of them holds is named Domain<Name>.
type schemaSet struct {
	defs  map[string]any
	names map[reflect.Type]string
	taken map[string]reflect.Type
}

func NewSchemaSet() *schemaSet {
	return &schemaSet{defs: map[string]any{}, names: map[reflect.Type]string{}, taken: map[string]reflect.Type{"Error": nil}}
}

// name is t's schema name, unique in the set.
func (ss *schemaSet) name(t reflect.Type) string {
	if n, ok := ss.names[t]; ok {
		return n
	}
	n := schemaName(t)
	if other, ok := ss.taken[n]; ok && other != t {
		if isContract(t) {
			panic(fmt.Sprintf("openapi: schema name %s of the contract type %v is held by %v", n, t, other))
		}
		n = "Domain" + n
		if other, ok := ss.taken[n]; ok && other != t {
			panic(fmt.Sprintf("openapi: schema name %s of %v is held by %v", n, t, other))
		}
	}
	ss.names[t], ss.taken[n] = n, t
	return n
}

// isContract reports whether t is a type of the partner contract (apiv1).
func isContract(t reflect.Type) bool { return strings.HasSuffix(t.PkgPath(), "/apiv1") }

var (
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
)

// of is the schema of t as encoding/json writes it.
func (ss *schemaSet) of(t reflect.Type) map[string]any {
	if t == reflect.TypeOf(time.Time{}) {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	if t.Kind() != reflect.Pointer {
		pt := reflect.PointerTo(t)
		switch {
		case t.Implements(jsonMarshaler) || pt.Implements(jsonMarshaler):
			return map[string]any{} // its own JSON: any value
		case t.Implements(textMarshaler) || pt.Implements(textMarshaler):
			return map[string]any{"type": "string"}
		}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return ss.of(t.Elem())
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "format": "byte"}
		}
		return map[string]any{"type": "array", "items": ss.of(t.Elem())}
	case reflect.Map:
		if t.Elem().Kind() == reflect.Interface {
			return map[string]any{"type": "object", "additionalProperties": true}
		}
		return map[string]any{"type": "object", "additionalProperties": ss.of(t.Elem())}
	case reflect.Struct:
		if t.Name() == "" {
			return ss.Object(t)
		}
		name := ss.name(t)
		if _, ok := ss.defs[name]; !ok {
			ss.defs[name] = nil // break cycles
			ss.defs[name] = ss.Object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	case reflect.Interface:
		return map[string]any{}
	}
	return map[string]any{}
}

// nullable is schema s that also admits null.
func nullable(s map[string]any) map[string]any {
	switch typ := s["type"].(type) {
	case string:
		out := map[string]any{}
		for k, v := range s {
			out[k] = v
		}
		out["type"] = []string{typ, "null"}
		return out
	case nil:
		if len(s) == 0 {
			return s // any value, null included
		}
		return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
	}
	return s
}

// Object is the schema of a struct as encoding/json writes it: the fields
// of an embedded struct without a json name are the outer struct's own.
func (ss *schemaSet) Object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	var fields func(t reflect.Type)
	fields = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			parts := strings.Split(tag, ",")
			key := parts[0]
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if f.Anonymous && key == "" && ft.Kind() == reflect.Struct {
				fields(ft)
				continue
			}
			if !f.IsExported() || tag == "-" {
				continue
			}
			if key == "" {
				key = f.Name
			}
			props[key] = ss.of(f.Type)
			optional := false
			for _, o := range parts[1:] {
				optional = optional || o == "omitempty" || o == "omitzero"
			}
			switch f.Type.Kind() {
			case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
				if !optional {
					// A nil value is written as null.
					props[key] = nullable(props[key].(map[string]any))
				}
			}
			if !optional && f.Type.Kind() != reflect.Pointer {
				required = append(required, key)
			}
		}
	}
	fields(t)
	def := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		def["required"] = required
	}
	return def
}

func schemaName(t reflect.Type) string {
	pkg := t.PkgPath()
	prefix := ""
	if i := strings.LastIndex(pkg, "/"); i >= 0 {
		pkg = pkg[i+1:]
	}
	if pkg != "web" && pkg != "apiv1" {
		prefix = strings.ToUpper(pkg[:1]) + pkg[1:]
	}
	n := t.Name()
	return prefix + strings.ToUpper(n[:1]) + n[1:]
}

// pathParamTypes are the path parameters that are not integer ids.
var pathParamTypes = map[string]string{"ref": "string"}

// TagDescriptions name the document's groups, in order.
var TagDescriptions = []struct{ Name, Description string }{
	{"auth", "sign-in, the caller, this document"},
	{"warnings", "预警: intake, the duty board, contacts, outcomes"},
	{"cases", "案件: cases, the fund trace, requests to member units"},
	{"funds", "止付/冻结 and 返还: freezes, returns, bank statements"},
	{"instructions", "指令闭环: instructions from above, signing, the 待反馈 queue, the feedback file"},
	{"consultations", "96110与来访: consultations and tips, conversion to a warning or a 断卡 lead"},
	{"figures", "统计: overview, warning, funds, dissuasion figures and the league table"},
	{"supervision", "督办: the tasks of units graded red by the league table, and their closing"},
	{"partner", "for member units (role partner)"},
	{"centre", "for the centre (capability partner.manage)"},
	{"intel", "两卡研判: scored accounts, graph, groups, outlets"},
	{"prevention", "宣传防范: events, coverage, surveys, targeting"},
	{"bulletins", "研判通报 and the 大屏 dashboard"},
	{"areas", "辖区: the jurisdiction tree"},
	{"users", "用户: officers and their API tokens"},
	{"units", "成员单位: member units and contacts"},
	{"audit", "审计: the audit log"},
	{"settings", "系统设置"},
}

func (s *handler) openAPI() map[string]any {
	return BuildOpenAPI(s.apiRoutes(), func(rt APIRoute) bool { return true })
}

// BuildOpenAPI is the document of the routes keep selects.
func BuildOpenAPI(routes []APIRoute, keep func(APIRoute) bool) map[string]any {
	ss := NewSchemaSet()
	// The contract's types first, so they keep their names.
	for _, op := range routes {
		for _, v := range []any{op.Request, op.Response} {
			if v != nil && keep(op) && isContract(reflect.TypeOf(v)) {
				ss.of(reflect.TypeOf(v))
			}
		}
	}
	ss.defs["Error"] = map[string]any{"type": "object", "required": []string{"error", "code", "request_id"}, "properties": map[string]any{
		"error":      map[string]any{"type": "string", "description": "what went wrong and what to do, in Chinese"},
		"code":       map[string]any{"type": "string", "description": "machine code: the kind of error (invalid 400, unauthenticated 401, forbidden 403, not_found 404, conflict 409, too_large 413, timeout 503, internal 500) or a finer code of that kind (bad_json, bad_id, bad_param, bad_token, bad_credentials, disabled, token_expired, content_type, rate_limited …)"},
		"request_id": map[string]any{"type": "string", "description": "quote it to the centre's administrator"},
	}}
	errResp := func(desc string) map[string]any {
		return map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{
			"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	}
	paths := map[string]any{}
	usedTags := map[string]bool{}
	for _, op := range routes {
		if !keep(op) {
			continue
		}
		usedTags[op.Tag] = true
		item, _ := paths[op.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[op.Path] = item
		}
		var params []any
		for _, m := range PathParam.FindAllStringSubmatch(op.Path, -1) {
			schema := map[string]any{"type": "integer", "format": "int64"}
			if t := pathParamTypes[m[1]]; t != "" {
				schema = map[string]any{"type": t}
			}
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": schema})
		}
		for _, q := range op.Query {
			params = append(params, map[string]any{"name": q.Name, "in": "query", "required": false, "description": q.Description, "schema": map[string]any{"type": q.Type}})
		}
		status := op.Status
		if status == 0 {
			status = http.StatusOK
		}
		var body map[string]any
		switch {
		case op.Produces == mimeSSE:
			body = map[string]any{op.Produces: map[string]any{"schema": map[string]any{"type": "string"}}}
		case op.Produces != "":
			body = map[string]any{op.Produces: map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}
		default:
			body = map[string]any{"application/json": map[string]any{"schema": ss.of(reflect.TypeOf(op.Response))}}
		}
		responses := map[string]any{
			strconv.Itoa(status): map[string]any{"description": "OK", "content": body},
			"500":                errResp("server error"),
		}
		if op.Handler != nil {
			responses["401"] = errResp("no or invalid token")
			if op.Cap != "" {
				responses["403"] = errResp("the token's role may not do this (capability " + string(op.Cap) + ")")
			}
		}
		if len(params) > 0 {
			responses["404"] = errResp("no such record, or not addressed to the caller's unit")
		}
		if op.Request != nil || op.Upload != "" {
			responses["400"] = errResp("invalid input; the message says which rule")
		}
		if op.Method == "POST" && strings.HasSuffix(op.Path, "/answer") {
			responses["409"] = errResp("already answered")
		}
		o := map[string]any{
			"operationId": operationID(op),
			"tags":        []string{op.Tag},
			"summary":     op.Summary,
			"description": op.Description,
			"responses":   responses,
		}
		if op.Handler != nil {
			o["security"] = []any{map[string]any{"bearer": []string{}}}
		} else {
			o["security"] = []any{}
		}
		if len(params) > 0 {
			o["parameters"] = params
		}
		switch {
		case op.Request != nil:
			o["requestBody"] = map[string]any{"required": !op.OptionalBody, "content": map[string]any{"application/json": map[string]any{"schema": ss.of(reflect.TypeOf(op.Request))}}}
		case op.Upload != "":
			o["requestBody"] = map[string]any{"required": true, "content": map[string]any{"multipart/form-data": map[string]any{"schema": map[string]any{
				"type": "object", "required": []string{op.Upload},
				"properties": map[string]any{op.Upload: map[string]any{"type": "string", "format": "binary"}}}}}}
		}
		item[strings.ToLower(op.Method)] = o
	}
	var tags []any
	for _, t := range TagDescriptions {
		if usedTags[t.Name] {
			tags = append(tags, map[string]any{"name": t.Name, "description": t.Description})
		}
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "fanzha API", "version": "1",
			"description": "The JSON API of fanzha under /api/v1: every route the server serves. Member units (banks, operators, other units) use the partner operations; the centre and the stations use the rest. " +
				"Authenticate with an API token: `Authorization: Bearer <token>` (`fanzha user token --user NAME`), or a console session cookie with the X-CSRF-Token header on unsafe requests. A partner token sees only its own unit; every other caller only its jurisdiction. " +
				"Every error is a JSON body {error, code, request_id}. Times are RFC 3339; money is integer fen; identity, phone and card numbers are masked unless ?unmask=1 (audited) where offered."},
		"servers":    []any{map[string]any{"url": "/"}},
		"tags":       tags,
		"paths":      paths,
		"components": map[string]any{"schemas": ss.defs, "securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "an API token of a fanzha user"}}},
	}
}

func operationID(op APIRoute) string {
	p := strings.TrimPrefix(op.Path, "/api/v1/")
	p = PathParam.ReplaceAllString(p, "by_$1")
	p = strings.NewReplacer("/", "_", "-", "_", ".", "_").Replace(p)
	return strings.ToLower(op.Method) + "_" + p
}
