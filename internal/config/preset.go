package config

import (
	"fmt"
	"strings"
	"sync"

	"github.com/optimbench/optimbench/internal/data"
)

// Preset is one of DeepOBS's test problems (Schneider, Balles & Hennig 2019,
// fsschneider/DeepOBS) as a base configuration: `testproblem: NAME` puts Keys under the
// file's own keys, so that any key of the file (or of --set, which edits the file's keys)
// overrides the preset's. SPEC §10.3 lists each one with the DeepOBS file it transcribes.
type Preset struct {
	Name string
	// Dataset is the `optimbench data` dataset the preset trains on, "" for DeepOBS's toy
	// problems, whose data optimbench generates.
	Dataset string
	// Keys are the data, model and train blocks, as Read gives a file's: nested maps.
	Keys map[string]any
	// Source is the DeepOBS file of the problem and Commit the commit it was read at; Doc
	// is one line on the problem and on what differs from DeepOBS.
	Source, Commit, Doc string
}

// The commits of fsschneider/DeepOBS the presets were read at (v1.2.0's PyTorch test
// problems; the noisy 2-D problems exist only in its TensorFlow version): the default batch
// sizes and epochs are DEFAULT_TEST_PROBLEMS_SETTINGS of deepobs/config.py at
// deepobsSettings, the networks' layers and inits testproblems_modules.py at deepobsModules.
const (
	deepobsSettings = "ee79d9f1f9510bfeeb706e53f59daa3d8a9ffa67"
	deepobsModules  = "009aa5ebedcdd965e97643acda0abd9a0ef178a3"
)

func train(epochs int) map[string]any { return map[string]any{"epochs": epochs, "batch_size": 128} }

func logreg(source string) map[string]any {
	return map[string]any{
		"data":  map[string]any{"source": source},
		"model": map[string]any{"kind": "linear", "loss": "cross_entropy", "init": "zeros"},
		"train": train(50),
	}
}

func mlp(source string) map[string]any {
	return map[string]any{
		"data": map[string]any{"source": source},
		"model": map[string]any{"kind": "mlp", "hidden": []any{1000, 500, 100}, "activation": "relu",
			"loss": "cross_entropy", "init": "truncated_normal", "init_std": 0.03},
		"train": train(100),
	}
}

// c2d2 is DeepOBS's 2c2d network (net_mnist_2c2d): two 5×5 'same' convolutions of 32 and 64
// channels, each with ReLU and a 2×2 max-pool of stride 2 (TensorFlow's 'same' padding, which
// on 28 and 14 pixels pads nothing), then dense 1024 with ReLU and dense 10; weights truncated
// normal σ 0.05, every conv and dense bias 0.05.
func c2d2(source string) map[string]any {
	conv := func(c int) map[string]any { return map[string]any{"conv": c, "kernel": 5, "padding": "same"} }
	pool := func() map[string]any { return map[string]any{"maxpool": 2} }
	return map[string]any{
		"data": map[string]any{"source": source},
		"model": map[string]any{"kind": "net", "activation": "relu", "loss": "cross_entropy",
			"init": "truncated_normal", "init_std": 0.05, "init_bias": 0.05,
			"layers": []any{conv(32), pool(), conv(64), pool(), map[string]any{"dense": 1024}, map[string]any{"dense": 10}}},
		"train": train(100),
	}
}

func twoD(function string) map[string]any {
	return map[string]any{
		"data":  map[string]any{"source": "deepobs-2d"},
		"model": map[string]any{"kind": "deepobs_2d", "function": function},
		"train": train(100),
	}
}

