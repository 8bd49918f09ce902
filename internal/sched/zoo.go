package sched

import (
	"math"

	"github.com/optimbench/optimbench/internal/param"
)

// The schedules of the optimizer zoo beside reduce-on-plateau (plateau.go) and sequential
// (sequential.go): PyTorch's LinearLR, ConstantLR, PolynomialLR and OneCycleLR, and the
// warmup–stable–decay schedule of Hägele et al. 2024. Each is checked against its reference
// by scripts/gen_sched_golden_zoo.py (testdata/golden_zoo.json).

var itersKey = param.Spec{Key: "iters", Type: param.Int, Default: 5, Range: param.Above(0),
	Doc: "units until the factor stops changing (PyTorch's total_iters)"}

// linearEntry is PyTorch's LinearLR:
//
//	lr(t) = lr0·(start_factor + (end_factor − start_factor)·min(t, iters)/iters),
//
// its _get_closed_form_lr (its recursive get_lr gives the same up to rounding). start_factor
// is in (0, 1] and end_factor in [0, 1], as PyTorch 2 requires (1.13 also took a start_factor
// of 0, for which its recursive form divides by zero).
var linearEntry = Entry{Name: "linear", Params: []param.Spec{
	{Key: "start_factor", Type: param.Float, Default: 1.0 / 3, Range: param.Interval(0, 1, true, false),
		Doc: "the factor on lr at t = 0"},
	{Key: "end_factor", Type: param.Float, Default: 1.0, Range: param.Interval(0, 1, false, false),
		Doc: "the factor on lr from t = iters on"},
	itersKey},
	build: func(p param.Values, r run) Schedule {
		s, e, n, lr0 := p.Float("start_factor"), p.Float("end_factor"), p.Int("iters"), r.lr0
		return func(t int) float64 {
			return lr0 * (s + (e-s)*float64(min(max(t, 0), n))/float64(n))
		}
	},
	Doc: "lr₀·(start_factor + (end_factor − start_factor)·min(t, iters)/iters); LinearLR"}

// constantFactorEntry is PyTorch's ConstantLR: lr(t) = lr0·factor for t < iters and lr0 from
// then on, its _get_closed_form_lr. factor is in (0, 1]: PyTorch also takes 0, for which its
// recursive get_lr divides by zero at t = iters.
var constantFactorEntry = Entry{Name: "constant_factor", Params: []param.Spec{
	{Key: "factor", Type: param.Float, Default: 1.0 / 3, Range: param.Interval(0, 1, true, false),
		Doc: "the factor on lr before t = iters"},
	itersKey},
	build: func(p param.Values, r run) Schedule {
		f, n, lr0 := p.Float("factor"), p.Int("iters"), r.lr0
		return func(t int) float64 {
			if t < n {
				return lr0 * f
			}
			return lr0
		}
	},
	Doc: "lr₀·factor for t < iters, then lr₀; ConstantLR(factor, total_iters=iters)"}

// polynomialEntry is PyTorch's PolynomialLR (new in 1.13):
//
//	lr(t) = lr0·(1 − min(t, iters)/iters)^power,
//
// its _get_closed_form_lr: 0 from t = iters on (for power > 0).
var polynomialEntry = Entry{Name: "polynomial", Params: []param.Spec{
	itersKey,
	{Key: "power", Type: param.Float, Default: 1.0, Range: param.AtLeast(0), Doc: "the power of the decay"}},
	build: func(p param.Values, r run) Schedule {
		n, power, lr0 := p.Int("iters"), p.Float("power"), r.lr0
		return func(t int) float64 {
			return lr0 * math.Pow(1-float64(min(max(t, 0), n))/float64(n), power)
		}
	},
	Doc: "lr₀·(1 − min(t, iters)/iters)^power; PolynomialLR(total_iters=iters, power)"}

