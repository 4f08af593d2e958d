package sipua

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/outdial/outdial/internal/media"
)

func TestPromptCache(t *testing.T) {
	var c promptCache
	now := time.Now()
	key := promptKey{audio: "a.wav"}
	c.put(key, &promptAudio{path: "a", samples: make([]int16, 10), expires: now.Add(promptTTL)}, now)
	if a, ok := c.get(key, now.Add(promptTTL/2)); !ok || a.path != "a" {
		t.Fatalf("fresh entry: %v %v", a, ok)
	}
	if _, ok := c.get(key, now.Add(promptTTL+time.Millisecond)); ok {
		t.Error("an entry older than promptTTL was reused: a changed prompt would not be heard")
	}
	big := promptKey{audio: "big.wav"}
	c.put(big, &promptAudio{path: "big", samples: make([]int16, maxPromptCache/2+1), expires: now.Add(promptTTL)}, now)
	if a, _ := c.get(big, now); a == nil || a.samples != nil {
		t.Error("audio over the cache's bound was kept in memory")
	}
	if c.bytes != 20 {
		t.Errorf("cache holds %d bytes of audio, want 20", c.bytes)
	}
}

func TestLoadPrompt(t *testing.T) {
	dir := t.TempDir()
	tone := media.Tone(440, 100*time.Millisecond, 8000, 0.3)
	path := filepath.Join(dir, "tone.wav")
	if err := media.WriteWAVFile(path, tone, 8000, 1); err != nil {
		t.Fatal(err)
	}
	got, err := loadPrompt(path)
	if err != nil || len(got) != len(tone) || got[10] != tone[10] {
		t.Errorf("loaded %d samples (err %v), want the file's %d", len(got), err, len(tone))
	}
	stereo := filepath.Join(dir, "stereo.wav")
	if err := media.WriteWAVFile(stereo, tone, 8000, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := loadPrompt(stereo); err == nil {
		t.Error("a stereo file loaded as a telephony prompt")
	}
}
