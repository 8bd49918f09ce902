// Package bench times optimbench's training step on the anchor models of the performance issue
// (softmax regression and MLPs on MNIST-shaped data, the tiny 2-16-1 MLP of the lectures,
// DeepOBS's 2c2d convolutional network) and
// compares it with the same training in PyTorch, run by scripts/bench_torch.py.
//
// A timed step is the real one of `optimbench train`, made by its training loop: the next
// shuffled minibatch, its rows gathered, model.LossGrad, then the optimizer's Step.
package bench

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/optimbench/optimbench/internal/data"
	"github.com/optimbench/optimbench/internal/model"
	"github.com/optimbench/optimbench/internal/optim"
	"github.com/optimbench/optimbench/internal/train"
)

// Model is one anchor model: its spec, the shape of its data and its batch size.
type Model struct {
	Name    string // the name used by --models and by scripts/bench_torch.py
	Title   string // e.g. "MLP 784-256-10"
	Spec    model.Spec
	In      int // input features
	Classes int // classes for cross_entropy, 0 for mse
	Batch   int
	Steps   int  // default number of timed steps
	MNIST   bool // trained on MNIST (or random data of its shape)
}

// Models returns the anchor models in table order.
func Models() []Model {
	ce := func(hidden ...int) model.Spec {
		if len(hidden) == 0 {
			return model.Spec{Kind: "linear", Loss: "cross_entropy"}
		}
		return model.Spec{Kind: "mlp", Hidden: hidden, Activation: "relu", Loss: "cross_entropy"}
	}
	return []Model{
		{Name: "softmax", Title: "softmax 784→10", Spec: ce(), In: 784, Classes: 10, Batch: 128, Steps: 3000, MNIST: true},
		{Name: "mlp256", Title: "MLP 784-256-10", Spec: ce(256), In: 784, Classes: 10, Batch: 128, Steps: 400, MNIST: true},
		{Name: "mlp1000", Title: "MLP 784-1000-1000-10", Spec: ce(1000, 1000), In: 784, Classes: 10, Batch: 128, Steps: 40, MNIST: true},
		{Name: "tiny", Title: "MLP 2-16-1", Spec: model.Spec{Kind: "mlp", Hidden: []int{16}, Activation: "tanh", Loss: "mse"}, In: 2, Batch: 32, Steps: 3200},
		{Name: "2c2d", Title: "CNN 2c2d (DeepOBS fmnist_2c2d)", Spec: TwoC2D(), In: 784, Classes: 10, Batch: 128, Steps: 20, MNIST: true},
	}
}

// Optimizers are the optimizers of the table with their learning rates: SGD with momentum 0.9
// and Adam with PyTorch's defaults.
var Optimizers = []string{"momentum", "adam"}

// optimizerLR is the learning rate used for each optimizer (the same in bench_torch.py).
var optimizerLR = map[string]float64{"momentum": 0.01, "adam": 0.001}

// Select returns the anchor models named in names (all of them for an empty list), in table
// order, or an error naming an unknown one.
func Select(names []string) ([]Model, error) {
	all := Models()
	if len(names) == 0 {
		return all, nil
	}
	var out []Model
	for _, n := range names {
		i := slices.IndexFunc(all, func(m Model) bool { return m.Name == n })
		if i < 0 {
			return nil, fmt.Errorf("unknown model %q (want %s)", n, strings.Join(modelNames(all), ", "))
		}
		if !slices.ContainsFunc(out, func(m Model) bool { return m.Name == n }) {
			out = append(out, all[i])
		}
	}
	slices.SortFunc(out, func(a, b Model) int {
		return slices.IndexFunc(all, func(m Model) bool { return m.Name == a.Name }) -
			slices.IndexFunc(all, func(m Model) bool { return m.Name == b.Name })
	})
	return out, nil
}

func modelNames(ms []Model) []string {
	var s []string
	for _, m := range ms {
		s = append(s, m.Name)
	}
	return s
}

// RandomMNIST is random data of MNIST's shape: n images of 784 pixels uniform in [0, 1) and
// labels uniform in 0..9. Training speed does not depend on the values.
func RandomMNIST(n int, rng *rand.Rand) *data.Set {
	return randomSet(n, 784, 10, rng)
}

// TinyData is the data of the tiny MLP: n points of 2 standard normal features with the
// regression target sin(x1)·x2.
func TinyData(n int, rng *rand.Rand) *data.Set {
	s := randomSet(n, 2, 0, rng)
	for i := range n {
		s.Y[i] = math.Sin(s.X[2*i]) * s.X[2*i+1]
	}
	return s
}