// onecycleEntry is PyTorch's OneCycleLR with max_lr = lr0; see onecycleRates.
var onecycleEntry = Entry{Name: "onecycle", Params: []param.Spec{
	{Key: "pct_start", Type: param.Float, Default: 0.3, Range: param.Interval(0, 1, false, false),
		Doc: "share of total spent raising the rate"},
	{Key: "anneal", Type: param.Enum, Default: "cos", Choices: []string{"cos", "linear"},
		Doc: "the shape of each phase (PyTorch's anneal_strategy)"},
	{Key: "div_factor", Type: param.Float, Default: 25.0, Range: param.Above(0),
		Doc: "the first rate is lr/div_factor"},
	{Key: "final_div_factor", Type: param.Float, Default: 1e4, Range: param.Above(0),
		Doc: "the last rate is lr/(div_factor·final_div_factor)"},
	{Key: "three_phase", Type: param.Bool, Default: false,
		Doc: "a third phase: back down to lr/div_factor at 2·pct_start, then to the last rate"},
	{Key: "total", Type: param.Int, Range: param.Above(0), Derived: "the run length after the warm-up",
		Doc: "units of the cycle (PyTorch's total_steps); the rate stays at the last after it"},
	{Key: "cycle_momentum", Type: param.Bool, Default: true,
		Doc: "cycle momentum (β₁) inversely to the rate, between max_momentum and base_momentum"},
	momentumKey("base_momentum", 0.85, false, "momentum at the rate's peak"),
	momentumKey("max_momentum", 0.95, false, "momentum at the start and the end of the cycle")},
	derive: func(p param.Values, r run) {
		if _, ok := p["total"]; !ok {
			p["total"] = r.length
		}
	},
	rates: onecycleRates,
	Doc:   "one cycle of the rate up to lr₀ and down, momentum cycled inversely (Smith & Topin 2019); OneCycleLR"}

// onecycleRates is PyTorch 1.13's OneCycleLR(max_lr=lr0, total_steps=total, pct_start,
// anneal_strategy=anneal, cycle_momentum, base_momentum, max_momentum, div_factor,
// final_div_factor, three_phase) stepped once per unit, in its order of floating-point
// operations. With T = total, a = lr0/div_factor and z = a/final_div_factor, the phases are
// (end unit, rate from → to, momentum from → to)
//
//	pct_start·T − 1     a → lr0     max_momentum → base_momentum
//	T − 1               lr0 → z     base_momentum → max_momentum
//
// or, with three_phase,
//
//	pct_start·T − 1     a → lr0     max_momentum → base_momentum
//	2·pct_start·T − 2   lr0 → a     base_momentum → max_momentum
//	T − 1               a → z       max_momentum → max_momentum
//
// Unit t belongs to the first phase whose end is ≥ t (the last phase takes the rest); with s
// the end of the phase before (0 for the first), x = (t − s)/(end − s) and a phase from u to
// v gives v + (u − v)/2·(cos(π·x) + 1) (anneal cos) or (v − u)·x + u (anneal linear). Two
// choices where PyTorch has none: t ≥ T is taken as T − 1 (PyTorch extrapolates at T and
// raises after), and a phase of zero length (pct_start·T = 1, where PyTorch divides by zero)
// has x = 1. The momentum is Rates.Momentum, μ of the momentum family or β₁ of the Adam
// family, as OneCycleLR sets group["momentum"] or group["betas"][0]; config refuses
// cycle_momentum for an optimizer that has neither. Smith & Topin 2019, "Super-Convergence:
// Very Fast Training of Neural Networks Using Large Learning Rates" (SPIE).
func onecycleRates(p param.Values, r run) Rates {
	type phase struct{ end, lrFrom, lrTo, mFrom, mTo float64 }
	total, pct, top := p.Int("total"), p.Float("pct_start"), r.lr0
	first := top / p.Float("div_factor")
	last := first / p.Float("final_div_factor")
	base, peak := p.Float("base_momentum"), p.Float("max_momentum")
	n := float64(total)
	phases := []phase{{pct*n - 1, first, top, peak, base}, {n - 1, top, last, base, peak}}
	if p.Bool("three_phase") {
		phases = []phase{{pct*n - 1, first, top, peak, base}, {2*pct*n - 2, top, first, base, peak},
			{n - 1, first, last, peak, peak}}
	}
	anneal := annealCos
	if p.String("anneal") == "linear" {
		anneal = annealLinear
	}
	// at returns the phase of unit t and the fraction x of it done.
	at := func(t int) (phase, float64) {
		step := float64(min(max(t, 0), total-1))
		start := 0.0
		for i, ph := range phases {
			if step <= ph.end || i == len(phases)-1 {
				if ph.end == start {
					return ph, 1
				}
				return ph, (step - start) / (ph.end - start)
			}
			start = ph.end
		}
		panic("unreachable")
	}
	rates := Rates{LR: func(t int) float64 {
		ph, x := at(t)
		return anneal(ph.lrFrom, ph.lrTo, x)
	}}
	if p.Bool("cycle_momentum") {
		rates.Momentum = func(t int) float64 {
			ph, x := at(t)
			return anneal(ph.mFrom, ph.mTo, x)
		}
	}
	return rates
}

