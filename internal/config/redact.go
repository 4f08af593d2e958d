package config

import (
	"log/slog"
	"net/url"
	"sort"
	"strings"
)

// mask replaces a secret in logged text.
const mask = "****"

// Redacted returns a copy of c that is safe to log: the password in a database URL
// (its user info, or a password or sslpassword parameter) is replaced by ****.
// Add any new secret setting here; TestRedactedCoversSecrets fails until it is.
func (c Config) Redacted() Config {
	c.DB = RedactURL(c.DB)
	return c
}

// RedactURL masks the password of a URL such as postgres://user:pass@host/db, giving
// postgres://user:****@host/db, and the values of its password and sslpassword query
// parameters. Text without "://" comes back unchanged; a URL that does not parse cleanly
// keeps only its scheme and host.
func RedactURL(s string) string {
	i := strings.Index(s, "://")
	if i < 0 {
		return s
	}
	u, err := url.Parse(s)
	if err != nil || (u.User == nil && strings.Contains(s[i:], "@")) {
		// Unparsable, or an @ the parser did not take as user info (a # or ? in a
		// password): keep the scheme and the host after the last @.
		rest := s[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			rest = rest[at+1:]
		}
		if cut := strings.IndexAny(rest, "/?#"); cut >= 0 {
			rest = rest[:cut]
		}
		return s[:i+3] + mask + "@" + rest
	}
	u.RawQuery = redactQuery(u.Query(), u.RawQuery)
	user := u.User
	u.User = nil
	out := u.String()
	if user == nil {
		return out
	}
	info := url.User(user.Username()).String()
	if _, has := user.Password(); has {
		info += ":" + mask
	}
	return strings.Replace(out, "://", "://"+info+"@", 1)
}

// redactQuery rebuilds a query with its password parameters masked; raw comes back as it
// was when it has none.
func redactQuery(q url.Values, raw string) string {
	secret := func(k string) bool {
		k = strings.ToLower(k)
		return k == "password" || k == "sslpassword"
	}
	found := false
	keys := make([]string, 0, len(q))
	for k := range q {
		found = found || secret(k)
		keys = append(keys, k)
	}
	if !found {
		if strings.Contains(strings.ToLower(raw), "password") {
			return mask // a password parameter the parser dropped
		}
		return raw
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, v := range q[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k) + "=")
			if secret(k) {
				b.WriteString(mask)
			} else {
				b.WriteString(url.QueryEscape(v))
			}
		}
	}
	return b.String()
}

// LogValue makes a Config log as its redacted settings, one attribute per file key, so
// logging a Config never shows a secret.
func (c Config) LogValue() slog.Value {
	r := c.Redacted()
	attrs := make([]slog.Attr, len(settings))
	for i, s := range settings {
		attrs[i] = slog.String(s.Key, s.get(&r))
	}
	return slog.GroupValue(attrs...)
}
