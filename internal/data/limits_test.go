package data

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// setLimits lowers maxFileBytes and maxLineBytes for the test (0 keeps one).
func setLimits(t *testing.T, file, line int64) {
	t.Helper()
	oldFile, oldLine := maxFileBytes, maxLineBytes
	t.Cleanup(func() { maxFileBytes, maxLineBytes = oldFile, oldLine })
	if file > 0 {
		maxFileBytes = file
	}
	if line > 0 {
		maxLineBytes = line
	}
}

// errEndless is returned by an endlessReader that was read too far: the reader under test did
// not stop at its bound.
var errEndless = errors.New("the endless stream was read too far: no bound stopped it")

// endlessReader repeats unit without end, as /dev/zero or a pipe fed forever would, but fails
// with errEndless after max bytes so that an unbounded reader fails the test instead of
// exhausting memory.
type endlessReader struct {
	unit     []byte
	off, max int64
}

func (r *endlessReader) Read(p []byte) (int, error) {
	if r.off >= r.max {
		return 0, errEndless
	}
	p = p[:min(int64(len(p)), r.max-r.off)]
	for i := range p {
		p[i] = r.unit[(r.off+int64(i))%int64(len(r.unit))]
	}
	r.off += int64(len(p))
	return len(p), nil
}

func endless(unit string, max int64) *endlessReader {
	return &endlessReader{unit: []byte(unit), max: max}
}

// A stream longer than maxFileBytes stops there, with an error naming the bound, however
// well-formed it is.
func TestReadStopsAtMaxFileBytes(t *testing.T) {
	setLimits(t, 64<<10, 0)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		read func(r io.Reader) (*Set, error)
		unit string
	}{
		{"csv", func(r io.Reader) (*Set, error) { return readCSV(ctx, "x.csv", r, "", false) }, "1,2\n"},
		{"csv classes", func(r io.Reader) (*Set, error) { return readCSV(ctx, "x.csv", r, "", true) }, "1,a\n2,b\n"},
		{"libsvm", func(r io.Reader) (*Set, error) { return readLibSVM(ctx, "x.csv", r, true) }, "1 1:1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := endless(tc.unit, 16*maxFileBytes)
			s, err := tc.read(src)
			checkFileError(t, "x.csv", err, fileErrorCase{is: ErrTooLarge,
				contains: "x.csv: larger than the 64 KiB a data file may have (limit maxFileBytes of package data)"})
			if s != nil || src.off > maxFileBytes+readBufferSize {
				t.Errorf("read %d bytes, want at most %d", src.off, maxFileBytes+readBufferSize)
			}
		})
	}
}

// A regular file larger than maxFileBytes is refused by its size, before it is read; one of
// exactly maxFileBytes is read.
func TestReadRefusesLargeFiles(t *testing.T) {
	setLimits(t, 4<<10, 0)
	big := writeFile(t, "big.csv", "a,y\n"+strings.Repeat("1,2\n", 1<<10))
	sparse := filepath.Join(t.TempDir(), "sparse.libsvm") // 1 TiB, holding nothing
	f, err := os.Create(sparse)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 40); err != nil {
		t.Skip("no sparse files here:", err)
	}
	f.Close()
	for _, path := range []string{big, sparse} {
		want := fileErrorCase{is: ErrTooLarge, contains: "larger than the 4 KiB a data file may have"}
		_, err := ReadCSV(path, "", false)
		checkFileError(t, path, err, want)
		_, err = ReadLibSVM(path, false)
		checkFileError(t, path, err, want)
		_, err = CountCSV(path)
		checkFileError(t, path, err, want)
		_, err = CountLibSVM(path)
		checkFileError(t, path, err, want)
	}
	if _, err := ReadCSV(big, "", false); err == nil || !strings.HasPrefix(err.Error(), big+": 4100 bytes, larger than") {
		t.Errorf("error %v does not give the size", err)
	}
	exact := writeFile(t, "exact.csv", "a,y\n"+strings.Repeat("1,2\n", 1<<10-1))
	if s, err := ReadCSV(exact, "", false); err != nil || s.N != 1<<10-1 {
		t.Errorf("a file of exactly maxFileBytes: %v", err)
	}
}

