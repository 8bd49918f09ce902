// Package sched provides learning-rate schedules and batch-size schedules (SPEC.md §5 and §6).
//
// A schedule is a pure function of the unit count t (epochs or steps from 0), evaluated in
// closed form: lr(t) never depends on earlier values, unlike the recursive get_lr of PyTorch's
// torch.optim.lr_scheduler. When stepped once per unit, each schedule gives the learning rates of
// the PyTorch scheduler named in its documentation (up to rounding); the tests check this against
// golden values recorded from PyTorch by scripts/gen_sched_golden.py.
//
// The schedules are one table: each Entry names a schedule and declares its keys once, as
// param.Specs (key, type, default, range, doc); internal/config decodes, validates and documents
// the YAML `schedule:` block from it. A Config carries the keys the user set and the base rate
// lr₀ (optimizer.lr, which belongs to the schedule, not to the optimizer); Resolve fills in the
// defaults, some of which depend on the run (a cosine's period is the run length), and New
// validates and builds the Schedule. Errors from New and NewBatch are *KeyError values naming
// the YAML key at fault.
package sched

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/optimbench/optimbench/internal/param"
)

// Schedule gives the learning rate for unit t (t counts epochs or steps from 0). Closed form; no
// recursion over earlier values. A Schedule allocates nothing; t < 0 is treated as 0.
type Schedule func(t int) float64

// Rates is a schedule as the training loop uses it: the rate of unit t; the momentum it drives,
// for the schedules that cycle momentum (β₁ for the Adam family), as PyTorch's OneCycleLR and
// CyclicLR set group["momentum"] or group["betas"][0]; and the evaluations it is fed, for the
// schedules that read them (reduce-on-plateau).
type Rates struct {
	LR Schedule
	// Momentum is nil unless the schedule cycles momentum.
	Momentum Schedule
	// Observe is nil unless the schedule reads evaluations; the loop calls it after each
	// evaluation with the value of the metric Monitor names ("test_loss" or "train_loss"),
	// and LR reads the state it leaves. It never changes the rate between two evaluations.
	Observe func(metric float64)
	Monitor string
}

