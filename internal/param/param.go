// Package param is the vocabulary of optimbench's configuration schema. A Spec declares one
// configuration key once: its type, default, valid range and a one-line description. The
// packages that implement optimizers, schedules, models and data sources list their keys as
// Specs; internal/config decodes, validates, writes, hashes and documents every configuration
// by iterating over those lists, and Values carries the decoded values to the code that uses
// them.
package param

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Type is the type of a key's value, and so the Go type it has in Values.
type Type int

// The types of configuration values. The Go type each one has in Values is in its comment.
const (
	Float     Type = iota // float64
	Int                   // int
	Bool                  // bool
	String                // string
	Enum                  // string, one of Spec.Choices
	Ints                  // []int
	Floats                // []float64
	BatchSize             // int, or the string "full"
	// Schedules is a list of schedule mappings (sequential's schedules): []Values, each
	// with the schedule's "name", its "warmup" when set and the keys it sets, which their
	// owner (internal/sched) validates.
	Schedules
)

// String names the type as the documentation does.
func (t Type) String() string {
	switch t {
	case Float:
		return "number"
	case Int:
		return "integer"
	case Bool:
		return "bool"
	case String:
		return "string"
	case Enum:
		return "name"
	case Ints:
		return "list of integers"
	case Floats:
		return "list of numbers"
	case BatchSize:
		return "integer or full"
	case Schedules:
		return "list of schedules"
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

// holds reports whether v has the Go type of t.
func (t Type) holds(v any) bool {
	switch v.(type) {
	case float64:
		return t == Float
	case int:
		return t == Int || t == BatchSize
	case bool:
		return t == Bool
	case string:
		return t == String || t == Enum || t == BatchSize
	case []int:
		return t == Ints
	case []float64:
		return t == Floats
	case []Values:
		return t == Schedules
	}
	return false
}

// article is what a value of type t must be, for messages: "a number", "true or false".
func (t Type) article() string {
	switch t {
	case Float:
		return "a number"
	case Int:
		return "an integer"
	case Bool:
		return "true or false"
	case String, Enum:
		return "a string"
	case Ints:
		return "a list of integers"
	case Floats:
		return "a list of numbers"
	case BatchSize:
		return "a positive integer or full"
	case Schedules:
		return "a list of schedule mappings"
	}
	return t.String()
}

// Spec declares one configuration key.
type Spec struct {
	Key  string
	Type Type
	// Default is the value when the key is absent, of the Go type of Type. When it is nil,
	// Derived says how the owner derives the default from the rest of the configuration (the
	// run length, lr/10, …); with both empty the key is required.
	Default any
	Derived string
	// Range bounds a Float or Int value, and every element of Ints and Floats.
	Range Range
	// Choices are the values an Enum may take.
	Choices []string
	// NonEmpty requires Ints and Floats to list at least one element.
	NonEmpty bool
	// When, if set, tells whether the key applies, given the values of the keys listed before
	// it in the same block: "" when it does, otherwise why not, as in "does not apply to
	// generator linear".
	When func(v Values) string
	// OmitIfDefault leaves the key out of the resolved config.yaml (and so of the content
	// hash and the run id) while it has its default: for keys added after configurations were
	// run, so that those runs keep their ids. A key with a Derived default that its owner
	// leaves unset until it is used (half_cycle_down, plateau's monitor) is left out while
	// absent.
	OmitIfDefault bool
	// Doc is one line for the documentation.
	Doc string
}

// Required reports whether the key has no default at all.
func (s Spec) Required() bool { return s.Default == nil && s.Derived == "" }

// DefaultText is the default as the documentation shows it.
func (s Spec) DefaultText() string {
	switch {
	case s.Default == "":
		return `""`
	case s.Default != nil:
		return Format(s.Default)
	case s.Derived != "":
		return s.Derived
	}
	return "required"
}

// Check validates a value of the key's Go type: its range, its choices, its length. The error
// is a *ValueError naming the key.
func (s Spec) Check(v any) error {
	bad := func(want string) error { return &ValueError{Key: s.Key, Want: want, Got: v} }
	if !s.Type.holds(v) {
		return bad(s.Type.article())
	}
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return bad("finite")
		}
		if !s.Range.Contains(x) {
			return bad(s.Range.String())
		}
	case int:
		if !s.Range.Contains(float64(x)) {
			return bad(s.Range.String())
		}
	case string:
		if s.Type == Enum && !contains(s.Choices, x) {
			return bad("one of " + strings.Join(s.Choices, ", "))
		}
		if s.Type == BatchSize && x != "full" {
			return bad("a positive integer or full")
		}
	case []int:
		if s.NonEmpty && len(x) == 0 {
			return bad("a list of at least one integer")
		}
		for _, e := range x {
			if !s.Range.Contains(float64(e)) {
				return &ValueError{Key: s.Key, Want: "a list of integers " + s.Range.String(), Got: v}
			}
		}
	case []Values:
		if s.NonEmpty && len(x) == 0 {
			return bad("a list of at least one schedule")
		}
	case []float64:
		if s.NonEmpty && len(x) == 0 {
			return bad("a list of at least one number")
		}
		for _, e := range x {
			if math.IsNaN(e) || math.IsInf(e, 0) || !s.Range.Contains(e) {
				return &ValueError{Key: s.Key, Want: "a list of finite numbers " + s.Range.String(), Got: v}
			}
		}
	}
	return nil
}

