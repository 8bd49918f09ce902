package model

import (
	"fmt"
	"unsafe"
)

// A packed matrix product for the default, pure-Go build, after GotoBLAS and BLIS: C is
// computed in blocks of mc×nc over slices of kcBlock of the inner dimension; each slice of
// op(A) is packed into panels of mr rows and each slice of op(B) into panels of nr columns, laid
// out in the order the micro-kernel reads them, so that it streams through memory whatever the
// transposes. The micro-kernel (Go assembly on amd64: 4×12 float64 and 4×24 float32 with AVX2
// and FMA, 8×24 float64 with AVX-512) computes one mr×nr tile from a panel of each and adds it
// to C in place; edge tiles go through a small buffer and are clipped there.
//
// An operand that is reused little is read in place instead (BLIS's "sup" idea): op(A) when C
// has few columns (the tall and skinny products of im2col convolutions, the 10 outputs of a
// classifier), and a B that is not transposed when C has few rows; only the partial panel at
// its edge is packed, padded with zeros.
//
// kcBlock fixes the order of the sums, and so the results: every output element is, for each
// slice of kcBlock values of k in order, an FMA chain from +0 over the slice, then added to C
// (the kernel_skinny.go loops keep the same order). mc and nc, which come from the cache sizes
// of the CPU (cacheBlocking), and the number of threads only decide which element is computed
// when and where: they never change a bit of the result.
const (
	kcBlock = 256  // the inner dimension of one pass: kc×nr of B (24 KB) and mr×kc of A stay in L1
	mcBlock = 256  // the most rows of op(A) packed at once, a multiple of every kernel's mr
	ncBlock = 1008 // the most columns of op(B) packed at once, a multiple of every kernel's nr
	maxTile = 8 * 24
)

// elem is the element type of a packed product.
type elem = Float

// gemmKernel is a micro-kernel: f sets, for i < mr and j < nr,
//
//	t(i, j) = Σ_{p<k} a[i·rsa + p·csa] · b[p·csb + j]
//
// as one FMA chain from +0 per element, and adds t to C (store = 0: c[i·ldc + j] += t(i, j))
// or writes it there (store ≠ 0). k ≥ 1. Such a chain is never −0, so that writing t is
// adding it to a C of +0, bit for bit. A kernel that is not inPlace reads only packed panels:
// rsa = 1, csa = mr and csb = nr.
//
// edges are kernels of the same mr for fewer columns, narrowest first, that read the panels
// of this one: the last panel of B, when narrower than nr, takes the first that fits (a 4×4
// kernel does a third of the work of 4×12 on 4 columns).
type gemmKernel[T elem] struct {
	name    string
	mr, nr  int
	inPlace bool
	f       func(k int, a *T, rsa, csa int, b *T, csb int, c *T, ldc int, store int)
	edges   []gemmKernel[T]
}

// microKernel is a float64 kernel, the kind the models use.
type microKernel = gemmKernel[float64]

// goKernel is the micro-kernel in plain Go, the reference of the assembly ones.
var goKernel = microKernel{"go", 4, 12, true, kernGo[float64], nil}

// kernGo is a 4×12 micro-kernel in plain Go (see gemmKernel).
func kernGo[T elem](k int, a *T, rsa, csa int, b *T, csb int, c *T, ldc int, store int) {
	const mr, nr = 4, 12
	as := unsafe.Slice(a, (mr-1)*rsa+(k-1)*csa+1)
	bs := unsafe.Slice(b, (k-1)*csb+nr)
	cs := unsafe.Slice(c, (mr-1)*ldc+nr)
	var t [mr * nr]T
	for p := range k {
		bv := bs[p*csb : p*csb+nr]
		for i := range mr {
			av := as[i*rsa+p*csa]
			row := t[i*nr : i*nr+nr]
			for j, v := range bv {
				row[j] += av * v
			}
		}
	}
	writeTile(mr, nr, t[:], cs, ldc, store)
}

