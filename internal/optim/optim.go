// Package optim implements the first-order optimizers of optimbench (SPEC.md §4) as in-place
// updates of a flat parameter vector, in float64 or float32.
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
//
// # Precision
//
// Every optimizer exists in float64 (New, Optimizer) and float32 (NewOf[float32],
// OptimizerOf[float32]): each type is generic in its precision T, and the registry's Builder
// holds both instantiations of one constructor (both(newAdam[float64], newAdam[float32])), so
// every rule is written once and the float64 instantiation is the float64 code it was, to the
// bit. In float32 the optimizer does what PyTorch does on float32 tensors:
//
//   - In T: the parameters, the gradient and every state vector (m, v, buffers, accumulators),
//     and each element-wise operation on them, so each rounds to T (ATen's float kernels
//     compute in float on the CPU). Square roots are correctly rounded in T
//     (float32(math.Sqrt(float64(x))) is float32's sqrt); min, max and |x| are exact. Sums over
//     a tensor (norms, dot products, Σ|s|) accumulate in T.
//   - In float64, rounded to T once where they meet a tensor: the scalars PyTorch computes in
//     Python, a double: the hyperparameters (param.Values stay float64), lr, 1 − β, the bias
//     corrections 1 − βᵗ and their roots, the step sizes (lr/(1 − β₁ᵗ), nadam's coefficients,
//     radam's rectification, adafactor's α and ρ, the schedule-free weights), Python's float()
//     of a norm or a dot product (lars' and lamb's trust ratios, prodigy's D), nadam's running
//     product of μ_t, L-BFGS's losses.
//   - In T but held as float64 values (so State keeps its element types): what PyTorch keeps
//     as a 0-d tensor of the parameters' dtype: asgd's η and μ, L-BFGS's y·s, ρ, H, α, β, g·d,
//     the first step min(1, 1/Σ|g|)·lr and every line-search quantity formed with a tensor
//     (each operation with a tensor operand rounds to T, comparisons included: pyNum). L-BFGS
//     also follows OpenBLAS's sdot and ATen's eight-lane float sum, and so reproduces PyTorch's
//     float32 steps to the bit (testdata/float32/lbfgs_golden.json).
//
// A key's default is the same in both precisions: adafactor's eps1 is float64's machine ε
// also in float32 (PyTorch's eps1=None would take float32's, 1.19e-7). Entry.Floats counts
// values of the optimizer's precision: Floats(v, l)·Bytes[T]() is its memory. A float32
// checkpoint names its optimizer "adam (float32)" and restores into a float32 optimizer only.
//
// # Assembly
//
// On amd64 with AVX2 (not with the purego tag), the element-wise loops of sgd, momentum,
// nesterov, adam and adamw (not amsgrad's) run in assembly (vec_amd64.s), 4 float64 or 8
// float32 values at a time, with the Go loop for the rest. Each lane does the Go loop's
// operations in its order, without FMA (Go on GOAMD64=v1 fuses nothing), and VSQRT and VDIV
// round correctly as math.Sqrt and / do, so the steps are the Go loop's bit for bit
// (TestVecExact; NaN payloads aside). BenchmarkStepVec times both.
package optim

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"unsafe"

	"github.com/optimbench/optimbench/internal/param"
)

// Float is the precision of an optimizer: its parameters, gradients and state are []T.
// (Exactly float32 or float64, not types defined on them: NewOf picks the builder by type.)
type Float interface{ float32 | float64 }

// OptimizerOf updates parameters of precision T in place.
type OptimizerOf[T Float] interface {
	// Step applies update number t (t counts from 1) with learning rate lr to params, given the
	// gradient grad of the minibatch mean loss at params. grad may be overwritten (it is
	// scratch). Step allocates nothing. A length mismatch is a programmer error and may panic.
	Step(params, grad []T, t int, lr float64)
}

// Optimizer is a float64 optimizer, what New builds.
type Optimizer = OptimizerOf[float64]

