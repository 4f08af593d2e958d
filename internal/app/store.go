package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/config"
	"github.com/outdial/outdial/internal/store/postgres"
	"github.com/outdial/outdial/internal/store/sqlite"
	"github.com/outdial/outdial/internal/store/sqlstore"
)

// OpenStore opens the database db names (see config.ParseDB) and applies its embedded
// migrations. The caller closes the store.
func OpenStore(ctx context.Context, db string, clock outdial.Clock) (*sqlstore.Store, error) {
	kind, target, err := config.ParseDB(db)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	switch kind {
	case config.Postgres:
		return postgres.Open(ctx, target, clock)
	default:
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return nil, fmt.Errorf("database: %w", err)
		}
		return sqlite.Open(ctx, target, clock)
	}
}