// writeTile adds the mr×nr tile t to c or writes it there, as store says (see gemmKernel).
func writeTile[T elem](mr, nr int, t, c []T, ldc int, store int) {
	for i := range mr {
		row := c[i*ldc : i*ldc+nr]
		tr := t[i*nr : i*nr+nr]
		if store != 0 {
			copy(row, tr)
			continue
		}
		for j, v := range tr {
			row[j] += v
		}
	}
}

// tileKernel adapts a kernel that writes a packed mr×nr tile into t (the AVX-512 one) to the
// gemmKernel form.
func tileKernel[T elem](mr, nr int, f func(k int, ap, bp *T, t *[maxTile]T)) func(k int, a *T, rsa, csa int, b *T, csb int, c *T, ldc int, store int) {
	return func(k int, a *T, _, _ int, b *T, _ int, c *T, ldc int, store int) {
		var t [maxTile]T
		f(k, a, b, &t)
		writeTile(mr, nr, t[:], unsafe.Slice(c, (mr-1)*ldc+nr), ldc, store)
	}
}

// gemmArgs is one product C = op(A)·op(B) + beta·C, row-major: op(A) m×k, op(B) k×n, C m×n.
type gemmArgs[T elem] struct {
	tA, tB  bool // op is the transpose
	m, n, k int
	a       []T
	lda     int
	b       []T
	ldb     int
	beta    T
	c       []T
	ldc     int
}

// check panics unless the operands hold the matrices they describe: the kernels read them
// in place through pointers.
func (g *gemmArgs[T]) check() {
	need := func(name string, s []T, rows, cols, ld int) {
		if rows == 0 || cols == 0 {
			return
		}
		if ld < cols || len(s) < (rows-1)*ld+cols {
			panic(fmt.Sprintf("model: gemm: %s has %d values and stride %d for %d×%d", name, len(s), ld, rows, cols))
		}
	}
	ar, ac := g.m, g.k
	if g.tA {
		ar, ac = ac, ar
	}
	br, bc := g.k, g.n
	if g.tB {
		br, bc = bc, br
	}
	need("a", g.a, ar, ac, g.lda)
	need("b", g.b, br, bc, g.ldb)
	need("c", g.c, g.m, g.n, g.ldc)
}

// rows returns the product restricted to rows i0..i1 of C.
func (g gemmArgs[T]) rows(i0, i1 int) gemmArgs[T] {
	if g.tA {
		g.a = g.a[i0:]
	} else {
		g.a = g.a[i0*g.lda:]
	}
	g.c = g.c[i0*g.ldc:]
	g.m = i1 - i0
	return g
}

// cols returns the product restricted to columns j0..j1 of C.
func (g gemmArgs[T]) cols(j0, j1 int) gemmArgs[T] {
	if g.tB {
		g.b = g.b[j0*g.ldb:]
	} else {
		g.b = g.b[j0:]
	}
	g.c = g.c[j0:]
	g.n = j1 - j0
	return g
}

// gemmSpace is the packing space of one thread.
type gemmSpace[T elem] struct {
	a    [mcBlock * kcBlock]T
	b    [kcBlock * ncBlock]T
	tile [maxTile]T
}

// Operands read in place: op(A) when C has at most inPlaceA columns (the packed panels would
// be used by fewer than inPlaceA/nr kernel calls each), B when C has at most inPlaceB rows.
const (
	inPlaceA = 48
	inPlaceB = 16
)

