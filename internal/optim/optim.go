// Package optim implements the first-order optimizers of optimbench (SPEC.md §4) as in-place
// updates of a flat float64 parameter vector.
//
// Every optimizer follows the conventions of PyTorch ≥ 2.0's torch.optim on its single-tensor
// path (foreach=False, maximize=False, no AMP), including the order of floating-point
// operations, so trajectories agree with PyTorch to float64 rounding. In particular:
//
//   - g is the gradient of the minibatch mean loss; t counts updates from 1 and must increase by
//     one per Step (nadam keeps a running product over steps).
//   - The learning rate is not a hyperparameter of the optimizer: it belongs to the schedule,
//     as in optax, and Step takes the rate of this update. The registry only records each
//     optimizer's default for the `optimizer.lr` key.
//   - Weight decay λ is L2 regularization added to the gradient, g ← g + λθ, for every optimizer
//     but adamw, which decays the weights directly (decoupled weight decay), as nadam and radam
//     do with decoupled_weight_decay: true.
//   - All state starts at zero, except adagrad's accumulator, which starts at
//     initial_accumulator, and the step sizes and rates of rprop and asgd (see each).
//
// The registry is one table: each Entry names an optimizer, declares its hyperparameters once
// as param.Specs (key, type, default, range, doc) and builds it. internal/config decodes,
// validates and documents the `optimizer:` block from that table, and the shared test table
// runs every entry. An optimizer is built from its name and values:
//
//	v := optim.Defaults("adam")
//	v["beta2"] = 0.99
//	opt, err := optim.New("adam", v, optim.Flat(len(params)))
//	...
//	opt.Step(params, grad, t, lr)
//
// Each optimizer allocates its state once in New; Step allocates nothing. Every optimizer is
// Stateful: SaveState copies its state for a checkpoint and RestoreState writes it back into
// an optimizer built alike, so that a resumed run takes the same steps, bit for bit.
package optim

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/optimbench/optimbench/internal/param"
)

// Optimizer updates parameters in place.
type Optimizer interface {
	// Step applies update number t (t counts from 1) with learning rate lr to params, given the
	// gradient grad of the minibatch mean loss at params. grad may be overwritten (it is
	// scratch). Step allocates nothing. A length mismatch is a programmer error and may panic.
	Step(params, grad []float64, t int, lr float64)
}

// Closure evaluates the loss of the current minibatch at params and writes its gradient into
// grad: what an optimizer that re-evaluates the objective within one update calls.
type Closure func(params, grad []float64) float64

// ClosureStepper is an optimizer whose update evaluates the objective again (L-BFGS's inner
// iterations and line search): the loop calls StepClosure instead of Step, with loss and
// grad already evaluated at params, and one call is one update (PyTorch's step(closure)).
type ClosureStepper interface {
	Optimizer
	StepClosure(params, grad []float64, loss float64, t int, lr float64, f Closure)
}

// Evaluator is an optimizer whose evaluation point differs from the point where it takes
// gradients (schedule-free methods evaluate their average x; gradients are taken at y).
// EvalParams returns the parameters to evaluate after the last Step, params being the
// iterate; the slice is the optimizer's and valid until its next Step.
type Evaluator interface {
	EvalParams(params []float64) []float64
}

// MomentumSetter is an optimizer whose momentum a schedule may drive (one-cycle, cyclical
// rates with cycle_momentum): μ for the momentum family, β₁ for the Adam family, as
// PyTorch's schedulers set group["momentum"] or group["betas"][0]. The loop calls it before
// each Step.
type MomentumSetter interface {
	SetMomentum(m float64)
}

// BaseRater is an optimizer with a second rate of its own (Muon's aux_lr for the parameters
// it does not orthogonalize), which follows the schedule as the main rate does: the loop
// tells it the base rate lr₀ once, and it scales its second rate by lr/lr₀ at each Step.
type BaseRater interface {
	SetBaseLR(lr0 float64)
}

var (
	// ErrUnknownOptimizer is wrapped by the error of Lookup and New for a name not in Names.
	ErrUnknownOptimizer = errors.New("unknown optimizer")
	// ErrUnknownKey is wrapped by the error of New for a key the optimizer does not take.
	ErrUnknownKey = errors.New("unknown key")
)

