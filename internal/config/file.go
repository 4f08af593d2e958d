package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"gopkg.in/yaml.v3"
)

// MaxFileSize is the largest config file ParseFile reads.
const MaxFileSize = 1 << 20

// ParseFile applies the settings of a config file to c. The format comes from name's
// extension: .yaml or .yml for YAML, .toml for TOML. Sections are nested tables
// ("sip:" in YAML, "[sip]" in TOML); a key that is not a setting is an error naming it,
// and a key with a null value (YAML) is left as it was. Values are read as the
// environment's are, so "10s" is a duration and "true" a boolean in every source.
func ParseFile(name string, data []byte, c *Config) error {
	if len(data) > MaxFileSize {
		return fmt.Errorf("config: %s: larger than %d bytes", name, MaxFileSize)
	}
	var doc map[string]any
	switch ext := strings.ToLower(filepath.Ext(name)); ext {
	case ".yaml", ".yml":
		dec := yaml.NewDecoder(bytes.NewReader(data))
		if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("config: %s: %w", name, err)
		}
	case ".toml":
		if _, err := toml.Decode(string(data), &doc); err != nil {
			return fmt.Errorf("config: %s: %w", name, err)
		}
	default:
		return fmt.Errorf("config: %s: unknown format %q: name the file .yaml, .yml or .toml", name, ext)
	}
	flat := map[string]any{}
	if err := flatten("", doc, flat); err != nil {
		return fmt.Errorf("config: %s: %w", name, err)
	}
	keys := make([]string, 0, len(flat))
	for k := range flat {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s := lookup(k)
		if s == nil {
			return fmt.Errorf("config: %s: unknown key %q", name, k)
		}
		v := flat[k]
		if v == nil {
			continue
		}
		text, ok := scalar(v)
		if !ok {
			return fmt.Errorf("config: %s: key %q: want a single value, got %T", name, k, v)
		}
		if err := s.set(c, text); err != nil {
			return fmt.Errorf("config: %s: key %q: %w", name, k, err)
		}
	}
	return nil
}

// flatten turns nested tables into dotted keys.
func flatten(prefix string, m map[string]any, out map[string]any) error {
	for k, v := range m {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		switch t := v.(type) {
		case map[string]any:
			if err := flatten(key, t, out); err != nil {
				return err
			}
		case map[any]any:
			sub := make(map[string]any, len(t))
			for kk, vv := range t {
				ks, ok := kk.(string)
				if !ok {
					return fmt.Errorf("key %v under %q is not a string", kk, key)
				}
				sub[ks] = vv
			}
			if err := flatten(key, sub, out); err != nil {
				return err
			}
		default:
			out[key] = v
		}
	}
	return nil
}

// scalar renders a decoded value as the text a setting parses.
func scalar(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case bool:
		return strconv.FormatBool(t), true
	case int:
		return strconv.Itoa(t), true
	case int64:
		return strconv.FormatInt(t, 10), true
	case uint64:
		return strconv.FormatUint(t, 10), true
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), true
	}
	return "", false
}
