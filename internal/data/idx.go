package data

import (
	"bufio"
	"compress/gzip"
	"context"
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
//
// A path that is not a regular file (a named pipe, a device such as /dev/zero) is refused at
// once. Reads need no bound of their own: the header checks bound the values (maxIDXBytes), and
// nothing is read beyond the size the file has when it is opened.
func ReadIDX(path string) (*IDX, error) {
	return ReadIDXContext(context.Background(), path)
}

// ReadIDXContext is [ReadIDX] that stops soon after ctx is done: it checks ctx before every
// read of the file and after every 16 MiB of values, and then returns a *FileError naming the
// file that wraps ctx.Err().
func ReadIDXContext(ctx context.Context, path string) (*IDX, error) {
	if err := ctx.Err(); err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	f, st, err := openRegular(path, "an IDX file", false)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := readIDX(ctx, io.LimitReader(f, st.Size()), st.Size())
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			err = cerr // the failure of a read stopped by ctx (the gzip reader hides its cause)
		}
		return nil, &FileError{Path: path, Err: err}
	}
	return m, nil
}

// idxReader holds the state of readIDX: the stream of the file's content (decompressed when
// gzip) and the bounds the stored size puts on it.
type idxReader struct {
	ctx   context.Context
	src   io.Reader // the content: the file itself, or its gzip stream
	gz    bool      // src decompresses a gzip file
	size  int64     // bytes as stored
	limit int64     // the most data bytes the stream can hold
}

// idxHeader is what the header of an IDX file declares.
type idxHeader struct {
	dims  []int
	total int64  // number of values, the product of dims
	shape string // dims for messages: "60000×28×28 = 47040000"
	len   int64  // bytes of the header itself
}

// readIDX decodes an IDX stream of size bytes (as stored: compressed or not). The header is
// checked against size before the values are allocated. It stops with ctx's error when ctx is
// done.
func readIDX(ctx context.Context, r io.Reader, size int64) (*IDX, error) {
	br := bufio.NewReaderSize(ctxReader{ctx, r}, readBufferSize)
	p := &idxReader{ctx: ctx, src: br, size: size, limit: size}
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, gzipError(err)
		}
		defer zr.Close()
		p.src, p.gz = zr, true
		p.limit = size * maxDeflateRatio
	}
	ndims, err := p.readMagic()
	if err != nil {
		return nil, err
	}
	h, err := p.readDims(ndims)
	if err != nil {
		return nil, err
	}
	if err := p.checkSize(h); err != nil {
		return nil, err
	}
	data, err := p.readData(h)
	if err != nil {
		return nil, err
	}
	return &IDX{Dims: h.dims, Data: data}, nil
}

// readError is the error of a read that failed with err: the gzip stream's own failure when
// it is one, else short (the content ends too early).
func (p *idxReader) readError(err, short error) error {
	if p.gz && !isEOF(err) {
		return gzipError(err)
	}
	return short
}

// readMagic reads and checks the magic number (0x00 0x00, data type 0x08, 1 to 4 dimensions)
// and returns its number of dimensions.
func (p *idxReader) readMagic() (int, error) {
	var head [4]byte
	if n, err := io.ReadFull(p.src, head[:]); err != nil {
		return 0, p.readError(err,
			fmt.Errorf("%w: %d bytes, shorter than the 4-byte magic number", ErrTruncated, n))
	}
	magic := binary.BigEndian.Uint32(head[:])
	ndims := int(head[3])
	switch {
	case head[0] != 0 || head[1] != 0:
		return 0, fmt.Errorf("%w: magic number 0x%08x, want 0x00000801 (labels) or 0x00000803 (images)", ErrNotIDX, magic)
	case head[2] != 0x08:
		return 0, fmt.Errorf("%w: magic number 0x%08x: data type 0x%02x not supported (only 0x08, unsigned bytes)", ErrNotIDX, magic, head[2])
	case ndims < 1 || ndims > 4:
		return 0, fmt.Errorf("%w: magic number 0x%08x: %d dimensions, want 1 to 4", ErrNotIDX, magic, ndims)
	}
	return ndims, nil
}

