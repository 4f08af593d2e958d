package native

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
)

// OpenAPIVersion is the OpenAPI version of the document at /api/v1/openapi.json.
const OpenAPIVersion = "3.0.3"

// openAPIDocument builds the OpenAPI document of the routes.
func openAPIDocument(routes []route) []byte {
	s := &schemaSet{defs: map[string]any{}}
	errRef := s.ref(reflect.TypeOf(errorBody{}))
	paths := map[string]map[string]any{}
	for _, rt := range routes {
		if paths[rt.pattern] == nil {
			paths[rt.pattern] = map[string]any{}
		}
		paths[rt.pattern][strings.ToLower(rt.method)] = operation(s, rt)
	}
	doc := map[string]any{
		"openapi": OpenAPIVersion,
		"info": map[string]any{
			"title":   "outdial native API",
			"version": "1",
			"description": "outdial's own REST API. Send Authorization: Bearer <token>. Errors come in one envelope " +
				`{"error":{"code","message","field"}}. Lists answer {"data":[...],"next_cursor":"..."|null}: pass ` +
				"next_cursor back as cursor for the next page. Times are RFC 3339 in UTC; times that did not happen are null.",
		},
		"servers":  []any{map[string]any{"url": "/"}},
		"security": []any{map[string]any{"bearer": []any{}}},
		"paths":    paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
			"schemas":         s.defs,
			"responses": map[string]any{"Error": map[string]any{
				"description": "An error, in the one envelope (see the code table in README.md)",
				"content":     map[string]any{"application/json": map[string]any{"schema": errRef}},
			}},
		},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic("native: OpenAPI document: " + err.Error()) // the document is built from static values
	}
	return b
}

// operation describes one route.
func operation(s *schemaSet, rt route) map[string]any {
	op := map[string]any{
		"summary":     rt.summary,
		"operationId": operationID(rt),
		"tags":        []string{tagOf(rt.pattern)},
	}
	var params []any
	for _, name := range pathParams(rt.pattern) {
		sch := map[string]any{"type": "integer", "format": "int64", "minimum": 1}
		switch {
		case name == "phone":
			sch = map[string]any{"type": "string"}
		case strings.HasPrefix(rt.pattern, "/api/v1/calls/"):
			sch = map[string]any{"type": "string", "pattern": "^[1-9][0-9]*$"}
		}
		params = append(params, map[string]any{"name": name, "in": "path", "required": true, "schema": sch})
	}
	for _, p := range rt.query {
		sch := map[string]any{"type": p.typ}
		if p.typ == "date-time" {
			sch = map[string]any{"type": "string", "format": "date-time"}
		}
		if p.enum != nil {
			sch["enum"] = p.enum
		}
		params = append(params, map[string]any{"name": p.name, "in": "query", "description": p.desc, "schema": sch})
	}
	if params != nil {
		op["parameters"] = params
	}
	if rt.in != nil {
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": s.of(reflect.TypeOf(rt.in))}}}
	}
	if rt.upload {
		op["requestBody"] = uploadBodyDoc()
	}
	op["responses"] = responses(s, rt)
	if rt.public {
		op["security"] = []any{}
	}
	return op
}

// responses describes a route's success answer and its errors.
func responses(s *schemaSet, rt route) map[string]any {
	status := rt.status
	if status == 0 {
		status = http.StatusOK
	}
	ok := map[string]any{"description": http.StatusText(status)}
	switch {
	case rt.binary == "application/json":
		ok["content"] = map[string]any{rt.binary: map[string]any{"schema": map[string]any{"type": "object"}}}
	case rt.binary != "":
		ok["content"] = map[string]any{rt.binary: map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}
	case rt.out != nil && rt.list:
		item := s.of(reflect.TypeOf(rt.out))
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{
			"type": "object", "required": []string{"data", "next_cursor"},
			"properties": map[string]any{
				"data":        map[string]any{"type": "array", "items": item},
				"next_cursor": map[string]any{"type": "string", "nullable": true, "description": "pass as cursor for the next page; null on the last page"},
			}}}}
	case rt.out != nil:
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": s.of(reflect.TypeOf(rt.out))}}
	}
	errResp := map[string]any{"$ref": "#/components/responses/Error"}
	res := map[string]any{fmt.Sprint(status): ok, "500": errResp}
	if rt.public {
		return res
	}
	for _, code := range []string{"400", "401", "404"} {
		res[code] = errResp
	}
	if rt.method != "GET" {
		res["409"] = errResp
	}
	if rt.in != nil || rt.upload {
		res["413"] = errResp
	}
	return res
}

// uploadBodyDoc describes the body of a contact import.
func uploadBodyDoc() map[string]any {
	binary := map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}
	contact := map[string]any{"type": "object", "description": "phone (required), name, address, email, state (at most 60 bytes), " +
		"callback_url, external_id, priority, variables (an object); any other key becomes a variable",
		"additionalProperties": true, "properties": map[string]any{"phone": map[string]any{"type": "string"}}}
	return map[string]any{
		"required":    true,
		"description": "A contact file, streamed: at most 256 MiB (XLSX: 64 MiB). CSV and XLSX need a header row naming a phone column.",
		"content": map[string]any{
			"application/json": map[string]any{"schema": map[string]any{"type": "array", "items": contact}},
			"text/csv":         binary,
			"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": binary,
			"multipart/form-data": map[string]any{"schema": map[string]any{"type": "object", "required": []string{"file"},
				"properties": map[string]any{"file": map[string]any{"type": "string", "format": "binary",
					"description": "the file; its format comes from its name (.csv, .xlsx, .json) or Content-Type"}}}},
		},
	}
}

// pathParams lists the {names} of a pattern.
func pathParams(pattern string) []string {
	var out []string
	for _, seg := range strings.Split(pattern, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			out = append(out, strings.Trim(seg, "{}"))
		}
	}
	return out
}

// tagOf groups a route by its collection: "/api/v1/tasks/{id}/start" is "tasks".
func tagOf(pattern string) string {
	rest := strings.TrimPrefix(pattern, "/api/v1/")
	tag, _, _ := strings.Cut(rest, "/")
	return tag
}

// operationID names an operation after its method and path: "postTasksIdStart".
func operationID(rt route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.method))
	for _, seg := range strings.Split(strings.TrimPrefix(rt.pattern, "/api/v1/"), "/") {
		for _, word := range strings.FieldsFunc(strings.Trim(seg, "{}"), func(r rune) bool { return r == '-' || r == '.' || r == '_' }) {
			b.WriteString(strings.ToUpper(word[:1]) + word[1:])
		}
	}
	return b.String()
}
