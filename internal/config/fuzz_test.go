package config

import (
	"net/url"
	"os"
	"strings"
	"testing"
)

// FuzzParseFile feeds config files of both formats to the parser: it must return an
// error or a configuration, never panic, and a parsed configuration must validate and
// redact without panicking.
func FuzzParseFile(f *testing.F) {
	for _, name := range []string{"testdata/full.yaml", "testdata/full.toml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(strings.HasSuffix(name, ".toml"), data)
	}
	f.Add(false, []byte("sip: {listen: \"[::1]:5060\"}\nnode_id: 1e3\n"))
	f.Add(false, []byte("? [a, b]\n: c\n"))
	f.Add(false, []byte("a: &x {b: *x}\n"))
	f.Add(true, []byte("[sip]\nlisten = 1979-05-27T07:32:00Z\n"))
	f.Add(true, []byte("sip = [1, 2]\n[[webhooks]]\n"))
	f.Fuzz(func(t *testing.T, toml bool, data []byte) {
		name := "fuzz.yaml"
		if toml {
			name = "fuzz.toml"
		}
		c := Default()
		if err := ParseFile(name, data, &c); err != nil {
			return
		}
		if err := c.Validate(); err == nil {
			if _, _, err := ParseDB(c.DB); err != nil {
				t.Fatalf("valid config with a bad db %q", c.DB)
			}
		}
		_ = c.Redacted()
	})
}

// FuzzRedactURL checks that a password put in a database URL, escaped or raw, never
// shows in its redacted form.
func FuzzRedactURL(f *testing.F) {
	f.Add("outdial", "s3cret", "db.example:5432", false)
	f.Add("u", "p@ss/w#rd?", "h", true)
	f.Fuzz(func(t *testing.T, user, password, host string, raw bool) {
		if len(password) < 4 || strings.Contains(user+host+"postgres://****/db?sslmode=disable", password) {
			return
		}
		var s string
		if raw {
			s = "postgres://" + user + ":" + password + "@" + host + "/db?sslmode=disable"
		} else {
			s = (&url.URL{Scheme: "postgres", User: url.UserPassword(user, password), Host: host, Path: "/db",
				RawQuery: "sslmode=disable"}).String()
		}
		if got := RedactURL(s); strings.Contains(got, password) {
			t.Fatalf("RedactURL(%q) = %q leaks the password", s, got)
		}
	})
}
