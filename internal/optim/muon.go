package optim

import (
	"fmt"
	"math"

	"github.com/optimbench/optimbench/internal/param"
)

// The Newton–Schulz coefficients of torch/optim/_muon.py (DEFAULT_A, _B, _C), Keller Jordan's.
const muonA, muonB, muonC = 3.4445, -4.7750, 2.0315

// muonDefaultLR is muon's default lr, the base rate lr₀ until SetBaseLR tells another.
const muonDefaultLR = 0.001

// muon is Muon, "MomentUm Orthogonalized by Newton–Schulz" (Jordan, Jin, Boza, You, Cesista,
// Newhouse & Bernstein 2024, "Muon: an optimizer for hidden layers in neural networks"). Each
// weight matrix W (Layout.Tensors with Matrix, A×B = out×in) takes the update of PyTorch 2.9's
// torch.optim.Muon (torch/optim/_muon.py, _single_tensor_muon, as stored at pytorch/pytorch
// commit b5ee4d7a797023e11507aea90811559872ce8ff6), with μ = momentum, λ = weight_decay:
//
//	B ← B + (1−μ)(G − B)                      (buf.lerp_(grad, 1−μ), ATen's lerp)
//	B̃ = G + μ(B − G) if nesterov, else B      (grad.lerp(buf, μ))
//	X = B̃ᵀ if A > B else B̃ ;  X ← X / max(‖X‖_F, ε)
//	ns_steps times:  M = XXᵀ ;  X ← aX + (bM + c·MM)X      (a, b, c) = (3.4445, −4.7750, 2.0315)
//	O = Xᵀ if A > B else X
//	W ← W(1 − lr·λ) ;  W ← W − lr·s·O
//
// with the shape scaling s of adjust_lr_fn: "original" (PyTorch's default, Keller Jordan's rule)
// s = √max(1, A/B); "match_rms_adamw" (Moonshot, Liu et al. 2025) s = 0.2·√max(A, B). ε clamps
// the Frobenius norm from below (PyTorch's clamp(min=eps); Keller Jordan's muon.py adds 1e-7
// instead). The iteration runs in the optimizer's precision (float64 or float32), where PyTorch
// and Keller Jordan run it in bfloat16, so the result is that precision's value of the same
// polynomial; a matrix product is a plain loop.
// B starts at zero. The momentum is the EMA form of the code: the documented B ← μB + g and
// B̃ = g + μB are 1/(1−μ) times the code's, a factor the normalization removes (but for ε).
//
// Every other tensor (biases, a test function's point) takes the AdamW of Keller Jordan's
// MuonWithAuxAdam (KellerJordan/Muon, muon.py, adam_update and SingleDeviceMuonWithAuxAdam.step,
// commit 857d1adc159e098212f828d927460782d3da59e9), at its own rate α = aux_lr·(lr/lr₀):
//
//	m ← m + (1−β₁)(g − m) ;  v ← v + (1−β₂)(g² − v)       (both lerp_, β = aux_beta1, aux_beta2)
//	u = (m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)                 (ε = aux_eps, outside the root)
//	θ ← θ(1 − α·λ_aux) ;  θ ← θ − α·u                      (λ_aux = aux_weight_decay)
//
// m and v start at zero. lr₀ is the base rate (optim.BaseRater: the run's optimizer.lr; 0.001,
// the default, until SetBaseLR is called), so aux_lr is the rate of the other tensors at lr₀
// and follows the schedule with the matrices' rate. On a test function every coordinate is
// one vector and muon is this AdamW.
type muon[T Float] struct {
	entry
	mu, wd, eps                 float64
	nesterov, matchRMS          bool
	nsSteps                     int
	auxLR, auxB1, auxB2, auxEps float64
	auxWD                       float64
	lr0                         float64
	n                           int
	tensors                     []Tensor
	buf, m, v                   []T // momentum of the matrices; moments of the rest
	x, xNext, gram, gram2       []T // Newton–Schulz scratch, sized for the largest matrix
}

