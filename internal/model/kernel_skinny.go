package model

// Skinny layers: the products of a layer with at most skinnyOut outputs (the 10 classes of
// MNIST) through the packed kernel waste most of its time packing op(A) and on zero padding:
// an 8×24 tile of the AVX-512 kernel holds 10 useful columns out of 24 in the forward product
// and 10 useful rows out of 16 (two panels) in dW. The loops here compute the same two
// products without packing the large operand, in the same order of operations as the packed
// kernel (kernelGemm with an FMA micro-kernel) so that the results are equal bit for bit
// (TestSkinnyExact):
//
//   - for each slice of kcBlock inputs in order, each output is an FMA chain over the slice,
//     starting from +0 and going through the inputs in order, then added to C;
//   - C starts as the bias (forward) or +0 (dW), as kernelGemm's beta = 1 and beta = 0 give.
//
// The forward product keeps Wᵀ of a slice (kc×16, outputs padded to 16) hot and runs eight
// rows of x at once, one FMA chain per row and output lane; dW = dzᵀ·x runs 32 columns of x
// against groups of five outputs, a row at a time, reading x in place.
const skinnyOut = 16

// skinnyOK reports whether the products of a layer with out outputs take the skinny loops:
// the packed kernel is in use (buf non-nil, gonum as the BLAS implementation) and is an FMA
// one, as the AVX-512 loops are.
func skinnyOK(buf *gemmBuf, out int) bool {
	return buf != nil && buf.skinny && out <= skinnyOut && usesKernel(buf)
}

// skinnyForward adds x (n×in) · wᵀ (w out×in) to z (n×out), which holds the bias.
func skinnyForward(buf *gemmBuf, n, in, out int, x, w, z []float64) {
	x = x[:n*in]
	w = w[:out*in]
	z = z[:n*out]
	mask := 1<<out - 1
	wt := buf.b[:kcBlock*skinnyOut]
	for pc := 0; pc < in; pc += kcBlock {
		kc := min(kcBlock, in-pc)
		clear(wt[:kc*skinnyOut])
		for j := range out {
			for p, v := range w[j*in+pc : j*in+pc+kc] {
				wt[p*skinnyOut+j] = v
			}
		}
		i := 0
		for ; i+8 <= n; i += 8 {
			skinnyFwd8(kc, &x[i*in+pc], in, &wt[0], &z[i*out], out, mask)
		}
		for ; i < n; i++ {
			skinnyFwd1(kc, &x[i*in+pc], &wt[0], &z[i*out], mask)
		}
	}
}

// skinnyGradWOf sets gw (out×in) = dzᵀ (dz n×out) · a (n×in).
func skinnyGradWOf(buf *gemmBuf, n, in, out int, dz, a, gw []float64) {
	dz = dz[:n*out]
	a = a[:n*in]
	gw = gw[:out*in]
	clear(gw)
	groups := (out + 4) / 5
	ldp := 5 * groups // dz with its rows padded to whole groups of five outputs
	dzp := buf.a[:kcBlock*ldp]
	for pc := 0; pc < n; pc += kcBlock {
		kc := min(kcBlock, n-pc)
		for i := range kc {
			d := dzp[i*ldp : i*ldp+ldp]
			copy(d, dz[(pc+i)*out:(pc+i)*out+out])
			clear(d[out:])
		}
		for g := range groups {
			j0 := 5 * g
			jn := min(5, out-j0)
			for k0 := 0; k0 < in; k0 += 32 {
				cw := min(32, in-k0)
				skinnyGradW(kc, &dzp[j0], ldp, &a[pc*in+k0], in, &gw[j0*in+k0], in, jn, 1<<cw-1)
			}
		}
	}
}
