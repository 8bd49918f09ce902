//go:build !purego && !netlib

#include "textflag.h"

// The float32 loops of small layers, eight lanes per register. A row whose length is not a
// multiple of 8 ends in a partial vector, loaded and stored through a lane mask (VMASKMOVPS
// neither reads nor writes the masked-off lanes). Every function keeps the lane indices
// 0..7 in Y12, all ones in Y11, the mask of the last, partial vector in Y10 and, per vector,
// the mask it uses in Y9.

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
	CMPQ CX, R14
	JGE frowend
	LEAQ 64(CX), R9
	CMPQ R9, R14
	JG fone
	// 16 outputs, two whole vectors
	VXORPS Y0, Y0, Y0
	VXORPS Y3, Y3, Y3
	LEAQ (R11)(CX*1), DX        // DX = &wt[k][j]
	XORQ AX, AX                 // AX = byte offset of input k
fk2:
	CMPQ AX, BX
	JGE fk2end
	VBROADCASTSS (SI)(AX*1), Y1
	VMULPS (DX), Y1, Y2
	VMULPS 32(DX), Y1, Y4
	VADDPS Y2, Y0, Y0
	VADDPS Y4, Y3, Y3
	ADDQ R14, DX
	ADDQ $4, AX
	JMP fk2
fk2end:
	LEAQ (R12)(CX*1), DX
	VADDPS (DX), Y0, Y0         // b + sum
	VADDPS 32(DX), Y3, Y3
	TESTQ R13, R13
	JZ fstore2
	VCMPPS $1, Y15, Y0, Y2      // z < 0 (false for NaN)
	VCMPPS $1, Y15, Y3, Y4
	VANDNPS Y0, Y2, Y0          // +0 where z < 0
	VANDNPS Y3, Y4, Y3
fstore2:
	LEAQ (DI)(CX*1), DX
	VMOVUPS Y0, (DX)
	VMOVUPS Y3, 32(DX)
	MOVQ R9, CX
	JMP fcol
fone:
	// 8 outputs or fewer, the last through the mask
	LEAQ 32(CX), R9             // R9 = end of the vector
	PICKMASK(R9, R14, fsum)
	VXORPS Y0, Y0, Y0
	LEAQ (R11)(CX*1), DX        // DX = &wt[k][j]
	XORQ AX, AX                 // AX = byte offset of input k
fk:
	CMPQ AX, BX
	JGE fkend
	VBROADCASTSS (SI)(AX*1), Y1
	VMASKMOVPS (DX), Y9, Y2
	VMULPS Y2, Y1, Y1
	VADDPS Y1, Y0, Y0
	ADDQ R14, DX
	ADDQ $4, AX
	JMP fk
fkend:
	VMASKMOVPS (R12)(CX*1), Y9, Y2
	VADDPS Y0, Y2, Y0           // b + sum
	TESTQ R13, R13
	JZ fstore
	VCMPPS $1, Y15, Y0, Y2      // Y2 = z < 0 (false for NaN)
	VANDNPS Y0, Y2, Y0          // z with lanes < 0 set to +0
fstore:
	CMPQ R9, R14
	JG fpart
	VMOVUPS Y0, (DI)(CX*1)
	JMP fnext
fpart:
	VMASKMOVPS Y0, Y9, (DI)(CX*1)
fnext:
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
	CMPQ CX, R14
	JGE pdone
	LEAQ 64(CX), R9
	CMPQ R9, R14
	JG pone
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
	TESTQ R13, R13
	JZ pstore2
	VCMPPS $1, Y15, Y0, Y12    // z < 0 (false for NaN)
	VCMPPS $1, Y15, Y3, Y13
	VANDNPS Y0, Y12, Y0       // +0 where z < 0
	VANDNPS Y3, Y13, Y3
pstore2:
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
	TESTQ R13, R13
	JZ pstore
	VCMPPS $1, Y15, Y0, Y12
	VANDNPS Y0, Y12, Y0
pstore:
	CMPQ R9, R14
	JG ppart
	VMOVUPS Y0, (DX)
	JMP prownext
