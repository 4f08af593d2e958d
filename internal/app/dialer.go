package app

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/api/native"
	"github.com/outdial/outdial/internal/engine"
	"github.com/outdial/outdial/internal/telephony/sim"
	"github.com/outdial/outdial/internal/telephony/sipua"
)

// SimProfile is how the simulated carrier (telephony "sim") behaves: most calls answer
// after a few seconds of ringing and talk for a few seconds; some are busy, unanswered,
// invalid or fail.
var SimProfile = sim.Profile{Busy: 0.10, NoAnswer: 0.10, Invalid: 0.03, Failure: 0.02,
	SetupMin: 200 * time.Millisecond, SetupMax: time.Second, RingMin: time.Second, RingMax: 4 * time.Second,
	TalkMin: 3 * time.Second, TalkMax: 10 * time.Second, CustomerHangs: 0.5, Seed: time.Now().UnixNano()}

// buildDialer creates telephony (per Config.Telephony, unless Options gave one) and the
// engine that dials through it.
func (s *Server) buildDialer() error {
	cfg := s.Config
	orig := s.opts.Originator
	record := false
	switch {
	case orig != nil:
	case cfg.Telephony == "sim":
		orig = sim.New(s.Clock, SimProfile.Faster(cfg.Sim.Speedup))
	default:
		lines := &lineCache{store: s.Store, log: s.Logger}
		ua, err := sipua.New(sipua.Config{ListenAddr: cfg.SIP.Listen, ExternalHost: cfg.SIP.ExternalHost,
			RTPPortMin: cfg.SIP.RTPPortMin, RTPPortMax: cfg.SIP.RTPPortMax, DataDir: cfg.Data, Voice: cfg.SIP.Voice,
			Logger: s.Logger.With(slog.String("component", "sip")), Lines: lines.get})
		if err != nil {
			return fmt.Errorf("sip: %w", err)
		}
		s.OnClose(func(context.Context) error { return ua.Close() })
		orig, record = ua, true
	}
	s.Telephony = orig
	hooks := native.NewNotifier(s.Store, s.Clock, s.Logger.With(slog.String("component", "webhooks")))
	hooks.Wake = s.Dispatcher.Wake
	s.Engine = engine.New(engine.Config{Store: s.Store, Originator: orig, Clock: s.Clock, IDs: s.CallIDs,
		NodeID: strconv.Itoa(cfg.NodeID), Logger: s.Logger.With(slog.String("component", "engine")),
		Metrics: engine.NewMetrics(s.Registry), Record: record, Notifiers: append([]engine.Notifier{hooks}, s.notifiers...),
		Observe: hooks.Observe, Started: hooks.CallStarted, Written: s.Dispatcher.Wake})
	s.Tasks.Wake = s.Engine.Wake
	s.Tasks.Notify = hooks.TaskChanged
	return nil
}

// startEngine runs the engine until Close: Close stops new calls, lets live calls end
// within the shutdown context, then hangs up what is left.
func (s *Server) startEngine() {
	runCtx, stop := context.WithCancel(context.Background())
	drainCtx, hangup := context.WithCancel(context.Background())
	s.engineStop, s.engineDrain, s.engineDone = stop, hangup, make(chan error, 1)
	go func() { s.engineDone <- s.Engine.Run(runCtx, drainCtx) }()
	s.OnClose(func(ctx context.Context) error {
		stop()
		deadline, bounded := ctx.Deadline()
		if !bounded {
			return <-s.engineDone // no deadline: live calls end by themselves
		}
		// Live calls may end by themselves until shortly before the deadline; then they
		// are hung up, and the rest of the time goes to their BYEs and outcomes. What is
		// not written by the deadline is recovered at this node's next start.
		grace := min(3*time.Second, time.Until(deadline)/3)
		hangupAt := time.NewTimer(time.Until(deadline) - grace)
		defer hangupAt.Stop()
		select {
		case err := <-s.engineDone:
			return err
		case <-hangupAt.C:
		}
		s.Logger.Warn("shutdown: hanging up live calls")
		hangup()
		select {
		case err := <-s.engineDone:
			return err
		case <-ctx.Done():
			return fmt.Errorf("engine: calls or outcomes still pending at the shutdown deadline; they are recovered at the next start")
		}
	})
}

// HangUp cuts every live call now (a second signal during shutdown).
func (s *Server) HangUp() {
	if s.engineDrain != nil {
		s.engineDrain()
	}
}

// lineCache answers telephony's question "which lines are ours?" from memory, refreshed
// from the store at most every few seconds.
type lineCache struct {
	store interface {
		AllLines(ctx context.Context) ([]*outdial.Line, error)
	}
	log *slog.Logger

	mu    sync.Mutex
	lines []*outdial.Line
	at    time.Time
}

func (c *lineCache) get() []*outdial.Line {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.at) < 5*time.Second {
		return c.lines
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	lines, err := c.store.AllLines(ctx)
	if err != nil {
		c.log.Warn("sip: cannot read lines", slog.Any("err", err))
		return c.lines
	}
	c.lines, c.at = lines, time.Now()
	return lines
}
