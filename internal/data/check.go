package data

import (
	"context"
	"io"
)

// CheckRows is how many records CheckCSV and CheckLibSVM parse: enough to catch a wrong path,
// a wrong target, a malformed header or a format mix-up at once, cheaply, before a sweep
// trains anything. The rest of a file is read (and checked) when its run loads it.
const CheckRows = 1000

// CheckCSV checks a csv file as ReadCSV would read it, but parses only its header and first
// CheckRows records: the file is a regular file within the size bound, the header is valid and
// holds target, and those records are well formed. It reports the same *FileError values as
// ReadCSV, and stops when ctx is done.
func CheckCSV(ctx context.Context, path, target string, classify bool) error {
	f, _, err := openRegular(path, "a data file", true)
	if err != nil {
		return err
	}
	defer f.Close()
	cr, lr := newCSVReader(ctx, path, f)
	p := &csvReader{path: path, cr: cr, lr: lr, classify: classify}
	if err := p.readHeader(); err != nil {
		return err
	}
	if err := p.findTarget(target); err != nil {
		return err
	}
	for p.n < CheckRows {
		rec, err := p.read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return csvError(p.path, err)
		}
		if err := p.addRecord(rec); err != nil {
			return err
		}
	}
	if p.n == 0 {
		return &FileError{Path: path, Err: ErrNoData}
	}
	return nil
}

// CheckLibSVM is [CheckCSV] for a libsvm file: it parses the first CheckRows rows as
// ReadLibSVM would.
func CheckLibSVM(ctx context.Context, path string, classify bool) error {
	f, _, err := openRegular(path, "a data file", true)
	if err != nil {
		return err
	}
	defer f.Close()
	p := &libsvmReader{path: path, classify: classify, rowStart: []int{0}}
	lr := newLineReader(ctx, path, f)
	for len(p.rowStart)-1 < CheckRows {
		b, err := lr.readLine()
		if err != nil && err != io.EOF {
			return ioError(p.path, err)
		}
		if len(b) == 0 && err == io.EOF {
			break
		}
		p.line++
		if rerr := p.addLine(b); rerr != nil {
			return rerr
		}
		if err == io.EOF {
			break
		}
	}
	if len(p.rowStart) == 1 {
		return &FileError{Path: path, Err: ErrNoData}
	}
	return nil
}

// CheckMNIST checks that dir holds the four files of [MNISTFiles] (raw or .gz), as ReadMNIST
// finds them, without reading them.
func CheckMNIST(dir string) error {
	for _, name := range MNISTFiles {
		if _, err := findIDX(dir, name); err != nil {
			return err
		}
	}
	return nil
}
