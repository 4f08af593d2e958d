package app

import (
	"log/slog"

	"github.com/outdial/outdial/internal/api/groupcall"
)

// The groupcall dialect (internal/api/groupcall): POST /api.php?r=groupcall/..., the
// per-contact callback through the outbox, and its webhook format.
func init() {
	dialects = append(dialects, dialect{name: groupcall.FormatName, mount: func(s *Server) error {
		log := s.Logger.With(slog.String("api", "groupcall"))
		groupcall.New(groupcall.Config{Store: s.apiStore, Importer: s.Importer, Tasks: s.Tasks, Clock: s.Clock,
			Logger: log, Recordings: s.Recordings}).Register(s.Mux)
		s.AddNotifier(groupcall.NewNotifier(s.Store, s.Clock, log))
		s.Formats.Register(groupcall.Format{})
		return nil
	}})
}
