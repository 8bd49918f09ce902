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
// parameter scale. eps1's default is the machine epsilon of float64 (PyTorch's eps1 None is
// finfo(dtype).eps). R, C and V start at zero. The rate lr is not the step size: it caps the
// relative step ρ and scales the decoupled weight decay, as in PyTorch (the paper uses 0.01 as
// the cap), so a schedule lowers the step only once lr < 1/√t.
type adafactor struct {
	entry
	beta2Decay, eps1, eps2, d, wd float64
	n                             int
	tensors                       []Tensor
	factor                        []int // per tensor: offset of its row factors in rc (−1: a vector)
	step                          float64
	variance                      []float64 // V of the vectors (the matrices' entries unused)
	rc                            []float64 // R then C of each matrix
}

func newAdafactor(v param.Values, l Layout) *adafactor {
	o := &adafactor{beta2Decay: v.Float("beta2_decay"), eps1: v.Float("eps1"), eps2: v.Float("eps2"),
		d: v.Float("d"), wd: v.Float("weight_decay"), n: l.Size, tensors: layoutParts(l),
		variance: make([]float64, l.Size)}
	o.factor = make([]int, len(o.tensors))
	size := 0
	for i, t := range o.tensors {
		o.factor[i] = -1
		if t.Matrix {
			o.factor[i] = size
			size += t.Rows + t.Cols
		}
	}
	o.rc = make([]float64, size)
	return o
}

// State is the step count, V of the vectors (over the whole vector; the matrices' entries stay
// zero) and the row and column factors of the matrices.
func (o *adafactor) State() []any { return []any{&o.step, o.variance, o.rc} }

func (o *adafactor) Step(params, grad []float64, t int, lr float64) {
	checkStep(params, grad, o.n, t)
	o.step++
	w := math.Pow(o.step, o.beta2Decay)
	rho := math.Min(lr, 1/math.Sqrt(o.step))
	eps1sq := o.eps1 * o.eps1
	for ti, ts := range o.tensors {
		n := ts.Rows * ts.Cols
		p, g := params[ts.Offset:ts.Offset+n], grad[ts.Offset:ts.Offset+n]
		sqrtN := math.Sqrt(float64(n))
		alpha := math.Max(o.eps2, euclidNorm(p)/sqrtN) * rho
		if o.wd != 0 {
			decay := 1 - lr*o.wd
			for i := range p {
				p[i] *= decay
			}
		}
		// The unclipped update U, twice: for its norm, then for the step.
		s := 0.0
		if off := o.factor[ti]; off >= 0 {
			rows, cols := ts.Rows, ts.Cols
			r, c := o.rc[off:off+rows], o.rc[off+rows:off+rows+cols]
			sumR := 0.0
			for i := range rows {
				nr := euclidNorm(g[i*cols : (i+1)*cols])
				r[i] = lerp(r[i], nr*nr/float64(cols), w)
				sumR += r[i]
			}
			for j := range cols {
				ss := 0.0
				for i := range rows {
					ss += g[i*cols+j] * g[i*cols+j]
				}
				nc := math.Sqrt(ss)
				c[j] = lerp(c[j], nc*nc/float64(rows), w)
			}
			den := math.Max(sumR/float64(rows), o.eps1)
			for k, gk := range g {
				uk := 1 / math.Sqrt(math.Max(r[k/cols]*c[k%cols]/den, eps1sq)) * gk
				s += uk * uk
			}
			scale := -alpha / math.Max(1, math.Sqrt(s)/(sqrtN*o.d))
			for k, gk := range g {
				p[k] += scale * (1 / math.Sqrt(math.Max(r[k/cols]*c[k%cols]/den, eps1sq)) * gk)
			}
			continue
		}
		v := o.variance[ts.Offset : ts.Offset+n]
		for k, gk := range g {
			v[k] = lerp(v[k], gk*gk, w)
			uk := 1 / math.Sqrt(math.Max(v[k], eps1sq)) * gk
			s += uk * uk
		}
		scale := -alpha / math.Max(1, math.Sqrt(s)/(sqrtN*o.d))
		for k, gk := range g {
			p[k] += scale * (1 / math.Sqrt(math.Max(v[k], eps1sq)) * gk)
		}
	}
}

// euclidNorm returns the Euclidean norm of x, √(Σ xᵢ²).
func euclidNorm(x []float64) float64 {
	s := 0.0
	for _, e := range x {
		s += e * e
	}
	return math.Sqrt(s)
}
