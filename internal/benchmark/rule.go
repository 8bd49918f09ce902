package benchmark

import (
	"fmt"
	"slices"
	"strings"

	"github.com/optimbench/optimbench/internal/report"
)

// Rule is a selection rule (SPEC §10): DeepOBS's final or best value of a metric, the final
// value being the last evaluation's and the best the best over the run's evaluations.
type Rule struct {
	Mode   string // final | best
	Metric string // test_loss | test_acc | train_loss | train_acc
}

// Rules are the selection rules a benchmark accepts.
var Rules = []string{"final_test_loss", "best_test_loss", "final_test_acc", "best_test_acc",
	"final_train_loss", "best_train_loss", "final_train_acc", "best_train_acc"}

// ParseRule reads a rule such as final_test_loss.
func ParseRule(s string) (Rule, error) {
	mode, metric, ok := strings.Cut(s, "_")
	for _, r := range Rules {
		if r == s && ok {
			return Rule{Mode: mode, Metric: metric}, nil
		}
	}
	return Rule{}, fmt.Errorf("unknown rule %q (one of %s)", s, strings.Join(Rules, ", "))
}

func (r Rule) String() string { return r.Mode + "_" + r.Metric }

// For is the rule a problem is scored by: r, with the loss in place of an accuracy when the
// problem has none (a regression or DeepOBS's toy problems; DeepOBS's analyzer falls back to
// the loss likewise) and the training metric in place of the test one without a test set.
func (r Rule) For(hasTest, hasAcc bool) Rule {
	if !hasAcc {
		r.Metric = strings.Replace(r.Metric, "_acc", "_loss", 1)
	}
	if !hasTest {
		r.Metric = strings.Replace(r.Metric, "test_", "train_", 1)
	}
	return r
}

// Higher says whether a larger value is better (an accuracy).
func (r Rule) Higher() bool { return strings.HasSuffix(r.Metric, "_acc") }

// Score is the rule's value for a run's summary; no value (NaN) for a run that diverged or
// failed, or that lacks the metric. A problem without a test set or accuracies is scored by
// the rule For gives it.
func (r Rule) Score(s *report.Summary) Num {
	if s == nil || s.Status != report.StatusDone {
		return NaN()
	}
	m := s.Final
	if r.Mode == "best" {
		m = s.Best
	}
	return metricOf(m, r.Metric)
}

// rule is the rule res was scored by (def for an analysis written before Result.Rule).
func (res *Result) rule(def Rule) Rule {
	if r, err := ParseRule(res.Rule); err == nil {
		return r
	}
	return def
}

// metricOf picks a metric of Metrics by name.
func metricOf(m report.Metrics, metric string) Num {
	var p *float64
	switch metric {
	case "test_loss":
		p = m.TestLoss
	case "test_acc":
		p = m.TestAcc
	case "train_loss":
		p = m.TrainLoss
	case "train_acc":
		p = m.TrainAcc
	}
	if p == nil {
		return NaN()
	}
	return Num(*p)
}

// better reports whether score a beats b under the rule: a value beats no value, and a tie is
// not a win (so that ties go to the earlier candidate).
func better(a, b Num, higher bool) bool {
	switch {
	case !a.OK():
		return false
	case !b.OK():
		return true
	case higher:
		return a > b
	}
	return a < b
}

// rank orders candidate indexes by score, best first; those without a value last; ties and
// valueless ones by index (a stable sort).
func rank(scores []Num, higher bool) []int {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case better(scores[a], scores[b], higher):
			return -1
		case better(scores[b], scores[a], higher):
			return 1
		}
		return 0
	})
	return idx
}
