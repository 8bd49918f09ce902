package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/optimbench/optimbench/internal/report"
)

// hashDocs are configurations with their content hashes as computed by experiment.ConfigHash
// before the configuration schema moved to this package (commit fa26a33). Run ids, and so
// every sweep folder made before, depend on them: Hash must keep giving these.
var hashDocs = []struct{ name, doc, hash string }{
	{"sgd synthetic", `
name: a
seed: 3
data: {source: synthetic, generator: blobs, n: 100, features: 2, classes: 3}
model: {kind: mlp, hidden: [8], activation: tanh}
optimizer: {name: sgd, lr: 0.1}
train: {epochs: 3, batch_size: 16}
`, "53b61a8e48aa282515de0148ece784b4199b2d1235a1d8877227a77ef2bd0e27"},
	{"adam synthetic", `
data: {source: synthetic, generator: spirals, n: 300, noise: 0.3, standardize: true}
model: {kind: mlp, hidden: [16, 8], activation: relu}
optimizer: {name: adam, lr: 0.001, beta2: 0.99, weight_decay: 0.01}
train: {epochs: 4, batch_size: 24}
`, "d529e563a34d4435c7e36371086e4868b877192a63c642786bf184e9e4eb3626"},
	{"rmsprop synthetic", `
data: {source: synthetic, generator: logistic, n: 200, features: 4, test_fraction: 0.25}
model: {kind: linear, init: xavier}
optimizer: {name: rmsprop, lr: 0.01, centered: true, momentum: 0.9}
train: {epochs: 5, batch_size: 32, shuffle: false}
`, "7b9ea6fbdfb8960e891376dda18a9389d8589e84c11e370587dad018e91e78bb"},
	{"cosine step warmup", `
data: {source: synthetic, generator: linear, n: 100, features: 3}
model: {kind: linear}
optimizer: {name: nadam, lr: 0.002}
schedule: {name: cosine, unit: step, warmup: 3, min_lr: 0.0001}
train: {epochs: 4, batch_size: full, eval_every: 2}
`, "d2ee184e871e19660aea098ae4c2db5adf3fab1d01e80afce32103df4a1e9480"},
	{"multistep milestones", `
data: {source: synthetic, generator: blobs, n: 500, features: 2, classes: 4}
model: {kind: mlp, hidden: [32]}
optimizer: {name: momentum, lr: 0.05, momentum: 0.8}
schedule: {name: multistep, milestones: [2, 5, 8], factor: 0.1}
train: {epochs: 10, batch_size: 50, diverge_factor: 100, on_diverge: continue}
`, "a0e34967bc24b5b5bd8f41b12060209f282e34106747a757cc4a55dd21f770d0"},
	{"batch schedule step", `
data: {source: synthetic, generator: blobs, n: 500, features: 2, classes: 2, test_fraction: 0}
model: {kind: linear}
optimizer: {name: sgd, lr: 0.1}
schedule: {name: step, factor: 0.5, every: 2}
train: {epochs: 8, batch_size: 50, batch_schedule: {name: step, factor: 2, every: 2, max: 200}}
`, "f583bec555ea041e8be94482e6ef4e30473394c0f704afc70c8b3845e701bb87"},
	{"problem", `
problem: {function: quadratic, scales: [1, 100], start: [1, 1], noise: 0.1}
optimizer: {name: adagrad, lr: 0.5}
schedule: {name: exponential, k: 0.1}
train: {epochs: 50, eval_every: 5}
`, "543c4996c8fc07ab0fa46fb7abe45216939154c596ab53ed2ac2d2538d8a1505"},
	{"problem rosenbrock default start", `
problem: {function: rosenbrock}
optimizer: {name: adam}
train: {epochs: 100}
`, "22910eaa0a53fa926220413e34bb78f9bb0954f7b6a10ff9deab71fb81c08d4c"},
	{"reference optimum", `
name: ls
data: {source: synthetic, generator: linear, n: 60, features: 3, noise: 0.5}
model: {kind: linear}
optimizer: {name: sgd, lr: 0.05}
train: {epochs: 5, batch_size: 8, reference_optimum: true}
`, "f208c671fed3688aa2fdb1631721e4792767a66b0c8b5c3ad34351541f8f03a8"},
	{"csv triangular", `
data: {source: csv, path: testdata/regression.csv, target: y, test_fraction: 0}
model: {kind: linear, loss: mse}
optimizer: {name: adamw}
schedule: {name: triangular, unit: step, half_cycle: 7}
train: {epochs: 4, batch_size: full, batch_schedule: {name: multistep, milestones: [2]}}
`, "c1cc1cb83588c509495aee397a2abf67ca3f485428b71e58d9fa137caf0062d7"},
	{"mnist sgdr", `
data: {source: mnist, limit: 1000}
model: {kind: mlp, hidden: [64], activation: sigmoid, init: he}
optimizer: {name: sgd, lr: 0.1}
schedule: {name: sgdr, period: 3, mult: 2}
train: {epochs: 6, batch_size: 128}
`, "d552fe9f94bd3bcffed2dcc5de8020d4009ecd1888bb5149a594d42c9fe5eefc"},
}

func TestHashUnchanged(t *testing.T) {
	seen := map[string]string{}
	for _, tc := range hashDocs {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Decode(parse(t, tc.doc), "h.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if got := Hash(c); got != tc.hash {
				t.Errorf("Hash = %s, want %s (the hash before the redesign)", got, tc.hash)
			}
			if other, dup := seen[tc.hash]; dup {
				t.Errorf("same pinned hash as %s", other)
			}
			seen[tc.hash] = tc.name
			// The name does not enter the hash.
			c.Name = "another"
			if got := Hash(c); got != tc.hash {
				t.Errorf("renamed: Hash = %s, want %s", got, tc.hash)
			}
		})
	}
}

// The schedule is validated against the run's own base rate optimizer.lr: a min_lr above 1
// is fine under a larger lr, and one above the lr is refused naming schedule.min_lr.
func TestScheduleValidatedAgainstLR(t *testing.T) {
	const doc = `
data: {source: synthetic, generator: blobs, n: 100, features: 2, classes: 3}
model: {kind: linear}
optimizer: {name: sgd, lr: 5}
schedule: {name: triangular, min_lr: 2}
train: {epochs: 3, batch_size: 16}
`
	c, err := Decode(parse(t, doc), "lr.yaml")
	if err != nil {
		t.Fatalf("min_lr 2 under lr 5: %v", err)
	}
	if c.Schedule.LR != 5 || c.Schedule.Params.Float("min_lr") != 2 {
		t.Errorf("schedule %+v: want lr 5, min_lr 2", c.Schedule)
	}
	for _, sets := range [][]string{
		{"optimizer.lr=1"},
		{"schedule.name=cosine", "optimizer.lr=1"},
		{"schedule.name=sgdr", "optimizer.lr=1.5"},
	} {
		_, err := Decode(withSets(t, parse(t, doc), sets...), "lr.yaml")
		var ce *ConfigError
		if !errors.As(err, &ce) || !errors.Is(err, report.ErrBadInput) || ce.Key != "schedule.min_lr" || !strings.Contains(err.Error(), "must be <= lr") {
			t.Errorf("%v: got %v, want a ConfigError for schedule.min_lr above lr", sets, err)
		}
	}
}
