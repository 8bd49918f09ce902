package data

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// idxBytes encodes an IDX file of unsigned bytes.
func idxBytes(dims []int, values []byte) []byte {
	b := []byte{0, 0, 0x08, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, uint32(d))
	}
	return append(b, values...)
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeIDXFile(t testing.TB, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// seq returns n bytes 0, 1, 2, … (mod 256).
func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

func TestReadIDX(t *testing.T) {
	dir := t.TempDir()
	img := idxBytes([]int{3, 2, 4}, seq(24))
	for _, tc := range []struct {
		name    string
		content []byte
	}{
		{"raw", img},
		{"raw.gz", img}, // named .gz but raw: detected from the content
		{"gzip.gz", gzipBytes(t, img)},
		{"gzip-without-suffix", gzipBytes(t, img)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ReadIDX(writeIDXFile(t, dir, tc.name, tc.content))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(m.Dims, []int{3, 2, 4}) || !bytes.Equal(m.Data, seq(24)) {
				t.Errorf("got dims %v data %v", m.Dims, m.Data)
			}
		})
	}
	m, err := ReadIDX(writeIDXFile(t, dir, "labels", idxBytes([]int{5}, []byte{5, 0, 4, 1, 9})))
	if err != nil || !slices.Equal(m.Dims, []int{5}) || !bytes.Equal(m.Data, []byte{5, 0, 4, 1, 9}) {
		t.Errorf("labels: %+v, %v", m, err)
	}
}

// Every malformed file is a *FileError naming it, with the right cause, and no panic.
func TestReadIDXErrors(t *testing.T) {
	dir := t.TempDir()
	good := idxBytes([]int{10, 28, 28}, seq(7840))
	gz := gzipBytes(t, good)
	flipped := slices.Clone(gz)
	flipped[len(flipped)/2] ^= 0xff
	badCRC := slices.Clone(gz)
	badCRC[len(badCRC)-8] ^= 0xff
	lying := idxBytes([]int{60000, 28, 28}, seq(10))
	for _, tc := range []struct {
		name    string
		content []byte
		want    error
		msg     string
	}{
		{"empty", nil, ErrTruncated, "magic"},
		{"three bytes", []byte{0, 0, 8}, ErrTruncated, "magic"},
		{"zip file", []byte("PK\x03\x04 not an idx file"), ErrNotIDX, "0x504b0304"},
		{"float type", []byte{0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0}, ErrNotIDX, "data type 0x0d"},
		{"int32 type", append([]byte{0, 0, 0x0c, 1, 0, 0, 0, 1}, 0, 0, 0, 1), ErrNotIDX, "data type 0x0c"},
		{"no dimensions", []byte{0, 0, 8, 0}, ErrNotIDX, "0 dimensions"},
		{"five dimensions", []byte{0, 0, 8, 5}, ErrNotIDX, "5 dimensions"},
		{"dimensions cut", []byte{0, 0, 8, 3, 0, 0, 0, 10, 0, 0}, ErrTruncated, "3 dimensions"},
		{"zero dimension", idxBytes([]int{0, 28, 28}, nil), ErrCorrupt, "dimension 1 is 0"},
		{"raw truncated", good[:len(good)-100], ErrTruncated, "10×28×28 = 7840 bytes, got 7740"},
		{"raw trailing", append(slices.Clone(good), 1, 2, 3), ErrCorrupt, "3 bytes after"},
		{"raw lying header", lying, ErrTruncated, "60000×28×28"},
		{"huge header", idxBytes([]int{1 << 30, 1 << 30, 1 << 30}, nil), ErrTooLarge, "at most"},
		{"gzip lying header", gzipBytes(t, lying), ErrCorrupt, "more than a"},
		{"gzip truncated", gz[:len(gz)/2], ErrTruncated, ""},
		{"gzip cut in trailer", gz[:len(gz)-3], ErrTruncated, ""},
		{"gzip corrupt", flipped, ErrCorrupt, "gzip"},
		{"gzip bad checksum", badCRC, ErrCorrupt, "checksum"},
		{"gzip trailing data", gzipBytes(t, append(slices.Clone(good), 7)), ErrCorrupt, "trailing data"},
		{"gzip header only", gz[:5], ErrTruncated, "gzip"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeIDXFile(t, dir, strings.ReplaceAll(tc.name, " ", "-")+".idx", tc.content)
			m, err := ReadIDX(path)
			if err == nil {
				t.Fatalf("no error, got %v", m.Dims)
			}
			var fe *FileError
			if !errors.As(err, &fe) || fe.Path != path {
				t.Errorf("error %v is not a *FileError naming %s", err, path)
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("error %q does not wrap %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) || !strings.HasPrefix(err.Error(), path+": ") {
				t.Errorf("error %q: want it to start with the path and mention %q", err, tc.msg)
			}
		})
	}
	if _, err := ReadIDX(filepath.Join(dir, "absent")); err == nil || !strings.Contains(err.Error(), "absent") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := ReadIDX(dir); err == nil || !strings.Contains(err.Error(), "folder") {
		t.Errorf("a folder: %v", err)
	}
}

