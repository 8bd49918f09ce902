package model

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// initBiasCases are models of each kind under each init that draws only the weights.
var initBiasCases = func() []struct {
	name        string
	spec        Spec
	in, classes int
} {
	net := func(init string) Spec {
		s := netSpec([]int{2, 6, 6}, conv(4, 3, same), pool(2), conv(3, 2), dense(5), dense(3))
		s.Init, s.InitStd = init, 0.05
		return s
	}
	return []struct {
		name        string
		spec        Spec
		in, classes int
	}{
		{"linear-zeros", Spec{Kind: "linear", Loss: "cross_entropy", Init: "zeros"}, 5, 3},
		{"linear-xavier-mse", Spec{Kind: "linear", Loss: "mse", Init: "xavier"}, 5, 1},
		{"mlp-he", Spec{Kind: "mlp", Hidden: []int{7, 4}, Loss: "cross_entropy", Init: "he"}, 5, 3},
		{"mlp-normal", Spec{Kind: "mlp", Hidden: []int{6}, Activation: "tanh", Loss: "cross_entropy", Init: "normal"}, 5, 3},
		{"mlp-truncated_normal", Spec{Kind: "mlp", Hidden: []int{9}, Loss: "cross_entropy", Init: "truncated_normal", InitStd: 0.05}, 5, 3},
		{"net-zeros", net("zeros"), 72, 3},
		{"net-xavier", net("xavier"), 72, 3},
		{"net-he", net("he"), 72, 3},
		{"net-normal", net("normal"), 72, 3},
		{"net-truncated_normal", net("truncated_normal"), 72, 3},
	}
}()

// TestInitBias checks that every bias starts at init_bias (rounded to T) for linear, mlp and
// net models in float64 and float32, and that the weights are the numbers drawn without it:
// init_bias draws nothing from the init stream.
func TestInitBias(t *testing.T) {
	for _, tc := range initBiasCases {
		t.Run(tc.name+"/float64", func(t *testing.T) { checkInitBias[float64](t, tc.spec, tc.in, tc.classes) })
		t.Run(tc.name+"/float32", func(t *testing.T) { checkInitBias[float32](t, tc.spec, tc.in, tc.classes) })
	}
}

func checkInitBias[T Float](t *testing.T, s Spec, in, classes int) {
	t.Helper()
	const bias = 0.05
	initWith := func(b float64) (ModelOf[T], []T) {
		s.InitBias = b
		m, err := NewOf[T](s, in, classes, 2)
		if err != nil {
			t.Fatal(err)
		}
		p := make([]T, m.NumParams())
		for i := range p {
			p[i] = T(math.NaN()) // Init must overwrite everything
		}
		m.Init(p, rand.New(rand.NewPCG(7, 8)))
		return m, p
	}
	m, with := initWith(bias)
	_, without := initWith(0)
	biases, drawn := 0, false
	for _, ts := range m.Tensors() {
		for i := ts.Offset; i < ts.Offset+ts.Rows*ts.Cols; i++ {
			switch {
			case !ts.Weight && (with[i] != T(bias) || without[i] != 0):
				t.Fatalf("%s[%d] = %v (init_bias 0: %v), want %v (0)", ts.Name, i-ts.Offset, with[i], without[i], T(bias))
			case ts.Weight && math.Float64bits(float64(with[i])) != math.Float64bits(float64(without[i])):
				t.Fatalf("%s[%d] = %v with init_bias, %v without: the weights' draws changed", ts.Name, i-ts.Offset, with[i], without[i])
			case ts.Weight && s.Init == "zeros" && with[i] != 0:
				t.Fatalf("%s[%d] = %v, want 0 (init zeros)", ts.Name, i-ts.Offset, with[i])
			}
			drawn = drawn || ts.Weight && with[i] != 0
		}
		if !ts.Weight {
			biases++
		}
	}
	if biases == 0 || drawn == (s.Init == "zeros") {
		t.Errorf("%d bias tensors, weights drawn %v: want biases, and weights drawn unless init zeros", biases, drawn)
	}
}

// A nonzero init_bias with init auto (whose biases are PyTorch's draws for a net, zero
// otherwise), or one that is not finite, is a SpecError naming init_bias.
func TestInitBiasErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec Spec
	}{
		{"auto-mlp", Spec{Kind: "mlp", Hidden: []int{3}, Loss: "cross_entropy", Init: "auto", InitBias: 0.1}},
		{"empty-linear", Spec{Kind: "linear", Loss: "cross_entropy", InitBias: -1}},
		{"auto-net", func() Spec { s := netSpec(nil, dense(4), dense(3)); s.InitBias = 0.05; return s }()},
		{"nan", Spec{Kind: "linear", Loss: "cross_entropy", Init: "zeros", InitBias: math.NaN()}},
		{"inf", Spec{Kind: "mlp", Hidden: []int{3}, Loss: "cross_entropy", Init: "he", InitBias: math.Inf(-1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.spec, 3, 3, 1)
			var se *SpecError
			if !errors.As(err, &se) || se.Key != "init_bias" {
				t.Errorf("New: error %v, want a SpecError for init_bias", err)
			}
		})
	}
	if _, err := New(Spec{Kind: "mlp", Hidden: []int{3}, Loss: "cross_entropy", Init: "auto"}, 3, 3, 1); err != nil {
		t.Errorf("init auto with init_bias 0: %v", err)
	}
}
