package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/optimbench/optimbench/internal/model"
	"github.com/optimbench/optimbench/internal/report"
)

const netBase = `
data: {source: mnist, limit: 100}
model:
  kind: net
  layers: [{conv: 8, kernel: 5, padding: same}, {maxpool: 2}, {conv: 16, kernel: 3, stride: 2, activation: tanh},
           flatten, {dropout: 0.5}, {dense: 32}, {dense: 10}]
optimizer: {name: adam, lr: 0.001}
train: {epochs: 1, batch_size: 32}
`

func TestNetDecode(t *testing.T) {
	c, err := Decode(parse(t, netBase), "net.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := c.ModelSpec()
	want := model.Spec{Kind: "net", Loss: "cross_entropy", Activation: "relu", Init: "auto", Input: []int{1, 28, 28},
		Layers: []model.Layer{
			{Kind: "conv", Size: 8, Kernel: 5, Stride: 1, Padding: "same"},
			{Kind: "maxpool", Size: 2, Stride: 2},
			{Kind: "conv", Size: 16, Kernel: 3, Stride: 2, Padding: "valid", Activation: "tanh"},
			{Kind: "flatten"}, {Kind: "dropout", P: 0.5}, {Kind: "dense", Size: 32}, {Kind: "dense", Size: 10}}}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("ModelSpec() =\n%+v, want\n%+v", s, want)
	}
	// config.yaml lists the layers with their defaults and decodes back to the same run.
	doc := c.YAML(1)
	if !strings.Contains(string(doc), "layers:") || !strings.Contains(string(doc), "padding: valid") {
		t.Errorf("config.yaml has no resolved layers:\n%s", doc)
	}
	back, err := Decode(parse(t, string(doc)), "config.yaml")
	if err != nil {
		t.Fatalf("config.yaml does not decode: %v\n%s", err, doc)
	}
	if Hash(back) != Hash(c) || !reflect.DeepEqual(back.ModelSpec(), s) {
		t.Errorf("config.yaml decodes to another run:\n%s", doc)
	}
	other := parse(t, strings.Replace(netBase, "{dense: 32}", "{dense: 33}", 1))
	if c2, err := Decode(other, "net.yaml"); err != nil || Hash(c2) == Hash(c) {
		t.Errorf("another layer width: hash unchanged or error %v", err)
	}
}

// Every bad layer or shape is a ConfigError naming its key (exit 2).
func TestNetDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		layers, extra string
		key, msg      string
	}{
		{`[{conv: 8}, {dense: 10}]`, "", "model.layers[0].kernel", "required"},
		{`[{conv: 8, kernel: -1}, {dense: 10}]`, "", "model.layers[0].kernel", ">= 1"},
		{`[{conv: 8, kernal: 3}, {dense: 10}]`, "", "model.layers[0].kernal", `did you mean "kernel"`},
		{`[{conv: 8, kernel: 3}, {dense: 10, stride: 2}]`, "", "model.layers[1].stride", "does not apply to a dense layer"},
		{`[{conv: 8, dense: 3, kernel: 3}, {dense: 10}]`, "", "model.layers[0]", "names two layers"},
		{`[{kernel: 3}, {dense: 10}]`, "", "model.layers[0].kernel", "needs one of"},
		{`[{conf: 3}, {dense: 10}]`, "", "model.layers[0].conf", `did you mean "conv"`},
		{`[{conv: 8, kernel: 3, padding: full}, {dense: 10}]`, "", "model.layers[0].padding", "valid, same"},
		{`[{conv: 8, kernel: 3, padding: same, stride: 2}, {dense: 10}]`, "", "model.layers[0].padding", "stride 1"},
		{`[{dropout: 1.5}, {dense: 10}]`, "", "model.layers[0].dropout", "must be"},
		{`[{maxpool: 0}, {dense: 10}]`, "", "model.layers[0].maxpool", ">= 1"},
		{`[{flatten: false}, {dense: 10}]`, "", "model.layers[0].flatten", "must be true"},
		{`[{conv: 8, kernel: 29}, {dense: 10}]`, "", "model.layers[0].kernel", "larger than its input"},
		{`[{conv: 8, kernel: 5}, {maxpool: 2}, {maxpool: 20}, {dense: 10}]`, "", "model.layers[2].maxpool", "larger than its input"},
		{`[{conv: 8, kernel: 5}, {dense: 12}]`, "", "model.layers[1].dense", "10 outputs"},
		{`[{dense: 10}, {conv: 8, kernel: 1}, {dense: 10}]`, "", "model.layers[1].conv", "cannot follow"},
		{`[{conv: 8, kernel: 5}, {dense: 10, activation: relu}]`, "", "model.layers[1].activation", "no activation"},
		{`[{conv: 8, kernel: 5}, {dropout: 0.1}]`, "", "model.layers[1]", "must be dense"},
		{`[{conv: 8, kernel: 5}, {dense: 10}]`, "input: [1, 28, 27]", "model.input", "784"},
		{`[]`, "", "model.layers", "required"},
		{`[3]`, "", "model.layers[0]", "must be a mapping"},
	} {
		raw := parse(t, strings.Replace(netBase, netBase[strings.Index(netBase, "  layers:"):strings.Index(netBase, "optimizer:")],
			"  layers: "+tc.layers+"\n"+indent(tc.extra), 1))
		_, err := Decode(raw, "net.yaml")
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Key != tc.key || !strings.Contains(ce.Msg, tc.msg) || !errors.Is(err, report.ErrBadInput) {
			t.Errorf("layers %s %s: error %v, want %s: …%s…", tc.layers, tc.extra, err, tc.key, tc.msg)
		}
	}
	for _, tc := range []struct{ model, key, msg string }{
		{"{kind: mlp, layers: [{dense: 10}]}", "model.layers", "use kind: net"},
		{"{kind: mlp, input: [1, 28, 28]}", "model.input", "use kind: net"},
		{"{kind: net, hidden: [3], layers: [{dense: 10}]}", "model.hidden", "use kind: mlp"},
	} {
		raw := parse(t, strings.Replace(base, "model: {kind: mlp, hidden: [8], activation: tanh}", "model: "+tc.model, 1))
		_, err := Decode(raw, "k.yaml")
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Key != tc.key || !strings.Contains(ce.Msg, tc.msg) {
			t.Errorf("%s: error %v, want %s: …%s…", tc.model, err, tc.key, tc.msg)
		}
	}
}

// Other sources need input with conv layers, and the shapes are checked against the data when
// the model is built; without conv or maxpool a net takes flat features.
func TestNetInputOtherSources(t *testing.T) {
	doc := strings.Replace(base, "model: {kind: mlp, hidden: [8], activation: tanh}", "model: {kind: net, layers: [{conv: 2, kernel: 1}, {dense: 3}]}", 1)
	_, err := Decode(parse(t, doc), "k.yaml")
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Key != "model.input" {
		t.Errorf("a conv on csv-like data without input: %v, want an error naming model.input", err)
	}
	doc = strings.Replace(base, "model: {kind: mlp, hidden: [8], activation: tanh}", "model: {kind: net, layers: [{dense: 4}, {dense: 3}]}", 1)
	c, err := Decode(parse(t, doc), "k.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s := c.ModelSpec(); s.Input != nil || len(s.Layers) != 2 || strings.Contains(string(c.YAML(3)), "input") {
		t.Errorf("flat net: %+v\n%s", s, c.YAML(3))
	}
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	return "  " + s + "\n"
}
