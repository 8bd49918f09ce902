package optim

import (
	"fmt"

	"github.com/optimbench/optimbench/internal/param"
)

// referenceEntries are the modern methods transcribed from their authors' code (or, for yogi,
// whose authors released none, from tensorflow/addons). scripts/ref_optim.py transcribes each
// reference in NumPy and writes testdata/golden_reference.json.
var referenceEntries = []Entry{
	{Name: "lion", LR: 1e-4, Params: []param.Spec{
		with(beta1, 0.9, "β₁, the interpolation of the sign's argument c = β₁m + (1−β₁)g"),
		with(beta2, 0.99, "β₂, the decay of the momentum m"),
		with(weightDecay, 0.0, "λ, decoupled: θ ← θ(1 − lr·λ)")},
		Build:  both(newLion[float64], newLion[float32]),
		Floats: vectors(1),
		Cycles: "beta1",
		Doc:    "Lion, evolved sign momentum (Chen et al. 2023); google/automl lion_pytorch.py"},
	{Name: "signum", LR: 0.01, Params: []param.Spec{
		with(momentum, 0.9, "μ of the averaged momentum m ← μm + (1−μ)(g + λθ); 0 is signSGD"),
		with(weightDecay, 0.0, "λ: in the momentum (g + λθ) for μ > 0; θ ← (1 − lr·λ)θ for signSGD")},
		Build:  both(newSignum[float64], newSignum[float32]),
		Floats: vectors(1),
		Cycles: "momentum",
		Doc:    "Signum and signSGD (Bernstein et al. 2018); MXNet 1.1's Signum, as jxbz/signSGD uses"},
	{Name: "adabelief", LR: 1e-3, Params: []param.Spec{beta1, beta2,
		epsDoc(1e-16, "ε, added to s at every step and outside the root"),
		with(weightDecay, 0.0, "λ: decoupled (see decoupled_weight_decay) or L2 added to g"),
		with(decoupledWeightDecay, true, "θ ← θ(1 − lr·λ) instead of g ← g + λθ (the package's weight_decouple)"),
		{Key: "fixed_decay", Type: param.Bool, Default: false,
			Doc: "decoupled decay without the rate, θ ← θ(1 − λ)"},
		{Key: "rectify", Type: param.Bool, Default: true,
			Doc: "RAdam's rectification of the step (Liu et al. 2020)"},
		{Key: "degenerated_to_sgd", Type: param.Bool, Default: true,
			Doc: "while the rectification is off (ρ_t < 5), take momentum-SGD steps instead of none"},
		{Key: "amsgrad", Type: param.Bool, Default: false,
			Doc: "divide by the running maximum of s (not in the rectified step)"}},
		Build:  both(newAdaBelief[float64], newAdaBelief[float32]),
		Floats: func(v param.Values, l Layout) int64 { return int64(l.Size) * int64(2+b2i(v.Bool("amsgrad"))) },
		Cycles: "beta1",
		Doc:    "AdaBelief (Zhuang et al. 2020); adabelief-pytorch 0.2.1"},
	{Name: "yogi", LR: 0.01, Params: []param.Spec{beta1, beta2,
		epsDoc(1e-3, "ε, outside the root, not bias-corrected"),
		{Key: "initial_accumulator", Type: param.Float, Default: 1e-6, Range: param.AtLeast(0),
			Doc: "v₀, the starting second moment (m starts at zero)"},
		weightDecay},
		Build:  both(newYogi[float64], newYogi[float32]),
		Floats: vectors(2),
		Cycles: "beta1",
		Doc:    "Yogi (Zaheer et al. 2018); tensorflow/addons Yogi"},
	{Name: "adopt", LR: 1e-3, Params: []param.Spec{beta1,
		with(beta2, 0.9999, ""),
		epsDoc(1e-6, "ε, the floor of √v: g/max(√v, ε)"),
		weightDecay, decoupledWeightDecay,
		{Key: "clip", Type: param.Bool, Default: true,
			Doc: "clip g/max(√v, ε) to ±(t−1)^clip_exponent (false: the reference's clip_lambda=None)"},
		{Key: "clip_exponent", Type: param.Float, Default: 0.25, Range: param.AtLeast(0),
			Doc: "p of the clipping bound (t−1)^p (the reference's clip_lambda = step**0.25)"}},
		Build:  both(newADOPT[float64], newADOPT[float32]),
		Floats: vectors(2),
		Cycles: "beta1",
		Doc:    "ADOPT (Taniguchi et al. 2024); iShohei220/adopt"},
	{Name: "lars", LR: 0.1, Params: []param.Spec{momentum,
		with(weightDecay, 0.0, "λ: g ← g + λθ, and λ‖θ‖ in the trust ratio's denominator"),
		trustCoefficient,
		epsDoc(1e-8, "ε of the trust ratio's denominator"),
		excludeBias},
		Build:  both(newLARS[float64], newLARS[float32]),
		Floats: vectors(1),
		Cycles: "momentum",
		Doc:    "LARS, layer-wise trust ratios (You, Gitman & Ginsburg 2017); torchlars around SGD"},
	{Name: "lamb", LR: 1e-3, Params: []param.Spec{beta1, beta2,
		epsDoc(1e-6, "ε, outside the root of the bias-corrected v"),
		with(weightDecay, 0.0, "λ, decoupled: λθ added to the Adam direction before the trust ratio"),
		excludeBias},
		Build:  both(newLAMB[float64], newLAMB[float32]),
		Floats: vectors(2),
		Cycles: "beta1",
		Doc:    "LAMB, layer-wise Adam (You et al. 2020); tensorflow/addons LAMB"},
}

