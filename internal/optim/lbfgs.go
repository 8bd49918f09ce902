package optim

import (
	"math"
	"math/bits"

	"github.com/optimbench/optimbench/internal/param"
)

// lbfgs is L-BFGS (Nocedal 1980; Liu & Nocedal 1989), exactly as PyTorch 1.13's
// torch.optim.LBFGS (torch/optim/lbfgs.py, after Schmidt's minFunc): one update is one
// step(closure), a loop of up to max_iter iterations, each of which moves along the L-BFGS
// direction by a fixed step or a strong-Wolfe line search and evaluates the objective again.
// With g the gradient at θ (the loop's evaluation, PyTorch's first `orig_loss = closure()`):
//
//	if max|g| ≤ tolerance_grad: return                          (θ unchanged)
//	repeat (iteration k = 1, 2, …, at most max_iter):
//	  first iteration ever: d = −g, history empty, H = 1
//	  otherwise: y = g − g_prev, s = t·d (t, d: the last step, kept across updates)
//	    if y·s > 1e-10: push (y, s, ρ = 1/(y·s)), dropping the oldest beyond history_size;
//	                    H = y·s / y·y
//	    d = two-loop recursion: q = −g; newest to oldest: αᵢ = ρᵢ sᵢ·q, q ← q − αᵢyᵢ;
//	        r = H·q; oldest to newest: βᵢ = ρᵢ yᵢ·r, r ← r + (αᵢ − βᵢ)sᵢ; d = r
//	  g_prev = g, loss_prev = loss
//	  t = min(1, 1/Σ|g|)·lr on the first iteration ever, lr afterwards
//	  if g·d > −tolerance_change: stop
//	  line_search none:         θ ← θ + t·d; unless k = max_iter, evaluate (loss, g) at θ
//	  line_search strong_wolfe: (loss, g, t) = strong_wolfe(θ, t, d, loss, g, g·d); θ ← θ + t·d
//	  stop when k = max_iter, evaluations ≥ max_eval, max|g| ≤ tolerance_grad,
//	       max|t·d| ≤ tolerance_change or |loss − loss_prev| < tolerance_change
//
// strong_wolfe is PyTorch's _strong_wolfe (a port of torch/optim's lswolfe.lua) with its
// constants c₁ = 1e-4, c₂ = 0.9, 25 evaluations and a bracket tolerance of 1e-9 (PyTorch does
// not pass tolerance_change to it): a bracketing phase that extrapolates by cubic
// interpolation within [t + 0.01(t − t_prev), 10t], then a zoom phase of cubic interpolation
// (_cubic_interpolate) kept 10% away from the ends of the bracket; both are transcribed
// statement by statement below, Python's min and max of two values and their handling of NaN
// included. max_eval counts the evaluations of one update, the loop's first included; 0 (the
// default) stands for PyTorch's max_eval=None, max_iter·5/4 rounded down.
//
// The floating-point operations are PyTorch's, in its order: y·s, y·y and the other dot
// products are OpenBLAS's ddot (the BLAS Debian's PyTorch calls; its Haswell kernel, for
// vectors of up to 10000 elements or an OpenBLAS on one thread), Σ|g| is ATen's cascade sum
// (AVX2), and θ + t·d, q − αᵢyᵢ and r + (αᵢ − βᵢ)sᵢ are fused multiply-adds, as ATen's
// vectorized add(alpha=…) computes them. There is no ε, no weight decay and no momentum.
//
// The state carries across updates as PyTorch's state does: the history (allocated once, all
// history_size pairs), d, t, g_prev, loss_prev, H and the counts of iterations (whose first
// one starts the history) and of evaluations. Everything is allocated by New; an update
// allocates nothing.
//
// Step (no closure) makes one iteration from the gradient it is given, without evaluating
// again: PyTorch's step with max_iter = 1 and no line search, whatever max_iter, max_eval and
// line_search say. The training loop calls StepClosure, which implements the whole rule.
//
// Paper: D. C. Liu and J. Nocedal, "On the limited memory BFGS method for large scale
// optimization", Math. Programming 45 (1989); the line search: Nocedal & Wright, Numerical
// Optimization (2006), Algorithms 3.5 and 3.6. PyTorch: torch.optim.LBFGS (1.13).
type lbfgs[T Float] struct {
	entry
	maxIter, maxEval   int
	tolGrad, tolChange float64
	wolfe              bool

	// The state PyTorch keeps in state[params[0]].
	nIter, funcEvals int     // state["n_iter"], state["func_evals"]: counts over all updates
	d                []T     // the direction of the last iteration
	t                float64 // the step length of the last iteration
	prevGrad         []T     // g_prev
	prevLoss         float64 // loss_prev (always set before it is read, as in PyTorch)
	hDiag            float64 // H, the scale of the initial inverse Hessian
	dirs, stps       [][]T
	ro, al           []float64
	head, count      int // the history: entry i (0 oldest) in slot (head+i) mod history_size

	// Scratch.
	grad, y, s        []T // flat_grad; the candidate pair (y, s)
	x, g0, gNew, gOld []T // strong_wolfe: its start, g, g_new, g_prev
	bg                [2][]T
}

