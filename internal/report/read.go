package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
)

// Table is a numeric csv file read back: metrics.csv, trajectory.csv.
type Table struct {
	Header []string
	// Cols holds each column by name; an empty cell is NaN.
	Cols map[string][]float64
	Rows int
}

// ReadTable reads a csv file with a header row and numeric (or empty) cells.
// A last row cut short by an interruption is dropped.
func ReadTable(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: reading header: %w", path, err)
	}
	t := &Table{Header: header, Cols: make(map[string][]float64, len(header))}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if len(rec) != len(header) {
			if next, _ := r.Read(); next == nil { // a torn last row
				break
			}
			return nil, fmt.Errorf("%s:%d: %d cells, header has %d", path, line, len(rec), len(header))
		}
		for i, cell := range rec {
			v := math.NaN()
			if cell != "" {
				if v, err = strconv.ParseFloat(cell, 64); err != nil {
					return nil, fmt.Errorf("%s:%d: column %s: %q is not a number", path, line, header[i], cell)
				}
			}
			t.Cols[header[i]] = append(t.Cols[header[i]], v)
		}
		t.Rows++
	}
	return t, nil
}
