package optim

import (
	"math"
	"testing"
)

// The lecture's quiz on Nesterov's accelerated gradient (SPEC §4): NAG as
// first written evaluates the gradient at a look-ahead point,
//
//	m ← μm + lr·∇f(θ − μm) ; θ ← θ − m,
//
// which a training loop cannot do (it has the gradient at the current
// parameters only). The quiz asks for the update of the look-ahead point
// φ = θ − μm, whose gradient is the one computed; the answer is
//
//	m ← μ·m_old + lr·∇f(φ) ; φ ← φ + μ·m_old − (1+μ)·m,
//
// and with a constant learning rate (m = lr·b) it is PyTorch's nesterov,
// b ← μb + g ; φ ← φ − lr·(g + μb). These tests run all three side by side
// and check that they follow one trajectory.

// rosenbrockGrad is the gradient of (1−x)² + 100(y−x²)²: a non-quadratic
// function, so that agreement is not an accident of linearity.
func rosenbrockGrad(g, p []float64) {
	x, y := p[0], p[1]
	g[0] = -2*(1-x) - 400*x*(y-x*x)
	g[1] = 200 * (y - x*x)
}

// quadraticGrad is the gradient of ½(x² + 50y²), ill-conditioned.
func quadraticGrad(g, p []float64) {
	g[0] = p[0]
	g[1] = 50 * p[1]
}

func TestLectureNAGQuiz(t *testing.T) {
	for _, tc := range []struct {
		name   string
		grad   func(g, p []float64)
		start  []float64
		lr, mu float64
		steps  int
	}{
		{"quadratic", quadraticGrad, []float64{1, 1}, 0.015, 0.9, 200},
		{"rosenbrock", rosenbrockGrad, []float64{-1.5, 2}, 2e-4, 0.9, 2000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := len(tc.start)
			opt, err := New("nesterov", map[string]any{"momentum": tc.mu}, Flat(n))
			if err != nil {
				t.Fatal(err)
			}
			torch := append([]float64(nil), tc.start...) // optimbench's nesterov (PyTorch's form)
			quiz := append([]float64(nil), tc.start...)  // φ, the quiz's answer
			quizM := make([]float64, n)
			theta := append([]float64(nil), tc.start...) // the look-ahead form: θ, with φ = θ − μm
			lookM := make([]float64, n)
			g, look := make([]float64, n), make([]float64, n)
			var worstQuiz, worstLook float64
			for step := 1; step <= tc.steps; step++ {
				tc.grad(g, torch)
				opt.Step(torch, g, step, tc.lr)

				tc.grad(g, quiz)
				for i := range n {
					old := quizM[i]
					quizM[i] = tc.mu*old + tc.lr*g[i]
					quiz[i] += tc.mu*old - (1+tc.mu)*quizM[i]
				}

				for i := range n {
					look[i] = theta[i] - tc.mu*lookM[i]
				}
				tc.grad(g, look)
				for i := range n {
					lookM[i] = tc.mu*lookM[i] + tc.lr*g[i]
					theta[i] -= lookM[i]
				}

				for i := range n {
					scale := math.Max(1, math.Abs(torch[i]))
					worstQuiz = math.Max(worstQuiz, math.Abs(quiz[i]-torch[i])/scale)
					worstLook = math.Max(worstLook, math.Abs(theta[i]-tc.mu*lookM[i]-torch[i])/scale)
				}
			}
			t.Logf("%d steps from %v: end %v; largest relative gap to nesterov: quiz's answer %.2g, look-ahead θ − μm %.2g",
				tc.steps, tc.start, torch, worstQuiz, worstLook)
			if worstQuiz > 1e-10 || worstLook > 1e-10 {
				t.Errorf("trajectories differ from nesterov: quiz %g, look-ahead %g", worstQuiz, worstLook)
			}
		})
	}
}
