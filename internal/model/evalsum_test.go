package model

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// EvalSum over consecutive blocks of rows, each started from the sum of the blocks before,
// gives the loss sum and count of one Eval over all rows bit for bit, for small and BLAS-sized
// layers and each loss (train's evaluation relies on it: the metrics do not depend on evalBlock).
func TestEvalSumBlocks(t *testing.T) {
	const rows = 300
	for _, tc := range []struct {
		name        string
		s           Spec
		in, classes int
	}{
		{"linear-ce", Spec{Kind: "linear", Loss: "cross_entropy"}, 60, 10},
		{"mlp-relu-ce", Spec{Kind: "mlp", Hidden: []int{40}, Loss: "cross_entropy"}, 30, 10},
		{"mlp-tanh-mse", Spec{Kind: "mlp", Hidden: []int{16}, Activation: "tanh", Loss: "mse"}, 2, 0},
		{"mlp-sigmoid-ce", Spec{Kind: "mlp", Hidden: []int{12, 8}, Activation: "sigmoid", Loss: "cross_entropy"}, 5, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := mustNew(t, tc.s, tc.in, tc.classes, rows)
			rng := rand.New(rand.NewPCG(5, 6))
			params := make([]float64, m.NumParams())
			m.Init(params, rng)
			for i := range params {
				params[i] += 0.1 * rng.NormFloat64() // non-zero biases
			}
			x := make([]float64, rows*tc.in)
			for i := range x {
				x[i] = rng.NormFloat64()
			}
			y := make([]float64, rows)
			for i := range y {
				if tc.classes > 0 {
					y[i] = float64(rng.IntN(tc.classes))
				} else {
					y[i] = rng.NormFloat64()
				}
			}
			want, wantC := m.Eval(params, x, y, rows)
			for _, block := range []int{1, 7, 128, rows} {
				var got float64
				gotC := 0
				for i := 0; i < rows; i += block {
					n := min(block, rows-i)
					var c int
					got, c = m.EvalSum(params, x[i*tc.in:], y[i:], n, got)
					gotC += c
				}
				// Our kernels sum each output element in an order independent of the row
				// count; OpenBLAS (-tags netlib) does not, so there blocks agree to rounding.
				same := math.Float64bits(got) == math.Float64bits(want)
				if strings.HasPrefix(BLAS().Name, "OpenBLAS") {
					same = math.Abs(got-want) <= 1e-12*math.Abs(want)
				}
				if !same || gotC != wantC {
					t.Errorf("blocks of %d: loss sum %.17g, %d correct; one Eval %.17g, %d", block, got, gotC, want, wantC)
				}
			}
		})
	}
}
