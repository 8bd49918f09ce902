// Package sched provides learning-rate schedules and batch-size schedules (SPEC.md §5 and §6).
//
// A schedule is a pure function of the unit count t (epochs or steps from 0), evaluated in
// closed form: lr(t) never depends on earlier values, unlike the recursive get_lr of PyTorch's
// torch.optim.lr_scheduler. When stepped once per unit, each schedule gives the learning rates of
// the PyTorch scheduler named in its documentation (up to rounding); the tests check this against
// golden values recorded from PyTorch by scripts/gen_sched_golden.py.
//
// Configuration follows the YAML `schedule:` block: Defaults fills in every default for a name,
// the caller overrides the keys the user set (Keys lists those a name accepts), and New validates
// the result and builds the Schedule. Errors from New and NewBatch are *KeyError values naming the
// YAML key at fault.
package sched

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
)

// Schedule gives the learning rate for unit t (t counts epochs or steps from 0). Closed form; no
// recursion over earlier values. A Schedule allocates nothing; t < 0 is treated as 0.
type Schedule func(t int) float64

// Config describes a learning-rate schedule (the YAML `schedule:` block). Fields that do not apply
// to Name are ignored. New does not fill in defaults: start from Defaults.
type Config struct {
	Name       string  // constant time exponential step multistep cosine sgdr triangular triangular2 exp_range ("" means constant)
	Unit       string  // "epoch" | "step" ("" means epoch)
	Warmup     int     // linear warm-up units (SPEC §5)
	K          float64 // time, exponential
	Factor     float64 // step, multistep
	Every      int     // step
	Milestones []int   // multistep (strictly increasing, > 0)
	Period     int     // cosine (default: run length in units), sgdr (default 10)
	Mult       int     // sgdr (default 1; PyTorch's T_mult is an integer >= 1)
	MinLR      float64 // cosine, sgdr (default 0), triangular* (default lr0/10)
	HalfCycle  int     // triangular* (default 2000 for unit step, 4 for unit epoch)
	Gamma      float64 // exp_range (default 0.99994)
}

// ErrUnknown is wrapped by the error for an unknown learning-rate schedule name.
var ErrUnknown = errors.New("unknown schedule")

// ErrUnknownBatch is wrapped by the error for an unknown batch-size schedule name.
var ErrUnknownBatch = errors.New("unknown batch schedule")

// KeyError reports an invalid configuration value. Key is the YAML key at fault, relative to its
// block (e.g. "every", "min_lr"); its message is "key: what is wrong", e.g.
// `every: must be > 0, got 0`.
type KeyError struct {
	Key string
	Err error
}

func (e *KeyError) Error() string { return e.Key + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *KeyError) Unwrap() error { return e.Err }

func keyErr(key, format string, args ...any) error {
	return &KeyError{Key: key, Err: fmt.Errorf(format, args...)}
}

// The schedules in SPEC §5 order, each with its specific YAML keys.
var schedules = []struct {
	name string
	keys []string
}{
	{"constant", nil},
	{"time", []string{"k"}},
	{"exponential", []string{"k"}},
	{"step", []string{"factor", "every"}},
	{"multistep", []string{"factor", "milestones"}},
	{"cosine", []string{"period", "min_lr"}},
	{"sgdr", []string{"period", "mult", "min_lr"}},
	{"triangular", []string{"half_cycle", "min_lr"}},
	{"triangular2", []string{"half_cycle", "min_lr"}},
	{"exp_range", []string{"half_cycle", "min_lr", "gamma"}},
}

// Names lists the schedule names in SPEC §5 order.
func Names() []string {
	names := make([]string, len(schedules))
	for i, s := range schedules {
		names[i] = s.name
	}
	return names
}

