package sipua

// Security review (independent review): hardening check (recordings are now 0600
// in 0700 directories).

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestReviewSecRecordingFileMode: call recordings (customers' voices, personal data) are
// written with os.Create (0666 &^ umask: 0644 by default) in directories made 0755, under
// a data directory made 0755 (internal/app/app.go) that also holds the SQLite database
// with trunk passwords and webhook secrets. Any local user can read every tenant's
// recordings. Want 0600 files in 0700 directories.
func TestSecRecordingFileMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "recordings", "2026-03-02", "x.wav")
	t0 := time.Now()
	r, err := newRecorder(path, t0)
	if err != nil {
		t.Fatal(err)
	}
	r.write(chCustomer, make([]int16, 160), t0.Add(20*time.Millisecond))
	if ok, err := r.Close(); !ok || err != nil {
		t.Fatalf("close: %v %v", ok, err)
	}
	for _, p := range []string{path, filepath.Dir(path)} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v: readable by other local users", p, st.Mode().Perm())
		}
	}
}
