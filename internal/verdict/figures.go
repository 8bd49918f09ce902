package verdict

import (
	"fmt"
	"math"
	"strings"

	"github.com/optimbench/optimbench/internal/benchmark"
	"github.com/optimbench/optimbench/internal/plot"
)

// figure is one figure of the report: a file name (without extension), a
// heading, a caption and the panels to draw.
type figure struct {
	Name, Heading, Caption string
	Panels                 plot.Panels
}

// curveMetric is a row of the performance plot.
type curveMetric struct {
	label  string
	higher bool
	test   bool // needs a test set
	acc    bool // needs a classifier
	get    func(*benchmark.Curve) []benchmark.Num
}

// curveMetrics are DeepOBS's four rows: test loss, test accuracy, train loss, train accuracy.
var curveMetrics = []curveMetric{
	{"test loss", false, true, false, func(c *benchmark.Curve) []benchmark.Num { return c.TestLoss }},
	{"test accuracy", true, true, true, func(c *benchmark.Curve) []benchmark.Num { return c.TestAcc }},
	{"training loss", false, false, false, func(c *benchmark.Curve) []benchmark.Num { return c.TrainLoss }},
	{"training accuracy", true, false, true, func(c *benchmark.Curve) []benchmark.Num { return c.TrainAcc }},
}

// figures are the report's figures, in order.
func (r *Report) figures() []figure {
	return []figure{r.performanceFigure(), r.sensitivityFigure(), r.profileFigure(), r.budgetFigure()}
}

// performanceFigure is DeepOBS's performance plot: one column per problem, one row per
// metric, each optimizer's mean over the rerun seeds with a band of ± std.
func (r *Report) performanceFigure() figure {
	a := r.a
	cols := len(a.Problems)
	var panels []plot.Panel
	for row, m := range curveMetrics {
		for _, p := range a.Problems {
			// Every curve starts from the same evaluation at epoch 0 (the initial weights of
			// the seed), and the first epochs lie far from the end: in the y-range, they
			// would flatten the differences there.
			pn := plot.Panel{XLabel: "epoch", YLabel: m.label, HigherBetter: m.higher, YFromX: yFrom(p.Epochs)}
			if row == 0 {
				pn.Title = p.Name
			}
			switch {
			case m.test && !p.HasTest:
				pn.Note = "no test set"
			case m.acc && !p.HasAcc:
				pn.Note = "no accuracy"
			default:
				pn.Series = r.curveSeries(p.Name, m)
			}
			panels = append(panels, pn)
		}
	}
	return figure{
		Name: "performance", Heading: "Performance plot",
		Caption: fmt.Sprintf("DeepOBS's performance plot: each optimizer's chosen setting rerun over %s; the line is the mean by epoch, the band ± one standard deviation over the seeds. The y-axes span the values from epoch max(1, ⌊E/10⌋) on, E the problem's epochs (from epoch 0 where E is 1): epoch 0, the initial weights, the same for every optimizer, and the first tenth of a long run may lie off the chart.", seedsText(a)),
		Panels:  plot.Panels{Panels: panels, Cols: cols, Width: math.Max(16, 6.5*float64(cols)), Height: 4*5.2 + 1.6},
	}
}

// yFrom is the first epoch the performance plot's y-range spans on a problem of epochs:
// max(1, ⌊epochs/10⌋), or 0 (every point) on a one-epoch problem, whose curves are only the
// line from epoch 0 to 1: from epoch 1 on, a panel would show the end of each line and none
// of its course.
func yFrom(epochs int) float64 {
	if epochs <= 1 {
		return 0
	}
	return float64(max(1, epochs/10))
}

// curveSeries are the mean curves of every optimizer on prob for m.
func (r *Report) curveSeries(prob string, m curveMetric) []plot.Series {
	var out []plot.Series
	for i, o := range r.a.Optimizers {
		res := r.a.Get(prob, o.Name)
		if res == nil || len(res.Seeds) == 0 {
			continue
		}
		s := plot.Series{Label: o.Name, Color: i}
		mean, std := m.get(&res.Mean), m.get(&res.Std)
		for k, e := range res.Mean.Epoch {
			if k >= len(mean) {
				break
			}
			s.X = append(s.X, float64(e))
			s.Y = append(s.Y, float64(mean[k]))
			if len(res.Seeds) > 1 && k < len(std) {
				s.Std = append(s.Std, float64(std[k]))
			}
		}
		out = append(out, s)
	}
	return out
}

