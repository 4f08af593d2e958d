package media

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/outdial/outdial"
)

// DefaultVoice is the espeak-ng voice of prompts that name none: Mandarin.
const DefaultVoice = "cmn"

// ErrBadPrompt means a prompt names no text and no audio, an audio path outside the
// prompts folder, or an unusable voice.
var ErrBadPrompt = errors.New("media: bad prompt")

// Prompts finds or makes the telephony WAV file of each prompt: user audio under
// <data>/prompts/, and TTS cached under <data>/prompts/tts/. It is safe for concurrent
// use; concurrent requests for the same file generate it once.
type Prompts struct {
	dataDir string
	voice   string
	log     *slog.Logger
	flights inflight
	sem     chan struct{} // bounds concurrent espeak-ng and sox processes
}

// NewPrompts returns the prompt library of a data directory; voice is the default TTS
// voice ("" means DefaultVoice).
func NewPrompts(dataDir, voice string, log *slog.Logger) *Prompts {
	if voice == "" {
		voice = DefaultVoice
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Prompts{dataDir: dataDir, voice: voice, log: log, sem: make(chan struct{}, 2*runtime.NumCPU())}
}

// File returns the path of the 8 kHz mono 16-bit WAV to play for p: its audio file, or
// the TTS of its text when it has no audio or debug is set.
func (p *Prompts) File(ctx context.Context, pr outdial.Prompt, debug bool) (string, error) {
	if pr.Text != "" && (pr.Audio == "" || debug) {
		return p.Speak(ctx, pr.Voice, pr.Text)
	}
	if pr.Audio != "" {
		return p.Audio(ctx, pr.Audio)
	}
	return "", fmt.Errorf("%w: no text and no audio", ErrBadPrompt)
}

// TTSPath returns where the TTS of text in voice is cached:
// <data>/prompts/tts/<sha256(voice NUL text)>.wav.
func TTSPath(dataDir, voice, text string) string {
	sum := sha256.Sum256([]byte(voice + "\x00" + text))
	return filepath.Join(dataDir, "prompts", "tts", hex.EncodeToString(sum[:])+".wav")
}

// Speak returns the cached TTS file of text in voice ("" means the library's default),
// generating it with espeak-ng and sox on first use.
func (p *Prompts) Speak(ctx context.Context, voice, text string) (string, error) {
	if voice == "" {
		voice = p.voice
	}
	if !outdial.ValidVoice(voice) {
		return "", fmt.Errorf("%w: voice %q", ErrBadPrompt, voice)
	}
	dst := TTSPath(p.dataDir, voice, text)
	if _, err := os.Stat(dst); err == nil {
		return dst, nil
	}
	err := p.flights.do(ctx, dst, func(ctx context.Context) error {
		if _, err := os.Stat(dst); err == nil {
			return nil // another process made it meanwhile
		}
		return p.limit(ctx, func() error { return p.synthesize(ctx, voice, text, dst) })
	})
	if err != nil {
		return "", fmt.Errorf("media: tts: %w", err)
	}
	return dst, nil
}

func (p *Prompts) synthesize(ctx context.Context, voice, text, dst string) error {
	start := time.Now()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	raw, err := tempPath(dst)
	if err != nil {
		return err
	}
	defer os.Remove(raw)
	if err := run(ctx, []byte(text), "espeak-ng", "-v", voice, "-w", raw, "--stdin"); err != nil {
		return err
	}
	if err := ConvertToTelephony(ctx, raw, dst); err != nil {
		return err
	}
	p.log.Debug("tts generated", slog.String("voice", voice), slog.Int("text_bytes", len(text)),
		slog.Duration("took", time.Since(start)))
	return nil
}

// Audio returns the path of the user prompt <data>/prompts/<name>. A file that is not
// 8 kHz mono 16-bit is converted once into <data>/prompts/.converted/ and that copy is
// returned; the user's file is left as it is.
func (p *Prompts) Audio(ctx context.Context, name string) (string, error) {
	if !filepath.IsLocal(name) {
		return "", fmt.Errorf("%w: audio %q is outside the prompts folder", ErrBadPrompt, name)
	}
	src := filepath.Join(p.dataDir, "prompts", filepath.FromSlash(name))
	st, err := os.Stat(src)
	if err != nil {
		return "", fmt.Errorf("media: prompt audio: %w", err)
	}
	if info, err := ReadWAVInfo(src); err == nil && info.IsTelephony() {
		return src, nil
	}
	key := sha256.Sum256([]byte(name + "\x00" + strconv.FormatInt(st.Size(), 10) + "\x00" +
		strconv.FormatInt(st.ModTime().UnixNano(), 10)))
	dst := filepath.Join(p.dataDir, "prompts", ".converted", hex.EncodeToString(key[:])+".wav")
	if _, err := os.Stat(dst); err == nil {
		return dst, nil
	}
	err = p.flights.do(ctx, dst, func(ctx context.Context) error {
		return p.limit(ctx, func() error { return ConvertToTelephony(ctx, src, dst) })
	})
	if err != nil {
		return "", err
	}
	p.log.Info("prompt audio converted to 8 kHz mono", slog.String("audio", name))
	return dst, nil
}

func (p *Prompts) limit(ctx context.Context, f func() error) error {
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-p.sem }()
	return f()
}
