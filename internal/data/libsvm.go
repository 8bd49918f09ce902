package data

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
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
// finite numbers. Errors are *FileError values naming the file and the 1-based line:
// `heart.txt:7: feature index 3: not increasing (after 5)`. ReadLibSVM never panics.
func ReadLibSVM(path string, classify bool) (*Set, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, ioError(path, err)
	}
	defer f.Close()
	return readLibSVM(path, f, classify)
}

func readLibSVM(path string, r io.Reader, classify bool) (*Set, error) {
	br := bufio.NewReader(r)
	var (
		rowStart = []int{0} // row i's entries are idx[rowStart[i]:rowStart[i+1]]
		idx      []int
		val      []float64
		y        []float64
		labels   []string
		d        int
		line     int
	)
	fail := func(format string, args ...any) error {
		return &FileError{Path: path, Line: line, Err: fmt.Errorf(format, args...)}
	}
	for {
		text, err := br.ReadString('\n')
		if err != nil && err != io.EOF {
			return nil, ioError(path, err)
		}
		if text == "" && err == io.EOF {
			break
		}
		line++
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		fields := strings.Fields(text)
		if len(fields) == 0 {
			if err == io.EOF {
				break
			}
			continue
		}
		label := fields[0]
		if strings.Contains(label, ":") {
			return nil, fail("label %q: missing (line starts with a feature)", label)
		}
		if classify {
			labels = append(labels, strings.Clone(label))
		} else {
			v, perr := parseNumber(label)
			if perr != nil {
				return nil, fail("label: %w", perr)
			}
			y = append(y, v)
		}
		prev := 0
		for _, tok := range fields[1:] {
			k, vs, ok := strings.Cut(tok, ":")
			if !ok {
				return nil, fail("token %q: missing ':'", tok)
			}
			if k == "qid" {
				continue
			}
			j, perr := strconv.Atoi(k)
			switch {
			case perr != nil && errors.Is(perr, strconv.ErrRange):
				return nil, fail("feature index %q: %w", k, ErrTooLarge)
			case perr != nil:
				return nil, fail("feature index %q: not an integer", k)
			case j < 1:
				return nil, fail("feature index %d: must be >= 1", j)
			case j <= prev:
				return nil, fail("feature index %d: not increasing (after %d)", j, prev)
			case j > maxCells:
				return nil, fail("feature index %d: %w (at most %d)", j, ErrTooLarge, maxCells)
			}
			v, perr := parseNumber(vs)
			if perr != nil {
				return nil, fail("feature index %d: %w", j, perr)
			}
			prev = j
			d = max(d, j)
			idx = append(idx, j-1)
			val = append(val, v)
		}
		rowStart = append(rowStart, len(idx))
		if err == io.EOF {
			break
		}
	}
	n := len(rowStart) - 1
	if n == 0 {
		return nil, &FileError{Path: path, Err: ErrNoData}
	}
	if d == 0 {
		return nil, &FileError{Path: path, Err: errors.New("no features (every row has only a label)")}
	}
	if n > maxCells/d {
		return nil, &FileError{Path: path,
			Err: fmt.Errorf("%d rows × %d features: %w (at most %d values)", n, d, ErrTooLarge, maxCells)}
	}
	s := &Set{X: make([]float64, n*d), Y: y, N: n, D: d, Features: defaultFeatures(d)}
	for i := range n {
		row := s.X[i*d : (i+1)*d]
		for e := rowStart[i]; e < rowStart[i+1]; e++ {
			row[idx[e]] = val[e]
		}
	}
	if classify {
		if err := s.setClasses(labels); err != nil {
			return nil, &FileError{Path: path, Err: fmt.Errorf("labels: %w", err)}
		}
	}
	return s, nil
}
