// Command outdial is the outbound calling platform in one binary: the server (serve), its
// database migrations (migrate), tenant tokens (tenant) and contact imports (import).
// Run "outdial help" for the subcommands and "outdial serve -h" for the settings.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/outdial/outdial/internal/app"
	"io"
	"os"
	"runtime"
)

// version is set at build time: go build -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	m := NewMain()
	os.Exit(m.Run(context.Background(), os.Args[1:]))
}

// Main is one run of the outdial program. Its fields are the outside world, so tests run
// the real program in-process with their own streams, environment and signals.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads the environment (OUTDIAL_* settings).
	Getenv func(string) string
	// Environ lists the environment, to warn about OUTDIAL_* variables that are no
	// setting (nil: none are checked).
	Environ func() []string
	// Signals, if set, is where serve learns of SIGINT and SIGTERM: the first shuts it
	// down gracefully, a second exits at once through Exit. nil means the process's own.
	Signals <-chan os.Signal
	// Exit ends the process on a second signal (os.Exit by default).
	Exit func(code int)
	// Started, if set, is called with the server once serve is listening (tests).
	Started func(*app.Server)

	hangup func() // cuts live calls (a second signal)
}

// NewMain returns a Main on the process's streams and environment.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Environ: os.Environ, Exit: os.Exit}
}

// errUsage marks a command line that cannot be run; the exit status is 2. Its message is
// shown with the usage; an empty message means the usage was shown already.
type errUsage struct{ msg string }

func (e *errUsage) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &errUsage{msg: fmt.Sprintf(format, args...)}
}

const usage = `outdial is an outbound calling platform.

Usage:
  outdial demo [--once] [flags]                  run the server, the carrier simulator and a sample task
  outdial serve [flags]                          run the server (API, /healthz, /metrics)
  outdial carrier-sim [--listen HOST:PORT]       run the SIP carrier simulator alone
  outdial migrate [--db URL]                     apply the database migrations and exit
  outdial tenant create NAME [--db URL]          create a tenant; print its API token
  outdial tenant token NAME [--db URL]           issue another token for a tenant
  outdial import --tenant NAME --batch ID [--format csv|xlsx|json] FILE|-
                                                 import contacts (CSV, XLSX or JSON) into a batch
  outdial version                                print the version
  outdial help                                   print this help

Every setting is a flag, an OUTDIAL_* environment variable and a key of the --config file
(YAML or TOML); see "outdial serve -h" and README.md.
`

// Run runs the command line args (without the program name) and returns the exit status:
// 0 on success, 1 when the command failed, 2 when the command line is wrong.
func (m *Main) Run(ctx context.Context, args []string) int {
	if m.Getenv == nil {
		m.Getenv = os.Getenv
	}
	if m.Exit == nil {
		m.Exit = os.Exit
	}
	err := m.run(ctx, args)
	var u *errUsage
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &u):
		if u.msg != "" {
			fmt.Fprintf(m.Stderr, "outdial: %s\n\n%s", u.msg, usage)
		}
		return 2
	}
	fmt.Fprintf(m.Stderr, "outdial: %v\n", err)
	return 1
}

func (m *Main) run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageErrorf("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return m.serve(ctx, rest)
	case "demo":
		return m.demo(ctx, rest)
	case "carrier-sim":
		return m.carrierSim(ctx, rest)
	case "migrate":
		return m.migrate(ctx, rest)
	case "tenant":
		return m.tenant(ctx, rest)
	case "import":
		return m.importContacts(ctx, rest)
	case "version", "--version", "-version":
		fmt.Fprintf(m.Stdout, "outdial %s %s %s/%s\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return nil
	case "help", "-h", "--help", "-help":
		fmt.Fprint(m.Stdout, usage) // asked for: on stdout, exit 0 (outdial help | less)
		return nil
	}
	return usageErrorf("unknown command %q", cmd)
}
