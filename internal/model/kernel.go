package model

import "gonum.org/v1/gonum/blas"

// A packed matrix product for the default, pure-Go build, after GotoBLAS: C is computed in
// blocks of mcBlock×ncBlock over slices of kcBlock of the inner dimension; each slice of op(A)
// is packed into panels of mr rows and each slice of op(B) into panels of nr columns, both
// laid out in the order the micro-kernel reads them, so that the kernel streams through
// memory whatever the transposes. The micro-kernel (Go assembly on amd64: 8×24 with AVX-512,
// 4×12 with AVX2 and FMA) computes one mr×nr tile from a panel of each into a small buffer,
// which is then added to C; edges are padded with zeros in the panels and clipped there.
const (
	kcBlock = 256
	mcBlock = 96  // a multiple of every kernel's mr
	ncBlock = 240 // a multiple of every kernel's nr
	maxTile = 8 * 24
)

// microKernel sets t (mr×nr, row-major) to Σ_p ap[p·mr : p·mr+mr]ᵀ · bp[p·nr : p·nr+nr] over
// k ≥ 1 steps.
type microKernel struct {
	name   string
	mr, nr int
	f      func(k int, ap, bp *float64, t *[maxTile]float64)
}

// goKernel is the micro-kernel in plain Go, the reference of the assembly ones.
var goKernel = microKernel{"go", 4, 12, func(k int, ap, bp *float64, t *[maxTile]float64) { kernGo(4, 12, k, ap, bp, t) }}

// gemmBuf is the packing space of the products of one model, allocated with the model so that
// models on several goroutines (sweep workers) each have their own and a product allocates
// nothing.
type gemmBuf struct {
	kern   microKernel
	skinny bool // products of layers with few outputs take the loops of kernel_skinny.go
	a      [mcBlock * kcBlock]float64
	b      [kcBlock * ncBlock]float64
	tmp    [maxTile]float64
}

// kernelGemm computes C = op(A)·op(B) + beta·C like gemm, with the packed micro-kernel, packing
// into buf.
func kernelGemm(buf *gemmBuf, tA, tB blas.Transpose, m, n, k int, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		switch beta {
		case 0:
			clear(row)
		case 1:
		default:
			for j := range row {
				row[j] *= beta
			}
		}
	}
	if k == 0 {
		return
	}
	kern, kerM, kerN := buf.kern.f, buf.kern.mr, buf.kern.nr
	for jc := 0; jc < n; jc += ncBlock {
		nc := min(ncBlock, n-jc)
		for pc := 0; pc < k; pc += kcBlock {
			kc := min(kcBlock, k-pc)
			packB(kerN, tB, b, ldb, pc, jc, kc, nc, buf.b[:])
			for ic := 0; ic < m; ic += mcBlock {
				mc := min(mcBlock, m-ic)
				packA(kerM, tA, a, lda, ic, pc, mc, kc, buf.a[:])
				for jr := 0; jr < nc; jr += kerN {
					nr := min(kerN, nc-jr)
					bp := buf.b[jr*kc : jr*kc+kerN*kc]
					for ir := 0; ir < mc; ir += kerM {
						mr := min(kerM, mc-ir)
						ap := buf.a[ir*kc : ir*kc+kerM*kc]
						kern(kc, &ap[0], &bp[0], &buf.tmp)
						addTile(c, ldc, ic+ir, jc+jr, mr, nr, buf.tmp[:kerM*kerN], kerN)
					}
				}
			}
		}
	}
}

// addTile adds the mr×nr corner of the tile t (rows of kerN) to C at (i, j).
func addTile(c []float64, ldc, i, j, mr, nr int, t []float64, kerN int) {
	for r := range mr {
		row := c[(i+r)*ldc+j : (i+r)*ldc+j+nr]
		tr := t[r*kerN : r*kerN+nr]
		for q, v := range tr {
			row[q] += v
		}
	}
}

