package sched

import (
	"math"

	"github.com/optimbench/optimbench/internal/param"
)

// plateauEntry is reduce-on-plateau; see plateauRates.
var plateauEntry = Entry{Name: "plateau", Params: []param.Spec{
	{Key: "monitor", Type: param.Enum, Choices: []string{"test_loss", "train_loss"}, OmitIfDefault: true,
		Derived: "test_loss when the run has a test set, else train_loss", Doc: "the evaluated metric the schedule reads"},
	{Key: "mode", Type: param.Enum, Default: "min", Choices: []string{"min", "max"},
		Doc: "whether the metric improves by falling or by rising"},
	{Key: "factor", Type: param.Float, Default: 0.1, Range: param.Interval(0, 1, true, true),
		Doc: "multiplier of the rate at each reduction"},
	{Key: "patience", Type: param.Int, Default: 10, Range: param.AtLeast(0),
		Doc: "evaluations without improvement tolerated before a reduction"},
	{Key: "threshold", Type: param.Float, Default: 1e-4, Range: param.AtLeast(0),
		Doc: "the least change that counts as an improvement"},
	{Key: "threshold_mode", Type: param.Enum, Default: "rel", Choices: []string{"rel", "abs"},
		Doc: "threshold relative to the best value, or absolute"},
	{Key: "cooldown", Type: param.Int, Default: 0, Range: param.AtLeast(0),
		Doc: "evaluations after a reduction during which none counts as bad"},
	minLR("the rate is never reduced below it"),
	{Key: "eps", Type: param.Float, Default: 1e-8, Range: param.AtLeast(0),
		Doc: "a reduction smaller than this is skipped"}},
	check: checkMinLR, rates: plateauRates, epochOnly: true,
	Doc: "lr₀ multiplied by factor when the monitored loss stops improving; ReduceLROnPlateau"}

// plateauRates is PyTorch 1.13's ReduceLROnPlateau(mode, factor, patience, threshold,
// threshold_mode, cooldown, min_lr, eps), the one schedule fed by the run: Rates.Observe is
// called with the monitored metric after each evaluation (train.eval_every epochs apart, so
// that patience and cooldown count evaluations, as they count calls of PyTorch's step), and
// Rates.LR returns the rate the evaluations so far leave, whatever t. Rates.Monitor is the
// metric when monitor is set, and "" for the default, which the training loop resolves
// (test_loss when the run has a test set, train_loss otherwise). Unit epoch only: the rate
// changes only between epochs.
//
// The state starts at lr = lr0, best = +∞ (mode min) or −∞ (mode max), bad = 0, cool = 0.
// Observe(a):
//
//	better: a < best·(1 − threshold)   (min, rel)    a < best − threshold   (min, abs)
//	        a > best·(threshold + 1)   (max, rel)    a > best + threshold   (max, abs)
//	if better: best = a, bad = 0; else bad = bad + 1
//	if cool > 0: cool = cool − 1, bad = 0
//	if bad > patience: new = max(lr·factor, min_lr); if lr − new > eps: lr = new
//	                   cool = cooldown, bad = 0
//
// A NaN metric is never better, as in PyTorch. Unlike PyTorch's class, this one cannot sit in
// sequential (SequentialLR takes no ReduceLROnPlateau either).
func plateauRates(p param.Values, r run) Rates {
	pl := &plateau{lr: r.lr0, best: math.Inf(1), factor: p.Float("factor"), patience: p.Int("patience"),
		threshold: p.Float("threshold"), cooldown: p.Int("cooldown"), minLR: p.Float("min_lr"),
		eps: p.Float("eps"), max: p.String("mode") == "max", abs: p.String("threshold_mode") == "abs"}
	if pl.max {
		pl.best = math.Inf(-1)
	}
	monitor, _ := p["monitor"].(string)
	return Rates{LR: func(int) float64 { return pl.lr }, Observe: pl.observe, Monitor: monitor, State: pl.state}
}

// plateau is the state of reduce-on-plateau.
type plateau struct {
	lr, best                      float64
	bad, cool                     int // evaluations without improvement; of cooldown left
	factor, threshold, minLR, eps float64
	patience, cooldown            int
	max, abs                      bool // mode max; threshold_mode abs
}

// state is what Observe changes: the current rate, the best value so far, the count of bad
// evaluations and the evaluations of cooldown left (PyTorch's group["lr"], best,
// num_bad_epochs and cooldown_counter).
func (pl *plateau) state() []any { return []any{&pl.lr, &pl.best, &pl.bad, &pl.cool} }

func (pl *plateau) better(a float64) bool {
	switch {
	case !pl.max && !pl.abs:
		return a < pl.best*(1-pl.threshold)
	case !pl.max:
		return a < pl.best-pl.threshold
	case !pl.abs:
		return a > pl.best*(pl.threshold+1)
	}
	return a > pl.best+pl.threshold
}

func (pl *plateau) observe(a float64) {
	if pl.better(a) {
		pl.best, pl.bad = a, 0
	} else {
		pl.bad++
	}
	if pl.cool > 0 {
		pl.cool--
		pl.bad = 0
	}
	if pl.bad > pl.patience {
		if next := max(pl.lr*pl.factor, pl.minLR); pl.lr-next > pl.eps {
			pl.lr = next
		}
		pl.cool, pl.bad = pl.cooldown, 0
	}
}