// The keys of the per-layer methods, lars and lamb.
var (
	excludeBias = param.Spec{Key: "exclude_bias", Type: param.Bool, Default: false,
		Doc: "1-D tensors (biases, a test function's point) take neither weight decay nor a trust ratio"}
	trustCoefficient = param.Spec{Key: "trust_coefficient", Type: param.Float, Default: 0.001, Range: param.AtLeast(0),
		Doc: "η of the trust ratio η‖θ‖/(‖g‖ + λ‖θ‖ + ε)"}
)

// epsDoc is eps(def) with its own doc line: where this optimizer puts ε.
func epsDoc(def float64, doc string) param.Spec {
	s := eps(def)
	s.Doc = doc
	return s
}

// sign returns −1, 0 or 1 as x is negative, zero or positive: sign(0) = 0, as torch.sign,
// tf.sign and MXNet's (x > 0) − (x < 0). A NaN stays NaN, so a diverged run shows.
func sign[T Float](x T) T {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return x
}

// span is one tensor of a Layout as the per-layer methods use it: [lo, hi) of the flat vector.
type span struct {
	lo, hi int
	matrix bool
}

// spansOf returns the tensors of l as spans. A layout without tensors is one vector (a
// schedule preview's empty layout included). Tensors that do not tile [0, l.Size) in order are
// a programmer error and panic.
func spansOf(l Layout) []span {
	if len(l.Tensors) == 0 {
		return []span{{0, l.Size, false}}
	}
	spans := make([]span, len(l.Tensors))
	next := 0
	for i, t := range l.Tensors {
		if t.Offset != next || t.Rows < 0 || t.Cols < 0 {
			panic(fmt.Sprintf("optim: tensor %s at offset %d, want %d", t.Name, t.Offset, next))
		}
		next = t.Offset + t.Rows*t.Cols
		spans[i] = span{t.Offset, next, t.Matrix}
	}
	if next != l.Size {
		panic(fmt.Sprintf("optim: tensors cover %d parameters of %d", next, l.Size))
	}
	return spans
}

// sumSquares returns Σ xᵢ², the square of the L2 norm.
func sumSquares[T Float](x []T) T {
	var s T
	for _, xi := range x {
		s += xi * xi
	}
	return s
}