// packA packs rows ic..ic+mc and columns pc..pc+kc of op(A) into panels of kerM rows: panel
// r holds, for each p, the kerM values A(ic+r·kerM+i, pc+p), rows past mc set to zero.
func packA(kerM int, tA blas.Transpose, a []float64, lda, ic, pc, mc, kc int, dst []float64) {
	for ir := 0; ir < mc; ir += kerM {
		mr := min(kerM, mc-ir)
		d := dst[ir*kc : ir*kc+kerM*kc]
		if mr < kerM {
			clear(d)
		}
		if tA == blas.Trans { // rows of the stored k×m matrix hold mr values of a panel step
			for p := range kc {
				src := a[(pc+p)*lda+ic+ir : (pc+p)*lda+ic+ir+mr]
				copy(d[p*kerM:p*kerM+mr], src)
			}
			continue
		}
		if mr == 4 && kerM == 4 {
			packRows4(d, a, lda, ic+ir, pc, kc)
			continue
		}
		if mr == 8 && kerM == 8 {
			packRows8(d, a, lda, ic+ir, pc, kc)
			continue
		}
		for i := range mr {
			row := ic + ir + i
			src := a[row*lda+pc : row*lda+pc+kc]
			for p, v := range src {
				d[p*kerM+i] = v
			}
		}
	}
}

// packRows4 interleaves the 4 rows from row of a (columns pc..pc+kc) into d, reading the four
// rows side by side and writing d in order.
func packRows4(d, a []float64, lda, row, pc, kc int) {
	r0 := a[row*lda+pc : row*lda+pc+kc]
	r1 := a[(row+1)*lda+pc : (row+1)*lda+pc+kc]
	r2 := a[(row+2)*lda+pc : (row+2)*lda+pc+kc]
	r3 := a[(row+3)*lda+pc : (row+3)*lda+pc+kc]
	r1, r2, r3 = r1[:len(r0)], r2[:len(r0)], r3[:len(r0)]
	d = d[:4*len(r0)]
	for p, v := range r0 {
		q := d[4*p : 4*p+4 : 4*p+4]
		q[0], q[1], q[2], q[3] = v, r1[p], r2[p], r3[p]
	}
}

// packRows8 is packRows4 for 8 rows.
func packRows8(d, a []float64, lda, row, pc, kc int) {
	r0 := a[row*lda+pc : row*lda+pc+kc]
	r1 := a[(row+1)*lda+pc : (row+1)*lda+pc+kc]
	r2 := a[(row+2)*lda+pc : (row+2)*lda+pc+kc]
	r3 := a[(row+3)*lda+pc : (row+3)*lda+pc+kc]
	r4 := a[(row+4)*lda+pc : (row+4)*lda+pc+kc]
	r5 := a[(row+5)*lda+pc : (row+5)*lda+pc+kc]
	r6 := a[(row+6)*lda+pc : (row+6)*lda+pc+kc]
	r7 := a[(row+7)*lda+pc : (row+7)*lda+pc+kc]
	n := len(r0)
	r1, r2, r3, r4, r5, r6, r7 = r1[:n], r2[:n], r3[:n], r4[:n], r5[:n], r6[:n], r7[:n]
	d = d[:8*n]
	for p, v := range r0 {
		q := d[8*p : 8*p+8 : 8*p+8]
		q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7] = v, r1[p], r2[p], r3[p], r4[p], r5[p], r6[p], r7[p]
	}
}

// packB packs rows pc..pc+kc and columns jc..jc+nc of op(B) into panels of kerN columns: panel
// q holds, for each p, the kerN values B(pc+p, jc+q·kerN+j), columns past nc set to zero.
func packB(kerN int, tB blas.Transpose, b []float64, ldb, pc, jc, kc, nc int, dst []float64) {
	for jr := 0; jr < nc; jr += kerN {
		nr := min(kerN, nc-jr)
		d := dst[jr*kc : jr*kc+kerN*kc]
		if tB == blas.NoTrans {
			for p := range kc {
				src := b[(pc+p)*ldb+jc+jr : (pc+p)*ldb+jc+jr+nr]
				dp := d[p*kerN : p*kerN+kerN]
				copy(dp, src)
				clear(dp[nr:])
			}
			continue
		}
		if nr < kerN {
			clear(d)
		}
		for j := range nr {
			src := b[(jc+jr+j)*ldb+pc : (jc+jr+j)*ldb+pc+kc]
			for p, v := range src {
				d[p*kerN+j] = v
			}
		}
	}
}

// kernGo is the micro-kernel in plain Go for an mr×nr tile.
func kernGo(mr, nr, k int, ap, bp *float64, t *[maxTile]float64) {
	a := unsafeSlice(ap, k*mr)
	b := unsafeSlice(bp, k*nr)
	clear(t[:])
	for p := range k {
		bv := b[p*nr : p*nr+nr]
		for i, av := range a[p*mr : p*mr+mr] {
			row := t[i*nr : i*nr+nr]
			for j, v := range bv {
				row[j] += av * v
			}
		}
	}
}
