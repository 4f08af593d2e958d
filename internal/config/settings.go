package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Setting describes one configuration setting and the three names it goes by.
type Setting struct {
	Key     string // in the config file; dots separate sections ("sip.listen")
	Env     string // the environment variable ("OUTDIAL_SIP_LISTEN")
	Flag    string // the command-line flag, without dashes ("sip-listen")
	Default string // the default value, as text
	Usage   string // one line for people

	kind   string // "string", "int", "bool" or "duration"
	isBool bool
	set    func(c *Config, v string) error
	get    func(c *Config) string
}

// settings is every setting, in the order usage and docs list them.
var settings = []*Setting{
	text("http", "host:port the HTTP API listens on", func(c *Config) *string { return &c.HTTP }),
	text("public_url", "base URL customers reach this server at, for links in callbacks (default: http:// and the http address)", func(c *Config) *string { return &c.PublicURL }),
	text("db", "database: sqlite:PATH (or a bare path), or postgres://user:pass@host/db", func(c *Config) *string { return &c.DB }),
	text("data", "directory of recordings and prompts (created if missing)", func(c *Config) *string { return &c.Data }),
	integer("node_id", "this node's id in call ids, 0-1023; distinct per node sharing a database", func(c *Config) *int { return &c.NodeID }),
	text("log_level", "debug, info, warn or error", func(c *Config) *string { return &c.LogLevel }),
	text("log_format", "text or json (logs go to stderr)", func(c *Config) *string { return &c.LogFormat }),
	duration("shutdown_timeout", "how long a graceful shutdown may take", func(c *Config) *time.Duration { return &c.ShutdownTimeout }),
	text("telephony", "how calls are placed: sip (real SIP trunks) or sim (an in-process simulated carrier, for trials and tests)", func(c *Config) *string { return &c.Telephony }),
	integer("sim.speedup", "the simulated carrier (telephony sim) runs this many times faster than real time", func(c *Config) *int { return &c.Sim.Speedup }),
	text("sip.listen", "host:port of SIP (UDP and TCP)", func(c *Config) *string { return &c.SIP.Listen }),
	text("sip.external_host", "address announced in SIP and SDP instead of the listen host (NAT)", func(c *Config) *string { return &c.SIP.ExternalHost }),
	integer("sip.rtp_port_min", "lowest RTP port (0 with sip.rtp_port_max 0: any free port)", func(c *Config) *int { return &c.SIP.RTPPortMin }),
	integer("sip.rtp_port_max", "highest RTP port", func(c *Config) *int { return &c.SIP.RTPPortMax }),
	text("sip.voice", "default TTS voice (espeak-ng name)", func(c *Config) *string { return &c.SIP.Voice }),
	boolean("webhooks.allow_private", "allow webhooks to loopback and private addresses", func(c *Config) *bool { return &c.Webhooks.AllowPrivate }),
	duration("webhooks.retention", "how long delivered and dead webhooks and their delivery logs are kept (0: for ever)", func(c *Config) *time.Duration { return &c.Webhooks.Retention }),
	duration("webhooks.timeout", "time a webhook receiver has to answer, after the connection (itself limited to 5 s)", func(c *Config) *time.Duration { return &c.Webhooks.Timeout }),
}

// ConfigEnv is the environment variable naming the config file when --config is not given.
const ConfigEnv = "OUTDIAL_CONFIG"

func init() {
	d := Default()
	for _, s := range settings {
		s.Default = s.get(&d)
	}
}

// Settings returns a description of every setting, in documentation order.
func Settings() []Setting {
	out := make([]Setting, len(settings))
	for i, s := range settings {
		out[i] = *s
	}
	return out
}

func lookup(key string) *Setting {
	for _, s := range settings {
		if s.Key == key {
			return s
		}
	}
	return nil
}

func newSetting(key, usage string) *Setting {
	return &Setting{
		Key:   key,
		Env:   "OUTDIAL_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_")),
		Flag:  strings.NewReplacer(".", "-", "_", "-").Replace(key),
		Usage: usage,
	}
}

func text(key, usage string, field func(*Config) *string) *Setting {
	s := newSetting(key, usage)
	s.kind = "string"
	s.set = func(c *Config, v string) error { *field(c) = v; return nil }
	s.get = func(c *Config) string { return *field(c) }
	return s
}

func integer(key, usage string, field func(*Config) *int) *Setting {
	s := newSetting(key, usage)
	s.kind = "int"
	s.set = func(c *Config, v string) error {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("not an integer: %q", v)
		}
		*field(c) = n
		return nil
	}
	s.get = func(c *Config) string { return strconv.Itoa(*field(c)) }
	return s
}

func boolean(key, usage string, field func(*Config) *bool) *Setting {
	s := newSetting(key, usage)
	s.kind, s.isBool = "bool", true
	s.set = func(c *Config, v string) error {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("not a boolean (true or false): %q", v)
		}
		*field(c) = b
		return nil
	}
	s.get = func(c *Config) string { return strconv.FormatBool(*field(c)) }
	return s
}

func duration(key, usage string, field func(*Config) *time.Duration) *Setting {
	s := newSetting(key, usage)
	s.kind = "duration"
	s.set = func(c *Config, v string) error {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("not a duration (like 10s or 1m30s): %q", v)
		}
		*field(c) = d
		return nil
	}
	s.get = func(c *Config) string { return field(c).String() }
	return s
}

// UnknownEnv returns the OUTDIAL_* variables of environ ("KEY=value" strings) that name
// no setting, so a misspelt one (OUTDIAL_HTTPP) can be reported rather than silently
// ignored. Variables of the tests and benchmarks (OUTDIAL_TEST_*, OUTDIAL_BENCH_*,
// OUTDIAL_REVIEW_*) are not settings and are not reported.
func UnknownEnv(environ []string) []string {
	known := map[string]bool{ConfigEnv: true}
	for _, s := range Settings() {
		known[s.Env] = true
	}
	var out []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(k, "OUTDIAL_") || known[k] {
			continue
		}
		if strings.HasPrefix(k, "OUTDIAL_TEST_") || strings.HasPrefix(k, "OUTDIAL_BENCH_") || strings.HasPrefix(k, "OUTDIAL_REVIEW_") {
			continue
		}
		out = append(out, k)
	}
	return out
}
