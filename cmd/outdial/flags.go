package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/outdial/outdial/internal/config"
)

// flagSet is a subcommand's flags, the configuration settings among them.
type flagSet struct {
	*flag.FlagSet
	settings *config.Flags
}

// newFlagSet returns the flag set of a subcommand whose usage line is synopsis, with
// --config and the flags of the settings named by keys (all settings when none is).
func (m *Main) newFlagSet(name, synopsis string, keys ...string) *flagSet {
	fs := flag.NewFlagSet("outdial "+name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: outdial %s\n\nFlags:\n", synopsis)
		printFlags(fs)
	}
	return &flagSet{FlagSet: fs, settings: config.AddFlags(fs, keys...)}
}

// parseArgs parses args with fs, letting flags come after the positional arguments too
// ("tenant create acme --db x"), and returns the positional arguments. A bad flag is an
// *errUsage (the flag package has printed why); -h is flag.ErrHelp.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &errUsage{}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		// The flag package stops at the first positional argument, or after "--": an
		// argument that looks like a flag here came after "--", and so does the rest.
		if strings.HasPrefix(args[0], "-") && args[0] != "-" {
			return append(pos, args...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// printFlags lists fs's flags as "--name type", then the usage and the default.
func printFlags(fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		typ, usage := flag.UnquoteUsage(f)
		if t, ok := f.Value.(interface{ Type() string }); ok {
			typ = t.Type()
		}
		if typ == "bool" {
			typ = ""
		}
		line := "  --" + f.Name
		if typ != "" {
			line += " " + typ
		}
		if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" {
			usage += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(fs.Output(), "%s\n    \t%s\n", line, usage)
	})
}
