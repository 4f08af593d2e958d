package sqlstore

import "encoding/json"

// jsonText encodes v for a TEXT column ("null" never: empty slices and maps become [] / {}).
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return ""
	}
	return string(b)
}

// fromJSON decodes a TEXT column into v; an empty column leaves v as it is.
func fromJSON(s string, v any) error {
	if s == "" {
		return nil
	}
	return json.Unmarshal([]byte(s), v)
}
