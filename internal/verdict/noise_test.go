package verdict

import (
	"math"
	"testing"
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
