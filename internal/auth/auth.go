// Package auth issues tenant API tokens and resolves them to tenants. Tokens are opaque
// URL-safe strings; only their SHA-256 hashes are stored.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/outdial/outdial"
)

// NewToken returns a new random token: "od_" and 32 URL-safe base64 characters (letters,
// digits, - and _), 192 bits of randomness.
func NewToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic("auth: no randomness: " + err.Error())
	}
	return "od_" + base64.RawURLEncoding.EncodeToString(b)
}

// Hash returns the hex SHA-256 of a token, the form the store keeps.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Issue creates a token for the tenant and returns it; only its hash is stored.
func Issue(ctx context.Context, s outdial.TenantStore, tenantID int64) (string, error) {
	tok := NewToken()
	if err := s.AddToken(ctx, tenantID, Hash(tok)); err != nil {
		return "", err
	}
	return tok, nil
}

// Tenant resolves a token to its tenant; EUNAUTHORIZED when the token is empty or unknown.
func Tenant(ctx context.Context, s outdial.TenantStore, token string) (*outdial.Tenant, error) {
	if token == "" || len(token) > 256 {
		return nil, outdial.Errorf(outdial.EUNAUTHORIZED, "missing or invalid token")
	}
	return s.TenantByToken(ctx, Hash(token))
}

// BearerToken returns the token of an "Authorization: Bearer <token>" header, or "".
func BearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

type tenantKey struct{}

// WithTenant returns a context carrying the authenticated tenant.
func WithTenant(ctx context.Context, t *outdial.Tenant) context.Context {
	return context.WithValue(ctx, tenantKey{}, t)
}

// FromContext returns the tenant WithTenant stored, or nil.
func FromContext(ctx context.Context) *outdial.Tenant {
	t, _ := ctx.Value(tenantKey{}).(*outdial.Tenant)
	return t
}
