package media

// Security/robustness review tests (independent review). See the review report.

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestReviewSecFramesSubByteSamples: WAVInfo.Frames divides by Channels*Bits/8, which is
// 0 for samples narrower than a byte. IMA ADPCM WAVs (format 0x11, the usual "compressed
// WAV" of IVR prompt tools) declare 4 bits per sample, so ReadWAVInfo of such a file
// followed by Duration() panics with an integer divide by zero.
func TestSecFramesSubByteSamples(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "adpcm.wav")
	h := make([]byte, 0, 64)
	le32 := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
	le16 := func(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
	data := make([]byte, 256)
	h = append(h, "RIFF"...)
	h = append(h, le32(uint32(4+8+20+8+len(data)))...)
	h = append(h, "WAVEfmt "...)
	h = append(h, le32(20)...)
	h = append(h, le16(0x11)...) // IMA ADPCM
	h = append(h, le16(1)...)
	h = append(h, le32(8000)...)
	h = append(h, le32(4055)...)
	h = append(h, le16(256)...)
	h = append(h, le16(4)...) // 4 bits per sample
	h = append(h, le16(2)...)
	h = append(h, le16(505)...)
	h = append(h, "data"...)
	h = append(h, le32(uint32(len(data)))...)
	if err := os.WriteFile(path, append(h, data...), 0o600); err != nil {
		t.Fatal(err)
	}
	info, err := ReadWAVInfo(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("WAVInfo%+v.Duration() panicked: %v; want 0 or an estimate, never a panic", info, p)
		}
	}()
	_ = info.Frames()
	_ = info.Duration()
}

// TestReviewSecSpeakOptionLikeText is a passing check kept as evidence: a prompt text
// that looks like espeak-ng options goes on stdin, never on the command line, so it is
// spoken, not obeyed (no file named by -w appears).
func TestSecSpeakOptionLikeText(t *testing.T) {
	if testing.Short() {
		t.Skip("needs espeak-ng and sox")
	}
	for _, tool := range []string{"espeak-ng", "sox"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	dir := t.TempDir()
	p := NewPrompts(dir, "en", nil)
	evil := filepath.Join(dir, "pwned.wav")
	f, err := p.Speak(t.Context(), "", "-w "+evil+" --stdout hello")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(evil); err == nil {
		t.Fatalf("espeak-ng obeyed options in the text")
	}
	if info, err := ReadWAVInfo(f); err != nil || !info.IsTelephony() {
		t.Fatalf("tts output %v %v", info, err)
	}
	if _, err := p.Speak(t.Context(), "-w/tmp/x", "hello"); err == nil {
		t.Fatalf("a voice starting with '-' was accepted")
	}
}