// gemmSerial computes the product g on the calling goroutine with kern, blocks of mc×nc and
// the packing space s.
func gemmSerial[T elem](kern *gemmKernel[T], mc, nc int, s *gemmSpace[T], g *gemmArgs[T]) {
	if g.m == 0 || g.n == 0 {
		return
	}
	if g.beta != 0 || g.k == 0 {
		scaleC(g) // with beta = 0 the first slice of k writes C (see gemmKernel)
	}
	if g.k == 0 {
		return
	}
	packedA := !kern.inPlace || g.n > inPlaceA
	packedB := !kern.inPlace || g.tB || g.m > inPlaceB
	for jc := 0; jc < g.n; jc += nc {
		ncur := min(nc, g.n-jc)
		for pc := 0; pc < g.k; pc += kcBlock {
			kc := min(kcBlock, g.k-pc)
			for ic := 0; ic < g.m; ic += mc {
				mcur := min(mc, g.m-ic)
				if packedA {
					packA(kern.mr, g.tA, g.a, g.lda, ic, pc, mcur, kc, s.a[:])
				}
				blk := block{ic, jc, pc, mcur, ncur, kc, packedA, packedB, packedB && ic == 0, pc == 0 && g.beta == 0}
				macroKernel(kern, s, g, &blk)
			}
		}
	}
}

// block is one pass of the micro-kernel over mc×nc of C and kc of k, from (ic, jc, pc). With
// packNow, the pass packs each panel of B just before it uses it, as OpenBLAS's driver does for
// its first block of rows: the panel is then still in L1 for the kernel, which saves reading
// the packed block back from L3 when it is used once (C with at most mc rows).
type block struct {
	ic, jc, pc       int
	mc, nc, kc       int
	packedA, packedB bool
	packNow          bool
	write            bool // write C instead of adding to it: the first slice with beta = 0
}

// macroKernel runs the micro-kernel over the tiles of one block: each panel of B (in L1) meets
// every panel of A (in L2).
func macroKernel[T elem](kern *gemmKernel[T], s *gemmSpace[T], g *gemmArgs[T], blk *block) {
	mr, nr, kc := kern.mr, kern.nr, blk.kc
	mode := 0
	if blk.write {
		mode = 1
	}
	for jr := 0; jr < blk.nc; jr += nr {
		nrc := min(nr, blk.nc-jr)
		bp, csb := panelB(kern, s, g, blk, jr, nrc)
		edge := kern.f
		for _, e := range kern.edges {
			if nrc <= e.nr {
				edge = e.f
				break
			}
		}
		for ir := 0; ir < blk.mc; ir += mr {
			mrc := min(mr, blk.mc-ir)
			ap, rsa, csa := panelA(kern, s, g, blk, ir, mrc)
			ci := (blk.ic+ir)*g.ldc + blk.jc + jr
			if mrc == mr && nrc == nr {
				kern.f(kc, ap, rsa, csa, bp, csb, &g.c[ci], g.ldc, mode)
				continue
			}
			edge(kc, ap, rsa, csa, bp, csb, &s.tile[0], nr, 1)
			for i := range mrc {
				row := g.c[ci+i*g.ldc : ci+i*g.ldc+nrc]
				tr := s.tile[i*nr : i*nr+nrc]
				if blk.write {
					copy(row, tr)
					continue
				}
				for j, v := range tr {
					row[j] += v
				}
			}
		}
	}
}

// panelA returns where the micro-kernel reads rows ir.. of the block's A and their strides:
// the packed panel, the matrix itself, or, for a partial panel read in place, that panel
// packed (at the start of s.a, unused then).
func panelA[T elem](kern *gemmKernel[T], s *gemmSpace[T], g *gemmArgs[T], blk *block, ir, mrc int) (*T, int, int) {
	mr, kc := kern.mr, blk.kc
	switch {
	case blk.packedA:
		return &s.a[ir*kc], 1, mr
	case mrc < mr:
		packA(mr, g.tA, g.a, g.lda, blk.ic+ir, blk.pc, mrc, kc, s.a[:])
		return &s.a[0], 1, mr
	case g.tA:
		return &g.a[blk.pc*g.lda+blk.ic+ir], 1, g.lda
	}
	return &g.a[(blk.ic+ir)*g.lda+blk.pc], g.lda, 1
}