// Entry is one optimizer of the registry.
type Entry struct {
	Name string
	// LR is the default of `optimizer.lr` for this optimizer (PyTorch's). The rate itself is
	// the schedule's: Step takes the rate of each update.
	LR float64
	// Params are the optimizer's hyperparameters, in the order config.yaml lists them.
	Params []param.Spec
	// Check, if set, validates rules across keys (nesterov needs momentum > 0). It sees
	// every key of Params and returns a *param.ValueError.
	Check func(v param.Values) error
	// Build allocates the optimizer for the validated values and the parameter layout.
	Build func(v param.Values, l Layout) Optimizer
	// Floats is how many float64 values Build allocates for v and l (its state and scratch),
	// found without allocating them: a run's memory is estimated before anything is built.
	Floats func(v param.Values, l Layout) int64
	// Cycles is the key a schedule that drives momentum sets (as PyTorch's schedulers set
	// group["momentum"] or group["betas"][0]): "momentum", "beta1", or "" when the optimizer
	// has neither. Its optimizer then implements MomentumSetter.
	Cycles string
	// Doc is one line: the method and where it comes from.
	Doc string
}

// Layout is the shape of the flat parameter vector an optimizer updates: its length and the
// tensors it is made of, in order (a model's weight matrices and bias vectors). Optimizers
// that treat every coordinate alike read only Size; those that treat a weight matrix as a
// matrix (trust ratios per layer, orthogonalized or factored updates) read Tensors.
type Layout struct {
	Size    int
	Tensors []Tensor
}

// Tensor is one parameter tensor inside the flat vector: Rows×Cols values, row-major, from
// Offset. A weight matrix is out×in, as PyTorch stores it; a vector has Cols 1.
type Tensor struct {
	Name       string // PyTorch's parameter name: layers.0.weight, layers.0.bias, x
	Offset     int
	Rows, Cols int
	Matrix     bool // a weight matrix (as opposed to a bias or a point of a test function)
}

// Flat is the layout of n parameters that form one vector (a test function's point).
func Flat(n int) Layout {
	return Layout{Size: n, Tensors: []Tensor{{Name: "x", Rows: n, Cols: 1}}}
}

// The hyperparameters shared by several optimizers, declared once.
var (
	momentum = param.Spec{Key: "momentum", Type: param.Float, Default: 0.9, Range: param.AtLeast(0),
		Doc: "μ, the decay of the momentum buffer"}
	beta1 = param.Spec{Key: "beta1", Type: param.Float, Default: 0.9, Range: param.Interval(0, 1, false, true),
		Doc: "β₁, the decay of the first moment"}
	beta2 = param.Spec{Key: "beta2", Type: param.Float, Default: 0.999, Range: param.Interval(0, 1, false, true),
		Doc: "β₂, the decay of the second moment (adamax: of the infinity norm)"}
	weightDecay = param.Spec{Key: "weight_decay", Type: param.Float, Default: 0.0, Range: param.AtLeast(0),
		Doc: "λ: L2 added to the gradient, g ← g + λθ"}
	dampening = param.Spec{Key: "dampening", Type: param.Float, Default: 0.0, Range: param.Interval(0, 1, false, false),
		Doc: "τ: after the first step the buffer takes (1 − τ)·g"}
	decoupledWeightDecay = param.Spec{Key: "decoupled_weight_decay", Type: param.Bool, Default: false,
		Doc: "decay the weights, θ ← θ(1 − lr·λ), instead of adding λθ to g (AdamW's decay)"}
)

func eps(def float64) param.Spec {
	return param.Spec{Key: "eps", Type: param.Float, Default: def, Range: param.AtLeast(0),
		Doc: "ε of the denominator"}
}

func rho(def float64) param.Spec {
	return param.Spec{Key: "rho", Type: param.Float, Default: def, Range: param.Interval(0, 1, false, false),
		Doc: "ρ, the decay of the running averages of squares"}
}

func with(s param.Spec, def any, doc string) param.Spec {
	s.Default = def
	if doc != "" {
		s.Doc = doc
	}
	return s
}

// added marks a key added to an existing optimizer after configurations were run with it: at
// its default it stays out of config.yaml, the content hash and the run id, so those runs keep
// their ids (and the default must leave the old trajectory unchanged).
func added(s param.Spec) param.Spec {
	s.OmitIfDefault = true
	return s
}