// ValueError is a value outside what its Spec allows: "beta2: must be in [0, 1), got 1".
type ValueError struct {
	Key  string
	Want string // what the value must be, such as "in [0, 1)" or ">= 0"
	Got  any
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("%s: must be %s, got %s", e.Key, e.Want, Format(e.Got))
}

// Range is an interval of allowed numbers; the zero Range allows every number.
type Range struct {
	Lo, Hi         float64
	HasLo, HasHi   bool
	LoOpen, HiOpen bool // the bound itself is excluded
}

// AtLeast is [x, ∞).
func AtLeast(x float64) Range { return Range{Lo: x, HasLo: true} }

// Above is (x, ∞).
func Above(x float64) Range { return Range{Lo: x, HasLo: true, LoOpen: true} }

// Interval is the interval from lo to hi, each end open or closed.
func Interval(lo, hi float64, loOpen, hiOpen bool) Range {
	return Range{Lo: lo, Hi: hi, HasLo: true, HasHi: true, LoOpen: loOpen, HiOpen: hiOpen}
}

// Contains reports whether x lies in r.
func (r Range) Contains(x float64) bool {
	if r.HasLo && (x < r.Lo || r.LoOpen && x == r.Lo) {
		return false
	}
	if r.HasHi && (x > r.Hi || r.HiOpen && x == r.Hi) {
		return false
	}
	return !math.IsNaN(x)
}

// String is the range as the messages and the documentation write it: ">= 0", "> 1",
// "in [0, 1)"; "" for no bound.
func (r Range) String() string {
	num := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	switch {
	case r.HasLo && r.HasHi:
		open, close := "[", "]"
		if r.LoOpen {
			open = "("
		}
		if r.HiOpen {
			close = ")"
		}
		return "in " + open + num(r.Lo) + ", " + num(r.Hi) + close
	case r.HasLo && r.LoOpen:
		return "> " + num(r.Lo)
	case r.HasLo:
		return ">= " + num(r.Lo)
	case r.HasHi && r.HiOpen:
		return "< " + num(r.Hi)
	case r.HasHi:
		return "<= " + num(r.Hi)
	}
	return ""
}

// Values holds decoded configuration values by key, each of the Go type of its Spec's Type.
// The getters panic when the key is missing or has another type: a programmer error, since
// the configuration was decoded against the same Specs.
type Values map[string]any

// Float returns a Float value.
func (v Values) Float(key string) float64 { return get[float64](v, key) }

// Int returns an Int value.
func (v Values) Int(key string) int { return get[int](v, key) }

// Bool returns a Bool value.
func (v Values) Bool(key string) bool { return get[bool](v, key) }

// String returns a String or Enum value.
func (v Values) String(key string) string { return get[string](v, key) }

// Ints returns an Ints value.
func (v Values) Ints(key string) []int { return get[[]int](v, key) }

// Floats returns a Floats value.
func (v Values) Floats(key string) []float64 { return get[[]float64](v, key) }

// Schedules returns a Schedules value.
func (v Values) Schedules(key string) []Values { return get[[]Values](v, key) }

func get[T any](v Values, key string) T {
	x, ok := v[key].(T)
	if !ok {
		var zero T
		panic(fmt.Sprintf("param: key %q is %T, want %T", key, v[key], zero))
	}
	return x
}

// Defaults returns the values of the specs that have a plain default.
func Defaults(specs []Spec) Values {
	v := make(Values, len(specs))
	for _, s := range specs {
		if s.Default != nil {
			v[s.Key] = s.Default
		}
	}
	return v
}

// Keys lists the specs' keys in order.
func Keys(specs []Spec) []string {
	keys := make([]string, len(specs))
	for i, s := range specs {
		keys[i] = s.Key
	}
	return keys
}

// Find returns the spec of key, or nil.
func Find(specs []Spec, key string) *Spec {
	for i := range specs {
		if specs[i].Key == key {
			return &specs[i]
		}
	}
	return nil
}

// Format writes a value as results.csv and the messages show it: numbers in full precision,
// lists as [1,2], mappings as {a: 1, b: 2} with their keys sorted.
func Format(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case []int:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = strconv.Itoa(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case []float64:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = strconv.FormatFloat(e, 'g', -1, 64)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = Format(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case Values:
		return Format(map[string]any(x))
	case []Values:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = Format(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ": " + Format(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
