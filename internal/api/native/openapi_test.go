package native

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
)

// TestOpenAPI checks that the document served without a token is OpenAPI 3.0 JSON that
// holds every route of the table with its method and path parameters, and nothing else,
// and that every reference in it resolves.
func TestOpenAPI(t *testing.T) {
	e := newEnv(t)
	r := e.send(nil, "GET", "/api/v1/openapi.json", nil, "")
	r.ok(t, http.StatusOK, nil)
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas   map[string]any `json:"schemas"`
			Responses map[string]any `json:"responses"`
		} `json:"components"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatalf("the document is not JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.0.") {
		t.Fatalf("openapi = %q, want 3.0.x", doc.OpenAPI)
	}
	ops := 0
	opIDs := map[string]bool{}
	for _, rt := range e.h.routes {
		op, ok := doc.Paths[rt.pattern][strings.ToLower(rt.method)]
		if !ok {
			t.Errorf("route %s %s is not in the OpenAPI document", rt.method, rt.pattern)
			continue
		}
		ops++
		id, _ := op["operationId"].(string)
		if id == "" || opIDs[id] {
			t.Errorf("%s %s: operationId %q is empty or not unique", rt.method, rt.pattern, id)
		}
		opIDs[id] = true
		if _, ok := op["responses"].(map[string]any); !ok {
			t.Errorf("%s %s has no responses", rt.method, rt.pattern)
		}
		declared := map[string]bool{}
		params, _ := op["parameters"].([]any)
		for _, p := range params {
			p := p.(map[string]any)
			declared[p["in"].(string)+":"+p["name"].(string)] = true
		}
		for _, name := range pathParams(rt.pattern) {
			if !declared["path:"+name] {
				t.Errorf("%s %s does not declare its path parameter %s", rt.method, rt.pattern, name)
			}
		}
		for _, q := range rt.query {
			if !declared["query:"+q.name] {
				t.Errorf("%s %s does not declare its query parameter %s", rt.method, rt.pattern, q.name)
			}
		}
		if rt.list && (!declared["query:limit"] || !declared["query:cursor"]) {
			t.Errorf("list %s has no limit and cursor", rt.pattern)
		}
		if (rt.in != nil || rt.upload) && op["requestBody"] == nil {
			t.Errorf("%s %s takes a body the document does not describe", rt.method, rt.pattern)
		}
	}
	total := 0
	for _, methods := range doc.Paths {
		total += len(methods)
	}
	if total != ops || ops != len(e.h.routes) {
		t.Errorf("the document has %d operations, the route table %d", total, len(e.h.routes))
	}
	for _, name := range []string{"Line", "LineInput", "Task", "TaskInput", "Call", "Contact", "ImportResult", "Error"} {
		if doc.Components.Schemas[name] == nil {
			t.Errorf("no schema %s", name)
		}
	}
	// Every $ref points at a component that exists.
	for _, ref := range refsIn(t, r.body) {
		parts := strings.Split(strings.TrimPrefix(ref, "#/components/"), "/")
		var ok bool
		switch parts[0] {
		case "schemas":
			_, ok = doc.Components.Schemas[parts[1]]
		case "responses":
			_, ok = doc.Components.Responses[parts[1]]
		}
		if !ok {
			t.Errorf("dangling reference %s", ref)
		}
	}
	// The line's password is write-only in the document too.
	line := doc.Components.Schemas["Line"].(map[string]any)["properties"].(map[string]any)
	if _, shown := line["password"]; shown || line["has_password"] == nil {
		t.Error("the Line schema shows a password or lacks has_password")
	}
}

// refsIn lists every "$ref" value in a JSON document.
func refsIn(t *testing.T, doc []byte) []string {
	t.Helper()
	var v any
	json.Unmarshal(doc, &v)
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && k == "$ref" {
					out = append(out, s)
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	if len(out) == 0 {
		t.Fatal("the document has no references")
	}
	return out
}

// TestREADMEListsEveryRoute keeps README.md's route list true to the route table.
func TestREADMEListsEveryRoute(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	h := decoders()
	listed := 0
	for _, rt := range h.routeTable() {
		if !strings.Contains(string(readme), "`"+rt.method+" "+rt.pattern+"`") {
			t.Errorf("README.md does not list %s %s", rt.method, rt.pattern)
		}
		listed++
	}
	if n := strings.Count(string(readme), "| `GET /api/v1/") + strings.Count(string(readme), "| `POST /api/v1/") +
		strings.Count(string(readme), "| `PUT /api/v1/") + strings.Count(string(readme), "| `DELETE /api/v1/"); n != listed {
		t.Errorf("README.md lists %d routes, the table has %d", n, listed)
	}
}
