package config

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/optimbench/optimbench/internal/data"
	"github.com/optimbench/optimbench/internal/datasets"
	"github.com/optimbench/optimbench/internal/model"
	"github.com/optimbench/optimbench/internal/optim"
	"github.com/optimbench/optimbench/internal/param"
	"github.com/optimbench/optimbench/internal/report"
	"github.com/optimbench/optimbench/internal/sched"
)

// The schema: every key of an experiment configuration (SPEC §2) is declared once, here or
// in the package that implements it (optimizers in optim's registry, schedules in sched's
// tables). Decode, the resolved config.yaml, the content hash and the key tables of
// docs/SPEC.md all iterate over these declarations.

// Choice is one value of a block's naming key — a data source, a model kind, a test
// function — with the keys that apply to it.
type Choice struct {
	Name   string
	Params []param.Spec // in the order config.yaml lists them
	// check validates what the specs cannot (rules across keys); it returns the key at
	// fault and what is wrong, or "".
	check func(v param.Values) (key, msg string)
	Doc   string
}

// Source is a data source: a Choice that can load its data.
type Source struct {
	Choice
	// Load reads or makes the data: the training set and, for sources with a test split of
	// their own, the test set. rng is the run's data stream (synthetic data).
	Load func(ctx context.Context, v param.Values, classify bool, rng *rand.Rand) (train, test *data.Set, err error)
	// Size is the number of samples Load gives for training before limit and the test
	// split, found without loading them (a schedule preview needs only this).
	Size func(v param.Values) (int, error)
	// Check finds what Load would refuse cheaply, without reading all the data (the files
	// exist, their headers and first rows parse); nil for a source that reads no file.
	Check func(ctx context.Context, v param.Values, classify bool) error
}

// Keys shared by the data sources.
var (
	limitKey = param.Spec{Key: "limit", Type: param.Int, Default: 0, Range: param.AtLeast(0),
		Doc: "use only the first N training samples (0 = all)"}
	testFractionKey = param.Spec{Key: "test_fraction", Type: param.Float, Default: 0.2,
		Range: param.Interval(0, 1, false, true), Doc: "held-out share for sources without a test split"}
	standardizeKey = param.Spec{Key: "standardize", Type: param.Bool, Default: false,
		Doc: "z-score features with training-set statistics"}
	pathKey = param.Spec{Key: "path", Type: param.String, Doc: "the data file"}
)

