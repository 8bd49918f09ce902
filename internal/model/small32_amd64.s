//go:build !purego && !netlib

#include "textflag.h"

// The float32 loops of small layers, eight lanes per register. A row whose length is not a
// multiple of 8 ends in a partial vector, loaded and stored through a lane mask (VMASKMOVPS
// neither reads nor writes the masked-off lanes). Every function keeps the lane indices
// 0..7 in Y12, all ones in Y11, the mask of the last, partial vector in Y10 and, per vector,
// the mask it uses in Y9. The bodies the functions share are macros (their labels passed in,
// as one TEXT may use a macro twice); the arguments are loaded in each TEXT, where go vet
// checks them against the Go declaration.

DATA lanes32<>+0(SB)/4, $0
DATA lanes32<>+4(SB)/4, $1
DATA lanes32<>+8(SB)/4, $2
DATA lanes32<>+12(SB)/4, $3
DATA lanes32<>+16(SB)/4, $4
DATA lanes32<>+20(SB)/4, $5
DATA lanes32<>+24(SB)/4, $6
DATA lanes32<>+28(SB)/4, $7
GLOBL lanes32<>(SB), RODATA|NOPTR, $32

// LANEMASK sets y to the mask of the lanes below the count in register r (all of them for
// r ≥ 8), through x, the low half of y.
#define LANEMASK(r, x, y) VMOVQ r, x; VPBROADCASTD x, y; VPCMPGTD Y12, y, y

// MASKS sets Y12, Y11 and Y10 for rows of cnt (≥ 1) values; it overwrites r.
#define MASKS(cnt, r) VMOVDQU lanes32<>(SB), Y12; VPCMPEQD Y11, Y11, Y11; LEAQ -1(cnt), r; ANDQ $7, r; INCQ r; LANEMASK(r, X10, Y10)

// PICKMASK sets Y9 to the mask of the vector ending at byte end of a row of len bytes.
#define PICKMASK(end, len, label) VMOVAPS Y11, Y9; CMPQ end, len; JLE label; VMOVAPS Y10, Y9; label:

// COLS16 goes to done when no column is left from byte CX of a row of len bytes, to one when
// fewer than 16 are, with end = CX + 64 (the end of 16 columns).
#define COLS16(len, end, done, one) \
	CMPQ CX, len; \
	JGE done; \
	LEAQ 64(CX), end; \
	CMPQ end, len; \
	JG one

// STOREY0 stores Y0 at dst, the vector ending at byte end of a row of len bytes: whole, or
// through the mask Y9 when it is the last, partial one.
#define STOREY0(end, len, dst, part, next) \
	CMPQ end, len; \
	JG part; \
	VMOVUPS Y0, dst; \
	JMP next; \
part:; \
	VMASKMOVPS Y0, Y9, dst; \
next:

// RELUIF sets z to +0 where z < 0 (false for NaN) when R13 ≠ 0, m as scratch and Y15 = 0.
#define RELUIF(z, m, skip) \
	TESTQ R13, R13; \
	JZ skip; \
	VCMPPS $1, Y15, z, m; \
	VANDNPS z, m, z; \
skip:

// RELUIF2 is RELUIF on the two vectors a and b (ma and mb as scratch), interleaved.
#define RELUIF2(a, ma, b, mb, skip) \
	TESTQ R13, R13; \
	JZ skip; \
	VCMPPS $1, Y15, a, ma; \
	VCMPPS $1, Y15, b, mb; \
	VANDNPS a, ma, a; \
	VANDNPS b, mb, b; \
skip:

// DOT16 and DOT8 form the sums of the 16 or 8 (the lanes of Y9) columns at byte CX of a
// matrix at R11 with the row stride stride, weighted by the row at SI of length lim bytes
// (dot += x[k]·m[k][j] for each k in order, from +0): DOT16 into Y0 and Y3, DOT8 into Y0
// through the product register prod; both use AX, DX, Y1, Y2 (and DOT16 Y4).
#define DOT16(lim, stride, loop, end) \
	VXORPS Y0, Y0, Y0; \
	VXORPS Y3, Y3, Y3; \
	LEAQ (R11)(CX*1), DX;        /* DX = &m[k][j] */ \
	XORQ AX, AX;                 /* AX = byte offset of k */ \