var presets = []Preset{
	{Name: "mnist_logreg", Dataset: "mnist", Keys: logreg("mnist"), Source: "deepobs/pytorch/testproblems/mnist_logreg.py",
		Commit: "0b911d32b54a8c3f17b49dcbb5577ed5fd6ae10e",
		Doc:    "softmax regression on 784 pixels, weights and biases zero"},
	{Name: "fmnist_logreg", Dataset: "fashion-mnist", Keys: logreg("fashion-mnist"), Source: "deepobs/pytorch/testproblems/fmnist_logreg.py",
		Commit: "754a80cab9db915a7a222f8a3f4550662b7d39de",
		Doc:    "as mnist_logreg; DeepOBS lists no default batch size or epochs for it, mnist_logreg's are used"},
	{Name: "mnist_mlp", Dataset: "mnist", Keys: mlp("mnist"), Source: "deepobs/pytorch/testproblems/mnist_mlp.py",
		Commit: "1551fce03103b43dc19fbe48eb28c9a640c33487",
		Doc:    "784-1000-500-100-10 ReLU, weights truncated normal σ 0.03, biases zero"},
	{Name: "fmnist_mlp", Dataset: "fashion-mnist", Keys: mlp("fashion-mnist"), Source: "deepobs/pytorch/testproblems/fmnist_mlp.py",
		Commit: "312e2ec19a2fff5d0a57aa07df1eabb07ac8fdf7",
		Doc:    "as mnist_mlp, on Fashion-MNIST"},
	{Name: "mnist_2c2d", Dataset: "mnist", Keys: c2d2("mnist"), Source: "deepobs/pytorch/testproblems/mnist_2c2d.py",
		Commit: "312e2ec19a2fff5d0a57aa07df1eabb07ac8fdf7",
		Doc:    "conv 32 5×5 same, maxpool 2, conv 64 5×5 same, maxpool 2, dense 1024, dense 10, ReLU; weights truncated normal σ 0.05, biases 0.05"},
	{Name: "fmnist_2c2d", Dataset: "fashion-mnist", Keys: c2d2("fashion-mnist"), Source: "deepobs/pytorch/testproblems/fmnist_2c2d.py",
		Commit: "312e2ec19a2fff5d0a57aa07df1eabb07ac8fdf7",
		Doc:    "as mnist_2c2d, on Fashion-MNIST"},
	{Name: "quadratic_deep", Keys: map[string]any{
		"data":  map[string]any{"source": "deepobs-quadratic"},
		"model": map[string]any{"kind": "deepobs_quadratic"},
		"train": train(100),
	}, Source: "deepobs/pytorch/testproblems/quadratic_deep.py",
		Commit: "923307b2aa8640451760a1225b4bea5527d083ea",
		Doc:    "½(θ − x)ᵀH(θ − x) in 100 dimensions, θ₀ = ones, x ~ N(0, 0.6²I): 1000 training and 1000 test points"},
	{Name: "two_d_rosenbrock", Keys: twoD("rosenbrock"), Source: "deepobs/tensorflow/testproblems/two_d_rosenbrock.py",
		Commit: "754a80cab9db915a7a222f8a3f4550662b7d39de",
		Doc:    "(1 − u)² + 100(v − u²)² + u·x + v·y from (−0.5, 1.5)"},
	{Name: "two_d_beale", Keys: twoD("beale"), Source: "deepobs/tensorflow/testproblems/two_d_beale.py",
		Commit: "ee79d9f1f9510bfeeb706e53f59daa3d8a9ffa67",
		Doc:    "Beale + u·x + v·y from (−4.5, 4.5)"},
	{Name: "two_d_branin", Keys: twoD("branin"), Source: "deepobs/tensorflow/testproblems/two_d_branin.py",
		Commit: "26c0ff7c70c48f684609fe48b1f8b32a76a4be38",
		Doc:    "Branin + u·x + v·y from (2.5, 12.5)"},
}

// PresetNames returns the presets' names.
func PresetNames() []string {
	names := make([]string, len(presets))
	for i, p := range presets {
		names[i] = p.Name
	}
	return names
}

// PresetsFor returns the names of the presets that train on dataset (an `optimbench data`
// name), or, for "", those whose data optimbench generates.
func PresetsFor(dataset string) []string {
	var out []string
	for _, p := range presets {
		if p.Dataset == dataset {
			out = append(out, p.Name)
		}
	}
	return out
}

// LookupPreset returns the preset called name, or nil.
func LookupPreset(name string) *Preset {
	for i := range presets {
		if presets[i].Name == name {
			return &presets[i]
		}
	}
	return nil
}

// namingKeys are the keys that choose what the other keys of a block mean: when a file sets
// one to another value than the preset's, the preset's block is not used at all. A file's
// problem block is refused: a test function has neither data nor a model to lay keys over.
var namingKeys = map[string]string{"data": "source", "model": "kind"}

