// Package model holds the differentiable problems of optimbench: linear models and multilayer
// perceptrons with a mean-squared-error or softmax cross-entropy data loss (SPEC §7), and the
// classic 2-D (or n-D) test functions of the `problem:` block.
//
// Parameters are one flat []float64 owned by the caller; a layer's weights and bias are views
// into it. Loss and gradient are written into caller-owned buffers, and all scratch space is
// allocated once, in New, so that LossGrad and Eval allocate nothing.
//
// # Precision
//
// Every model exists in float64 (New, Model) and float32 (NewOf[float32], ModelOf[float32]),
// as optim's optimizers do; the float64 instantiation is the float64 code it was, to the bit.
// A float32 linear model or MLP (networkOf[float32]) keeps its parameters, gradients,
// activations and inputs in float32 and computes each layer in float32, as PyTorch does on
// float32 tensors (network32.go); its losses are formed and summed in float64 from the float32
// logits; a float32 net (cnetOf[float32]) and deepobs_quadratic likewise, their
// convolutions, pools, dense layers and Hessian products in float32. deepobs_2d in float32
// (widened) takes float32 parameters, data and gradients and computes in float64 between them,
// as its test functions are float64's: each gradient is the float64 one rounded once.
package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"unsafe"
)

// Spec is the YAML `model:` block.
type Spec struct {
	Kind       string  // linear | mlp | net
	Hidden     []int   // mlp: hidden widths, each > 0, at least one
	Activation string  // relu | tanh | sigmoid (mlp); empty means relu
	Loss       string  // mse | cross_entropy
	Init       string  // auto | zeros | xavier | he | normal; empty means auto
	Input      []int   // net: [C, H, W] of a sample (NCHW); empty: flat features
	Layers     []Layer // net: the layers, at least one, the last dense (net.go)

	// InitStd is the std of init normal and truncated_normal (TensorFlow's, redrawn outside
	// ±2σ; DeepOBS's MLP); 0 means 0.01.
	InitStd float64
	// InitBias is the starting value of every bias (DeepOBS's 2c2d has 0.05) under an Init
	// that draws only the weights: zeros, xavier, he, normal, truncated_normal. It must be
	// finite, and 0 with init auto (for a net PyTorch's default, which draws the biases too).
	InitBias float64

	// The kinds of deepobs.go: Matrix is deepobs_quadratic's Hessian (d×d, row-major,
	// symmetric); Function (rosenbrock | beale | branin) and Start are deepobs_2d's.
	Matrix   []float64
	Function string
	Start    []float64
}

// Float is the precision of a model: its parameters, data, activations and gradients are []T.
type Float interface{ float32 | float64 }

// Model is a float64 model, what New builds.
type Model = ModelOf[float64]

// ModelOf is a differentiable model with a data loss in precision T (see Model's methods:
// targets are T, the losses float64). Parameters live in one flat []T owned by the caller; layers are views into it. All scratch is allocated once in New, sized for
// maxBatch rows.
//
// A layer with in inputs and out outputs stores its weights W as an out×in row-major matrix
// (PyTorch's layout) followed by its bias b (out values); layers follow each other in order:
// layer 1 W, layer 1 b, layer 2 W, …. A linear model is a single layer.
//
// A Model keeps its scratch space inside, so one Model must not be used by several goroutines
// at once; build one per goroutine.
type ModelOf[T Float] interface {
	NumParams() int
	// Tensors lists the parameter tensors in the flat vector, in order: each layer's weight
	// matrix (out×in) then its bias, named as PyTorch names an nn.Sequential of Linear layers
	// (layers.0.weight, layers.0.bias, layers.1.weight, …).
	Tensors() []Tensor
	Inputs() int
	Outputs() int // 1 for mse, classes for cross_entropy
	// Init writes initial parameters (biases Spec.InitBias; weights per Spec.Init: zeros; xavier =
	// Glorot uniform U(±sqrt(6/(fan_in+fan_out))); he = He normal N(0, 2/fan_in); normal =
	// N(0, 0.01²); auto = zeros for linear, he for relu mlp, xavier otherwise).
	Init(params []T, rng *rand.Rand)
	// LossGrad returns the mean data loss over the n rows of x (n×Inputs, row-major) with
	// targets y (class indices 0..C−1 stored as float64 for cross_entropy) and, if grad != nil,
	// overwrites grad with d(loss)/d(params). n ≤ maxBatch. Allocates nothing. With n == 0 it
	// returns 0 and a zero gradient.
	LossGrad(params, x, y []T, n int, grad []T) float64
	// Eval returns the summed (not mean) loss over the n rows and, for cross_entropy, the
	// number of rows whose argmax output equals the label (0 for mse). n ≤ maxBatch.
	// Allocates nothing.
	Eval(params, x, y []T, n int) (lossSum float64, correct int)
}

