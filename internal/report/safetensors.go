package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
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
	// DType is the dtype the file stores the tensor in (F64, F32, F16, BF16), set by
	// ReadSafetensors; WriteSafetensors always writes F64.
	DType string
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

// WriteSafetensors writes tensors as float64 (F64), or as float32 (F32) those whose DType is
// "F32" (each value rounded to float32), to path atomically, with metadata (string to string)
// in the header's __metadata__.
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
		dt, w := "F64", 8
		if t.DType == "F32" {
			dt, w = "F32", 4
		}
		header[t.Name] = stEntry{DType: dt, Shape: t.Shape, Offsets: [2]int{off, off + w*n}}
		off += w * n
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
			if t.DType == "F32" {
				binary.LittleEndian.PutUint32(word[:4], math.Float32bits(float32(v)))
				b.Write(word[:4])
				continue
			}
			binary.LittleEndian.PutUint64(word[:], math.Float64bits(v))
			b.Write(word[:])
		}
	}
	return WriteFileAtomic(path, b.Bytes())
}

// MaxSafetensorsFile bounds a parameter file read back: 4 GiB, half a billion float64 values.
const MaxSafetensorsFile = 4 << 30

// dtypeWidth is the width in bytes of each dtype of the format. ReadSafetensors decodes the
// floating-point ones of at least 16 bits (F64, F32, F16, BF16); any other is an error naming
// the tensor.
var dtypeWidth = map[string]int{"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1,
	"I16": 2, "U16": 2, "F16": 2, "BF16": 2, "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8}

// ReadSafetensors reads a parameter file written by WriteSafetensors or by the safetensors
// library (safetensors.torch.save_file: F64, F32, F16 or BF16 tensors in any order, with any
// metadata; every value is converted exactly to float64, and Tensor.DType keeps the file's
// dtype), with its tensors in the order of their data. A malformed file is an error naming
// it; the file may hold at most 4 GiB and its header 100 MiB, and no size in the header can
// make it allocate more than the file holds.
func ReadSafetensors(path string) ([]Tensor, map[string]string, error) {
	ts, meta, _, err := ReadSafetensorsSum(path)
	return ts, meta, err
}

// ReadSafetensorsSum is ReadSafetensors that also returns the SHA-256 of the file's bytes, in
// hex: the content that was read, for a caller that pins it.
func ReadSafetensorsSum(path string) ([]Tensor, map[string]string, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, "", err
	}
	if !st.Mode().IsRegular() {
		return nil, nil, "", fmt.Errorf("%s: not a regular file", path)
	}
	if st.Size() > MaxSafetensorsFile {
		return nil, nil, "", fmt.Errorf("%s: %d bytes, more than the 4 GiB a parameter file may hold", path, st.Size())
	}
	b := make([]byte, st.Size())
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, nil, "", fmt.Errorf("%s: %w", path, err)
	}
	ts, meta, err := ParseSafetensors(b)
	if err != nil {
		return nil, nil, "", fmt.Errorf("%s: not a safetensors file: %w", path, err)
	}
	sum := sha256.Sum256(b)
	return ts, meta, hex.EncodeToString(sum[:]), nil
}

// ParseSafetensors decodes the bytes of a safetensors file (see ReadSafetensors).
func ParseSafetensors(b []byte) ([]Tensor, map[string]string, error) {
	if len(b) < 8 {
		return nil, nil, errors.New("no header length")
	}
	n := binary.LittleEndian.Uint64(b)
	if n > maxSafetensorsHeader || n > uint64(len(b)-8) {
		return nil, nil, fmt.Errorf("header of %d bytes in a file of %d", n, len(b))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &raw); err != nil {
		return nil, nil, fmt.Errorf("header: %v", err)
	}
	data := b[8+n:]
	var meta map[string]string
	type placed struct {
		name string
		e    stEntry
	}
	var entries []placed
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &meta); err != nil {
				return nil, nil, fmt.Errorf("__metadata__: %v", err)
			}
			continue
		}
		var e stEntry
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, nil, fmt.Errorf("tensor %s: %v", name, err)
		}
		entries = append(entries, placed{name, e})
	}
	sort.Slice(entries, func(i, j int) bool {
		a, b := entries[i], entries[j]
		return a.e.Offsets[0] < b.e.Offsets[0] || a.e.Offsets[0] == b.e.Offsets[0] && a.name < b.name
	})
	out := make([]Tensor, 0, len(entries))
	for _, p := range entries {
		t, err := decodeTensor(p.name, p.e, data)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, t)
	}
	return out, meta, nil
}

func decodeTensor(name string, e stEntry, data []byte) (Tensor, error) {
	width := dtypeWidth[e.DType]
	if width == 0 {
		return Tensor{}, fmt.Errorf("tensor %s: unknown dtype %q", name, e.DType)
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
	var conv func(b []byte) float64
	switch e.DType {
	case "F64":
		conv = func(b []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b)) }
	case "F32":
		conv = func(b []byte) float64 { return float64(math.Float32frombits(binary.LittleEndian.Uint32(b))) }
	case "F16":
		conv = func(b []byte) float64 { return halfToFloat(binary.LittleEndian.Uint16(b)) }
	case "BF16":
		conv = func(b []byte) float64 {
			return float64(math.Float32frombits(uint32(binary.LittleEndian.Uint16(b)) << 16))
		}
	default:
		return Tensor{}, fmt.Errorf("tensor %s: dtype %s is not floating point (want F64, F32, F16 or BF16)", name, e.DType)
	}
	t := Tensor{Name: name, DType: e.DType, Shape: append([]int{}, e.Shape...), Data: make([]float64, count)}
	for i := range t.Data {
		t.Data[i] = conv(data[lo+i*width:])
	}
	return t, nil
}

// halfToFloat is the value of an IEEE 754 binary16 number (sign, 5 exponent bits biased by
// 15, 10 fraction bits), exactly.
func halfToFloat(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp, frac := int(h>>10&0x1f), float64(h&0x3ff)
	switch exp {
	case 0: // zero and subnormals: frac·2⁻²⁴
		return sign * math.Ldexp(frac, -24)
	case 0x1f:
		if frac != 0 {
			return math.NaN()
		}
		return math.Inf(int(sign))
	}
	return sign * math.Ldexp(1024+frac, exp-25)
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
