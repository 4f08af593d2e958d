package config

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// load parses args with every setting's flag and loads the configuration.
func load(t *testing.T, args []string, env map[string]string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	return f.Load(func(k string) string { return env[k] })
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPrecedence(t *testing.T) {
	file := writeFile(t, "o.yaml", "http: 127.0.0.1:1001\nnode_id: 1\ndata: /from/file\n")
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		http     string
		node     int
		data, db string
	}{
		{"defaults", nil, nil, "127.0.0.1:8080", 0, "./data", "sqlite:./outdial.db"},
		{"file", []string{"--config", file}, nil, "127.0.0.1:1001", 1, "/from/file", "sqlite:./outdial.db"},
		{"file named by env", nil, map[string]string{"OUTDIAL_CONFIG": file}, "127.0.0.1:1001", 1, "/from/file", "sqlite:./outdial.db"},
		{"env over file", []string{"--config", file},
			map[string]string{"OUTDIAL_HTTP": "127.0.0.1:1002", "OUTDIAL_NODE_ID": "2"},
			"127.0.0.1:1002", 2, "/from/file", "sqlite:./outdial.db"},
		{"flag over env over file", []string{"--config", file, "--node-id", "3", "--db", "sqlite:/x.db"},
			map[string]string{"OUTDIAL_HTTP": "127.0.0.1:1002", "OUTDIAL_NODE_ID": "2", "OUTDIAL_DB": "sqlite:/env.db"},
			"127.0.0.1:1002", 3, "/from/file", "sqlite:/x.db"},
		{"empty env is unset", []string{"--config", file}, map[string]string{"OUTDIAL_HTTP": ""},
			"127.0.0.1:1001", 1, "/from/file", "sqlite:./outdial.db"},
		{"flag equal to default still wins", []string{"--config", file, "--http=127.0.0.1:8080"}, nil,
			"127.0.0.1:8080", 1, "/from/file", "sqlite:./outdial.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, tt.args, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if c.HTTP != tt.http || c.NodeID != tt.node || c.Data != tt.data || c.DB != tt.db {
				t.Fatalf("got http %s node %d data %s db %s; want %s %d %s %s",
					c.HTTP, c.NodeID, c.Data, c.DB, tt.http, tt.node, tt.data, tt.db)
			}
		})
	}
}