// Tensor is one parameter tensor of a model: Rows×Cols values, row-major, from Offset in the
// flat parameter vector. A bias has Cols 1.
type Tensor struct {
	Name       string
	Offset     int
	Rows, Cols int
	Weight     bool // a weight matrix, not a bias
	// Kernel is a conv weight's kernel (kh, kw), zero otherwise: PyTorch's shape of the
	// tensor is then [Rows, Cols/(kh·kw), kh, kw], and the optimizers that treat weights as
	// matrices see the Rows×Cols matrix out × (in·kh·kw), as Muon and LAMB reshape it.
	Kernel [2]int
}

// SpecError is a bad value of one key of the `model:` or `problem:` block. Its message starts
// with the key, e.g. `hidden: must be non-empty for mlp`; callers add the block name
// (`model.`, `problem.`) and the file.
type SpecError struct {
	Key string // the YAML key under model: or problem:, e.g. "hidden"
	Msg string // what is wrong with its value
}

func (e *SpecError) Error() string { return e.Key + ": " + e.Msg }

func specErrorf(key, format string, args ...any) error {
	return &SpecError{Key: key, Msg: fmt.Sprintf(format, args...)}
}

// Validate checks s on its own, without the data's shape: the keys and names it may use.
// New calls it; it lets a configuration be checked before any data is loaded.
func (s Spec) Validate() error {
	if slices.Contains(deepobsKinds, s.Kind) {
		return validateDeepOBS(s)
	}
	switch s.Kind {
	case "linear":
		if len(s.Hidden) > 0 {
			return specErrorf("hidden", "only for mlp, got %v with kind linear", s.Hidden)
		}
	case "mlp":
		if len(s.Hidden) == 0 {
			return specErrorf("hidden", "must be non-empty for mlp")
		}
		for _, h := range s.Hidden {
			if h <= 0 {
				return specErrorf("hidden", "widths must be > 0, got %v", s.Hidden)
			}
		}
	case "net":
		if err := s.validateNet(); err != nil {
			return err
		}
	case "":
		return specErrorf("kind", "must be set (linear, mlp or net)")
	default:
		return specErrorf("kind", "unknown %q (want linear, mlp or net)", s.Kind)
	}
	if s.Kind != "net" && (len(s.Layers) > 0 || len(s.Input) > 0) {
		return specErrorf("layers", "only for net, got kind %s", s.Kind)
	}
	if _, err := parseActivation(s.Activation); err != nil {
		return err
	}
	switch s.Loss {
	case "mse", "cross_entropy":
	case "":
		return specErrorf("loss", "must be set (mse or cross_entropy)")
	default:
		return specErrorf("loss", "unknown %q (want mse or cross_entropy)", s.Loss)
	}
	switch s.Init {
	case "", "auto", "zeros", "xavier", "he", "normal", "truncated_normal":
	default:
		return specErrorf("init", "unknown %q (want auto, zeros, xavier, he, normal or truncated_normal)", s.Init)
	}
	if !(s.InitStd >= 0) || math.IsInf(s.InitStd, 0) {
		return specErrorf("init_std", "must be finite and >= 0, got %v", s.InitStd)
	}
	return s.validateInitBias()
}

