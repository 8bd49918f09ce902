package model

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
)

// problemData returns n rows of random features in [-1, 1) and targets suited to the loss.
func problemData(rng *rand.Rand, n, in, classes int, ce bool) (x, y []float64) {
	x = make([]float64, n*in)
	for i := range x {
		x[i] = 2*rng.Float64() - 1
	}
	y = make([]float64, n)
	for i := range y {
		if ce {
			y[i] = float64(rng.IntN(classes))
		} else {
			y[i] = rng.NormFloat64()
		}
	}
	return x, y
}

func mustNew(t testing.TB, s Spec, in, classes, maxBatch int) *network {
	t.Helper()
	m, err := New(s, in, classes, maxBatch)
	if err != nil {
		t.Fatalf("New(%+v, %d, %d, %d): %v", s, in, classes, maxBatch, err)
	}
	return m.(*network)
}

// randomParams fills params with N(0, 0.5²) values, biases included, so that relu units are
// active and inactive on the test data and no bias is trivially zero.
func randomParams(rng *rand.Rand, n int) []float64 {
	p := make([]float64, n)
	for i := range p {
		p[i] = 0.5 * rng.NormFloat64()
	}
	return p
}

// closeRel reports whether got and want agree to rel relative to their size, with abs as the
// absolute floor for values near zero.
func closeRel(got, want, rel, abs float64) bool {
	return math.Abs(got-want) <= rel*math.Max(math.Abs(got), math.Abs(want))+abs
}

func checkGradient(t *testing.T, f func([]float64) float64, grad, x []float64) {
	t.Helper()
	want := fd.Gradient(nil, f, x, &fd.Settings{Formula: fd.Central})
	for i := range want {
		if !closeRel(grad[i], want[i], 1e-6, 1e-9) {
			t.Errorf("gradient[%d] = %.12g, finite differences give %.12g", i, grad[i], want[i])
		}
	}
}

var gradientCases = []struct {
	name string
	spec Spec
	in   int
	cls  int
}{
	{"linear/mse", Spec{Kind: "linear", Loss: "mse"}, 4, 0},
	{"linear/cross_entropy", Spec{Kind: "linear", Loss: "cross_entropy"}, 4, 3},
	{"linear/cross_entropy/binary", Spec{Kind: "linear", Loss: "cross_entropy"}, 3, 2},
	{"mlp/relu/mse", Spec{Kind: "mlp", Hidden: []int{5}, Activation: "relu", Loss: "mse"}, 3, 0},
	{"mlp/tanh/mse", Spec{Kind: "mlp", Hidden: []int{5}, Activation: "tanh", Loss: "mse"}, 3, 0},
	{"mlp/sigmoid/mse", Spec{Kind: "mlp", Hidden: []int{5}, Activation: "sigmoid", Loss: "mse"}, 3, 0},
	{"mlp/relu/cross_entropy", Spec{Kind: "mlp", Hidden: []int{6}, Activation: "relu", Loss: "cross_entropy"}, 3, 4},
	{"mlp/tanh/cross_entropy", Spec{Kind: "mlp", Hidden: []int{6}, Activation: "tanh", Loss: "cross_entropy"}, 3, 4},
	{"mlp/sigmoid/cross_entropy", Spec{Kind: "mlp", Hidden: []int{6}, Activation: "sigmoid", Loss: "cross_entropy"}, 3, 4},
	{"mlp2/relu/mse", Spec{Kind: "mlp", Hidden: []int{5, 4}, Activation: "relu", Loss: "mse"}, 3, 0},
	{"mlp2/tanh/mse", Spec{Kind: "mlp", Hidden: []int{5, 4}, Activation: "tanh", Loss: "mse"}, 3, 0},
	{"mlp2/sigmoid/mse", Spec{Kind: "mlp", Hidden: []int{5, 4}, Activation: "sigmoid", Loss: "mse"}, 3, 0},
	{"mlp2/relu/cross_entropy", Spec{Kind: "mlp", Hidden: []int{5, 4}, Activation: "relu", Loss: "cross_entropy"}, 3, 3},
	{"mlp2/tanh/cross_entropy", Spec{Kind: "mlp", Hidden: []int{5, 4}, Activation: "tanh", Loss: "cross_entropy"}, 3, 3},
	{"mlp2/sigmoid/cross_entropy", Spec{Kind: "mlp", Hidden: []int{5, 4}, Activation: "sigmoid", Loss: "cross_entropy"}, 3, 3},
	// Wide enough for the BLAS path (in×out > smallLayer) in every layer.
	{"mlp/blas/tanh/cross_entropy", Spec{Kind: "mlp", Hidden: []int{20, 17}, Activation: "tanh", Loss: "cross_entropy"}, 30, 16},
}

