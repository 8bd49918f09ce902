package data

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
)

// ReadCSV reads a csv file with a header row. target names the label column ("" = last column).
// All other columns must be numeric. If classify, labels are classes: when every label is an
// integer 0..C−1 they are used as is; otherwise the distinct labels are mapped to classes in
// sorted order (numeric order if all numeric, else string order) and Labels records the names.
// If !classify, the target must be numeric.
//
// Details: fields and header names are trimmed of surrounding spaces and a leading UTF-8 byte
// order mark is dropped; empty and blank lines are skipped; every feature and regression target
// must be a finite number (NaN, ±Inf and overflowing values are errors). In classification the
// classes are exactly the distinct labels of the file, numbered in sorted order (so the integers
// 0..C−1 keep their values, and labels 1..K become classes 0..K−1); at least two are required;
// Labels holds their names in class order (also "0".."C−1" when the labels are those integers).
//
// Errors are *FileError values naming the file, the 1-based line and the column:
// `iris.csv:17: column "petal_width": parse "abc": not a number`. ReadCSV never panics.
func ReadCSV(path, target string, classify bool) (*Set, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, ioError(path, err)
	}
	defer f.Close()
	return readCSV(path, f, target, classify)
}

func readCSV(path string, r io.Reader, target string, classify bool) (*Set, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = true

	rec, err := cr.Read()
	if err == io.EOF {
		return nil, &FileError{Path: path, Err: errors.New("empty file (no header row)")}
	}
	if err != nil {
		return nil, csvError(path, err)
	}
	headerLine, _ := cr.FieldPos(0)
	header := make([]string, len(rec))
	for j, h := range rec {
		header[j] = strings.TrimSpace(h)
	}
	header[0] = strings.TrimSpace(strings.TrimPrefix(header[0], "\ufeff"))
	if len(header) < 2 {
		return nil, &FileError{Path: path, Line: headerLine,
			Err: fmt.Errorf("header has %d column, need at least one feature and the target", len(header))}
	}
	t := len(header) - 1
	if target != "" {
		t = -1
		count := 0
		for j, h := range header {
			if h == target {
				t = j
				count++
			}
		}
		switch {
		case count == 0:
			return nil, &FileError{Path: path,
				Err: fmt.Errorf("target column %q not found (columns: %s)", target, strings.Join(header, ", "))}
		case count > 1:
			return nil, &FileError{Path: path, Line: headerLine,
				Err: fmt.Errorf("target column %q appears %d times", target, count)}
		}
	}
	features := slices.Delete(slices.Clone(header), t, t+1)
	d := len(features)

	var (
		x      []float64
		y      []float64
		labels []string
		n      int
	)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(path, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
				continue // a blank line
			}
			return nil, &FileError{Path: path, Line: line,
				Err: fmt.Errorf("%d fields, header has %d", len(rec), len(header))}
		}
		for j, field := range rec {
			if j == t {
				continue
			}
			v, err := parseNumber(field)
			if err != nil {
				l, _ := cr.FieldPos(j)
				return nil, &FileError{Path: path, Line: l, Column: header[j], Err: err}
			}
			x = append(x, v)
		}
		if classify {
			label := strings.TrimSpace(rec[t])
			if label == "" {
				l, _ := cr.FieldPos(t)
				return nil, &FileError{Path: path, Line: l, Column: header[t], Err: ErrMissing}
			}
			labels = append(labels, strings.Clone(label)) // rec's strings share one line buffer
		} else {
			v, err := parseNumber(rec[t])
			if err != nil {
				l, _ := cr.FieldPos(t)
				return nil, &FileError{Path: path, Line: l, Column: header[t], Err: err}
			}
			y = append(y, v)
		}
		n++
	}
	if n == 0 {
		return nil, &FileError{Path: path, Err: ErrNoData}
	}
	s := &Set{X: x, Y: y, N: n, D: d, Features: features}
	if classify {
		if err := s.setClasses(labels); err != nil {
			return nil, &FileError{Path: path, Column: header[t], Err: err}
		}
	}
	return s, nil
}

// setClasses sets Y, Classes and Labels from the label strings of every row.
func (s *Set) setClasses(labels []string) error {
	y, names := classIndices(labels)
	if len(names) < 2 {
		return fmt.Errorf("%w, found 1 (%q)", ErrClasses, names[0])
	}
	s.Y, s.Classes, s.Labels = y, len(names), names
	return nil
}

// csvError converts an error of encoding/csv into a *FileError.
func csvError(path string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &FileError{Path: path, Line: pe.Line, Err: pe.Err}
	}
	return ioError(path, err)
}

// ioError converts an I/O error into a *FileError without repeating the path.
func ioError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &FileError{Path: path, Err: fmt.Errorf("%s: %w", pe.Op, pe.Err)}
	}
	return &FileError{Path: path, Err: err}
}