// A line (a csv record) longer than maxLineBytes stops the read when the bound is reached,
// naming the line where it starts; one of exactly maxLineBytes, line end included, is read.
func TestReadStopsAtMaxLineBytes(t *testing.T) {
	setLimits(t, 0, 1<<10)
	long := strings.Repeat("7", 1<<10)
	fits := "0." + strings.Repeat("7", 1<<10-5) // with ",0\n": 1 KiB
	for _, tc := range []fileErrorCase{
		{name: "csv line", content: "a,y\n1,0\n" + long + ",0\n", line: 3, is: ErrTooLarge,
			contains: "record longer than the 1 KiB a line may have (limit maxLineBytes of package data)"},
		{name: "csv header", content: "a," + long + "\n1,0\n", line: 1, is: ErrTooLarge, contains: "record longer"},
		{name: "csv record of short lines", content: "a,y\n1,0\n2,\"" + strings.Repeat("x\n", 1<<10) + "\"\n",
			classify: true, line: 3, is: ErrTooLarge, contains: "record longer"},
		{name: "csv record after blank lines", content: "a,y\n1,0\n\n\r\n\n" + long + ",0\n", line: 6, is: ErrTooLarge},
		{name: "csv without line ends", content: strings.Repeat("\x00", 4<<10), line: 1, is: ErrTooLarge},
		{name: "csv record that fits", content: "a,y\n" + fits + ",0\n" + fits + ",1\n" + strings.Repeat("\n", 2<<10),
			contains: "no error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "long.csv", tc.content)
			s, err := ReadCSV(path, "", tc.classify)
			if tc.contains == "no error" {
				if err != nil || s.N != 2 {
					t.Fatalf("records of exactly maxLineBytes: %v", err)
				}
				return
			}
			checkFileError(t, path, err, tc)
			_, err = CountCSV(path)
			checkFileError(t, path, err, tc)
		})
	}
	for _, tc := range []fileErrorCase{
		{name: "libsvm line", content: "1 1:1\n# c\n1 1:" + long + "\n", line: 3, is: ErrTooLarge,
			contains: "line longer than the 1 KiB a line may have (limit maxLineBytes of package data)"},
		{name: "libsvm comment", content: "1 1:1\n#" + long + "\n", line: 2, is: ErrTooLarge},
		{name: "libsvm without line ends", content: strings.Repeat("\x00", 4<<10), line: 1, is: ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "long.libsvm", tc.content)
			_, err := ReadLibSVM(path, false)
			checkFileError(t, path, err, tc)
			_, err = CountLibSVM(path)
			checkFileError(t, path, err, tc)
		})
	}
	path := writeFile(t, "fits.libsvm", "1 1:0."+strings.Repeat("7", 1<<10-7)+"\n"+"2 1:0."+strings.Repeat("7", 1<<10-6))
	if s, err := ReadLibSVM(path, false); err != nil || s.N != 2 {
		t.Errorf("lines of exactly maxLineBytes: %v", err)
	}

	// /dev/zero's content: zeros without a line end, never more than the bound held.
	src := endless("\x00", 1<<30)
	_, err := readCSV(context.Background(), "zero.csv", src, "", false)
	checkFileError(t, "zero.csv", err, fileErrorCase{line: 1, is: ErrTooLarge, contains: "record longer"})
	if src.off > maxLineBytes+2*readBufferSize {
		t.Errorf("read %d bytes of zeros", src.off)
	}
	src = endless("\x00", 1<<30)
	_, err = readLibSVM(context.Background(), "zero.libsvm", src, false)
	checkFileError(t, "zero.libsvm", err, fileErrorCase{line: 1, is: ErrTooLarge, contains: "line longer"})
}

// within runs f and fails the test if it takes more than a few seconds: a reader blocked on a
// pipe or reading a device without end.
func within(t *testing.T, what string, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: still reading after 5 s", what)
		return nil
	}
}