func TestLossGradFiniteDifferences(t *testing.T) {
	for _, tc := range gradientCases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			const n = 7
			m := mustNew(t, tc.spec, tc.in, tc.cls, n)
			x, y := problemData(rng, n, tc.in, tc.cls, tc.spec.Loss == "cross_entropy")
			params := randomParams(rng, m.NumParams())
			grad := make([]float64, m.NumParams())
			loss := m.LossGrad(params, x, y, n, grad)
			if lossOnly := m.LossGrad(params, x, y, n, nil); lossOnly != loss {
				t.Errorf("loss without gradient = %v, with gradient = %v", lossOnly, loss)
			}
			checkGradient(t, func(p []float64) float64 { return m.LossGrad(p, x, y, n, nil) }, grad, params)
		})
	}
}

// referenceLoss is a direct, row-by-row transcription of SPEC §7, independent of network.
func referenceLoss(s Spec, widths []int, params, x, y []float64, n int) float64 {
	act := map[string]func(float64) float64{
		"relu":    func(v float64) float64 { return math.Max(v, 0) },
		"tanh":    math.Tanh,
		"sigmoid": func(v float64) float64 { return 1 / (1 + math.Exp(-v)) },
	}[s.Activation]
	var total float64
	for r := range n {
		a := x[r*widths[0] : (r+1)*widths[0]]
		off := 0
		for l := 0; l+1 < len(widths); l++ {
			in, out := widths[l], widths[l+1]
			z := make([]float64, out)
			for j := range out {
				z[j] = params[off+out*in+j]
				for k := range in {
					z[j] += params[off+j*in+k] * a[k]
				}
				if l+2 < len(widths) {
					z[j] = act(z[j])
				}
			}
			off += out * (in + 1)
			a = z
		}
		if s.Loss == "mse" {
			total += (a[0] - y[r]) * (a[0] - y[r])
			continue
		}
		var se float64
		for _, v := range a {
			se += math.Exp(v)
		}
		total += -math.Log(math.Exp(a[int(y[r])]) / se)
	}
	return total / float64(n)
}

func TestLossMatchesReference(t *testing.T) {
	for _, tc := range gradientCases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			const n = 9
			m := mustNew(t, tc.spec, tc.in, tc.cls, n)
			x, y := problemData(rng, n, tc.in, tc.cls, tc.spec.Loss == "cross_entropy")
			params := randomParams(rng, m.NumParams())
			widths := append(append([]int{tc.in}, tc.spec.Hidden...), m.Outputs())
			got := m.LossGrad(params, x, y, n, nil)
			want := referenceLoss(tc.spec, widths, params, x, y, n)
			if !closeRel(got, want, 1e-12, 0) {
				t.Errorf("loss = %.17g, reference %.17g", got, want)
			}
		})
	}
}