loop:; \
	CMPQ AX, lim; \
	JGE end; \
	VBROADCASTSS (SI)(AX*1), Y1; \
	VMULPS (DX), Y1, Y2; \
	VMULPS 32(DX), Y1, Y4; \
	VADDPS Y2, Y0, Y0; \
	VADDPS Y4, Y3, Y3; \
	ADDQ stride, DX; \
	ADDQ $4, AX; \
	JMP loop; \
end:

#define DOT8(lim, stride, prod, loop, end) \
	VXORPS Y0, Y0, Y0; \
	LEAQ (R11)(CX*1), DX;        /* DX = &m[k][j] */ \
	XORQ AX, AX;                 /* AX = byte offset of k */ \
loop:; \
	CMPQ AX, lim; \
	JGE end; \
	VBROADCASTSS (SI)(AX*1), Y1; \
	VMASKMOVPS (DX), Y9, Y2; \
	VMULPS Y2, Y1, prod; \
	VADDPS prod, Y0, Y0; \
	ADDQ stride, DX; \
	ADDQ $4, AX; \
	JMP loop; \
end:

// func small32ForwardAVX2(n, in, out int, x, wt, b, z *float32, relu int)
//
// For each of the n rows of x (n×in) and each 16 or 8 outputs j: z[i][j] = b[j] + (((0 +
// x[i][0]·wt[0][j]) + x[i][1]·wt[1][j]) + …), then, with relu ≠ 0, +0 where z < 0. wt is Wᵀ
// (in×out).
TEXT ·small32ForwardAVX2(SB), NOSPLIT, $0-64
	MOVQ n+0(FP), R8
	MOVQ in+8(FP), BX
	SHLQ $2, BX                 // BX = row stride of x in bytes
	MOVQ out+16(FP), R14
	MASKS(R14, AX)
	SHLQ $2, R14                // R14 = row stride of wt and z in bytes
	MOVQ x+24(FP), SI
	MOVQ wt+32(FP), R11
	MOVQ b+40(FP), R12
	MOVQ z+48(FP), DI
	MOVQ relu+56(FP), R13
	VXORPS Y15, Y15, Y15
frow:
	TESTQ R8, R8
	JLE fdone
	XORQ CX, CX                 // CX = byte offset of output j
fcol:
	COLS16(R14, R9, frowend, fone)
	// 16 outputs, two whole vectors
	DOT16(BX, R14, fk2, fk2end)
	LEAQ (R12)(CX*1), DX
	VADDPS (DX), Y0, Y0         // b + sum
	VADDPS 32(DX), Y3, Y3
	RELUIF2(Y0, Y2, Y3, Y4, fstore2)
	LEAQ (DI)(CX*1), DX
	VMOVUPS Y0, (DX)
	VMOVUPS Y3, 32(DX)
	MOVQ R9, CX
	JMP fcol
fone:
	// 8 outputs or fewer, the last through the mask
	LEAQ 32(CX), R9             // R9 = end of the vector
	PICKMASK(R9, R14, fsum)
	DOT8(BX, R14, Y1, fk, fkend)
	VMASKMOVPS (R12)(CX*1), Y9, Y2
	VADDPS Y0, Y2, Y0           // b + sum
	RELUIF(Y0, Y2, fstore)
	STOREY0(R9, R14, (DI)(CX*1), fpart, fnext)
	MOVQ R9, CX
	JMP fcol
frowend:
	ADDQ BX, SI
	ADDQ R14, DI
	DECQ R8
	JMP frow
fdone:
	VZEROUPPER
	RET

