// Package config is the configuration of an outdial server: its defaults, a YAML or TOML
// file, OUTDIAL_* environment variables and command-line flags, in rising precedence.
// Every setting has one key in the file (for example "sip.listen"), one variable
// (OUTDIAL_SIP_LISTEN) and one flag (--sip-listen); Settings lists them all.
package config

import (
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/outdial/outdial"
)

// Config is the configuration of one outdial process. The zero value is not valid: start
// from Default.
type Config struct {
	// HTTP is the host:port the API listens on.
	HTTP string
	// PublicURL is the base URL customers reach this server at (recording links in
	// callbacks); empty means "http://" and the HTTP address.
	PublicURL string
	// DB is the database: "sqlite:PATH" or a bare path for SQLite, "postgres://..." or
	// "postgresql://..." for PostgreSQL. It may hold a password: log Redacted, never Config.
	DB string
	// Data is the directory of recordings and prompts; it is created when missing.
	Data string
	// NodeID tells this node's call ids apart from other nodes' (0 to outdial.MaxNodeID);
	// nodes sharing one database need distinct ids.
	NodeID int
	// LogLevel is "debug", "info", "warn" or "error".
	LogLevel string
	// LogFormat is "text" or "json".
	LogFormat string
	// ShutdownTimeout bounds a graceful shutdown: in-flight requests and calls get this
	// long before they are cut.
	ShutdownTimeout time.Duration
	// Telephony is how calls are placed: "sip" over the lines' trunks, or "sim" through an
	// in-process simulated carrier (no network; for trials, crash tests and benchmarks).
	Telephony string

	Sim      Sim
	SIP      SIP
	Webhooks Webhooks
}

// Sim is the configuration of the simulated carrier (Telephony "sim").
type Sim struct {
	// Speedup divides every ring and talk time of the simulated calls (1: real time).
	Speedup int
}

// SIP is the configuration of the SIP user agent that places calls.
type SIP struct {
	// Listen is the host:port of SIP over UDP and TCP; RTP binds to the same host.
	Listen string
	// ExternalHost, when set, is the address announced in Contact, Via and SDP instead of
	// the listen host (behind NAT).
	ExternalHost string
	// RTPPortMin and RTPPortMax bound the RTP ports; both 0 means any free port.
	RTPPortMin, RTPPortMax int
	// Voice is the default TTS voice (an espeak-ng voice name).
	Voice string
}

// Webhooks is the configuration of webhook delivery.
type Webhooks struct {
	// AllowPrivate lets webhooks go to loopback and private addresses (tests, single-host
	// setups); by default they are refused, so tenants cannot reach the internal network.
	AllowPrivate bool
	// Timeout bounds waiting for a receiver's answer once a request is sent.
	Timeout time.Duration
	// Retention is how long delivered and dead webhook messages and their delivery logs
	// are kept; 0 keeps them for ever.
	Retention time.Duration
}

// Default returns the configuration used where nothing else is set.
func Default() Config {
	return Config{
		HTTP:            "127.0.0.1:8080",
		DB:              "sqlite:./outdial.db",
		Data:            "./data",
		LogLevel:        "info",
		LogFormat:       "text",
		ShutdownTimeout: 10 * time.Second,
		Telephony:       "sip",
		Sim:             Sim{Speedup: 1},
		SIP:             SIP{Listen: "127.0.0.1:5070", Voice: "cmn"},
		Webhooks:        Webhooks{Timeout: 10 * time.Second, Retention: 30 * 24 * time.Hour},
	}
}

// Validate checks every setting and names the first bad one by its file key.
func (c Config) Validate() error {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("config: %s: %s", key, fmt.Sprintf(format, args...))
	}
	if err := checkHostPort(c.HTTP); err != nil {
		return bad("http", "%v", err)
	}
	if c.PublicURL != "" && !outdial.ValidCallbackURL(c.PublicURL) {
		return bad("public_url", "must be an http or https URL, got %q", c.PublicURL)
	}
	if _, _, err := ParseDB(c.DB); err != nil {
		return bad("db", "%v", err)
	}
	switch {
	case c.Data == "":
		return bad("data", "must name a directory")
	case c.NodeID < 0 || c.NodeID > outdial.MaxNodeID:
		return bad("node_id", "must be 0 to %d, got %d", outdial.MaxNodeID, c.NodeID)
	case c.LogFormat != "text" && c.LogFormat != "json":
		return bad("log_format", "must be text or json, got %q", c.LogFormat)
	case c.ShutdownTimeout <= 0:
		return bad("shutdown_timeout", "must be positive, got %s", c.ShutdownTimeout)
	case c.Telephony != "sip" && c.Telephony != "sim":
		return bad("telephony", "must be sip or sim, got %q", c.Telephony)
	case c.Sim.Speedup < 1 || c.Sim.Speedup > 1000:
		return bad("sim.speedup", "must be 1 to 1000, got %d", c.Sim.Speedup)
	case c.Webhooks.Timeout <= 0:
		return bad("webhooks.timeout", "must be positive, got %s", c.Webhooks.Timeout)
	case c.Webhooks.Retention < 0:
		return bad("webhooks.retention", "must be 0 (keep for ever) or positive, got %s", c.Webhooks.Retention)
	}
	if _, err := ParseLogLevel(c.LogLevel); err != nil {
		return bad("log_level", "%v", err)
	}
	if err := checkHostPort(c.SIP.Listen); err != nil {
		return bad("sip.listen", "%v", err)
	}
	if lo, hi := c.SIP.RTPPortMin, c.SIP.RTPPortMax; (lo != 0 || hi != 0) && (lo < 1024 || hi > 65535 || lo >= hi) {
		return bad("sip.rtp_port_min", "the RTP range must be both 0 or 1024 <= min < max <= 65535, got %d-%d", lo, hi)
	}
	return nil
}

// Database kinds ParseDB returns.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// ParseDB tells which database db names: SQLite ("sqlite:PATH", "sqlite://PATH" or a bare
// path; target is the path) or PostgreSQL ("postgres://..." or "postgresql://...";
// target is db itself). Any other scheme is an error.
func ParseDB(db string) (kind, target string, err error) {
	switch {
	case db == "":
		return "", "", fmt.Errorf("must name a database")
	case strings.HasPrefix(db, "postgres://"), strings.HasPrefix(db, "postgresql://"):
		return Postgres, db, nil
	case strings.HasPrefix(db, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(db, "sqlite://"), "sqlite:")
		if path == "" {
			return "", "", fmt.Errorf("sqlite: needs a file path, as in sqlite:./outdial.db")
		}
		return SQLite, path, nil
	case strings.Contains(db, "://"):
		return "", "", fmt.Errorf("unsupported database %q: use sqlite:PATH or postgres://", db[:strings.Index(db, "://")+3])
	}
	return SQLite, db, nil
}

// ParseLogLevel turns "debug", "info", "warn" or "error" into a slog level.
func ParseLogLevel(s string) (slog.Level, error) {
	switch s {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("must be debug, info, warn or error, got %q", s)
}

func checkHostPort(s string) error {
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("must be host:port, got %q", s)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("bad port in %q", s)
	}
	return nil
}
