// Package sched provides learning-rate schedules and batch-size schedules (SPEC.md §5 and §6).
//
// A schedule is a pure function of the unit count t (epochs or steps from 0), evaluated in
// closed form: lr(t) never depends on earlier values, unlike the recursive get_lr of PyTorch's
// torch.optim.lr_scheduler. When stepped once per unit, each schedule gives the learning rates of
// the PyTorch scheduler named in its documentation (up to rounding); the tests check this against
// golden values recorded from PyTorch by scripts/gen_sched_golden.py and
// scripts/gen_sched_golden_zoo.py. Two kinds go beyond a rate (Rates): one-cycle and the
// cyclical schedules may drive momentum (β₁) beside it, and reduce-on-plateau, the one schedule
// with state, is fed the run's evaluations.
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
	// State is nil unless the schedule has state of its own (reduce-on-plateau, whose state
	// Observe changes): it returns that state as pointers into it (*float64, *int, *bool or
	// []float64), always in the same order, for a checkpoint to save and write back
	// (SaveState, RestoreState), as optim.Stateful does. The keys the schedule was built
	// from are not part of it; a stateless schedule's rate is a function of t alone.
	State func() []any
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
	// length in units of the schedule proper (the run less the warm-up). A key declared
	// Derived and OmitIfDefault may be left unset: its user resolves it (half_cycle_down is
	// half_cycle; plateau's monitor is resolved by the training loop).
	derive func(p param.Values, r run)
	// check validates what the specs cannot: rules across keys and against lr₀.
	check func(p param.Values, r run) error
	// build returns the schedule for validated, complete p.
	build func(p param.Values, r run) Schedule
	// rates, instead of build, returns the whole Rates of a schedule that drives momentum or
	// reads evaluations.
	rates func(p param.Values, r run) Rates
	// epochOnly refuses unit step: the schedule reads the evaluations made after epochs.
	epochOnly bool
	// Doc is the rule and its PyTorch counterpart, one line.
	Doc string
}

// run is what a schedule knows of its run besides its own keys.
type run struct {
	lr0    float64 // optimizer.lr
	unit   string  // "epoch" or "step"
	length int     // units of the schedule proper: the run less the warm-up, at least 1
	warmup int     // units of the linear warm-up before it (Config.Warmup)
}

func runOf(c Config, length int) run {
	return run{lr0: c.LR, unit: unitOf(c), length: max(length-c.Warmup, 1), warmup: max(c.Warmup, 0)}
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
	// The keys the cyclical schedules gained with the optimizer zoo: OmitIfDefault, so that
	// the runs made before keep their config.yaml and content hash.
	cyclicExtra = []param.Spec{
		{Key: "half_cycle_down", Type: param.Int, Range: param.Above(0), Derived: "half_cycle", OmitIfDefault: true,
			Doc: "units from the top of a cycle back to its bottom (CyclicLR's step_size_down)"},
		{Key: "cycle_momentum", Type: param.Bool, Default: false, OmitIfDefault: true,
			Doc: "cycle momentum (β₁) inversely to the rate, from max_momentum down to base_momentum; PyTorch's default is true"},
		momentumKey("base_momentum", 0.8, true, "momentum at the top of the cycle (the rate's peak)"),
		momentumKey("max_momentum", 0.9, true, "momentum at the bottom of the cycle"),
	}
)

func momentumKey(key string, def float64, omit bool, doc string) param.Spec {
	return param.Spec{Key: key, Type: param.Float, Default: def, Range: param.Interval(0, 1, false, true),
		OmitIfDefault: omit, Doc: doc}
}

func withDefault(s param.Spec, def any) param.Spec {
	s.Default = def
	return s
}

func minLR(doc string) param.Spec {
	return param.Spec{Key: "min_lr", Type: param.Float, Default: 0.0, Range: param.AtLeast(0), Doc: doc}
}

// cyclicDerive fills the defaults of the cyclical schedules; half_cycle_down stays unset
// when not given (it is then half_cycle).
func cyclicDerive(p param.Values, r run) {
	if _, ok := p["half_cycle"]; !ok {
		p["half_cycle"] = 4
		if r.unit == "step" {
			p["half_cycle"] = 2000
		}
	}
	if _, ok := p["min_lr"]; !ok {
		p["min_lr"] = r.lr0 / 10
	}
}

// checkMinLR keeps min_lr at or below lr₀.
func checkMinLR(p param.Values, r run) error {
	if m := p.Float("min_lr"); m > r.lr0 {
		return keyErr("min_lr", "must be <= lr (%v), got %v", r.lr0, m)
	}
	return nil
}

