package config

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/optimbench/optimbench/internal/param"
	"github.com/optimbench/optimbench/internal/report"
	suggestpkg "github.com/optimbench/optimbench/internal/suggest"
)

// ConfigError is a bad configuration value, reported with the file and the dotted key path at
// fault: `config adam.yaml: optimizer.lr: must be >= 0, got -1`. It matches
// report.ErrBadInput.
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

// Is makes every ConfigError match report.ErrBadInput.
func (e *ConfigError) Is(target error) bool { return target == report.ErrBadInput }

// Section is one mapping of the configuration being decoded. It remembers
// which keys were read so that the rest can be reported as unknown.
type Section struct {
	file string
	path string // dotted path of this mapping, "" at the top
	m    map[string]any
}

func NewSection(file, path string, v any) (*Section, error) {
	s := &Section{file: file, path: path}
	switch m := v.(type) {
	case nil:
		s.m = map[string]any{}
	case map[string]any:
		s.m = m
	default:
		return nil, s.Errf("", "must be a mapping, got %s", Describe(v))
	}
	return s, nil
}

func (s *Section) key(k string) string {
	if s.path == "" {
		return k
	}
	if k == "" {
		return s.path
	}
	return s.path + "." + k
}

func (s *Section) Errf(k, format string, args ...any) error {
	return &ConfigError{File: s.file, Key: s.key(k), Msg: fmt.Sprintf(format, args...)}
}

func (s *Section) Has(k string) bool {
	v, ok := s.m[k]
	return ok && v != nil
}

// CheckKeys rejects keys outside allowed. notHere says why a key that exists
// elsewhere in the schema (for example another optimizer's) does
// not apply here.
func (s *Section) CheckKeys(allowed []string, notHere func(k string) string) error {
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
				return s.Errf(k, "%s", why)
			}
		}
		if sug := suggest(k, allowed); sug != "" {
			return s.Errf(k, "unknown key (did you mean %q?)", sug)
		}
		return s.Errf(k, "unknown key (valid keys: %s)", strings.Join(allowed, ", "))
	}
	return nil
}

// Get returns the raw value of key k (nil when absent).
func (s *Section) Get(k string) any { return s.m[k] }

// without returns a copy of s without key k (the keys a decoder takes out before the rest
// is decoded against a table).
func (s *Section) without(k string) *Section {
	rest := &Section{file: s.file, path: s.path, m: maps.Clone(s.m)}
	delete(rest.m, k)
	return rest
}

// Keys returns the keys of the mapping, sorted.
func (s *Section) Keys() []string {
	keys := make([]string, 0, len(s.m))
	for k := range s.m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Sub returns the mapping under key k (an empty one when absent); a value that is not a
// mapping is an error.
func (s *Section) Sub(k string) (*Section, error) {
	sub, err := NewSection(s.file, s.key(k), s.m[k])
	if err != nil {
		return nil, err
	}
	return sub, nil
}

func (s *Section) Str(k, def string) (string, error) {
	v, ok := s.m[k]
	if !ok || v == nil {
		return def, nil
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case bool, int, int64, uint64, float64:
		return "", s.Errf(k, "must be a string, got %v", x)
	}
	return "", s.Errf(k, "must be a string, got %s", Describe(v))
}

func (s *Section) Float(k string, def float64) (float64, error) {
	v, ok := s.m[k]
	if !ok || v == nil {
		return def, nil
	}
	f, ok := toFloat(v)
	if !ok {
		return 0, s.Errf(k, "must be a number, got %s", Describe(v))
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, s.Errf(k, "must be finite, got %v", f)
	}
	return f, nil
}

func (s *Section) Int(k string, def int) (int, error) {
	v, ok := s.m[k]
	if !ok || v == nil {
		return def, nil
	}
	n, ok := toInt(v)
	if !ok {
		return 0, s.Errf(k, "must be an integer, got %s", Describe(v))
	}
	return n, nil
}

func (s *Section) Bool(k string, def bool) (bool, error) {
	v, ok := s.m[k]
	if !ok || v == nil {
		return def, nil
	}
	b, ok := v.(bool)
	if !ok {
		return false, s.Errf(k, "must be true or false, got %s", Describe(v))
	}
	return b, nil
}

func (s *Section) List(k string) ([]any, bool, error) {
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
	return nil, false, s.Errf(k, "must be a list, got %s", Describe(v))
}

func (s *Section) Floats(k string, def []float64) ([]float64, error) {
	l, ok, err := s.List(k)
	if err != nil || !ok {
		return def, err
	}
	out := make([]float64, len(l))
	for i, v := range l {
		f, ok := toFloat(v)
		if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, s.Errf(k, "element %d must be a finite number, got %s", i, Describe(v))
		}
		out[i] = f
	}
	return out, nil
}

