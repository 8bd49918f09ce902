//go:build !purego && !netlib

package model

import "golang.org/x/sys/cpu"

// The AVX2 loops of float32 small layers (small32_amd64.s). They compute what the Go loops of
// small32.go compute, with eight outputs, inputs or rows per vector and the last, partial
// vector through masked loads and stores: every lane runs the same multiplications and
// additions in the same order — no FMA — so the results are equal bit for bit
// (TestSmall32Exact runs both). The forward ReLU and every activation's backward pass are
// fused into the loops; a layer with two inputs holds its weights in registers over the rows,
// one with a single output transposes 8×8 blocks of its input in registers (4–5× faster than
// gathering them with VGATHERDPS). On the 2-16-1 network (BenchmarkLossGrad32, Zen 3) they
// take the float32 step at batch 32 from 9–14 µs (the Go loops) to 1.0–2.1 µs with ReLU and
// from 14–18 µs to 3.3–4.2 µs with tanh, level with or below float64's AVX2 loops, and the
// float32 sweep of configs/bench/small-mlp-sweep.yaml from 48–66 to 15–16 ms per run.

//go:noescape
func small32ForwardAVX2(n, in, out int, x, wt, b, z *float32, relu int)

//go:noescape
func small32Forward2AVX2(n, out int, x, wt, b, z *float32, relu int)

//go:noescape
func small32Forward1AVX2(n, in int, x, w, b, z *float32, relu int)

//go:noescape
func small32Forward1T8AVX2(n, in int, x, w, b, z *float32, relu int)

//go:noescape
func small32ColSumsAVX2(n, out int, dz, gb *float32)

//go:noescape
func small32GradWjAVX2(n, in, out int, dz, a, gt *float32)

//go:noescape
func small32GradWkAVX2(n, in, out int, dz, a, gw *float32)

//go:noescape
func small32GradXAVX2(n, in, out int, dz, w, dx, a *float32, act int)

// small32SIMD switches the float32 small layers to the AVX2 loops (tests and benchmarks turn
// it off to run the Go loops).
var small32SIMD = cpu.X86.HasAVX2 && cpu.X86.HasAVX

func intOf(b bool) int {
	if b {
		return 1
	}
	return 0
}

// simdForward32 is loopForward32 (wt, in×out scratch) followed, when relu, by the ReLU, in
// AVX2; it reports false, leaving z alone, when the loops are off or there are no rows.
func simdForward32(n, in, out int, a, w, b, z, wt []float32, relu bool) bool {
	if !small32SIMD || n == 0 {
		return false
	}
	a, w, b, z = a[:n*in], w[:out*in], b[:out], z[:n*out]
	if out == 1 { // a regression's output: eight rows per vector
		i := 0
		if in%8 == 0 { // whole blocks of 8×8 transposed, the rows left gathered
			i = n &^ 7
			small32Forward1T8AVX2(i, in, &a[0], &w[0], &b[0], &z[0], intOf(relu))
		}
		if i < n {
			small32Forward1AVX2(n-i, in, &a[i*in], &w[0], &b[0], &z[i], intOf(relu))
		}
		return true
	}
	wt = wt[:in*out]
	transposeInto(wt, w, out, in)
	if in == 2 {
		small32Forward2AVX2(n, out, &a[0], &wt[0], &b[0], &z[0], intOf(relu))
	} else {
		small32ForwardAVX2(n, in, out, &a[0], &wt[0], &b[0], &z[0], intOf(relu))
	}
	return true
}

// simdGradWB32 is loopGradWB32 (gt, in×out scratch) in AVX2, the vectors along the outputs
// or, when that takes fewer of them, along the inputs; it reports false when the loops are
// off or there are no rows.
func simdGradWB32(n, in, out int, dz, a, gw, gb, gt []float32) bool {
	if !small32SIMD || n == 0 {
		return false
	}
	dz, a, gw, gb = dz[:n*out], a[:n*in], gw[:out*in], gb[:out]
	small32ColSumsAVX2(n, out, &dz[0], &gb[0])
	if out*((in+7)/8) <= in*((out+7)/8) {
		small32GradWkAVX2(n, in, out, &dz[0], &a[0], &gw[0])
		return true
	}
	gt = gt[:in*out]
	small32GradWjAVX2(n, in, out, &dz[0], &a[0], &gt[0])
	transposeInto(gw, gt, in, out)
	return true
}

// simdGradX32 is loopGradX32 followed by activateBackward32(act, a, da) in AVX2, written over
// a (da unused); it reports false when the loops are off or there are no rows.
func simdGradX32(n, in, out int, dz, w, da, a []float32, act activation) bool {
	if !small32SIMD || n == 0 {
		return false
	}
	dz, w, da, a = dz[:n*out], w[:out*in], da[:n*in], a[:n*in]
	small32GradXAVX2(n, in, out, &dz[0], &w[0], &da[0], &a[0], gradXAct[act])
	return true
}

// gradXAct is small32GradXAVX2's code of each activation.
var gradXAct = [...]int{actReLU: 1, actTanh: 2, actSigmoid: 3}