var sources = []Source{
	{Choice: Choice{Name: "synthetic", Doc: "generated data (SPEC §2)", Params: []param.Spec{
		{Key: "generator", Type: param.Enum, Default: "blobs", Choices: data.Generators(),
			Doc: "linear (regression), logistic, blobs or spirals"},
		{Key: "n", Type: param.Int, Default: 1000, Range: param.AtLeast(2), Doc: "number of samples"},
		{Key: "features", Type: param.Int, Default: 2, Range: param.AtLeast(1), Doc: "input dimension"},
		{Key: "classes", Type: param.Int, Default: 3, Range: param.AtLeast(2), Doc: "number of classes (blobs, spirals)",
			When: func(v param.Values) string {
				if g := v.String("generator"); g != "blobs" && g != "spirals" {
					return "does not apply to generator " + g
				}
				return ""
			}},
		{Key: "noise", Type: param.Float, Default: 0.1, Range: param.AtLeast(0), Doc: "noise level"},
		limitKey, testFractionKey, standardizeKey},
		check: func(v param.Values) (string, string) {
			if v.String("generator") == "spirals" && v.Int("features") != 2 {
				return "features", fmt.Sprintf("spirals are 2-D, got %d", v.Int("features"))
			}
			return "", ""
		}},
		Load: func(_ context.Context, v param.Values, _ bool, rng *rand.Rand) (*data.Set, *data.Set, error) {
			g := v.String("generator")
			classes := 0
			switch g {
			case "blobs", "spirals":
				classes = v.Int("classes")
			case "logistic":
				classes = 2
			}
			set, err := data.Synthetic(g, v.Int("n"), v.Int("features"), classes, v.Float("noise"), rng)
			if err != nil {
				return nil, nil, &ConfigError{Msg: "data." + err.Error()}
			}
			return set, nil, nil
		},
		Size: func(v param.Values) (int, error) { return v.Int("n"), nil }},
	{Choice: Choice{Name: "csv", Doc: "a csv file with a header row", Params: []param.Spec{pathKey,
		{Key: "target", Type: param.String, Default: "", Doc: "name of the label column (default: the last)"},
		limitKey, testFractionKey, standardizeKey}},
		Load: func(ctx context.Context, v param.Values, classify bool, _ *rand.Rand) (*data.Set, *data.Set, error) {
			set, err := data.ReadCSVContext(ctx, v.String("path"), v.String("target"), classify)
			return set, nil, report.BadInput(err)
		},
		Size: func(v param.Values) (int, error) {
			n, err := data.CountCSV(v.String("path"))
			return n, report.BadInput(err)
		},
		Check: func(ctx context.Context, v param.Values, classify bool) error {
			return report.BadInput(data.CheckCSV(ctx, v.String("path"), v.String("target"), classify))
		}},
	{Choice: Choice{Name: "libsvm", Doc: "a libsvm file (label idx:val …)", Params: []param.Spec{pathKey,
		limitKey, testFractionKey, standardizeKey}},
		Load: func(ctx context.Context, v param.Values, classify bool, _ *rand.Rand) (*data.Set, *data.Set, error) {
			set, err := data.ReadLibSVMContext(ctx, v.String("path"), classify)
			return set, nil, report.BadInput(err)
		},
		Size: func(v param.Values) (int, error) {
			n, err := data.CountLibSVM(v.String("path"))
			return n, report.BadInput(err)
		},
		Check: func(ctx context.Context, v param.Values, classify bool) error {
			return report.BadInput(data.CheckLibSVM(ctx, v.String("path"), classify))
		}},
	imageSource("mnist"),
	imageSource("fashion-mnist"),
	deepobsQuadraticSource,
	deepobs2DSource,
}

// imageSource is one of the IDX image sets: its own test set of 10,000 images, pixels always
// scaled to [0, 1].
func imageSource(name string) Source {
	return Source{Choice: Choice{Name: name, Doc: "the IDX files of " + name + " (60,000 + 10,000 images)",
		Params: []param.Spec{
			{Key: "path", Type: param.String, Default: "", Doc: "folder of the IDX files (default $OPTIMBENCH_DATA/" + name + ", then ./data/" + name + ")"},
			limitKey}},
		Load: func(ctx context.Context, v param.Values, _ bool, _ *rand.Rand) (*data.Set, *data.Set, error) {
			dir, err := datasets.Locate(name, v.String("path"))
			if err != nil {
				return nil, nil, report.BadInput(fmt.Errorf("data: %w", err))
			}
			train, test, err := data.ReadMNISTSharedContext(ctx, dir)
			if err != nil && ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			if err != nil {
				return nil, nil, report.BadInput(fmt.Errorf("%w (fetch it again with: optimbench data get %s)", err, name))
			}
			return train, test, nil
		},
		Size: func(param.Values) (int, error) { return imageTrainSize, nil },
		Check: func(_ context.Context, v param.Values, _ bool) error {
			dir, err := datasets.Locate(name, v.String("path"))
			if err == nil {
				err = data.CheckMNIST(dir)
			}
			if errors.Is(err, datasets.ErrNotFound) { // its message says how to fetch it
				return report.BadInput(fmt.Errorf("data: %w", err))
			}
			if err != nil {
				return report.BadInput(fmt.Errorf("data: %w (fetch it with: optimbench data get %s)", err, name))
			}
			return nil
		}}
}