// func small32Forward2AVX2(n, out int, x, wt, b, z *float32, relu int)
//
// small32ForwardAVX2 for a layer with two inputs (the first layer of a network on 2-d points):
// each 16 or 8 outputs hold their weights and biases in registers over all the rows.
TEXT ·small32Forward2AVX2(SB), NOSPLIT, $0-56
	MOVQ n+0(FP), R8
	MOVQ out+8(FP), R14
	MASKS(R14, AX)
	SHLQ $2, R14                // R14 = row stride of wt and z in bytes
	MOVQ x+16(FP), SI
	MOVQ wt+24(FP), R11
	MOVQ b+32(FP), R12
	MOVQ z+40(FP), DI
	MOVQ relu+48(FP), R13
	VXORPS Y15, Y15, Y15
	XORQ CX, CX                 // CX = byte offset of output j
pcol:
	COLS16(R14, R9, pdone, pone)
	// 16 outputs, two whole vectors
	LEAQ (R11)(CX*1), DX
	VMOVUPS (DX), Y4            // wt[0][j..j+15]
	VMOVUPS 32(DX), Y5
	VMOVUPS (DX)(R14*1), Y6     // wt[1][j..j+15]
	VMOVUPS 32(DX)(R14*1), Y7
	VMOVUPS (R12)(CX*1), Y8     // b[j..j+15]
	VMOVUPS 32(R12)(CX*1), Y9
	MOVQ SI, AX                 // AX = &x[i][0]
	LEAQ (DI)(CX*1), DX         // DX = &z[i][j]
	MOVQ R8, R10
prow2:
	TESTQ R10, R10
	JLE pnext
	VBROADCASTSS (AX), Y1
	VBROADCASTSS 4(AX), Y2
	VMULPS Y4, Y1, Y0
	VMULPS Y5, Y1, Y3
	VADDPS Y0, Y15, Y0        // 0 + x₀w₀
	VADDPS Y3, Y15, Y3
	VMULPS Y6, Y2, Y12
	VMULPS Y7, Y2, Y13
	VADDPS Y12, Y0, Y0        // + x₁w₁
	VADDPS Y13, Y3, Y3
	VADDPS Y0, Y8, Y0         // b + sum
	VADDPS Y3, Y9, Y3
	RELUIF2(Y0, Y12, Y3, Y13, pstore2)
	VMOVUPS Y0, (DX)
	VMOVUPS Y3, 32(DX)
	ADDQ $8, AX
	ADDQ R14, DX
	DECQ R10
	JMP prow2
pone:
	// 8 outputs or fewer, the last through the mask
	LEAQ 32(CX), R9
	PICKMASK(R9, R14, pmask)
	LEAQ (R11)(CX*1), DX
	VMASKMOVPS (DX), Y9, Y4
	VMASKMOVPS (DX)(R14*1), Y9, Y6
	VMASKMOVPS (R12)(CX*1), Y9, Y8
	MOVQ SI, AX
	LEAQ (DI)(CX*1), DX
	MOVQ R8, R10
prow:
	TESTQ R10, R10
	JLE pnext
	VBROADCASTSS (AX), Y1
	VBROADCASTSS 4(AX), Y2
	VMULPS Y4, Y1, Y0
	VADDPS Y0, Y15, Y0
	VMULPS Y6, Y2, Y12
	VADDPS Y12, Y0, Y0
	VADDPS Y0, Y8, Y0
	RELUIF(Y0, Y12, pstore)
	STOREY0(R9, R14, (DX), ppart, prownext)
	ADDQ $8, AX
	ADDQ R14, DX
	DECQ R10
	JMP prow
pnext:
	MOVQ R9, CX
	JMP pcol
pdone:
	VZEROUPPER
	RET

