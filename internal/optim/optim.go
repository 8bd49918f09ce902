// Package optim implements the first-order optimizers of optimbench (SPEC.md §4) as in-place
// updates of a flat float64 parameter vector.
//
// Every optimizer follows the conventions of PyTorch ≥ 2.0's torch.optim on its single-tensor
// path (foreach=False, maximize=False, dampening 0, no AMP), including the order of floating-point
// operations, so trajectories agree with PyTorch to float64 rounding. In particular:
//
//   - g is the gradient of the minibatch mean loss; t counts updates from 1 and must increase by
//     one per Step (nadam keeps a running product over steps); lr is the scheduled learning rate
//     of this update, so schedules need no hook into the optimizer.
//   - Weight decay λ is L2 regularization added to the gradient, g ← g + λθ, for every optimizer
//     but adamw, which decays the weights directly (decoupled weight decay).
//   - All state starts at zero, except adagrad's accumulator, which starts at
//     initial_accumulator.
//
// An optimizer is built from a name and a Hyper:
//
//	h := optim.Hyper{}
//	defaults, _ := optim.Defaults("adam")
//	for k, v := range defaults {
//		h.Apply(k, v)
//	}
//	opt, err := optim.New("adam", h, len(params))
//	...
//	opt.Step(params, grad, t, lr)
//
// Each optimizer allocates its state once in New; Step allocates nothing.
package optim

import (
	"errors"
	"fmt"
	"math"
)

// Hyper holds every hyperparameter of SPEC §4. Unused fields are ignored by an optimizer.
// The comment of each field gives its config key.
type Hyper struct {
	LR                 float64 // lr: base learning rate (Step takes the scheduled one)
	Momentum           float64 // momentum: μ of momentum, nesterov and rmsprop
	Beta1              float64 // beta1: decay of the first moment (adam family)
	Beta2              float64 // beta2: decay of the second moment or infinity norm
	Eps                float64 // eps: ε of the denominator
	Rho                float64 // rho: decay of rmsprop's and adadelta's running averages
	WeightDecay        float64 // weight_decay: λ, L2 (decoupled for adamw)
	LRDecay            float64 // lr_decay: adagrad's lr_t = lr/(1 + (t−1)·lr_decay)
	InitialAccumulator float64 // initial_accumulator: adagrad's starting sum of squares
	MomentumDecay      float64 // momentum_decay: nadam's ψ
	Centered           bool    // centered: rmsprop divides by a variance estimate
}

// Optimizer updates parameters in place.
type Optimizer interface {
	// Step applies update number t (t counts from 1) with learning rate lr to params, given the
	// gradient grad of the minibatch mean loss at params. grad may be overwritten (it is
	// scratch). Step allocates nothing. A length mismatch is a programmer error and may panic.
	Step(params, grad []float64, t int, lr float64)
}

var (
	// ErrUnknownOptimizer is wrapped by the error of Defaults and New for a name not in Names.
	ErrUnknownOptimizer = errors.New("unknown optimizer")
	// ErrUnknownKey is wrapped by the error of Apply for a key that names no hyperparameter.
	ErrUnknownKey = errors.New("unknown key")
)

// ValueError reports a hyperparameter value rejected by Apply (wrong type) or New (out of range).
// Its message names the key first, as in "beta2: must be in [0, 1), got 1".
type ValueError struct {
	Key  string // config key, as listed by Defaults
	Want string // what the value must be, e.g. "in [0, 1)"
	Got  any    // the value given
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("%s: must be %s, got %v", e.Key, e.Want, e.Got)
}

// param is a config key of an optimizer with its default (float64, or bool for "centered").
type param struct {
	key string
	def any
}

// entry describes one optimizer: its config keys in validation order and its constructor.
type entry struct {
	params []param
	build  func(h Hyper, n int) Optimizer
}

var names = []string{
	"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta",
	"adam", "amsgrad", "adamw", "adamax", "nadam",
}

var (
	adamParams = []param{
		{"lr", 0.001}, {"beta1", 0.9}, {"beta2", 0.999}, {"eps", 1e-8}, {"weight_decay", 0.0},
	}
	momentumParams = []param{{"lr", 0.001}, {"momentum", 0.9}, {"weight_decay", 0.0}}
)

