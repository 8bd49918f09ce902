package data

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// maxFileBytes bounds the bytes read from a csv or libsvm file (1 GiB). Tests lower it.
//
// Why 1 GiB: the largest table `optimbench data get` provides is digits.csv, 265 KB (the
// largest file of all, MNIST's training images, is 47 MB, and IDX files are bounded by their
// header instead, see maxIDXBytes), so the bound leaves a factor of 4000 for tables of one's
// own. A dense set holds at most maxCells = 2²⁸ values (2 GiB of float64); a csv or libsvm
// value takes at least 2 bytes of text ("0,") and usually 4 to 10, so 1 GiB of text is about
// as much as maxCells lets a set hold (2²⁸ values of 4 bytes): a larger file would almost
// always be refused by maxCells anyway, after a long read, and refusing it at once (by its
// size) or when its 1 GiB is reached (a stream such as a growing or /proc file) is quicker
// and names the bound. The bytes themselves are not kept, so the bound is about time and
// endless streams; memory is bounded by maxCells and maxLineBytes.
var maxFileBytes int64 = 1 << 30

// maxLineBytes bounds one line of a libsvm file, and one record of a csv file (its lines,
// when a quoted field spans several), line ends included (16 MiB). Tests lower it.
//
// A line is one sample: digits.csv's are about 150 bytes, and a dense row of a million
// features at 16 bytes a value still fits. A longer line is a file that is not text of this
// kind (binary data, a lost quote); the bound stops it after 16 MiB instead of buffering it
// whole, and it is the most a reader holds of the file at once.
var maxLineBytes int64 = 16 << 20

// ErrNotRegular is wrapped by the error for a path that is not a regular file: a named pipe
// (FIFO), a device such as /dev/zero, a socket, or a folder.
var ErrNotRegular = errors.New("not a regular file")

// causeError is an error of its own message that wraps cause, for errors.Is.
type causeError struct {
	msg   string
	cause error
}

func (e *causeError) Error() string { return e.msg }
func (e *causeError) Unwrap() error { return e.cause }

// tooLarge is the error of a read stopped by one of the bounds above: msg names the bound, and
// it wraps ErrTooLarge.
func tooLarge(msg string) error { return &causeError{msg, ErrTooLarge} }

// fileTooLarge is the error for a data file of more than maxFileBytes; size > 0 when known.
func fileTooLarge(size int64) error {
	msg := fmt.Sprintf("larger than the %s a data file may have (limit maxFileBytes of package data)",
		byteSize(maxFileBytes))
	if size > 0 {
		msg = fmt.Sprintf("%d bytes, %s", size, msg)
	}
	return tooLarge(msg)
}