// panelB is panelA for columns jr.. of the block's B.
func panelB[T elem](kern *gemmKernel[T], s *gemmSpace[T], g *gemmArgs[T], blk *block, jr, nrc int) (*T, int) {
	nr, kc := kern.nr, blk.kc
	switch {
	case blk.packNow:
		packB(nr, g.tB, g.b, g.ldb, blk.pc, blk.jc+jr, kc, nrc, s.b[jr*kc:])
		return &s.b[jr*kc], nr
	case blk.packedB:
		return &s.b[jr*kc], nr
	case nrc < nr:
		packB(nr, false, g.b, g.ldb, blk.pc, blk.jc+jr, kc, nrc, s.b[:])
		return &s.b[0], nr
	}
	return &g.b[blk.pc*g.ldb+blk.jc+jr], g.ldb
}

// scaleC sets C to beta·C (+0 for beta = 0, whatever C held).
func scaleC[T elem](g *gemmArgs[T]) {
	for i := range g.m {
		row := g.c[i*g.ldc : i*g.ldc+g.n]
		switch g.beta {
		case 0:
			clear(row)
		case 1:
		default:
			for j := range row {
				row[j] *= g.beta
			}
		}
	}
}

// packA packs rows ic..ic+mc and columns pc..pc+kc of op(A) into panels of kerM rows: panel
// r holds, for each p, the kerM values A(ic+r·kerM+i, pc+p), rows past mc set to zero.
func packA[T elem](kerM int, tA bool, a []T, lda, ic, pc, mc, kc int, dst []T) {
	for ir := 0; ir < mc; ir += kerM {
		mr := min(kerM, mc-ir)
		d := dst[ir*kc : ir*kc+kerM*kc]
		if mr < kerM {
			clear(d)
		}
		switch {
		case tA: // rows of the stored k×m matrix hold mr values of a panel step
			copyRows(d, kerM, a[pc*lda+ic+ir:], lda, kc, mr)
		case mr == 4 && kerM == 4:
			packRows4(d, a, lda, ic+ir, pc, kc)
		case mr == 8 && kerM == 8:
			packRows8(d, a, lda, ic+ir, pc, kc)
		default:
			for i := range mr {
				row := ic + ir + i
				src := a[row*lda+pc : row*lda+pc+kc]
				for p, v := range src {
					d[p*kerM+i] = v
				}
			}
		}
	}
}