var registry = map[string]entry{
	"sgd": {
		params: []param{{"lr", 0.001}, {"weight_decay", 0.0}},
		build:  func(h Hyper, n int) Optimizer { return newSGD(h, n) },
	},
	"momentum": {
		params: momentumParams,
		build:  func(h Hyper, n int) Optimizer { return newHeavyBall(h, n, false) },
	},
	"nesterov": {
		params: momentumParams,
		build:  func(h Hyper, n int) Optimizer { return newHeavyBall(h, n, true) },
	},
	"adagrad": {
		params: []param{
			{"lr", 0.01}, {"eps", 1e-10}, {"lr_decay", 0.0}, {"initial_accumulator", 0.0},
			{"weight_decay", 0.0},
		},
		build: func(h Hyper, n int) Optimizer { return newAdagrad(h, n) },
	},
	"rmsprop": {
		params: []param{
			{"lr", 0.01}, {"rho", 0.99}, {"eps", 1e-8}, {"momentum", 0.0}, {"centered", false},
			{"weight_decay", 0.0},
		},
		build: func(h Hyper, n int) Optimizer { return newRMSprop(h, n) },
	},
	"adadelta": {
		params: []param{{"lr", 1.0}, {"rho", 0.9}, {"eps", 1e-6}, {"weight_decay", 0.0}},
		build:  func(h Hyper, n int) Optimizer { return newAdadelta(h, n) },
	},
	"adam": {
		params: adamParams,
		build:  func(h Hyper, n int) Optimizer { return newAdam(h, n, false, false) },
	},
	"amsgrad": {
		params: adamParams,
		build:  func(h Hyper, n int) Optimizer { return newAdam(h, n, true, false) },
	},
	"adamw": {
		params: []param{
			{"lr", 0.001}, {"beta1", 0.9}, {"beta2", 0.999}, {"eps", 1e-8}, {"weight_decay", 0.01},
		},
		build: func(h Hyper, n int) Optimizer { return newAdam(h, n, false, true) },
	},
	"adamax": {
		params: []param{
			{"lr", 0.002}, {"beta1", 0.9}, {"beta2", 0.999}, {"eps", 1e-8}, {"weight_decay", 0.0},
		},
		build: func(h Hyper, n int) Optimizer { return newAdamax(h, n) },
	},
	"nadam": {
		params: []param{
			{"lr", 0.002}, {"beta1", 0.9}, {"beta2", 0.999}, {"eps", 1e-8},
			{"momentum_decay", 0.004}, {"weight_decay", 0.0},
		},
		build: func(h Hyper, n int) Optimizer { return newNAdam(h, n) },
	},
}

// Names returns the optimizer names in SPEC §4 order: sgd momentum nesterov adagrad rmsprop
// adadelta adam amsgrad adamw adamax nadam.
func Names() []string {
	return append([]string(nil), names...)
}

func lookup(name string) (entry, error) {
	e, ok := registry[name]
	if !ok {
		return entry{}, fmt.Errorf("%w %q", ErrUnknownOptimizer, name)
	}
	return e, nil
}

// Defaults returns, for optimizer name, the config keys that apply to it with their PyTorch-2.x
// defaults (float64, or bool for "centered"). Every optimizer accepts "lr" and "weight_decay".
// The map is new on every call. An unknown name gives an error wrapping ErrUnknownOptimizer.
func Defaults(name string) (map[string]any, error) {
	e, err := lookup(name)
	if err != nil {
		return nil, err
	}
	m := make(map[string]any, len(e.params))
	for _, p := range e.params {
		m[p.key] = p.def
	}
	return m, nil
}

// field returns the float64 field of h named by a config key, or nil.
func (h *Hyper) field(key string) *float64 {
	switch key {
	case "lr":
		return &h.LR
	case "momentum":
		return &h.Momentum
	case "beta1":
		return &h.Beta1
	case "beta2":
		return &h.Beta2
	case "eps":
		return &h.Eps
	case "rho":
		return &h.Rho
	case "weight_decay":
		return &h.WeightDecay
	case "lr_decay":
		return &h.LRDecay
	case "initial_accumulator":
		return &h.InitialAccumulator
	case "momentum_decay":
		return &h.MomentumDecay
	}
	return nil
}

