package config

import (
	"log/slog"
	"reflect"
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"password", "postgres://user:s3cret@host/db", "postgres://user:****@host/db"},
		{"with port and query", "postgresql://u:pw@h:5432/db?sslmode=disable", "postgresql://u:****@h:5432/db?sslmode=disable"},
		{"escaped password", "postgres://u:p%40ss%2Fw@h/db", "postgres://u:****@h/db"},
		{"raw @ in password", "postgres://u:p@ss@h/db", "postgres://u:****@h/db"},
		{"no password", "postgres://u@h/db", "postgres://u@h/db"},
		{"no user", "postgres://h/db?sslmode=disable", "postgres://h/db?sslmode=disable"},
		{"password parameter", "postgres://h/db?user=u&password=s3cret&sslmode=disable", "postgres://h/db?password=****&sslmode=disable&user=u"},
		{"sslpassword parameter", "postgres://u:a@h/db?sslpassword=k", "postgres://u:****@h/db?sslpassword=****"},
		{"hash in password", "postgres://u:12#34@h/db", "postgres://****@h"},
		{"unparsable", "postgres://u:p%zz@h/db", "postgres://****@h"},
		{"malformed password parameter", "postgres://h/db?password=ab%zz", "postgres://h/db?****"},
		{"sqlite path", "sqlite:./outdial.db", "sqlite:./outdial.db"},
		{"bare path", "/var/lib/o.db", "/var/lib/o.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RedactURL(tt.in)
			if got != tt.want {
				t.Fatalf("RedactURL(%q) = %q; want %q", tt.in, got, tt.want)
			}
			for _, secret := range []string{"s3cret", "pw", "p@ss", "12#34", "34", "ab"} {
				if strings.Contains(tt.in, ":"+secret+"@") && strings.Contains(got, secret) {
					t.Fatalf("%q leaks %q", got, secret)
				}
			}
		})
	}
}

func TestRedacted(t *testing.T) {
	c := Default()
	c.DB = "postgres://outdial:s3cret@db/outdial"
	r := c.Redacted()
	if r.DB != "postgres://outdial:****@db/outdial" {
		t.Fatalf("Redacted DB = %q", r.DB)
	}
	if c.DB != "postgres://outdial:s3cret@db/outdial" {
		t.Fatal("Redacted changed the original")
	}
	r.DB = c.DB
	if r != c {
		t.Fatal("Redacted changed more than the secrets")
	}
}

// TestRedactedCoversSecrets fails when a setting that looks secret is added without
// Redacted masking it: add the masking, then the field's name here.
func TestRedactedCoversSecrets(t *testing.T) {
	masked := map[string]bool{"DB": true}
	var walk func(prefix string, typ reflect.Type)
	walk = func(prefix string, typ reflect.Type) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			if f.Type.Kind() == reflect.Struct && f.Type.PkgPath() == typ.PkgPath() {
				walk(prefix+f.Name+".", f.Type)
				continue
			}
			name := strings.ToLower(f.Name)
			for _, hint := range []string{"password", "secret", "token", "key", "credential"} {
				if strings.Contains(name, hint) && !masked[prefix+f.Name] {
					t.Errorf("Config.%s%s looks secret: mask it in Redacted", prefix, f.Name)
				}
			}
		}
	}
	walk("", reflect.TypeFor[Config]())
}

func TestLogValue(t *testing.T) {
	c := Default()
	c.DB = "postgres://outdial:s3cret@db/outdial"
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("start", "config", c)
	out := b.String()
	for _, want := range []string{`config.db=postgres://outdial:****@db/outdial`, "config.http=127.0.0.1:8080",
		"config.sip.listen=127.0.0.1:5070", "config.webhooks.timeout=10s", "config.node_id=0"} {
		if !strings.Contains(out, want) {
			t.Errorf("log line %q lacks %q", out, want)
		}
	}
	if strings.Contains(out, "s3cret") {
		t.Errorf("log line %q shows the password", out)
	}
}
