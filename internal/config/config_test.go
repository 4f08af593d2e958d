package config

import (
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *Config)
		want   string // "" for valid; else the key the error names
	}{
		{"defaults", func(c *Config) {}, ""},
		{"postgres", func(c *Config) { c.DB = "postgresql://u:p@h/db" }, ""},
		{"bare sqlite path", func(c *Config) { c.DB = "/tmp/x.db" }, ""},
		{"port 0", func(c *Config) { c.HTTP = "127.0.0.1:0" }, ""},
		{"last node", func(c *Config) { c.NodeID = 1023 }, ""},
		{"rtp range", func(c *Config) { c.SIP.RTPPortMin, c.SIP.RTPPortMax = 10000, 20000 }, ""},
		{"http without port", func(c *Config) { c.HTTP = "localhost" }, "http"},
		{"http bad port", func(c *Config) { c.HTTP = "localhost:99999" }, "http"},
		{"mysql", func(c *Config) { c.DB = "mysql://h/db" }, "db"},
		{"empty db", func(c *Config) { c.DB = "" }, "db"},
		{"sqlite without path", func(c *Config) { c.DB = "sqlite:" }, "db"},
		{"empty data", func(c *Config) { c.Data = "" }, "data"},
		{"node too big", func(c *Config) { c.NodeID = 1024 }, "node_id"},
		{"node negative", func(c *Config) { c.NodeID = -1 }, "node_id"},
		{"log level", func(c *Config) { c.LogLevel = "loud" }, "log_level"},
		{"log format", func(c *Config) { c.LogFormat = "xml" }, "log_format"},
		{"shutdown timeout", func(c *Config) { c.ShutdownTimeout = 0 }, "shutdown_timeout"},
		{"sip listen", func(c *Config) { c.SIP.Listen = "nowhere" }, "sip.listen"},
		{"rtp half set", func(c *Config) { c.SIP.RTPPortMin = 10000 }, "sip.rtp_port_min"},
		{"rtp reversed", func(c *Config) { c.SIP.RTPPortMin, c.SIP.RTPPortMax = 20000, 10000 }, "sip.rtp_port_min"},
		{"webhook timeout", func(c *Config) { c.Webhooks.Timeout = -time.Second }, "webhooks.timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.change(&c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tt.want != "" && err == nil:
				t.Fatalf("Validate accepted a bad %s", tt.want)
			case tt.want != "" && !strings.HasPrefix(err.Error(), "config: "+tt.want+": "):
				t.Fatalf("Validate: %v; want it to name %s", err, tt.want)
			}
		})
	}
}

func TestParseDB(t *testing.T) {
	tests := []struct {
		db, kind, target string
	}{
		{"sqlite:./outdial.db", SQLite, "./outdial.db"},
		{"sqlite:///var/lib/o.db", SQLite, "/var/lib/o.db"},
		{"./outdial.db", SQLite, "./outdial.db"},
		{"/abs/o.db", SQLite, "/abs/o.db"},
		{"postgres://u@h/db", Postgres, "postgres://u@h/db"},
		{"postgresql://u:p@h:5432/db?sslmode=disable", Postgres, "postgresql://u:p@h:5432/db?sslmode=disable"},
		{"mysql://h/db", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		kind, target, err := ParseDB(tt.db)
		if kind != tt.kind || target != tt.target || (err == nil) != (tt.kind != "") {
			t.Errorf("ParseDB(%q) = %q, %q, %v; want %q, %q", tt.db, kind, target, err, tt.kind, tt.target)
		}
	}
}

func TestSettingNames(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Settings() {
		for _, name := range []string{"key " + s.Key, "env " + s.Env, "flag " + s.Flag} {
			if seen[name] {
				t.Errorf("%s is used twice", name)
			}
			seen[name] = true
		}
		if !strings.HasPrefix(s.Env, "OUTDIAL_") || s.Usage == "" {
			t.Errorf("setting %s: env %q, usage %q", s.Key, s.Env, s.Usage)
		}
	}
	if s := lookup("sip.rtp_port_min"); s.Env != "OUTDIAL_SIP_RTP_PORT_MIN" || s.Flag != "sip-rtp-port-min" {
		t.Errorf("sip.rtp_port_min is %s and --%s", s.Env, s.Flag)
	}
	if s := lookup("node_id"); s.Default != "0" {
		t.Errorf("node_id default %q", s.Default)
	}
}

func TestUnknownEnv(t *testing.T) {
	got := UnknownEnv([]string{"OUTDIAL_HTTP=127.0.0.1:1", "OUTDIAL_HTTPP=x", "OUTDIAL_CONFIG=a.yaml", "PATH=/bin",
		"OUTDIAL_TEST_POSTGRES=x", "OUTDIAL_SIP_LISEN=y", "OUTDIAL_WEBHOOKS_RETENTION=1h"})
	if strings.Join(got, ",") != "OUTDIAL_HTTPP,OUTDIAL_SIP_LISEN" {
		t.Fatalf("UnknownEnv = %v, want the two misspelt settings", got)
	}
}
