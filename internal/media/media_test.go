package media

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/outdial/outdial"
)

// needTool skips the test when a command is missing, except in CI where it must exist.
func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI: apt-get install -y %s", name, name)
		}
		t.Skipf("%s not installed (apt-get install -y %s); skipping", name, name)
	}
}

// countingHandler counts "tts generated" records.
type countingHandler struct {
	slog.Handler
	n *atomic.Int32
}

func (h countingHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "tts generated" {
		h.n.Add(1)
	}
	return nil
}
func (h countingHandler) Enabled(context.Context, slog.Level) bool { return true }

func TestSpeakCachesAndDeduplicates(t *testing.T) {
	needTool(t, "espeak-ng")
	needTool(t, "sox")
	dir := t.TempDir()
	var generated atomic.Int32
	p := NewPrompts(dir, "", slog.New(countingHandler{slog.DiscardHandler, &generated}))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	var wg sync.WaitGroup
	paths := make([]string, 16)
	errs := make([]error, 16)
	for i := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			paths[i], errs[i] = p.Speak(ctx, "", "您好，请按一键确认。")
		}()
	}
	wg.Wait()
	for i := range paths {
		if errs[i] != nil {
			t.Fatalf("Speak: %v", errs[i])
		}
		if paths[i] != paths[0] {
			t.Fatalf("different paths %q and %q", paths[i], paths[0])
		}
	}
	if want := TTSPath(dir, DefaultVoice, "您好，请按一键确认。"); paths[0] != want {
		t.Errorf("path %q, want %q", paths[0], want)
	}
	if n := generated.Load(); n != 1 {
		t.Errorf("espeak-ng ran %d times for one text, want 1", n)
	}
	st, err := AnalyzeWAV(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	if !st.IsTelephony() || st.Duration() < 500*time.Millisecond || st.RMS[0] < 0.01 {
		t.Errorf("TTS file %+v is not 8 kHz mono speech", st)
	}
	if _, err := p.Speak(ctx, "", "您好，请按一键确认。"); err != nil || generated.Load() != 1 {
		t.Errorf("second Speak regenerated (err %v, runs %d)", err, generated.Load())
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "prompts", "tts", ".tmp-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if _, err := p.Speak(ctx, "--help", "x"); err == nil {
		t.Error("a voice that looks like an option was accepted")
	}
}

func TestAudioConvertsUserWAV(t *testing.T) {
	needTool(t, "sox")
	dir := t.TempDir()
	ctx := context.Background()
	stereo := make([]int16, 0, 2*44100)
	for _, v := range Tone(440, time.Second, 44100, 0.5) {
		stereo = append(stereo, v, v/2)
	}
	if err := os.MkdirAll(filepath.Join(dir, "prompts", "welcome"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteWAVFile(filepath.Join(dir, "prompts", "welcome", "hi.wav"), stereo, 44100, 2); err != nil {
		t.Fatal(err)
	}
	if err := WriteWAVFile(filepath.Join(dir, "prompts", "ok.wav"), Tone(440, time.Second, 8000, 0.5), 8000, 1); err != nil {
		t.Fatal(err)
	}
	p := NewPrompts(dir, "", nil)
	got, err := p.File(ctx, outdial.Prompt{Audio: "welcome/hi.wav"}, false)
	if err != nil {
		t.Fatal(err)
	}
	st, err := AnalyzeWAV(got)
	if err != nil {
		t.Fatal(err)
	}
	if !st.IsTelephony() || st.Duration() != time.Second || st.RMS[0] < 0.2 {
		t.Errorf("converted file %+v: want 1 s of 8 kHz mono tone", st)
	}
	if got, _ := p.File(ctx, outdial.Prompt{Audio: "ok.wav"}, false); got != filepath.Join(dir, "prompts", "ok.wav") {
		t.Errorf("a telephony WAV was not played as is: %q", got)
	}
	if _, err := p.File(ctx, outdial.Prompt{Audio: "../secret.wav"}, false); err == nil {
		t.Error("audio outside prompts/ accepted")
	}
	if _, err := p.File(ctx, outdial.Prompt{}, false); err == nil {
		t.Error("empty prompt accepted")
	}
	converted, err := EnsureTelephony(ctx, filepath.Join(dir, "prompts", "welcome", "hi.wav"))
	if err != nil || !converted {
		t.Fatalf("EnsureTelephony = %v, %v", converted, err)
	}
	if info, _ := ReadWAVInfo(filepath.Join(dir, "prompts", "welcome", "hi.wav")); !info.IsTelephony() {
		t.Errorf("EnsureTelephony left %+v", info)
	}
}

func TestParseWAVHeaderSkipsChunks(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("RIFF\x00\x00\x00\x00WAVE")
	b.WriteString("LIST\x03\x00\x00\x00abc\x00") // odd size, padded
	h := wavHeader(8000, 2, 8)
	b.Write(h[12:36])
	b.WriteString("data\xff\xff\xff\xff")
	b.Write(make([]byte, 8))
	info, err := ParseWAVHeader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if info.Channels != 2 || info.SampleRate != 8000 || info.DataSize != 8 || info.Frames() != 2 {
		t.Errorf("info %+v", info)
	}
	if _, err := ParseWAVHeader(bytes.NewReader([]byte("RIFX....WAVE")), 12); err == nil {
		t.Error("RIFX accepted")
	}
}

func TestAnalyzeStereoRMS(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.wav")
	s := make([]int16, 0, 16000)
	for _, v := range Tone(1000, time.Second, 8000, 0.5) {
		s = append(s, v, 0)
	}
	if err := WriteWAVFile(path, s, 8000, 2); err != nil {
		t.Fatal(err)
	}
	st, err := AnalyzeWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Channels != 2 || st.RMS[0] < 0.34 || st.RMS[0] > 0.37 || st.RMS[1] != 0 {
		t.Errorf("stats %+v, want left RMS 0.354 and silent right", st)
	}
}

func FuzzParseWAVHeader(f *testing.F) {
	f.Add(append(wavHeader(8000, 1, 4), 1, 2, 3, 4))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := ParseWAVHeader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		if info.DataOffset+info.DataSize > int64(len(b)) || info.DataSize < 0 {
			t.Fatalf("data %d+%d beyond %d bytes", info.DataOffset, info.DataSize, len(b))
		}
	})
}
