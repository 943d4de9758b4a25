package web

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The OpenAPI 3.1 document of the partner API, generated from partnerOps:
// paths from the operations, schemas by reflection from the Go types of
// their bodies (json tags), the bearer-token security scheme and the error
// body every failure shares.

var (
	openAPIOnce sync.Once
	openAPIBody []byte
)

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	openAPIOnce.Do(func() {
		openAPIBody, _ = json.MarshalIndent(s.openAPI(), "", "  ")
	})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(openAPIBody)
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

type schemaSet struct{ defs map[string]any }

func (ss *schemaSet) of(t reflect.Type) map[string]any {
	if t == reflect.TypeOf(time.Time{}) {
		return map[string]any{"type": "string", "format": "date-time"}
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
		return map[string]any{"type": "array", "items": ss.of(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": true}
	case reflect.Struct:
		name := schemaName(t)
		if _, ok := ss.defs[name]; !ok {
			ss.defs[name] = nil // break cycles
			props := map[string]any{}
			var required []string
			for i := 0; i < t.NumField(); i++ {
				f := t.Field(i)
				if !f.IsExported() {
					continue
				}
				tag := f.Tag.Get("json")
				if tag == "-" {
					continue
				}
				parts := strings.Split(tag, ",")
				key := parts[0]
				if key == "" {
					key = f.Name
				}
				props[key] = ss.of(f.Type)
				optional := false
				for _, o := range parts[1:] {
					optional = optional || o == "omitempty" || o == "omitzero"
				}
				if !optional && f.Type.Kind() != reflect.Pointer {
					required = append(required, key)
				}
			}
			def := map[string]any{"type": "object", "properties": props}
			if len(required) > 0 {
				def["required"] = required
			}
			ss.defs[name] = def
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

func schemaName(t reflect.Type) string {
	pkg := t.PkgPath()
	prefix := ""
	if i := strings.LastIndex(pkg, "/"); i >= 0 {
		pkg = pkg[i+1:]
	}
	if pkg != "web" {
		prefix = strings.ToUpper(pkg[:1]) + pkg[1:]
	}
	n := t.Name()
	return prefix + strings.ToUpper(n[:1]) + n[1:]
}

func (s *Server) openAPI() map[string]any {
	ss := &schemaSet{defs: map[string]any{}}
	ss.defs["Error"] = map[string]any{"type": "object", "required": []string{"error", "code", "request_id"}, "properties": map[string]any{
		"error":      map[string]any{"type": "string", "description": "what went wrong and what to do, in Chinese"},
		"code":       map[string]any{"type": "string", "description": "machine code: unauthenticated, bad_token, forbidden, not_found, invalid, bad_json, bad_id, bad_param, conflict, content_type, too_large, rate_limited, internal"},
		"request_id": map[string]any{"type": "string", "description": "quote it to the centre's administrator"},
	}}
	errResp := func(desc string) map[string]any {
		return map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{
			"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	}
	paths := map[string]any{}
	for _, op := range s.partnerOps() {
		item, _ := paths[op.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[op.Path] = item
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(op.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "integer", "format": "int64"}})
		}
		for _, q := range op.Query {
			params = append(params, map[string]any{"name": q.Name, "in": "query", "required": false, "description": q.Description, "schema": map[string]any{"type": q.Type}})
		}
		status := op.Status
		if status == 0 {
			status = http.StatusOK
		}
		responses := map[string]any{
			strconv.Itoa(status): map[string]any{"description": "OK", "content": map[string]any{"application/json": map[string]any{"schema": ss.of(reflect.TypeOf(op.Response))}}},
			"401":                errResp("no or invalid token"),
			"403":                errResp("the token's role may not do this (capability " + string(op.Cap) + ")"),
			"500":                errResp("server error"),
		}
		if len(params) > 0 {
			responses["404"] = errResp("no such record, or not addressed to the caller's unit")
		}
		if op.Request != nil {
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
			"security":    []any{map[string]any{"bearer": []string{}}},
			"responses":   responses,
		}
		if len(params) > 0 {
			o["parameters"] = params
		}
		if op.Request != nil {
			o["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": ss.of(reflect.TypeOf(op.Request))}}}
		}
		item[strings.ToLower(op.Method)] = o
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "fanzha partner API (联席)", "version": "1",
			"description": "The API member units (banks, operators, other units) and the centre use for requests, reports, joint tasks and webhooks. " +
				"Authenticate with an API token: `Authorization: Bearer <token>` (`fanzha user token --user NAME`). A partner token sees only its own unit. " +
				"Every error is a JSON body {error, code, request_id}. Times are RFC 3339; money is integer fen."},
		"servers":    []any{map[string]any{"url": "/"}},
		"tags":       []any{map[string]any{"name": "partner", "description": "for member units (role partner)"}, map[string]any{"name": "centre", "description": "for the centre (capability partner.manage)"}},
		"paths":      paths,
		"components": map[string]any{"schemas": ss.defs, "securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "an API token of a fanzha user"}}},
	}
}

func operationID(op apiOp) string {
	p := strings.TrimPrefix(op.Path, "/api/v1/")
	p = pathParam.ReplaceAllString(p, "by_$1")
	p = strings.NewReplacer("/", "_", "-", "_").Replace(p)
	return strings.ToLower(op.Method) + "_" + p
}