// TestPathsAgree checks that the plain-loop and BLAS paths (tiled for gonum) give the same loss
// and gradient to float64 rounding, on shapes that need several tiles.
func TestPathsAgree(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec Spec
		in   int
		cls  int
		n    int
	}{
		{"softmax-70x10", Spec{Kind: "linear", Loss: "cross_entropy"}, 70, 10, 130},
		{"mlp-200-300-10", Spec{Kind: "mlp", Hidden: []int{300}, Activation: "relu", Loss: "cross_entropy"}, 200, 10, 150},
		{"mlp-3-20-1", Spec{Kind: "mlp", Hidden: []int{20}, Activation: "sigmoid", Loss: "mse"}, 3, 0, 70},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, 6))
			m := mustNew(t, tc.spec, tc.in, tc.cls, tc.n)
			x, y := problemData(rng, tc.n, tc.in, tc.cls, tc.spec.Loss == "cross_entropy")
			params := randomParams(rng, m.NumParams())
			results := make([][]float64, 2)
			losses := make([]float64, 2)
			for i, small := range []bool{false, true} {
				for l := range m.layers {
					m.layers[l].small = small
				}
				results[i] = make([]float64, m.NumParams())
				losses[i] = m.LossGrad(params, x, y, tc.n, results[i])
			}
			if !closeRel(losses[0], losses[1], 1e-13, 0) {
				t.Errorf("loss: blas %.17g, loops %.17g", losses[0], losses[1])
			}
			for i := range results[0] {
				if !closeRel(results[0][i], results[1][i], 1e-10, 1e-15) {
					t.Fatalf("gradient[%d]: blas %.17g, loops %.17g", i, results[0][i], results[1][i])
				}
			}
		})
	}
}

func TestKnownLosses(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const n = 10
	t.Run("cross_entropy/zero-params", func(t *testing.T) {
		for _, s := range []Spec{
			{Kind: "linear", Loss: "cross_entropy"},
			{Kind: "mlp", Hidden: []int{8}, Activation: "tanh", Loss: "cross_entropy"},
		} {
			m := mustNew(t, s, 5, 7, n)
			x, y := problemData(rng, n, 5, 7, true)
			params := make([]float64, m.NumParams())
			if got, want := m.LossGrad(params, x, y, n, nil), math.Log(7); !closeRel(got, want, 1e-15, 0) {
				t.Errorf("%s: loss = %.17g, want log 7 = %.17g", s.Kind, got, want)
			}
		}
	})
	t.Run("mse/zero-params", func(t *testing.T) {
		m := mustNew(t, Spec{Kind: "linear", Loss: "mse"}, 5, 0, n)
		x, y := problemData(rng, n, 5, 0, false)
		var want float64
		for _, v := range y {
			want += v * v / n
		}
		if got := m.LossGrad(make([]float64, m.NumParams()), x, y, n, nil); !closeRel(got, want, 1e-14, 0) {
			t.Errorf("loss = %.17g, want mean(y²) = %.17g", got, want)
		}
	})
	t.Run("empty-batch", func(t *testing.T) {
		m := mustNew(t, Spec{Kind: "linear", Loss: "mse"}, 2, 0, 4)
		grad := []float64{1, 2, 3}
		if got := m.LossGrad(make([]float64, 3), nil, nil, 0, grad); got != 0 || grad[0] != 0 || grad[2] != 0 {
			t.Errorf("LossGrad on 0 rows = %v, grad %v; want 0, zeros", got, grad)
		}
	})
	t.Run("stable-softmax", func(t *testing.T) {
		m := mustNew(t, Spec{Kind: "linear", Loss: "cross_entropy"}, 1, 2, 1)
		// Logits (1000, -1000) for label 1: loss 2000, naive exp overflows.
		params := []float64{1000, -1000, 0, 0}
		grad := make([]float64, 4)
		loss := m.LossGrad(params, []float64{1}, []float64{1}, 1, grad)
		if loss != 2000 {
			t.Errorf("loss = %v, want 2000", loss)
		}
		if want := []float64{1, -1, 1, -1}; fmt.Sprint(grad) != fmt.Sprint(want) {
			t.Errorf("grad = %v, want %v", grad, want)
		}
	})
}