// checkIncreasing requires strictly increasing milestones.
func checkIncreasing(p param.Values, _ run) error {
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
	{Name: "exponential", Params: []param.Spec{{Key: "k", Type: param.Float, Default: 0.05,
		Doc: "decay rate; k < 0 makes the rate grow (optax's exponential_decay with decay_rate > 1)"}},
		build: buildExponential, Doc: "lr₀·exp(−k·t); ExponentialLR(gamma=e^−k)"},
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
		derive: func(p param.Values, r run) {
			if _, ok := p["period"]; !ok {
				p["period"] = r.length
			}
		},
		check: checkMinLR, build: buildCosine,
		Doc: "min_lr + ½(lr₀ − min_lr)(1 + cos(π·min(t, period)/period)); CosineAnnealingLR"},
	{Name: "sgdr", Params: []param.Spec{
		{Key: "period", Type: param.Int, Default: 10, Range: param.Above(0), Doc: "length of the first cycle"},
		{Key: "mult", Type: param.Int, Default: 1, Range: param.AtLeast(1), Doc: "each cycle is mult times longer than the last"},
		minLR("the rate at the end of each cycle"),
		{Key: "peak_decay", Type: param.Float, Default: 1.0, Range: param.Above(0), OmitIfDefault: true,
			Doc: "each restart's height above min_lr is peak_decay times the last's (Keras CosineDecayRestarts m_mul)"}},
		check: checkMinLR, build: buildSGDR,
		Doc: "cosine restarted at lr₀, cycle i of length period·multⁱ; CosineAnnealingWarmRestarts"},
	{Name: "triangular", Params: slices.Concat([]param.Spec{halfCycleKey, cyclicMinLR}, cyclicExtra),
		derive: cyclicDerive, check: checkMinLR, rates: cyclicRates("triangular"), Doc: "CyclicLR(mode=triangular)"},
	{Name: "triangular2", Params: slices.Concat([]param.Spec{halfCycleKey, cyclicMinLR}, cyclicExtra),
		derive: cyclicDerive, check: checkMinLR, rates: cyclicRates("triangular2"), Doc: "CyclicLR(mode=triangular2)"},
	{Name: "exp_range", Params: slices.Concat([]param.Spec{halfCycleKey, cyclicMinLR,
		{Key: "gamma", Type: param.Float, Default: 0.99994, Range: param.Interval(0, 1, true, false),
			Doc: "amplitude × gammaᵗ"}}, cyclicExtra),
		derive: cyclicDerive, check: checkMinLR, rates: cyclicRates("exp_range"), Doc: "CyclicLR(mode=exp_range)"},
	linearEntry,
	constantFactorEntry,
	polynomialEntry,
	onecycleEntry,
	wsdEntry,
	plateauEntry,
	// sequential is appended by sequential.go's init: its functions use the table.
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
// multistep factor 0.1; sgdr period 10, mult 1, peak_decay 1; min_lr 0 for cosine, sgdr, wsd
// and plateau; exp_range gamma 0.99994; the new schedules' keys as New lists them) and the
// derived ones: a cosine's period and a one-cycle's total are length − warmup (at least 1),
// so that they end with the run; the cyclical schedules' half_cycle is 2000 (unit step) or 4
// (unit epoch) and their min_lr lr₀/10; each schedule of a sequential is resolved in turn for
// the units it runs. Two derived keys stay unset unless c sets them: half_cycle_down (then
// half_cycle) and plateau's monitor (resolved by the training loop: test_loss when the run has
// a test set, else train_loss). multistep's milestones and sequential's schedules and
// milestones have no default. Resolve does not validate: New does.
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
		e.derive(p, runOf(c, length))
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
// unknown name gives `name: unknown schedule "x"` (wrapping ErrUnknown). The key of an error
// in one of sequential's schedules is its path, e.g. `schedules[1].min_lr`.
//
// The schedules (t counts units from 0; PyTorch classes stepped once per unit):
//
//	constant     lr0
//	time         lr0/(1 + k·t)                                 LambdaLR(lambda t: 1/(1+k·t))
//	exponential  lr0·exp(−k·t); k < 0 grows                    ExponentialLR(gamma=e^−k)
//	step         lr0·factor^⌊t/every⌋                          StepLR(step_size=every, gamma=factor)
//	multistep    lr0·factor^(number of milestones ≤ t)         MultiStepLR(milestones, gamma=factor)
//	cosine       min_lr + ½(lr0 − min_lr)(1 + cos(π·min(t, period)/period))
//	                                                           CosineAnnealingLR(T_max=period, eta_min=min_lr)
//	sgdr         min_lr + peak_decayⁱ·½(lr0 − min_lr)(1 + cos(π·t_cur/t_i)), where cycle i
//	             (from 0) has length t_i = period·multⁱ and t_cur counts units since its start
//	                                                           CosineAnnealingWarmRestarts(T_0=period, T_mult=mult, eta_min=min_lr);
//	                                                           with peak_decay ≠ 1, Keras CosineDecayRestarts(m_mul=peak_decay, alpha=min_lr/lr0)
//	triangular   min_lr + (lr0 − min_lr)·f·s, with u = half_cycle, d = half_cycle_down,
//	             r = t mod (u + d), f = r/u for r ≤ u and (u + d − r)/d after, and s = 1
//	triangular2  as triangular with s = 1/2^⌊t/(u + d)⌋
//	exp_range    as triangular with s = gamma^t
//	             (all three: CyclicLR(base_lr=min_lr, max_lr=lr0, step_size_up=u, step_size_down=d,
//	             mode=name, cycle_momentum, base_momentum, max_momentum); with cycle_momentum the
//	             momentum is max_momentum − (max_momentum − base_momentum)·f·s)
//	linear       lr0·(start_factor + (end_factor − start_factor)·min(t, iters)/iters)
//	                                                           LinearLR(start_factor, end_factor, total_iters=iters)
//	constant_factor  lr0·factor for t < iters, lr0 after       ConstantLR(factor, total_iters=iters)
//	polynomial   lr0·(1 − min(t, iters)/iters)^power           PolynomialLR(total_iters=iters, power)
//	onecycle     see onecycleRates                             OneCycleLR(max_lr=lr0, total_steps=total, …)
//	wsd          see buildWSD                                  Hägele et al. 2024
//	plateau      see plateauRates                              ReduceLROnPlateau(…)
//	sequential   schedule i of schedules from milestone i−1 on, its t restarted at 0
//	                                                           SequentialLR(schedulers, milestones)
//
// sgdr is SGD with warm restarts (Loshchilov & Hutter 2017, "SGDR: Stochastic Gradient Descent
// with Warm Restarts", ICLR); triangular, triangular2 and exp_range are the cyclical learning
// rates of Smith 2017 ("Cyclical Learning Rates for Training Neural Networks", WACV). Unlike
// PyTorch's CosineAnnealingLR, which turns back up after T_max, cosine stays at min_lr for
// t > period, as SPEC §5 says. The cyclical schedules' cycle_momentum defaults to false,
// where CyclicLR's defaults to true: the rate alone cycles unless asked (and PyTorch 1.13's
// CyclicLR drives only group["momentum"]; here it drives β₁ of the Adam family too, as
// PyTorch 2's does). peak_decay is Keras's m_mul: it scales each restart's height above
// min_lr, so that with min_lr 0 the peak of restart i is lr0·peak_decayⁱ.
//
// With c.Warmup = w > 0 the schedule lr_s above is preceded by a linear warm-up (see Warmup):
// lr(t) = lr_s(0)·(t+1)/w for t < w and lr_s(t − w) afterwards.
func New(c Config, length int) (Schedule, error) {
	r, err := NewRates(c, length)
	return r.LR, err
}

