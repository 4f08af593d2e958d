package app

import (
	"net"
	"strings"

	"github.com/outdial/outdial/internal/engine"
	"github.com/outdial/outdial/internal/recording"
)

// A dialect mounts one API dialect on a server: its routes on Mux, its engine Notifier
// (the callbacks it sends when calls end) and its webhook Format. Each dialect has its
// own file in this package that adds itself to dialects in an init function.
type dialect struct {
	name  string
	mount func(s *Server) error
}

// dialects are mounted in name order by New.
var dialects []dialect

// mountDialects mounts every dialect, before the engine is built (it needs the notifiers).
func (s *Server) mountDialects() error {
	for _, d := range sortedDialects() {
		if err := d.mount(s); err != nil {
			return err
		}
	}
	return nil
}

func sortedDialects() []dialect {
	out := append([]dialect(nil), dialects...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].name < out[j-1].name; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// AddNotifier makes the engine call n for every finished call and task (before Start).
func (s *Server) AddNotifier(n engine.Notifier) { s.notifiers = append(s.notifiers, n) }

// publicURL is the base URL for links given to customers.
func (s *Server) publicURL() string {
	if u := strings.TrimSuffix(s.Config.PublicURL, "/"); u != "" {
		return u
	}
	addr := s.Config.HTTP
	if s.ln != nil {
		addr = s.ln.Addr().String()
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// newLinks builds the recording link signer (its key lives in the data directory).
func (s *Server) newLinks() error {
	key, err := recording.LoadKey(s.DataDir + "/recording.key")
	if err != nil {
		return err
	}
	s.Recordings = &recording.Links{BaseURL: s.publicURL(), Key: key, Clock: s.Clock, Store: s.Store, DataDir: s.DataDir}
	s.Recordings.Register(s.Mux)
	return nil
}
