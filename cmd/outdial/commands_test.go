package main

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// tokenLine is what tenant create and tenant token print: one URL-safe token and a newline.
var tokenLine = regexp.MustCompile(`^od_[A-Za-z0-9_-]{32}\n$`)

func TestTenant(t *testing.T) {
	e := newEnv(t)
	r := e.run("tenant", "create", "acme")
	if r.code != 0 || !tokenLine.MatchString(r.stdout) {
		t.Fatalf("tenant create: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	first := r.stdout

	// Flags may follow the name.
	again := e.run("tenant", "token", "acme", "--db", e.vars["OUTDIAL_DB"])
	if again.code != 0 || !tokenLine.MatchString(again.stdout) || again.stdout == first {
		t.Fatalf("tenant token: exit %d, stdout %q, stderr %q", again.code, again.stdout, again.stderr)
	}

	s := e.serve(nil)
	for _, tok := range []string{first, again.stdout} {
		if code := s.call("GET", "/api/v1/tenant", strings.TrimSpace(tok), "", "", nil); code != 200 {
			t.Fatalf("token %q: %d", tok, code)
		}
	}

	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"duplicate", []string{"tenant", "create", "acme"}, 1, `tenant "acme" exists already`},
		{"unknown tenant", []string{"tenant", "token", "nobody"}, 1, `no tenant named "nobody"`},
		{"bad name", []string{"tenant", "create", strings.Repeat("x", 101)}, 1, "tenant name must be 1 to 100 bytes"},
		{"no name", []string{"tenant", "create"}, 2, "needs exactly one NAME"},
		{"two names", []string{"tenant", "create", "a", "b"}, 2, "needs exactly one NAME"},
		{"no subcommand", []string{"tenant"}, 2, "tenant needs a command"},
		{"unknown subcommand", []string{"tenant", "delete", "acme"}, 2, `unknown tenant command "delete"`},
		{"unknown flag", []string{"tenant", "create", "x", "--http", "127.0.0.1:1"}, 2, "flag provided but not defined: -http"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.run(tt.args...)
			if r.code != tt.code || r.stdout != "" || !strings.Contains(r.stderr, tt.stderr) {
				t.Fatalf("exit %d (want %d), stdout %q, stderr %q (want %q)", r.code, tt.code, r.stdout, r.stderr, tt.stderr)
			}
		})
	}
}

func TestMigrate(t *testing.T) {
	e := newEnv(t)
	db := filepath.Join(e.dir, "sub", "dir", "m.db")
	for range 2 { // applying the migrations again changes nothing
		r := e.run("migrate", "--db", "sqlite:"+db)
		if r.code != 0 || r.stdout != "" || !strings.Contains(r.stderr, "migrations applied") {
			t.Fatalf("migrate: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("migrate did not create the database: %v", err)
	}
	// A bare path is SQLite too.
	if r := e.run("tenant", "create", "acme", "--db", db); r.code != 0 {
		t.Fatalf("tenant create on the migrated database: %d %s", r.code, r.stderr)
	}
	if r := e.run("migrate", "--db", "mysql://h/db"); r.code != 1 || !strings.Contains(r.stderr, "unsupported database") {
		t.Fatalf("migrate to mysql: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestUsageAndVersion(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no command", nil, 2, "no command given"},
		{"unknown", []string{"dial"}, 2, `unknown command "dial"`},
		{"serve help", []string{"serve", "-h"}, 0, "OUTDIAL_SIP_LISTEN"},
		{"serve argument", []string{"serve", "now"}, 2, `serve takes no arguments, got "now"`},
		{"migrate argument", []string{"migrate", "now"}, 2, "migrate takes no arguments"},
		{"bad flag", []string{"serve", "--nope"}, 2, "flag provided but not defined: -nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.run(tt.args...)
			if r.code != tt.code || r.stdout != "" || !strings.Contains(r.stderr, tt.stderr) {
				t.Fatalf("exit %d (want %d), stdout %q, stderr %q (want %q)", r.code, tt.code, r.stdout, r.stderr, tt.stderr)
			}
		})
	}
	for _, arg := range []string{"help", "-h", "--help"} {
		if r := e.run(arg); r.code != 0 || !strings.Contains(r.stdout, "outdial tenant create NAME") || r.stderr != "" {
			t.Fatalf("%s: exit %d, stdout %q, stderr %q: want the usage on stdout, exit 0", arg, r.code, r.stdout, r.stderr)
		}
	}
	r := e.run("version")
	if r.code != 0 || r.stdout != "outdial dev "+runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH+"\n" {
		t.Fatalf("version: exit %d, %q", r.code, r.stdout)
	}
}

func TestServeConfigPrecedence(t *testing.T) {
	e := newEnv(t)
	data := filepath.Join(e.dir, "from-file")
	file := writeFile(t, filepath.Join(e.dir, "outdial.toml"), `
http = "127.0.0.1:1"        # env overrides it
data = "`+data+`"           # only the file sets it
node_id = 1                 # env and a flag override it
log_format = "json"

[sip]
listen = "127.0.0.1:0"      # only the file sets the SIP section
voice = "en"
`)
	e.vars["OUTDIAL_CONFIG"] = file
	e.vars["OUTDIAL_HTTP"] = "127.0.0.1:0"
	e.vars["OUTDIAL_NODE_ID"] = "2"
	delete(e.vars, "OUTDIAL_DATA")
	delete(e.vars, "OUTDIAL_SIP_LISTEN")
	s := e.serve(nil, "--node-id", "3")
	c := s.srv.Config
	if c.Data != data || c.NodeID != 3 || c.SIP.Voice != "en" || c.LogFormat != "json" {
		t.Fatalf("config: %+v", c)
	}
	if _, err := os.Stat(data); err != nil {
		t.Fatalf("data directory from the file: %v", err)
	}
	s.stop()
	logs := s.stderr.String()
	if !strings.Contains(logs, `"msg":"outdial starting"`) || !strings.Contains(logs, `"node_id":"3"`) ||
		!strings.Contains(logs, `"config_file":"`+file+`"`) {
		t.Fatalf("JSON logs:\n%s", logs)
	}

	writeFile(t, file, "htp = \"127.0.0.1:0\"\n")
	if r := e.run("serve"); r.code != 1 || !strings.Contains(r.stderr, `unknown key "htp"`) {
		t.Fatalf("unknown key: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestMisspeltEnvironmentVariable: an OUTDIAL_* variable that is no setting is reported,
// not silently ignored.
func TestMisspeltEnvironmentVariable(t *testing.T) {
	e := newEnv(t)
	e.vars["OUTDIAL_HTTPP"] = "127.0.0.1:9"
	r := e.run("migrate")
	if r.code != 0 || !strings.Contains(r.stderr, "OUTDIAL_HTTPP is not a setting") {
		t.Fatalf("exit %d, stderr %q: want a warning naming OUTDIAL_HTTPP", r.code, r.stderr)
	}
}
