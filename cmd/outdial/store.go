package main

import (
	"github.com/outdial/outdial/internal/config"
)

// loadConfig parses a subcommand's flags (registered by config.AddFlags) and loads the
// configuration; it returns the positional arguments too.
func (m *Main) loadConfig(fs *flagSet, args []string) (config.Config, []string, error) {
	pos, err := parseArgs(fs.FlagSet, args)
	if err != nil {
		return config.Config{}, nil, err
	}
	cfg, err := fs.settings.Load(m.Getenv)
	return cfg, pos, err
}
