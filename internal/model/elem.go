package model

import "math"

// The ReLU passes of the dense and conv layers, forward (relu: +0 for v < 0, v otherwise, so
// that −0 and NaN pass) and backward (da where a > 0, +0 elsewhere, NaN included). On amd64
// with AVX2 (elem_amd64.s) the whole registers go through one compare and one and(-not), the
// last len mod 8 (float32) or mod 4 (float64) values through the Go loops below, which are
// also the whole pass in other builds: the results are the same bits (TestReLUExact).

// reluSlice64 overwrites z with relu(z).
func reluSlice64(z []float64) { reluGo64(z[reluVec(z):]) }

// reluBackSlice64 overwrites a with da where a > 0 and +0 elsewhere; len(a) ≥ len(da).
func reluBackSlice64(a, da []float64) {
	n := reluBackVec(a, da)
	reluBackGo64(a[n:], da[n:])
}

// reluSlice32 is reluSlice64 in float32.
func reluSlice32(z []float32) { reluGo32(z[reluVec(z):]) }

// reluBackSlice32 is reluBackSlice64 in float32.
func reluBackSlice32(a, da []float32) {
	n := reluBackVec(a, da)
	reluBackGo32(a[n:], da[n:])
}

func reluGo64(z []float64) {
	for i, v := range z {
		z[i] = relu(v)
	}
}

// reluBackGo64 is branch-free: the signs of activations are unpredictable.
func reluBackGo64(a, da []float64) {
	a = a[:len(da)]
	for i, v := range a {
		a[i] = math.Float64frombits(math.Float64bits(da[i]) & maskIf(v > 0))
	}
}

func reluGo32(z []float32) {
	for i, v := range z {
		if v < 0 {
			z[i] = 0
		}
	}
}

func reluBackGo32(a, da []float32) {
	a = a[:len(da)]
	for i, v := range a {
		if v > 0 {
			a[i] = da[i]
		} else {
			a[i] = 0
		}
	}
}

// activate applies m's activation to z (rows rows) on m's threads, by runs of rows.
func (m *networkOf[T]) activate(z []T, rows int) {
	if rows == 0 {
		return
	}
	per := len(z) / rows
	splitRuns(m.jobs, &m.wg, netJob[T]{kind: jobAct, act: m.act, a: z, b: z}, rows, per, per, 0)
}

// activateBackward is activateBackwardOf(m.act, a, da) on m's threads, by runs of rows.
func (m *networkOf[T]) activateBackward(a, da []T, rows int) {
	if rows == 0 {
		return
	}
	per := len(da) / rows
	splitRuns(m.jobs, &m.wg, netJob[T]{kind: jobActBack, act: m.act, a: a, b: da}, rows, per, per, 0)
}