func TestEvalChunks(t *testing.T) {
	for _, tc := range gradientCases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(9, 10))
			const n, chunk = 23, 5
			ce := tc.spec.Loss == "cross_entropy"
			full := mustNew(t, tc.spec, tc.in, tc.cls, n)
			part := mustNew(t, tc.spec, tc.in, tc.cls, chunk)
			x, y := problemData(rng, n, tc.in, tc.cls, ce)
			params := randomParams(rng, full.NumParams())
			want := full.LossGrad(params, x, y, n, nil) * n

			var got float64
			var correct int
			for i := 0; i < n; i += chunk {
				k := min(chunk, n-i)
				s, c := part.Eval(params, x[i*tc.in:], y[i:], k)
				got += s
				correct += c
			}
			if !closeRel(got, want, 1e-12, 0) {
				t.Errorf("summed Eval over chunks = %.17g, LossGrad × n = %.17g", got, want)
			}
			wantCorrect := 0
			if ce {
				wantCorrect = countCorrect(full, params, x, y, n)
			}
			if correct != wantCorrect {
				t.Errorf("correct = %d, want %d", correct, wantCorrect)
			}
		})
	}
}

// countCorrect recomputes the accuracy count from the logits of the forward pass.
func countCorrect(m *network, params, x, y []float64, n int) int {
	z := m.forward(params, x, n)
	c := m.Outputs()
	count := 0
	for i := range n {
		best := 0
		for j := 1; j < c; j++ {
			if z[i*c+j] > z[i*c+best] {
				best = j
			}
		}
		if float64(best) == y[i] {
			count++
		}
	}
	return count
}

func TestNewErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		spec    Spec
		in, cls int
		key     string // "" for an error that is not about a model key
		prefix  string
	}{
		{"no-kind", Spec{Loss: "mse"}, 2, 0, "kind", "kind: must be set"},
		{"bad-kind", Spec{Kind: "cnn", Loss: "mse"}, 2, 0, "kind", `kind: unknown "cnn" (want linear, mlp or net)`},
		{"mlp-no-hidden", Spec{Kind: "mlp", Loss: "mse"}, 2, 0, "hidden", "hidden: must be non-empty for mlp"},
		{"mlp-zero-width", Spec{Kind: "mlp", Hidden: []int{4, 0}, Loss: "mse"}, 2, 0, "hidden", "hidden: widths must be > 0"},
		{"linear-hidden", Spec{Kind: "linear", Hidden: []int{4}, Loss: "mse"}, 2, 0, "hidden", "hidden: only for mlp"},
		{"bad-activation", Spec{Kind: "mlp", Hidden: []int{4}, Activation: "foo", Loss: "mse"}, 2, 0, "activation",
			`activation: unknown "foo" (want relu, tanh or sigmoid)`},
		{"bad-activation-linear", Spec{Kind: "linear", Activation: "gelu", Loss: "mse"}, 2, 0, "activation", "activation: unknown"},
		{"no-loss", Spec{Kind: "linear"}, 2, 0, "loss", "loss: must be set"},
		{"bad-loss", Spec{Kind: "linear", Loss: "hinge"}, 2, 0, "loss", `loss: unknown "hinge" (want mse or cross_entropy)`},
		{"one-class", Spec{Kind: "linear", Loss: "cross_entropy"}, 2, 1, "loss", "loss: cross_entropy needs at least 2 classes, got 1"},
		{"bad-init", Spec{Kind: "linear", Loss: "mse", Init: "orthogonal"}, 2, 0, "init", `init: unknown "orthogonal"`},
		{"no-inputs", Spec{Kind: "linear", Loss: "mse"}, 0, 0, "", "model needs at least 1 input feature"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.spec, tc.in, tc.cls, 8)
			if err == nil {
				t.Fatal("New succeeded, want an error")
			}
			if !strings.HasPrefix(err.Error(), tc.prefix) {
				t.Errorf("error %q, want it to start with %q", err, tc.prefix)
			}
			var se *SpecError
			if got := errors.As(err, &se); got != (tc.key != "") {
				t.Fatalf("errors.As(%q, *SpecError) = %v, want %v", err, got, tc.key != "")
			}
			if se != nil && se.Key != tc.key {
				t.Errorf("SpecError.Key = %q, want %q", se.Key, tc.key)
			}
		})
	}
	if _, err := New(Spec{Kind: "linear", Loss: "mse"}, 2, 0, 0); err == nil {
		t.Error("New with maxBatch 0 succeeded, want an error")
	}
}

