// Package cmd holds optimbench's Cobra commands: each parses its flags,
// resolves the configuration and calls the internal packages.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/optimbench/optimbench/internal/datasets"
	"github.com/optimbench/optimbench/internal/report"
	"github.com/optimbench/optimbench/internal/train"
	"github.com/optimbench/optimbench/internal/version"
)

// Exit statuses (SPEC §1).
const (
	exitOK       = 0
	exitFailure  = 1
	exitBadInput = 2
)

// Main runs the command line and returns the process exit status. It is the
// only place where errors become exit codes.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, os.Args[1:], os.Stdout, os.Stderr)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCmd(stdout, stderr)
	root.SetArgs(args)
	err := unknownCommand(root, args)
	if err == nil {
		err = root.ExecuteContext(ctx)
	}
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(stderr, "optimbench: "+oneLine(message(err)))
	if errors.Is(err, report.ErrBadInput) {
		return exitBadInput
	}
	return exitFailure
}

// message is err's text with the flag named of an option that was bad: the packages below
// cmd name an option by its field (Metric, Steps), and each such option is set from the flag
// of the same name in lower case (--metric, --steps).
func message(err error) string {
	msg := err.Error()
	var oe *report.OptionError
	if errors.As(err, &oe) {
		msg = strings.Replace(msg, oe.Error(), oe.Text("--"+strings.ToLower(oe.Option)), 1)
	}
	var nf *datasets.NotFoundError
	if errors.As(err, &nf) {
		msg = strings.Replace(msg, nf.Error(), nf.Text("--dir"), 1)
	}
	var me *train.MemoryError
	if errors.As(err, &me) {
		msg = strings.Replace(msg, me.Error(), me.Text("--max-memory"), 1)
	}
	return msg
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// usageError marks a command-line mistake (exit status 2).
func usageError(format string, args ...any) error {
	return report.BadInput(fmt.Errorf(format, args...))
}

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "optimbench",
		Short: "Run stochastic-gradient optimizer experiments",
		Long: `optimbench runs optimizer experiments on empirical-risk-minimization problems:
gradient descent, SGD, momentum, Nesterov, AdaGrad, RMSProp, Adadelta, Adam and
friends, with learning-rate and batch-size schedules, written as YAML configs.`,
		SilenceUsage:               true,
		SilenceErrors:              true,
		SuggestionsMinimumDistance: 2,
		Version:                    version.String(),
		// A root with subcommands and no Args reports an unknown command as a
		// plain error; say it as a usage error instead.
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			return unknownCommandError(cmd, args[0])
		},
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageError("%s %s", cmd.CommandPath(), plainFlagError(err))
	})
	root.SetVersionTemplate("optimbench {{.Version}}\n")
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(
		newCmdTrain(nil),
		newCmdSweep(nil),
		newCmdBenchmark(nil),
		newCmdMerge(nil),
		newCmdData(),
		newCmdLRFind(nil),
		newCmdPlot(nil),
		newCmdReport(nil),
		newCmdVersion(),
		newCmdBench(),
		newCmdCompletion(),
	)
	return root
}

// newCmdCompletion is Cobra's completion command with its shell checked: an unknown shell is
// a usage error, not a help text and exit 0.
func newCmdCompletion() *cobra.Command {
	shells := []string{"bash", "zsh", "fish", "powershell"}
	return &cobra.Command{
		Use:       "completion bash|zsh|fish|powershell",
		Short:     "Print a shell completion script",
		ValidArgs: shells,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 || !slices.Contains(shells, args[0]) {
				return usageError("completion: want one shell of %s, got %q", strings.Join(shells, ", "), strings.Join(args, " "))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			root, w := cmd.Root(), cmd.OutOrStdout()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(w, true)
			case "zsh":
				return root.GenZshCompletion(w)
			case "fish":
				return root.GenFishCompletion(w, true)
			}
			return root.GenPowerShellCompletionWithDesc(w)
		},
	}
}

// flagValueError is pflag's message for a value that does not parse:
// invalid argument "abc" for "--seed" flag: strconv.ParseUint: parsing "abc": invalid syntax.
var flagValueError = regexp.MustCompile(`^invalid argument "(.*)" for "(.*)" flag: strconv\.Parse(\w+): .*?(invalid syntax|value out of range)$`)

// plainFlagError says in plain words what a flag's value must be.
func plainFlagError(err error) string {
	m := flagValueError.FindStringSubmatch(err.Error())
	if m == nil {
		return err.Error()
	}
	value, flag, kind := m[1], m[2], m[3]
	if i := strings.Index(flag, ", "); i >= 0 { // "-s, --seed"
		flag = flag[i+2:]
	}
	want := map[string]string{"Uint": "a whole number >= 0", "Int": "a whole number", "Float": "a number",
		"Bool": "true or false"}[kind]
	if want == "" {
		want = "a " + strings.ToLower(kind)
	}
	if m[4] == "value out of range" {
		return fmt.Sprintf("%s %q: out of range (want %s that fits in 64 bits)", flag, value, want)
	}
	return fmt.Sprintf("%s %q: want %s", flag, value, want)
}

func newCmdVersion() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the optimbench and Go versions",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "optimbench %s (%s)\n", version.String(), version.Go())
			return nil
		},
	}
}

// noArgs is cobra.NoArgs as a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError("%s takes no arguments, got %q", cmd.CommandPath(), args[0])
	}
	return nil
}

func unknownCommandError(root *cobra.Command, name string) error {
	msg := fmt.Sprintf("unknown command %q", name)
	if sug := root.SuggestionsFor(name); len(sug) > 0 {
		msg += fmt.Sprintf(" (did you mean %q?)", sug[0])
	}
	return usageError("%s; run 'optimbench --help' for the commands", msg)
}

// unknownCommand catches a mistyped command before Cobra parses flags, which
// would otherwise report the command's own flags as unknown to the root.
func unknownCommand(root *cobra.Command, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") || strings.HasPrefix(args[0], "__") {
		return nil
	}
	root.InitDefaultHelpCmd()
	if c, _, err := root.Find(args[:1]); err == nil && c != root {
		return nil
	}
	return unknownCommandError(root, args[0])
}