// ClosureOf evaluates the loss of the current minibatch at params and writes its gradient into
// grad: what an optimizer that re-evaluates the objective within one update calls. The loss
// is a float64 in both precisions (PyTorch's LBFGS reads it as a Python float).
type ClosureOf[T Float] func(params, grad []T) float64

// Closure is the closure of a float64 optimizer.
type Closure = ClosureOf[float64]

// ClosureStepperOf is an optimizer whose update evaluates the objective again (L-BFGS's inner
// iterations and line search): the loop calls StepClosure instead of Step, with loss and
// grad already evaluated at params, and one call is one update (PyTorch's step(closure)).
type ClosureStepperOf[T Float] interface {
	OptimizerOf[T]
	StepClosure(params, grad []T, loss float64, t int, lr float64, f ClosureOf[T])
}

// ClosureStepper is a float64 ClosureStepperOf.
type ClosureStepper = ClosureStepperOf[float64]

// EvaluatorOf is an optimizer whose evaluation point differs from the point where it takes
// gradients (schedule-free methods evaluate their average x; gradients are taken at y).
// EvalParams returns the parameters to evaluate after the last Step, params being the
// iterate; the slice is the optimizer's and valid until its next Step.
type EvaluatorOf[T Float] interface {
	EvalParams(params []T) []T
}