var adamParams = []param.Spec{beta1, beta2, eps(1e-8), weightDecay}

// registry lists the optimizers in SPEC §4 order: the lecture's, then the zoo's groups.
var registry = slices.Concat(classicEntries, torchEntries, lbfgsEntries, referenceEntries, scheduleFreeEntries)

// classicEntries are the optimizers of the lecture.
var classicEntries = []Entry{
	{Name: "sgd", LR: 0.001, Params: []param.Spec{weightDecay},
		Build:  func(v param.Values, l Layout) Optimizer { return newSGD(v, l.Size) },
		Floats: vectors(0),
		Doc:    "stochastic gradient descent (Robbins & Monro 1951); torch.optim.SGD"},
	{Name: "momentum", LR: 0.001, Params: []param.Spec{momentum, weightDecay, added(dampening)},
		Build:  func(v param.Values, l Layout) Optimizer { return newHeavyBall(v, l.Size, false) },
		Floats: vectors(1),
		Cycles: "momentum",
		Doc:    "heavy-ball momentum (Polyak 1964); torch.optim.SGD(momentum)"},
	{Name: "nesterov", LR: 0.001, Params: []param.Spec{momentum, weightDecay, added(dampening)},
		Check: func(v param.Values) error {
			if v.Float("momentum") == 0 {
				return &param.ValueError{Key: "momentum", Want: "> 0 for nesterov", Got: 0.0}
			}
			if d := v.Float("dampening"); d != 0 { // PyTorch: "Nesterov momentum requires a momentum and zero dampening"
				return &param.ValueError{Key: "dampening", Want: "0 for nesterov", Got: d}
			}
			return nil
		},
		Build:  func(v param.Values, l Layout) Optimizer { return newHeavyBall(v, l.Size, true) },
		Floats: vectors(1),
		Cycles: "momentum",
		Doc:    "Nesterov momentum (Sutskever et al. 2013); torch.optim.SGD(nesterov=True)"},
	{Name: "adagrad", LR: 0.01, Params: []param.Spec{eps(1e-10), weightDecay,
		{Key: "lr_decay", Type: param.Float, Default: 0.0, Range: param.AtLeast(0),
			Doc: "lr_t = lr/(1 + (t−1)·lr_decay)"},
		{Key: "initial_accumulator", Type: param.Float, Default: 0.0, Range: param.AtLeast(0),
			Doc: "the starting sum of squared gradients"}},
		Build:  func(v param.Values, l Layout) Optimizer { return newAdagrad(v, l.Size) },
		Floats: vectors(1),
		Doc:    "AdaGrad (Duchi, Hazan & Singer 2011); torch.optim.Adagrad"},
	{Name: "rmsprop", LR: 0.01, Params: []param.Spec{
		with(momentum, 0.0, "μ of the optional heavy-ball term"), eps(1e-8), rho(0.99), weightDecay,
		{Key: "centered", Type: param.Bool, Default: false, Doc: "divide by a variance estimate"}},
		Build:  func(v param.Values, l Layout) Optimizer { return newRMSprop(v, l.Size) },
		Floats: func(v param.Values, l Layout) int64 { return int64(l.Size) * int64(2+b2i(v.Bool("centered"))) },
		Cycles: "momentum",
		Doc:    "RMSProp (Hinton 2012), centered (Graves 2013); torch.optim.RMSprop"},
	{Name: "adadelta", LR: 1.0, Params: []param.Spec{eps(1e-6), rho(0.9), weightDecay},
		Build:  func(v param.Values, l Layout) Optimizer { return newAdadelta(v, l.Size) },
		Floats: vectors(2),
		Doc:    "Adadelta (Zeiler 2012); torch.optim.Adadelta"},
	{Name: "adam", LR: 0.001, Params: adamParams,
		Build:  func(v param.Values, l Layout) Optimizer { return newAdam(v, l.Size, false, false) },
		Floats: vectors(2),
		Cycles: "beta1",
		Doc:    "Adam (Kingma & Ba 2015); torch.optim.Adam"},
	{Name: "amsgrad", LR: 0.001, Params: adamParams,
		Build:  func(v param.Values, l Layout) Optimizer { return newAdam(v, l.Size, true, false) },
		Floats: vectors(3),
		Cycles: "beta1",
		Doc:    "AMSGrad (Reddi, Kale & Kumar 2018); torch.optim.Adam(amsgrad=True)"},
	{Name: "adamw", LR: 0.001, Params: []param.Spec{beta1, beta2, eps(1e-8),
		with(weightDecay, 0.01, "λ, decoupled: θ ← θ(1 − lr·λ)"),
		added(param.Spec{Key: "amsgrad", Type: param.Bool, Default: false,
			Doc: "divide by the running maximum of v (AMSGrad, Reddi, Kale & Kumar 2018)"})},
		Build:  func(v param.Values, l Layout) Optimizer { return newAdam(v, l.Size, v.Bool("amsgrad"), true) },
		Floats: func(v param.Values, l Layout) int64 { return int64(l.Size) * int64(2+b2i(v.Bool("amsgrad"))) },
		Cycles: "beta1",
		Doc:    "AdamW (Loshchilov & Hutter 2019); torch.optim.AdamW"},
	{Name: "adamax", LR: 0.002, Params: adamParams,
		Build:  func(v param.Values, l Layout) Optimizer { return newAdamax(v, l.Size) },
		Floats: vectors(2),
		Cycles: "beta1",
		Doc:    "AdaMax (Kingma & Ba 2015, Algorithm 2); torch.optim.Adamax"},
	{Name: "nadam", LR: 0.002, Params: []param.Spec{beta1, beta2, eps(1e-8), weightDecay,
		{Key: "momentum_decay", Type: param.Float, Default: 0.004, Range: param.AtLeast(0),
			Doc: "ψ of the momentum schedule μ_t = β₁(1 − ½·0.96^(tψ))"},
		added(decoupledWeightDecay)},
		Build:  func(v param.Values, l Layout) Optimizer { return newNAdam(v, l.Size) },
		Floats: vectors(2),
		Cycles: "beta1",
		Doc:    "NAdam (Dozat 2016), PyTorch ≥ 2.0's form; torch.optim.NAdam"},
}

