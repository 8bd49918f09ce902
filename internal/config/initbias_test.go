package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/optimbench/optimbench/internal/report"
)

// model.init_bias reaches model.Spec and config.yaml for kinds linear, mlp and net, and is
// left out of config.yaml and the hash while 0 (configurations run before it keep their ids).
func TestInitBiasDecode(t *testing.T) {
	for _, tc := range []struct {
		name string
		sets []string
	}{
		{"mlp he", []string{"model.init=he", "model.init_bias=0.1"}},
		{"linear zeros", []string{"model.kind=linear", "model.activation=<delete>", "model.hidden=<delete>", "model.init=zeros", "model.init_bias=0.1"}},
		{"mlp truncated_normal", []string{"model.init=truncated_normal", "model.init_std=0.05", "model.init_bias=0.1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Decode(withSets(t, parse(t, base), tc.sets...), "b.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if got := c.ModelSpec().InitBias; got != 0.1 {
				t.Errorf("ModelSpec().InitBias = %v, want 0.1", got)
			}
			if y := string(c.YAML(3)); !strings.Contains(y, "\n  init_bias: 0.1\n") {
				t.Errorf("config.yaml lacks init_bias: 0.1:\n%s", y)
			}
		})
	}
	t.Run("net", func(t *testing.T) {
		c, err := Decode(withSets(t, parse(t, netBase), "model.init=xavier", "model.init_bias=-0.5"), "net.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if got := c.ModelSpec().InitBias; got != -0.5 {
			t.Errorf("ModelSpec().InitBias = %v, want -0.5", got)
		}
	})
	t.Run("zero is the default", func(t *testing.T) {
		plain, err := Decode(withSets(t, parse(t, base), "model.init=he"), "b.yaml")
		if err != nil {
			t.Fatal(err)
		}
		for _, sets := range [][]string{{"model.init=he", "model.init_bias=0"}, {"model.init_bias=0"}} {
			c, err := Decode(withSets(t, parse(t, base), sets...), "b.yaml")
			if err != nil {
				t.Fatalf("%v: %v", sets, err)
			}
			if y := string(c.YAML(3)); strings.Contains(y, "init_bias") {
				t.Errorf("%v: config.yaml writes init_bias 0:\n%s", sets, y)
			}
			if sets[0] == "model.init=he" && Hash(c) != Hash(plain) {
				t.Errorf("init_bias: 0 changes the hash")
			}
		}
		with, _ := Decode(withSets(t, parse(t, base), "model.init=he", "model.init_bias=0.01"), "b.yaml")
		if with == nil || Hash(with) == Hash(plain) {
			t.Errorf("init_bias 0.01 has the hash of 0")
		}
	})
}

// A nonzero init_bias where init sets the biases itself (auto, an init file), a value that is
// not a number, or a kind without biases is bad input naming model.init_bias.
func TestInitBiasErrors(t *testing.T) {
	_, initFile := initDir(t, 1, 2)
	for _, tc := range []struct {
		name string
		raw  func() map[string]any
		file string
		msg  string
	}{
		{"auto", func() map[string]any { return withSets(t, parse(t, base), "model.init_bias=0.1") }, "b.yaml", "init auto sets the biases"},
		{"auto net", func() map[string]any { return withSets(t, parse(t, netBase), "model.init_bias=0.05") }, "net.yaml", "init auto sets the biases"},
		{"init file", func() map[string]any {
			return withSets(t, initConfig(t, "{file: w.safetensors}"), "model.init_bias=0.1")
		}, initFile, "init file"},
		{"not a number", func() map[string]any { return withSets(t, parse(t, base), "model.init=he", "model.init_bias=high") }, "b.yaml", "must be a number"},
		{"kind without biases", func() map[string]any {
			d, err := Parse("p.yaml", []byte("testproblem: quadratic_deep\noptimizer: {name: sgd}\nmodel: {init_bias: 0.1}\n"))
			if err != nil {
				t.Fatal(err)
			}
			return d.Raw
		}, "p.yaml", "does not apply to kind deepobs_quadratic"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.raw(), tc.file)
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Key != "model.init_bias" || !strings.Contains(ce.Msg, tc.msg) || !errors.Is(err, report.ErrBadInput) {
				t.Fatalf("error %v, want bad input model.init_bias: …%s…", err, tc.msg)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("message %q is not one line", err)
			}
		})
	}
}

// The 2c2d presets start their biases at DeepOBS's 0.05; a file's init drops it with
// init_std, so an init of the file's own does not inherit it.
func TestPresetInitBias(t *testing.T) {
	for _, name := range []string{"mnist_2c2d", "fmnist_2c2d"} {
		c := mustPreset(t, "testproblem: "+name+"\noptimizer: {name: sgd, lr: 0.1}\n")
		if got := c.ModelSpec().InitBias; got != 0.05 {
			t.Errorf("%s: init_bias %v, want 0.05", name, got)
		}
		if y := string(c.YAML(100)); !strings.Contains(y, "\n  init_bias: 0.05\n") {
			t.Errorf("%s: config.yaml lacks init_bias: 0.05:\n%s", name, y)
		}
	}
	for _, name := range []string{"mnist_mlp", "mnist_logreg"} { // DeepOBS's biases are 0 there
		if got := mustPreset(t, "testproblem: "+name+"\noptimizer: {name: sgd, lr: 0.1}\n").ModelSpec().InitBias; got != 0 {
			t.Errorf("%s: init_bias %v, want 0", name, got)
		}
	}
	c := mustPreset(t, "testproblem: mnist_2c2d\noptimizer: {name: sgd, lr: 0.1}\nmodel: {init: auto}\n")
	if s := c.ModelSpec(); s.Init != "auto" || s.InitBias != 0 || s.InitStd != 0 {
		t.Errorf("init %s, init_std %v, init_bias %v; want auto without the preset's std and bias", s.Init, s.InitStd, s.InitBias)
	}
	c = mustPreset(t, "testproblem: mnist_2c2d\noptimizer: {name: sgd, lr: 0.1}\n", "model.init_bias=0.1")
	if got := c.ModelSpec().InitBias; got != 0.1 {
		t.Errorf("--set model.init_bias=0.1: %v", got)
	}
}