// Evaluator is a float64 EvaluatorOf.
type Evaluator = EvaluatorOf[float64]

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
	// Build allocates the optimizer, in either precision, for the validated values and the
	// parameter layout (NewOf calls it).
	Build Builder
	// Floats is how many values of the optimizer's precision Build allocates for v and l (its
	// state and scratch), found without allocating them: a run's memory is estimated before
	// anything is built. The count is the same in both precisions; Bytes turns it into bytes.
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
	// Kernel is a conv weight's (kh, kw), zero otherwise: the tensor is [Rows, Cols/(kh·kw),
	// kh, kw] in PyTorch, and is treated here as the Rows×Cols matrix out × (in·kh·kw).
	Kernel [2]int
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
		Build:  both(newSGD[float64], newSGD[float32]),
		Floats: vectors(0),
		Doc:    "stochastic gradient descent (Robbins & Monro 1951); torch.optim.SGD"},
	{Name: "momentum", LR: 0.001, Params: []param.Spec{momentum, weightDecay, added(dampening)},
		Build:  both(newMomentum[float64], newMomentum[float32]),
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
		Build:  both(newNesterov[float64], newNesterov[float32]),
		Floats: vectors(1),
		Cycles: "momentum",
		Doc:    "Nesterov momentum (Sutskever et al. 2013); torch.optim.SGD(nesterov=True)"},
	{Name: "adagrad", LR: 0.01, Params: []param.Spec{eps(1e-10), weightDecay,
		{Key: "lr_decay", Type: param.Float, Default: 0.0, Range: param.AtLeast(0),
			Doc: "lr_t = lr/(1 + (t−1)·lr_decay)"},
		{Key: "initial_accumulator", Type: param.Float, Default: 0.0, Range: param.AtLeast(0),
			Doc: "the starting sum of squared gradients"}},
		Build:  both(newAdagrad[float64], newAdagrad[float32]),
		Floats: vectors(1),
		Doc:    "AdaGrad (Duchi, Hazan & Singer 2011); torch.optim.Adagrad"},
	{Name: "rmsprop", LR: 0.01, Params: []param.Spec{
		with(momentum, 0.0, "μ of the optional heavy-ball term"), eps(1e-8), rho(0.99), weightDecay,
		{Key: "centered", Type: param.Bool, Default: false, Doc: "divide by a variance estimate"}},
		Build:  both(newRMSprop[float64], newRMSprop[float32]),
		Floats: func(v param.Values, l Layout) int64 { return int64(l.Size) * int64(2+b2i(v.Bool("centered"))) },
		Cycles: "momentum",
		Doc:    "RMSProp (Hinton 2012), centered (Graves 2013); torch.optim.RMSprop"},
	{Name: "adadelta", LR: 1.0, Params: []param.Spec{eps(1e-6), rho(0.9), weightDecay},
		Build:  both(newAdadelta[float64], newAdadelta[float32]),
		Floats: vectors(2),
		Doc:    "Adadelta (Zeiler 2012); torch.optim.Adadelta"},
	{Name: "adam", LR: 0.001, Params: adamParams,
		Build:  both(newAdam[float64], newAdam[float32]),
		Floats: vectors(2),
		Cycles: "beta1",
		Doc:    "Adam (Kingma & Ba 2015); torch.optim.Adam"},
	{Name: "amsgrad", LR: 0.001, Params: adamParams,
		Build:  both(newAMSGrad[float64], newAMSGrad[float32]),
		Floats: vectors(3),
		Cycles: "beta1",
		Doc:    "AMSGrad (Reddi, Kale & Kumar 2018); torch.optim.Adam(amsgrad=True)"},
	{Name: "adamw", LR: 0.001, Params: []param.Spec{beta1, beta2, eps(1e-8),
		with(weightDecay, 0.01, "λ, decoupled: θ ← θ(1 − lr·λ)"),
		added(param.Spec{Key: "amsgrad", Type: param.Bool, Default: false,
			Doc: "divide by the running maximum of v (AMSGrad, Reddi, Kale & Kumar 2018)"})},
		Build:  both(newAdamW[float64], newAdamW[float32]),
		Floats: func(v param.Values, l Layout) int64 { return int64(l.Size) * int64(2+b2i(v.Bool("amsgrad"))) },
		Cycles: "beta1",
		Doc:    "AdamW (Loshchilov & Hutter 2019); torch.optim.AdamW"},
	{Name: "adamax", LR: 0.002, Params: adamParams,
		Build:  both(newAdamax[float64], newAdamax[float32]),
		Floats: vectors(2),
		Cycles: "beta1",
		Doc:    "AdaMax (Kingma & Ba 2015, Algorithm 2); torch.optim.Adamax"},
	{Name: "nadam", LR: 0.002, Params: []param.Spec{beta1, beta2, eps(1e-8), weightDecay,
		{Key: "momentum_decay", Type: param.Float, Default: 0.004, Range: param.AtLeast(0),
			Doc: "ψ of the momentum schedule μ_t = β₁(1 − ½·0.96^(tψ))"},
		added(decoupledWeightDecay)},
		Build:  both(newNAdam[float64], newNAdam[float32]),
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
// A negative size is a programmer error and panics. New builds a float64 optimizer.
func New(name string, v param.Values, l Layout) (Optimizer, error) { return NewOf[float64](name, v, l) }

// NewOf is New in precision T: the optimizer's parameters, gradients and state are []T, and
// its arithmetic is T's, as PyTorch's on tensors of that dtype (see the package comment).
func NewOf[T Float](name string, v param.Values, l Layout) (OptimizerOf[T], error) {
	e, full, err := resolve(name, v)
	if err != nil {
		return nil, err
	}
	if l.Size < 0 {
		panic(fmt.Sprintf("optim: negative parameter count %d", l.Size))
	}
	opt := buildOf[T](e.Build, full, l)
	if n, ok := opt.(named); ok { // its checkpoints name it (SaveState)
		n.setEntry(e.Name+precisionSuffix[T](), l)
	}
	return opt, nil
}

// resolve returns the entry of name and v completed with its defaults and validated.
func resolve(name string, v param.Values) (*Entry, param.Values, error) {
	e, err := Lookup(name)
	if err != nil {
		return nil, nil, err
	}
	full := param.Defaults(e.Params)
	for k, x := range v {
		s := param.Find(e.Params, k)
		if s == nil {
			return nil, nil, fmt.Errorf("%s: %w for optimizer %s", k, ErrUnknownKey, name)
		}
		full[k] = x
	}
	for _, s := range e.Params {
		if err := s.Check(full[s.Key]); err != nil {
			return nil, nil, err
		}
	}
	if e.Check != nil {
		if err := e.Check(full); err != nil {
			return nil, nil, err
		}
	}
	return e, full, nil
}

// Builder builds an entry's optimizer in either precision (Entry.Build). both makes one from
// the two instantiations of a generic constructor, so each optimizer is written once.
type Builder struct {
	f64 func(v param.Values, l Layout) OptimizerOf[float64]
	f32 func(v param.Values, l Layout) OptimizerOf[float32]
}

// both is the Builder of the generic constructor whose instantiations are f64 and f32:
// both(newAdam[float64], newAdam[float32]).
func both[A OptimizerOf[float64], B OptimizerOf[float32]](f64 func(param.Values, Layout) A, f32 func(param.Values, Layout) B) Builder {
	return Builder{
		f64: func(v param.Values, l Layout) OptimizerOf[float64] { return f64(v, l) },
		f32: func(v param.Values, l Layout) OptimizerOf[float32] { return f32(v, l) },
	}
}

// buildOf calls the builder of precision T.
func buildOf[T Float](b Builder, v param.Values, l Layout) OptimizerOf[T] {
	var opt any
	if isFloat32[T]() {
		opt = b.f32(v, l)
	} else {
		opt = b.f64(v, l)
	}
	return opt.(OptimizerOf[T])
}

// isFloat32 reports whether T is float32.
func isFloat32[T Float]() bool {
	_, ok := any(T(0)).(float32)
	return ok
}

// precisionSuffix is what a checkpoint's optimizer name carries for precision T: nothing for
// float64 (so float64 checkpoints keep their header), " (float32)" for float32.
func precisionSuffix[T Float]() string {
	if isFloat32[T]() {
		return " (float32)"
	}
	return ""
}

// Bytes is the size in bytes of one value of precision T: what turns Entry.Floats into the
// memory of an optimizer of that precision, Floats(v, l)·Bytes[T]().
func Bytes[T Float]() int64 { return int64(unsafe.Sizeof(T(0))) }

// checkStep panics when the lengths of params, grad and the state (n) differ or t < 1.
func checkStep[T Float](params, grad []T, n, t int) {
	if len(params) != n || len(grad) != n {
		panic(fmt.Sprintf("optim: Step with %d params and %d gradients for an optimizer of %d",
			len(params), len(grad), n))
	}
	if t < 1 {
		panic(fmt.Sprintf("optim: Step number %d, want t >= 1", t))
	}
}

// addWeightDecay applies L2 weight decay to the gradient, g ← g + λθ (optax's
// add_decayed_weights; PyTorch's grad.add(param, alpha=weight_decay), λ rounded to T once).
// λ = 0 leaves g untouched.
func addWeightDecay[T Float](g, params []T, lambda float64) {
	if lambda == 0 {
		return
	}
	l := T(lambda)
	g = g[:len(params)]
	for i, p := range params {
		g[i] += l * p
	}
}

// biasCorrection returns 1 − βᵗ, in float64 (PyTorch computes it in Python).
func biasCorrection(beta float64, t int) float64 {
	return 1 - math.Pow(beta, float64(t))
}

// lerp returns a + w(b − a) evaluated as ATen's lerp (PyTorch ≥ 2.0's exp_avg.lerp_(g, 1−β₁)):
// from a when |w| < ½, from b otherwise, in T (the weight rounded to T by the caller).
func lerp[T Float](a, b, w T) T {
	if w < 0.5 && w > -0.5 {
		return a + w*(b-a)
	}
	return b - (b-a)*(1-w)
}

// sqrt is the correctly rounded square root in T (float32(math.Sqrt(float64(x))) is, as
// float64 has more than twice float32's digits, and as PyTorch's float32 sqrt).
func sqrt[T Float](x T) T { return T(math.Sqrt(float64(x))) }

// fmax, fmin and abs are math.Max, math.Min and math.Abs in T (exact: each returns one of its
// arguments or its magnitude, so the conversions round nothing).
func fmax[T Float](a, b T) T { return T(math.Max(float64(a), float64(b))) }

func fmin[T Float](a, b T) T { return T(math.Min(float64(a), float64(b))) }

func abs[T Float](x T) T { return T(math.Abs(float64(x))) }
