package verdict

import (
	"math"
	"testing"

	"github.com/optimbench/optimbench/internal/benchmark"
)

// The p-values were computed by integrating PyTorch's StudentT density
// (torch.distributions.StudentT, float64) over the two tails.
func TestWelchP(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b Stat
		want float64
	}{
		{"equal variances", Stat{0, 1, 10}, Stat{1, 1, 10}, 0.038249626317014326},
		{"unequal", Stat{0.9, 0.02, 5}, Stat{0.88, 0.05, 3}, 0.5662101982790935},
		{"no spread, same", Stat{1, 0, 3}, Stat{1, 0, 3}, 1},
		{"no spread, different", Stat{1, 0, 3}, Stat{2, 0, 3}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := WelchP(tc.a, tc.b); math.Abs(got-tc.want) > 1e-7 {
				t.Errorf("WelchP(%v, %v) = %.10g, want %.10g", tc.a, tc.b, got, tc.want)
			}
		})
	}
	if got := WelchP(Stat{1, 0.1, 1}, Stat{2, 0.1, 5}); !math.IsNaN(got) {
		t.Errorf("one seed: WelchP = %g, want NaN", got)
	}
}

func TestWithinNoise(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b Stat
		want bool
	}{
		{"significant", Stat{0, 1, 10}, Stat{1, 1, 10}, false},
		{"not significant", Stat{0.9, 0.02, 5}, Stat{0.88, 0.05, 3}, true},
		{"one seed, overlap", Stat{1, 0.2, 1}, Stat{1.3, 0.2, 1}, true},
		{"one seed, apart", Stat{1, 0.1, 1}, Stat{1.3, 0.1, 1}, false},
		{"one seed, no std", Stat{1, math.NaN(), 1}, Stat{1.3, math.NaN(), 1}, false},
		{"not finite", Stat{math.NaN(), 0, 3}, Stat{1, 0, 3}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := WithinNoise(tc.a, tc.b); got != tc.want {
				t.Errorf("WithinNoise(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

func TestRuleLabel(t *testing.T) {
	for in, want := range map[string]string{"final_test_loss": "final test loss", "best_test_acc": "best test accuracy",
		"train_loss": "training loss", "": "final test loss"} {
		if got := ruleLabel(in); got != want {
			t.Errorf("ruleLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

// Each problem's figures are labelled by the rule its settings were scored by: the fixture's
// two_d_beale has no test set, so its final_test_loss rule reads the training loss.
func TestProblemRule(t *testing.T) {
	a, err := benchmark.ReadAnalysis("testdata/tiny")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range a.Problems {
		want := a.Protocol.Rule
		if p.Name == "two_d_beale" {
			want = "final_train_loss"
		}
		if got := problemRule(a, p); got != want {
			t.Errorf("%s: rule %q, want %q", p.Name, got, want)
		}
	}
	a.Results[0].Rule = "best_train_acc"
	if got := problemRule(a, benchmark.ProblemInfo{Name: a.Results[0].Problem}); got != "best_train_acc" {
		t.Errorf("the results' own rule: got %q", got)
	}
}

func TestPlural(t *testing.T) {
	if plural(1, "seed") != "1 seed" || plural(0, "seed") != "0 seeds" || plural(10, "seed") != "10 seeds" {
		t.Errorf("plural: %q %q %q", plural(1, "seed"), plural(0, "seed"), plural(10, "seed"))
	}
}