// imageTrainSize is the number of training images of the IDX image sets.
const imageTrainSize = 60000

// Sources returns the data sources in SPEC §2 order.
func Sources() []Source { return slices.Clone(sources) }

// LookupSource returns the data source called name, or nil.
func LookupSource(name string) *Source {
	for i := range sources {
		if sources[i].Name == name {
			return &sources[i]
		}
	}
	return nil
}

// The model kinds. loss's default depends on the data (defaultLoss).
var (
	lossKey = param.Spec{Key: "loss", Type: param.Enum, Choices: []string{"mse", "cross_entropy"},
		Derived: "mse for synthetic linear data, cross_entropy otherwise", Doc: "the data loss"}
	initKey = param.Spec{Key: "init", Type: param.Enum, Default: "auto",
		Choices: []string{"auto", "zeros", "xavier", "he", "normal", "truncated_normal"},
		Doc:     "auto = zeros for linear, he for relu, xavier otherwise, biases zero; the others' biases are init_bias; truncated_normal = N(0, init_std²) redrawn outside ±2·init_std (TensorFlow's, DeepOBS's); or {file: PATH}: the tensors of a safetensors file (§10)"}
)

var modelKinds = []Choice{
	{Name: "linear", Params: []param.Spec{lossKey, initKey, initStdKey, initBiasKey}, Doc: "z = Wx + b"},
	{Name: "mlp", Params: []param.Spec{
		{Key: "hidden", Type: param.Ints, Default: []int{64}, NonEmpty: true, Range: param.AtLeast(1),
			Doc: "hidden layer widths"},
		{Key: "activation", Type: param.Enum, Default: "relu", Choices: []string{"relu", "tanh", "sigmoid"},
			Doc: "activation of the hidden layers"},
		lossKey, initKey, initStdKey, initBiasKey}, Doc: "hidden layers with an activation, then a linear output layer"},
	deepobsQuadraticKind,
	deepobs2DKind,
	netKind,
}

// ModelKinds returns the model kinds.
func ModelKinds() []Choice { return slices.Clone(modelKinds) }

// functions are the test functions of the `problem:` block.
var functions = func() []Choice {
	var out []Choice
	for _, name := range model.Functions() {
		params := []param.Spec{{Key: "start", Type: param.Floats, NonEmpty: true,
			Derived: "the function's usual start (SPEC §7)", Doc: "the starting point"}}
		if name == "quadratic" {
			params = append(params, param.Spec{Key: "scales", Type: param.Floats, Default: []float64{1, 10},
				NonEmpty: true, Range: param.AtLeast(0), Doc: "the curvatures aᵢ of ½·Σ aᵢxᵢ²"})
		}
		params = append(params, param.Spec{Key: "noise", Type: param.Float, Default: 0.0, Range: param.AtLeast(0),
			Doc: "std of Gaussian noise added to each gradient component"})
		out = append(out, Choice{Name: name, Params: params, Doc: "SPEC §7"})
	}
	return out
}()

// Functions returns the test functions of the problem block.
func Functions() []Choice { return slices.Clone(functions) }

