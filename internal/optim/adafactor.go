package optim

import (
	"math"

	"github.com/optimbench/optimbench/internal/param"
)

// adafactor is Adafactor (Shazeer & Stern 2018, "Adafactor: adaptive learning rates with
// sublinear memory cost") in the form of PyTorch 2.5's torch.optim.Adafactor
// (torch/optim/_adafactor.py, _single_tensor_adafactor, read at pytorch/pytorch commit
// 5f65158aefc31977355102011b310a7d020e5604), tensor by tensor (Layout.Tensors). With t the
// step (from 1), τ = beta2_decay, λ = weight_decay and d the clipping threshold, each tensor θ
// of n entries with gradient G does:
//
//	w = t^τ  (1 − β̂₂ₜ) ;  ρ = min(lr, 1/√t) ;  α = max(ε₂, ‖θ‖₂/√n)·ρ   (α from θ before decay)
//	θ ← θ(1 − lr·λ)                                     (when λ ≠ 0)
//	matrix (A×B; Matrix in the layout, "dim > 1" in PyTorch), factored:
//	    R_i ← R_i + w((‖G_i,:‖₂)²/B − R_i) ;  C_j ← C_j + w((‖G_:,j‖₂)²/A − C_j)   (ATen's lerp)
//	    V_ij = R_i·C_j / max(mean(R), ε₁)
//	vector (biases, a test function's point):  V ← V + w(G² − V)
//	U = G/√max(V, ε₁²)                                  (rsqrt of the clamped V, times G)
//	θ ← θ − (α/max(1, ‖U‖₂/(√n·d)))·U
//
// ε₁ clamps twice: the mean of the row factors from below, and V from below by ε₁² (so that
// √V ≥ ε₁; PyTorch's reading of the paper, which adds ε₁ to G² instead); ε₂ is the floor of the
// parameter scale. eps1's default is the machine epsilon of float64, in float32 too (PyTorch's
// eps1 None is finfo(dtype).eps, 1.19e-7 for float32; its square, 4.9e-32, is a normal float32). R, C and V start at zero. The rate lr is not the step size: it caps the
// relative step ρ and scales the decoupled weight decay, as in PyTorch (the paper uses 0.01 as
// the cap), so a schedule lowers the step only once lr < 1/√t.
type adafactor[T Float] struct {
	entry
	beta2Decay, eps1, eps2, d, wd float64
	n                             int
	tensors                       []Tensor
	factor                        []int // per tensor: offset of its row factors in rc (−1: a vector)
	step                          float64
	variance                      []T // V of the vectors (the matrices' entries unused)
	rc                            []T // R then C of each matrix
}

func newAdafactor[T Float](v param.Values, l Layout) *adafactor[T] {
	o := &adafactor[T]{beta2Decay: v.Float("beta2_decay"), eps1: v.Float("eps1"), eps2: v.Float("eps2"),
		d: v.Float("d"), wd: v.Float("weight_decay"), n: l.Size, tensors: layoutParts(l),
		variance: make([]T, l.Size)}
	o.factor = make([]int, len(o.tensors))
	size := 0
	for i, t := range o.tensors {
		o.factor[i] = -1
		if t.Matrix {
			o.factor[i] = size
			size += t.Rows + t.Cols
		}
	}
	o.rc = make([]T, size)
	return o
}

// State is the step count, V of the vectors (over the whole vector; the matrices' entries stay
// zero) and the row and column factors of the matrices.
func (o *adafactor[T]) State() []any { return []any{&o.step, o.variance, o.rc} }

func (o *adafactor[T]) Step(params, grad []T, t int, lr float64) {
	checkStep(params, grad, o.n, t)
	o.step++
	w := T(math.Pow(o.step, o.beta2Decay))
	rho := math.Min(lr, 1/math.Sqrt(o.step))
	for ti, ts := range o.tensors {
		n := ts.Rows * ts.Cols
		p, g := params[ts.Offset:ts.Offset+n], grad[ts.Offset:ts.Offset+n]
		sqrtN := math.Sqrt(float64(n))
		alpha := math.Max(o.eps2, float64(euclidNorm(p))/sqrtN) * rho
		if o.wd != 0 {
			decay := T(1 - lr*o.wd)
			for i := range p {
				p[i] *= decay
			}
		}
		if off := o.factor[ti]; off >= 0 {
			o.factored(p, g, o.rc[off:off+ts.Rows+ts.Cols], ts.Rows, ts.Cols, w, alpha, sqrtN)
			continue
		}
		// The unclipped update U, twice: for its norm, then for the step.
		eps1sq := T(o.eps1 * o.eps1)
		v := o.variance[ts.Offset : ts.Offset+n]
		var s T
		for k, gk := range g {
			v[k] = lerp(v[k], gk*gk, w)
			uk := 1 / sqrt(fmax(v[k], eps1sq)) * gk
			s += uk * uk
		}
		scale := T(-alpha / math.Max(1, float64(sqrt(s))/(sqrtN*o.d)))
		for k, gk := range g {
			p[k] += scale * (1 / sqrt(fmax(v[k], eps1sq)) * gk)
		}
	}
}

// factored updates the rows×cols matrix p from its gradient g with the row factors R and
// column factors C (rc, R then C), the weight w of the new squares and the step α.
func (o *adafactor[T]) factored(p, g, rc []T, rows, cols int, w T, alpha, sqrtN float64) {
	eps1sq := T(o.eps1 * o.eps1)
	r, c := rc[:rows], rc[rows:rows+cols]
	var sumR T
	for i := range rows {
		nr := euclidNorm(g[i*cols : (i+1)*cols])
		r[i] = lerp(r[i], nr*nr/T(cols), w)
		sumR += r[i]
	}
	for j := range cols {
		var ss T
		for i := range rows {
			ss += g[i*cols+j] * g[i*cols+j]
		}
		nc := sqrt(ss)
		c[j] = lerp(c[j], nc*nc/T(rows), w)
	}
	den := fmax(sumR/T(rows), T(o.eps1))
	// The unclipped update U, twice: for its norm, then for the step.
	var s T
	for k, gk := range g {
		uk := 1 / sqrt(fmax(r[k/cols]*c[k%cols]/den, eps1sq)) * gk
		s += uk * uk
	}
	scale := T(-alpha / math.Max(1, float64(sqrt(s))/(sqrtN*o.d)))
	for k, gk := range g {
		p[k] += scale * (1 / sqrt(fmax(r[k/cols]*c[k%cols]/den, eps1sq)) * gk)
	}
}

// euclidNorm returns the Euclidean norm of x, √(Σ xᵢ²), summed in T.
func euclidNorm[T Float](x []T) T {
	var s T
	for _, e := range x {
		s += e * e
	}
	return sqrt(s)
}
