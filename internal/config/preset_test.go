package config

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/optimbench/optimbench/internal/model"
	"github.com/optimbench/optimbench/internal/report"
)

// decodePreset decodes a config document given as YAML text, with --set overrides.
func decodePreset(t *testing.T, doc string, sets ...string) (*Config, error) {
	t.Helper()
	d, err := Parse("preset.yaml", []byte(doc))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	for _, kv := range sets {
		if err := Set(d.Raw, kv); err != nil {
			t.Fatalf("Set(%q): %v", kv, err)
		}
	}
	return Decode(d.Raw, "preset.yaml")
}

func mustPreset(t *testing.T, doc string, sets ...string) *Config {
	t.Helper()
	c, err := decodePreset(t, doc, sets...)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return c
}

// TestPresetsDecode checks that every preset decodes to the values SPEC §10.3 documents,
// DeepOBS's.
func TestPresetsDecode(t *testing.T) {
	type want struct {
		source, kind, loss, init string
		hidden                   []int
		initStd                  float64
		function                 string
		start                    []float64
		epochs                   int
	}
	wants := map[string]want{
		"mnist_logreg":     {source: "mnist", kind: "linear", loss: "cross_entropy", init: "zeros", epochs: 50},
		"fmnist_logreg":    {source: "fashion-mnist", kind: "linear", loss: "cross_entropy", init: "zeros", epochs: 50},
		"mnist_mlp":        {source: "mnist", kind: "mlp", loss: "cross_entropy", init: "truncated_normal", hidden: []int{1000, 500, 100}, initStd: 0.03, epochs: 100},
		"fmnist_mlp":       {source: "fashion-mnist", kind: "mlp", loss: "cross_entropy", init: "truncated_normal", hidden: []int{1000, 500, 100}, initStd: 0.03, epochs: 100},
		"mnist_2c2d":       {source: "mnist", kind: "net", loss: "cross_entropy", init: "truncated_normal", initStd: 0.05, epochs: 100},
		"fmnist_2c2d":      {source: "fashion-mnist", kind: "net", loss: "cross_entropy", init: "truncated_normal", initStd: 0.05, epochs: 100},
		"quadratic_deep":   {source: "deepobs-quadratic", kind: "deepobs_quadratic", epochs: 100},
		"two_d_rosenbrock": {source: "deepobs-2d", kind: "deepobs_2d", function: "rosenbrock", start: []float64{-0.5, 1.5}, epochs: 100},
		"two_d_beale":      {source: "deepobs-2d", kind: "deepobs_2d", function: "beale", start: []float64{-4.5, 4.5}, epochs: 100},
		"two_d_branin":     {source: "deepobs-2d", kind: "deepobs_2d", function: "branin", start: []float64{2.5, 12.5}, epochs: 100},
	}
	if got := PresetNames(); len(got) != len(wants) {
		t.Fatalf("presets %v, want the %d of the test", got, len(wants))
	}
	for _, name := range PresetNames() {
		t.Run(name, func(t *testing.T) {
			w, ok := wants[name]
			if !ok {
				t.Fatalf("preset %s is not in the test", name)
			}
			c := mustPreset(t, "testproblem: "+name+"\noptimizer: {name: sgd, lr: 0.1}\n")
			s := c.ModelSpec()
			if c.TestProblem != name || c.Data.Name != w.source || s.Kind != w.kind || s.Loss != w.loss {
				t.Errorf("testproblem %q, data %s, model %s, loss %q; want %s, %s, %s, %q", c.TestProblem, c.Data.Name, s.Kind, s.Loss, name, w.source, w.kind, w.loss)
			}
			if w.init != "" && s.Init != w.init || !slices.Equal(s.Hidden, w.hidden) || s.InitStd != w.initStd {
				t.Errorf("init %s (std %v), hidden %v; want %s (%v), %v", s.Init, s.InitStd, s.Hidden, w.init, w.initStd, w.hidden)
			}
			if w.kind == "mlp" && s.Activation != "relu" {
				t.Errorf("activation %s, want relu", s.Activation)
			}
			if s.Function != w.function || !slices.Equal(s.Start, w.start) {
				t.Errorf("function %q from %v, want %q from %v", s.Function, s.Start, w.function, w.start)
			}
			if w.kind == "net" {
				checkNet2c2d(t, s.Input, s.Layers)
			}
			if w.kind == "deepobs_quadratic" && len(s.Matrix) != 100*100 {
				t.Errorf("Hessian of %d values, want 100×100", len(s.Matrix))
			}
			if e := c.Train.Values.Int("epochs"); e != w.epochs || c.BatchSize() != 128 {
				t.Errorf("epochs %d, batch size %d; want %d, 128", e, c.BatchSize(), w.epochs)
			}
			if wd := c.Optimizer.Values.Float("weight_decay"); wd != 0 {
				t.Errorf("weight_decay %v, want 0 (DeepOBS's problems here have no regularizer)", wd)
			}
		})
	}
}