// writeMNIST writes a small MNIST-shaped folder: n training and m test images of 28×28
// (train files gzipped, test files raw) with labels i mod 10, and returns the pixels.
func writeMNIST(t testing.TB, dir string, n, m int) (trainPix, testPix []byte) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	pix := func(k int) []byte {
		b := make([]byte, k*784)
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		return b
	}
	labels := func(k int) []byte {
		b := make([]byte, k)
		for i := range b {
			b[i] = byte(i % 10)
		}
		return b
	}
	trainPix, testPix = pix(n), pix(m)
	writeIDXFile(t, dir, "train-images-idx3-ubyte.gz", gzipBytes(t, idxBytes([]int{n, 28, 28}, trainPix)))
	writeIDXFile(t, dir, "train-labels-idx1-ubyte.gz", gzipBytes(t, idxBytes([]int{n}, labels(n))))
	writeIDXFile(t, dir, "t10k-images-idx3-ubyte", idxBytes([]int{m, 28, 28}, testPix))
	writeIDXFile(t, dir, "t10k-labels-idx1-ubyte", idxBytes([]int{m}, labels(m)))
	return trainPix, testPix
}

func TestReadMNIST(t *testing.T) {
	dir := t.TempDir()
	trainPix, testPix := writeMNIST(t, dir, 30, 12)
	train, test, err := ReadMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		s   *Set
		n   int
		pix []byte
	}{{train, 30, trainPix}, {test, 12, testPix}} {
		s := c.s
		if s.N != c.n || s.D != 784 || s.Classes != 10 || len(s.Labels) != 10 || len(s.Features) != 784 ||
			s.X != nil || !bytes.Equal(s.Pix, c.pix) || s.PixMax != 255 || len(s.Y) != c.n || s.Y[13%c.n] != float64(13%c.n%10) {
			t.Errorf("set N %d D %d classes %d X %v PixMax %v Y %v", s.N, s.D, s.Classes, s.X != nil, s.PixMax, s.Y)
		}
	}
}

func TestReadMNISTErrors(t *testing.T) {
	labelsAsImages := func(dir string) {
		b, _ := os.ReadFile(filepath.Join(dir, "t10k-labels-idx1-ubyte"))
		writeIDXFile(t, dir, "t10k-images-idx3-ubyte", b)
	}
	for _, tc := range []struct {
		name   string
		break_ func(dir string)
		file   string
		want   error
		msg    string
	}{
		{"missing file", func(dir string) { os.Remove(filepath.Join(dir, "t10k-labels-idx1-ubyte")) },
			"t10k-labels-idx1-ubyte", nil, "missing"},
		{"labels in place of images", labelsAsImages, "t10k-images-idx3-ubyte", ErrNotIDX, "want 0x00000803"},
		{"label count", func(dir string) {
			writeIDXFile(t, dir, "t10k-labels-idx1-ubyte", idxBytes([]int{11}, make([]byte, 11)))
		}, "t10k-labels-idx1-ubyte", ErrCorrupt, "11 labels for the 12 images"},
		{"label out of range", func(dir string) {
			writeIDXFile(t, dir, "t10k-labels-idx1-ubyte", idxBytes([]int{12}, append(make([]byte, 11), 10)))
		}, "t10k-labels-idx1-ubyte", ErrCorrupt, "label 10 of sample 11"},
		{"truncated gzip", func(dir string) {
			p := filepath.Join(dir, "train-images-idx3-ubyte.gz")
			b, _ := os.ReadFile(p)
			writeIDXFile(t, dir, "train-images-idx3-ubyte.gz", b[:len(b)/3])
		}, "train-images-idx3-ubyte.gz", ErrTruncated, "truncated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeMNIST(t, dir, 30, 12)
			tc.break_(dir)
			_, _, err := ReadMNIST(dir)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), filepath.Join(dir, tc.file)) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q: want it to name %s and say %q", err, tc.file, tc.msg)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %q does not wrap %q", err, tc.want)
			}
		})
	}
	if _, _, err := ReadMNIST(filepath.Join(t.TempDir(), "nowhere")); err == nil || !strings.Contains(err.Error(), "nowhere: no such folder") {
		t.Errorf("absent folder: %v", err)
	}
}