func newMuon[T Float](v param.Values, l Layout) *muon[T] {
	o := &muon[T]{mu: v.Float("momentum"), wd: v.Float("weight_decay"), eps: v.Float("eps"),
		nesterov: v.Bool("nesterov"), matchRMS: v.String("adjust_lr_fn") == "match_rms_adamw",
		nsSteps: v.Int("ns_steps"), auxLR: v.Float("aux_lr"), auxB1: v.Float("aux_beta1"),
		auxB2: v.Float("aux_beta2"), auxEps: v.Float("aux_eps"), auxWD: v.Float("aux_weight_decay"),
		lr0: muonDefaultLR, n: l.Size, tensors: layoutParts(l),
		buf: make([]T, l.Size), m: make([]T, l.Size), v: make([]T, l.Size)}
	size, side := 0, 0
	for _, t := range o.tensors {
		if t.Matrix {
			size = max(size, t.Rows*t.Cols)
			side = max(side, min(t.Rows, t.Cols))
		}
	}
	o.x, o.xNext = make([]T, size), make([]T, size)
	o.gram, o.gram2 = make([]T, side*side), make([]T, side*side)
	return o
}

// State is the momentum of the matrices, then the moments m and v of the auxiliary AdamW
// (each over the whole vector, used on the tensors of its kind). The base rate lr₀ is not
// state: the loop sets it through SetBaseLR before the first Step and Step never changes it
// (see Stateful); the Newton–Schulz buffers are scratch.
func (o *muon[T]) State() []any { return []any{o.buf, o.m, o.v} }

// SetBaseLR sets lr₀, the rate at which the other tensors' rate is aux_lr.
func (o *muon[T]) SetBaseLR(lr0 float64) {
	if !(lr0 > 0) || math.IsInf(lr0, 0) {
		panic(fmt.Sprintf("optim: muon base rate %v, want a finite rate > 0", lr0))
	}
	o.lr0 = lr0
}

func (o *muon[T]) Step(params, grad []T, t int, lr float64) {
	checkStep(params, grad, o.n, t)
	aux := o.auxLR * (lr / o.lr0)
	bc1, bc2 := T(biasCorrection(o.auxB1, t)), T(biasCorrection(o.auxB2, t))
	w1, w2, decay, naux, eps := T(1-o.auxB1), T(1-o.auxB2), T(1-aux*o.auxWD), T(-aux), T(o.auxEps)
	for _, ts := range o.tensors {
		lo, hi := ts.Offset, ts.Offset+ts.Rows*ts.Cols
		p, g := params[lo:hi], grad[lo:hi]
		if ts.Matrix {
			o.matrixStep(p, g, o.buf[lo:hi], ts.Rows, ts.Cols, lr)
			continue
		}
		m, v := o.m[lo:hi], o.v[lo:hi]
		for i := range p {
			gi := g[i]
			m[i] = lerp(m[i], gi, w1)
			v[i] = lerp(v[i], gi*gi, w2)
			u := (m[i] / bc1) / (sqrt(v[i]/bc2) + eps)
			p[i] *= decay
			p[i] += naux * u
		}
	}
}

// matrixStep updates the rows×cols weight matrix p (row-major) from its gradient g and buffer.
func (o *muon[T]) matrixStep(p, g, buf []T, rows, cols int, lr float64) {
	// X is r×c with r ≤ c: B̃, transposed when the matrix is tall.
	tall := rows > cols
	r, c := rows, cols
	if tall {
		r, c = cols, rows
	}
	x, xn := o.x[:r*c], o.xNext[:r*c]
	var sumsq T
	mu, w := T(o.mu), T(1-o.mu)
	for i := range rows {
		for j := range cols {
			k := i*cols + j
			buf[k] = lerp(buf[k], g[k], w)
			u := buf[k]
			if o.nesterov {
				u = lerp(g[k], buf[k], mu)
			}
			if tall {
				x[j*rows+i] = u
			} else {
				x[k] = u
			}
			sumsq += u * u
		}
	}
	den := fmax(sqrt(sumsq), T(o.eps))
	for i := range x {
		x[i] /= den
	}
	x = o.newtonSchulz(x, xn, r, c)
	ratio := math.Sqrt(math.Max(1, float64(rows)/float64(cols)))
	if o.matchRMS {
		ratio = 0.2 * math.Sqrt(float64(max(rows, cols)))
	}
	adjusted, decay := T(lr*ratio), T(1-lr*o.wd)
	for i := range rows {
		for j := range cols {
			k := i*cols + j
			u := x[k]
			if tall {
				u = x[j*rows+i]
			}
			p[k] *= decay
			p[k] += -adjusted * u
		}
	}
}