func (s *Section) Ints(k string, def []int) ([]int, error) {
	l, ok, err := s.List(k)
	if err != nil || !ok {
		return def, err
	}
	out := make([]int, len(l))
	for i, v := range l {
		n, ok := toInt(v)
		if !ok {
			return nil, s.Errf(k, "element %d must be an integer, got %s", i, Describe(v))
		}
		out[i] = n
	}
	return out, nil
}

// toSeed converts a seed value: an integer in [0, 2^64).
func ToSeed(v any) (uint64, bool) {
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
func (s *Section) Seed(k string, def uint64) (uint64, error) {
	v, ok := s.m[k]
	if !ok || v == nil {
		return def, nil
	}
	n, ok := ToSeed(v)
	if !ok {
		return 0, s.Errf(k, "must be an integer in [0, 2^64), got %s", Describe(v))
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

func Describe(v any) string {
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
func (s *Section) OneOf(k, v string, names []string) error {
	for _, n := range names {
		if v == n {
			return nil
		}
	}
	if sug := suggest(v, names); sug != "" {
		return s.Errf(k, "unknown value %q (did you mean %q?)", v, sug)
	}
	return s.Errf(k, "unknown value %q (want one of %s)", v, strings.Join(names, ", "))
}

// value decodes key spec.Key of s against its spec: its type, then its range and choices.
// An absent key takes the plain default (nil when the default is derived or the key is
// required). what names the choice the block made, for "required for source csv".
func (s *Section) value(spec param.Spec, what string) (any, error) {
	k := spec.Key
	if !s.Has(k) || (spec.Required() && spec.Type == param.String && s.m[k] == "") {
		if spec.Required() {
			return nil, s.Errf(k, "required for %s", what)
		}
		return spec.Default, nil
	}
	var v any
	var err error
	switch spec.Type {
	case param.Float:
		v, err = s.Float(k, 0)
	case param.Int:
		v, err = s.Int(k, 0)
	case param.Bool:
		v, err = s.Bool(k, false)
	case param.String:
		v, err = s.Str(k, "")
	case param.Enum:
		var name string
		if name, err = s.Str(k, ""); err == nil {
			err = s.OneOf(k, name, spec.Choices)
		}
		v = name
	case param.Ints:
		v, err = s.Ints(k, nil)
	case param.Floats:
		v, err = s.Floats(k, nil)
	case param.Schedules:
		v, err = s.schedules(k)
	case param.BatchSize:
		if str, ok := s.m[k].(string); ok {
			if str != "full" {
				return nil, s.Errf(k, "must be a positive integer or full, got %q", str)
			}
			return str, nil
		}
		n, ierr := s.Int(k, 0)
		if ierr != nil {
			return nil, s.Errf(k, "must be a positive integer or full, got %s", Describe(s.m[k]))
		}
		if n < 1 {
			return nil, s.Errf(k, "must be >= 1 or full, got %d", n)
		}
		return n, nil
	default:
		panic(fmt.Sprintf("config: key %s has type %v", k, spec.Type))
	}
	if err != nil {
		return nil, err
	}
	if err := spec.Check(v); err != nil {
		var ve *param.ValueError
		if errors.As(err, &ve) {
			return nil, s.Errf(k, "must be %s, got %s", ve.Want, describeValue(v))
		}
		return nil, s.Errf(k, "%v", err)
	}
	return v, nil
}

// describeValue writes a decoded value for a message: lists as YAML writes them.
func describeValue(v any) string {
	switch v.(type) {
	case []int, []float64:
		return param.Format(v)
	}
	return Describe(v)
}