// NewRates validates c for a run of length units, as New does, and returns its Rates. With a
// warm-up, the rate of the warm-up is linear as for New; a momentum the schedule drives starts
// after it (during the warm-up it is the schedule's first momentum).
func NewRates(c Config, length int) (Rates, error) {
	e, err := Lookup(c.Name)
	if err != nil {
		return Rates{}, &KeyError{Key: "name", Err: err}
	}
	if c.Unit != "" && c.Unit != "epoch" && c.Unit != "step" {
		return Rates{}, keyErr("unit", "must be epoch or step, got %q", c.Unit)
	}
	if e.epochOnly && c.Unit == "step" {
		return Rates{}, keyErr("unit", "must be epoch for schedule %s, which reads the evaluation made after each epoch, got step", e.Name)
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
	r := runOf(c, length)
	if e.check != nil {
		if err := e.check(p, r); err != nil {
			return Rates{}, err
		}
	}
	var rates Rates
	if e.rates != nil {
		rates = e.rates(p, r)
	} else {
		rates.LR = e.build(p, r)
	}
	if c.Warmup > 0 {
		rates.LR = Warmup(rates.LR, c.Warmup)
		if m := rates.Momentum; m != nil {
			w := c.Warmup
			rates.Momentum = func(t int) float64 { return m(max(t-w, 0)) }
		}
	}
	return rates, nil
}

// checkParams validates every key of p against its spec; a missing key is required, unless
// it is one that stays unset until it is used (Derived and OmitIfDefault).
func checkParams(specs []param.Spec, p param.Values) error {
	for _, s := range specs {
		v, ok := p[s.Key]
		if !ok {
			if s.Derived != "" && s.OmitIfDefault {
				continue
			}
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

func buildConstant(_ param.Values, r run) Schedule {
	lr0 := r.lr0
	return func(int) float64 { return lr0 }
}

func buildTime(p param.Values, r run) Schedule {
	k, lr0 := p.Float("k"), r.lr0
	return func(t int) float64 { return lr0 / (1 + k*float64(max(t, 0))) }
}

func buildExponential(p param.Values, r run) Schedule {
	k, lr0 := p.Float("k"), r.lr0
	return func(t int) float64 { return lr0 * math.Exp(-k*float64(max(t, 0))) }
}

func buildStep(p param.Values, r run) Schedule {
	factor, every, lr0 := p.Float("factor"), p.Int("every"), r.lr0
	return func(t int) float64 { return lr0 * math.Pow(factor, float64(max(t, 0)/every)) }
}

func buildMultistep(p param.Values, r run) Schedule {
	factor, ms, lr0 := p.Float("factor"), slices.Clone(p.Ints("milestones")), r.lr0
	return func(t int) float64 {
		passed := sort.SearchInts(ms, max(t, 0)+1) // milestones <= t
		return lr0 * math.Pow(factor, float64(passed))
	}
}

func buildCosine(p param.Values, r run) Schedule {
	period, minLR, lr0 := p.Int("period"), p.Float("min_lr"), r.lr0
	return func(t int) float64 {
		t = min(max(t, 0), period)
		return minLR + 0.5*(lr0-minLR)*(1+math.Cos(math.Pi*float64(t)/float64(period)))
	}
}

func buildSGDR(p param.Values, r run) Schedule {
	period, mult, minLR, lr0 := p.Int("period"), p.Int("mult"), p.Float("min_lr"), r.lr0
	decay := p.Float("peak_decay")
	// cos is the rate at fraction frac of cycle i (from 0).
	cos := func(frac float64, i int) float64 {
		amp := 0.5 * (lr0 - minLR)
		if decay != 1 {
			amp *= math.Pow(decay, float64(i))
		}
		return minLR + amp*(1+math.Cos(math.Pi*frac))
	}
	return func(t int) float64 {
		t = max(t, 0)
		if mult == 1 {
			return cos(float64(t%period)/float64(period), t/period)
		}
		// Skip whole cycles: at most log_mult(t/period) iterations, exact in integers.
		cur, ti, i := t, period, 0
		for cur >= ti {
			cur -= ti
			i++
			if ti > math.MaxInt/mult { // the next cycle is longer than any int t
				return cos(float64(cur)/(float64(ti)*float64(mult)), i)
			}
			ti *= mult
		}
		return cos(float64(cur)/float64(ti), i)
	}
}

// cyclicRates returns the rates of CyclicLR in mode name: the rate, and the momentum when
// cycle_momentum is set.
func cyclicRates(name string) func(p param.Values, r run) Rates {
	return func(p param.Values, r run) Rates {
		up, minLR, lr0 := p.Int("half_cycle"), p.Float("min_lr"), r.lr0
		down := up
		if d, ok := p["half_cycle_down"].(int); ok {
			down = d
		}
		total := up + down
		gamma := 1.0
		if name == "exp_range" {
			gamma = p.Float("gamma")
		}
		halving, decaying := name == "triangular2", name == "exp_range"
		// shape returns the triangle f in [0, 1] of unit t and the scale s of its amplitude.
		shape := func(t int) (f, s float64) {
			t = max(t, 0)
			// With c = ⌊1 + t/(u+d)⌋ and x = 1 + t/(u+d) − c as CyclicLR writes it, r = x·(u+d).
			r := t % total
			if r <= up {
				f = float64(r) / float64(up)
			} else {
				f = float64(total-r) / float64(down)
			}
			s = 1
			switch {
			case halving:
				s = math.Ldexp(1, -(t / total)) // 1/2^(c−1)
			case decaying:
				s = math.Pow(gamma, float64(t))
			}
			return f, s
		}
		rates := Rates{LR: func(t int) float64 {
			f, s := shape(t)
			return minLR + (lr0-minLR)*f*s
		}}
		if p.Bool("cycle_momentum") {
			base, top := p.Float("base_momentum"), p.Float("max_momentum")
			rates.Momentum = func(t int) float64 {
				f, s := shape(t)
				return top - (top-base)*f*s
			}
		}
		return rates
	}
}