// dependentKeys are the keys of a preset's block that go when the file sets the key they
// qualify: a file's model.init drops the preset's model.init_std and model.init_bias.
var dependentKeys = map[string]map[string][]string{"model": {"init": {"init_std", "init_bias"}}}

// applyPreset returns a copy of raw with the preset's keys under the file's own, and the
// preset's name ("" when raw names none). raw is not changed.
func applyPreset(raw map[string]any, file string) (map[string]any, string, error) {
	v, ok := raw["testproblem"]
	if !ok {
		return raw, "", nil
	}
	top, err := NewSection(file, "", raw)
	if err != nil {
		return nil, "", err
	}
	name, err := top.Str("testproblem", "")
	if err != nil {
		return nil, "", err
	}
	p := LookupPreset(name)
	if p == nil {
		if v == nil || name == "" {
			return nil, "", top.Errf("testproblem", "needs a name (one of %s)", strings.Join(PresetNames(), ", "))
		}
		return nil, "", top.OneOf("testproblem", name, PresetNames())
	}
	if _, ok := raw["problem"]; ok {
		return nil, "", top.Errf("testproblem", "cannot be combined with problem: the preset is a dataset with a model")
	}
	out := DeepCopy(raw).(map[string]any) // keeps testproblem, which Decode knows and config.yaml leaves out
	for block, keys := range p.Keys {
		out[block] = mergeBlock(block, keys.(map[string]any), out[block])
	}
	return out, name, nil
}

// mergeBlock puts the preset's block base under the file's value of that block (a mapping,
// or absent; anything else is left for Decode to refuse).
func mergeBlock(block string, base map[string]any, file any) any {
	if file == nil {
		return DeepCopy(base)
	}
	fm, ok := file.(map[string]any)
	if !ok {
		return file
	}
	if k := namingKeys[block]; k != "" {
		if v, set := fm[k]; set && v != base[k] {
			return fm
		}
	}
	out := DeepCopy(base).(map[string]any)
	for k, v := range fm {
		for _, dep := range dependentKeys[block][k] {
			delete(out, dep)
		}
		out[k] = v
	}
	return out
}

// deepobsHessian is quadratic_deep's Hessian, computed once (about 10 ms).
var deepobsHessian = sync.OnceValue(data.DeepOBSHessian)

// PresetTable is the table of SPEC §10.3: every preset with its data, model, loss, batch
// size, epochs and the DeepOBS file and commit it transcribes.
func PresetTable() string {
	var b strings.Builder
	b.WriteString("| testproblem | data | model | loss | weight decay | batch size | epochs | DeepOBS source @ commit | notes |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
	for _, p := range presets {
		d := p.Keys["data"].(map[string]any)
		m := p.Keys["model"].(map[string]any)
		t := p.Keys["train"].(map[string]any)
		loss, _ := m["loss"].(string)
		if loss == "" {
			loss = "the model's output"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | none | %v | %v | [%s @ %s](https://github.com/fsschneider/DeepOBS/blob/%s/%s) | %s |\n",
			p.Name, d["source"], modelSummary(m), loss, t["batch_size"], t["epochs"],
			strings.TrimPrefix(p.Source, "deepobs/"), p.Commit[:7], p.Commit, p.Source, p.Doc)
	}
	fmt.Fprintf(&b, "\nBatch sizes and epochs: DEFAULT_TEST_PROBLEMS_SETTINGS of [deepobs/config.py @ %s](https://github.com/fsschneider/DeepOBS/blob/%s/deepobs/config.py); "+
		"layers and initializations: [deepobs/pytorch/testproblems/testproblems_modules.py @ %s](https://github.com/fsschneider/DeepOBS/blob/%s/deepobs/pytorch/testproblems/testproblems_modules.py).\n",
		deepobsSettings[:7], deepobsSettings, deepobsModules[:7], deepobsModules)
	return b.String()
}

func modelSummary(m map[string]any) string {
	s := fmt.Sprint(m["kind"])
	if l, ok := m["layers"].([]any); ok {
		s += fmt.Sprintf(", %d layers (notes)", len(l))
	}
	for _, k := range []string{"function", "hidden", "activation", "init", "init_std", "init_bias"} {
		if v, ok := m[k]; ok {
			s += fmt.Sprintf(", %s %v", k, v)
		}
	}
	return s
}