// readAll reads path with every reader of the package, returning their errors by name.
func readAll(path string) map[string]func() error {
	return map[string]func() error{
		"ReadCSV":     func() error { _, err := ReadCSV(path, "", false); return err },
		"ReadLibSVM":  func() error { _, err := ReadLibSVM(path, false); return err },
		"CountCSV":    func() error { _, err := CountCSV(path); return err },
		"CountLibSVM": func() error { _, err := CountLibSVM(path); return err },
		"ReadIDX":     func() error { _, err := ReadIDX(path); return err },
	}
}

// A device is refused at once, by the stat of the open file, instead of being read.
func TestReadRefusesDevices(t *testing.T) {
	const path = "/dev/zero"
	if st, err := os.Stat(path); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		t.Skip("no /dev/zero")
	}
	for name, read := range readAll(path) {
		err := within(t, name, read)
		checkFileError(t, path, err, fileErrorCase{is: ErrNotRegular,
			contains: "/dev/zero: a character device, not a regular file"})
	}
}

// countdownCtx is a context that is cancelled after it has been asked n times.
type countdownCtx struct {
	context.Context
	left atomic.Int64
}

func (c *countdownCtx) Err() error {
	if c.left.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

func cancelAfter(n int64) *countdownCtx {
	c := &countdownCtx{Context: context.Background()}
	c.left.Store(n)
	return c
}

// The context variants stop with the context's error: at once when it is already cancelled,
// and during the read when it is cancelled then.
func TestReadContext(t *testing.T) {
	dir := t.TempDir()
	csvPath := writeIDXFile(t, dir, "big.csv", []byte("a,b,y\n"+strings.Repeat("1.5,2.25,0\n0.5,3,1\n", 100_000)))
	svmPath := writeIDXFile(t, dir, "big.libsvm", []byte(strings.Repeat("0 1:1.5 2:2.25\n1 1:0.5 2:3\n", 100_000)))
	idxPath := writeIDXFile(t, dir, "big-idx.gz", gzipBytes(t, idxBytes([]int{40, 1024, 1024}, make([]byte, 40<<20))))
	writeMNIST(t, dir, 30, 12)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name, path string
		read       func(ctx context.Context) error
	}{
		{"ReadCSVContext", csvPath, func(ctx context.Context) error {
			_, err := ReadCSVContext(ctx, csvPath, "", true)
			return err
		}},
		{"ReadLibSVMContext", svmPath, func(ctx context.Context) error {
			_, err := ReadLibSVMContext(ctx, svmPath, true)
			return err
		}},
		{"ReadIDXContext", idxPath, func(ctx context.Context) error {
			_, err := ReadIDXContext(ctx, idxPath)
			return err
		}},
		{"ReadMNISTContext", filepath.Join(dir, MNISTFiles[0]+".gz"), func(ctx context.Context) error {
			_, _, err := ReadMNISTContext(ctx, dir)
			return err
		}},
		{"ReadMNISTSharedContext", filepath.Join(dir, MNISTFiles[0]+".gz"), func(ctx context.Context) error {
			_, _, err := ReadMNISTSharedContext(ctx, dir)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.read(cancelled)
			checkFileError(t, tc.path, err, fileErrorCase{is: context.Canceled, contains: "context canceled"})
			if err := tc.read(context.Background()); err != nil {
				t.Fatal(err) // nor is a cancelled read kept by ReadMNISTSharedContext
			}
			if tc.name == "ReadMNISTContext" || tc.name == "ReadMNISTSharedContext" {
				return // files too small to be cancelled within
			}
			ctx := cancelAfter(3)
			err = tc.read(ctx)
			checkFileError(t, tc.path, err, fileErrorCase{is: context.Canceled})
			if left := ctx.left.Load(); left < -2 { // the check that saw it done, and one to report it
				t.Errorf("the read went on after its context was done (%d checks)", 3-left)
			}
		})
	}
}