// func small32Forward1AVX2(n, in int, x, w, b, z *float32, relu int)
//
// The forward pass of a layer with one output, eight rows per vector (gathered from x):
// z[i] = b + (((0 + x[i][0]·w[0]) + x[i][1]·w[1]) + …), then with relu ≠ 0 +0 where z < 0.
TEXT ·small32Forward1AVX2(SB), NOSPLIT, $0-56
	MOVQ n+0(FP), R8
	MOVQ in+8(FP), BX
	MOVQ x+16(FP), SI
	MOVQ w+24(FP), R11
	MOVQ b+32(FP), AX
	VBROADCASTSS (AX), Y14
	MOVQ z+40(FP), DI
	MOVQ relu+48(FP), R13
	VXORPS Y15, Y15, Y15
	VMOVDQU lanes32<>(SB), Y12
	VMOVQ BX, X8
	VPBROADCASTD X8, Y8
	VPMULLD Y12, Y8, Y8         // Y8 = r·in, the index of row r's first value
	SHLQ $2, BX                 // BX = row stride of x in bytes
	MOVQ BX, R10
	SHLQ $3, R10                // R10 = stride of 8 rows
orow:
	TESTQ R8, R8
	JLE odone
	LANEMASK(R8, X9, Y9)        // Y9 = the rows left
	VXORPS Y0, Y0, Y0
	XORQ AX, AX                 // AX = byte offset of input k
ok:
	CMPQ AX, BX
	JGE okend
	VMOVAPS Y9, Y2              // the gather clears its mask
	VXORPS Y1, Y1, Y1
	LEAQ (SI)(AX*1), DX
	VGATHERDPS Y2, (DX)(Y8*4), Y1   // Y1 = x[i+r][k]
	VBROADCASTSS (R11)(AX*1), Y3
	VMULPS Y3, Y1, Y1
	VADDPS Y1, Y0, Y0
	ADDQ $4, AX
	JMP ok
okend:
	VADDPS Y0, Y14, Y0          // b + sum
	RELUIF(Y0, Y2, ostore)
	CMPQ R8, $8
	JL opart
	VMOVUPS Y0, (DI)
	JMP onext
opart:
	VMASKMOVPS Y0, Y9, (DI)
onext:
	ADDQ R10, SI
	ADDQ $32, DI
	SUBQ $8, R8
	JMP orow
odone:
	VZEROUPPER
	RET

// TRANS4 loads four rows of 8 inputs from byte AX of the rows at row, row+BX, row+2·BX and
// row+R9 (3·BX) into r0..r3 and transposes them by pairs through t0..t3 (DX as scratch): r0
// holds the four rows of input k in its low half and of input k+4 in its high half, r1 k+1 |
// k+5, r2 k+2 | k+6, r3 k+3 | k+7. The unpacks give t0 = r0k0 r1k0 r0k1 r1k1 | r0k4 r1k4
// r0k5 r1k5 and t1 = r0k2 r1k2 r0k3 r1k3 | r0k6 r1k6 r0k7 r1k7 (t2, t3 rows 2 and 3 alike).
#define TRANS4(row, r0, r1, r2, r3, t0, t1, t2, t3) \
	LEAQ (row)(AX*1), DX; \
	VMOVUPS (DX), r0; \
	VMOVUPS (DX)(BX*1), r1; \
	VMOVUPS (DX)(BX*2), r2; \
	VMOVUPS (DX)(R9*1), r3; \
	VUNPCKLPS r1, r0, t0; \
	VUNPCKHPS r1, r0, t1; \
	VUNPCKLPS r3, r2, t2; \
	VUNPCKHPS r3, r2, t3; \
	VSHUFPS $0x44, t2, t0, r0; \
	VSHUFPS $0xee, t2, t0, r1; \
	VSHUFPS $0x44, t3, t1, r2; \
	VSHUFPS $0xee, t3, t1, r3

// MULADD adds x·w to Y0, x the 8 rows of one input in register x, w the weight at off(DX)
// (broadcast into Y13); x is overwritten.
#define MULADD(off, x) \
	VBROADCASTSS off(DX), Y13; \
	VMULPS Y13, x, x; \
	VADDPS x, Y0, Y0

