package benchmark

import (
	"math"
	"testing"
)

// Published values of the Halton sequence (Halton 1960; e.g. Wikipedia's "Halton sequence"):
// base 2 is van der Corput's 1/2, 1/4, 3/4, 1/8, 5/8, 3/8, 7/8, 1/16, 9/16; base 3 is 1/3,
// 2/3, 1/9, 4/9, 7/9, 2/9, 5/9, 8/9, 1/27.
func TestHaltonPublished(t *testing.T) {
	base2 := []float64{1. / 2, 1. / 4, 3. / 4, 1. / 8, 5. / 8, 3. / 8, 7. / 8, 1. / 16, 9. / 16}
	base3 := []float64{1. / 3, 2. / 3, 1. / 9, 4. / 9, 7. / 9, 2. / 9, 5. / 9, 8. / 9, 1. / 27}
	for i := range base2 {
		got := Halton(i+1, 3)
		if math.Abs(got[0]-base2[i]) > 1e-15 || math.Abs(got[1]-base3[i]) > 1e-15 {
			t.Errorf("Halton(%d) = %v, want [%v %v …]", i+1, got[:2], base2[i], base3[i])
		}
	}
	// base 5, point 7 = 12 in base 5 → 0.21 in base 5 = 2/5 + 1/25
	if got := Halton(7, 3)[2]; math.Abs(got-11./25) > 1e-15 {
		t.Errorf("Halton(7) base 5 = %v, want 11/25", got)
	}
}

func TestHaltonCandidates(t *testing.T) {
	b := readBench(t, tinyBench(t, "", `
  h:
    optimizer: {name: adam}
    search:
      method: halton
      trials: 3
      space:
        optimizer.lr: {log_uniform: [1.0e-4, 1.0]}
        optimizer.beta1: {uniform: [0.8, 1.0]}`))
	c, err := candidates(b.Optimizers[len(b.Optimizers)-1].Search, 1)
	if err != nil {
		t.Fatal(err)
	}
	// trial 1: u = (1/2, 1/3): lr = 1e-4·1e4^(1/2) = 1e-2, beta1 = 0.8 + 0.2/3
	if lr, b1 := c[0][0].Value.(float64), c[0][1].Value.(float64); math.Abs(lr-1e-2) > 1e-15 || math.Abs(b1-(0.8+0.2/3)) > 1e-15 {
		t.Errorf("first Halton trial %v, want lr 0.01, beta1 0.8667", c[0])
	}
	if c[0][0].Key != "optimizer.lr" || c[0][1].Key != "optimizer.beta1" {
		t.Errorf("keys %v: want the file's order", c[0])
	}
}

// Hand-computed: problem A times 2, 4, ∞; problem B times 6, 3, 4. Ratios A: 1, 2, ∞; B: 2,
// 1, 4/3. τ runs from 1 to the largest finite ratio, 2: at τ = 1, 1.5, 2 ρ_x = 1/2, 1/2, 1;
// ρ_y = 1/2, 1/2, 1; ρ_z = 0, 1/2, 1/2.
func TestPerformanceProfile(t *testing.T) {
	inf := math.Inf(1)
	pr := PerformanceProfile([]string{"A", "B"}, []string{"x", "y", "z"}, [][]float64{{2, 4, inf}, {6, 3, 4}}, 3)
	if len(pr.Tau) != 3 || pr.Tau[0] != 1 || pr.Tau[1] != 1.5 || pr.Tau[2] != 2 {
		t.Fatalf("tau %v, want [1 1.5 2]", pr.Tau)
	}
	want := map[string][]float64{"x": {0.5, 0.5, 1}, "y": {0.5, 0.5, 1}, "z": {0, 0.5, 0.5}}
	for _, c := range pr.Rho {
		for i, r := range c.Rho {
			if r != want[c.Optimizer][i] {
				t.Errorf("rho_%s = %v, want %v", c.Optimizer, c.Rho, want[c.Optimizer])
				break
			}
		}
	}
	if r := pr.Ratios[2]; r.Optimizer != "z" || r.Ratio.OK() {
		t.Errorf("z on A: ratio %v, want none (not reached)", r.Ratio)
	}
	if r := pr.Ratios[3]; r.Ratio != 2 {
		t.Errorf("x on B: ratio %v, want 2", r.Ratio)
	}
}

