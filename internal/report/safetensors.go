package report

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
)

// Tensor is one named tensor of a parameter file: its shape (PyTorch's: a weight [out, in],
// a bias [out]) and its values, row-major.
type Tensor struct {
	Name  string
	Shape []int
	Data  []float64
}

// safetensors is the format of Hugging Face's safetensors library, which numpy, PyTorch and
// the safetensors library read: an 8-byte little-endian header length, a JSON header naming
// each tensor's dtype, shape and byte range, then the tensors' bytes, little-endian.
// https://github.com/huggingface/safetensors#format

// maxSafetensorsHeader bounds the JSON header of a parameter file read back (the format's own
// limit is 100 MB).
const maxSafetensorsHeader = 100 << 20

type stEntry struct {
	DType   string `json:"dtype"`
	Shape   []int  `json:"shape"`
	Offsets [2]int `json:"data_offsets"`
}

// WriteSafetensors writes tensors as float64 (F64) to path atomically, with metadata (string
// to string) in the header's __metadata__.
func WriteSafetensors(path string, tensors []Tensor, metadata map[string]string) error {
	header := map[string]any{}
	if len(metadata) > 0 {
		header["__metadata__"] = metadata
	}
	off := 0
	for _, t := range tensors {
		n := 1
		for _, d := range t.Shape {
			n *= d
		}
		if n != len(t.Data) {
			return fmt.Errorf("safetensors: tensor %s has %d values for shape %v", t.Name, len(t.Data), t.Shape)
		}
		header[t.Name] = stEntry{DType: "F64", Shape: t.Shape, Offsets: [2]int{off, off + 8*n}}
		off += 8 * n
	}
	h, err := json.Marshal(header) // map keys sorted: the same tensors give the same bytes
	if err != nil {
		return err
	}
	for len(h)%8 != 0 { // the data starts 8-byte aligned, as the library writes it
		h = append(h, ' ')
	}
	var b bytes.Buffer
	b.Grow(8 + len(h) + off)
	binary.Write(&b, binary.LittleEndian, uint64(len(h)))
	b.Write(h)
	var word [8]byte
	for _, t := range tensors {
		for _, v := range t.Data {
			binary.LittleEndian.PutUint64(word[:], math.Float64bits(v))
			b.Write(word[:])
		}
	}
	return WriteFileAtomic(path, b.Bytes())
}

// ReadSafetensors reads a parameter file written by WriteSafetensors or by the safetensors
// library (PyTorch's float32 or float64 tensors; F32 values are widened to float64), with
// its tensors in file order. A malformed file is an error naming it; no size in the header
// can make it allocate more than the file holds.
func ReadSafetensors(path string) ([]Tensor, map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s: not a regular file", path)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s: not a safetensors file: %s", path, fmt.Sprintf(format, args...))
	}
	var n uint64
	if err := binary.Read(f, binary.LittleEndian, &n); err != nil {
		return nil, nil, bad("no header length")
	}
	size := st.Size()
	if n > maxSafetensorsHeader || int64(n) > size-8 {
		return nil, nil, bad("header of %d bytes in a file of %d", n, size)
	}
	h := make([]byte, n)
	if _, err := io.ReadFull(f, h); err != nil {
		return nil, nil, bad("header cut short")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(h, &raw); err != nil {
		return nil, nil, bad("header: %v", err)
	}
	dataLen := size - 8 - int64(n)
	var meta map[string]string
	type placed struct {
		name string
		e    stEntry
	}
	var entries []placed
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &meta); err != nil {
				return nil, nil, bad("__metadata__: %v", err)
			}
			continue
		}
		var e stEntry
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, nil, bad("tensor %s: %v", name, err)
		}
		entries = append(entries, placed{name, e})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].e.Offsets[0] < entries[j].e.Offsets[0] })
	data := make([]byte, dataLen)
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, nil, bad("data cut short")
	}
	var out []Tensor
	for _, p := range entries {
		t, err := decodeTensor(p.name, p.e, data)
		if err != nil {
			return nil, nil, bad("%v", err)
		}
		out = append(out, t)
	}
	return out, meta, nil
}

func decodeTensor(name string, e stEntry, data []byte) (Tensor, error) {
	width := map[string]int{"F64": 8, "F32": 4}[e.DType]
	if width == 0 {
		return Tensor{}, fmt.Errorf("tensor %s: dtype %s (want F64 or F32)", name, e.DType)
	}
	count := 1
	for _, d := range e.Shape {
		if d < 0 || (d > 0 && count > len(data)/d) {
			return Tensor{}, fmt.Errorf("tensor %s: shape %v", name, e.Shape)
		}
		count *= d
	}
	lo, hi := e.Offsets[0], e.Offsets[1]
	if lo < 0 || hi < lo || hi > len(data) || hi-lo != count*width {
		return Tensor{}, fmt.Errorf("tensor %s: bytes [%d, %d) for %d values of %s in %d bytes of data", name, lo, hi, count, e.DType, len(data))
	}
	t := Tensor{Name: name, Shape: append([]int{}, e.Shape...), Data: make([]float64, count)}
	for i := range t.Data {
		b := data[lo+i*width:]
		if width == 8 {
			t.Data[i] = math.Float64frombits(binary.LittleEndian.Uint64(b))
		} else {
			t.Data[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))
		}
	}
	return t, nil
}

// ErrNoTensor is wrapped by FindTensor's error for a name the file does not hold.
var ErrNoTensor = errors.New("no such tensor")

// FindTensor returns the tensor called name.
func FindTensor(ts []Tensor, name string) (*Tensor, error) {
	for i := range ts {
		if ts[i].Name == name {
			return &ts[i], nil
		}
	}
	return nil, fmt.Errorf("%w %q", ErrNoTensor, name)
}