var (
	_ ClosureStepper            = (*lbfgs[float64])(nil)
	_ ClosureStepperOf[float32] = (*lbfgs[float32])(nil)
)

// The constants of PyTorch's _strong_wolfe, with the defaults its caller leaves them at.
const (
	wolfeC1        = 1e-4
	wolfeC2        = 0.9
	wolfeTolChange = 1e-9 // tolerance_change of the bracket, not the optimizer's
	wolfeMaxLS     = 25
)

func newLBFGS[T Float](v param.Values, l Layout) *lbfgs[T] {
	n := l.Size
	h := v.Int("history_size")
	o := &lbfgs[T]{maxIter: v.Int("max_iter"), maxEval: v.Int("max_eval"),
		tolGrad: v.Float("tolerance_grad"), tolChange: v.Float("tolerance_change"),
		wolfe: v.String("line_search") == "strong_wolfe", hDiag: 1,
		dirs: make([][]T, h), stps: make([][]T, h), ro: make([]float64, h), al: make([]float64, h)}
	if o.maxEval == 0 {
		o.maxEval = o.maxIter * 5 / 4
	}
	vectors := 2*h + 5
	if o.wolfe {
		vectors += 6
	}
	slab := make([]T, vectors*n)
	next := func() []T {
		s := slab[:n:n]
		slab = slab[n:]
		return s
	}
	for i := range h {
		o.dirs[i], o.stps[i] = next(), next()
	}
	o.d, o.prevGrad, o.grad, o.y, o.s = next(), next(), next(), next(), next()
	if o.wolfe {
		o.x, o.g0, o.gNew, o.gOld, o.bg[0], o.bg[1] = next(), next(), next(), next(), next(), next()
	}
	return o
}

// State is PyTorch's state: the counts n_iter and func_evals, d, t, g_prev, loss_prev (which
// an update sets before it reads it: saved for completeness), H, then the history as a ring
// buffer: the slot of its oldest pair, the number of pairs, ρ of every slot, and the y and
// then the s of every slot (history_size each, the unused ones included, so the lengths
// depend on the values only). The line search's vectors and the candidate pair are scratch.
// The vectors of the history move between the slots and the scratch as pairs are pushed, so
// a State is valid until the next update.
func (o *lbfgs[T]) State() []any {
	st := []any{&o.nIter, &o.funcEvals, o.d, &o.t, o.prevGrad, &o.prevLoss, &o.hDiag, &o.head, &o.count, o.ro}
	for _, y := range o.dirs {
		st = append(st, y)
	}
	for _, s := range o.stps {
		st = append(st, s)
	}
	return st
}

// Step makes one L-BFGS iteration of a fixed step lr from grad, without evaluating again
// (PyTorch's step with max_iter = 1 and no line search).
func (o *lbfgs[T]) Step(params, grad []T, t int, lr float64) {
	checkStep(params, grad, len(o.d), t)
	o.update(params, grad, math.NaN(), lr, nil, 1, false)
}

