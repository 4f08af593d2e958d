package sipua

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	omedia "github.com/outdial/outdial/internal/media"
)

const (
	// promptTTL is how long a resolved prompt (its file and audio) is reused before its
	// file is looked up again: a changed prompt is heard within a second, and thousands of
	// calls a second do not each stat, open and parse the same WAV file.
	promptTTL = time.Second
	// maxCachedPrompt is the longest prompt audio kept in memory (2 MB: about two minutes
	// at 8 kHz); longer prompts are read from their file as they play.
	maxCachedPrompt = 2 << 20
	// maxPromptCache bounds the audio of all cached prompts together.
	maxPromptCache = 64 << 20
)

// promptKey identifies a prompt as the script gives it.
type promptKey struct {
	text, audio, voice string
	debug              bool
}

// promptAudio is a resolved prompt: its telephony WAV file and, when short enough, its
// samples. It is immutable once cached.
type promptAudio struct {
	path    string
	samples []int16 // nil: play from path
	expires time.Time
}

// promptCache holds recently resolved prompts. It is safe for concurrent use.
type promptCache struct {
	mu      sync.Mutex
	entries map[promptKey]*promptAudio
	bytes   int64 // 2 per cached sample
}

// get returns the prompt resolved for key if it is still fresh at now.
func (c *promptCache) get(key promptKey, now time.Time) (*promptAudio, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.entries[key]
	if !ok || now.After(a.expires) {
		return nil, false
	}
	return a, true
}

// put caches a, dropping expired entries first when the cache is over its bounds; a's
// samples are left out if they still do not fit.
func (c *promptCache) put(key promptKey, a *promptAudio, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[promptKey]*promptAudio{}
	}
	if old, ok := c.entries[key]; ok {
		c.bytes -= int64(2 * len(old.samples))
		delete(c.entries, key)
	}
	size := int64(2 * len(a.samples))
	if c.bytes+size > maxPromptCache || len(c.entries) >= 1024 {
		for k, e := range c.entries {
			if now.After(e.expires) {
				c.bytes -= int64(2 * len(e.samples))
				delete(c.entries, k)
			}
		}
	}
	if c.bytes+size > maxPromptCache {
		a = &promptAudio{path: a.path, expires: a.expires}
		size = 0
	}
	c.entries[key] = a
	c.bytes += size
}

// loadPrompt reads the samples of a telephony WAV file (8 kHz mono 16-bit). It returns
// nil samples, and no error, for a file too long to keep in memory.
func loadPrompt(path string) ([]int16, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	info, err := omedia.ParseWAVHeader(f, st.Size())
	if err != nil {
		return nil, err
	}
	if !info.IsTelephony() {
		return nil, errors.New("not 8 kHz mono 16-bit PCM")
	}
	if info.DataSize > maxCachedPrompt {
		return nil, nil
	}
	pcm := make([]byte, info.DataSize)
	n, err := f.ReadAt(pcm, info.DataOffset)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("reading samples: %w", err)
	}
	pcm = pcm[:n]
	samples := make([]int16, len(pcm)/2)
	for i := range samples {
		samples[i] = int16(uint16(pcm[2*i]) | uint16(pcm[2*i+1])<<8)
	}
	return samples, nil
}
