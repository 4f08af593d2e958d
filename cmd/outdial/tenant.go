package main

import (
	"context"
	"fmt"
	"github.com/outdial/outdial/internal/app"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/auth"
)

// tenant runs "tenant create NAME" and "tenant token NAME": each prints only a new API
// token on stdout, so that TOKEN=$(outdial tenant create acme) works.
func (m *Main) tenant(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageErrorf("tenant needs a command: create or token")
	}
	sub := args[0]
	if sub != "create" && sub != "token" {
		return usageErrorf("unknown tenant command %q: use create or token", sub)
	}
	fs := m.newFlagSet("tenant "+sub, "tenant "+sub+" NAME [--db URL]", "db")
	cfg, pos, err := m.loadConfig(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("tenant %s needs exactly one NAME", sub)
	}
	store, err := app.OpenStore(ctx, cfg.DB, outdial.SystemClock{})
	if err != nil {
		return err
	}
	defer store.Close()

	var t *outdial.Tenant
	if sub == "create" {
		t = &outdial.Tenant{Name: pos[0], CapPerHour: outdial.DefaultCapPerHour, CapPerDay: outdial.DefaultCapPerDay}
		if err := store.CreateTenant(ctx, t); err != nil {
			return describe(err)
		}
	} else if t, err = tenantByName(ctx, store, pos[0]); err != nil {
		return err
	}
	token, err := auth.Issue(ctx, store, t.ID)
	if err != nil {
		return describe(err)
	}
	_, err = fmt.Fprintln(m.Stdout, token)
	return err
}

// describe turns an outdial error into its plain message for the terminal; other errors
// keep their detail (the terminal is the operator's, not an API caller's).
func describe(err error) error {
	if err == nil {
		return nil
	}
	if code := outdial.ErrorCode(err); code != outdial.EINTERNAL {
		return fmt.Errorf("%s", outdial.ErrorMessage(err))
	}
	return err
}

// tenantByName finds a tenant, with an error that names it when there is none.
func tenantByName(ctx context.Context, s outdial.TenantStore, name string) (*outdial.Tenant, error) {
	t, err := s.TenantByName(ctx, name)
	if outdial.ErrorCode(err) == outdial.ENOTFOUND {
		return nil, fmt.Errorf("no tenant named %q", name)
	}
	return t, err
}