// packRows4 interleaves the 4 rows from row of a (columns pc..pc+kc) into d, reading the four
// rows side by side and writing d in order.
func packRows4[T elem](d, a []T, lda, row, pc, kc int) {
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
func packRows8[T elem](d, a []T, lda, row, pc, kc int) {
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
func packB[T elem](kerN int, tB bool, b []T, ldb, pc, jc, kc, nc int, dst []T) {
	for jr := 0; jr < nc; jr += kerN {
		nr := min(kerN, nc-jr)
		d := dst[jr*kc : jr*kc+kerN*kc]
		if !tB {
			copyRows(d, kerN, b[pc*ldb+jc+jr:], ldb, kc, nr)
			continue
		}
		if nr < kerN {
			clear(d)
		}
		j := 0
		if nr == 12 && kerN == 12 && transpose12 != nil && unsafe.Sizeof(d[0]) == 8 && kc >= 4 {
			src := b[(jc+jr)*ldb+pc : (jc+jr+11)*ldb+pc+kc]
			k4 := kc &^ 3
			transpose12(k4, (*float64)(unsafe.Pointer(&src[0])), ldb, (*float64)(unsafe.Pointer(&d[0])))
			if k4 == kc {
				continue
			}
			for ; j+4 <= nr; j += 4 { // the last kc mod 4 columns
				packCols4(d[k4*kerN+j:], kerN, b, ldb, jc+jr+j, pc+k4, kc-k4)
			}
			continue
		}
		if nr == 24 && kerN == 24 && transpose24s != nil && unsafe.Sizeof(d[0]) == 4 && kc >= 8 {
			src := b[(jc+jr)*ldb+pc : (jc+jr+23)*ldb+pc+kc]
			k8 := kc &^ 7
			transpose24s(k8, (*float32)(unsafe.Pointer(&src[0])), ldb, (*float32)(unsafe.Pointer(&d[0])))
			for ; k8 < kc && j+4 <= nr; j += 4 { // the last kc mod 8 columns
				packCols4(d[k8*kerN+j:], kerN, b, ldb, jc+jr+j, pc+k8, kc-k8)
			}
			continue
		}
		for ; j+4 <= nr; j += 4 {
			packCols4(d[j:], kerN, b, ldb, jc+jr+j, pc, kc)
		}
		for ; j < nr; j++ {
			src := b[(jc+jr+j)*ldb+pc : (jc+jr+j)*ldb+pc+kc]
			for p, v := range src {
				d[p*kerN+j] = v
			}
		}
	}
}

// packCols4 writes rows row..row+3 of b (columns pc..pc+kc: columns of op(B) = bᵀ) side by
// side into d, 4 values every kerN.
func packCols4[T elem](d []T, kerN int, b []T, ldb, row, pc, kc int) {
	r0 := b[row*ldb+pc : row*ldb+pc+kc]
	r1 := b[(row+1)*ldb+pc : (row+1)*ldb+pc+kc]
	r2 := b[(row+2)*ldb+pc : (row+2)*ldb+pc+kc]
	r3 := b[(row+3)*ldb+pc : (row+3)*ldb+pc+kc]
	r1, r2, r3 = r1[:len(r0)], r2[:len(r0)], r3[:len(r0)]
	d = d[:(kc-1)*kerN+4]
	if transpose4 != nil && unsafe.Sizeof(d[0]) == 8 && kc > 0 { // float64, in registers
		transpose4(kc, (*float64)(unsafe.Pointer(&r0[0])), ldb, (*float64)(unsafe.Pointer(&d[0])), kerN)
		return
	}
	for p, v := range r0 {
		q := d[p*kerN : p*kerN+4 : p*kerN+4]
		q[0], q[1], q[2], q[3] = v, r1[p], r2[p], r3[p]
	}
}

// copyRows copies kc rows of nr values (ld apart in src) into rows of kerN values of d, padded
// with zeros. Whole rows of 12 or 24 values are moved as arrays: copy would call memmove for
// each of them.
func copyRows[T elem](d []T, kerN int, src []T, ld, kc, nr int) {
	switch {
	case nr == 12 && kerN == 12 && copy12 != nil && unsafe.Sizeof(d[0]) == 8 && kc > 0:
		_, _ = d[(kc-1)*12+11], src[(kc-1)*ld+11]
		copy12(kc, (*float64)(unsafe.Pointer(&src[0])), ld, (*float64)(unsafe.Pointer(&d[0])))
	case nr == 24 && kerN == 24 && copy24s != nil && unsafe.Sizeof(d[0]) == 4 && kc > 0:
		_, _ = d[(kc-1)*24+23], src[(kc-1)*ld+23]
		copy24s(kc, (*float32)(unsafe.Pointer(&src[0])), ld, (*float32)(unsafe.Pointer(&d[0])))
	case nr == 4 && kerN == 4 && copy4 != nil && unsafe.Sizeof(d[0]) == 8 && kc > 0:
		_, _ = d[(kc-1)*4+3], src[(kc-1)*ld+3]
		copy4(kc, (*float64)(unsafe.Pointer(&src[0])), ld, (*float64)(unsafe.Pointer(&d[0])))
	case nr == 4 && kerN == 4:
		for p := range kc {
			*(*[4]T)(d[p*4:]) = *(*[4]T)(src[p*ld:])
		}
	case nr == 12 && kerN == 12:
		for p := range kc {
			*(*[12]T)(d[p*12:]) = *(*[12]T)(src[p*ld:])
		}
	case nr == 24 && kerN == 24:
		for p := range kc {
			*(*[24]T)(d[p*24:]) = *(*[24]T)(src[p*ld:])
		}
	default:
		for p := range kc {
			dp := d[p*kerN : p*kerN+kerN]
			copy(dp, src[p*ld:p*ld+nr])
			clear(dp[nr:])
		}
	}
}