// Config describes a learning-rate schedule: the YAML `schedule:` block and the base rate.
type Config struct {
	Name   string  // a name of Names ("" means constant)
	Unit   string  // "epoch" | "step" ("" means epoch): what t counts
	Warmup int     // linear warm-up units (SPEC §5)
	LR     float64 // lr₀, optimizer.lr: the rate the schedule shapes
	// Params holds the schedule's own keys (Entry.Params) that are set; Resolve fills in the
	// others.
	Params param.Values
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

// Entry is one learning-rate schedule of the table.
type Entry struct {
	Name string
	// Params are the schedule's own keys, in the order config.yaml lists them; name, unit and
	// warmup (Common) apply to every schedule.
	Params []param.Spec
	// derive sets the defaults that depend on the run (Spec.Derived): lr₀, the unit, and the
	// length in units of the schedule proper (the run less the warm-up).
	derive func(p param.Values, lr0 float64, unit string, length int)
	// check validates what the specs cannot: rules across keys and against lr₀.
	check func(p param.Values, lr0 float64) error
	// build returns the schedule for validated, complete p.
	build func(p param.Values, lr0 float64) Schedule
	// rates, instead of build, returns the whole Rates of a schedule that drives momentum or
	// reads evaluations; unit is the schedule's unit and length the run's length in it.
	rates func(p param.Values, lr0 float64, unit string, length int) Rates
	// Doc is the rule and its PyTorch counterpart, one line.
	Doc string
}

// Common are the keys of every schedule besides its name.
var Common = []param.Spec{
	{Key: "unit", Type: param.Enum, Default: "epoch", Choices: []string{"epoch", "step"},
		Doc: "what t counts: epochs, or updates"},
	{Key: "warmup", Type: param.Int, Default: 0, Range: param.AtLeast(0),
		Doc: "linear warm-up over this many units, then the schedule"},
}

// The keys shared by several schedules.
var (
	factorKey = param.Spec{Key: "factor", Type: param.Float, Range: param.Above(0),
		Doc: "multiplier of the rate at each boundary"}
	milestonesKey = param.Spec{Key: "milestones", Type: param.Ints, Range: param.Above(0),
		Doc: "units at which the rate is multiplied, increasing"}
	halfCycleKey = param.Spec{Key: "half_cycle", Type: param.Int, Range: param.Above(0),
		Derived: "2000 steps or 4 epochs", Doc: "units from the bottom of a cycle to its top"}
	cyclicMinLR = param.Spec{Key: "min_lr", Type: param.Float, Range: param.AtLeast(0),
		Derived: "lr/10", Doc: "bottom of the cycle (CyclicLR's base_lr; the top is lr)"}
	kKey = param.Spec{Key: "k", Type: param.Float, Range: param.AtLeast(0), Doc: "decay rate"}
)

func withDefault(s param.Spec, def any) param.Spec {
	s.Default = def
	return s
}

func minLR(doc string) param.Spec {
	return param.Spec{Key: "min_lr", Type: param.Float, Default: 0.0, Range: param.AtLeast(0), Doc: doc}
}

// cyclicDerive fills the defaults of the cyclical schedules.
func cyclicDerive(p param.Values, lr0 float64, unit string, _ int) {
	if _, ok := p["half_cycle"]; !ok {
		p["half_cycle"] = 4
		if unit == "step" {
			p["half_cycle"] = 2000
		}
	}
	if _, ok := p["min_lr"]; !ok {
		p["min_lr"] = lr0 / 10
	}
}

// checkMinLR keeps min_lr at or below lr₀.
func checkMinLR(p param.Values, lr0 float64) error {
	if m := p.Float("min_lr"); m > lr0 {
		return keyErr("min_lr", "must be <= lr (%v), got %v", lr0, m)
	}
	return nil
}

// checkIncreasing requires strictly increasing milestones.
func checkIncreasing(p param.Values, _ float64) error {
	ms := p.Ints("milestones")
	for i := 1; i < len(ms); i++ {
		if ms[i] <= ms[i-1] {
			return keyErr("milestones", "must be increasing, got %v", ms)
		}
	}
	return nil
}

// table lists the schedules in SPEC §5 order.
var table = []Entry{
	{Name: "constant", build: buildConstant, Doc: "lr₀"},
	{Name: "time", Params: []param.Spec{withDefault(kKey, 0.01)}, build: buildTime,
		Doc: "lr₀/(1 + k·t); LambdaLR(lambda t: 1/(1+k·t))"},
	{Name: "exponential", Params: []param.Spec{withDefault(kKey, 0.05)}, build: buildExponential,
		Doc: "lr₀·exp(−k·t); ExponentialLR(gamma=e^−k)"},
	{Name: "step", Params: []param.Spec{withDefault(factorKey, 0.5),
		{Key: "every", Type: param.Int, Default: 10, Range: param.Above(0), Doc: "units between boundaries"}},
		build: buildStep, Doc: "lr₀·factor^⌊t/every⌋; StepLR(step_size=every, gamma=factor)"},
	{Name: "multistep", Params: []param.Spec{withDefault(factorKey, 0.1), milestonesKey},
		check: checkIncreasing, build: buildMultistep,
		Doc: "lr₀·factor^(milestones ≤ t); MultiStepLR(milestones, gamma=factor)"},
	{Name: "cosine", Params: []param.Spec{
		{Key: "period", Type: param.Int, Range: param.Above(0), Derived: "the run length after the warm-up",
			Doc: "units from lr₀ down to min_lr, where it then stays"},
		minLR("the rate at the end of the period")},
		derive: func(p param.Values, _ float64, _ string, length int) {
			if _, ok := p["period"]; !ok {
				p["period"] = length
			}
		},
		check: checkMinLR, build: buildCosine,
		Doc: "min_lr + ½(lr₀ − min_lr)(1 + cos(π·min(t, period)/period)); CosineAnnealingLR"},
	{Name: "sgdr", Params: []param.Spec{
		{Key: "period", Type: param.Int, Default: 10, Range: param.Above(0), Doc: "length of the first cycle"},
		{Key: "mult", Type: param.Int, Default: 1, Range: param.AtLeast(1), Doc: "each cycle is mult times longer than the last"},
		minLR("the rate at the end of each cycle")},
		check: checkMinLR, build: buildSGDR,
		Doc: "cosine restarted at lr₀, cycle i of length period·multⁱ; CosineAnnealingWarmRestarts"},
	{Name: "triangular", Params: []param.Spec{halfCycleKey, cyclicMinLR}, derive: cyclicDerive,
		check: checkMinLR, build: buildCyclic("triangular"), Doc: "CyclicLR(mode=triangular)"},
	{Name: "triangular2", Params: []param.Spec{halfCycleKey, cyclicMinLR}, derive: cyclicDerive,
		check: checkMinLR, build: buildCyclic("triangular2"), Doc: "CyclicLR(mode=triangular2)"},
	{Name: "exp_range", Params: []param.Spec{halfCycleKey, cyclicMinLR,
		{Key: "gamma", Type: param.Float, Default: 0.99994, Range: param.Interval(0, 1, true, false),
			Doc: "amplitude × gammaᵗ"}},
		derive: cyclicDerive, check: checkMinLR, build: buildCyclic("exp_range"), Doc: "CyclicLR(mode=exp_range)"},
}

// Names lists the schedule names in SPEC §5 order.
func Names() []string {
	names := make([]string, len(table))
	for i, e := range table {
		names[i] = e.Name
	}
	return names
}

// Entries returns the table of schedules, in SPEC §5 order.
func Entries() []Entry { return slices.Clone(table) }

// Lookup returns the entry of schedule name ("" is constant), or an error wrapping
// ErrUnknown: `unknown schedule "x"`.
func Lookup(name string) (*Entry, error) {
	if name == "" {
		name = "constant"
	}
	for i := range table {
		if table[i].Name == name {
			return &table[i], nil
		}
	}
	return nil, fmt.Errorf("%w %q", ErrUnknown, name)
}

// Keys returns the YAML keys specific to schedule name, in a fixed order; "name", "unit" and
// "warmup" apply to every schedule and are not listed. An unknown name is an error wrapping
// ErrUnknown.
func Keys(name string) ([]string, error) {
	e, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	return param.Keys(e.Params), nil
}

// Resolve returns every key of c's schedule for a run of length units: the keys c sets, the
// plain defaults (SPEC §5: time k 0.01; exponential k 0.05; step factor 0.5, every 10;
// multistep factor 0.1; sgdr period 10, mult 1; min_lr 0 for cosine and sgdr; exp_range gamma
// 0.99994) and the derived ones: a cosine's period is length − warmup (at least 1), so that
// it ends with the run; the cyclical schedules' half_cycle is 2000 (unit step) or 4 (unit
// epoch) and their min_lr lr₀/10. multistep's milestones have no default. Resolve does not
// validate: New does.
func Resolve(c Config, length int) (param.Values, error) {
	e, err := Lookup(c.Name)
	if err != nil {
		return nil, &KeyError{Key: "name", Err: err}
	}
	p := param.Defaults(e.Params)
	for k, v := range c.Params {
		p[k] = v
	}
	if e.derive != nil {
		e.derive(p, c.LR, unitOf(c), max(length-c.Warmup, 1))
	}
	return p, nil
}

func unitOf(c Config) string {
	if c.Unit == "" {
		return "epoch"
	}
	return c.Unit
}

// New validates c for a run of length units (see Resolve) and returns its schedule. Each error
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
func New(c Config, length int) (Schedule, error) {
	r, err := NewRates(c, length)
	return r.LR, err
}

// NewRates validates c for a run of length units, as New does, and returns its Rates. With a
// warm-up, the rate of the warm-up is linear as for New; a momentum the schedule drives starts
// after it.
func NewRates(c Config, length int) (Rates, error) {
	e, err := Lookup(c.Name)
	if err != nil {
		return Rates{}, &KeyError{Key: "name", Err: err}
	}
	if c.Unit != "" && c.Unit != "epoch" && c.Unit != "step" {
		return Rates{}, keyErr("unit", "must be epoch or step, got %q", c.Unit)
	}
	if c.Warmup < 0 {
		return Rates{}, keyErr("warmup", "must be >= 0, got %d", c.Warmup)
	}
	if math.IsNaN(c.LR) || math.IsInf(c.LR, 0) || c.LR < 0 {
		return Rates{}, keyErr("lr", "must be a finite number >= 0, got %v", c.LR)
	}
	for k := range c.Params {
		if param.Find(e.Params, k) == nil {
			return Rates{}, keyErr(k, "does not apply to schedule %s", e.Name)
		}
	}
	p, _ := Resolve(c, length)
	if err := checkParams(e.Params, p); err != nil {
		return Rates{}, err
	}
	if e.check != nil {
		if err := e.check(p, c.LR); err != nil {
			return Rates{}, err
		}
	}
	var r Rates
	if e.rates != nil {
		r = e.rates(p, c.LR, unitOf(c), max(length-c.Warmup, 1))
	} else {
		r.LR = e.build(p, c.LR)
	}
	if c.Warmup > 0 {
		r.LR = Warmup(r.LR, c.Warmup)
		if m := r.Momentum; m != nil {
			w := c.Warmup
			r.Momentum = func(t int) float64 { return m(max(t-w, 0)) }
		}
	}
	return r, nil
}

// checkParams validates every key of p against its spec; a missing key is required.
func checkParams(specs []param.Spec, p param.Values) error {
	for _, s := range specs {
		v, ok := p[s.Key]
		if !ok {
			return keyErr(s.Key, "required")
		}
		if err := s.Check(v); err != nil {
			var ve *param.ValueError
			if errors.As(err, &ve) {
				return &KeyError{Key: s.Key, Err: fmt.Errorf("must be %s, got %s", ve.Want, param.Format(ve.Got))}
			}
			return err
		}
	}
	return nil
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

func buildConstant(_ param.Values, lr0 float64) Schedule {
	return func(int) float64 { return lr0 }
}

func buildTime(p param.Values, lr0 float64) Schedule {
	k := p.Float("k")
	return func(t int) float64 { return lr0 / (1 + k*float64(max(t, 0))) }
}

func buildExponential(p param.Values, lr0 float64) Schedule {
	k := p.Float("k")
	return func(t int) float64 { return lr0 * math.Exp(-k*float64(max(t, 0))) }
}

func buildStep(p param.Values, lr0 float64) Schedule {
	factor, every := p.Float("factor"), p.Int("every")
	return func(t int) float64 { return lr0 * math.Pow(factor, float64(max(t, 0)/every)) }
}

func buildMultistep(p param.Values, lr0 float64) Schedule {
	factor, ms := p.Float("factor"), slices.Clone(p.Ints("milestones"))
	return func(t int) float64 {
		passed := sort.SearchInts(ms, max(t, 0)+1) // milestones <= t
		return lr0 * math.Pow(factor, float64(passed))
	}
}

func buildCosine(p param.Values, lr0 float64) Schedule {
	period, minLR := p.Int("period"), p.Float("min_lr")
	return func(t int) float64 {
		t = min(max(t, 0), period)
		return minLR + 0.5*(lr0-minLR)*(1+math.Cos(math.Pi*float64(t)/float64(period)))
	}
}

func buildSGDR(p param.Values, lr0 float64) Schedule {
	period, mult, minLR := p.Int("period"), p.Int("mult"), p.Float("min_lr")
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
	}
}

func buildCyclic(name string) func(p param.Values, lr0 float64) Schedule {
	return func(p param.Values, lr0 float64) Schedule {
		h, minLR := p.Int("half_cycle"), p.Float("min_lr")
		gamma := 1.0
		if name == "exp_range" {
			gamma = p.Float("gamma")
		}
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
		}
	}
}
