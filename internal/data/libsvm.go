package data

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ReadLibSVM reads `label idx:val ...` lines (1-based increasing indices, dense result with
// D = max index; '#' comments allowed), labels handled as in ReadCSV (heart_scale's +1/−1 become
// classes 0, 1 with Labels ["-1", "+1"]).
//
// Details: fields are separated by any white space; everything from '#' to the end of a line is
// a comment; blank lines are skipped; svmlight's `qid:n` tokens are skipped; indices must be
// strictly increasing within a line; absent features are 0; values and regression labels must be
// finite numbers; class labels must be valid UTF-8 and not a number that is not finite (as in
// ReadCSV: "nan", "-Inf", "1e999" are errors, not classes). The file must be a regular file of
// at most maxFileBytes, with lines of at most maxLineBytes, and rows × features at most
// maxCells, as for ReadCSV. Errors are *FileError values naming the file and the 1-based line:
// `heart.txt:7: feature index 3: not increasing (after 5)`. ReadLibSVM never panics.
func ReadLibSVM(path string, classify bool) (*Set, error) {
	return ReadLibSVMContext(context.Background(), path, classify)
}

// ReadLibSVMContext is [ReadLibSVM] that stops soon after ctx is done, as [ReadCSVContext]
// does: the error is a *FileError naming the file that wraps ctx.Err().
func ReadLibSVMContext(ctx context.Context, path string, classify bool) (*Set, error) {
	if err := ctx.Err(); err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	f, _, err := openRegular(path, "a data file", true)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLibSVM(ctx, path, f, classify)
}

// libsvmReader holds the state of readLibSVM while it reads a file line by line: the entries
// read so far, in a sparse layout, and the current line for errors.
type libsvmReader struct {
	path     string
	classify bool
	rowStart []int     // row i's entries are idx[rowStart[i]:rowStart[i+1]]
	idx      []int     // 0-based feature index of each entry
	val      []float64 // value of each entry
	y        []float64 // regression labels (!classify)
	labels   []string  // label strings (classify)
	d        int       // largest feature index seen, the D of the set
	line     int       // 1-based number of the current line
}

// readLibSVM reads a libsvm stream named path (for errors): see ReadLibSVM.
func readLibSVM(ctx context.Context, path string, r io.Reader, classify bool) (*Set, error) {
	p := &libsvmReader{path: path, classify: classify, rowStart: []int{0}}
	if err := p.readLines(newLineReader(ctx, path, r)); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil { // before the dense set is built
		return nil, &FileError{Path: path, Err: err}
	}
	return p.set()
}

// fail returns a *FileError at the current line.
func (p *libsvmReader) fail(format string, args ...any) error {
	return &FileError{Path: p.path, Line: p.line, Err: fmt.Errorf(format, args...)}
}

// readLines reads every line of lr, adding a row for each line that holds more than white
// space and a comment.
func (p *libsvmReader) readLines(lr *lineReader) error {
	for {
		b, err := lr.readLine()
		if err != nil && err != io.EOF {
			return ioError(p.path, err)
		}
		if len(b) == 0 && err == io.EOF {
			return nil
		}
		p.line++
		if rerr := p.addLine(b); rerr != nil {
			return rerr
		}
		if err == io.EOF {
			return nil
		}
	}
}

// addLine adds the row of line b, unless it holds only white space and a comment.
func (p *libsvmReader) addLine(b []byte) error {
	if i := bytes.IndexByte(b, '#'); i >= 0 {
		b = b[:i]
	}
	if fields := strings.Fields(string(b)); len(fields) > 0 {
		return p.addRow(fields)
	}
	return nil
}

// addRow adds the row of one line, split in fields: the label, then `idx:val` tokens (and
// svmlight's `qid:n`, skipped).
func (p *libsvmReader) addRow(fields []string) error {
	if err := p.addLabel(fields[0]); err != nil {
		return err
	}
	prev := 0
	for _, tok := range fields[1:] {
		k, vs, ok := strings.Cut(tok, ":")
		if !ok {
			return p.fail("token %q: missing ':'", tok)
		}
		if k == "qid" {
			continue
		}
		j, err := p.featureIndex(k, prev)
		if err != nil {
			return err
		}
		v, err := parseNumber(vs)
		if err != nil {
			return p.fail("feature index %d: %w", j, err)
		}
		prev = j
		p.d = max(p.d, j)
		p.idx = append(p.idx, j-1)
		p.val = append(p.val, v)
	}
	p.rowStart = append(p.rowStart, len(p.idx))
	if n := len(p.rowStart) - 1; n > maxCells/max(p.d, 1) {
		return p.tooManyCells(n) // refused now rather than at the end of the file
	}
	return nil
}

// addLabel records the label of a row: its string when classifying, else its finite value.
func (p *libsvmReader) addLabel(label string) error {
	if strings.Contains(label, ":") {
		return p.fail("label %q: missing (line starts with a feature)", label)
	}
	if p.classify {
		if err := checkLabel(label); err != nil {
			return p.fail("%w", err)
		}
		p.labels = append(p.labels, strings.Clone(label))
		return nil
	}
	v, err := parseNumber(label)
	if err != nil {
		return p.fail("label: %w", err)
	}
	p.y = append(p.y, v)
	return nil
}

// featureIndex parses the 1-based feature index k of a token, which must follow prev (the
// row's previous index, 0 at its start) and stay within maxCells.
func (p *libsvmReader) featureIndex(k string, prev int) (int, error) {
	j, err := strconv.Atoi(k)
	switch {
	case err != nil && errors.Is(err, strconv.ErrRange):
		return 0, p.fail("feature index %q: %w", k, ErrTooLarge)
	case err != nil:
		return 0, p.fail("feature index %q: not an integer", k)
	case j < 1:
		return 0, p.fail("feature index %d: must be >= 1", j)
	case j <= prev:
		return 0, p.fail("feature index %d: not increasing (after %d)", j, prev)
	case j > maxCells:
		return 0, p.fail("feature index %d: %w (at most %d)", j, ErrTooLarge, maxCells)
	}
	return j, nil
}

// tooManyCells is the error for n rows of p.d features, more than maxCells values. A set of
// rows without features would have at least one, so n > maxCells is too many as well.
func (p *libsvmReader) tooManyCells(n int) error {
	return &FileError{Path: p.path,
		Err: fmt.Errorf("%d rows × %d features: %w (at most %d values)", n, p.d, ErrTooLarge, maxCells)}
}

// set builds the dense set of the rows read, checking its size against maxCells before
// allocating it, and numbers the classes when classifying.
func (p *libsvmReader) set() (*Set, error) {
	n, d := len(p.rowStart)-1, p.d
	if n == 0 {
		return nil, &FileError{Path: p.path, Err: ErrNoData}
	}
	if d == 0 {
		return nil, &FileError{Path: p.path, Err: errors.New("no features (every row has only a label)")}
	}
	if n > maxCells/d {
		return nil, p.tooManyCells(n)
	}
	s := &Set{X: make([]float64, n*d), Y: p.y, N: n, D: d, Features: defaultFeatures(d)}
	for i := range n {
		row := s.X[i*d : (i+1)*d]
		for e := p.rowStart[i]; e < p.rowStart[i+1]; e++ {
			row[p.idx[e]] = p.val[e]
		}
	}
	if p.classify {
		if err := s.setClasses(p.labels); err != nil {
			return nil, &FileError{Path: p.path, Err: fmt.Errorf("labels: %w", err)}
		}
	}
	return s, nil
}
