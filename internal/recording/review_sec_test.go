package recording

// Security/robustness review tests (independent review). See the review report.

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestReviewSecLoadKeyConcurrent: LoadKey is "read, else generate and os.WriteFile". Two
// processes starting on one data directory (two nodes on a shared volume, `serve` next to
// a `migrate`/`import`, a restart overlapping the old process) each generate their own key:
// the one whose write lands first keeps signing links (and autocall cursors, derived from
// it) that the others, and every later start, reject as forged. os.WriteFile also
// truncates before writing, so a reader can see a 0-byte file and regenerate again.
// Goroutines stand in for the processes here.
func TestSecLoadKeyConcurrent(t *testing.T) {
	for round := 0; round < 20; round++ {
		path := filepath.Join(t.TempDir(), "recording.key")
		const n = 8
		keys := make([][]byte, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				k, err := LoadKey(path)
				if err != nil {
					t.Error(err)
				}
				keys[i] = k
			})
		}
		close(start)
		wg.Wait()
		onDisk, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for i, k := range keys {
			if !bytes.Equal(k, onDisk) {
				t.Fatalf("round %d: LoadKey caller %d got a key that is not the one on disk: links it signs "+
					"fail on every other node and after a restart", round, i)
			}
		}
	}
}