// StepClosure is one PyTorch step(closure): loss and grad are the loss and gradient at params,
// and f evaluates them again wherever the update needs it.
func (o *lbfgs[T]) StepClosure(params, grad []T, loss float64, t int, lr float64, f ClosureOf[T]) {
	checkStep(params, grad, len(o.d), t)
	o.update(params, grad, loss, lr, f, o.maxIter, o.wolfe)
}

// update is torch.optim.LBFGS.step with the given max_iter and line search; it returns the
// number of evaluations it counted (the first included).
func (o *lbfgs[T]) update(params, grad []T, loss, lr float64, f ClosureOf[T], maxIter int, wolfe bool) int {
	g, d := o.grad, o.d
	copy(g, grad)
	evals := 1
	o.funcEvals++
	tolGrad, tolChange := rnd[T](o.tolGrad), rnd[T](o.tolChange) // compared with tensors of T
	if atenMaxAbs(g, 1) <= tolGrad {
		return evals
	}
	for k := 1; k <= maxIter; k++ {
		o.nIter++
		if o.nIter == 1 {
			for i, gi := range g {
				d[i] = -gi
			}
			o.head, o.count, o.hDiag = 0, 0, 1
		} else {
			o.direction()
		}
		copy(o.prevGrad, g)
		o.prevLoss = loss
		// t = min(1, 1/Σ|g|)·lr on the first iteration ever: a tensor when 1/Σ|g| < 1.
		t0 := pyNum{v: lr}
		if o.nIter == 1 {
			if r := rnd[T](1 / atenSumAbs(g)); r < 1 {
				t0 = pyNum{rnd[T](r * rnd[T](lr)), true}
			}
		}
		o.t = t0.v
		gtd := ddot(g, d)
		if gtd > -tolChange {
			break
		}
		optimal := false
		if wolfe {
			var n int
			loss, o.t, n = o.strongWolfe(params, f, t0, loss, gtd)
			evals += n
			o.funcEvals += n
			addScaled(params, o.t, d)
			optimal = atenMaxAbs(g, 1) <= tolGrad
		} else {
			addScaled(params, o.t, d)
			if k != maxIter {
				loss = f(params, g)
				evals++
				o.funcEvals++
				optimal = atenMaxAbs(g, 1) <= tolGrad
			}
		}
		if k == maxIter || evals >= o.maxEval || optimal {
			break
		}
		if atenMaxAbs(d, o.t) <= tolChange || math.Abs(loss-o.prevLoss) < o.tolChange {
			break
		}
	}
	return evals
}

// direction updates the history with the last step and writes the L-BFGS direction for the
// gradient o.grad into o.d.
func (o *lbfgs[T]) direction() {
	g, d, y, s := o.grad, o.d, o.y, o.s
	tT := T(o.t)
	for i := range g {
		y[i] = g[i] - o.prevGrad[i]
		s[i] = d[i] * tT
	}
	if ys := ddot(y, s); ys > rnd[T](1e-10) {
		slot := (o.head + o.count) % len(o.dirs)
		if o.count == len(o.dirs) {
			o.head = (o.head + 1) % len(o.dirs)
		} else {
			o.count++
		}
		o.dirs[slot], o.y = y, o.dirs[slot]
		o.stps[slot], o.s = s, o.stps[slot]
		o.ro[slot] = rnd[T](1 / ys)
		o.hDiag = rnd[T](ys / ddot(y, y))
	}
	for i, gi := range g {
		d[i] = -gi
	}
	for i := o.count - 1; i >= 0; i-- {
		j := (o.head + i) % len(o.dirs)
		o.al[i] = rnd[T](ddot(o.stps[j], d) * o.ro[j])
		addScaled(d, -o.al[i], o.dirs[j])
	}
	h := T(o.hDiag)
	for i := range d {
		d[i] *= h
	}
	for i := range o.count {
		j := (o.head + i) % len(o.dirs)
		be := rnd[T](ddot(o.dirs[j], d) * o.ro[j])
		addScaled(d, rnd[T](o.al[i]-be), o.stps[j])
	}
}