// func small32Forward1T8AVX2(n, in int, x, w, b, z *float32, relu int)
//
// small32Forward1AVX2 for n and in multiples of 8: each 8×8 block of x is transposed in
// registers so that lane r holds row i+r, instead of gathered.
TEXT ·small32Forward1T8AVX2(SB), NOSPLIT, $0-56
	MOVQ n+0(FP), R8
	MOVQ in+8(FP), BX
	SHLQ $2, BX                 // BX = row stride of x in bytes
	MOVQ x+16(FP), SI
	MOVQ w+24(FP), R11
	MOVQ b+32(FP), AX
	VBROADCASTSS (AX), Y14
	MOVQ z+40(FP), DI
	MOVQ relu+48(FP), R13
	VXORPS Y15, Y15, Y15
	LEAQ (BX)(BX*2), R9         // R9 = 3 rows
trow:
	TESTQ R8, R8
	JLE tdone
	VXORPS Y0, Y0, Y0
	LEAQ (SI)(BX*4), R10        // R10 = row i+4
	XORQ AX, AX                 // AX = byte offset of input k
tk:
	CMPQ AX, BX
	JGE tkend
	TRANS4(SI, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8)      // rows i..i+3
	TRANS4(R10, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12)  // rows i+4..i+7
	VPERM2F128 $0x20, Y5, Y1, Y9    // input k, rows 0..7
	VPERM2F128 $0x20, Y6, Y2, Y10   // k+1
	VPERM2F128 $0x20, Y7, Y3, Y11   // k+2
	VPERM2F128 $0x20, Y8, Y4, Y12   // k+3
	VPERM2F128 $0x31, Y5, Y1, Y1    // k+4
	VPERM2F128 $0x31, Y6, Y2, Y2    // k+5
	VPERM2F128 $0x31, Y7, Y3, Y3    // k+6
	VPERM2F128 $0x31, Y8, Y4, Y4    // k+7
	LEAQ (R11)(AX*1), DX
	MULADD(0, Y9)
	MULADD(4, Y10)
	MULADD(8, Y11)
	MULADD(12, Y12)
	MULADD(16, Y1)
	MULADD(20, Y2)
	MULADD(24, Y3)
	MULADD(28, Y4)
	ADDQ $32, AX
	JMP tk
tkend:
	VADDPS Y0, Y14, Y0          // b + sum
	RELUIF(Y0, Y2, tstore)
	VMOVUPS Y0, (DI)
	LEAQ (R10)(BX*4), SI        // row i+8
	ADDQ $32, DI
	SUBQ $8, R8
	JMP trow
tdone:
	VZEROUPPER
	RET

// func small32ColSumsAVX2(n, out int, dz, gb *float32)
//
// For each 8 outputs j: gb[j] = ((0 + dz[0][j]) + dz[1][j]) + … over the n rows in order.
TEXT ·small32ColSumsAVX2(SB), NOSPLIT, $0-32
	MOVQ n+0(FP), R8
	MOVQ out+8(FP), R14
	MASKS(R14, AX)
	SHLQ $2, R14                // R14 = row stride of dz in bytes
	MOVQ dz+16(FP), SI
	MOVQ gb+24(FP), DI
	XORQ CX, CX                 // CX = byte offset of output j
ccol:
	CMPQ CX, R14
	JGE cdone
	LEAQ 32(CX), R9
	PICKMASK(R9, R14, csum)
	VXORPS Y0, Y0, Y0
	LEAQ (SI)(CX*1), DX         // DX = &dz[i][j]
	MOVQ R8, R10
ci:
	TESTQ R10, R10
	JLE ciend
	VMASKMOVPS (DX), Y9, Y1
	VADDPS Y1, Y0, Y0
	ADDQ R14, DX
	DECQ R10
	JMP ci
ciend:
	STOREY0(R9, R14, (DI)(CX*1), cpart, cnext)
	MOVQ R9, CX
	JMP ccol
cdone:
	VZEROUPPER
	RET

