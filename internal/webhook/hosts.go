package webhook

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
)

// host is the deliveries of one URL host: at most PerEndpoint in flight, the rest queued.
type host struct {
	active int
	queue  []*delivery
	// stalled: a message waited longer than StallAfter; new ones for this host are left
	// to their lease instead of queuing, until one of its deliveries ends.
	stalled bool
}

// dispatch starts dl if its host has a free slot, or queues it; it reports false when
// dl's host is stalled and dl is left to its lease.
func (l *loop) dispatch(dl *delivery) bool {
	h := l.hosts[dl.host]
	if h == nil {
		h = &host{}
		l.hosts[dl.host] = h
	}
	switch {
	case h.active < l.d.cfg.PerEndpoint && l.inflight < l.d.cfg.Workers:
		l.start(h, dl)
	case h.stalled:
		// Left to its lease: the host is not answering, and others must not wait for it.
		return false
	default:
		h.queue = append(h.queue, dl)
		l.waiting++
	}
	return true
}

func (l *loop) start(h *host, dl *delivery) {
	h.active++
	l.inflight++
	go l.d.attempt(dl)
}

// finished frees dl's slots and starts what waited for them: first the next delivery to
// the same host, then any other host's.
func (l *loop) finished(dl *delivery) {
	l.inflight--
	h := l.hosts[dl.host]
	h.active--
	h.stalled = false
	l.startQueued(h)
	if l.inflight < l.d.cfg.Workers && l.waiting > 0 {
		for _, other := range l.hosts {
			l.startQueued(other)
			if l.inflight >= l.d.cfg.Workers {
				break
			}
		}
	}
	if h.active == 0 && len(h.queue) == 0 {
		delete(l.hosts, dl.host)
	}
}

// startQueued starts h's queued deliveries while it and the pool have free slots.
func (l *loop) startQueued(h *host) {
	for len(h.queue) > 0 && h.active < l.d.cfg.PerEndpoint && l.inflight < l.d.cfg.Workers {
		next := h.queue[0]
		h.queue[0] = nil
		h.queue = h.queue[1:]
		l.waiting--
		l.start(h, next)
	}
}

// releaseStalled gives the messages of hosts that keep them waiting back to the outbox
// (they return when their lease ends), so a hanging receiver holds no one else up.
func (l *loop) releaseStalled() {
	if l.waiting == 0 {
		return
	}
	limit := l.d.cfg.Clock.Now().Add(-l.d.cfg.StallAfter)
	for name, h := range l.hosts {
		if len(h.queue) == 0 || h.queue[0].queuedAt.After(limit) {
			continue
		}
		l.d.log.LogAttrs(context.Background(), slog.LevelWarn, "webhook: host is slow; its waiting deliveries retry after their lease",
			slog.String("host", name), slog.Int("waiting", len(h.queue)), slog.Duration("lease", l.d.cfg.Lease))
		l.waiting -= len(h.queue)
		h.queue = nil
		h.stalled = true
	}
}

// hostOf is the per-endpoint key of a URL: its host and port, lower case.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}