// evalAt evaluates f at x + t·d (PyTorch's _directional_evaluate) into o.gNew; params holds
// the point meanwhile.
func (o *lbfgs[T]) evalAt(params []T, f ClosureOf[T], t float64) float64 {
	tT := T(t)
	for i, xi := range o.x {
		params[i] = fma(tT, o.d[i], xi)
	}
	loss := f(params, o.gNew)
	copy(params, o.x)
	return loss
}

// strongWolfe is PyTorch 1.13's _strong_wolfe from params along o.d, with loss f, gradient
// o.grad and directional derivative gtd there, and the first trial step t. It returns the
// loss and the step it chose, with the gradient there in o.grad, and its number of
// evaluations; params are left as they were.
func (o *lbfgs[T]) strongWolfe(params []T, obj ClosureOf[T], t pyNum, f, gtd float64) (float64, float64, int) {
	copy(o.x, params)
	copy(o.g0, o.grad)
	w := &wolfe[T]{o: o, params: params, obj: obj, f: f, gtd: gtd, dNorm: atenMaxAbs(o.d, 1), bg: &o.bg}
	w.t, w.fNew = t, o.evalAt(params, obj, t.v)
	w.evals = 1
	w.gtdNew = ddot(o.gNew, o.d)
	w.bracketPhase()
	w.zoom()
	copy(o.grad, w.bg[w.low])
	return w.bf[w.low], w.bracket[w.low].v, w.evals
}

// wolfe is the state of one strong-Wolfe line search: the trial step t with its loss, gradient
// (o.gNew) and directional derivative, and the bracket with its losses, derivatives and
// gradients (bg), low its lower end.
type wolfe[T Float] struct {
	o             *lbfgs[T]
	params        []T
	obj           ClosureOf[T]
	f, gtd, dNorm float64 // at the start
	t             pyNum
	fNew, gtdNew  float64
	bracket       [2]pyNum
	bf, bgtd      [2]float64
	bg            *[2][]T
	low, high     int
	evals, lsIter int
	done          bool
}

// eval moves the trial step to t and evaluates it.
func (w *wolfe[T]) eval(t pyNum) {
	w.t = t
	w.fNew = w.o.evalAt(w.params, w.obj, t.v)
	w.evals++
	w.gtdNew = ddot(w.o.gNew, w.o.d)
	w.lsIter++
}

// armijoFails is whether the trial step does not decrease the loss enough.
func (w *wolfe[T]) armijoFails() bool {
	c := pyMul[T](pyMul[T](pyNum{v: wolfeC1}, w.t), pyNum{w.gtd, true})
	fNew, bound := pv[T](pyNum{v: w.fNew}, pyAdd[T](pyNum{v: w.f}, c))
	return fNew > bound
}

// curvatureHolds is the strong Wolfe curvature condition at the trial step.
func (w *wolfe[T]) curvatureHolds() bool { return math.Abs(w.gtdNew) <= rnd[T](-wolfeC2*w.gtd) }

