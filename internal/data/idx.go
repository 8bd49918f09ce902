package data

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Errors of the IDX reader, for errors.Is (wrapped in a *FileError naming the file).
var (
	ErrNotIDX    = errors.New("not an IDX file of unsigned bytes") // bad magic number
	ErrTruncated = errors.New("truncated")                         // less data than the header declares
	ErrCorrupt   = errors.New("corrupt")                           // bad gzip stream, trailing data, bad labels
)

// IDX is the content of an IDX file of unsigned bytes (LeCun's format of MNIST): its
// dimensions and its values, row-major. Magic 0x00000803 is a 3-D array (images × rows ×
// columns), 0x00000801 a 1-D one (labels).
type IDX struct {
	Dims []int
	Data []uint8
}

// maxIDXBytes bounds the values of one IDX file (1 GiB; MNIST's training images are 47 MB).
var maxIDXBytes int64 = 1 << 30

// maxDeflateRatio bounds how much a gzip file can expand: deflate cannot encode more than
// 258 bytes in 2 bits (1032:1); the slack covers headers of concatenated members.
const maxDeflateRatio = 1100

// ReadIDX reads an IDX file of unsigned bytes (data type 0x08, 1 to 4 dimensions), raw or
// gzip-compressed. Compression is detected from the content (the gzip magic bytes 1f 8b),
// not from the file name.
//
// The header is checked against the file before anything is allocated: a raw file must hold
// exactly the bytes its dimensions declare, and a gzip file cannot declare more than deflate
// can expand its size to, so a corrupt or hostile header never causes a huge allocation. The
// whole gzip stream is read, so its CRC-32 is checked. Errors are *FileError values naming the
// file and wrapping ErrNotIDX, ErrTruncated, ErrCorrupt or ErrTooLarge:
// `train-images-idx3-ubyte.gz: truncated: header declares 60000×28×28 = 47040000 bytes, got
// 1048576`. ReadIDX never panics.
func ReadIDX(path string) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, ioError(path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, ioError(path, err)
	}
	if st.IsDir() {
		return nil, &FileError{Path: path, Err: errors.New("is a folder, not an IDX file")}
	}
	m, err := readIDX(f, st.Size())
	if err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	return m, nil
}

// readIDX decodes an IDX stream of size bytes (as stored: compressed or not).
func readIDX(r io.Reader, size int64) (*IDX, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	var src io.Reader = br
	limit := size // the most data bytes the stream can hold
	gz := false
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, gzipError(err)
		}
		defer zr.Close()
		src, gz = zr, true
		limit = size * maxDeflateRatio
	}
	var head [4]byte
	if n, err := io.ReadFull(src, head[:]); err != nil {
		if gz && !isEOF(err) {
			return nil, gzipError(err)
		}
		return nil, fmt.Errorf("%w: %d bytes, shorter than the 4-byte magic number", ErrTruncated, n)
	}
	magic := binary.BigEndian.Uint32(head[:])
	ndims := int(head[3])
	switch {
	case head[0] != 0 || head[1] != 0:
		return nil, fmt.Errorf("%w: magic number 0x%08x, want 0x00000801 (labels) or 0x00000803 (images)", ErrNotIDX, magic)
	case head[2] != 0x08:
		return nil, fmt.Errorf("%w: magic number 0x%08x: data type 0x%02x not supported (only 0x08, unsigned bytes)", ErrNotIDX, magic, head[2])
	case ndims < 1 || ndims > 4:
		return nil, fmt.Errorf("%w: magic number 0x%08x: %d dimensions, want 1 to 4", ErrNotIDX, magic, ndims)
	}
	dimBytes := make([]byte, 4*ndims)
	if _, err := io.ReadFull(src, dimBytes); err != nil {
		if gz && !isEOF(err) {
			return nil, gzipError(err)
		}
		return nil, fmt.Errorf("%w: header ends before its %d dimensions", ErrTruncated, ndims)
	}
	dims := make([]int, ndims)
	total := int64(1)
	names := make([]string, ndims)
	for i := range dims {
		v := binary.BigEndian.Uint32(dimBytes[4*i:])
		if v == 0 || v > 1<<31-1 {
			return nil, fmt.Errorf("%w: dimension %d is %d", ErrCorrupt, i+1, v)
		}
		dims[i] = int(v)
		names[i] = fmt.Sprint(v)
		if total > maxIDXBytes/int64(v) {
			return nil, fmt.Errorf("header declares %s values: %w (at most %d)", strings.Join(names[:i+1], "×"), ErrTooLarge, maxIDXBytes)
		}
		total *= int64(v)
	}
	shape := strings.Join(names, "×")
	if ndims > 1 {
		shape += fmt.Sprintf(" = %d", total)
	}
	headerLen := int64(4 + 4*ndims)
	switch {
	case !gz && headerLen+total > size:
		return nil, fmt.Errorf("%w: header declares %s bytes, got %d", ErrTruncated, shape, size-headerLen)
	case !gz && headerLen+total < size:
		return nil, fmt.Errorf("%w: %d bytes after the %s the header declares", ErrCorrupt, size-headerLen-total, shape)
	case gz && headerLen+total > limit:
		return nil, fmt.Errorf("%w: header declares %s bytes, more than a %d-byte gzip file can hold", ErrCorrupt, shape, size)
	}
	data := make([]uint8, total)
	if n, err := io.ReadFull(src, data); err != nil {
		if gz && !isEOF(err) {
			return nil, gzipError(err)
		}
		return nil, fmt.Errorf("%w: header declares %s bytes, got %d", ErrTruncated, shape, n)
	}
	if gz {
		// Read to the end of the stream: gzip checks the CRC-32 and length there.
		var one [1]byte
		n, err := io.ReadFull(src, one[:])
		switch {
		case n > 0:
			extra, _ := io.Copy(io.Discard, io.LimitReader(src, 1<<20))
			return nil, fmt.Errorf("%w: trailing data after the %s bytes the header declares (%d+ bytes)", ErrCorrupt, shape, extra+1)
		case err != io.EOF:
			return nil, gzipError(err)
		}
	}
	return &IDX{Dims: dims, Data: data}, nil
}