// realDir returns the folder of a fetched dataset ($OPTIMBENCH_DATA/name or the repository's
// data/name), or skips the test with the command that fetches it.
func realDir(t *testing.T, name string) string {
	t.Helper()
	var tried []string
	if env := os.Getenv("OPTIMBENCH_DATA"); env != "" {
		tried = append(tried, filepath.Join(env, name))
	}
	tried = append(tried, filepath.Join("..", "..", "data", name))
	for _, d := range tried {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
	}
	t.Skipf("%s not found in %s; fetch it with: go run . data get %s (at the repository root)", name, strings.Join(tried, " or "), name)
	return ""
}

// rawSHA256 is the sha256 of the IDX file m was read from, rebuilt from its dimensions and data.
func rawSHA256(m *IDX) string {
	h := sha256.New()
	h.Write(idxBytes(m.Dims, nil))
	h.Write(m.Data)
	return hex.EncodeToString(h.Sum(nil))
}

// The real files, when fetched: counts, first labels and the sha256 of every file's raw bytes.
func TestRealIDX(t *testing.T) {
	for _, tc := range []struct {
		name   string
		labels []float64
		sums   []string // train images, train labels, test images, test labels
	}{
		{"mnist", []float64{5, 0, 4, 1, 9}, []string{
			"ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
			"65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
			"0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
			"ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"}},
		{"fashion-mnist", []float64{9, 0, 0, 3, 0}, []string{
			"c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
			"bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
			"5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
			"0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := realDir(t, tc.name)
			for i, name := range MNISTFiles {
				p, err := findIDX(dir, name)
				if err != nil {
					t.Fatal(err)
				}
				m, err := ReadIDX(p)
				if err != nil {
					t.Fatal(err)
				}
				if got := rawSHA256(m); got != tc.sums[i] {
					t.Errorf("%s: sha256 %s, want %s", p, got, tc.sums[i])
				}
			}
			train, test, err := ReadMNIST(dir)
			if err != nil {
				t.Fatal(err)
			}
			if train.N != 60000 || test.N != 10000 || train.D != 784 || test.D != 784 {
				t.Errorf("train %d×%d, test %d×%d, want 60000×784 and 10000×784", train.N, train.D, test.N, test.D)
			}
			if !slices.Equal(train.Y[:5], tc.labels) {
				t.Errorf("first training labels %v, want %v", train.Y[:5], tc.labels)
			}
			counts := make([]int, 10)
			for _, y := range train.Y {
				counts[int(y)]++
			}
			for k, c := range counts {
				if c < 5000 || c > 7000 {
					t.Errorf("class %d has %d training images", k, c)
				}
			}
		})
	}
}

// byteSet returns a byte set of n rows of d features and its dense twin.
func byteSet(n, d int) (bytesSet, dense *Set) {
	rng := rand.New(rand.NewPCG(3, 4))
	pix := make([]byte, n*d)
	for i := range pix {
		pix[i] = byte(rng.IntN(256))
	}
	y := make([]float64, n)
	for i := range y {
		y[i] = float64(i % 3)
	}
	bytesSet = &Set{Pix: pix, PixMax: 255, Y: y, N: n, D: d, Classes: 3,
		Features: defaultFeatures(d), Labels: intLabels(3)}
	x := make([]float64, n*d)
	for i, p := range pix {
		x[i] = float64(p) / 255
	}
	dense = &Set{X: x, Y: slices.Clone(y), N: n, D: d, Classes: 3, Features: defaultFeatures(d), Labels: intLabels(3)}
	return bytesSet, dense
}