// bracketPhase brackets an interval containing a point satisfying the Wolfe criteria.
func (w *wolfe[T]) bracketPhase() {
	o, bg := w.o, w.bg
	tPrev, fPrev, gPrev, gtdPrev := pyNum{}, w.f, o.g0, w.gtd
	for w.lsIter < wolfeMaxLS {
		if w.armijoFails() || (w.lsIter > 1 && w.fNew >= fPrev) || (!w.curvatureHolds() && w.gtdNew >= 0) {
			w.bracket, w.bf, w.bgtd = [2]pyNum{tPrev, w.t}, [2]float64{fPrev, w.fNew}, [2]float64{gtdPrev, w.gtdNew}
			copy(bg[0], gPrev)
			copy(bg[1], o.gNew)
			break
		}
		if w.curvatureHolds() {
			w.bracket[0], w.bf[0] = w.t, w.fNew // a single point, the low one
			copy(bg[0], o.gNew)
			w.done = true
			break
		}
		// Interpolate.
		t := w.t
		minStep := pyAdd[T](t, pyMul[T](pyNum{v: 0.01}, pySub[T](t, tPrev)))
		maxStep := pyMul[T](t, pyNum{v: 10})
		next := cubicInterpolate[T](tPrev, fPrev, gtdPrev, t, w.fNew, w.gtdNew, &[2]pyNum{minStep, maxStep})
		tPrev, fPrev, gtdPrev = t, w.fNew, w.gtdNew
		copy(o.gOld, o.gNew)
		gPrev = o.gOld
		w.eval(next)
	}
	if w.lsIter == wolfeMaxLS { // reached the maximum number of iterations
		w.bracket, w.bf = [2]pyNum{{}, w.t}, [2]float64{w.f, w.fNew}
		copy(bg[0], o.g0)
		copy(bg[1], o.gNew)
	}
	w.low, w.high = 0, 1
	if !w.done && !(w.bf[0] <= w.bf[1]) {
		w.low, w.high = 1, 0
	}
}

// zoom refines the bracket until a point satisfies the criteria.
func (w *wolfe[T]) zoom() {
	o, bg := w.o, w.bg
	insufProgress := false
	for !w.done && w.lsIter < wolfeMaxLS {
		br := &w.bracket
		if rnd[T](math.Abs(pySub[T](br[1], br[0]).v)*w.dNorm) < rnd[T](wolfeTolChange) { // the bracket is too small
			break
		}
		t := cubicInterpolate[T](br[0], w.bf[0], w.bgtd[0], br[1], w.bf[1], w.bgtd[1], nil)
		// Keep t 10% of the bracket away from its ends when it comes close to one twice, or
		// lies on one.
		bmax, bmin := pyMax[T](br[0], br[1]), pyMin[T](br[0], br[1])
		eps := pyMul[T](pyNum{v: 0.1}, pySub[T](bmax, bmin))
		if a, b := pv[T](pyMin[T](pySub[T](bmax, t), pySub[T](t, bmin)), eps); a < b {
			tHi, hi := pv[T](t, bmax)
			tLo, lo := pv[T](t, bmin)
			if insufProgress || tHi >= hi || tLo <= lo {
				if a, b := pv[T](pyAbs(pySub[T](t, bmax)), pyAbs(pySub[T](t, bmin))); a < b {
					t = pySub[T](bmax, eps)
				} else {
					t = pyAdd[T](bmin, eps)
				}
				insufProgress = false
			} else {
				insufProgress = true
			}
		} else {
			insufProgress = false
		}
		w.eval(t)
		low, high := w.low, w.high
		if w.armijoFails() || w.fNew >= w.bf[low] {
			// Armijo condition not satisfied or not lower than the lowest point.
			br[high], w.bf[high], w.bgtd[high] = t, w.fNew, w.gtdNew
			copy(bg[high], o.gNew)
			if w.bf[0] <= w.bf[1] {
				w.low, w.high = 0, 1
			} else {
				w.low, w.high = 1, 0
			}
			continue
		}
		if w.curvatureHolds() {
			w.done = true // the Wolfe conditions hold
		} else if pyMul[T](pyNum{w.gtdNew, true}, pySub[T](br[high], br[low])).v >= 0 {
			// The old high becomes the new low.
			br[high], w.bf[high], w.bgtd[high] = br[low], w.bf[low], w.bgtd[low]
			bg[high], bg[low] = bg[low], bg[high]
		}
		// The new point becomes the new low.
		br[low], w.bf[low], w.bgtd[low] = t, w.fNew, w.gtdNew
		copy(bg[low], o.gNew)
	}
}

// pyNum is a step length of _strong_wolfe with the Python type it has there: a 0-d tensor
// (the first step of a run, and whatever a cubic interpolation or a tensor gives) or a float
// (lr, 0). The type matters where a float divided by a tensor is computed as the tensor's
// reciprocal times the float (Tensor.__rtruediv__), which rounds twice, and, in float32, in
// every operation: one with a tensor operand is a float32 tensor operation (the float operand
// rounded to float32 first, comparisons included), one of two floats a Python (float64) one.
type pyNum struct {
	v      float64
	tensor bool
}

