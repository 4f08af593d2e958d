package media

import (
	"context"
	"sync"
	"time"
)

// inflight runs one generation per key at a time; callers asking for a key that is being
// generated wait for that run's result instead of starting their own.
type inflight struct {
	mu sync.Mutex
	m  map[string]*flight
}

type flight struct {
	done chan struct{}
	err  error
}

// generationTimeout bounds one generation, whichever caller started it.
const generationTimeout = 60 * time.Second

// do runs fn for key unless a run is under way, then waits for it or for ctx. The run
// itself does not stop when the caller that started it gives up, so the others still
// get the file.
func (g *inflight) do(ctx context.Context, key string, fn func(context.Context) error) error {
	g.mu.Lock()
	if g.m == nil {
		g.m = make(map[string]*flight)
	}
	f, ok := g.m[key]
	if !ok {
		f = &flight{done: make(chan struct{})}
		g.m[key] = f
		go func() {
			runCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), generationTimeout)
			defer cancel()
			f.err = fn(runCtx)
			g.mu.Lock()
			delete(g.m, key)
			g.mu.Unlock()
			close(f.done)
		}()
	}
	g.mu.Unlock()
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}
