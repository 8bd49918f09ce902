package model

// The float32 loops of small layers (in×out ≤ smallLayer) in plain Go: each sum from +0 over
// its terms in order, no term skipped. They are the whole small-layer path in purego and netlib
// builds and on CPUs without AVX2, and the exact reference of the AVX2 loops of
// small32_amd64.s otherwise (TestSmall32Exact).

// loopForward32 sets z (n×out) = a·wᵀ + b: each output b + ((0 + a₀w₀) + a₁w₁ + …), the rows
// through Wᵀ (wt, in×out scratch).
func loopForward32(n, in, out int, a, w, b, z, wt []float32) {
	wt = wt[:in*out]
	transposeInto(wt, w, out, in)
	b = b[:out]
	for i := range n {
		ai := a[i*in : i*in+in]
		zi := z[i*out : i*out+out]
		clear(zi)
		for k, v := range ai {
			wk := wt[k*out : k*out+out]
			wk = wk[:len(zi)]
			for j, u := range wk {
				zi[j] += v * u
			}
		}
		for j, bj := range b {
			zi[j] = bj + zi[j]
		}
	}
}

// loopGradWB32 sets gb to the column sums of dz and each gw[j][k] = Σᵢ dz[i][j]·a[i][k] over
// the rows in order, accumulated as Gᵀ (gt, in×out scratch) so that the inner loop runs along
// the outputs.
func loopGradWB32(n, in, out int, dz, a, gw, gb, gt []float32) {
	colSums(n, out, dz, gb)
	gt = gt[:in*out]
	clear(gt)
	for i := range n {
		di := dz[i*out : i*out+out]
		for k, v := range a[i*in : i*in+in] {
			g := gt[k*out : k*out+out]
			g = g[:len(di)]
			for j, d := range di {
				g[j] += d * v
			}
		}
	}
	transposeInto(gw, gt, in, out)
}

// loopGradX32 sets da (n×in) = dz·w: each da[i][k] = Σⱼ dz[i][j]·w[j][k] over the outputs in
// order.
func loopGradX32(n, in, out int, dz, w, da []float32) {
	for i := range n {
		di := da[i*in : i*in+in]
		clear(di)
		for j, d := range dz[i*out : i*out+out] {
			wj := w[j*in : j*in+in]
			wj = wj[:len(di)]
			for k, v := range wj {
				di[k] += d * v
			}
		}
	}
}