// sensitivityFigure plots each problem's tuning score against the learning rate.
func (r *Report) sensitivityFigure() figure {
	a := r.a
	var panels []plot.Panel
	for _, p := range a.Problems {
		pr := problemRule(a, p)
		pn := plot.Panel{Title: p.Name, XLabel: "learning rate", YLabel: ruleLabel(pr),
			LogX: plot.ScaleLog, HigherBetter: ruleMetric(pr).higher}
		epochs := sensEpochs(a, p.Name)
		for i, o := range a.Optimizers {
			res := a.Get(p.Name, o.Name)
			if res == nil {
				continue
			}
			s := plot.Series{Label: lengthLabel(o.Name, res.Sensitivity.Epochs, epochs), Color: i, Markers: true}
			for _, pt := range res.Sensitivity.Points {
				switch {
				case !pt.LR.OK() || pt.LR <= 0:
				case pt.Score.OK():
					s.X, s.Y = append(s.X, float64(pt.LR)), append(s.Y, float64(pt.Score))
				default:
					s.Diverged = append(s.Diverged, float64(pt.LR))
				}
			}
			if len(s.X)+len(s.Diverged) > 0 {
				pn.Series = append(pn.Series, s)
			}
		}
		if len(pn.Series) == 0 {
			pn.Note = "no learning rate was searched"
		}
		if epochs > 0 {
			pn.Title = fmt.Sprintf("%s (%s)", p.Name, plural(epochs, "epoch"))
		}
		panels = append(panels, pn)
	}
	cols := min(len(panels), 3)
	rows := (len(panels) + cols - 1) / cols
	return figure{
		Name: "sensitivity", Heading: "Learning-rate sensitivity",
		Caption: fmt.Sprintf("Tuneability: the selection rule's value (%s) of every tuning run on seed %d against its learning rate, at the length in the panel's title (a halving search's first rung, where every candidate ran); × marks a setting that diverged or failed (it has no value), in the shaded strip.", ruleLabel(a.Protocol.Rule), a.Protocol.TuneSeed),
		Panels:  plot.Panels{Panels: panels, Cols: cols, Width: math.Max(16, 8*float64(cols)), Height: 6.5*float64(rows) + 1.6},
	}
}

// profileFigure is AlgoPerf's performance profile ρ(τ).
func (r *Report) profileFigure() figure {
	a := r.a
	measure := a.Profile.Measure
	if measure == "" {
		measure = "epochs to the target"
	}
	pn := plot.Panel{Title: "Performance profile", XLabel: "τ (" + measure + " ÷ the fastest optimizer's)",
		YLabel: "ρ(τ) (share of problems)", FixedY: true, YMin: 0, YMax: 1.02}
	n := len(a.Profile.Rho)
	for k, rc := range a.Profile.Rho {
		i := r.colour(rc.Optimizer)
		// Profiles often coincide: each line is drawn over the ones before it and narrower,
		// so that the ones below still show along its sides.
		s := plot.Series{Label: rc.Optimizer, Color: i, Step: true, Width: 1.6 + 1.1*float64(n-1-k)}
		for k, t := range a.Profile.Tau {
			if k < len(rc.Rho) {
				s.X, s.Y = append(s.X, t), append(s.Y, rc.Rho[k])
			}
		}
		pn.Series = append(pn.Series, s)
	}
	if len(pn.Series) == 0 {
		pn.Note = "no optimizer reached a target"
	}
	return figure{
		Name: "profile", Heading: "Performance profile",
		Caption: fmt.Sprintf("AlgoPerf's performance profile over the %d problems: ρ(τ) is the share of problems on which an optimizer's time (%s) is within a factor τ of the fastest optimizer's; an optimizer that never reaches a problem's target stays below 1.", len(a.Problems), measure),
		Panels:  plot.Panels{Panels: []plot.Panel{pn}, Width: 16, Height: 10},
	}
}

