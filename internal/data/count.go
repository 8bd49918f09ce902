package data

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
)

// CountCSV returns the number of samples of a csv file as ReadCSV reads it — its records
// after the header, blank lines skipped — without parsing their values: what a schedule
// preview needs to know of the data. The file is read within the same bounds as by ReadCSV
// (a regular file, maxFileBytes, maxLineBytes). Errors are *FileError values, as ReadCSV's.
func CountCSV(path string) (int, error) {
	f, _, err := openRegular(path, "a data file", true)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	cr, lr := newCSVReader(context.Background(), path, f)
	read := func() ([]string, error) {
		rec, err := cr.Read()
		lr.mark()
		return rec, err
	}
	if _, err := read(); err != nil {
		if err == io.EOF {
			return 0, &FileError{Path: path, Err: errors.New("empty file (no header row)")}
		}
		return 0, csvError(path, err)
	}
	n := 0
	for {
		rec, err := read()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return 0, csvError(path, err)
		}
		if len(rec) != 1 || strings.TrimSpace(rec[0]) != "" {
			n++
		}
	}
}

// CountLibSVM returns the number of samples of a libsvm file — its lines that hold more than
// white space and a comment — without parsing them, within the bounds of ReadLibSVM.
func CountLibSVM(path string) (int, error) {
	f, _, err := openRegular(path, "a data file", true)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	lr := newLineReader(context.Background(), path, f)
	n := 0
	for {
		line, err := lr.readLine()
		if err != nil && err != io.EOF {
			return 0, ioError(path, err)
		}
		if i := bytes.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if len(bytes.TrimSpace(line)) > 0 {
			n++
		}
		if err == io.EOF {
			return n, nil
		}
	}
}
