package data

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"unicode/utf8"
)

// ReadCSV reads a csv file with a header row. target names the label column ("" = last column).
// All other columns must be numeric. If classify, labels are classes: when every label is an
// integer 0..C−1 they are used as is; otherwise the distinct labels are mapped to classes in
// sorted order (numeric order if all numeric, else string order) and Labels records the names.
// If !classify, the target must be numeric.
//
// Details: fields and header names are trimmed of surrounding spaces and a leading UTF-8 byte
// order mark is dropped; header names must be valid UTF-8 and distinct (after trimming); empty
// and blank lines are skipped; every feature and regression target must be a finite number (NaN,
// ±Inf and overflowing values are errors). In classification the classes are exactly the
// distinct labels of the file, numbered in sorted order (so the integers 0..C−1 keep their
// values, and labels 1..K become classes 0..K−1); at least two are required; Labels holds their
// names in class order (also "0".."C−1" when the labels are those integers).
//
// A class label is any text that is valid UTF-8, or a finite number. A label that reads as a
// number that is not finite is an error, as it would be for a feature, not a class: every
// spelling strconv.ParseFloat reads as NaN or ±Inf, whatever its case ("NaN", "nan", "NAN",
// "inf", "+Inf", "-infinity"), an overflowing number ("1e999"), and "+nan" and "-nan" (as C's
// printf writes a NaN). Words that only begin like them ("nano", "info") are text labels.
//
// The file must be a regular file (a named pipe or a device such as /dev/zero is refused at
// once) of at most maxFileBytes (1 GiB), with records of at most maxLineBytes (16 MiB): both
// are enforced while reading, and the errors, wrapping ErrTooLarge, name them. So is maxCells
// (2²⁸ values): rows × features may not exceed it.
//
// Errors are *FileError values naming the file, the 1-based line and the column:
// `iris.csv:17: column "petal_width": parse "abc": not a number`. ReadCSV never panics.
func ReadCSV(path, target string, classify bool) (*Set, error) {
	return ReadCSVContext(context.Background(), path, target, classify)
}

// ReadCSVContext is [ReadCSV] that stops soon after ctx is done: it checks ctx before opening
// the file and before every read of 64 KiB of it, and then returns a *FileError naming the file
// that wraps ctx.Err() (errors.Is(err, context.Canceled)).
func ReadCSVContext(ctx context.Context, path, target string, classify bool) (*Set, error) {
	if err := ctx.Err(); err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	f, _, err := openRegular(path, "a data file", true)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readCSV(ctx, path, f, target, classify)
}

// csvReader holds the state of readCSV: the csv reader, the header and the place of the
// target in it, and the values of the records read so far.
type csvReader struct {
	path       string
	cr         *csv.Reader
	lr         *lineReader // cr's input: bounds each record, and the file
	classify   bool
	header     []string // column names, trimmed
	headerLine int      // line of the header row
	t          int      // index of the target column in header
	x, y       []float64
	labels     []string // label strings (classify)
	n          int      // records read
}

// newCSVReader returns a csv reader of the records of r, a file called path, as ReadCSV reads
// them, bounded by a lineReader (to be marked after each record) and stopping when ctx is done.
func newCSVReader(ctx context.Context, path string, r io.Reader) (*csv.Reader, *lineReader) {
	lr := newLineReader(ctx, path, r)
	cr := csv.NewReader(lr)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = true
	return cr, lr
}

// readCSV reads a csv stream named path (for errors): see ReadCSV.
func readCSV(ctx context.Context, path string, r io.Reader, target string, classify bool) (*Set, error) {
	cr, lr := newCSVReader(ctx, path, r)
	p := &csvReader{path: path, cr: cr, lr: lr, classify: classify}

	if err := p.readHeader(); err != nil {
		return nil, err
	}
	if err := p.findTarget(target); err != nil {
		return nil, err
	}
	features := slices.Delete(slices.Clone(p.header), p.t, p.t+1)
	if err := p.readRecords(); err != nil {
		return nil, err
	}
	if p.n == 0 {
		return nil, &FileError{Path: path, Err: ErrNoData}
	}
	if err := ctx.Err(); err != nil { // before the classes are sorted out
		return nil, &FileError{Path: path, Err: err}
	}
	s := &Set{X: p.x, Y: p.y, N: p.n, D: len(features), Features: features}
	if classify {
		if err := s.setClasses(p.labels); err != nil {
			return nil, &FileError{Path: path, Column: p.header[p.t], Err: err}
		}
	}
	return s, nil
}

// read reads the next record, and marks the start of the following one.
func (p *csvReader) read() ([]string, error) {
	rec, err := p.cr.Read()
	p.lr.mark()
	return rec, err
}

