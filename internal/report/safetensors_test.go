package report

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSafetensorsRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "params.safetensors")
	in := []Tensor{
		{Name: "layers.0.weight", Shape: []int{2, 3}, Data: []float64{1, -2, 3.5, math.Pi, 0, -0.0}},
		{Name: "layers.0.bias", Shape: []int{2}, Data: []float64{1e-300, -7}},
	}
	if err := WriteSafetensors(path, in, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	out, meta, err := ReadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	if meta["format"] != "pt" || len(out) != 2 {
		t.Fatalf("metadata %v, %d tensors", meta, len(out))
	}
	for i := range in {
		if out[i].Name != in[i].Name || !slices.Equal(out[i].Shape, in[i].Shape) || !slices.Equal(out[i].Data, in[i].Data) {
			t.Errorf("tensor %d: %+v, want %+v", i, out[i], in[i])
		}
	}
	b, _ := os.ReadFile(path)
	if n := binary.LittleEndian.Uint64(b); (8+n)%8 != 0 || !bytes.HasPrefix(b[8:], []byte("{")) {
		t.Errorf("header of %d bytes: the data must start 8-byte aligned after a JSON header", n)
	}
}

// A file as the safetensors library writes it from PyTorch's float32 tensors.
func TestSafetensorsFloat32(t *testing.T) {
	header := `{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"__metadata__":{"format":"pt"}}`
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, uint64(len(header)))
	b.WriteString(header)
	binary.Write(&b, binary.LittleEndian, []float32{0.5, -1.25})
	path := filepath.Join(t.TempDir(), "f32.safetensors")
	os.WriteFile(path, b.Bytes(), 0o644)
	ts, _, err := ReadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	if w, err := FindTensor(ts, "w"); err != nil || !slices.Equal(w.Data, []float64{0.5, -1.25}) {
		t.Errorf("w = %+v, %v", w, err)
	}
	if _, err := FindTensor(ts, "v"); err == nil {
		t.Error("FindTensor of a missing name: no error")
	}
}

func TestSafetensorsMalformed(t *testing.T) {
	dir := t.TempDir()
	file := func(header string, data []byte, n uint64) string {
		var b bytes.Buffer
		binary.Write(&b, binary.LittleEndian, n)
		b.WriteString(header)
		b.Write(data)
		p := filepath.Join(dir, "x.safetensors")
		os.WriteFile(p, b.Bytes(), 0o644)
		return p
	}
	h := `{"w":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}`
	for name, path := range map[string]string{
		"empty":              file("", nil, 0),
		"huge header length": file(h, nil, 1<<62),
		"not json":           file("{oops", nil, 5),
		"data cut short":     file(h, make([]byte, 8), uint64(len(h))),
		"bad dtype":          file(`{"w":{"dtype":"I8","shape":[1],"data_offsets":[0,1]}}`, []byte{1}, 51),
		"huge shape":         file(`{"w":{"dtype":"F64","shape":[1000000000000,1000000000],"data_offsets":[0,8]}}`, make([]byte, 8), 80),
		"offsets outside":    file(`{"w":{"dtype":"F64","shape":[1],"data_offsets":[8,16]}}`, make([]byte, 8), 55),
	} {
		if _, _, err := ReadSafetensors(path); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want one naming the file", name, err)
		}
	}
	if _, _, err := ReadSafetensors(os.DevNull); err == nil {
		t.Error("/dev/null read as a parameter file")
	}
}
