package config

import (
	"context"
	"math/rand/v2"

	"github.com/optimbench/optimbench/internal/data"
	"github.com/optimbench/optimbench/internal/model"
	"github.com/optimbench/optimbench/internal/param"
)

// The schema's entries for DeepOBS's toy problems (preset.go): two data sources that
// generate DeepOBS's data exactly as DeepOBS draws it (data.DeepOBSQuadratic, data.DeepOBS2D,
// from numpy's RandomState with DeepOBS's fixed seeds), and the two model kinds whose loss
// they feed (model/deepobs.go).

// initStdKey is model.init_std: the spread of init normal and truncated_normal.
var initStdKey = param.Spec{Key: "init_std", Type: param.Float, Default: 0.01, Range: param.Above(0), OmitIfDefault: true,
	When: func(v param.Values) string {
		if i, _ := v["init"].(string); i != "normal" && i != "truncated_normal" {
			return "only for init normal or truncated_normal"
		}
		return ""
	},
	Doc: "std of the weights of init normal and truncated_normal"}

// initBiasKey is model.init_bias: the starting value of every bias (DeepOBS's 2c2d has 0.05)
// when init draws only the weights. With init auto (PyTorch's default for a net, which draws
// the biases too) or an init file (whose tensors hold the biases) it must be 0
// (checkInitBias).
var initBiasKey = param.Spec{Key: "init_bias", Type: param.Float, Default: 0.0, OmitIfDefault: true,
	Doc: "the value every bias starts at, with init zeros, xavier, he, normal or truncated_normal (not auto, not an init file)"}

// noiseSource is a DeepOBS toy data set of n points with noise level noise (DeepOBS's
// train_size and noise_level), made by gen.
func noiseSource(name, doc string, n int, noise float64, gen func(n int, noise float64) (*data.Set, *data.Set, error)) Source {
	return Source{Choice: Choice{Name: name, Doc: doc, Params: []param.Spec{
		{Key: "n", Type: param.Int, Default: n, Range: param.AtLeast(1), Doc: "training points (DeepOBS's train_size); the test set has as many"},
		{Key: "noise", Type: param.Float, Default: noise, Range: param.AtLeast(0), Doc: "std of the points (DeepOBS's noise_level)"},
		limitKey}},
		Load: func(_ context.Context, v param.Values, _ bool, _ *rand.Rand) (*data.Set, *data.Set, error) {
			train, test, err := gen(v.Int("n"), v.Float("noise"))
			if err != nil {
				return nil, nil, &ConfigError{Msg: "data." + err.Error()}
			}
			return train, test, nil
		},
		Size: func(v param.Values) (int, error) { return v.Int("n"), nil }}
}

var (
	deepobsQuadraticSource = noiseSource("deepobs-quadratic",
		"DeepOBS's quadratic data: x ~ N(0, noise²·I) in 100 dimensions, training set from RandomState(42), test set from RandomState(43)",
		1000, 0.6, data.DeepOBSQuadratic)
	deepobs2DSource = noiseSource("deepobs-2d",
		"DeepOBS's two_d data: (x, y) ~ N(0, noise²) from RandomState(42); the test set is zeros (the noiseless function)",
		10000, 1.0, data.DeepOBS2D)
)

var (
	deepobsQuadraticKind = Choice{Name: "deepobs_quadratic",
		Doc: "DeepOBS's quadratic_deep: the loss of a point x is ½(θ − x)ᵀH(θ − x), H DeepOBS's 100×100 Hessian, θ from ones"}
	deepobs2DKind = Choice{Name: "deepobs_2d", Params: []param.Spec{
		{Key: "function", Type: param.Enum, Choices: model.Noisy2DFunctions(), Doc: "the 2-D function f"},
		{Key: "start", Type: param.Floats, NonEmpty: true, Derived: "DeepOBS's start of the function", Doc: "the starting point (u, v)"}},
		check: func(v param.Values) (string, string) {
			if len(v.Floats("start")) != 2 {
				return "start", "must have 2 values (u, v)"
			}
			return "", ""
		},
		Doc: "DeepOBS's noisy 2-D problems: the loss of a point (x, y) is f(u, v) + u·x + v·y"}
)

// checkInitBias refuses a nonzero model.init_bias where init sets the biases itself: auto
// and an init file.
func checkInitBias(s *Section, v param.Values, initFile bool) error {
	if b, _ := v["init_bias"].(float64); b == 0 {
		return nil
	}
	if initFile {
		return s.Errf("init_bias", "does not apply with an init file (its tensors hold the biases)")
	}
	if v["init"] == "auto" {
		return s.Errf("init_bias", "only for init zeros, xavier, he, normal or truncated_normal: init auto sets the biases itself")
	}
	return nil
}

// defaultModelKeys fills in the model keys whose default depends on the rest (the loss of
// the kinds that have one, deepobs_2d's start) and checks the kind's rules across keys.
// initFile says whether model.init names a file, which only the kinds with init take.
func defaultModelKeys(s *Section, kind *Choice, v param.Values, d *Block, initFile bool) error {
	has := func(k string) bool { return param.Find(kind.Params, k) != nil }
	if initFile && !has("init") {
		return s.Errf("init", "does not apply to kind %s (its start is part of the problem)", kind.Name)
	}
	if _, ok := v["loss"]; !ok && has("loss") {
		v["loss"] = defaultLoss(d)
	}
	if err := checkInitBias(s, v, initFile); err != nil {
		return err
	}
	if _, ok := v["start"]; !ok && kind.Name == "deepobs_2d" {
		v["start"] = model.Noisy2DStart(v.String("function"))
	}
	return check(s, kind.check, v)
}