// Keys returns the YAML keys specific to schedule name, in a fixed order; "name", "unit" and
// "warmup" apply to every schedule and are not listed. An unknown name is an error wrapping
// ErrUnknown: `unknown schedule "x"`.
func Keys(name string) ([]string, error) {
	for _, s := range schedules {
		if s.name == name {
			return slices.Clone(s.keys), nil
		}
	}
	return nil, unknown(name)
}

func unknown(name string) error { return fmt.Errorf("%w %q", ErrUnknown, name) }

// Defaults returns the Config for name with every default of SPEC §5 filled in: time k 0.01;
// exponential k 0.05; step factor 0.5, every 10; multistep factor 0.1 (milestones have no default
// and are left nil: New requires them); cosine period = length, min_lr 0; sgdr period 10, mult 1,
// min_lr 0; triangular, triangular2 and exp_range half_cycle 2000 (unit step) or 4 (unit epoch),
// min_lr lr0/10; exp_range gamma 0.99994. Unit is as given ("" means "epoch"); Warmup is 0.
//
// length is the run length in units (epochs, or total steps: see Steps). With a warm-up of w
// units, pass length − w for a cosine that should end with the run.
func Defaults(name string, lr0 float64, unit string, length int) (Config, error) {
	if _, err := Keys(name); err != nil {
		return Config{}, err
	}
	if unit == "" {
		unit = "epoch"
	}
	if unit != "epoch" && unit != "step" {
		return Config{}, badUnit(unit)
	}
	c := Config{Name: name, Unit: unit}
	switch name {
	case "time":
		c.K = 0.01
	case "exponential":
		c.K = 0.05
	case "step":
		c.Factor, c.Every = 0.5, 10
	case "multistep":
		c.Factor = 0.1
	case "cosine":
		c.Period, c.MinLR = length, 0
	case "sgdr":
		c.Period, c.Mult, c.MinLR = 10, 1, 0
	case "triangular", "triangular2", "exp_range":
		c.HalfCycle = 4
		if unit == "step" {
			c.HalfCycle = 2000
		}
		c.MinLR = lr0 / 10
		if name == "exp_range" {
			c.Gamma = 0.99994
		}
	}
	return c, nil
}

func badUnit(unit string) error { return keyErr("unit", "must be epoch or step, got %q", unit) }

// New validates c and returns the schedule for base learning rate lr0 (optimizer.lr). Each error
// is a *KeyError naming the YAML key first, e.g. `k: must be >= 0, got -1`,
// `milestones: must be increasing, got [5 3]` or `min_lr: must be <= lr (0.1), got 0.5`; an
// unknown name gives `name: unknown schedule "x"` (wrapping ErrUnknown).
//
// The schedules (t counts units from 0; PyTorch classes stepped once per unit):
//
//	constant     lr0
//	time         lr0/(1 + k·t)                                 LambdaLR(lambda t: 1/(1+k·t))
//	exponential  lr0·exp(−k·t)                                 ExponentialLR(gamma=e^−k)
//	step         lr0·factor^⌊t/every⌋                          StepLR(step_size=every, gamma=factor)
//	multistep    lr0·factor^(number of milestones ≤ t)         MultiStepLR(milestones, gamma=factor)
//	cosine       min_lr + ½(lr0 − min_lr)(1 + cos(π·min(t, period)/period))
//	                                                           CosineAnnealingLR(T_max=period, eta_min=min_lr)
//	sgdr         min_lr + ½(lr0 − min_lr)(1 + cos(π·t_cur/t_i)), where cycle i has length
//	             t_i = period·multⁱ and t_cur counts units since its start
//	                                                           CosineAnnealingWarmRestarts(T_0=period, T_mult=mult, eta_min=min_lr)
//	triangular   min_lr + (lr0 − min_lr)·max(0, 1 − x)·s, with h = half_cycle, c = ⌊1 + t/(2h)⌋,
//	             x = |t/h − 2c + 1| and s = 1
//	triangular2  as triangular with s = 1/2^(c−1)
//	exp_range    as triangular with s = gamma^t
//	             (all three: CyclicLR(base_lr=min_lr, max_lr=lr0, step_size_up=step_size_down=h,
//	             mode=name, cycle_momentum=False))
//
// sgdr is SGD with warm restarts (Loshchilov & Hutter 2017, "SGDR: Stochastic Gradient Descent
// with Warm Restarts", ICLR); triangular, triangular2 and exp_range are the cyclical learning
// rates of Smith 2017 ("Cyclical Learning Rates for Training Neural Networks", WACV). Unlike
// PyTorch's CosineAnnealingLR, which turns back up after T_max, cosine stays at min_lr for
// t > period, as SPEC §5 says.
//
// With c.Warmup = w > 0 the schedule lr_s above is preceded by a linear warm-up (see Warmup):
// lr(t) = lr_s(0)·(t+1)/w for t < w and lr_s(t − w) afterwards.
func New(c Config, lr0 float64) (Schedule, error) {
	name := c.Name
	if name == "" {
		name = "constant"
	}
	if _, err := Keys(name); err != nil {
		return nil, &KeyError{Key: "name", Err: err}
	}
	if c.Unit != "" && c.Unit != "epoch" && c.Unit != "step" {
		return nil, badUnit(c.Unit)
	}
	if c.Warmup < 0 {
		return nil, keyErr("warmup", "must be >= 0, got %d", c.Warmup)
	}
	if math.IsNaN(lr0) || math.IsInf(lr0, 0) || lr0 < 0 {
		return nil, keyErr("lr", "must be a finite number >= 0, got %v", lr0)
	}
	s, err := build(name, c, lr0)
	if err != nil {
		return nil, err
	}
	if c.Warmup > 0 {
		s = Warmup(s, c.Warmup)
	}
	return s, nil
}

