package native

import (
	"reflect"
	"strings"
	"time"
	"unicode"
)

// schemaSet builds OpenAPI 3.0 schemas from the wire structs, so the document describes
// exactly what the handlers read and write. Struct types become named components.
type schemaSet struct {
	defs map[string]any
}

// schemaNames overrides the names derived from Go type names.
var schemaNames = map[string]string{
	"importOut":   "ImportResult",
	"failureWire": "ImportFailure",
	"blockedOut":  "BlockedNumber",
	"blockedIn":   "BlockedNumberInput",
	"errorBody":   "Error",
	"errorInfo":   "ErrorInfo",
}

// schemaName names a struct type's component: lineOut is Line, lineIn LineInput,
// rangeWire Range.
func schemaName(t reflect.Type) string {
	n := t.Name()
	if s, ok := schemaNames[n]; ok {
		return s
	}
	suffix := ""
	switch {
	case strings.HasSuffix(n, "Out"):
		n = strings.TrimSuffix(n, "Out")
	case strings.HasSuffix(n, "In"):
		n, suffix = strings.TrimSuffix(n, "In"), "Input"
	case strings.HasSuffix(n, "Wire"):
		n = strings.TrimSuffix(n, "Wire")
	}
	r := []rune(n)
	r[0] = unicode.ToUpper(r[0])
	return string(r) + suffix
}

var timeType = reflect.TypeOf(time.Time{})

// ref returns a reference to the component of struct type t, defining it once.
func (s *schemaSet) ref(t reflect.Type) map[string]any {
	name := schemaName(t)
	if _, ok := s.defs[name]; !ok {
		s.defs[name] = nil // placeholder against recursion
		s.defs[name] = s.object(t)
	}
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

// of returns the schema of a value of type t.
func (s *schemaSet) of(t reflect.Type) map[string]any {
	if t.Kind() == reflect.Pointer {
		sch := s.of(t.Elem())
		if _, isRef := sch["$ref"]; isRef {
			return map[string]any{"allOf": []any{sch}, "nullable": true}
		}
		sch["nullable"] = true
		return sch
	}
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.Struct:
		return s.ref(t)
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int64:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Int, reflect.Int32, reflect.Int16, reflect.Int8, reflect.Uint8:
		return map[string]any{"type": "integer"}
	case reflect.Float64, reflect.Float32:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": s.of(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": s.of(t.Elem())}
	}
	return map[string]any{}
}

// object returns the schema of a struct: its JSON fields, all required except omitempty
// ones in answers; bodies require nothing (absent fields take their defaults) and refuse
// unknown fields, as the decoder does.
func (s *schemaSet) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	input := strings.HasSuffix(t.Name(), "In")
	strict := input || strings.HasSuffix(t.Name(), "Wire")
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if !f.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		sch := s.of(f.Type)
		if enum := f.Tag.Get("enum"); enum != "" {
			target := sch
			if items, ok := sch["items"].(map[string]any); ok {
				target = items
			}
			target["enum"] = strings.Split(enum, ",")
		}
		props[name] = sch
		if !input && !strings.Contains(opts, "omitempty") {
			required = append(required, name)
		}
	}
	obj := map[string]any{"type": "object", "properties": props}
	if strict {
		obj["additionalProperties"] = false
	}
	if len(required) > 0 {
		obj["required"] = required
	}
	return obj
}
