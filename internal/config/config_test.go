package config

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/optimbench/optimbench/internal/report"
)

// base is a valid configuration the invalid cases start from.
const base = `
name: t
seed: 3
data: {source: synthetic, generator: blobs, n: 100, features: 2, classes: 3}
model: {kind: mlp, hidden: [8], activation: tanh}
optimizer: {name: adam, lr: 0.01}
schedule: {name: step, factor: 0.5, every: 2}
train: {epochs: 3, batch_size: 16}
`

func parse(t *testing.T, doc string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatalf("test YAML: %v", err)
	}
	return m
}

// withSets applies --set style overrides to a parsed document.
func withSets(t *testing.T, m map[string]any, sets ...string) map[string]any {
	t.Helper()
	for _, kv := range sets {
		key, val, err := ParseSet(kv)
		if err != nil {
			t.Fatalf("ParseSet(%q): %v", kv, err)
		}
		parts := strings.Split(key, ".")
		cur := m
		for _, p := range parts[:len(parts)-1] {
			next, ok := cur[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				cur[p] = next
			}
			cur = next
		}
		if val == "<delete>" {
			delete(cur, parts[len(parts)-1])
		} else {
			cur[parts[len(parts)-1]] = val
		}
	}
	return m
}

func TestDecodeValid(t *testing.T) {
	c, err := Decode(parse(t, base), "base.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Schedule.LR != 0.01 || c.Optimizer.Values.Float("beta2") != 0.999 || c.Seed != 3 {
		t.Errorf("optimizer %+v lr %v seed %d: defaults not filled", c.Optimizer.Values, c.Schedule.LR, c.Seed)
	}
	if tv := c.Train.Values; tv.Int("eval_every") != 1 || tv.String("on_diverge") != "stop" || !tv.Bool("shuffle") {
		t.Errorf("train defaults not filled: %+v", c.Train.Values)
	}
}

func TestDecodeInvalid(t *testing.T) {
	for _, tc := range []struct {
		name string
		sets []string
		key  string // expected key path in the message ("" for the document)
		want string // expected fragment of the message
	}{
		{"negative lr", []string{"optimizer.lr=-1"}, "optimizer.lr", "-1"},
		{"lr not a number", []string{"optimizer.lr=fast"}, "optimizer.lr", "must be a number"},
		{"unknown optimizer", []string{"optimizer.name=adamm"}, "optimizer.name", `did you mean "adam"`},
		{"missing optimizer", []string{"optimizer.name=<delete>"}, "optimizer.name", "required"},
		{"key of another optimizer", []string{"optimizer.momentum=0.9"}, "optimizer.momentum", "does not apply to optimizer adam"},
		{"typo in optimizer key", []string{"optimizer.beta_1=0.9"}, "optimizer.beta_1", `did you mean "beta1"`},
		{"beta2 out of range", []string{"optimizer.beta2=1"}, "optimizer.beta2", "1"},
		{"unknown top key", []string{"trian.epochs=3"}, "trian", `did you mean "train"`},
		{"unknown schedule", []string{"schedule.name=cosin"}, "schedule.name", `did you mean "cosine"`},
		{"schedule key of another schedule", []string{"schedule.period=3"}, "schedule.period", "does not apply to schedule step"},
		{"bad schedule value", []string{"schedule.every=0"}, "schedule.every", "0"},
		{"bad unit", []string{"schedule.unit=batch"}, "schedule.unit", "batch"},
		{"negative warmup", []string{"schedule.warmup=-2"}, "schedule.warmup", "-2"},
		{"zero epochs", []string{"train.epochs=0"}, "train.epochs", "0"},
		{"fractional epochs", []string{"train.epochs=2.5"}, "train.epochs", "integer"},
		{"bad batch size", []string{"train.batch_size=half"}, "train.batch_size", "full"},
		{"zero batch size", []string{"train.batch_size=0"}, "train.batch_size", "0"},
		{"bad on_diverge", []string{"train.on_diverge=panic"}, "train.on_diverge", "panic"},
		{"diverge factor", []string{"train.diverge_factor=0.5"}, "train.diverge_factor", "0.5"},
		{"bad batch schedule", []string{"train.batch_schedule.name=linear"}, "train.batch_schedule.name", "linear"},
		{"batch schedule factor", []string{"train.batch_schedule.name=step", "train.batch_schedule.factor=1"}, "train.batch_schedule.factor", "1"},
		{"unknown source", []string{"data.source=parquet"}, "data.source", "parquet"},
		{"csv without path", []string{"data.source=csv", "data.generator=<delete>", "data.n=<delete>", "data.features=<delete>", "data.classes=<delete>"}, "data.path", "required"},
		{"key of another source", []string{"data.target=y"}, "data.target", "does not apply to source synthetic"},
		{"test fraction", []string{"data.test_fraction=1"}, "data.test_fraction", "1"},
		{"spirals in 3-D", []string{"data.generator=spirals", "data.features=3"}, "data.features", "3"},
		{"one class", []string{"data.classes=1"}, "data.classes", "1"},
		{"unknown generator", []string{"data.generator=moons"}, "data.generator", "moons"},
		{"bad activation", []string{"model.activation=gelu"}, "model.activation", "gelu"},
		{"empty hidden", []string{"model.hidden=[]"}, "model.hidden", "at least one"},
		{"negative width", []string{"model.hidden=[8,-1]"}, "model.hidden", "-1"},
		{"hidden on linear", []string{"model.kind=linear"}, "model.activation", "does not apply to kind linear"},
		{"bad loss", []string{"model.loss=hinge"}, "model.loss", "hinge"},
		{"bad init", []string{"model.init=glorot"}, "model.init", "glorot"},
		{"section not a mapping", []string{"train=5"}, "train", "mapping"},
		{"negative seed", []string{"seed=-1"}, "seed", "-1"},
		{"problem and data", []string{"problem.function=rosenbrock"}, "problem", "cannot be combined"},
		{"nothing to train", []string{"data=<delete>", "model=<delete>"}, "", "needs either data and model, or problem"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(withSets(t, parse(t, base), tc.sets...), "bad.yaml")
			if err == nil {
				t.Fatal("Decode accepted it")
			}
			if !errors.Is(err, report.ErrBadInput) {
				t.Errorf("error %v is not ErrBadInput", err)
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %T %v is not a *ConfigError", err, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "config bad.yaml: ") || strings.Contains(msg, "\n") {
				t.Errorf("message %q: want one line starting with the file", msg)
			}
			if tc.key != "" && !strings.Contains(msg, ": "+tc.key+":") {
				t.Errorf("message %q does not name key %s", msg, tc.key)
			}
			if !strings.Contains(msg, tc.want) {
				t.Errorf("message %q does not contain %q", msg, tc.want)
			}
		})
	}
}