// rnd rounds x to T: the value of a 0-d tensor of dtype T. An operation of float32 tensors is
// the float64 operation rounded to float32 (float64 has more than twice float32's digits, so
// the double rounding of +, −, ×, ÷ and √ is exact); in float64 rnd is the identity.
func rnd[T Float](x float64) float64 { return float64(T(x)) }

// pyOp is the operation op of a and b in Python's types: a tensor of T when either is one.
func pyOp[T Float](a, b pyNum, op func(x, y float64) float64) pyNum {
	if a.tensor || b.tensor {
		return pyNum{rnd[T](op(rnd[T](a.v), rnd[T](b.v))), true}
	}
	return pyNum{op(a.v, b.v), false}
}

func pyAdd[T Float](a, b pyNum) pyNum {
	return pyOp[T](a, b, func(x, y float64) float64 { return x + y })
}

func pySub[T Float](a, b pyNum) pyNum {
	return pyOp[T](a, b, func(x, y float64) float64 { return x - y })
}

func pyMul[T Float](a, b pyNum) pyNum {
	return pyOp[T](a, b, func(x, y float64) float64 { return x * y })
}

// pyDiv is a/b; a float over a tensor is the tensor's reciprocal times the float.
func pyDiv[T Float](a, b pyNum) pyNum {
	if b.tensor && !a.tensor {
		return pyMul[T](pyNum{rnd[T](1 / b.v), true}, a)
	}
	return pyOp[T](a, b, func(x, y float64) float64 { return x / y })
}

// pyAbs is Python's abs: of the same type.
func pyAbs(a pyNum) pyNum { return pyNum{math.Abs(a.v), a.tensor} }

// pv returns a and b as Python compares them: as tensors of T when either is one.
func pv[T Float](a, b pyNum) (float64, float64) {
	if a.tensor || b.tensor {
		return rnd[T](a.v), rnd[T](b.v)
	}
	return a.v, b.v
}

// cubicInterpolate is PyTorch's _cubic_interpolate: the minimizer of the cubic through
// (x1, f1) and (x2, f2) with slopes g1 and g2, clamped to bounds when given and to the interval
// between x1 and x2 otherwise; the middle of that interval when the cubic has no minimizer. The
// slopes are tensors there, and the losses floats.
func cubicInterpolate[T Float](x1 pyNum, f1, g1 float64, x2 pyNum, f2, g2 float64, bounds *[2]pyNum) pyNum {
	a, b := pv[T](x1, x2)
	ascending := a <= b
	var lo, hi pyNum
	switch {
	case bounds != nil:
		lo, hi = bounds[0], bounds[1]
	case ascending:
		lo, hi = x1, x2
	default:
		lo, hi = x2, x1
	}
	q := pyDiv[T](pyNum{v: 3 * (f1 - f2)}, pySub[T](x1, x2))
	tg1, tg2 := pyNum{g1, true}, pyNum{g2, true}
	d1 := pySub[T](pyAdd[T](tg1, tg2), q)
	d2sq := pySub[T](pyMul[T](d1, d1), pyMul[T](tg1, tg2))
	if !(d2sq.v >= 0) {
		return pyDiv[T](pyAdd[T](lo, hi), pyNum{v: 2})
	}
	d2 := pyNum{rnd[T](math.Sqrt(d2sq.v)), true}
	two := pyMul[T](pyNum{v: 2}, d2)
	var minPos pyNum
	if ascending { // x2 − (x2 − x1)·((g2 + d2 − d1)/(g2 − g1 + 2·d2))
		r := pyDiv[T](pySub[T](pyAdd[T](tg2, d2), d1), pyAdd[T](pySub[T](tg2, tg1), two))
		minPos = pySub[T](x2, pyMul[T](pySub[T](x2, x1), r))
	} else { // x1 − (x1 − x2)·((g1 + d2 − d1)/(g1 − g2 + 2·d2))
		r := pyDiv[T](pySub[T](pyAdd[T](tg1, d2), d1), pyAdd[T](pySub[T](tg1, tg2), two))
		minPos = pySub[T](x1, pyMul[T](pySub[T](x1, x2), r))
	}
	return pyMin[T](pyMax[T](minPos, lo), hi)
}

