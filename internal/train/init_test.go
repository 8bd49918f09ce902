package train

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/report"
)

// baseTensors are tensors that fit base's model (2 features, hidden [8], 3 classes).
func baseTensors() []report.Tensor {
	fill := func(n int, v float64) []float64 {
		d := make([]float64, n)
		for i := range d {
			d[i] = v * float64(i%5-2)
		}
		return d
	}
	return []report.Tensor{
		{Name: "layers.0.weight", Shape: []int{8, 2}, Data: fill(16, 0.3)},
		{Name: "layers.0.bias", Shape: []int{8}, Data: fill(8, 0.1)},
		{Name: "layers.1.weight", Shape: []int{3, 8}, Data: fill(24, -0.2)},
		{Name: "layers.1.bias", Shape: []int{3}, Data: fill(3, 0.05)},
	}
}

// withInit is base starting from the file at path.
func withInit(t *testing.T, path string, sets ...string) *config.Config {
	t.Helper()
	raw := parse(t, base)
	raw["model"].(map[string]any)["init"] = map[string]any{"file": path}
	for _, kv := range sets {
		if err := config.Set(raw, kv); err != nil {
			t.Fatal(err)
		}
	}
	c, err := config.Decode(raw, "")
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return c
}

// A run that starts from another run's params.safetensors starts where that one ended: its
// first row is the other's last. Its config.yaml, read again from the run folder, sets up
// the same run.
func TestInitFromRun(t *testing.T) {
	first := execute(t, parse(t, base))
	m1, err := report.ReadTable(filepath.Join(first, "metrics.csv"))
	if err != nil {
		t.Fatal(err)
	}
	c := withInit(t, filepath.Join(first, "params.safetensors"))
	r, err := Setup(context.Background(), c, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := r.Execute(context.Background(), dir, nil); err != nil {
		t.Fatal(err)
	}
	m2, err := report.ReadTable(filepath.Join(dir, "metrics.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m2.Cols["train_loss"][0], m1.Cols["train_loss"][m1.Rows-1]; got != want {
		t.Errorf("first train_loss %v, want the last of the run it starts from, %v", got, want)
	}
	if m2.Cols["train_loss"][m2.Rows-1] >= m2.Cols["train_loss"][0] {
		t.Errorf("train_loss %v: no progress from the loaded point", m2.Cols["train_loss"])
	}
	yaml := filepath.Join(dir, "config.yaml")
	again, err := config.Load(yaml, nil)
	if err != nil {
		t.Fatalf("%s: %v", yaml, err)
	}
	r2, err := Setup(context.Background(), again, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if again.ResolvedHash(r2.Plan.Length) != c.ResolvedHash(r.Plan.Length) {
		t.Error("config.yaml of a run from a file: another resolved hash")
	}
}

// stRaw writes a safetensors file with a header of its own.
func stRaw(t *testing.T, path, header string, data []byte) {
	t.Helper()
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, uint64(len(header)))
	b.WriteString(header)
	b.Write(data)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Every init file that does not fit the model is refused at Setup, before training, with a
// ConfigError naming model.init.file, the file and the tensor.
func TestInitFileRefused(t *testing.T) {
	edit := func(f func(ts []report.Tensor) []report.Tensor) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			if err := report.WriteSafetensors(path, f(baseTensors()), nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct {
		name  string
		write func(t *testing.T, path string)
		after func(path string) // between Decode and Setup
		want  string
	}{
		{"wrong shape", edit(func(ts []report.Tensor) []report.Tensor {
			ts[0].Shape, ts[0].Data = []int{8, 3}, make([]float64, 24)
			return ts
		}), nil, "layers.0.weight has shape [8 3], the model wants [8 2]"},
		{"vector for a matrix", edit(func(ts []report.Tensor) []report.Tensor {
			ts[2].Shape = []int{24}
			return ts
		}), nil, "layers.1.weight has shape [24], the model wants [3 8]"},
		{"missing tensor", edit(func(ts []report.Tensor) []report.Tensor { return ts[:3] }), nil,
			"no tensor layers.1.bias (the model has layers.0.weight, layers.0.bias, layers.1.weight, layers.1.bias)"},
		{"unexpected tensor", edit(func(ts []report.Tensor) []report.Tensor {
			return append(ts, report.Tensor{Name: "layers.2.weight", Shape: []int{1}, Data: []float64{0}})
		}), nil, "tensor layers.2.weight is not one of the model's"},
		{"NaN", edit(func(ts []report.Tensor) []report.Tensor {
			ts[3].Data[2] = math.NaN()
			return ts
		}), nil, "layers.1.bias[2] is NaN"},
		{"infinity", edit(func(ts []report.Tensor) []report.Tensor {
			ts[0].Data[5] = math.Inf(-1)
			return ts
		}), nil, "layers.0.weight[5] is -Inf"},
		{"integer dtype", func(t *testing.T, path string) {
			stRaw(t, path, `{"layers.0.weight":{"dtype":"I64","shape":[8,2],"data_offsets":[0,128]}}`, make([]byte, 128))
		}, nil, "tensor layers.0.weight: dtype I64 is not floating point"},
		{"not safetensors", func(t *testing.T, path string) {
			os.WriteFile(path, []byte("a,b\n1,2\n"), 0o644)
		}, nil, "not a safetensors file"},
		{"changed after decode", edit(func(ts []report.Tensor) []report.Tensor { return ts }),
			func(path string) { report.WriteSafetensors(path, baseTensors()[:1], nil) },
			"changed since the configuration was read"},
		{"removed after decode", edit(func(ts []report.Tensor) []report.Tensor { return ts }),
			func(path string) { os.Remove(path) }, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "w.safetensors")
			tc.write(t, path)
			c := withInit(t, path)
			if tc.after != nil {
				tc.after(path)
			}
			_, err := Setup(context.Background(), c, Limits{})
			var ce *config.ConfigError
			if !errors.As(err, &ce) || !errors.Is(err, report.ErrBadInput) || ce.Key != "model.init.file" {
				t.Fatalf("error %v, want a ConfigError for model.init.file", err)
			}
			if msg := err.Error(); !strings.Contains(msg, path+": ") || !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q, want one line naming %s and saying %q", msg, path, tc.want)
			}
		})
	}
}

// The tensors load into the model's places by name, in whatever order the file keeps them,
// F32 values widened exactly.
func TestInitFileOrderAndDType(t *testing.T) {
	ts := baseTensors()
	want := make([]float64, 0, 51)
	for _, x := range ts {
		want = append(want, x.Data...)
	}
	// F32, data in reverse order: biases before weights.
	var header strings.Builder
	var data []byte
	header.WriteString(`{"__metadata__":{"format":"pt"}`)
	for i := len(ts) - 1; i >= 0; i-- {
		lo := len(data)
		for _, v := range ts[i].Data {
			data = binary.LittleEndian.AppendUint32(data, math.Float32bits(float32(v)))
		}
		shape := make([]string, len(ts[i].Shape))
		for j, d := range ts[i].Shape {
			shape[j] = strconv.Itoa(d)
		}
		header.WriteString(`,"` + ts[i].Name + `":{"dtype":"F32","shape":[` + strings.Join(shape, ",") + `],"data_offsets":[` +
			strconv.Itoa(lo) + `,` + strconv.Itoa(len(data)) + `]}`)
	}
	header.WriteString("}")
	path := filepath.Join(t.TempDir(), "w.safetensors")
	stRaw(t, path, header.String(), data)
	c := withInit(t, path)
	r, err := Setup(context.Background(), c, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	params := make([]float64, r.obj.NumParams())
	r.obj.Init(params)
	for i := range want {
		want[i] = float64(float32(want[i]))
	}
	if !slices.Equal(params, want) {
		t.Errorf("loaded %v, want %v", params, want)
	}
}
