package model

// The float32 layers of networkOf[float32], as PyTorch computes a float32 nn.Linear: the
// products in float32 through the packed float32 kernel (kernel_sgemm.go, on the model's
// threads, the same fixed order of sums for every thread count), the bias and the activations
// in float32. Small layers (in×out ≤ smallLayer) take the loops of small32.go, each sum from +0
// over its terms in order (in AVX2 where the CPU has it, small32_amd64.s, with the ReLU
// fused). tanh and sigmoid are float64's vectorized tanhGo and sigmoidGo of the float32 value,
// rounded once to float32 (within an ulp of float32's correctly rounded value), widened and
// narrowed in registers (tanhSlice32, act.go).

// ops32 are the float32 layers.
var ops32 = layerOps[float32]{forward: forward32, gradWB: gradWB32, gradX: gradX32}

func forward32(m *networkOf[float32], ly layer, n int, a, w, b, z []float32, hidden bool) {
	in, out := ly.in, ly.out
	if ly.small {
		fused := hidden && m.act == actReLU
		if simdForward32(n, in, out, a, w, b, z, m.scratch, fused) {
			hidden = hidden && !fused
		} else {
			loopForward32(n, in, out, a, w, b, z, m.scratch)
		}
	} else {
		denseForward(m.buf, m.sbuf, n, in, out, a, w, b, z)
	}
	if hidden {
		m.activate(z, n)
	}
}

func gradWB32(m *networkOf[float32], ly layer, n int, dz, a, gw, gb []float32) {
	in, out := ly.in, ly.out
	if ly.small {
		if !simdGradWB32(n, in, out, dz, a, gw, gb, m.scratch) {
			loopGradWB32(n, in, out, dz, a, gw, gb, m.scratch)
		}
		return
	}
	colSums(n, out, dz, gb)
	denseGradW(m.buf, m.sbuf, n, in, out, dz, a, gw)
}

func gradX32(m *networkOf[float32], ly layer, n int, dz, w, da, a []float32) {
	in, out := ly.in, ly.out
	if ly.small {
		if simdGradX32(n, in, out, dz, w, da, a, m.act) {
			return // the activation's backward pass fused
		}
		loopGradX32(n, in, out, dz, w, da)
	} else {
		denseGradX(m.buf, m.sbuf, n, in, out, dz, w, da)
	}
	m.activateBackward(a, da, n)
}

// activate32 applies the activation to z in place.
func activate32(act activation, z []float32) {
	switch act {
	case actReLU:
		reluSlice32(z)
	case actTanh:
		tanhSlice32(z)
	default:
		sigmoidSlice32(z)
	}
}

// activateBackward32 is activateBackward in float32: relu' = [a > 0], tanh' = 1 − a²,
// sigmoid' = a(1 − a), each product rounded to float32.
func activateBackward32(act activation, a, da []float32) {
	a = a[:len(da)]
	switch act {
	case actReLU:
		reluBackSlice32(a, da)
	case actTanh:
		for i, v := range a {
			a[i] = da[i] * (1 - v*v)
		}
	case actSigmoid:
		for i, v := range a {
			a[i] = da[i] * v * (1 - v)
		}
	}
}