// byteSize writes n as "1 GiB", "16 MiB", "64 KiB" when it is a whole number of them, else
// as "1000 bytes".
func byteSize(n int64) string {
	for _, u := range []struct {
		size int64
		name string
	}{{1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
		if n >= u.size && n%u.size == 0 {
			return fmt.Sprintf("%d %s", n/u.size, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

// openRegular opens path for reading and checks that it is a regular file, without ever
// blocking on it (openFile: a named pipe is opened non-blocking, or refused before it is
// opened). what names the expected content in errors ("a data file"). When bounded, a file
// larger than maxFileBytes is refused at once.
func openRegular(path, what string, bounded bool) (*os.File, fs.FileInfo, error) {
	f, err := openFile(path, what)
	if err != nil {
		return nil, nil, ioError(path, err)
	}
	st, err := f.Stat()
	if err == nil {
		err = checkRegular(st, what)
	}
	if err == nil && bounded && st.Size() > maxFileBytes {
		err = fileTooLarge(st.Size())
	}
	if err != nil {
		f.Close()
		return nil, nil, ioError(path, err)
	}
	return f, st, nil
}

// checkRegular is nil for a regular file, else an error wrapping ErrNotRegular that says what
// the file is instead.
func checkRegular(st fs.FileInfo, what string) error {
	m := st.Mode()
	var kind string
	switch {
	case m.IsRegular():
		return nil
	case m.IsDir():
		return &causeError{"is a folder, not " + what, ErrNotRegular}
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		kind = "a character device"
	case m&fs.ModeDevice != 0:
		kind = "a block device"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	default:
		kind = "a special file"
	}
	return fmt.Errorf("%s, %w (data are read from regular files only)", kind, ErrNotRegular)
}

// ctxReader checks ctx before every read of r, so that a long read stops soon after ctx is
// cancelled (the readers read 64 KiB at a time), with ctx's error.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// boundedReader returns at most maxFileBytes bytes of r: one more is the error fileTooLarge,
// so that an endless stream stops there.
type boundedReader struct {
	r    io.Reader
	left int64 // bytes it may still return
}

func newBoundedReader(r io.Reader) *boundedReader {
	return &boundedReader{r: r, left: maxFileBytes}
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var one [1]byte
		n, err := b.r.Read(one[:])
		if n > 0 {
			return 0, fileTooLarge(0)
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}

// readBufferSize is the buffer of the readers over a file: the size of their reads, and so
// how often they check for cancellation.
const readBufferSize = 64 << 10

// lineReader reads a text data file (csv or libsvm) line by line, from a buffer over the file,
// bounded (boundedReader) and checking a context (ctxReader). It keeps the line numbers and
// bounds every record to maxLineBytes while it is read.
//
// A libsvm reader takes a line at a time (readLine). A csv reader reads it as an io.Reader
// (Read), which hands out at most one line per call: encoding/csv fills its buffer with one
// call at a time until it holds a line end, so it never holds more than the line it reads, and
// when it returns a record this reader stands exactly at the record's end. The csv reader
// calls mark then, so that a record is bounded from its first line to its last.
type lineReader struct {
	path      string
	br        *bufio.Reader
	pending   []byte // the rest of the line Read hands out
	err       error  // br's error, returned when pending is empty
	off       int64  // bytes handed out
	line      int    // lines handed out whole (line ends)
	start     int64  // offset of the record being read
	startLine int    // its line
	buf       []byte // readLine's line
}

// newLineReader reads r, a file called path (for errors), stopping when ctx is cancelled.
func newLineReader(ctx context.Context, path string, r io.Reader) *lineReader {
	br := bufio.NewReaderSize(newBoundedReader(ctxReader{ctx, r}), readBufferSize)
	return &lineReader{path: path, br: br, startLine: 1}
}

// mark starts a record where the reader stands.
func (r *lineReader) mark() {
	r.start, r.startLine = r.off, r.line+1
}

// check is the error for a record that would be n bytes longer: nil, or one naming the line
// where it starts and maxLineBytes.
func (r *lineReader) check(n int, what string) error {
	if r.off+int64(n)-r.start <= maxLineBytes {
		return nil
	}
	return &FileError{Path: r.path, Line: r.startLine,
		Err: tooLarge(fmt.Sprintf("%s longer than the %s a line may have (limit maxLineBytes of package data)",
			what, byteSize(maxLineBytes)))}
}

// Read hands out the next bytes of the current line, at most to its end (see lineReader). An
// empty line where a record would start is skipped by encoding/csv, so it starts no record.
func (r *lineReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if len(r.pending) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		r.pending, r.err = r.br.ReadSlice('\n')
		if r.err == bufio.ErrBufferFull {
			r.err = nil
		}
		if len(r.pending) == 0 {
			return 0, r.err
		}
	}
	n := min(len(p), len(r.pending))
	line := r.pending[:n]
	empty := r.off == r.start && n == len(r.pending) && (string(line) == "\n" || string(line) == "\r\n")
	if err := r.check(n, "record"); err != nil && !empty {
		r.pending, r.err = nil, err
		return 0, err
	}
	copy(p, line)
	r.pending = r.pending[n:]
	r.off += int64(n)
	if p[n-1] == '\n' {
		r.line++
	}
	if empty {
		r.mark()
	}
	return n, nil
}

// readLine returns the next line, with its line end if it has one, and io.EOF with the last
// one (maybe empty). The line is valid until the next call.
func (r *lineReader) readLine() ([]byte, error) {
	r.mark()
	r.buf = r.buf[:0]
	for {
		chunk, err := r.br.ReadSlice('\n')
		if cerr := r.check(len(chunk), "line"); cerr != nil {
			return nil, cerr
		}
		r.buf = append(r.buf, chunk...)
		r.off += int64(len(chunk))
		if err == bufio.ErrBufferFull {
			continue
		}
		if len(chunk) > 0 && chunk[len(chunk)-1] == '\n' {
			r.line++
		}
		return r.buf, err
	}
}