// annealCos is OneCycleLR._annealing_cos: from start to end as pct goes from 0 to 1.
func annealCos(start, end, pct float64) float64 {
	return end + (start-end)/2.0*(math.Cos(math.Pi*pct)+1)
}

// annealLinear is OneCycleLR._annealing_linear.
func annealLinear(start, end, pct float64) float64 { return (end-start)*pct + start }

// wsdEntry is warmup–stable–decay; see buildWSD.
var wsdEntry = Entry{Name: "wsd", Params: []param.Spec{
	{Key: "decay_fraction", Type: param.Float, Default: 0.2, Range: param.Interval(0, 1, false, false),
		Doc: "share of the run, warm-up included, spent in the decay (the paper's fract_decay)"},
	{Key: "decay_shape", Type: param.Enum, Default: "linear", Choices: []string{"linear", "cosine", "sqrt"},
		Doc: "the decay: 1 − x, ½(1 + cos πx) or 1 − √x of the way from lr to min_lr"},
	minLR("the rate at the end of the decay and after")},
	check: checkMinLR, build: buildWSD,
	Doc: "warm-up (the common key), lr₀ held, then a decay over the last decay_fraction of the run (Hägele et al. 2024)"}

// buildWSD is the warmup–stable–decay schedule ("constant learning rate with cooldown") of
// Hägele et al. 2024, "Scaling Laws and Compute-Optimal Training Beyond Fixed Training
// Durations" (NeurIPS), as its authors' wsd_schedule (github.com/epfml/schedules-and-scaling,
// src/optim/utils.py, commit ce6b4055b1e37418d79b892c43a8d6eea04c69f8) defines it. Its warm-up
// is the common `warmup` key (w units, SPEC §5's lr_s(0)·(t+1)/w; the authors' code instead
// rises from lr/100 at t = 0 to lr at t = w), so wsd has no warm-up key of its own. With
// N = w + L units in the run (L = the run after the warm-up), D = ⌊decay_fraction·N⌋ units of
// decay (the authors' n_anneal, a share of the whole run) and h = L − D, the schedule after
// the warm-up is, with t counted from its end,
//
//	lr(t) = lr0                                  for t < h (stable)
//	lr(t) = min_lr + (lr0 − min_lr)·g(x)         for h ≤ t < L, x = (t − h)/D (decay)
//	lr(t) = min_lr                               for t ≥ L
//
// where g is decay_shape: linear 1 − x, cosine ½(1 + cos(π·x)), sqrt 1 − √x (the paper's
// "1-sqrt" cooldown). x stays below 1 within the run, so min_lr is reached only after it, as
// in the authors' code, which writes the rate as lr0·(f + (1 − f)·g(x)) with f = min_lr/lr0.
// When D > L (a decay longer than the run after the warm-up) the decay is already under way at
// the warm-up's end, as in theirs.
func buildWSD(p param.Values, r run) Schedule {
	lr0, minLR, length := r.lr0, p.Float("min_lr"), r.length
	d := int(p.Float("decay_fraction") * float64(r.warmup+length))
	hold := length - d
	shape := p.String("decay_shape")
	g := func(x float64) float64 { return 1 - x }
	switch shape {
	case "cosine":
		g = func(x float64) float64 { return 0.5 * (1 + math.Cos(math.Pi*x)) }
	case "sqrt":
		g = func(x float64) float64 { return 1 - math.Sqrt(x) }
	}
	return func(t int) float64 {
		t = max(t, 0)
		switch {
		case t < hold:
			return lr0
		case t >= length:
			return minLR
		}
		return minLR + (lr0-minLR)*g(float64(t-hold)/float64(d))
	}
}