// checkNet2c2d checks DeepOBS's 2c2d: conv 32 5×5 same, maxpool 2, conv 64 5×5 same,
// maxpool 2, dense 1024, dense 10, ReLU, on 1×28×28 images.
func checkNet2c2d(t *testing.T, input []int, layers []model.Layer) {
	t.Helper()
	want := []model.Layer{
		{Kind: "conv", Size: 32, Kernel: 5, Stride: 1, Padding: "same"}, {Kind: "maxpool", Size: 2, Stride: 2},
		{Kind: "conv", Size: 64, Kernel: 5, Stride: 1, Padding: "same"}, {Kind: "maxpool", Size: 2, Stride: 2},
		{Kind: "dense", Size: 1024}, {Kind: "dense", Size: 10},
	}
	if !slices.Equal(input, []int{1, 28, 28}) || len(layers) != len(want) {
		t.Fatalf("input %v, layers %+v; want [1 28 28] and %+v", input, layers, want)
	}
	for i, l := range layers {
		w := want[i]
		if l.Kind != w.Kind || l.Size != w.Size || l.Kernel != w.Kernel || l.Padding != w.Padding || (l.Stride != w.Stride && l.Stride != 0) || l.Activation != "" {
			t.Errorf("layer %d = %+v, want %+v with the model's relu", i, l, w)
		}
	}
}

// TestPresetOverrides checks that the file's keys and --set win over the preset's.
func TestPresetOverrides(t *testing.T) {
	const base = "testproblem: mnist_mlp\noptimizer: {name: adam}\n"
	t.Run("file", func(t *testing.T) {
		c := mustPreset(t, base+"train: {epochs: 3}\nmodel: {hidden: [32]}\ndata: {limit: 500}\n")
		if c.Train.Values.Int("epochs") != 3 || c.BatchSize() != 128 {
			t.Errorf("epochs %d, batch %d; want the file's 3 and the preset's 128", c.Train.Values.Int("epochs"), c.BatchSize())
		}
		if s := c.ModelSpec(); !slices.Equal(s.Hidden, []int{32}) || s.Init != "truncated_normal" {
			t.Errorf("hidden %v, init %s; want [32] and the preset's truncated_normal", s.Hidden, s.Init)
		}
		if c.Data.Values.Int("limit") != 500 || c.Data.Name != "mnist" {
			t.Errorf("data %s limit %d", c.Data.Name, c.Data.Values.Int("limit"))
		}
	})
	t.Run("set", func(t *testing.T) {
		c := mustPreset(t, base+"train: {epochs: 3}\n", "train.epochs=7", "train.batch_size=32", "model.init_std=0.05")
		if c.Train.Values.Int("epochs") != 7 || c.BatchSize() != 32 || c.ModelSpec().InitStd != 0.05 {
			t.Errorf("epochs %d, batch %d, init_std %v; want --set's 7, 32, 0.05", c.Train.Values.Int("epochs"), c.BatchSize(), c.ModelSpec().InitStd)
		}
	})
	t.Run("init drops init_std", func(t *testing.T) {
		c := mustPreset(t, base, "model.init=xavier")
		if s := c.ModelSpec(); s.Init != "xavier" || s.InitStd != 0 {
			t.Errorf("init %s std %v, want xavier without a std", s.Init, s.InitStd)
		}
	})
	t.Run("another kind drops the block", func(t *testing.T) {
		c := mustPreset(t, base, "model.kind=linear")
		if s := c.ModelSpec(); s.Kind != "linear" || len(s.Hidden) != 0 || s.Init != "auto" {
			t.Errorf("model %s hidden %v init %s, want a plain linear model", s.Kind, s.Hidden, s.Init)
		}
	})
	t.Run("start", func(t *testing.T) {
		c := mustPreset(t, "testproblem: two_d_rosenbrock\noptimizer: {name: sgd}\n", "model.start=[1,2]")
		if s := c.ModelSpec(); !slices.Equal(s.Start, []float64{1, 2}) {
			t.Errorf("start %v, want [1 2]", s.Start)
		}
	})
}