ppart:
	VMASKMOVPS Y0, Y9, (DX)
prownext:
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
	TESTQ R13, R13
	JZ ostore
	VCMPPS $1, Y15, Y0, Y2      // z < 0 (false for NaN)
	VANDNPS Y0, Y2, Y0
ostore:
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
	LEAQ (SI)(AX*1), DX
	VMOVUPS (DX), Y1            // rows i..i+3, inputs k..k+7
	VMOVUPS (DX)(BX*1), Y2
	VMOVUPS (DX)(BX*2), Y3
	VMOVUPS (DX)(R9*1), Y4
	VUNPCKLPS Y2, Y1, Y5        // r0k0 r1k0 r0k1 r1k1 | r0k4 r1k4 r0k5 r1k5
	VUNPCKHPS Y2, Y1, Y6        // r0k2 r1k2 r0k3 r1k3 | r0k6 r1k6 r0k7 r1k7
	VUNPCKLPS Y4, Y3, Y7
	VUNPCKHPS Y4, Y3, Y8
	VSHUFPS $0x44, Y7, Y5, Y1   // rows 0..3 of inputs k | k+4
	VSHUFPS $0xee, Y7, Y5, Y2   // k+1 | k+5
	VSHUFPS $0x44, Y8, Y6, Y3   // k+2 | k+6
	VSHUFPS $0xee, Y8, Y6, Y4   // k+3 | k+7
	LEAQ (R10)(AX*1), DX
	VMOVUPS (DX), Y5            // rows i+4..i+7
	VMOVUPS (DX)(BX*1), Y6
	VMOVUPS (DX)(BX*2), Y7
	VMOVUPS (DX)(R9*1), Y8
	VUNPCKLPS Y6, Y5, Y9
	VUNPCKHPS Y6, Y5, Y10
	VUNPCKLPS Y8, Y7, Y11
	VUNPCKHPS Y8, Y7, Y12
	VSHUFPS $0x44, Y11, Y9, Y5  // rows 4..7 of inputs k | k+4
	VSHUFPS $0xee, Y11, Y9, Y6
	VSHUFPS $0x44, Y12, Y10, Y7
	VSHUFPS $0xee, Y12, Y10, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9    // input k, rows 0..7
	VPERM2F128 $0x20, Y6, Y2, Y10   // k+1
	VPERM2F128 $0x20, Y7, Y3, Y11   // k+2
	VPERM2F128 $0x20, Y8, Y4, Y12   // k+3
	VPERM2F128 $0x31, Y5, Y1, Y1    // k+4
	VPERM2F128 $0x31, Y6, Y2, Y2    // k+5
	VPERM2F128 $0x31, Y7, Y3, Y3    // k+6
	VPERM2F128 $0x31, Y8, Y4, Y4    // k+7
	LEAQ (R11)(AX*1), DX
	VBROADCASTSS 0(DX), Y13
	VMULPS Y13, Y9, Y9
	VADDPS Y9, Y0, Y0
	VBROADCASTSS 4(DX), Y13
	VMULPS Y13, Y10, Y10
	VADDPS Y10, Y0, Y0
	VBROADCASTSS 8(DX), Y13
	VMULPS Y13, Y11, Y11
	VADDPS Y11, Y0, Y0
	VBROADCASTSS 12(DX), Y13
	VMULPS Y13, Y12, Y12
	VADDPS Y12, Y0, Y0
	VBROADCASTSS 16(DX), Y13
	VMULPS Y13, Y1, Y1
	VADDPS Y1, Y0, Y0
	VBROADCASTSS 20(DX), Y13
	VMULPS Y13, Y2, Y2
	VADDPS Y2, Y0, Y0
	VBROADCASTSS 24(DX), Y13
	VMULPS Y13, Y3, Y3
	VADDPS Y3, Y0, Y0
	VBROADCASTSS 28(DX), Y13
	VMULPS Y13, Y4, Y4
	VADDPS Y4, Y0, Y0
	ADDQ $32, AX
	JMP tk