// Warmup returns s preceded by a linear warm-up over w units (SPEC §5):
// lr(t) = s(0)·(t+1)/w for t < w and s(t − w) afterwards. w <= 0 returns s.
func Warmup(s Schedule, w int) Schedule {
	if w <= 0 {
		return s
	}
	s0 := s(0)
	return func(t int) float64 {
		t = max(t, 0)
		if t < w {
			return s0 * float64(t+1) / float64(w)
		}
		return s(t - w)
	}
}

func build(name string, c Config, lr0 float64) (Schedule, error) {
	switch name {
	case "constant":
		return func(int) float64 { return lr0 }, nil

	case "time":
		k, err := checkK(c.K)
		if err != nil {
			return nil, err
		}
		return func(t int) float64 { return lr0 / (1 + k*float64(max(t, 0))) }, nil

	case "exponential":
		k, err := checkK(c.K)
		if err != nil {
			return nil, err
		}
		return func(t int) float64 { return lr0 * math.Exp(-k*float64(max(t, 0))) }, nil

	case "step":
		if err := checkFactor(c.Factor); err != nil {
			return nil, err
		}
		if c.Every <= 0 {
			return nil, keyErr("every", "must be > 0, got %d", c.Every)
		}
		factor, every := c.Factor, c.Every
		return func(t int) float64 { return lr0 * math.Pow(factor, float64(max(t, 0)/every)) }, nil

	case "multistep":
		if err := checkFactor(c.Factor); err != nil {
			return nil, err
		}
		ms, err := checkMilestones(c.Milestones, "multistep")
		if err != nil {
			return nil, err
		}
		factor := c.Factor
		return func(t int) float64 {
			passed := sort.SearchInts(ms, max(t, 0)+1) // milestones <= t
			return lr0 * math.Pow(factor, float64(passed))
		}, nil

	case "cosine":
		if err := checkPeriod(c.Period); err != nil {
			return nil, err
		}
		if err := checkMinLR(c.MinLR, lr0); err != nil {
			return nil, err
		}
		period, minLR := c.Period, c.MinLR
		return func(t int) float64 {
			t = min(max(t, 0), period)
			return minLR + 0.5*(lr0-minLR)*(1+math.Cos(math.Pi*float64(t)/float64(period)))
		}, nil

	case "sgdr":
		if err := checkPeriod(c.Period); err != nil {
			return nil, err
		}
		if c.Mult < 1 {
			return nil, keyErr("mult", "must be >= 1, got %d", c.Mult)
		}
		if err := checkMinLR(c.MinLR, lr0); err != nil {
			return nil, err
		}
		period, mult, minLR := c.Period, c.Mult, c.MinLR
		cos := func(frac float64) float64 {
			return minLR + 0.5*(lr0-minLR)*(1+math.Cos(math.Pi*frac))
		}
		return func(t int) float64 {
			t = max(t, 0)
			if mult == 1 {
				return cos(float64(t%period) / float64(period))
			}
			// Skip whole cycles: at most log_mult(t/period) iterations, exact in integers.
			cur, ti := t, period
			for cur >= ti {
				cur -= ti
				if ti > math.MaxInt/mult { // the next cycle is longer than any int t
					return cos(float64(cur) / (float64(ti) * float64(mult)))
				}
				ti *= mult
			}
			return cos(float64(cur) / float64(ti))
		}, nil

	case "triangular", "triangular2", "exp_range":
		if c.HalfCycle <= 0 {
			return nil, keyErr("half_cycle", "must be > 0, got %d", c.HalfCycle)
		}
		if err := checkMinLR(c.MinLR, lr0); err != nil {
			return nil, err
		}
		gamma := c.Gamma
		if name == "exp_range" && (math.IsNaN(gamma) || gamma <= 0 || gamma > 1) {
			return nil, keyErr("gamma", "must be in (0, 1], got %v", gamma)
		}
		h, minLR := c.HalfCycle, c.MinLR
		halving, decaying := name == "triangular2", name == "exp_range"
		return func(t int) float64 {
			t = max(t, 0)
			// With c = ⌊1 + t/(2h)⌋ and r = t mod 2h: 1 − |t/h − 2c + 1| = (h − |r − h|)/h.
			r := t % (2 * h)
			d := r - h
			if d < 0 {
				d = -d
			}
			amp := (lr0 - minLR) * (float64(h-d) / float64(h))
			switch {
			case halving:
				amp *= math.Ldexp(1, -(t / (2 * h))) // 1/2^(c−1)
			case decaying:
				amp *= math.Pow(gamma, float64(t))
			}
			return minLR + amp
		}, nil
	}
	panic("sched: schedule " + name + " listed but not built") // unreachable: Keys checked name
}

