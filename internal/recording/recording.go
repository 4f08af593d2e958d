// Package recording serves call recordings over HTTP through signed, expiring links, so
// a dialect can hand a customer a download URL (in a callback, a CDR push, a record list)
// that only works for that recording and only for a while.
package recording

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/outdial/outdial"
)

// DefaultTTL is how long a link works.
const DefaultTTL = 7 * 24 * time.Hour

// Links signs and checks recording links.
type Links struct {
	// BaseURL is the public base URL of the server, without a trailing slash.
	BaseURL string
	// Key signs the links (keep it secret; LoadKey makes one).
	Key   []byte
	Clock outdial.Clock
	// Store finds the call; DataDir is where recordings live.
	Store   outdial.CallStore
	DataDir string
}

// URL returns a link to the recording of the tenant's call, valid for DefaultTTL.
func (l *Links) URL(tenantID, callID int64) string {
	exp := l.Clock.Now().Add(DefaultTTL).Unix()
	return fmt.Sprintf("%s/recordings/%d/%d.wav?exp=%d&sig=%s", l.BaseURL, tenantID, callID, exp, l.sign(tenantID, callID, exp))
}

func (l *Links) sign(tenantID, callID, exp int64) string {
	m := hmac.New(sha256.New, l.Key)
	fmt.Fprintf(m, "%d/%d/%d", tenantID, callID, exp)
	return hex.EncodeToString(m.Sum(nil))
}

// Register mounts GET /recordings/{tenant}/{call}.wav.
func (l *Links) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /recordings/{tenant}/{file}", l.serve)
}

// serve streams a recording when the link's signature is right and it has not expired.
func (l *Links) serve(w http.ResponseWriter, r *http.Request) {
	tenantID, err1 := strconv.ParseInt(r.PathValue("tenant"), 10, 64)
	file := r.PathValue("file")
	callID, err2 := strconv.ParseInt(trimSuffix(file, ".wav"), 10, 64)
	exp, err3 := strconv.ParseInt(r.URL.Query().Get("exp"), 10, 64)
	sig := r.URL.Query().Get("sig")
	if err1 != nil || err2 != nil || err3 != nil || !hmac.Equal([]byte(sig), []byte(l.sign(tenantID, callID, exp))) {
		http.Error(w, "invalid or forged recording link", http.StatusForbidden)
		return
	}
	if l.Clock.Now().Unix() > exp {
		http.Error(w, "this recording link has expired", http.StatusGone)
		return
	}
	c, err := l.Store.Call(r.Context(), tenantID, callID)
	if err != nil || c.Recording == "" {
		http.Error(w, "no recording for this call", http.StatusNotFound)
		return
	}
	l.ServeFile(w, r, c.Recording)
}

// ServeFile streams a recording given by its data-relative path (which must stay inside
// the data directory).
func (l *Links) ServeFile(w http.ResponseWriter, r *http.Request, rel string) {
	root, err := os.OpenRoot(l.DataDir)
	if err != nil {
		http.Error(w, "no recording for this call", http.StatusNotFound)
		return
	}
	defer root.Close()
	f, err := root.Open(filepath.Clean(rel))
	if err != nil {
		http.Error(w, "no recording for this call", http.StatusNotFound)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		http.Error(w, "no recording for this call", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "audio/wav")
	http.ServeContent(w, r, filepath.Base(rel), st.ModTime(), f)
}

func trimSuffix(s, suffix string) string {
	if len(s) > len(suffix) && s[len(s)-len(suffix):] == suffix {
		return s[:len(s)-len(suffix)]
	}
	return "x"
}

// LoadKey reads the link-signing key from path, creating a random one on first use.
func LoadKey(path string) ([]byte, error) {
	if b, err := os.ReadFile(path); err == nil && len(b) >= 32 {
		return b, nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return nil, fmt.Errorf("recording key: %w", err)
	}
	return b, nil
}