// A byte set reads exactly as its dense twin through Rows, Gather, Limit and Split.
func TestByteSet(t *testing.T) {
	b, d := byteSet(20, 5)
	if !b.Bytes() || d.Bytes() {
		t.Fatal("Bytes() wrong")
	}
	buf := make([]float64, 7*5)
	if got, want := b.Rows(3, 7, buf), d.Rows(3, 7, nil); !slices.Equal(got, want) {
		t.Errorf("Rows: got %v, want %v", got, want)
	}
	if got := d.Rows(3, 7, nil); &got[0] != &d.X[15] {
		t.Error("Rows of a dense set is not a view of X")
	}
	if got := b.Rows(0, 0, nil); len(got) != 0 {
		t.Errorf("Rows(0, 0) = %v", got)
	}
	idx := []int{19, 0, 7, 7}
	xb, yb := make([]float64, 4*5), make([]float64, 4)
	xd, yd := make([]float64, 4*5), make([]float64, 4)
	b.Gather(idx, xb, yb)
	d.Gather(idx, xd, yd)
	if !slices.Equal(xb, xd) || !slices.Equal(yb, yd) {
		t.Errorf("Gather: got %v %v, want %v %v", xb, yb, xd, yd)
	}
	if v := b.Rows(0, 1, buf); v[0] != float64(b.Pix[0])/255 {
		t.Errorf("pixel %d reads %v", b.Pix[0], v[0])
	}
	lb, ld := Limit(b, 6), Limit(d, 6)
	if lb.N != 6 || len(lb.Pix) != 30 || lb.X != nil || !slices.Equal(lb.Rows(0, 6, make([]float64, 30)), ld.X) {
		t.Errorf("Limit: N %d, %d bytes", lb.N, len(lb.Pix))
	}
	trB, teB := Split(b, 0.3, newRand(5))
	trD, teD := Split(d, 0.3, newRand(5))
	if !trB.Bytes() || !teB.Bytes() || trB.PixMax != 255 {
		t.Fatal("Split of a byte set did not give byte sets")
	}
	if !slices.Equal(trB.Rows(0, trB.N, make([]float64, trB.N*5)), trD.X) || !slices.Equal(trB.Y, trD.Y) ||
		!slices.Equal(teB.Rows(0, teB.N, make([]float64, teB.N*5)), teD.X) || !slices.Equal(teB.Y, teD.Y) {
		t.Error("Split: the byte parts differ from the dense ones")
	}
	if &trB.Pix[0] == &b.Pix[0] {
		t.Error("Split shares Pix with its input")
	}
}

func TestByteSetAllocs(t *testing.T) {
	b, _ := byteSet(64, 784)
	buf := make([]float64, 32*784)
	idx := []int{5, 3, 60, 1}
	x, y := make([]float64, 4*784), make([]float64, 4)
	if n := testing.AllocsPerRun(20, func() { b.Rows(10, 32, buf) }); n != 0 {
		t.Errorf("Rows allocates %v times", n)
	}
	if n := testing.AllocsPerRun(20, func() { b.Gather(idx, x, y) }); n != 0 {
		t.Errorf("Gather allocates %v times", n)
	}
}

func TestStandardizeRefusesBytes(t *testing.T) {
	b, d := byteSet(4, 2)
	for _, c := range []struct{ train, test *Set }{{b, nil}, {d, b}} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(r.(string), "byte sets") {
					t.Errorf("Standardize of a byte set: recovered %v", r)
				}
			}()
			Standardize(c.train, c.test)
		}()
	}
}

func BenchmarkRowsBytes(b *testing.B) {
	s, _ := byteSet(1024, 784)
	buf := make([]float64, 128*784)
	b.ReportAllocs()
	b.SetBytes(128 * 784)
	for b.Loop() {
		s.Rows(256, 128, buf)
	}
}

func FuzzReadIDX(f *testing.F) {
	good := idxBytes([]int{2, 3, 3}, seq(18))
	f.Add(good)
	f.Add(gzipBytes(f, good))
	f.Add(idxBytes([]int{4}, []byte{5, 0, 4, 1}))
	f.Add(gzipBytes(f, idxBytes([]int{4}, []byte{5, 0, 4, 1})))
	f.Add(good[:10])
	f.Add(gzipBytes(f, good)[:20])
	f.Add(idxBytes([]int{60000, 28, 28}, nil))
	f.Add(gzipBytes(f, idxBytes([]int{60000, 28, 28}, make([]byte, 100))))
	f.Add([]byte{0x1f, 0x8b})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, content []byte) {
		m, err := readIDX(context.Background(), bytes.NewReader(content), int64(len(content)))
		if err != nil {
			if m != nil {
				t.Fatalf("readIDX returned a result and the error %v", err)
			}
			if !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNotIDX) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error %q wraps none of the reader's causes", err)
			}
			return
		}
		total := 1
		for _, d := range m.Dims {
			if d <= 0 {
				t.Fatalf("dims %v", m.Dims)
			}
			total *= d
		}
		if len(m.Data) != total || len(m.Dims) < 1 || len(m.Dims) > 4 {
			t.Fatalf("dims %v with %d values", m.Dims, len(m.Data))
		}
		if len(m.Data) > len(content)*maxDeflateRatio {
			t.Fatalf("%d values from %d bytes", len(m.Data), len(content))
		}
		if !isGzipContent(content) && !bytes.Equal(idxBytes(m.Dims, m.Data), content) {
			t.Fatal("a raw file does not round-trip")
		}
	})
}

func isGzipContent(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }
