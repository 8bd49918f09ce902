package experiment

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	suggestpkg "github.com/optimbench/optimbench/internal/suggest"
)

// ErrBadInput marks every error caused by what the user gave: a configuration,
// a flag or a data file. Commands exit with status 2 for it (SPEC §1).
var ErrBadInput = errors.New("bad input")

// ConfigError is a bad configuration value, reported with the file and the
// dotted key path at fault: `config adam.yaml: optimizer.lr: must be > 0, got -1`.
type ConfigError struct {
	File string // the configuration file, "" for an inline configuration
	Key  string // dotted key path, "" for the document as a whole
	Msg  string
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString("config")
	if e.File != "" {
		b.WriteString(" " + e.File)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Is makes every ConfigError match ErrBadInput.
func (e *ConfigError) Is(target error) bool { return target == ErrBadInput }

// InputError wraps a data or usage error so that it matches ErrBadInput.
type InputError struct{ Err error }

func (e *InputError) Error() string        { return e.Err.Error() }
func (e *InputError) Unwrap() error        { return e.Err }
func (e *InputError) Is(target error) bool { return target == ErrBadInput }

// BadInput marks err as caused by the user's input (exit status 2).
func BadInput(err error) error {
	if err == nil || errors.Is(err, ErrBadInput) {
		return err
	}
	return &InputError{err}
}

// section is one mapping of the configuration being decoded. It remembers
// which keys were read so that the rest can be reported as unknown.
type section struct {
	file string
	path string // dotted path of this mapping, "" at the top
	m    map[string]any
}

func newSection(file, path string, v any) (*section, error) {
	s := &section{file: file, path: path}
	switch m := v.(type) {
	case nil:
		s.m = map[string]any{}
	case map[string]any:
		s.m = m
	default:
		return nil, s.errf("", "must be a mapping, got %s", describe(v))
	}
	return s, nil
}

func (s *section) key(k string) string {
	if s.path == "" {
		return k
	}
	if k == "" {
		return s.path
	}
	return s.path + "." + k
}

func (s *section) errf(k, format string, args ...any) error {
	return &ConfigError{File: s.file, Key: s.key(k), Msg: fmt.Sprintf(format, args...)}
}

func (s *section) has(k string) bool {
	v, ok := s.m[k]
	return ok && v != nil
}

// checkKeys rejects keys outside allowed. other lists keys that exist
// elsewhere in the schema (for example another optimizer's) and why they do
// not apply here.
func (s *section) checkKeys(allowed []string, notHere func(k string) string) error {
	ok := make(map[string]bool, len(allowed))
	for _, k := range allowed {
		ok[k] = true
	}
	keys := make([]string, 0, len(s.m))
	for k := range s.m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if ok[k] {
			continue
		}
		if notHere != nil {
			if why := notHere(k); why != "" {
				return s.errf(k, "%s", why)
			}
		}
		if sug := suggest(k, allowed); sug != "" {
			return s.errf(k, "unknown key (did you mean %q?)", sug)
		}
		return s.errf(k, "unknown key (valid keys: %s)", strings.Join(allowed, ", "))
	}
	return nil
}

func (s *section) sub(k string) (*section, error) {
	sub, err := newSection(s.file, s.key(k), s.m[k])
	if err != nil {
		return nil, err
	}
	return sub, nil
}

func (s *section) str(k, def string) (string, error) {
	v, ok := s.m[k]
	if !ok || v == nil {
		return def, nil
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case bool, int, int64, uint64, float64:
		return "", s.errf(k, "must be a string, got %v", x)
	}
	return "", s.errf(k, "must be a string, got %s", describe(v))
}

func (s *section) float(k string, def float64) (float64, error) {
	v, ok := s.m[k]
	if !ok || v == nil {
		return def, nil
	}
	f, ok := toFloat(v)
	if !ok {
		return 0, s.errf(k, "must be a number, got %s", describe(v))
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, s.errf(k, "must be finite, got %v", f)
	}
	return f, nil
}

func (s *section) int(k string, def int) (int, error) {
	v, ok := s.m[k]
	if !ok || v == nil {
		return def, nil
	}
	n, ok := toInt(v)
	if !ok {
		return 0, s.errf(k, "must be an integer, got %s", describe(v))
	}
	return n, nil
}

func (s *section) bool(k string, def bool) (bool, error) {
	v, ok := s.m[k]
	if !ok || v == nil {
		return def, nil
	}
	b, ok := v.(bool)
	if !ok {
		return false, s.errf(k, "must be true or false, got %s", describe(v))
	}
	return b, nil
}

func (s *section) list(k string) ([]any, bool, error) {
	v, ok := s.m[k]
	if !ok || v == nil {
		return nil, false, nil
	}
	switch x := v.(type) {
	case []any:
		return x, true, nil
	case int, int64, uint64, float64:
		return []any{x}, true, nil // a lone number is a one-element list
	}
	return nil, false, s.errf(k, "must be a list, got %s", describe(v))
}

func (s *section) floats(k string, def []float64) ([]float64, error) {
	l, ok, err := s.list(k)
	if err != nil || !ok {
		return def, err
	}
	out := make([]float64, len(l))
	for i, v := range l {
		f, ok := toFloat(v)
		if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, s.errf(k, "element %d must be a finite number, got %s", i, describe(v))
		}
		out[i] = f
	}
	return out, nil
}

