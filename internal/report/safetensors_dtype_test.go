package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// stFile writes a safetensors file of header and data as the library lays it out.
func stFile(t *testing.T, header string, data []byte) string {
	t.Helper()
	for len(header)%8 != 0 {
		header += " "
	}
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, uint64(len(header)))
	b.WriteString(header)
	b.Write(data)
	path := filepath.Join(t.TempDir(), "t.safetensors")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func le16(v ...uint16) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, v)
	return b.Bytes()
}

// A file as safetensors.torch.save_file writes it from half-precision and mixed tensors: the
// __metadata__ first with keys of its own, tensors in the header in another order than their
// data, F16 and BF16 values converted exactly.
func TestSafetensorsHalfPrecision(t *testing.T) {
	header := `{"__metadata__":{"format":"pt","note":"made by hand"},` +
		`"w":{"dtype":"F32","shape":[2],"data_offsets":[24,32]},` +
		`"h":{"dtype":"F16","shape":[2,4],"data_offsets":[0,16]},` +
		`"b":{"dtype":"BF16","shape":[4],"data_offsets":[16,24]}}`
	var data []byte
	data = append(data, le16(0x3C00, 0xC100, 0x7BFF, 0x0001, 0x0400, 0x8000, 0x3555, 0x03FF)...)
	data = append(data, le16(0x3F80, 0xC049, 0x0001, 0x7F7F)...)
	data = binary.LittleEndian.AppendUint32(data, math.Float32bits(0.1))
	data = binary.LittleEndian.AppendUint32(data, math.Float32bits(-3))
	path := stFile(t, header, data)
	ts, meta, sum, err := ReadSafetensorsSum(path)
	if err != nil {
		t.Fatal(err)
	}
	if meta["note"] != "made by hand" || meta["format"] != "pt" {
		t.Errorf("metadata %v", meta)
	}
	if names := []string{ts[0].Name, ts[1].Name, ts[2].Name}; !slices.Equal(names, []string{"h", "b", "w"}) {
		t.Errorf("tensors in order %v, want the data's order h, b, w", names)
	}
	want := map[string][]float64{
		"h": {1, -2.5, 65504, 0x1p-24, 0x1p-14, math.Copysign(0, -1), 0x1.554p-2, 0x3FFp-24},
		"b": {1, -3.140625, 0x1p-133, 0x1.FEp127},
		"w": {float64(float32(0.1)), -3},
	}
	dtype := map[string]string{"h": "F16", "b": "BF16", "w": "F32"}
	for _, tn := range ts {
		if !slices.Equal(tn.Data, want[tn.Name]) || tn.DType != dtype[tn.Name] {
			t.Errorf("%s (%s) = %v, want %v (%s)", tn.Name, tn.DType, tn.Data, want[tn.Name], dtype[tn.Name])
		}
	}
	if h, _ := FindTensor(ts, "h"); !slices.Equal(h.Shape, []int{2, 4}) || !math.Signbit(h.Data[5]) {
		t.Errorf("h has shape %v, want [2 4]; h[5] = %v, want -0", h.Shape, h.Data[5])
	}
	b, _ := os.ReadFile(path)
	if s := sha256.Sum256(b); sum != hex.EncodeToString(s[:]) {
		t.Errorf("sum %s, want the SHA-256 of the file", sum)
	}
}

// halfToFloat is exact and monotonic over every finite binary16 number, with infinities and
// NaN at the top.
func TestHalfToFloat(t *testing.T) {
	prev := -1.0
	for h := uint16(0); h < 0x7C00; h++ {
		v := halfToFloat(h)
		if v <= prev && h > 0 || float64(float32(v)) != v {
			t.Fatalf("halfToFloat(%#04x) = %v after %v", h, v, prev)
		}
		if n := halfToFloat(h | 0x8000); n != -v || !math.Signbit(n) {
			t.Fatalf("halfToFloat(%#04x) = %v, want %v", h|0x8000, n, -v)
		}
		prev = v
	}
	if halfToFloat(0x7BFF) != 65504 || halfToFloat(0x0400) != 0x1p-14 || halfToFloat(0x03FF) != 0x3FFp-24 {
		t.Error("largest, smallest normal or largest subnormal wrong")
	}
	if !math.IsInf(halfToFloat(0x7C00), 1) || !math.IsInf(halfToFloat(0xFC00), -1) || !math.IsNaN(halfToFloat(0x7E00)) {
		t.Error("infinities or NaN wrong")
	}
}

// A tensor of a dtype that is not floating point is an error naming it and the file; a file
// over the 4 GiB bound is refused before anything is read.
func TestSafetensorsRefused(t *testing.T) {
	path := stFile(t, `{"steps":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}`, make([]byte, 8))
	_, _, err := ReadSafetensors(path)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "tensor steps: dtype I64 is not floating point") {
		t.Errorf("I64 tensor: %v", err)
	}
	path = stFile(t, `{"x":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}`, make([]byte, 1))
	if _, _, err := ReadSafetensors(path); err == nil || !strings.Contains(err.Error(), "tensor x: dtype F8_E4M3") {
		t.Errorf("F8 tensor: %v", err)
	}
	path = stFile(t, `{"x":{"dtype":"Q4","shape":[1],"data_offsets":[0,1]}}`, make([]byte, 1))
	if _, _, err := ReadSafetensors(path); err == nil || !strings.Contains(err.Error(), `unknown dtype "Q4"`) {
		t.Errorf("unknown dtype: %v", err)
	}
	big := filepath.Join(t.TempDir(), "big.safetensors")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxSafetensorsFile + 1); err != nil { // sparse: no disk used
		t.Skip("no sparse file here:", err)
	}
	f.Close()
	if _, _, err := ReadSafetensors(big); err == nil || !strings.Contains(err.Error(), "4 GiB") {
		t.Errorf("file over 4 GiB: %v", err)
	}
}