func TestShapes(t *testing.T) {
	for _, tc := range []struct {
		spec          Spec
		in, cls       int
		params, outs  int
		wantLayerSize []int
	}{
		{Spec{Kind: "linear", Loss: "mse"}, 3, 5, 4, 1, nil},
		{Spec{Kind: "linear", Loss: "cross_entropy"}, 784, 10, 7850, 10, nil},
		{Spec{Kind: "mlp", Hidden: []int{16}, Loss: "mse"}, 2, 0, 2*16 + 16 + 16 + 1, 1, nil},
		{Spec{Kind: "mlp", Hidden: []int{256, 128}, Loss: "cross_entropy"}, 784, 10, 785*256 + 257*128 + 129*10, 10, nil},
	} {
		m, err := New(tc.spec, tc.in, tc.cls, 4)
		if err != nil {
			t.Fatal(err)
		}
		if m.NumParams() != tc.params || m.Outputs() != tc.outs || m.Inputs() != tc.in {
			t.Errorf("%+v: NumParams, Inputs, Outputs = %d, %d, %d; want %d, %d, %d",
				tc.spec, m.NumParams(), m.Inputs(), m.Outputs(), tc.params, tc.in, tc.outs)
		}
	}
}

// TestLayout pins the parameter layout: W (out×in, row-major) then b, layer after layer.
func TestLayout(t *testing.T) {
	m := mustNew(t, Spec{Kind: "linear", Loss: "cross_entropy"}, 2, 3, 1)
	// W = [[1 2] [3 4] [5 6]], b = [7 8 9]; x = (1, 10) → z = (28, 51, 74).
	params := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}
	z := m.forward(params, []float64{1, 10}, 1)
	if want := []float64{28, 51, 74}; fmt.Sprint(z) != fmt.Sprint(want) {
		t.Errorf("logits = %v, want %v", z, want)
	}
}

func TestZeroAllocs(t *testing.T) {
	for _, tc := range []struct {
		name    string
		spec    Spec
		in, cls int
		n       int
	}{
		{"softmax-784x10", Spec{Kind: "linear", Loss: "cross_entropy"}, 784, 10, 128},
		{"mlp-784-256-10", Spec{Kind: "mlp", Hidden: []int{256}, Loss: "cross_entropy"}, 784, 10, 128},
		{"mlp-2-16-1-tanh", Spec{Kind: "mlp", Hidden: []int{16}, Activation: "tanh", Loss: "mse"}, 2, 0, 32},
		{"mlp-2-16-1-relu", Spec{Kind: "mlp", Hidden: []int{16}, Activation: "relu", Loss: "mse"}, 2, 0, 32},
		{"mlp-5-300-200-3-sigmoid", Spec{Kind: "mlp", Hidden: []int{300, 200}, Activation: "sigmoid", Loss: "cross_entropy"}, 5, 3, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && tc.in > 100 {
				t.Skip("large model in -short mode")
			}
			rng := rand.New(rand.NewPCG(11, 12))
			m := mustNew(t, tc.spec, tc.in, tc.cls, tc.n)
			x, y := problemData(rng, tc.n, tc.in, tc.cls, tc.spec.Loss == "cross_entropy")
			params := make([]float64, m.NumParams())
			m.Init(params, rng)
			grad := make([]float64, m.NumParams())
			if a := testing.AllocsPerRun(5, func() { m.LossGrad(params, x, y, tc.n, grad) }); a != 0 {
				t.Errorf("LossGrad allocates %v times per call", a)
			}
			if a := testing.AllocsPerRun(5, func() { m.LossGrad(params, x, y, tc.n-1, nil) }); a != 0 {
				t.Errorf("LossGrad without gradient allocates %v times per call", a)
			}
			if a := testing.AllocsPerRun(5, func() { m.Eval(params, x, y, tc.n) }); a != 0 {
				t.Errorf("Eval allocates %v times per call", a)
			}
		})
	}
}