func isEOF(err error) bool { return err == io.EOF || err == io.ErrUnexpectedEOF }

// gzipError describes a failure of the gzip stream: cut short, or corrupt (bad deflate data,
// bad header, CRC-32 or length mismatch).
func gzipError(err error) error {
	if isEOF(err) {
		return fmt.Errorf("%w: gzip stream ends early", ErrTruncated)
	}
	return fmt.Errorf("%w: gzip: %s", ErrCorrupt, strings.TrimPrefix(err.Error(), "gzip: "))
}

// MNISTFiles are the four IDX files of MNIST, and of Fashion-MNIST, which uses the same names:
// training images and labels, test images and labels. Each may be raw or end in .gz.
var MNISTFiles = []string{
	"train-images-idx3-ubyte",
	"train-labels-idx1-ubyte",
	"t10k-images-idx3-ubyte",
	"t10k-labels-idx1-ubyte",
}

// ReadMNIST reads the four files of MNIST or Fashion-MNIST ([MNISTFiles], each raw or gzip,
// name.gz preferred when both exist) from dir: the 60,000 training and 10,000 test images as
// byte sets (D = rows×columns = 784, PixMax 255, so pixels read as values in [0, 1]) with
// classes 0..9.
//
// The images must be 3-D (magic 0x803) and the labels 1-D (magic 0x801), with as many labels
// as images and every label in 0..9. Errors are *FileError values naming the file.
func ReadMNIST(dir string) (train, test *Set, err error) {
	var idx [4]*IDX
	var paths [4]string
	for i, name := range MNISTFiles {
		paths[i], err = findIDX(dir, name)
		if err != nil {
			return nil, nil, err
		}
		if idx[i], err = ReadIDX(paths[i]); err != nil {
			return nil, nil, err
		}
	}
	if train, err = mnistSet(paths[0], paths[1], idx[0], idx[1]); err != nil {
		return nil, nil, err
	}
	if test, err = mnistSet(paths[2], paths[3], idx[2], idx[3]); err != nil {
		return nil, nil, err
	}
	if train.D != test.D {
		return nil, nil, &FileError{Path: paths[2],
			Err: fmt.Errorf("%w: images have %d pixels, the training images %d", ErrCorrupt, test.D, train.D)}
	}
	return train, test, nil
}

// findIDX returns dir/name.gz or dir/name, whichever exists (.gz first).
func findIDX(dir, name string) (string, error) {
	for _, p := range []string{filepath.Join(dir, name+".gz"), filepath.Join(dir, name)} {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return "", &FileError{Path: dir, Err: errors.New("no such folder")}
	}
	return "", &FileError{Path: filepath.Join(dir, name), Err: fmt.Errorf("missing (neither %s nor %s.gz)", name, name)}
}

// mnistClasses is the number of classes of MNIST and Fashion-MNIST.
const mnistClasses = 10

func mnistSet(imgPath, labPath string, img, lab *IDX) (*Set, error) {
	if len(img.Dims) != 3 {
		return nil, &FileError{Path: imgPath,
			Err: fmt.Errorf("%w: magic number 0x%08x (%d-D), want 0x00000803 (images)", ErrNotIDX, 0x800+len(img.Dims), len(img.Dims))}
	}
	if len(lab.Dims) != 1 {
		return nil, &FileError{Path: labPath,
			Err: fmt.Errorf("%w: magic number 0x%08x (%d-D), want 0x00000801 (labels)", ErrNotIDX, 0x800+len(lab.Dims), len(lab.Dims))}
	}
	n, d := img.Dims[0], img.Dims[1]*img.Dims[2]
	if lab.Dims[0] != n {
		return nil, &FileError{Path: labPath,
			Err: fmt.Errorf("%w: %d labels for the %d images of %s", ErrCorrupt, lab.Dims[0], n, filepath.Base(imgPath))}
	}
	y := make([]float64, n)
	for i, v := range lab.Data {
		if v >= mnistClasses {
			return nil, &FileError{Path: labPath,
				Err: fmt.Errorf("%w: label %d of sample %d, want 0..%d", ErrCorrupt, v, i, mnistClasses-1)}
		}
		y[i] = float64(v)
	}
	return &Set{
		Pix:      img.Data,
		PixMax:   255,
		Y:        y,
		N:        n,
		D:        d,
		Classes:  mnistClasses,
		Features: defaultFeatures(d),
		Labels:   intLabels(mnistClasses),
	}, nil
}
