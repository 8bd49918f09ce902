package data

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Errors wrapped by the readers, for errors.Is.
var (
	ErrNotNumber = errors.New("not a number")            // a field that must be numeric is not
	ErrNotFinite = errors.New("not finite")              // a numeric field is NaN, ±Inf or out of range
	ErrMissing   = errors.New("missing value")           // an empty field
	ErrTooLarge  = errors.New("too large")               // beyond a bound: maxCells, maxFileBytes, maxLineBytes, maxIDXBytes
	ErrNoData    = errors.New("no data rows")            // a file without samples
	ErrClasses   = errors.New("need at least 2 classes") // a classification file with one class
	ErrEncoding  = errors.New("invalid UTF-8")           // a label or csv header name that is not UTF-8 text
)

// FileError is a problem with an input file, at a line when Line > 0. Its message reads
// `path:line: column "name": cause` (line and column when known), as compilers do.
type FileError struct {
	Path   string // the file, as given to the reader
	Line   int    // 1-based line number; 0 when the problem is not at one line
	Column string // csv column name, or "" when unknown or not applicable
	Err    error  // the cause
}

func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString(e.Path)
	if e.Line > 0 {
		b.WriteString(":")
		b.WriteString(strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Column != "" {
		fmt.Fprintf(&b, "column %q: ", e.Column)
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *FileError) Unwrap() error { return e.Err }

// parseNumber parses a finite float64, with errors such as `parse "abc": not a number`.
func parseNumber(s string) (float64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, ErrMissing
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
			return 0, fmt.Errorf("parse %q: out of range: %w", t, ErrNotFinite)
		}
		return 0, fmt.Errorf("parse %q: %w", t, ErrNotNumber)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("value %q: %w", t, ErrNotFinite)
	}
	return v, nil
}

// checkLabel checks a class label (trimmed, not empty): it must be valid UTF-8, and not a
// number that is not finite. Such a number is what strconv.ParseFloat reads as NaN or ±Inf, in
// any case ("NaN", "nan", "inf", "-Infinity"), or out of range ("1e999"), and also "+nan" and
// "-nan" (C's printf writes "-nan"), which ParseFloat refuses: so a label that reads as a
// number is refused exactly when a feature would be, and spellings of NaN are refused alike.
// Words that only begin like them ("nano", "info") are labels.
func checkLabel(label string) error {
	const why = "a class label is text or a finite number"
	if !utf8.ValidString(label) {
		return fmt.Errorf("label %q: %w", label, ErrEncoding)
	}
	v, err := strconv.ParseFloat(label, 64)
	t := strings.TrimLeft(label, "+-")
	switch {
	case err == nil && (math.IsNaN(v) || math.IsInf(v, 0)),
		len(label)-len(t) == 1 && strings.EqualFold(t, "nan"):
		return fmt.Errorf("label %q: %w (%s)", label, ErrNotFinite, why)
	case err != nil && errors.Is(err, strconv.ErrRange):
		return fmt.Errorf("label %q: out of range: %w (%s)", label, ErrNotFinite, why)
	}
	return nil
}

// classIndices turns label strings into class indices 0..C−1. The distinct labels are sorted
// (by numeric value when every label is a finite number, else as strings) and numbered from 0,
// so labels that already are the integers 0..C−1 keep their values. Numeric labels with the same
// value ("1", "+1", "1.0") are one class, named by the first spelling met. The labels are
// trimmed of surrounding spaces.
func classIndices(labels []string) (y []float64, names []string) {
	values := make([]float64, len(labels))
	numeric := true
	for i, l := range labels {
		v, err := strconv.ParseFloat(l, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			numeric = false
			break
		}
		values[i] = v
	}
	y = make([]float64, len(labels))
	if numeric {
		first := make(map[float64]string) // −0 and +0 are one key
		for i, v := range values {
			if _, ok := first[v]; !ok {
				first[v] = labels[i]
			}
		}
		keys := make([]float64, 0, len(first))
		for v := range first {
			keys = append(keys, v)
		}
		slices.Sort(keys)
		index := make(map[float64]int, len(keys))
		names = make([]string, len(keys))
		for k, v := range keys {
			index[v] = k
			names[k] = first[v]
		}
		for i, v := range values {
			y[i] = float64(index[v])
		}
		return y, names
	}
	index := make(map[string]int)
	for _, l := range labels {
		index[l] = 0
	}
	names = make([]string, 0, len(index))
	for l := range index {
		names = append(names, l)
	}
	slices.SortFunc(names, cmp.Compare[string])
	for k, l := range names {
		index[l] = k
	}
	for i, l := range labels {
		y[i] = float64(index[l])
	}
	return y, names
}