// Apply sets the field of h named by a config key (as listed by Defaults); v is float64 (any Go
// integer type is accepted too) or, for "centered", bool. It returns an error wrapping
// ErrUnknownKey for an unknown key and a *ValueError for a value of the wrong type. Ranges are
// checked by New, which knows the optimizer.
func (h *Hyper) Apply(key string, v any) error {
	if key == "centered" {
		b, ok := v.(bool)
		if !ok {
			return &ValueError{Key: key, Want: "true or false", Got: v}
		}
		h.Centered = b
		return nil
	}
	f := h.field(key)
	if f == nil {
		return fmt.Errorf("%s: %w", key, ErrUnknownKey)
	}
	x, ok := toFloat(v)
	if !ok {
		return &ValueError{Key: key, Want: "a number", Got: v}
	}
	*f = x
	return nil
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int8:
		return float64(x), true
	case int16:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint8:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint64:
		return float64(x), true
	}
	return 0, false
}

// New validates h for optimizer name and allocates all state for n parameters (state starts at
// zero, adagrad's sum at initial_accumulator). Only the keys that Defaults lists for name are
// checked, with PyTorch's rules: betas in [0, 1), rho in [0, 1], every other number >= 0 (so
// lr = 0 is allowed), and momentum > 0 for nesterov; infinities and NaN are rejected too.
// A range error is a *ValueError naming the key first, as in "lr: must be >= 0, got -1".
// A negative n is a programmer error and panics.
func New(name string, h Hyper, n int) (Optimizer, error) {
	e, err := lookup(name)
	if err != nil {
		return nil, err
	}
	for _, p := range e.params {
		if err := h.check(p.key); err != nil {
			return nil, err
		}
	}
	if name == "nesterov" && h.Momentum == 0 {
		return nil, &ValueError{Key: "momentum", Want: "> 0 for nesterov", Got: h.Momentum}
	}
	if n < 0 {
		panic(fmt.Sprintf("optim: negative parameter count %d", n))
	}
	return e.build(h, n), nil
}

// check validates the field of h named by key.
func (h *Hyper) check(key string) error {
	f := h.field(key)
	if f == nil { // "centered": any bool is valid
		return nil
	}
	v := *f
	switch key {
	case "beta1", "beta2":
		if !(v >= 0 && v < 1) {
			return &ValueError{Key: key, Want: "in [0, 1)", Got: v}
		}
	case "rho":
		if !(v >= 0 && v <= 1) {
			return &ValueError{Key: key, Want: "in [0, 1]", Got: v}
		}
	default:
		if !(v >= 0) {
			return &ValueError{Key: key, Want: ">= 0", Got: v}
		}
		if math.IsInf(v, 0) {
			return &ValueError{Key: key, Want: "finite", Got: v}
		}
	}
	return nil
}

// checkStep panics when the lengths of params, grad and the state (n) differ or t < 1.
func checkStep(params, grad []float64, n, t int) {
	if len(params) != n || len(grad) != n {
		panic(fmt.Sprintf("optim: Step with %d params and %d gradients for an optimizer of %d",
			len(params), len(grad), n))
	}
	if t < 1 {
		panic(fmt.Sprintf("optim: Step number %d, want t >= 1", t))
	}
}

// addWeightDecay applies L2 weight decay to the gradient, g ← g + λθ (optax's
// add_decayed_weights; PyTorch's grad.add(param, alpha=weight_decay)). λ = 0 leaves g untouched.
func addWeightDecay(g, params []float64, lambda float64) {
	if lambda == 0 {
		return
	}
	g = g[:len(params)]
	for i, p := range params {
		g[i] += lambda * p
	}
}

// biasCorrection returns 1 − βᵗ.
func biasCorrection(beta float64, t int) float64 {
	return 1 - math.Pow(beta, float64(t))
}

// lerp returns a + w(b − a) evaluated as ATen's lerp (PyTorch ≥ 2.0's exp_avg.lerp_(g, 1−β₁)):
// from a when |w| < ½, from b otherwise.
func lerp(a, b, w float64) float64 {
	if math.Abs(w) < 0.5 {
		return a + w*(b-a)
	}
	return b - (b-a)*(1-w)
}