// pyMin and pyMax are Python's min(a, b) and max(a, b): b only when it compares less
// (greater) than a, so a NaN first argument is kept and a NaN second one ignored.
func pyMin[T Float](a, b pyNum) pyNum {
	if x, y := pv[T](b, a); x < y {
		return b
	}
	return a
}

func pyMax[T Float](a, b pyNum) pyNum {
	if x, y := pv[T](b, a); x > y {
		return b
	}
	return a
}

// addScaled sets v ← v + α·u with one rounding per element, as ATen's v.add_(u, alpha=α)
// (a fused multiply-add in its vectorized kernel and in the scalar tail).
func addScaled[T Float](v []T, alpha float64, u []T) {
	a := T(alpha)
	u = u[:len(v)]
	for i := range v {
		v[i] = fma(a, u[i], v[i])
	}
}

// fma is x·y + z rounded once in float64; in float32 it is rounded to float64 first, then to
// float32 (the exact product of two float32 values fits a float64, so only the sum rounds
// twice, which can differ from a float32 fused multiply-add in the last bit, rarely).
func fma[T Float](x, y, z T) T { return T(math.FMA(float64(x), float64(y), float64(z))) }

// atenMaxAbs is (scale·v).abs().max(): NaN when an element is NaN, as torch.max propagates
// it; 0 for an empty v.
func atenMaxAbs[T Float](v []T, scale float64) float64 {
	m := 0.0
	s := T(scale)
	for _, x := range v {
		a := math.Abs(float64(x * s))
		if a != a {
			return a
		}
		m = max(m, a)
	}
	return m
}

// ddot is x·y as OpenBLAS's ddot computes it on a Haswell-class CPU (kernel/x86_64/ddot.c and
// ddot_microk_haswell-2.c): the first n − n mod 16 products in four accumulators of four lanes
// by fused multiply-adds, reduced pairwise, then the rest added one by one.
//
// In float32 it is sdot (sdotf32), and the result, a float32 value, is returned as a float64.
func ddot[T Float](x, y []T) float64 {
	if isFloat32[T]() {
		return sdot(x, y)
	}
	n := len(x)
	y = y[:n]
	n1 := n &^ 15
	var dot T
	if n1 > 0 {
		var acc [4][4]T
		for i := 0; i < n1; i += 16 {
			for k := range 4 {
				for l := range 4 {
					j := i + 4*k + l
					acc[k][l] = fma(x[j], y[j], acc[k][l])
				}
			}
		}
		var half [4][2]T // vextractf128 + vaddpd: lanes 0+2 and 1+3
		for k := range 4 {
			half[k] = [2]T{acc[k][0] + acc[k][2], acc[k][1] + acc[k][3]}
		}
		a0, a1 := half[0][0]+half[1][0], half[0][1]+half[1][1]
		b0, b1 := half[2][0]+half[3][0], half[2][1]+half[3][1]
		dot = (a0 + b0) + (a1 + b1) // vhaddpd
	}
	for i := n1; i < n; i++ {
		dot += T(y[i] * x[i])
	}
	return float64(dot)
}