// budgetFigure is Crowded Valley's expected best result against the number of tuning trials.
func (r *Report) budgetFigure() figure {
	a := r.a
	var panels []plot.Panel
	for _, p := range a.Problems {
		pr := problemRule(a, p)
		pn := plot.Panel{Title: p.Name, XLabel: "tuning trials k", YLabel: "expected best " + ruleLabel(pr), HigherBetter: ruleMetric(pr).higher}
		epochs := sensEpochs(a, p.Name)
		for i, o := range a.Optimizers {
			res := a.Get(p.Name, o.Name)
			if res == nil || len(res.Budget.Points) == 0 {
				continue
			}
			s := plot.Series{Label: lengthLabel(o.Name, res.Budget.Epochs, epochs), Color: i, Markers: len(res.Budget.Points) <= 12}
			for _, bp := range res.Budget.Points {
				s.X, s.Y = append(s.X, float64(bp.K)), append(s.Y, float64(expected(bp)))
				s.Lo, s.Hi = append(s.Lo, float64(bp.Q25)), append(s.Hi, float64(bp.Q75))
			}
			pn.Series = append(pn.Series, s)
		}
		if len(pn.Series) == 0 {
			pn.Note = "no tuning runs"
		}
		if epochs > 0 { // the length the trials are scored at, as in the sensitivity plot
			pn.Title = fmt.Sprintf("%s (%s)", p.Name, plural(epochs, "epoch"))
		}
		panels = append(panels, pn)
	}
	cols := min(len(panels), 3)
	rows := (len(panels) + cols - 1) / cols
	return figure{
		Name: "budget", Heading: "Tuning budget",
		Caption: fmt.Sprintf("Crowded Valley's tuning-budget curve: the expected best %s among k tuning trials drawn with replacement from the tuning runs, each scored at the length in the panel's title (a halving search's first rung, where every candidate ran; the sensitivity plot's); the band spans the quartiles of %d bootstrap draws per k. Draws in which every trial diverged are left out of the mean; their share is in the table.", ruleLabel(a.Protocol.Rule), a.Protocol.BootstrapSamples),
		Panels:  plot.Panels{Panels: panels, Cols: cols, Width: math.Max(16, 8*float64(cols)), Height: 6.5*float64(rows) + 1.6},
	}
}

// expected is the expected best of k trials: the exact value where the analysis has it, else
// the bootstrap's mean.
func expected(bp benchmark.BudgetPoint) benchmark.Num {
	if bp.Expected.OK() {
		return bp.Expected
	}
	return bp.Mean
}

// colour is the palette index of an optimizer: its place in the benchmark's list, the same
// in every figure.
func (r *Report) colour(name string) int {
	for i, o := range r.a.Optimizers {
		if o.Name == name {
			return i
		}
	}
	return len(r.a.Optimizers)
}

// ruleLabel names a selection rule or metric for a reader: final_test_loss → final test
// loss, train_acc → training accuracy.
// problemRule is the rule problem p's settings were scored by: the one its results record,
// or the protocol's as the problem can apply it (loss for accuracy, training for test).
func problemRule(a *benchmark.Analysis, p benchmark.ProblemInfo) string {
	for _, res := range a.Results {
		if res.Problem == p.Name && res.Rule != "" {
			return res.Rule
		}
	}
	if r, err := benchmark.ParseRule(a.Protocol.Rule); err == nil {
		return r.For(p.HasTest, p.HasAcc).String()
	}
	return a.Protocol.Rule
}

func ruleLabel(rule string) string {
	if rule == "" {
		return "final test loss"
	}
	words := strings.Split(rule, "_")
	for i, w := range words {
		switch w {
		case "acc":
			words[i] = "accuracy"
		case "train":
			words[i] = "training"
		}
	}
	return strings.Join(words, " ")
}

// sensEpochs is the longest length at which a problem's tuning runs are compared (a halving
// search compares at its first rung, a full search at the full length).
func sensEpochs(a *benchmark.Analysis, problem string) int {
	n := 0
	for _, res := range a.Results {
		if res.Problem == problem {
			n = max(n, res.Sensitivity.Epochs)
		}
	}
	return n
}

// lengthLabel names an optimizer's series, with its length when its runs are shorter than
// the panel's (halving's first rung beside full-length searches), so that values of
// different lengths are not read as comparable.
func lengthLabel(name string, epochs, full int) string {
	if epochs > 0 && epochs < full {
		return fmt.Sprintf("%s (%s)", name, plural(epochs, "epoch"))
	}
	return name
}

func seedsText(a *benchmark.Analysis) string { return plural(len(a.Protocol.Seeds), "seed") }

// plural is "1 seed", "3 seeds".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