// Hand-computed: scores {1, 3} (lower is better). The best of 2 draws is 1 unless both draw
// 3: E = 3/4·1 + 1/4·3 = 1.5. With a diverged third trial, n = 3, m = 2: the best of 1 draw
// has a value with probability 2/3 and then averages 2; the best of 2 is 1 with probability
// (3² − 2²)/9 = 5/9, 3 with (2² − 1)/9 = 3/9, none with 1/9: E = (5 + 9)/8 = 1.75.
func TestBudgetCurve(t *testing.T) {
	pts := BudgetCurve([]Num{1, 3}, false, 20000, 1, "p/o")
	if pts[1].Expected != 1.5 || math.Abs(float64(pts[1].Mean)-1.5) > 0.02 {
		t.Errorf("k=2: expected %v, bootstrap mean %v, want 1.5", pts[1].Expected, pts[1].Mean)
	}
	if pts[0].Median != 2 && pts[0].Median != 1 && pts[0].Median != 3 {
		t.Errorf("k=1 median %v", pts[0].Median)
	}
	pts = BudgetCurve([]Num{3, NaN(), 1}, false, 20000, 1, "p/o")
	if pts[0].Expected != 2 || math.Abs(pts[0].PDiverged-1./3) > 0.02 {
		t.Errorf("k=1: expected %v (want 2), p_diverged %v (want 1/3)", pts[0].Expected, pts[0].PDiverged)
	}
	if math.Abs(float64(pts[1].Expected)-1.75) > 1e-12 || math.Abs(float64(pts[1].Mean)-1.75) > 0.02 || math.Abs(pts[1].PDiverged-1./9) > 0.02 {
		t.Errorf("k=2: expected %v, mean %v (want 1.75), p_diverged %v (want 1/9)", pts[1].Expected, pts[1].Mean, pts[1].PDiverged)
	}
	// accuracies: higher is better
	if pts := BudgetCurve([]Num{0.5, 0.9}, true, 100, 1, "p/o"); math.Abs(float64(pts[1].Expected)-(0.75*0.9+0.25*0.5)) > 1e-12 {
		t.Errorf("accuracy k=2 expected %v", pts[1].Expected)
	}
	a, b := BudgetCurve([]Num{1, 2, 3}, false, 50, 7, "k"), BudgetCurve([]Num{1, 2, 3}, false, 50, 7, "k")
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("the bootstrap is not deterministic: %v vs %v", a[i], b[i])
		}
	}
}

func TestRankTiesAndDiverged(t *testing.T) {
	got := rank([]Num{2, NaN(), 1, 2, 1}, false)
	want := []int{2, 4, 0, 3, 1}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("rank = %v, want %v (ties by order, no value last)", got, want)
		}
	}
	if got := rank([]Num{0.5, 0.9, NaN()}, true); got[0] != 1 {
		t.Errorf("accuracy rank %v, want 1 first", got)
	}
}

func TestRungs(t *testing.T) {
	for _, c := range []struct {
		min, eta, epochs int
		want             []int
	}{{1, 3, 9, []int{1, 3, 9}}, {1, 3, 10, []int{1, 3, 9, 10}}, {2, 2, 8, []int{2, 4, 8}}, {5, 3, 3, []int{3}},
		// eta·r would overflow (a hang growing memory without bound, before the fix)
		{2, 1 << 62, 8, []int{2, 8}}, {1 << 40, 1 << 30, 1<<62 + 1, []int{1 << 40, 1<<62 + 1}}, {1, 3, math.MaxInt, nil}} {
		got := Rungs(c.min, c.eta, c.epochs)
		if c.want == nil { // 3^k up to 3^39, then the full length
			if len(got) != 41 || got[39] != 4052555153018976267 || got[40] != math.MaxInt {
				t.Errorf("Rungs(1, 3, MaxInt) = %v", got)
			}
			continue
		}
		if len(got) != len(c.want) {
			t.Errorf("Rungs(%d, %d, %d) = %v, want %v", c.min, c.eta, c.epochs, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("Rungs(%d, %d, %d) = %v, want %v", c.min, c.eta, c.epochs, got, c.want)
			}
		}
	}
}

func TestLogGrid(t *testing.T) {
	g := LogGrid(1e-3, 1, 7)
	if g[2] != 0.01 || g[4] != 0.1 || g[6] != 1 || g[0] != 1e-3 {
		t.Errorf("LogGrid = %v, want decades exact", g)
	}
	if len(DeepOBSLRGrid.LR) != 36 || DeepOBSLRGrid.LR[0] != 1e-5 || DeepOBSLRGrid.LR[35] != 100 {
		t.Errorf("DeepOBS grid %v", DeepOBSLRGrid.LR)
	}
}