func TestInit(t *testing.T) {
	newParams := func(s Spec, in, cls int, seed uint64) (*network, []float64) {
		m := mustNew(t, s, in, cls, 1)
		p := make([]float64, m.NumParams())
		for i := range p {
			p[i] = math.NaN() // Init must overwrite everything
		}
		m.Init(p, rand.New(rand.NewPCG(seed, 99)))
		return m, p
	}
	// stats returns the mean, standard deviation and largest magnitude of layer l's weights,
	// and checks that its biases are zero.
	stats := func(m *network, p []float64, l int) (mean, std, maxAbs float64) {
		t.Helper()
		ly := m.layers[l]
		for _, v := range p[ly.b : ly.b+ly.out] {
			if v != 0 {
				t.Fatalf("layer %d: bias %v, want 0", l, v)
			}
		}
		w := p[ly.w : ly.w+ly.out*ly.in]
		for _, v := range w {
			mean += v / float64(len(w))
			maxAbs = math.Max(maxAbs, math.Abs(v))
		}
		for _, v := range w {
			std += (v - mean) * (v - mean) / float64(len(w))
		}
		return mean, math.Sqrt(std), maxAbs
	}

	t.Run("zeros", func(t *testing.T) {
		for _, s := range []Spec{
			{Kind: "mlp", Hidden: []int{30}, Loss: "mse", Init: "zeros"},
			{Kind: "linear", Loss: "cross_entropy"}, // auto
			{Kind: "linear", Loss: "cross_entropy", Init: "auto"},
		} {
			_, p := newParams(s, 20, 4, 1)
			for i, v := range p {
				if v != 0 {
					t.Fatalf("%+v: params[%d] = %v, want 0", s, i, v)
				}
			}
		}
	})
	t.Run("he", func(t *testing.T) {
		for _, s := range []Spec{
			{Kind: "mlp", Hidden: []int{400}, Loss: "mse", Init: "he", Activation: "tanh"},
			{Kind: "mlp", Hidden: []int{400}, Loss: "mse"}, // auto with relu
		} {
			m, p := newParams(s, 300, 0, 2)
			mean, std, _ := stats(m, p, 0)
			want := math.Sqrt(2.0 / 300)
			if math.Abs(mean) > 0.05*want || math.Abs(std-want) > 0.02*want {
				t.Errorf("%+v: weights mean %.4g, std %.4g; want 0, %.4g", s, mean, std, want)
			}
			if _, std, _ := stats(m, p, 1); math.Abs(std-math.Sqrt(2.0/400)) > 0.15*math.Sqrt(2.0/400) {
				t.Errorf("%+v: output layer std %.4g, want %.4g", s, std, math.Sqrt(2.0/400))
			}
		}
	})
	t.Run("xavier", func(t *testing.T) {
		for _, s := range []Spec{
			{Kind: "mlp", Hidden: []int{200}, Loss: "mse", Init: "xavier"},
			{Kind: "mlp", Hidden: []int{200}, Activation: "sigmoid", Loss: "mse", Init: "auto"},
		} {
			m, p := newParams(s, 500, 0, 3)
			mean, std, maxAbs := stats(m, p, 0)
			a := math.Sqrt(6.0 / 700)
			if maxAbs > a || maxAbs < 0.99*a {
				t.Errorf("%+v: largest |w| %.4g, want just below %.4g", s, maxAbs, a)
			}
			if want := a / math.Sqrt(3); math.Abs(mean) > 0.05*want || math.Abs(std-want) > 0.02*want {
				t.Errorf("%+v: weights mean %.4g, std %.4g; want 0, %.4g", s, mean, std, want)
			}
		}
	})
	t.Run("normal", func(t *testing.T) {
		m, p := newParams(Spec{Kind: "linear", Loss: "cross_entropy", Init: "normal"}, 1000, 50, 4)
		mean, std, _ := stats(m, p, 0)
		if math.Abs(mean) > 0.0005 || math.Abs(std-0.01) > 0.0002 {
			t.Errorf("weights mean %.4g, std %.4g; want 0, 0.01", mean, std)
		}
	})
	t.Run("deterministic", func(t *testing.T) {
		s := Spec{Kind: "mlp", Hidden: []int{7, 5}, Activation: "tanh", Loss: "cross_entropy", Init: "normal"}
		_, a := newParams(s, 4, 3, 5)
		_, b := newParams(s, 4, 3, 5)
		_, c := newParams(s, 4, 3, 6)
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Error("same seed gave different parameters")
		}
		if fmt.Sprint(a) == fmt.Sprint(c) {
			t.Error("different seeds gave the same parameters")
		}
	})
}

