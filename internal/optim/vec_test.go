package optim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// vecCases are the optimizers with assembly loops (vec_amd64.s), with every branch the loops
// take: weight decay, dampening, nesterov, both forms of adam's lerp, adamw's decoupled decay.
// momentum steps to the values of each case's SetMomentum, one per step (0: μ = 0's plain
// step; for adam β₁ = 0.3 takes lerp's second form).
var vecCases = []struct {
	name     string
	set      map[string]any
	momentum []float64
}{
	{"sgd", nil, nil},
	{"sgd", map[string]any{"weight_decay": 0.01}, nil},
	{"momentum", nil, []float64{0.9, 0.9, 0, 0.5}},
	{"momentum", map[string]any{"weight_decay": 0.01, "dampening": 0.3}, []float64{0.9, 0.8, 0, 0.9}},
	{"momentum", map[string]any{"momentum": 0.0, "weight_decay": 1e-3}, nil},
	{"nesterov", nil, nil},
	{"nesterov", map[string]any{"weight_decay": 0.01, "momentum": 0.5}, []float64{0.5, 0.99, 0.9, 0.9}},
	{"adam", nil, []float64{0.9, 0.9, 0.3, 0.9}},
	{"adam", map[string]any{"weight_decay": 0.01, "beta2": 0.9, "eps": 1e-3}, nil},
	{"adam", map[string]any{"beta1": 0.3}, nil},
	{"adamw", nil, []float64{0.9, 0.3, 0.9, 0.95}},
	{"adamw", map[string]any{"weight_decay": 0.0}, nil},
	{"adamw", map[string]any{"amsgrad": true}, nil},
}

// TestVecExact runs each optimizer with assembly loops against its Go loops (useVec off) on
// 0 to 70 values of random magnitudes, signed zeros, subnormals and infinities, for several
// steps with changing learning rates, and requires the same bits in the parameters, the
// gradient (which weight decay rewrites) and every state vector (NaN where the Go loop has
// NaN, whatever its payload).
func TestVecExact(t *testing.T) {
	if !useVec {
		t.Log("no AVX2 loops on this build or CPU: the Go loops run against themselves")
	}
	for _, c := range vecCases {
		t.Run(testName(c.name, c.set), func(t *testing.T) {
			for n := 0; n <= 70; n++ {
				vecCompare[float64](t, c.name, c.set, c.momentum, n)
				vecCompare[float32](t, c.name, c.set, c.momentum, n)
			}
		})
	}
}

func vecCompare[T Float](t *testing.T, name string, set map[string]any, momentum []float64, n int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	var opts [2]OptimizerOf[T]
	var params, grads [2][]T
	for k := range opts {
		opt, err := NewOf[T](name, set, Flat(n))
		if err != nil {
			t.Fatal(err)
		}
		opts[k] = opt
	}
	params[0] = vecRandom[T](rng, n)
	params[1] = append([]T(nil), params[0]...)
	defer func(on bool) { useVec = on }(useVec)
	on := useVec
	for step := 1; step <= 4; step++ {
		grads[0] = vecRandom[T](rng, n)
		grads[1] = append([]T(nil), grads[0]...)
		lr := 1e-3 * float64(step)
		for k, opt := range opts {
			if step <= len(momentum) {
				opt.(MomentumSetter).SetMomentum(momentum[step-1])
			}
			useVec = on && k == 1
			opt.Step(params[k], grads[k], step, lr)
		}
		where := fmt.Sprintf("%T n=%d step %d", T(0), n, step)
		vecSameBits(t, where+" params", params[1], params[0])
		vecSameBits(t, where+" grad", grads[1], grads[0])
		got, want := opts[1].(Stateful).State(), opts[0].(Stateful).State()
		for i := range want {
			switch w := want[i].(type) {
			case []T:
				vecSameBits(t, fmt.Sprintf("%s state %d", where, i), got[i].([]T), w)
			case *bool:
				if *got[i].(*bool) != *w {
					t.Errorf("%s state %d: %v, want %v", where, i, *got[i].(*bool), *w)
				}
			default:
				t.Fatalf("%s state %d: unexpected %T", where, i, w)
			}
		}
	}
}

// vecRandom returns n values: a tenth +0, a tenth −0, a twentieth subnormal in T, one in a
// hundred each +Inf, −Inf and NaN, the rest normal with magnitudes from 10⁻⁴ to 10⁴.
func vecRandom[T Float](rng *rand.Rand, n int) []T {
	x := make([]T, n)
	for i := range x {
		switch u := rng.Float64(); {
		case u < 0.01:
			x[i] = T(math.Inf(1))
		case u < 0.02:
			x[i] = T(math.Inf(-1))
		case u < 0.03:
			x[i] = T(math.NaN())
		case u < 0.1:
			x[i] = 0
		case u < 0.2:
			x[i] = T(math.Copysign(0, -1))
		case u < 0.25:
			x[i] = T(rng.NormFloat64()) * T(math.SmallestNonzeroFloat32) * 1e3
		default:
			x[i] = T(rng.NormFloat64() * math.Pow(10, 8*rng.Float64()-4))
		}
	}
	return x
}

func vecSameBits[T Float](t *testing.T, what string, got, want []T) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if got[i] != got[i] && want[i] != want[i] { // NaN in both; payloads may differ
			continue
		}
		if math.Float64bits(float64(got[i])) != math.Float64bits(float64(want[i])) {
			t.Fatalf("%s [%d]: %v (assembly), want %v (Go)", what, i, got[i], want[i])
		}
	}
}

// BenchmarkStepVec times Step with the Go loops alone (go) and with the assembly loops (avx2),
// back to back: on BenchmarkStepPrecision's 10⁶ parameters in both precisions and on
// BenchmarkStep's 10⁵ in float64.
func BenchmarkStepVec(b *testing.B) {
	for _, name := range []string{"sgd", "momentum", "nesterov", "adam", "adamw"} {
		b.Run(name+"/float64/n=1e5", func(b *testing.B) { benchVec[float64](b, name, 100_000) })
		b.Run(name+"/float64/n=1e6", func(b *testing.B) { benchVec[float64](b, name, 1_000_000) })
		b.Run(name+"/float32/n=1e6", func(b *testing.B) { benchVec[float32](b, name, 1_000_000) })
	}
}

func benchVec[T Float](b *testing.B, name string, n int) {
	for _, impl := range []string{"go", "avx2"} {
		b.Run(impl, func(b *testing.B) {
			if impl == "avx2" && !useVec {
				b.Skip("no AVX2 loops on this build or CPU")
			}
			defer func(on bool) { useVec = on }(useVec)
			useVec = impl == "avx2"
			benchStep[T](b, name, n)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/param")
		})
	}
}
