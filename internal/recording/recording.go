// Package recording serves call recordings over HTTP through signed, expiring links, so
// a dialect can hand a customer a download URL (in a callback, a CDR push, a record list)
// that only works for that recording and only for a while.
package recording

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
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
func (l *Links) URL(tenantID, callID int64) string { return l.URLAt(tenantID, callID, l.Clock.Now()) }

// URLAt returns the link as signed at the instant at (valid DefaultTTL from then).
func (l *Links) URLAt(tenantID, callID int64, at time.Time) string {
	exp := at.Add(DefaultTTL).Unix()
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
// the data directory), answering 404 in plain text when there is none.
func (l *Links) ServeFile(w http.ResponseWriter, r *http.Request, rel string) {
	f, st, err := l.Open(rel)
	if err != nil {
		http.Error(w, "no recording for this call", http.StatusNotFound)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "audio/wav")
	http.ServeContent(w, r, filepath.Base(rel), st.ModTime(), f)
}

// Open opens a recording given by its data-relative path, which must stay inside the data
// directory (os.Root: no "..", no absolute path, no symlink out). A missing file is
// ENOTFOUND, so each API can answer it in its own form.
func (l *Links) Open(rel string) (*os.File, fs.FileInfo, error) {
	root, err := os.OpenRoot(l.DataDir)
	if err != nil {
		return nil, nil, outdial.Errorf(outdial.ENOTFOUND, "no recording for this call")
	}
	defer root.Close()
	f, err := root.Open(filepath.Clean(rel))
	if err != nil {
		return nil, nil, outdial.Errorf(outdial.ENOTFOUND, "no recording for this call")
	}
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		f.Close()
		return nil, nil, outdial.Errorf(outdial.ENOTFOUND, "no recording for this call")
	}
	return f, st, nil
}

func trimSuffix(s, suffix string) string {
	if len(s) > len(suffix) && s[len(s)-len(suffix):] == suffix {
		return s[:len(s)-len(suffix)]
	}
	return "x"
}

// LoadKey reads the link-signing key from path, creating a random one on first use. The
// key is created atomically (written to a temporary file, then linked into place only if
// no key exists), so processes starting together on one data directory all end up with
// the key on disk. A key file shorter than 32 bytes is an error, never replaced: links
// and cursors signed with it would stop working.
func LoadKey(path string) ([]byte, error) {
	for range 2 {
		b, err := os.ReadFile(path)
		switch {
		case err == nil && len(b) >= 32:
			return b, nil
		case err == nil:
			return nil, fmt.Errorf("recording key %s: %d bytes, want at least 32 (remove it only if no link signed with it must work)", path, len(b))
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("recording key: %w", err)
		}
		if err := createKey(path); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("recording key: %w", err)
		}
		// Created here or by another process meanwhile: read what is on disk.
	}
	return nil, fmt.Errorf("recording key %s: cannot be read after creating it", path)
}

// createKey writes a new random key to path unless a file is there already (fs.ErrExist).
func createKey(path string) error {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".recording-key-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Link(tmp.Name(), path) // fails with fs.ErrExist if a key is there
}