func checkK(k float64) (float64, error) {
	if math.IsNaN(k) || math.IsInf(k, 0) || k < 0 {
		return 0, keyErr("k", "must be >= 0, got %v", k)
	}
	return k, nil
}

func checkFactor(f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) || f <= 0 {
		return keyErr("factor", "must be > 0, got %v", f)
	}
	return nil
}

func checkPeriod(p int) error {
	if p <= 0 {
		return keyErr("period", "must be > 0, got %d", p)
	}
	return nil
}

func checkMinLR(m, lr0 float64) error {
	if math.IsNaN(m) || math.IsInf(m, 0) || m < 0 {
		return keyErr("min_lr", "must be >= 0, got %v", m)
	}
	if m > lr0 {
		return keyErr("min_lr", "must be <= lr (%v), got %v", lr0, m)
	}
	return nil
}

// checkMilestones validates milestones (required, > 0, strictly increasing) and returns a copy.
func checkMilestones(ms []int, what string) ([]int, error) {
	if len(ms) == 0 {
		return nil, keyErr("milestones", "required for %s", what)
	}
	for i, m := range ms {
		if m <= 0 {
			return nil, keyErr("milestones", "must be > 0, got %v", ms)
		}
		if i > 0 && m <= ms[i-1] {
			return nil, keyErr("milestones", "must be increasing, got %v", ms)
		}
	}
	return slices.Clone(ms), nil
}