// newtonSchulz runs the ns_steps iterations X ← aX + (bM + cM²)X, M = XXᵀ, on the r×c matrix x
// (xn its scratch of the same size) and returns the result (x or xn). M is symmetric: each
// entry above the diagonal is computed once, four columns at a time, each still a sum over k
// in increasing order, so the result is that of the plain triple loop to the bit.
func (o *muon[T]) newtonSchulz(x, xn []T, r, c int) []T {
	gram, gram2 := o.gram[:r*r], o.gram2[:r*r]
	for range o.nsSteps {
		gramOf(gram, x, r, c)
		// The products accumulate row by row (i, k, j order), each entry still summing over
		// k in increasing order.
		for i := range r { // bM + c·MM
			row := gram2[i*r : (i+1)*r]
			clear(row)
			for k := range r {
				a := gram[i*r+k]
				for j, g := range gram[k*r : (k+1)*r] {
					row[j] += a * g
				}
			}
			for j := range row {
				row[j] = muonB*gram[i*r+j] + muonC*row[j]
			}
		}
		for i := range r { // aX + (bM + c·MM)X
			row := xn[i*c : (i+1)*c]
			clear(row)
			for k := range r {
				a := gram2[i*r+k]
				for j, e := range x[k*c : (k+1)*c] {
					row[j] += a * e
				}
			}
			for j := range row {
				row[j] = muonA*x[i*c+j] + row[j]
			}
		}
		x, xn = xn, x
	}
	return x
}

// gramOf sets m (r×r) = x xᵀ for the r×c matrix x: the upper triangle, four entries of a row
// at a time (one load of x's row i for four dot products), then mirrored.
func gramOf[T Float](m, x []T, r, c int) {
	for i := range r {
		xi := x[i*c : (i+1)*c]
		j := i
		for ; j+4 <= r; j += 4 {
			x0, x1, x2, x3 := x[j*c:(j+1)*c], x[(j+1)*c:(j+2)*c], x[(j+2)*c:(j+3)*c], x[(j+3)*c:(j+4)*c]
			x0, x1, x2, x3 = x0[:len(xi)], x1[:len(xi)], x2[:len(xi)], x3[:len(xi)]
			var s0, s1, s2, s3 T
			for k, v := range xi {
				s0 += v * x0[k]
				s1 += v * x1[k]
				s2 += v * x2[k]
				s3 += v * x3[k]
			}
			m[i*r+j], m[i*r+j+1], m[i*r+j+2], m[i*r+j+3] = s0, s1, s2, s3
		}
		for ; j < r; j++ {
			xj := x[j*c : (j+1)*c][:len(xi)]
			var s T
			for k, v := range xi {
				s += v * xj[k]
			}
			m[i*r+j] = s
		}
		for j := i + 1; j < r; j++ {
			m[j*r+i] = m[i*r+j]
		}
	}
}

// layoutParts returns the tensors of l, or one vector of l.Size when l lists none.
func layoutParts(l Layout) []Tensor {
	if len(l.Tensors) == 0 {
		return Flat(l.Size).Tensors
	}
	for _, t := range l.Tensors {
		if t.Offset < 0 || t.Rows < 0 || t.Cols < 0 || t.Offset+t.Rows*t.Cols > l.Size {
			panic(fmt.Sprintf("optim: tensor %s (%d×%d at %d) outside a layout of %d", t.Name, t.Rows, t.Cols, t.Offset, l.Size))
		}
	}
	return append([]Tensor(nil), l.Tensors...)
}
