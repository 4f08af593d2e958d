package media

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ConvertToTelephony converts src (any file sox reads) into an 8 kHz mono 16-bit PCM WAV
// at dst. It writes a temporary file next to dst and renames it, so readers never see
// a partial file. It needs the sox command.
func ConvertToTelephony(ctx context.Context, src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("media: convert %s: %w", src, err)
	}
	tmp, err := tempPath(dst)
	if err != nil {
		return fmt.Errorf("media: convert %s: %w", src, err)
	}
	defer os.Remove(tmp) // no-op after the rename
	if err := run(ctx, nil, "sox", "-q", "-V1", src, "-t", "wav", "-r", "8000", "-c", "1",
		"-b", "16", "-e", "signed-integer", tmp); err != nil {
		return fmt.Errorf("media: convert %s: %w", src, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("media: convert %s: %w", src, err)
	}
	return nil
}

// EnsureTelephony checks the WAV file at path and converts it in place to 8 kHz mono
// 16-bit PCM when it is in another format. It reports whether it converted the file.
func EnsureTelephony(ctx context.Context, path string) (bool, error) {
	info, err := ReadWAVInfo(path)
	if err == nil && info.IsTelephony() {
		return false, nil
	}
	if err := ConvertToTelephony(ctx, path, path); err != nil {
		return false, err
	}
	return true, nil
}

// tempPath returns an unused file name in dst's directory, ending in .wav (sox picks
// the output type from it).
func tempPath(dst string) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(dst), ".tmp-*.wav")
	if err != nil {
		return "", err
	}
	name := f.Name()
	return name, f.Close()
}

// run executes a command (no shell), feeding stdin, and wraps its stderr into the error.
func run(ctx context.Context, stdin []byte, name string, args ...string) error {
	path, err := exec.LookPath(name)
	if err != nil {
		return fmt.Errorf("%s is not installed (apt-get install %s): %w", name, name, err)
	}
	cmd := exec.CommandContext(ctx, path, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 300 {
			msg = msg[:300]
		}
		return fmt.Errorf("%s: %w: %s", name, err, msg)
	}
	return nil
}