func (s *section) ints(k string, def []int) ([]int, error) {
	l, ok, err := s.list(k)
	if err != nil || !ok {
		return def, err
	}
	out := make([]int, len(l))
	for i, v := range l {
		n, ok := toInt(v)
		if !ok {
			return nil, s.errf(k, "element %d must be an integer, got %s", i, describe(v))
		}
		out[i] = n
	}
	return out, nil
}

// toSeed converts a seed value: an integer in [0, 2^64).
func toSeed(v any) (uint64, bool) {
	switch x := v.(type) {
	case uint64:
		return x, true
	case string:
		n, err := strconv.ParseUint(strings.TrimSpace(x), 10, 64)
		return n, err == nil
	case float64:
		if x != math.Trunc(x) || x < 0 || x >= 1<<64 {
			return 0, false
		}
		return uint64(x), true
	}
	n, ok := toInt(v)
	return uint64(n), ok && n >= 0
}

// seed reads a seed key (SPEC §2: a uint64).
func (s *section) seed(k string, def uint64) (uint64, error) {
	v, ok := s.m[k]
	if !ok || v == nil {
		return def, nil
	}
	n, ok := toSeed(v)
	if !ok {
		return 0, s.errf(k, "must be an integer in [0, 2^64), got %s", describe(v))
	}
	return n, nil
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	case string:
		// Viper hands environment-like overrides through as strings; YAML
		// itself never does for numbers.
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}

func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int64:
		return int(x), true
	case uint64:
		if x > math.MaxInt64 {
			return 0, false
		}
		return int(x), true
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return 0, false
		}
		return int(x), true
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(x))
		return n, err == nil
	}
	return 0, false
}

func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing"
	case string:
		return strconv.Quote(x)
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case bool, int, int64, uint64, float64:
		return fmt.Sprint(x)
	}
	return fmt.Sprintf("%v", v)
}

// suggest returns the candidate closest to k, if it is close enough to be a
// likely typo.
func suggest(k string, candidates []string) string { return suggestpkg.Closest(k, candidates) }

// oneOf checks that v is one of names, with a suggestion when it is not.
func (s *section) oneOf(k, v string, names []string) error {
	for _, n := range names {
		if v == n {
			return nil
		}
	}
	if sug := suggest(v, names); sug != "" {
		return s.errf(k, "unknown value %q (did you mean %q?)", v, sug)
	}
	return s.errf(k, "unknown value %q (want one of %s)", v, strings.Join(names, ", "))
}
