package main

import (
	"context"
	"fmt"
	"github.com/outdial/outdial/internal/app"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/config"
)

// migrate applies the embedded migrations to the database and exits; opening the store
// does it.
func (m *Main) migrate(ctx context.Context, args []string) error {
	fs := m.newFlagSet("migrate", "migrate [--db URL]", "db")
	cfg, pos, err := m.loadConfig(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("migrate takes no arguments, got %q", pos[0])
	}
	store, err := app.OpenStore(ctx, cfg.DB, outdial.SystemClock{})
	if err != nil {
		return err
	}
	if err := store.Close(); err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "outdial: migrations applied to %s\n", config.RedactURL(cfg.DB))
	return nil
}
