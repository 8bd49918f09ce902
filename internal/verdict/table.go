package verdict

import (
	"fmt"
	"math"
	"strings"

	"github.com/optimbench/optimbench/internal/benchmark"
)

// perfMetric is a performance column of the table.
type perfMetric struct {
	key, label string
	higher     bool
	test, acc  bool // needs a test set; needs a classifier
	get        func(*benchmark.Performance) benchmark.Stat
}

// perfMetrics are DeepOBS's results: final and best test loss and accuracy, then the final
// training loss and accuracy (the problems without a test set have only those).
var perfMetrics = []perfMetric{
	{"final_test_loss", "final test loss", false, true, false, func(p *benchmark.Performance) benchmark.Stat { return p.FinalTestLoss }},
	{"best_test_loss", "best test loss", false, true, false, func(p *benchmark.Performance) benchmark.Stat { return p.BestTestLoss }},
	{"final_test_acc", "final test accuracy", true, true, true, func(p *benchmark.Performance) benchmark.Stat { return p.FinalTestAcc }},
	{"best_test_acc", "best test accuracy", true, true, true, func(p *benchmark.Performance) benchmark.Stat { return p.BestTestAcc }},
	{"final_train_loss", "final training loss", false, false, false, func(p *benchmark.Performance) benchmark.Stat { return p.FinalTrainLoss }},
	{"final_train_acc", "final training accuracy", true, false, true, func(p *benchmark.Performance) benchmark.Stat { return p.FinalTrainAcc }},
}

// ruleMetric is the performance metric of a selection rule (final_test_loss when the rule
// names none of them).
func ruleMetric(rule string) perfMetric {
	for _, m := range perfMetrics {
		if m.key == rule {
			return m
		}
	}
	if strings.HasSuffix(rule, "acc") {
		return perfMetrics[2]
	}
	return perfMetrics[0]
}

// verdictMetric is the metric the winner of a problem is named by: the rule's, or the final
// training value of its kind when the problem has no test set.
func verdictMetric(rule string, p benchmark.ProblemInfo) perfMetric {
	m := ruleMetric(rule)
	if m.test && !p.HasTest {
		if m.acc && p.HasAcc {
			return perfMetrics[5]
		}
		return perfMetrics[4]
	}
	if m.acc && !p.HasAcc {
		return perfMetrics[0]
	}
	return m
}

// sample is a seeds' Stat with the sample standard deviation the t-test needs: analysis.json
// holds the population one (numpy's std, as DeepOBS), s = σ·√(n/(n−1)).
func sample(s benchmark.Stat) Stat {
	st := Stat{Mean: float64(s.Mean), Std: float64(s.Std), N: s.N}
	if !s.Mean.OK() {
		st.Mean = math.NaN()
	}
	if s.N > 1 && s.Std.OK() {
		st.Std *= math.Sqrt(float64(s.N) / float64(s.N-1))
	}
	return st
}

// better tells whether a is better than b on m (a value beats no value).
func better(a, b float64, higher bool) bool {
	switch {
	case math.IsNaN(a):
		return false
	case math.IsNaN(b):
		return true
	case higher:
		return a > b
	}
	return a < b
}

// ranking is the optimizers of one problem ranked on one metric.
type ranking struct {
	order []int  // indexes into the Stats, best first; those without a value last
	stats []Stat // by optimizer
	tie   []bool // within seed noise of the best
	p     []float64
}

// rank orders stats on a metric and marks which are within seed noise of the best.
func rank(stats []Stat, higher bool) ranking {
	r := ranking{stats: stats, tie: make([]bool, len(stats)), p: make([]float64, len(stats))}
	for i := range stats {
		r.order = append(r.order, i)
	}
	for i := 1; i < len(r.order); i++ { // insertion sort: stable, ties by the benchmark's order
		for j := i; j > 0 && better(stats[r.order[j]].Mean, stats[r.order[j-1]].Mean, higher); j-- {
			r.order[j], r.order[j-1] = r.order[j-1], r.order[j]
		}
	}
	if len(r.order) == 0 || math.IsNaN(stats[r.order[0]].Mean) {
		return r
	}
	best := stats[r.order[0]]
	for _, i := range r.order[1:] {
		r.p[i] = WelchP(best, stats[i])
		r.tie[i] = WithinNoise(best, stats[i])
	}
	return r
}

// winner is the index of the best optimizer, -1 when none has a value.
func (r ranking) winner() int {
	if len(r.order) == 0 || math.IsNaN(r.stats[r.order[0]].Mean) {
		return -1
	}
	return r.order[0]
}

// formatStat writes a mean ± std (the population std analysis.json holds), accuracies in
// per cent.
func formatStat(s benchmark.Stat, acc bool) string {
	if !s.Mean.OK() {
		return "—"
	}
	mean, std := float64(s.Mean), float64(s.Std)
	if acc {
		if s.N > 1 && s.Std.OK() {
			return fmt.Sprintf("%.2f ± %.2f %%", 100*mean, 100*std)
		}
		return fmt.Sprintf("%.2f %%", 100*mean)
	}
	if s.N > 1 && s.Std.OK() {
		return fmt.Sprintf("%.4g ± %.2g", mean, std)
	}
	return fmt.Sprintf("%.4g", mean)
}

// formatP writes a p-value.
func formatP(p float64) string {
	switch {
	case math.IsNaN(p):
		return "no p-value (fewer than 2 seeds)"
	case p < 0.001:
		return "Welch p < 0.001"
	}
	return fmt.Sprintf("Welch p = %.2g", p)
}