// validateInitBias checks InitBias: finite, and 0 unless Init draws only the weights.
func (s Spec) validateInitBias() error {
	if math.IsNaN(s.InitBias) || math.IsInf(s.InitBias, 0) {
		return specErrorf("init_bias", "must be finite, got %v", s.InitBias)
	}
	if s.InitBias != 0 && (s.Init == "" || s.Init == "auto") {
		return specErrorf("init_bias", "only for init zeros, xavier, he, normal or truncated_normal, got init auto")
	}
	return nil
}

type activation int

const (
	actReLU activation = iota
	actTanh
	actSigmoid
)

func parseActivation(name string) (activation, error) {
	switch name {
	case "", "relu":
		return actReLU, nil
	case "tanh":
		return actTanh, nil
	case "sigmoid":
		return actSigmoid, nil
	}
	return 0, specErrorf("activation", "unknown %q (want relu, tanh or sigmoid)", name)
}

// New validates s (errors are *SpecError naming the YAML key under model first, e.g.
// `hidden: must be non-empty for mlp`, `activation: unknown "foo" (want relu, tanh or
// sigmoid)`, `loss: cross_entropy needs at least 2 classes, got 1`) and builds the model for
// in input features and classes classes (classes is ignored for mse, which has 1 output).
// maxBatch ≥ 1.
//
// For kind linear the activation is not used; a valid name is accepted and ignored.
func New(s Spec, in, classes, maxBatch int) (Model, error) {
	return NewOf[float64](s, in, classes, maxBatch)
}