// ROWSUM sets Y0 to Σᵢ d·a over the n (R8) rows in order from +0, d from dz's row i at byte CX
// (SI, row stride R14) and a from a's row i at byte AX (R9, row stride BX), through DX, R13,
// R10, Y1 and Y2: LOAD is LOADWJ (d the vector of 8 outputs, a broadcast) or LOADWK (d
// broadcast, a the vector of 8 inputs), Y1 × Y2 the product.
#define ROWSUM(LOAD, loop, end) \
	VXORPS Y0, Y0, Y0; \
	LEAQ (SI)(CX*1), DX;         /* DX = &dz[i][j] */ \
	LEAQ (R9)(AX*1), R13;        /* R13 = &a[i][k] */ \
	MOVQ R8, R10; \
loop:; \
	TESTQ R10, R10; \
	JLE end; \
	LOAD; \
	VMULPS Y2, Y1, Y2; \
	VADDPS Y2, Y0, Y0; \
	ADDQ R14, DX; \
	ADDQ BX, R13; \
	DECQ R10; \
	JMP loop; \
end:

#define LOADWJ VMASKMOVPS (DX), Y9, Y1; VBROADCASTSS (R13), Y2
#define LOADWK VBROADCASTSS (DX), Y1; VMASKMOVPS (R13), Y9, Y2

// func small32GradWjAVX2(n, in, out int, dz, a, gt *float32)
//
// For each 8 outputs j and each input k: gt[k][j] = Σᵢ dz[i][j]·a[i][k] (Wᵀ's gradient,
// in×out) over the n rows in order from +0.
TEXT ·small32GradWjAVX2(SB), NOSPLIT, $0-48
	MOVQ n+0(FP), R8
	MOVQ in+8(FP), BX
	SHLQ $2, BX                 // BX = row stride of a in bytes
	MOVQ out+16(FP), R14
	MASKS(R14, AX)
	SHLQ $2, R14                // R14 = row stride of dz and gt in bytes
	MOVQ dz+24(FP), SI
	MOVQ a+32(FP), R9
	MOVQ gt+40(FP), R11
	XORQ CX, CX                 // CX = byte offset of output j
wcol:
	CMPQ CX, R14
	JGE wdone
	LEAQ 32(CX), R12
	PICKMASK(R12, R14, wsum)
	XORQ AX, AX                 // AX = byte offset of input k
	LEAQ (R11)(CX*1), DI        // DI = &gt[k][j]
wk:
	CMPQ AX, BX
	JGE wkend
	ROWSUM(LOADWJ, wi, wiend)
	STOREY0(R12, R14, (DI), wpart, wnext)
	ADDQ R14, DI
	ADDQ $4, AX
	JMP wk
wkend:
	MOVQ R12, CX
	JMP wcol
wdone:
	VZEROUPPER
	RET

// func small32GradWkAVX2(n, in, out int, dz, a, gw *float32)
//
// For each output j and each 8 inputs k: gw[j][k] = Σᵢ dz[i][j]·a[i][k] over the n rows in
// order from +0.
TEXT ·small32GradWkAVX2(SB), NOSPLIT, $0-48
	MOVQ n+0(FP), R8
	MOVQ in+8(FP), BX
	MASKS(BX, AX)
	SHLQ $2, BX                 // BX = row stride of a and gw in bytes
	MOVQ out+16(FP), R14
	SHLQ $2, R14                // R14 = row stride of dz in bytes
	MOVQ dz+24(FP), SI
	MOVQ a+32(FP), R9
	MOVQ gw+40(FP), DI
	XORQ CX, CX                 // CX = byte offset of output j
kcol:
	CMPQ CX, R14
	JGE kdone
	XORQ AX, AX                 // AX = byte offset of input k
kk:
	CMPQ AX, BX
	JGE kkend
	LEAQ 32(AX), R12
	PICKMASK(R12, BX, ksum)
	ROWSUM(LOADWK, ki, kiend)
	STOREY0(R12, BX, (DI)(AX*1), kpart, knext)
	MOVQ R12, AX
	JMP kk
kkend:
	ADDQ BX, DI
	ADDQ $4, CX
	JMP kcol
