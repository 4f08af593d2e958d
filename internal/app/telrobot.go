package app

import (
	"log/slog"

	"github.com/outdial/outdial/internal/api/telrobot"
)

// The telrobot dialect (internal/api/telrobot): the REST routes under /v1, the hangup
// notification to a task's call_notify_url through the outbox, and its webhook format.
func init() {
	dialects = append(dialects, dialect{name: telrobot.FormatName, mount: func(s *Server) error {
		telrobot.New(telrobot.Config{Store: s.apiStore, Importer: s.Importer, Tasks: s.Tasks, Clock: s.Clock,
			Logger: s.Logger.With(slog.String("api", "telrobot")), BaseURL: s.Config.PublicURL}).Register(s.Mux)
		s.AddNotifier(telrobot.Notifier{Links: s.Recordings})
		s.Formats.Register(telrobot.Format{Links: s.Recordings})
		return nil
	}})
}
