package telrobot_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// vendorExample reads an example of the document from testdata/vendor: its // comments
// removed, trailing commas dropped and, where the document cuts it short, closed.
func vendorExample(t *testing.T, name string) any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "vendor", name))
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(plainJSON(b), &v); err != nil {
		t.Fatalf("%s is not JSON once its comments are removed: %v\n%s", name, err, plainJSON(b))
	}
	return v
}

// plainJSON turns the document's commented, sometimes truncated JSON into JSON.
func plainJSON(b []byte) []byte {
	var out []byte
	var open []byte // closers owed
	inString, escaped := false, false
	b = bytes.ReplaceAll(b, []byte("\u00a0"), []byte(" ")) // the document indents with no-break spaces
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case inString:
			escaped, inString = c == '\\' && !escaped, inString && (c != '"' || escaped)
		case c == '/' && i+1 < len(b) && b[i+1] == '/':
			for i+1 < len(b) && b[i+1] != '\n' {
				i++
			}
			continue
		case c == '"':
			inString = true
		case c == '{':
			open = append(open, '}')
		case c == '[':
			open = append(open, ']')
		case c == '}' || c == ']':
			open = open[:len(open)-1]
			out = trailingComma(out)
		}
		out = append(out, c)
	}
	out = trailingComma(out)
	for i := len(open) - 1; i >= 0; i-- {
		out = append(trailingComma(out), open[i])
	}
	return out
}

// trailingComma drops a comma that ends out (before whitespace).
func trailingComma(out []byte) []byte {
	t := bytes.TrimRight(out, " \t\r\n")
	if len(t) > 0 && t[len(t)-1] == ',' {
		return t[:len(t)-1]
	}
	return out
}

var (
	datetimeRE = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`)
	uuidRE     = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// nullable are the fields the document says may be null where its example shows a
// value: an agent group's caller_line_id ("only groups whose line is not null").
var nullable = regexp.MustCompile(`\.customer_service\[\d+\]\.caller_line_id$`)

// sameShape reports where got differs from the document's example doc: every field of
// doc must be in got with the same JSON type (a null in doc allows any value), strings
// that are times or uuids in doc must be so in got, and every element of a list in got
// must have the shape of the list's first element in doc.
func sameShape(doc, got any, path string) []string {
	if doc == nil || (got == nil && nullable.MatchString(path)) {
		return nil
	}
	var bad []string
	switch d := doc.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %T, want an object", path, got)}
		}
		for _, k := range sortedKeys(d) {
			if _, ok := g[k]; !ok {
				bad = append(bad, path+"."+k+": missing")
				continue
			}
			bad = append(bad, sameShape(d[k], g[k], path+"."+k)...)
		}
	case []any:
		g, ok := got.([]any)
		if !ok || (len(d) > 0 && len(g) == 0) {
			return []string{fmt.Sprintf("%s: %v, want a non-empty list", path, got)}
		}
		for i, x := range g {
			if len(d) > 0 {
				bad = append(bad, sameShape(d[0], x, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	case string:
		g, ok := got.(string)
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf("%s: %v, want a string", path, got))
		case datetimeRE.MatchString(d) && !datetimeRE.MatchString(g):
			bad = append(bad, fmt.Sprintf("%s: %q, want a time like %q", path, g, d))
		case uuidRE.MatchString(d) && !uuidRE.MatchString(g):
			bad = append(bad, fmt.Sprintf("%s: %q, want a uuid", path, g))
		}
	default:
		if fmt.Sprintf("%T", doc) != fmt.Sprintf("%T", got) {
			bad = append(bad, fmt.Sprintf("%s: %v (%T), want %T like %v", path, got, got, doc, doc))
		}
	}
	return bad
}

func sortedKeys(o map[string]any) []string {
	ks := make([]string, 0, len(o))
	for k := range o {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// normalise replaces what changes from run to run (uuids, times, signed links, ports)
// with placeholders, keeping every field and its JSON type.
func normalise(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalise(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalise(e)
		}
	case string:
		switch {
		case uuidRE.MatchString(x):
			return "<uuid>"
		case datetimeRE.MatchString(x):
			return "<datetime>"
		}
		return urlRE.ReplaceAllString(x, "http://<host>")
	}
	return v
}

var urlRE = regexp.MustCompile(`http://127\.0\.0\.1:\d+`)

// golden compares v, normalised, with testdata/golden/name (rewritten with -update).
func golden(t *testing.T, name string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(normalise(v)); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	file := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(file, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(want, b) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", name, b)
	}
}

func TestPlainJSON(t *testing.T) {
	for in, want := range map[string]string{
		`{"a": "http://x//y", // c` + "\n" + `"b": [1, 2,]`: `{"a": "http://x//y", ` + "\n" + `"b": [1, 2]}`,
		`{"s": "q\"//", "o": {"x": 1, // z` + "\n":          `{"s": "q\"//", "o": {"x": 1}}`,
	} {
		if got := string(plainJSON([]byte(in))); got != want {
			t.Errorf("plainJSON(%q) = %q, want %q", in, got, want)
		}
	}
}