// The train options, in config.yaml order. batch_schedule is a block of its own, written after
// batch_size.
var (
	trainData = []param.Spec{
		{Key: "epochs", Type: param.Int, Default: 20, Range: param.AtLeast(1), Doc: "passes over the data (for a problem: steps)"},
		{Key: "batch_size", Type: param.BatchSize, Default: 128, Range: param.AtLeast(1), Doc: "or full (= gradient descent)"},
		{Key: "shuffle", Type: param.Bool, Default: true, Doc: "shuffle the training set each epoch"},
		{Key: "eval_every", Type: param.Int, Default: 1, Range: param.AtLeast(1), Doc: "epochs between full evaluations"},
		{Key: "diverge_factor", Type: param.Float, Default: 1e4, Range: param.Above(1),
			Doc: "diverged when the loss is not finite or exceeds factor × the initial loss"},
		{Key: "on_diverge", Type: param.Enum, Default: "stop", Choices: []string{"stop", "continue"},
			Doc: "what a diverged run does"},
		{Key: "reference_optimum", Type: param.Bool, Default: false, OmitIfDefault: true,
			Doc: "convex problems: compute f* and add a train_subopt column"},
		{Key: "clip_grad_norm", Type: param.Float, Default: 0.0, Range: param.AtLeast(0), OmitIfDefault: true,
			Doc: "scale the gradient to this global L2 norm when above it (torch.nn.utils.clip_grad_norm_); 0 = off"},
		{Key: "clip_grad_value", Type: param.Float, Default: 0.0, Range: param.AtLeast(0), OmitIfDefault: true,
			Doc: "clamp each gradient component to [−c, c] (clip_grad_value_), after clip_grad_norm; 0 = off"},
		{Key: "checkpoint_every", Type: param.Int, Default: 0, Range: param.AtLeast(0), OmitIfDefault: true,
			Doc: "write checkpoint.safetensors every this many epochs, to resume from after a kill; 0 = never"},
		{Key: "threads", Type: param.Int, Default: 0, Range: param.AtLeast(0), OmitIfDefault: true,
			Doc: "threads of the model's matrix products, element-wise passes and optimizer update; 0 = every core (a sweep shares them among its workers); results do not depend on it"},
		dtypeKey,
	}
	// dtypeKey is train.dtype, of data runs and problems alike.
	dtypeKey = param.Spec{Key: "dtype", Type: param.Enum, Default: "float64", Choices: []string{"float64", "float32"}, OmitIfDefault: true,
		Doc: "precision of parameters, data, activations, gradients and optimizer state (SPEC §10.6); losses are summed in float64"}
	// batchOnly are the train keys of a data run only.
	batchOnly = []string{"batch_size", "batch_schedule", "shuffle", "threads"}
)

// trainSpecs returns the train keys of a data run or of a problem run.
func trainSpecs(problem bool) []param.Spec {
	if !problem {
		return trainData
	}
	var out []param.Spec
	for _, s := range trainData {
		if !slices.Contains(batchOnly, s.Key) {
			out = append(out, s)
		}
	}
	return out
}

// averageKinds are the kinds of train.average: weights averaged beside the iterate and
// evaluated in the avg_* columns (torch.optim.swa_utils.AveragedModel).
var averageKinds = []Choice{
	{Name: "ema", Params: []param.Spec{{Key: "decay", Type: param.Float, Default: 0.999,
		Range: param.Interval(0, 1, false, true), Doc: "after every update, avg ← avg + (1 − decay)(θ − avg)"}},
		Doc: "exponential moving average of the weights, updated after every update"},
	{Name: "swa", Params: []param.Spec{{Key: "start", Type: param.Int, Default: 1, Range: param.AtLeast(1),
		Doc: "the first epoch whose end is averaged"}},
		Doc: "stochastic weight averaging: the mean of the weights at the end of epochs start, start+1, …"},
}

// lrSpec is optimizer.lr: the base rate of the schedule, with the optimizer's default.
func lrSpec(e *optim.Entry) param.Spec {
	return param.Spec{Key: "lr", Type: param.Float, Default: e.LR, Range: param.AtLeast(0),
		Doc: "the base learning rate lr₀ that the schedule shapes"}
}

// The top-level keys.
var topKeys = []string{"name", "seed", "testproblem", "data", "model", "problem", "optimizer", "schedule", "train"}

// TopKeys returns the top-level keys of a train configuration.
func TopKeys() []string { return slices.Clone(topKeys) }

// scheduleSpecs returns the schedule block's keys for entry e: unit, warmup, then its own.
func scheduleSpecs(e *sched.Entry) []param.Spec { return slices.Concat(sched.Common, e.Params) }