tkend:
	VADDPS Y0, Y14, Y0          // b + sum
	TESTQ R13, R13
	JZ tstore
	VCMPPS $1, Y15, Y0, Y2      // z < 0 (false for NaN)
	VANDNPS Y0, Y2, Y0
tstore:
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
	CMPQ R9, R14
	JG cpart
	VMOVUPS Y0, (DI)(CX*1)
	JMP cnext
cpart:
	VMASKMOVPS Y0, Y9, (DI)(CX*1)
cnext:
	MOVQ R9, CX
	JMP ccol
cdone:
	VZEROUPPER
	RET

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
	VXORPS Y0, Y0, Y0
	LEAQ (SI)(CX*1), DX         // DX = &dz[i][j]
	LEAQ (R9)(AX*1), R13        // R13 = &a[i][k]
	MOVQ R8, R10
wi:
	TESTQ R10, R10
	JLE wiend
	VMASKMOVPS (DX), Y9, Y1     // d
	VBROADCASTSS (R13), Y2
	VMULPS Y2, Y1, Y2
	VADDPS Y2, Y0, Y0
	ADDQ R14, DX
	ADDQ BX, R13
	DECQ R10
	JMP wi
wiend:
	CMPQ R12, R14
	JG wpart
	VMOVUPS Y0, (DI)
	JMP wnext
wpart:
	VMASKMOVPS Y0, Y9, (DI)
wnext:
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
	VXORPS Y0, Y0, Y0
	LEAQ (SI)(CX*1), DX         // DX = &dz[i][j]
	LEAQ (R9)(AX*1), R13        // R13 = &a[i][k]
	MOVQ R8, R10
ki:
	TESTQ R10, R10
	JLE kiend
	VBROADCASTSS (DX), Y1       // d
	VMASKMOVPS (R13), Y9, Y2
	VMULPS Y2, Y1, Y2
	VADDPS Y2, Y0, Y0
	ADDQ R14, DX
	ADDQ BX, R13
	DECQ R10
	JMP ki
kiend:
	CMPQ R12, BX
	JG kpart
	VMOVUPS Y0, (DI)(AX*1)
	JMP knext
kpart:
	VMASKMOVPS Y0, Y9, (DI)(AX*1)
knext:
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
	CMPQ CX, BX
	JGE xrowend
	LEAQ 64(CX), R12
	CMPQ R12, BX
	JG xone
	// 16 inputs, two whole vectors
	VXORPS Y0, Y0, Y0
	VXORPS Y3, Y3, Y3
	LEAQ (R11)(CX*1), DX        // DX = &w[j][k]
	XORQ AX, AX                 // AX = byte offset of output j
xj2:
	CMPQ AX, R14
	JGE xj2end
	VBROADCASTSS (SI)(AX*1), Y1 // d
	VMULPS (DX), Y1, Y2
	VMULPS 32(DX), Y1, Y4
	VADDPS Y2, Y0, Y0
	VADDPS Y4, Y3, Y3
	ADDQ BX, DX
	ADDQ $4, AX
	JMP xj2
xj2end:
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
	VXORPS Y0, Y0, Y0
	LEAQ (R11)(CX*1), DX        // DX = &w[j][k]
	XORQ AX, AX                 // AX = byte offset of output j
xj:
	CMPQ AX, R14
	JGE xjend
	VBROADCASTSS (SI)(AX*1), Y1 // d
	VMASKMOVPS (DX), Y9, Y2
	VMULPS Y2, Y1, Y2
	VADDPS Y2, Y0, Y0
	ADDQ BX, DX
	ADDQ $4, AX
	JMP xj
xjend:
	TESTQ R13, R13
	JZ xplain
	VMASKMOVPS (R9)(CX*1), Y9, Y1   // a
	ACTBACK(Y0, Y1, Y2, xtanh, xsig, xact)
	LEAQ (R9)(CX*1), DX
	JMP xstore
xplain:
	LEAQ (DI)(CX*1), DX
xstore:
	CMPQ R12, BX
	JG xpart
	VMOVUPS Y0, (DX)
	JMP xnext
xpart:
	VMASKMOVPS Y0, Y9, (DX)
xnext:
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
