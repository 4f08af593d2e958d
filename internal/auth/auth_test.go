package auth

import (
	"net/http"
	"regexp"
	"testing"
)

func TestNewTokenIsURLSafeAndUnique(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9_-]{35}$`)
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		tok := NewToken()
		if !re.MatchString(tok) {
			t.Fatalf("token %q is not 35 URL-safe characters", tok)
		}
		if seen[tok] {
			t.Fatalf("token %q issued twice", tok)
		}
		seen[tok] = true
		if Hash(tok) == tok || len(Hash(tok)) != 64 {
			t.Fatalf("hash of %q = %q", tok, Hash(tok))
		}
	}
}

func TestBearerToken(t *testing.T) {
	for _, tc := range []struct{ header, want string }{
		{"Bearer abc", "abc"},
		{"bearer  abc ", "abc"},
		{"Basic abc", ""},
		{"Bearer", ""},
		{"", ""},
	} {
		r, _ := http.NewRequest("GET", "/", nil)
		if tc.header != "" {
			r.Header.Set("Authorization", tc.header)
		}
		if got := BearerToken(r); got != tc.want {
			t.Errorf("BearerToken(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
}
