package main

import (
	"fmt"

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
	if m.Environ != nil {
		for _, k := range config.UnknownEnv(m.Environ()) {
			fmt.Fprintf(m.Stderr, "outdial: warning: %s is not a setting and is ignored (see outdial serve -h)\n", k)
		}
	}
	return cfg, pos, err
}
