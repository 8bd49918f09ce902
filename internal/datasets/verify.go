package datasets

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Errors of Verify and Locate, for errors.Is.
var (
	ErrMismatch = errors.New("sha256 mismatch") // a file's content is not the catalogue's
	ErrMissing  = errors.New("missing")         // a file of the dataset is absent
	ErrNotFound = errors.New("not found")       // no folder for the dataset
)

// Verify checks every file of the dataset called name in folder against the catalogue: its
// raw (decompressed) size and sha256. A .gz file may also be present decompressed, without
// the suffix. The error names each failing file; nil means the folder holds the dataset.
func Verify(name, folder string) error {
	d, err := Lookup(name)
	if err != nil {
		return err
	}
	return d.verify(folder)
}

func (d *Dataset) verify(folder string) error {
	var problems []error
	for _, f := range d.Files {
		path, err := findFile(folder, f.Name)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		if err := verifyFile(path, f); err != nil {
			problems = append(problems, fmt.Errorf("%s: %w", path, err))
		}
	}
	switch len(problems) {
	case 0:
		return nil
	case 1:
		return problems[0]
	}
	format := fmt.Sprintf("%d files fail: ", len(problems)) + strings.TrimSuffix(strings.Repeat("%w; ", len(problems)), "; ")
	args := make([]any, len(problems))
	for i, p := range problems {
		args[i] = p
	}
	return fmt.Errorf(format, args...)
}

// findFile returns folder/name, or folder/name without .gz when only that exists.
func findFile(folder, name string) (string, error) {
	p := filepath.Join(folder, name)
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	if raw, ok := strings.CutSuffix(name, ".gz"); ok {
		if _, err := os.Stat(filepath.Join(folder, raw)); err == nil {
			return filepath.Join(folder, raw), nil
		}
	}
	return "", fmt.Errorf("%s: %w", p, ErrMissing)
}

func verifyFile(path string, f File) error {
	r, err := os.Open(path)
	if err != nil {
		return err
	}
	defer r.Close()
	size, sum, err := rawSum(r)
	if err != nil {
		return err
	}
	return compare(f, size, sum)
}

// compare checks a raw size and sha256 against the catalogue's entry.
func compare(f File, size int64, sum string) error {
	if f.SHA256 == "" {
		return fmt.Errorf("no sha256 recorded for %s (got %s, %d bytes)", f.Name, sum, size)
	}
	if sum != f.SHA256 {
		what := ""
		if size != f.Size {
			what = fmt.Sprintf(", %d bytes instead of %d: truncated or not the same file", size, f.Size)
		}
		return fmt.Errorf("%w: got %s, want %s%s", ErrMismatch, short(sum), short(f.SHA256), what)
	}
	return nil
}

func short(sum string) string {
	if len(sum) > 16 {
		return sum[:16] + "…"
	}
	return sum
}

// rawSum returns the size and hex sha256 of r's raw content: decompressed when r is gzip
// (detected from the magic bytes), as is otherwise.
func rawSum(r io.Reader) (int64, string, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	var src io.Reader = br
	if isGzipReader(br) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return 0, "", fmt.Errorf("corrupt gzip data: %w", err)
		}
		defer zr.Close()
		src = zr
	}
	h := sha256.New()
	n, err := io.Copy(h, src)
	if err != nil {
		if err == io.ErrUnexpectedEOF {
			return n, "", errors.New("truncated gzip data")
		}
		return n, "", fmt.Errorf("corrupt gzip data: %w", err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// decompress returns b's raw content (b itself unless it is gzip).
func decompress(b []byte) ([]byte, error) {
	if !isGzip(b) {
		return b, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

func isGzipReader(br *bufio.Reader) bool {
	b, _ := br.Peek(2)
	return isGzip(b)
}

// Locate returns the folder of the dataset called name for a run: path when given (it must
// exist), else $OPTIMBENCH_DATA/name when OPTIMBENCH_DATA is set and that folder exists, else
// ./data/name. When none exists the error is a *NotFoundError (wrapping ErrNotFound) that
// says where the folder was looked for and how to fetch it to where it will be found.
func Locate(name, path string) (string, error) {
	if path != "" {
		if isDir(path) {
			return path, nil
		}
		e := &NotFoundError{Name: name, Path: path}
		if filepath.Base(filepath.Clean(path)) == name {
			e.Into = filepath.Dir(filepath.Clean(path))
		}
		return "", e
	}
	var tried []string
	if env := os.Getenv("OPTIMBENCH_DATA"); env != "" {
		p := filepath.Join(env, name)
		if isDir(p) {
			return p, nil
		}
		tried = append(tried, "$OPTIMBENCH_DATA/"+name+" ("+p+")")
	}
	p := filepath.Join("data", name)
	if isDir(p) {
		return p, nil
	}
	return "", &NotFoundError{Name: name, Tried: append(tried, "./"+p)}
}

// NotFoundError is a dataset folder that is not there.
type NotFoundError struct {
	Name  string
	Path  string   // the folder the configuration names ("" when it names none)
	Tried []string // the folders looked in, without a Path
	Into  string   // where `data get` should put it so that Path is found ("" if it cannot)
}

func (e *NotFoundError) Error() string { return e.Text("into") }

// Text is the message with the fetch command in full, dirFlag being the command line's flag
// for the folder to fetch into: "… fetch it there with: optimbench data get mnist --dir big".
func (e *NotFoundError) Text(dirFlag string) string {
	if e.Path == "" {
		return fmt.Sprintf("%s %v in %s; fetch it with: optimbench data get %s", e.Name, ErrNotFound, strings.Join(e.Tried, " or "), e.Name)
	}
	hint := fmt.Sprintf("fetch it with: optimbench data get %s, and set data.path to the folder it prints", e.Name)
	if e.Into != "" {
		hint = fmt.Sprintf("fetch it there with: optimbench data get %s %s %s", e.Name, dirFlag, e.Into)
	}
	return fmt.Sprintf("%s: %v (no such folder); %s", e.Path, ErrNotFound, hint)
}

// Unwrap returns ErrNotFound.
func (e *NotFoundError) Unwrap() error { return ErrNotFound }

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
