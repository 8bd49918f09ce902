package optim

import (
	"math"

	"github.com/optimbench/optimbench/internal/param"
)

// scheduleFree is schedule-free learning (Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky
// 2024, "The Road Less Scheduled"), the "sgd_schedulefree" and "adamw_schedulefree"
// optimizers, in the form of the authors' reference implementations, which keep the three
// sequences apart: the base iterate z, its weighted average x (the point to evaluate) and the
// interpolation y = βx + (1−β)z (the point where gradients are taken). params holds y between
// steps, so the loop's gradient is ∇f(y); x is state, and EvalParams returns it (Evaluator).
// With k the number of steps before this one (from 0), λ = weight_decay, β = momentum (sgd) or
// beta1 (adamw), and lr the rate this Step is given:
//
//	lr_k = lr·min(1, (k+1)/warmup_steps)        (the method's own linear warm-up)
//	lr_max ← max(lr_max, lr_k)                  (lr_max starts at −1)
//	w_k = (k+1)^r · lr_max^weight_lr_power ;  W ← W + w_k ;  c = w_k/W  (c = 0 while W = 0)
//	sgd:   g ← g + λy ;  z ← z − lr_k·g
//	adamw: z ← z − (lr_k·λ)·y  (decoupled, at y) ;  v ← β₂v + (1−β₂)g²
//	       z ← z − lr_k·g/(√(v/(1−β₂^(k+1))) + ε)
//	x ← x(1 − c) + c·z
//	y ← βx + (1−β)z
//
// ε is added outside the root of the bias-corrected v; adamw has no first moment (its momentum
// is the interpolation). z and x start as copies of the parameters at the first Step, v at
// zero. These are the reference classes SGDScheduleFreeReference and AdamWScheduleFreeReference
// (facebookresearch/schedule_free, schedulefree/sgd_schedulefree_reference.py and
// adamw_schedulefree_reference.py, commit 70785b53e778d0e872c0bbb75ff4ee54ee10c291, schedulefree
// 1.4.1; adamw with decay_at_z False and inner_momentum 0), chosen over SGDScheduleFree and
// AdamWScheduleFree because they compute x and y as the paper's Algorithm 1 does; the memory-lean
// classes reach the same sequences through in-place updates of y (equal up to rounding).
//
// Schedules: schedule-free methods are meant for a constant lr (use warmup_steps for a warm-up).
// Under an optimbench schedule the rate of each step is the scheduled one, multiplied by the
// method's own warm-up factor, exactly as if the schedule set the reference's group["lr"]
// before each step: it scales the z step, and through lr_max (the largest rate so far) the
// weights of the average, so a decaying schedule leaves the weights constant while a warm-up
// schedule raises them as lr_max².
type scheduleFree[T Float] struct {
	entry
	adam                 bool
	beta, beta2, eps, wd float64 // beta: momentum (sgd) or beta1 (adamw)
	warmup               int
	r, power             float64
	k                    int     // steps taken (the reference's group["k"])
	weightSum, lrMax     float64 // W and lr_max
	started              bool    // z and x hold copies of the parameters
	z, x                 []T
	v                    []T // second moment (adamw only)
}

func newSGDScheduleFree[T Float](v param.Values, l Layout) *scheduleFree[T] {
	return newScheduleFree[T](v, l.Size, false)
}

func newAdamWScheduleFree[T Float](v param.Values, l Layout) *scheduleFree[T] {
	return newScheduleFree[T](v, l.Size, true)
}

func newScheduleFree[T Float](v param.Values, n int, adam bool) *scheduleFree[T] {
	o := &scheduleFree[T]{adam: adam, wd: v.Float("weight_decay"), warmup: v.Int("warmup_steps"),
		r: v.Float("r"), power: v.Float("weight_lr_power"), lrMax: -1,
		z: make([]T, n), x: make([]T, n)}
	if adam {
		o.beta, o.beta2, o.eps = v.Float("beta1"), v.Float("beta2"), v.Float("eps")
		o.v = make([]T, n)
	} else {
		o.beta = v.Float("momentum")
	}
	return o
}

// State is the step count k, the weight sum W, lr_max, whether z and x have been set from the
// parameters, then z, x and v (of length 0 for sgd). y is the parameters themselves.
func (o *scheduleFree[T]) State() []any {
	return []any{&o.k, &o.weightSum, &o.lrMax, &o.started, o.z, o.x, o.v}
}

func (o *scheduleFree[T]) Step(params, grad []T, t int, lr float64) {
	checkStep(params, grad, len(o.z), t)
	k := o.k
	if k < o.warmup {
		lr *= float64(k+1) / float64(o.warmup)
	}
	o.lrMax = math.Max(lr, o.lrMax)
	weight := math.Pow(float64(k+1), o.r) * math.Pow(o.lrMax, o.power)
	o.weightSum += weight
	ckp1 := 0.0
	if o.weightSum != 0 {
		ckp1 = weight / o.weightSum
	}
	if !o.started {
		copy(o.z, params)
		copy(o.x, params)
		o.started = true
	}
	if o.adam {
		o.adamStep(params, grad, lr, T(ckp1), T(1-ckp1))
	} else {
		o.sgdStep(params, grad, lr, T(ckp1), T(1-ckp1))
	}
	o.k = k + 1
}

// adamStep updates z, x and y = params for AdamW, with the average's weight c (and 1 − c).
func (o *scheduleFree[T]) adamStep(params, grad []T, lr float64, c, c1 T) {
	beta, beta1, wd, lrwd := T(o.beta), T(1-o.beta), o.wd, T(lr*o.wd)
	z, x, g := o.z[:len(params)], o.x[:len(params)], grad[:len(params)]
	bc2 := T(1 - math.Pow(o.beta2, float64(o.k+1)))
	beta2, w2, v, eps, nlr := T(o.beta2), T(1-o.beta2), o.v[:len(params)], T(o.eps), T(-lr)
	for i, y := range params {
		if wd != 0 {
			z[i] -= lrwd * y
		}
		gi := g[i]
		v[i] = v[i]*beta2 + w2*gi*gi
		z[i] += nlr * (gi / (sqrt(v[i]/bc2) + eps))
		x[i] = x[i]*c1 + c*z[i]
		params[i] = x[i]*beta + beta1*z[i]
	}
}

// sgdStep updates z, x and y = params for SGD, with the average's weight c (and 1 − c).
func (o *scheduleFree[T]) sgdStep(params, grad []T, lr float64, c, c1 T) {
	beta, beta1, wd, wdT, l := T(o.beta), T(1-o.beta), o.wd, T(o.wd), T(lr)
	z, x, g := o.z[:len(params)], o.x[:len(params)], grad[:len(params)]
	for i, y := range params {
		gi := g[i]
		if wd != 0 {
			gi += wdT * y
		}
		z[i] -= l * gi
		x[i] = x[i]*c1 + c*z[i]
		params[i] = x[i]*beta + beta1*z[i]
	}
}

// EvalParams returns x, the average, after the first Step; params (y) before it.
func (o *scheduleFree[T]) EvalParams(params []T) []T {
	if !o.started {
		return params
	}
	return o.x
}