kdone:
	VZEROUPPER
	RET

// ACTBACK turns the sum s into d(loss)/d(pre-activation) by the activations a, for the
// activation of R13 (1 ReLU: s where a > 0 (false for NaN), +0 elsewhere; 2 tanh: s·(1 − a·a);
// 3 sigmoid: (s·a)·(1 − a), Y8 holding 1.0), through t.
#define ACTBACK(s, a, t, ltanh, lsig, lend) CMPQ R13, $2; JE ltanh; JG lsig; VCMPPS $0x1e, Y15, a, t; VANDPS s, t, s; JMP lend; ltanh: VMULPS a, a, t; VSUBPS t, Y8, t; VMULPS t, s, s; JMP lend; lsig: VMULPS a, s, s; VSUBPS a, Y8, t; VMULPS t, s, s; lend:

// func small32GradXAVX2(n, in, out int, dz, w, dx, a *float32, act int)
//
// For each row i and each 16 or 8 inputs k: s = Σⱼ dz[i][j]·w[j][k] over the outputs in order from
// +0, stored into dx with act == 0. Otherwise it is d(loss)/d(activation) and what is stored
// is d(loss)/d(pre-activation), written over the activations a (dx unused), as
// activateBackward32 forms it: with act 1 (ReLU) s where a > 0 and +0 elsewhere, with act 2
// (tanh) s·(1 − a·a), with act 3 (sigmoid) (s·a)·(1 − a).
TEXT ·small32GradXAVX2(SB), NOSPLIT, $0-64
	MOVQ n+0(FP), R8
	MOVQ in+8(FP), BX
	MASKS(BX, AX)
	SHLQ $2, BX                 // BX = row stride of w, dx and a in bytes
	MOVQ out+16(FP), R14
	SHLQ $2, R14                // R14 = row stride of dz in bytes
	MOVQ dz+24(FP), SI
	MOVQ w+32(FP), R11
	MOVQ dx+40(FP), DI
	MOVQ a+48(FP), R9
	MOVQ act+56(FP), R13
	VXORPS Y15, Y15, Y15
	VPSRLD $25, Y11, Y8
	VPSLLD $23, Y8, Y8          // Y8 = 1.0 in every lane
xrow:
	TESTQ R8, R8
	JLE xdone
	XORQ CX, CX                 // CX = byte offset of input k
xcol:
	COLS16(BX, R12, xrowend, xone)
	// 16 inputs, two whole vectors
	DOT16(R14, BX, xj2, xj2end)
	TESTQ R13, R13
	JZ xplain2
	LEAQ (R9)(CX*1), DX
	VMOVUPS (DX), Y1
	VMOVUPS 32(DX), Y5
	ACTBACK(Y0, Y1, Y2, xtanh2a, xsig2a, xact2a)
	ACTBACK(Y3, Y5, Y2, xtanh2b, xsig2b, xact2b)
	JMP xstore2
xplain2:
	LEAQ (DI)(CX*1), DX
xstore2:
	VMOVUPS Y0, (DX)
	VMOVUPS Y3, 32(DX)
	MOVQ R12, CX
	JMP xcol
xone:
	// 8 inputs or fewer, the last through the mask
	LEAQ 32(CX), R12
	PICKMASK(R12, BX, xsum)
	DOT8(R14, BX, Y2, xj, xjend)
	TESTQ R13, R13
	JZ xplain
	VMASKMOVPS (R9)(CX*1), Y9, Y1   // a
	ACTBACK(Y0, Y1, Y2, xtanh, xsig, xact)
	LEAQ (R9)(CX*1), DX
	JMP xstore
xplain:
	LEAQ (DI)(CX*1), DX
xstore:
	STOREY0(R12, BX, (DX), xpart, xnext)
	MOVQ R12, CX
	JMP xcol
xrowend:
	ADDQ R14, SI
	ADDQ BX, DI
	ADDQ BX, R9
	DECQ R8
	JMP xrow
xdone:
	VZEROUPPER
	RET
