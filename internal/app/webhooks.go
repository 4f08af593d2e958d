package app

import (
	"context"
	"log/slog"
	"strconv"

	"github.com/outdial/outdial/internal/webhook"
)

// buildDispatcher creates the webhook dispatcher that delivers the outbox in every
// registered format (the native one here; the dialects register theirs).
func (s *Server) buildDispatcher() {
	s.Formats.Register(webhook.Native{})
	allow := s.Config.Webhooks.AllowPrivate
	s.Dispatcher = webhook.New(webhook.Config{Node: strconv.Itoa(s.Config.NodeID), Store: s.Store, Formats: s.Formats, Clock: s.Clock,
		Logger: s.Logger.With(slog.String("component", "webhooks")), ReadTimeout: s.Config.Webhooks.Timeout, Retention: s.Config.Webhooks.Retention,
		Guard: webhook.Guard{AllowLoopback: allow, AllowPrivate: allow}, Registerer: s.Registry})
}

// startDispatcher delivers webhooks until Close; Close lets deliveries in flight end
// within the shutdown context (what is left is delivered after the next start).
func (s *Server) startDispatcher() {
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Dispatcher.Run(ctx) }()
	s.OnClose(func(sctx context.Context) error {
		stop()
		select {
		case err := <-done:
			return err
		case <-sctx.Done():
			return nil
		}
	})
}