// readHeader reads the header row: its names, trimmed and without a byte order mark, and its
// line. It must name at least two columns, in valid UTF-8, each once.
func (p *csvReader) readHeader() error {
	rec, err := p.read()
	if err == io.EOF {
		return &FileError{Path: p.path, Err: errors.New("empty file (no header row)")}
	}
	if err != nil {
		return csvError(p.path, err)
	}
	p.headerLine, _ = p.cr.FieldPos(0)
	p.header = make([]string, len(rec))
	for j, h := range rec {
		p.header[j] = strings.TrimSpace(h)
	}
	p.header[0] = strings.TrimSpace(strings.TrimPrefix(p.header[0], "\ufeff"))
	if len(p.header) < 2 {
		return p.headerError(fmt.Errorf("header has %d column, need at least one feature and the target", len(p.header)))
	}
	first := make(map[string]int, len(p.header)) // name → its column
	for j, h := range p.header {
		if !utf8.ValidString(h) {
			return p.headerError(fmt.Errorf("header column %d %q: %w", j+1, h, ErrEncoding))
		}
		if i, ok := first[h]; ok {
			return p.headerError(fmt.Errorf("column %q appears twice (columns %d and %d)", h, i+1, j+1))
		}
		first[h] = j
	}
	return nil
}

// headerError is a *FileError at the header row.
func (p *csvReader) headerError(err error) error {
	return &FileError{Path: p.path, Line: p.headerLine, Err: err}
}

// findTarget sets t to the column named target (header names are distinct), or to the last
// column when target is "".
func (p *csvReader) findTarget(target string) error {
	p.t = len(p.header) - 1
	if target == "" {
		return nil
	}
	if p.t = slices.Index(p.header, target); p.t < 0 {
		return &FileError{Path: p.path,
			Err: fmt.Errorf("target column %q not found (columns: %s)", target, strings.Join(p.header, ", "))}
	}
	return nil
}

// readRecords reads the records after the header up to the end of the stream.
func (p *csvReader) readRecords() error {
	for {
		rec, err := p.read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return csvError(p.path, err)
		}
		if err := p.addRecord(rec); err != nil {
			return err
		}
	}
}

// addRecord adds one record: its features to x and its target to y or labels. A blank line
// (a record of one empty field) adds nothing.
func (p *csvReader) addRecord(rec []string) error {
	if len(rec) != len(p.header) {
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			return nil // a blank line
		}
		line, _ := p.cr.FieldPos(0)
		return &FileError{Path: p.path, Line: line,
			Err: fmt.Errorf("%d fields, header has %d", len(rec), len(p.header))}
	}
	if d := len(p.header) - 1; p.n >= maxCells/d {
		line, _ := p.cr.FieldPos(0)
		return &FileError{Path: p.path, Line: line,
			Err: fmt.Errorf("%d rows × %d features: %w (at most %d values)", p.n+1, d, ErrTooLarge, maxCells)}
	}
	for j, field := range rec {
		if j == p.t {
			continue
		}
		v, err := parseNumber(field)
		if err != nil {
			return p.fieldError(j, err)
		}
		p.x = append(p.x, v)
	}
	if err := p.addTarget(rec[p.t]); err != nil {
		return err
	}
	p.n++
	return nil
}

// addTarget adds the target field of a record: a non-empty label when classifying, else a
// finite number.
func (p *csvReader) addTarget(field string) error {
	if p.classify {
		label := strings.TrimSpace(field)
		if label == "" {
			return p.fieldError(p.t, ErrMissing)
		}
		if err := checkLabel(label); err != nil {
			return p.fieldError(p.t, err)
		}
		p.labels = append(p.labels, strings.Clone(label)) // the record's strings share one line buffer
		return nil
	}
	v, err := parseNumber(field)
	if err != nil {
		return p.fieldError(p.t, err)
	}
	p.y = append(p.y, v)
	return nil
}

// fieldError is a *FileError for field j of the current record, at the line where it starts.
func (p *csvReader) fieldError(j int, err error) error {
	line, _ := p.cr.FieldPos(j)
	return &FileError{Path: p.path, Line: line, Column: p.header[j], Err: err}
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

// ioError converts an I/O error into a *FileError without repeating the path (a *FileError,
// from a lineReader, is returned as it is).
func ioError(path string, err error) error {
	var fe *FileError
	if errors.As(err, &fe) {
		return fe
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &FileError{Path: path, Err: fmt.Errorf("%s: %w", pe.Op, pe.Err)}
	}
	return &FileError{Path: path, Err: err}
}
