package app

import (
	"crypto/hmac"
	"crypto/sha256"
	"log/slog"

	"github.com/outdial/outdial/internal/api/autocall"
)

func init() { dialects = append(dialects, dialect{name: "autocall", mount: mountAutocall}) }

// mountAutocall mounts the autocall dialect (seed 002): CDR search under /api/v1/cdr/,
// the CDR push notifier and its webhook format. Its searchAfter cursors are signed with a
// key derived from the recording link key, so nodes that share recording links (the
// data directory's recording.key) also accept each other's cursors.
func mountAutocall(s *Server) error {
	m := hmac.New(sha256.New, s.Recordings.Key)
	m.Write([]byte("autocall searchAfter cursor key"))
	h := autocall.New(autocall.Config{Store: s.apiStore, CursorKey: m.Sum(nil), Links: s.Recordings, Clock: s.Clock,
		Logger: s.Logger.With(slog.String("api", "autocall"))})
	h.Register(s.Mux)
	s.AddNotifier(h.Notifier())
	s.Formats.Register(h.Format())
	return nil
}
