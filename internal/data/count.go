package data

import (
	"bufio"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"strings"
)

// CountCSV returns the number of samples of a csv file as ReadCSV reads it — its records
// after the header — without parsing their values: what a schedule preview needs to know of
// the data. Errors are *FileError values, as ReadCSV's.
func CountCSV(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, ioError(path, err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	if _, err := cr.Read(); err != nil {
		if err == io.EOF {
			return 0, &FileError{Path: path, Err: errors.New("empty file (no header row)")}
		}
		return 0, csvError(path, err)
	}
	n := 0
	for {
		_, err := cr.Read()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return 0, csvError(path, err)
		}
		n++
	}
}

// CountLibSVM returns the number of samples of a libsvm file — its lines that hold more than
// white space and a comment — without parsing them.
func CountLibSVM(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, ioError(path, err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	n := 0
	for {
		line, err := br.ReadString('\n')
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if strings.TrimSpace(line) != "" {
			n++
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return 0, ioError(path, err)
		}
	}
}