// Names returns the optimizer names in SPEC §4 order: sgd momentum nesterov adagrad rmsprop
// adadelta adam amsgrad adamw adamax nadam.
func Names() []string {
	names := make([]string, len(registry))
	for i, e := range registry {
		names[i] = e.Name
	}
	return names
}

// Entries returns the registry, in SPEC §4 order.
func Entries() []Entry { return append([]Entry(nil), registry...) }

// Lookup returns the registry entry of name, or an error wrapping ErrUnknownOptimizer.
func Lookup(name string) (*Entry, error) {
	for i := range registry {
		if registry[i].Name == name {
			return &registry[i], nil
		}
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownOptimizer, name)
}

// Defaults returns the hyperparameters of optimizer name at their PyTorch-2.x defaults (not
// lr: see Entry.LR). The map is new on every call. An unknown name gives nil.
func Defaults(name string) param.Values {
	e, err := Lookup(name)
	if err != nil {
		return nil
	}
	return param.Defaults(e.Params)
}

// New validates v for optimizer name and allocates all state for the layout l (state starts
// at zero, adagrad's sum at initial_accumulator). Keys missing from v take their defaults; a
// key the optimizer does not take is an error wrapping ErrUnknownKey. A value outside its
// range is a *param.ValueError naming the key first, as in "beta2: must be in [0, 1), got 1".
// A negative size is a programmer error and panics.
func New(name string, v param.Values, l Layout) (Optimizer, error) {
	e, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	full := param.Defaults(e.Params)
	for k, x := range v {
		s := param.Find(e.Params, k)
		if s == nil {
			return nil, fmt.Errorf("%s: %w for optimizer %s", k, ErrUnknownKey, name)
		}
		full[k] = x
	}
	for _, s := range e.Params {
		if err := s.Check(full[s.Key]); err != nil {
			return nil, err
		}
	}
	if e.Check != nil {
		if err := e.Check(full); err != nil {
			return nil, err
		}
	}
	if l.Size < 0 {
		panic(fmt.Sprintf("optim: negative parameter count %d", l.Size))
	}
	opt := e.Build(full, l)
	if n, ok := opt.(named); ok { // its checkpoints name it (SaveState)
		n.setEntry(e.Name, l)
	}
	return opt, nil
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