// readDims reads the ndims dimensions after the magic number. Each must be in 1..2³¹−1 and
// their product at most maxIDXBytes, checked before it can overflow.
func (p *idxReader) readDims(ndims int) (idxHeader, error) {
	dimBytes := make([]byte, 4*ndims)
	if _, err := io.ReadFull(p.src, dimBytes); err != nil {
		return idxHeader{}, p.readError(err,
			fmt.Errorf("%w: header ends before its %d dimensions", ErrTruncated, ndims))
	}
	h := idxHeader{dims: make([]int, ndims), total: 1, len: int64(4 + 4*ndims)}
	names := make([]string, ndims)
	for i := range h.dims {
		v := binary.BigEndian.Uint32(dimBytes[4*i:])
		if v == 0 || v > 1<<31-1 {
			return idxHeader{}, fmt.Errorf("%w: dimension %d is %d", ErrCorrupt, i+1, v)
		}
		h.dims[i] = int(v)
		names[i] = fmt.Sprint(v)
		if h.total > maxIDXBytes/int64(v) {
			return idxHeader{}, fmt.Errorf("header declares %s values: %w (at most %d)", strings.Join(names[:i+1], "×"), ErrTooLarge, maxIDXBytes)
		}
		h.total *= int64(v)
	}
	h.shape = strings.Join(names, "×")
	if ndims > 1 {
		h.shape += fmt.Sprintf(" = %d", h.total)
	}
	return h, nil
}

// checkSize checks the values h declares against the stored size: a raw file must hold
// exactly them, a gzip file no more than it can expand to.
func (p *idxReader) checkSize(h idxHeader) error {
	switch {
	case !p.gz && h.len+h.total > p.size:
		return fmt.Errorf("%w: header declares %s bytes, got %d", ErrTruncated, h.shape, p.size-h.len)
	case !p.gz && h.len+h.total < p.size:
		return fmt.Errorf("%w: %d bytes after the %s the header declares", ErrCorrupt, p.size-h.len-h.total, h.shape)
	case p.gz && h.len+h.total > p.limit:
		return fmt.Errorf("%w: header declares %s bytes, more than a %d-byte gzip file can hold", ErrCorrupt, h.shape, p.size)
	}
	return nil
}

// idxChunk is how many values readData reads between two checks of its context.
const idxChunk = 16 << 20

// readData reads the values h declares (call checkSize first: this allocates them) and, for a
// gzip file, the end of its stream.
func (p *idxReader) readData(h idxHeader) ([]uint8, error) {
	data := make([]uint8, h.total)
	for off := int64(0); off < h.total; {
		end := min(off+idxChunk, h.total)
		n, err := io.ReadFull(p.src, data[off:end])
		if err != nil {
			return nil, p.readError(err,
				fmt.Errorf("%w: header declares %s bytes, got %d", ErrTruncated, h.shape, off+int64(n)))
		}
		if err := p.ctx.Err(); err != nil {
			return nil, err
		}
		off = end
	}
	if p.gz {
		if err := p.checkEnd(h); err != nil {
			return nil, err
		}
	}
	return data, nil
}

// checkEnd reads to the end of the gzip stream, which checks its CRC-32 and length there, and
// refuses data after the values h declares.
func (p *idxReader) checkEnd(h idxHeader) error {
	var one [1]byte
	n, err := io.ReadFull(p.src, one[:])
	switch {
	case n > 0:
		extra, _ := io.Copy(io.Discard, io.LimitReader(p.src, 1<<20))
		return fmt.Errorf("%w: trailing data after the %s bytes the header declares (%d+ bytes)", ErrCorrupt, h.shape, extra+1)
	case err != io.EOF:
		return gzipError(err)
	}
	return nil
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
	return ReadMNISTContext(context.Background(), dir)
}

// ReadMNISTContext is [ReadMNIST] that stops soon after ctx is done, as [ReadIDXContext] does.
func ReadMNISTContext(ctx context.Context, dir string) (train, test *Set, err error) {
	var idx [4]*IDX
	var paths [4]string
	for i, name := range MNISTFiles {
		paths[i], err = findIDX(dir, name)
		if err != nil {
			return nil, nil, err
		}
		if idx[i], err = ReadIDXContext(ctx, paths[i]); err != nil {
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
