// Command fanzha is the anti-fraud centre's operations platform: one binary
// with subcommands for the server, the demo county, migrations, users,
// imports and benchmarks. Run "fanzha help" for the list.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// command is one subcommand. Files of this package register theirs in init.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string) error
}

var commands = map[string]command{}

func register(name, summary string, run func(ctx context.Context, args []string) error) {
	if _, dup := commands[name]; dup {
		panic("duplicate command " + name)
	}
	commands[name] = command{name: name, summary: summary, run: run}
}

// errUsage marks an error caused by wrong arguments (exit status 2).
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:]))
}

func run(ctx context.Context, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage()
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(os.Stderr, "fanzha: unknown command %q\n\n", args[0])
		usage()
		return 2
	}
	if err := c.run(ctx, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(os.Stderr, "fanzha %s: %v\n", c.name, err)
		if errors.Is(err, errUsage) {
			return 2
		}
		return 1
	}
	return 0
}

func usage() {
	fmt.Fprintln(os.Stderr, "fanzha — the anti-fraud centre's operations platform (反诈中心业务平台)")
	fmt.Fprintln(os.Stderr, "\nUsage: fanzha <command> [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(os.Stderr, "\nRun \"fanzha <command> -h\" for the flags of a command. Every flag can also be set by an")
	fmt.Fprintln(os.Stderr, "environment variable FANZHA_<FLAG> (upper case, '-' as '_'), e.g. FANZHA_ADDR, FANZHA_DB.")
}

// newFlags makes a flag set for a subcommand whose defaults can be
// overridden by FANZHA_* environment variables (applied by parseFlags).
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("fanzha "+name, flag.ContinueOnError)
	return fs
}

// parseFlags applies FANZHA_* environment variables, then the command line
// (which wins).
func parseFlags(fs *flag.FlagSet, args []string) error {
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		env := "FANZHA_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok {
			if err := f.Value.Set(v); err != nil && envErr == nil {
				envErr = fmt.Errorf("%w: %s=%q: %v", errUsage, env, v, err)
			}
		}
	})
	if envErr != nil {
		return envErr
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}
