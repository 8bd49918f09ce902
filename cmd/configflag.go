package cmd

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

// configFlag is the value of --config: a file name given at most once. pflag's string flag
// keeps the last of several, so that `-c a.yaml -c b.yaml` would run b.yaml without a word.
type configFlag struct {
	file *string
	set  bool
}

// configTwiceError is a second --config.
type configTwiceError struct{ first, second string }

func (e *configTwiceError) Error() string {
	return fmt.Sprintf("--config given twice: %s and %s", fileName(e.first), fileName(e.second))
}

// fileName is name, or "" quoted when it is empty.
func fileName(name string) string {
	if name == "" {
		return `""`
	}
	return name
}

func (f *configFlag) String() string {
	if f.file == nil {
		return ""
	}
	return *f.file
}

func (f *configFlag) Set(s string) error {
	if f.set {
		return &configTwiceError{*f.file, s}
	}
	*f.file, f.set = s, true
	return nil
}

func (f *configFlag) Type() string { return "string" }

// configVar registers --config (-c) on cmd, the file stored in p. A second --config is a
// usage error of its own words (`train: --config given twice: a.yaml and b.yaml`) rather than
// pflag's "invalid argument" wording: cmd's flag errors are handed to the parent's handler
// (the root's) otherwise.
func configVar(cmd *cobra.Command, p *string, usage string) {
	cmd.Flags().VarP(&configFlag{file: p}, "config", "c", usage)
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		var twice *configTwiceError
		if errors.As(err, &twice) {
			return usageError("%s: %v", c.Name(), twice)
		}
		if c.HasParent() {
			return c.Parent().FlagErrorFunc()(c, err)
		}
		return err
	})
}