// sdot is x·y as OpenBLAS's sdot computes it on a Haswell-class CPU (kernel/x86_64/sdot.c and
// sdot_microk_haswell-2.c), for float32 x and y: the first n − n mod 32 products in four
// accumulators of eight lanes by fused multiply-adds, reduced pairwise to a float32; the rest
// of the products, each rounded to float32, summed in a double, the kernel's float32 added last
// and the sum rounded to float32. (Checked against PyTorch's float32 dot to the bit:
// TestLBFGSKernelsFloat32.)
func sdot[T Float](x, y []T) float64 {
	n := len(x)
	y = y[:n]
	n1 := n &^ 31
	var kernel T
	if n1 > 0 {
		var acc [4][8]T
		for i := 0; i < n1; i += 32 {
			for k := range 4 {
				for l := range 8 {
					j := i + 8*k + l
					acc[k][l] = fma(x[j], y[j], acc[k][l])
				}
			}
		}
		var c [4]T // vextractf128 + vaddps (lanes l and l+4), then the accumulators pairwise
		for l := range 4 {
			c[l] = ((acc[0][l] + acc[0][l+4]) + (acc[1][l] + acc[1][l+4])) +
				((acc[2][l] + acc[2][l+4]) + (acc[3][l] + acc[3][l+4]))
		}
		kernel = (c[0] + c[1]) + (c[2] + c[3]) // vhaddps twice
	}
	dot := 0.0
	for i := n1; i < n; i++ {
		dot += float64(T(y[i] * x[i]))
	}
	return float64(T(dot + float64(kernel)))
}

// atenSumAbs is v.abs().sum() as ATen's cascade_sum computes it for a contiguous float64
// vector with AVX2 (aten/src/ATen/native/cpu/SumKernel.cpp, PyTorch 1.13, one thread): the
// vectors of four elements summed as four interleaved rows by multi_row_sum's levels of 16
// and more, the rows added together, then the leftover elements and the four lanes. For
// float32 the vectors have eight lanes (AVX2's eight floats), summed in float32.
func atenSumAbs[T Float](v []T) float64 {
	n := len(v)
	lanes := 4
	if isFloat32[T]() {
		lanes = 8
	}
	if n < lanes {
		return rowSumAbs(v)
	}
	const levels, rows = 4, 4
	vecs := n / lanes
	size := vecs / rows // rows of the (-1, 4)-shaped array of vectors
	power := max(4, ceilLog2(size)/levels)
	step := 1 << power
	mask := step - 1
	var acc [levels][rows][8]T
	addRow := func(i int) {
		for k := range rows {
			for l := range lanes {
				acc[0][k][l] += abs(v[(i*rows+k)*lanes+l])
			}
		}
	}
	i := 0
	for i+step <= size {
		for range step {
			addRow(i)
			i++
		}
		for j := 1; j < levels; j++ {
			for k := range rows {
				for l := range lanes {
					acc[j][k][l] += acc[j-1][k][l]
					acc[j-1][k][l] = 0
				}
			}
			if i&(mask<<(j*power)) != 0 {
				break
			}
		}
	}
	for ; i < size; i++ {
		addRow(i)
	}
	for j := 1; j < levels; j++ {
		for k := range rows {
			for l := range lanes {
				acc[0][k][l] += acc[j][k][l]
			}
		}
	}
	sums := acc[0]
	for m := size * rows; m < vecs; m++ {
		for l := range lanes {
			sums[0][l] += abs(v[m*lanes+l])
		}
	}
	for k := 1; k < rows; k++ {
		for l := range lanes {
			sums[0][l] += sums[k][l]
		}
	}
	var s T
	for m := vecs * lanes; m < n; m++ {
		s += abs(v[m])
	}
	for l := range lanes {
		s += sums[0][l]
	}
	return float64(s)
}

// rowSumAbs is Σ|v| for a v shorter than a vector (scalar_inner_sum's row_sum): four partial
// sums of one element each, the rest added to the first, then the four in order.
func rowSumAbs[T Float](v []T) float64 {
	var p [4]T
	m := len(v) &^ 3
	for k := range m {
		p[k] += abs(v[k])
	}
	for _, x := range v[m:] {
		p[0] += abs(x)
	}
	return float64(((p[0] + p[1]) + p[2]) + p[3])
}

// ceilLog2 is ATen's utils::CeilLog2: ⌈log₂ x⌉, and 1 for x ≤ 2.
func ceilLog2(x int) int {
	if x <= 2 {
		return 1
	}
	return bits.Len64(uint64(x - 1))
}