// Tensors cover the flat vector in order, with PyTorch's names and shapes.
func TestTensors(t *testing.T) {
	m, err := New(Spec{Kind: "mlp", Hidden: []int{5, 4}, Loss: "cross_entropy"}, 3, 2, 8)
	if err != nil {
		t.Fatal(err)
	}
	want := []Tensor{
		{"layers.0.weight", 0, 5, 3, true, [2]int{}}, {"layers.0.bias", 15, 5, 1, false, [2]int{}},
		{"layers.1.weight", 20, 4, 5, true, [2]int{}}, {"layers.1.bias", 40, 4, 1, false, [2]int{}},
		{"layers.2.weight", 44, 2, 4, true, [2]int{}}, {"layers.2.bias", 52, 2, 1, false, [2]int{}},
	}
	got := m.Tensors()
	if !slices.Equal(got, want) {
		t.Fatalf("Tensors() = %v, want %v", got, want)
	}
	if last := got[len(got)-1]; last.Offset+last.Rows*last.Cols != m.NumParams() {
		t.Errorf("tensors end at %d, NumParams %d", last.Offset+last.Rows*last.Cols, m.NumParams())
	}
}

// allocs returns the bytes f allocates.
func allocs(f func()) int64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return int64(after.TotalAlloc - before.TotalAlloc)
}

// Footprint gives New's parameters and tensors, and the bytes New allocates, without
// allocating, and saturates.
func TestFootprint(t *testing.T) {
	for _, s := range []Spec{{Kind: "linear", Loss: "cross_entropy"}, {Kind: "mlp", Hidden: []int{7, 5}, Loss: "mse", Activation: "tanh"},
		{Kind: "mlp", Hidden: []int{300, 100}, Loss: "cross_entropy"}, {Kind: "linear", Loss: "mse"}} {
		for _, batch := range []int{16, 1024} {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			m, err := New(s, 784, 10, batch)
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			got := int64(after.TotalAlloc - before.TotalAlloc)
			z := Footprint(s, 784, 10, batch)
			if z.Params != int64(m.NumParams()) || !reflect.DeepEqual(z.Tensors, m.Tensors()) {
				t.Errorf("%+v: Footprint %d params %v; New has %d params %v", s, z.Params, z.Tensors, m.NumParams(), m.Tensors())
			}
			// New allocates the scratch, and a few small slices besides.
			if d := got - z.Scratch; d < -got/50 || d > got/50+16<<10 {
				t.Errorf("%+v batch %d: New allocated %d bytes, Footprint says %d", s, batch, got, z.Scratch)
			}
		}
	}
	// A network of small layers allocates no packing space.
	small := Spec{Kind: "mlp", Hidden: []int{16}, Loss: "cross_entropy", Activation: "tanh"}
	got := allocs(func() { _, _ = New(small, 2, 3, 32) })
	if z := Footprint(small, 2, 3, 32); z.Packs || z.Scratch < got-8<<10 || z.Scratch > got+8<<10 {
		t.Errorf("a 2-16-3 MLP: New allocated %d bytes, Footprint says %d (packs %v)", got, z.Scratch, z.Packs)
	}
	z := Footprint(Spec{Kind: "mlp", Hidden: []int{100000000, 100000000}, Loss: "mse"}, 784, 0, 1<<40)
	if z.Params < 1e16 || z.Scratch < 1e18 {
		t.Errorf("a huge MLP: %d params, %d bytes", z.Params, z.Scratch)
	}
	if z := Footprint(Spec{Kind: "mlp", Hidden: []int{1 << 40, 1 << 40}, Loss: "mse"}, 1<<40, 0, 1<<40); z.Params != math.MaxInt64 || z.Scratch != math.MaxInt64 || z.Tensors != nil {
		t.Errorf("an overflowing MLP: %+v", z)
	}
}