func TestDecodeProblemInvalid(t *testing.T) {
	const doc = `
problem: {function: rosenbrock}
optimizer: {name: sgd}
train: {epochs: 5}
`
	for _, tc := range []struct {
		name string
		sets []string
		key  string
	}{
		{"unknown function", []string{"problem.function=banana"}, "problem.function"},
		{"3-D rosenbrock", []string{"problem.start=[1,2,3]"}, "problem.start"},
		{"scales on rosenbrock", []string{"problem.scales=[1,2]"}, "problem.scales"},
		{"negative noise", []string{"problem.noise=-1"}, "problem.noise"},
		{"batch size on a problem", []string{"train.batch_size=3"}, "train.batch_size"},
		{"quadratic scales mismatch", []string{"problem.function=quadratic", "problem.scales=[1,2,3]", "problem.start=[1,1]"}, "problem"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(withSets(t, parse(t, doc), tc.sets...), "p.yaml")
			if err == nil {
				t.Fatal("Decode accepted it")
			}
			if !errors.Is(err, report.ErrBadInput) || !strings.Contains(err.Error(), tc.key) {
				t.Errorf("error %q: want a bad-input error naming %s", err, tc.key)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	broken := write("broken.yaml", "optimizer:\n  name: adam\n lr: [1,\n")
	good := write("good.yaml", base)
	for _, tc := range []struct {
		name string
		path string
		sets []string
		want string
	}{
		{"missing file", filepath.Join(dir, "nope.yaml"), nil, "nope.yaml: no such file"},
		{"broken YAML", broken, nil, "line"},
		{"bad --set", good, []string{"optimizer.lr"}, "key=value"},
		{"bad --set value", good, []string{"optimizer.lr=[1,"}, "optimizer.lr"},
		{"--set validated", good, []string{"optimizer.lr=-3"}, "optimizer.lr"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.path, tc.sets)
			if err == nil {
				t.Fatal("Load accepted it")
			}
			if !errors.Is(err, report.ErrBadInput) || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q: want a one-line bad-input error containing %q", err, tc.want)
			}
		})
	}
	c, err := Load(good, []string{"optimizer.lr=0.5", "model.hidden=[4, 5]", "seed=9"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Schedule.LR != 0.5 || len(c.Model.Values.Ints("hidden")) != 2 || c.Seed != 9 {
		t.Errorf("overrides not applied: lr %v hidden %v seed %d", c.Schedule.LR, c.Model.Values["hidden"], c.Seed)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(base))
	f.Add([]byte("problem: {function: beale}\noptimizer: {name: nadam}\n"))
	f.Add([]byte("data: {source: csv, path: x.csv}\nmodel: {}\noptimizer: {name: sgd}\ntrain: {batch_size: full}\n"))
	f.Add([]byte("optimizer: {name: adam, lr: .nan}\n"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		var m map[string]any
		if yaml.Unmarshal(doc, &m) != nil {
			return
		}
		// Setup of what decodes is fuzzed by train's FuzzSetup (train imports config).
		if _, err := Decode(m, "fuzz.yaml"); err != nil && !errors.Is(err, report.ErrBadInput) {
			t.Fatalf("error %v is not ErrBadInput", err)
		}
	})
}

// SPEC §2: the seed is a uint64, all of it.
func TestSeedRange(t *testing.T) {
	for _, seed := range []string{"0", "9223372036854775808", "18446744073709551615"} {
		c, err := Decode(withSets(t, parse(t, base), "seed="+seed), "s.yaml")
		if err != nil {
			t.Fatalf("seed %s: %v", seed, err)
		}
		if got := strconv.FormatUint(c.Seed, 10); got != seed {
			t.Errorf("seed %s decoded as %s", seed, got)
		}
	}
	for _, seed := range []string{"-1", "18446744073709551616", "1.5"} {
		if _, err := Decode(withSets(t, parse(t, base), "seed="+seed), "s.yaml"); err == nil {
			t.Errorf("seed %s accepted", seed)
		}
	}
}