// TestPresetErrors checks that a bad preset name is bad input naming testproblem, with a
// suggestion, and that the preset's blocks are validated as a file's.
func TestPresetErrors(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		sets []string
		want string
	}{
		{"testproblem: mnist_logrg\noptimizer: {name: sgd}\n", nil, `testproblem: unknown value "mnist_logrg" (did you mean "mnist_logreg"?)`},
		{"testproblem: cifar10_3c3d\noptimizer: {name: sgd}\n", nil, "testproblem: unknown value"},
		{"testproblem:\noptimizer: {name: sgd}\n", nil, "testproblem: needs a name"},
		{"testproblem: [a]\noptimizer: {name: sgd}\n", nil, "testproblem"},
		{"testproblem: two_d_beale\noptimizer: {name: sgd}\nproblem: {function: beale}\n", nil, "testproblem: cannot be combined with problem"},
		{"testproblem: two_d_beale\noptimizer: {name: sgd}\n", []string{"model.start=[1]"}, "model.start: must have 2 values"},
		{"testproblem: two_d_beale\noptimizer: {name: sgd}\n", []string{"model.function=himmelblau"}, "model.function"},
		{"testproblem: quadratic_deep\noptimizer: {name: sgd}\n", []string{"model.hidden=[3]"}, "model.hidden"},
		{"testproblem: mnist_logreg\noptimizer: {name: sgd}\n", []string{"model.init_std=0.1"}, "model.init_std: only for init normal or truncated_normal"},
	} {
		_, err := decodePreset(t, tc.doc, tc.sets...)
		if err == nil || !errors.Is(err, report.ErrBadInput) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q %v: error %v, want bad input containing %q", tc.doc, tc.sets, err, tc.want)
		}
	}
}

// TestPresetResolvedConfig checks that the config.yaml of a preset run is complete: decoded
// again, without the testproblem key, it is the same run (the same hash and config.yaml).
// config.yaml does not keep testproblem: the content hash describes the problem by its keys,
// so a preset run and the same run spelt out share their run id and cached results.
func TestPresetResolvedConfig(t *testing.T) {
	for _, name := range PresetNames() {
		t.Run(name, func(t *testing.T) {
			c := mustPreset(t, "testproblem: "+name+"\noptimizer: {name: momentum, lr: 0.01}\n")
			y := c.YAML(100)
			if strings.Contains(string(y), "testproblem") {
				t.Errorf("config.yaml keeps testproblem:\n%s", y)
			}
			again := mustPreset(t, string(y))
			if Hash(again) != Hash(c) || string(again.YAML(100)) != string(y) {
				t.Errorf("config.yaml decodes to another run:\n%s\nthen\n%s", y, again.YAML(100))
			}
			if again.TestProblem != "" {
				t.Errorf("TestProblem %q after decoding config.yaml", again.TestProblem)
			}
		})
	}
}

func TestPresetsFor(t *testing.T) {
	if got := PresetsFor("mnist"); !slices.Equal(got, []string{"mnist_logreg", "mnist_mlp", "mnist_2c2d"}) {
		t.Errorf("PresetsFor(mnist) = %v", got)
	}
	if got := PresetsFor(""); !slices.Contains(got, "quadratic_deep") || slices.Contains(got, "mnist_mlp") {
		t.Errorf("PresetsFor(\"\") = %v", got)
	}
}

const (
	presetBegin = "<!-- BEGIN PRESET TABLE: generated by `go test ./internal/config -update`; do not edit -->\n"
	presetEnd   = "<!-- END PRESET TABLE -->\n"
)

// TestSpecPresetTable keeps SPEC §10.3's table of presets generated from the preset table.
func TestSpecPresetTable(t *testing.T) {
	b, err := os.ReadFile(specFile)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i, j := strings.Index(doc, presetBegin), strings.Index(doc, presetEnd)
	if i < 0 || j < i {
		t.Fatalf("%s has no preset table between %q and %q", specFile, presetBegin, presetEnd)
	}
	want := PresetTable()
	if doc[i+len(presetBegin):j] == want {
		return
	}
	if *update {
		if err := os.WriteFile(specFile, []byte(doc[:i+len(presetBegin)]+want+doc[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s: the preset table differs from the presets; run go test ./internal/config -run TestSpecPresetTable -update", specFile)
}