func randomSet(n, d, classes int, rng *rand.Rand) *data.Set {
	s := &data.Set{X: make([]float64, n*d), Y: make([]float64, n), N: n, D: d, Classes: classes}
	for i := range s.X {
		if classes > 0 {
			s.X[i] = rng.Float64()
		} else {
			s.X[i] = rng.NormFloat64()
		}
	}
	if classes > 0 {
		for i := range s.Y {
			s.Y[i] = float64(rng.IntN(classes))
		}
	}
	return s
}

// ObjectiveOf is the training objective of model m on set in precision T (train.dtype), as
// `optimbench train` builds it: shuffled minibatches of m.Batch, the parameters initialized
// from seed, the model's products on threads threads.
func ObjectiveOf[T optim.Float](m Model, set *data.Set, seed uint64, threads int) (*train.DataOf[T], error) {
	if set.D != m.In {
		return nil, fmt.Errorf("bench %s: data has %d features, want %d", m.Name, set.D, m.In)
	}
	mdl, err := model.NewOf[T](m.Spec, m.In, m.Classes, m.Batch)
	if err != nil {
		return nil, fmt.Errorf("bench %s: %w", m.Name, err)
	}
	if th, ok := mdl.(model.Threaded); ok {
		if err := th.SetThreads(max(threads, 1)); err != nil {
			return nil, fmt.Errorf("bench %s: %w", m.Name, err)
		}
	}
	return train.NewDataOf(mdl, set, nil, m.Batch, m.Classes > 0, true, seed), nil
}

// Result is the timing of one model and optimizer.
type Result struct {
	Model         string  `json:"model"`
	Optimizer     string  `json:"optimizer"`
	Batch         int     `json:"batch"`
	Steps         int     `json:"steps"`
	Seconds       float64 `json:"seconds"`
	SamplesPerSec float64 `json:"samples_per_s"`
	StepMicros    float64 `json:"step_us"`
	AllocsPerStep float64 `json:"allocs_per_step"`
	Loss          float64 `json:"loss"` // the last minibatch loss, a sanity check
}

// Time trains m with optimizer opt (its registry defaults, the rate of optimizerLR) on set
// through the training loop of `optimbench train` — shuffled minibatches, gather, loss and
// gradient, update — for warm-up steps (a tenth of steps, at least 2) and then times steps
// more, the model's products and the optimizer's update (optim.Parallel) on threads threads.
func Time(m Model, opt string, set *data.Set, steps int, seed uint64, threads int) (Result, error) {
	return TimeIn("float64", m, opt, set, steps, seed, threads)
}

// TimeIn is Time in the precision dtype: float64 or float32 (train.dtype).
func TimeIn(dtype string, m Model, opt string, set *data.Set, steps int, seed uint64, threads int) (Result, error) {
	switch dtype {
	case "float64":
		return timeOf[float64](m, opt, set, steps, seed, threads)
	case "float32":
		return timeOf[float32](m, opt, set, steps, seed, threads)
	}
	return Result{}, fmt.Errorf("bench: unknown dtype %q (want float64 or float32)", dtype)
}

func timeOf[T optim.Float](m Model, opt string, set *data.Set, steps int, seed uint64, threads int) (Result, error) {
	if steps < 1 {
		return Result{}, fmt.Errorf("bench %s: steps must be >= 1, got %d", m.Name, steps)
	}
	obj, err := ObjectiveOf[T](m, set, seed, threads)
	if err != nil {
		return Result{}, err
	}
	o, err := optim.NewOf[T](opt, nil, obj.Layout())
	if err != nil {
		return Result{}, fmt.Errorf("bench %s: %w", m.Name, err)
	}
	o, stop := optim.Parallel(o, threads) // the update on the products' threads, as in train
	defer stop()
	e, _ := optim.Lookup(opt)
	lr := e.LR
	if r, ok := optimizerLR[opt]; ok {
		lr = r
	}
	batch := min(m.Batch, set.N)
	t, err := train.TimeOf(context.Background(), obj, o, batch, lr, max(2, steps/10), steps)
	if err != nil {
		return Result{}, err
	}
	return Result{
		Model: m.Name, Optimizer: opt, Batch: batch, Steps: steps, Seconds: t.Seconds,
		SamplesPerSec: float64(steps*batch) / t.Seconds,
		StepMicros:    t.Seconds / float64(steps) * 1e6,
		AllocsPerStep: float64(t.Allocs) / float64(steps),
		Loss:          t.Loss,
	}, nil
}