func TestFullFiles(t *testing.T) {
	want := Config{
		HTTP: "0.0.0.0:9090", PublicURL: "https://calls.example.com", Sim: Sim{Speedup: 10}, DB: "postgres://outdial:s3cret@db.example:5432/outdial?sslmode=disable",
		Data: "/var/lib/outdial", NodeID: 7, LogLevel: "debug", LogFormat: "json", ShutdownTimeout: 30 * time.Second, Telephony: "sim",
		SIP:      SIP{Listen: "0.0.0.0:5060", ExternalHost: "203.0.113.9", RTPPortMin: 20000, RTPPortMax: 30000, Voice: "en"},
		Webhooks: Webhooks{AllowPrivate: true, Timeout: 5 * time.Second, Retention: 48 * time.Hour},
	}
	for _, name := range []string{"testdata/full.yaml", "testdata/full.toml"} {
		t.Run(name, func(t *testing.T) {
			c, err := load(t, []string{"--config", name}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if c != want {
				t.Fatalf("got  %+v\nwant %+v", c, want)
			}
		})
	}
}

func TestEveryFlagAndEnv(t *testing.T) {
	var args []string
	env := map[string]string{}
	full, _ := load(t, []string{"--config", "testdata/full.yaml"}, nil)
	for _, s := range Settings() {
		v := lookup(s.Key).get(&full)
		args = append(args, "--"+s.Flag+"="+v)
		env[s.Env] = v
	}
	if got, err := load(t, args, nil); err != nil || got != full {
		t.Errorf("from flags: got %+v, %v\nwant %+v", got, err, full)
	}
	if got, err := load(t, nil, env); err != nil || got != full {
		t.Errorf("from env: got %+v, %v\nwant %+v", got, err, full)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"unknown yaml key", []string{"--config", writeFile(t, "a.yaml", "http: 127.0.0.1:1\nlisten: x\n")}, nil, `unknown key "listen"`},
		{"unknown nested key", []string{"--config", writeFile(t, "b.yaml", "sip:\n  lisen: x\n")}, nil, `unknown key "sip.lisen"`},
		{"unknown toml key", []string{"--config", writeFile(t, "c.toml", "[webhooks]\nallow_privat = true\n")}, nil, `unknown key "webhooks.allow_privat"`},
		{"section as value", []string{"--config", writeFile(t, "d.yaml", "sip: 5\n")}, nil, `unknown key "sip"`},
		{"list value", []string{"--config", writeFile(t, "e.yaml", "http: [a, b]\n")}, nil, `key "http": want a single value`},
		{"bad yaml", []string{"--config", writeFile(t, "f.yaml", "http: [\n")}, nil, "f.yaml"},
		{"bad toml", []string{"--config", writeFile(t, "g.toml", "http = \n")}, nil, "g.toml"},
		{"unknown extension", []string{"--config", writeFile(t, "h.json", "{}")}, nil, `unknown format ".json"`},
		{"missing file", []string{"--config", "/nonexistent/o.yaml"}, nil, "no such file"},
		{"file value", []string{"--config", writeFile(t, "i.yaml", "node_id: seven\n")}, nil, `key "node_id": not an integer`},
		{"env value", nil, map[string]string{"OUTDIAL_NODE_ID": "x"}, "OUTDIAL_NODE_ID: not an integer"},
		{"env duration", nil, map[string]string{"OUTDIAL_WEBHOOKS_TIMEOUT": "5"}, "OUTDIAL_WEBHOOKS_TIMEOUT: not a duration"},
		{"flag value", []string{"--node-id", "x"}, nil, "-node-id: not an integer"},
		{"validation", []string{"--node-id", "5000"}, nil, "config: node_id: must be 0 to 1023"},
		{"validation of env", nil, map[string]string{"OUTDIAL_DB": "mysql://x"}, "config: db: unsupported database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, tt.args, tt.env)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v; want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestFileDetails(t *testing.T) {
	tests := []struct {
		name, file, body string
		check            func(c Config) bool
	}{
		{"empty yaml", "a.yaml", "", func(c Config) bool { return c == Default() }},
		{"comments only", "a.yml", "# nothing\n", func(c Config) bool { return c == Default() }},
		{"empty toml", "a.toml", "", func(c Config) bool { return c == Default() }},
		{"null keeps default", "a.yaml", "http:\nnode_id: 4\n", func(c Config) bool { return c.HTTP == "127.0.0.1:8080" && c.NodeID == 4 }},
		{"yaml bool", "a.yaml", "webhooks: {allow_private: true}\n", func(c Config) bool { return c.Webhooks.AllowPrivate }},
		{"quoted number", "a.yaml", "node_id: \"12\"\n", func(c Config) bool { return c.NodeID == 12 }},
		{"toml dotted keys", "a.toml", "sip.listen = \"127.0.0.1:6000\"\n", func(c Config) bool { return c.SIP.Listen == "127.0.0.1:6000" }},
		{"upper-case extension", "A.YAML", "node_id: 9\n", func(c Config) bool { return c.NodeID == 9 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			if err := ParseFile(tt.file, []byte(tt.body), &c); err != nil {
				t.Fatal(err)
			}
			if !tt.check(c) {
				t.Fatalf("got %+v", c)
			}
		})
	}
}

func TestBoolFlag(t *testing.T) {
	c, err := load(t, []string{"--webhooks-allow-private"}, map[string]string{"OUTDIAL_WEBHOOKS_ALLOW_PRIVATE": "false"})
	if err != nil || !c.Webhooks.AllowPrivate {
		t.Fatalf("bare bool flag: %v, %v", c.Webhooks.AllowPrivate, err)
	}
}

func TestAddFlagsSubset(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	AddFlags(fs, "db")
	if fs.Lookup("db") == nil || fs.Lookup("config") == nil || fs.Lookup("http") != nil {
		t.Fatal("AddFlags(fs, \"db\") must register --db and --config only")
	}
	if fs.Lookup("db").DefValue != "sqlite:./outdial.db" {
		t.Fatalf("--db shows default %q", fs.Lookup("db").DefValue)
	}
}