// NewOf is New in precision T (see the package comment, Precision).
func NewOf[T Float](s Spec, in, classes, maxBatch int) (ModelOf[T], error) {
	if slices.Contains(deepobsKinds, s.Kind) && in >= 1 && maxBatch >= 1 {
		return newDeepOBS[T](s, in, maxBatch)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if in < 1 {
		return nil, fmt.Errorf("model needs at least 1 input feature, got %d", in)
	}
	if maxBatch < 1 {
		return nil, fmt.Errorf("model needs maxBatch >= 1, got %d", maxBatch)
	}
	out := 1
	ce := s.Loss == "cross_entropy"
	if ce {
		if classes < 2 {
			return nil, specErrorf("loss", "cross_entropy needs at least 2 classes, got %d", classes)
		}
		out = classes
	}
	if s.Kind == "net" {
		m, err := newNet[T](s, in, out, ce, maxBatch)
		if err != nil {
			return nil, err
		}
		return m, nil
	}
	return newNetwork[T](s, in, out, ce, maxBatch), nil
}

// newNetwork builds the linear model or MLP of s.
func newNetwork[T Float](s Spec, in, out int, ce bool, maxBatch int) *networkOf[T] {
	act, _ := parseActivation(s.Activation)
	widths := append(append([]int{in}, s.Hidden...), out)

	init := s.Init
	if init == "" || init == "auto" {
		switch {
		case s.Kind == "linear":
			init = "zeros"
		case act == actReLU:
			init = "he"
		default:
			init = "xavier"
		}
	}

	m := &networkOf[T]{in: in, out: out, ce: ce, act: act, init: init, initStd: s.InitStd, initBias: s.InitBias, maxBatch: maxBatch, ops: opsOf[T]()}
	off, maxHidden := 0, 0
	for l := 0; l+1 < len(widths); l++ {
		li, lo := widths[l], widths[l+1]
		m.layers = append(m.layers, layer{
			in: li, out: lo, w: off, b: off + lo*li,
			small: li*lo <= smallLayer,
		})
		off += lo * (li + 1)
		m.h = append(m.h, make([]T, maxBatch*lo))
		if l+1 < len(widths)-1 {
			maxHidden = max(maxHidden, lo)
		}
	}
	m.nparams = off
	m.tmp = make([]T, maxBatch*maxHidden)
	m.scratch = make([]T, smallLayer)
	for _, ly := range m.layers {
		if ly.small {
			continue
		}
		m.buf, m.sbuf = kernelsOf[T]()
		break
	}
	return m
}

// Size is what New would allocate for a model: its parameters, their tensors, and the bytes of
// scratch (activations and their gradients for the largest batch, the kernel's packing space).
type Size struct {
	Params  int64
	Scratch int64    // bytes
	Tensors []Tensor // as the model's Tensors; nil when Params saturated
	// Packs says whether the model uses the kernel's packing space (a layer above
	// smallLayer): only then does each thread beyond the first add ThreadBytes.
	Packs bool
}

// Footprint returns, without allocating anything large, the Size of the model New would build
// for s with in features, classes classes and batches of up to maxBatch rows, on one thread
// (SetThreads(n) adds n − 1 packing spaces of ThreadBytes each). The caller estimates a run's memory
// with it before building anything. Overflow saturates at math.MaxInt64.
func Footprint(s Spec, in, classes, maxBatch int) Size {
	return FootprintOf[float64](s, in, classes, maxBatch)
}

// FootprintOf is Footprint for the model NewOf[T] builds: T's bytes per value, and for a
// widened float32 model the float64 model inside it and its float64 copies of the
// parameters, the gradient and a batch.
func FootprintOf[T Float](s Spec, in, classes, maxBatch int) Size {
	if _, f32 := any(T(0)).(float32); f32 && s.Kind == "deepobs_2d" {
		z := FootprintOf[float64](s, in, classes, maxBatch)
		wide := satAdd(satMul(z.Params, 2), satMul(int64(max(maxBatch, 1)), int64(in)+1))
		z.Scratch = satAdd(z.Scratch, satMul(wide, 8))
		return z
	}
	out := int64(1)
	if s.Loss == "cross_entropy" {
		out = int64(max(classes, 2))
	}
	if s.Kind == "net" {
		return netFootprint[T](s, int64(in), out, int64(maxBatch))
	}
	widths := []int64{int64(in)}
	for _, h := range s.Hidden {
		widths = append(widths, int64(h))
	}
	widths = append(widths, out)
	mb := int64(max(maxBatch, 1))
	var z Size
	var floats, maxHidden int64
	for l := 0; l+1 < len(widths); l++ {
		li, lo := widths[l], widths[l+1]
		z.Packs = z.Packs || satMul(li, lo) > smallLayer
		z.Params = satAdd(z.Params, satMul(lo, li+1))
		floats = satAdd(floats, satMul(mb, lo))
		if l+1 < len(widths)-1 {
			maxHidden = max(maxHidden, lo)
		}
	}
	floats = satAdd(floats, satMul(mb, maxHidden))
	floats = satAdd(floats, smallLayer)
	z.Scratch = satMul(floats, int64(unsafe.Sizeof(T(0))))
	if z.Packs {
		z.Scratch = satAdd(z.Scratch, gemmBufBytesOf[T]())
	}
	if z.Params < math.MaxInt64 {
		off := 0
		for l := 0; l+1 < len(widths); l++ {
			name := fmt.Sprintf("layers.%d.", l)
			r, c := int(widths[l+1]), int(widths[l])
			z.Tensors = append(z.Tensors, Tensor{Name: name + "weight", Offset: off, Rows: r, Cols: c, Weight: true},
				Tensor{Name: name + "bias", Offset: off + r*c, Rows: r, Cols: 1})
			off += r*c + r
		}
	}
	return z
}

// ThreadBytes is the packing space each thread beyond the first adds to a model (SetThreads).
func ThreadBytes() int64 { return ThreadBytesOf[float64]() }

// ThreadBytesOf is ThreadBytes for a model of precision T (a widened float32 model threads
// its float64 model).
func ThreadBytesOf[T Float]() int64 {
	if gemmBufBytesOf[T]() == 0 {
		return 0
	}
	return int64(unsafe.Sizeof(gemmSpace[T]{}))
}

// gemmBufBytesOf is gemmBufBytes for the products of precision T: a float32 network always
// has its packing space.
func gemmBufBytesOf[T Float]() int64 {
	if _, f32 := any(T(0)).(float32); f32 {
		return int64(unsafe.Sizeof(sgemmBuf{}))
	}
	return gemmBufBytes()
}

func satMul(a, b int64) int64 {
	if a != 0 && b > math.MaxInt64/a {
		return math.MaxInt64
	}
	return a * b
}

func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
