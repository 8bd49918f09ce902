package report

import (
	"errors"
	"strings"
)

// ErrBadInput marks every error caused by what the user gave: a configuration, a flag or a
// data file. Commands exit with status 2 for it (SPEC §1).
var ErrBadInput = errors.New("bad input")

// InputError wraps a data or usage error so that it matches ErrBadInput.
type InputError struct{ Err error }

func (e *InputError) Error() string        { return e.Err.Error() }
func (e *InputError) Unwrap() error        { return e.Err }
func (e *InputError) Is(target error) bool { return target == ErrBadInput }

// BadInput marks err as caused by the user's input (exit status 2). nil stays nil.
func BadInput(err error) error {
	if err == nil || errors.Is(err, ErrBadInput) {
		return err
	}
	return &InputError{err}
}

// OptionError is a bad value of an option — a field of an options struct, such as
// plot.Options.Metric or train.LRFindOptions.Steps — that the command line sets from a flag.
// The packages below the command line do not know the flags; cmd names the flag of Option in
// the message it shows.
type OptionError struct {
	Scope  string // what the message starts with: "plot", "lrfind"
	Option string // the option's field name: Metric, X, Steps
	Msg    string // what is wrong, following the option's name (and value)
}

func (e *OptionError) Error() string { return e.Text(strings.ToLower(e.Option)) }

// Text is the message with the option called name (the command line passes its flag):
// "plot: --metric loss: no such column".
func (e *OptionError) Text(name string) string {
	if !strings.HasPrefix(e.Msg, ":") {
		name += " "
	}
	return e.Scope + ": " + name + e.Msg
}

// Is makes an OptionError match ErrBadInput.
func (e *OptionError) Is(target error) bool { return target == ErrBadInput }
