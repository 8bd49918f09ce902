package datasets

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// sklearnTable converts one of scikit-learn's bundled tables into plain csv with named columns
// and the label column `target` (last). Its rows are numeric features followed by an integer
// class in 0..classes−1; iris, wine and breast cancer start with a count header
// `n_samples,n_features,class names…` (checked against the rows, then dropped), digits does not.
// Field text is kept verbatim, so the output is a fixed function of the source bytes.
func sklearnTable(classes int, columns []string) func(src [][]byte) ([][]byte, error) {
	return func(src [][]byte) ([][]byte, error) {
		r := csv.NewReader(bytes.NewReader(src[0]))
		r.FieldsPerRecord = -1
		var out bytes.Buffer
		out.WriteString(strings.Join(columns, ",") + ",target\n")
		want, rows, line := -1, 0, 0
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
			line++
			if line == 1 && len(rec) >= 2 && !strings.Contains(rec[0], ".") {
				if n, d, ok := countHeader(rec); ok && d == len(columns) && n > 0 {
					want = n
					continue
				}
			}
			if len(rec) != len(columns)+1 {
				return nil, fmt.Errorf("line %d: %d fields, want %d features and the class", line, len(rec), len(columns))
			}
			for j, f := range rec[:len(columns)] {
				if v, err := strconv.ParseFloat(f, 64); err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, fmt.Errorf("line %d: column %s: %q is not a finite number", line, columns[j], f)
				}
			}
			c, err := strconv.ParseFloat(rec[len(columns)], 64)
			if err != nil || c != math.Trunc(c) || c < 0 || int(c) >= classes {
				return nil, fmt.Errorf("line %d: class %q, want an integer in 0..%d", line, rec[len(columns)], classes-1)
			}
			out.WriteString(strings.Join(rec, ",") + "\n")
			rows++
		}
		if want >= 0 && rows != want {
			return nil, fmt.Errorf("%d rows, the header announces %d", rows, want)
		}
		if rows == 0 {
			return nil, errors.New("no rows")
		}
		return [][]byte{out.Bytes()}, nil
	}
}

// countHeader parses scikit-learn's first line `n_samples,n_features,…`.
func countHeader(rec []string) (n, d int, ok bool) {
	n, err1 := strconv.Atoi(rec[0])
	d, err2 := strconv.Atoi(rec[1])
	return n, d, err1 == nil && err2 == nil
}

// heartScale keeps LIBLINEAR's heart_scale as it is (LIBSVM text, for data.source libsvm) and
// adds heart_scale.csv: the same rows dense, with the Statlog attribute names and the label
// column `target` (-1 or +1, verbatim). Absent features are 0, as LIBSVM reads them.
func heartScale(src [][]byte) ([][]byte, error) {
	var out bytes.Buffer
	out.WriteString(strings.Join(heartColumns, ",") + ",target\n")
	d := len(heartColumns)
	row := make([]string, d)
	rows := 0
	for i, text := range strings.Split(string(src[0]), "\n") {
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		label := fields[0]
		if label != "+1" && label != "-1" {
			return nil, fmt.Errorf("line %d: label %q, want +1 or -1", i+1, label)
		}
		for j := range row {
			row[j] = "0"
		}
		prev := 0
		for _, tok := range fields[1:] {
			k, v, ok := strings.Cut(tok, ":")
			j, err := strconv.Atoi(k)
			if !ok || err != nil || j <= prev || j > d {
				return nil, fmt.Errorf("line %d: token %q, want index:value with increasing indices 1..%d", i+1, tok, d)
			}
			if x, err := strconv.ParseFloat(v, 64); err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("line %d: token %q: value is not a finite number", i+1, tok)
			}
			row[j-1], prev = v, j
		}
		out.WriteString(strings.Join(row, ",") + "," + label + "\n")
		rows++
	}
	if rows == 0 {
		return nil, errors.New("no rows")
	}
	return [][]byte{src[0], out.Bytes()}, nil
}
