//go:build !purego && !netlib

#include "textflag.h"

// func smallForwardAVX2(n, in, out int, x, wt, b, z *float64, relu int)
//
// For each of the n rows of x (n×in) and each 4 outputs j (out a multiple of 4):
// z[i][j] = b[j] + (((0 + x[i][0]·wt[0][j]) + x[i][1]·wt[1][j]) + …), then, with relu ≠ 0,
// +0 where z < 0. wt is Wᵀ (in×out).
TEXT ·smallForwardAVX2(SB), NOSPLIT, $0-64
	MOVQ n+0(FP), R8
	MOVQ in+8(FP), BX
	SHLQ $3, BX                 // BX = row stride of x in bytes
	MOVQ out+16(FP), R14
	SHLQ $3, R14                // R14 = row stride of wt and z in bytes
	MOVQ x+24(FP), SI
	MOVQ wt+32(FP), R11
	MOVQ b+40(FP), R12
	MOVQ z+48(FP), DI
	MOVQ relu+56(FP), R13
	VXORPD Y15, Y15, Y15
frow:
	TESTQ R8, R8
	JLE fdone
	XORQ CX, CX                 // CX = byte offset of output j
fcol:
	CMPQ CX, R14
	JGE frowend
	VXORPD Y0, Y0, Y0
	MOVQ R11, DX
	ADDQ CX, DX                 // DX = &wt[k][j]
	XORQ AX, AX                 // AX = byte offset of input k
fk:
	CMPQ AX, BX
	JGE fkend
	VBROADCASTSD (SI)(AX*1), Y1
	VMULPD (DX), Y1, Y1
	VADDPD Y1, Y0, Y0
	ADDQ R14, DX
	ADDQ $8, AX
	JMP fk
fkend:
	VADDPD (R12)(CX*1), Y0, Y0
	TESTQ R13, R13
	JZ fstore
	VCMPPD $1, Y15, Y0, Y2      // Y2 = z < 0 (false for NaN)
	VANDNPD Y0, Y2, Y0          // z with lanes < 0 set to +0
fstore:
	VMOVUPD Y0, (DI)(CX*1)
	ADDQ $32, CX
	JMP fcol
frowend:
	ADDQ BX, SI
	ADDQ R14, DI
	DECQ R8
	JMP frow
fdone:
	VZEROUPPER
	RET

// func smallGradWAVX2(n, in, out int, dz, a, gt, gb *float64)
//
// For each 4 outputs j (out a multiple of 4) and each input k: gt[k][j] = Σᵢ dz[i][j]·a[i][k]
// (Wᵀ's gradient, in×out) over the n rows in order from +0, and gb[j] = Σᵢ dz[i][j]. A term with
// dz[i][j] == 0 is d·(+0), a signed zero, which leaves the sum as skipping it would.
TEXT ·smallGradWAVX2(SB), NOSPLIT, $0-56
	MOVQ n+0(FP), R8
	MOVQ in+8(FP), BX
	SHLQ $3, BX                 // BX = row stride of a in bytes
	MOVQ out+16(FP), R14
	SHLQ $3, R14                // R14 = row stride of dz and gt in bytes
	MOVQ dz+24(FP), SI
	MOVQ a+32(FP), R9
	MOVQ gt+40(FP), R11
	MOVQ gb+48(FP), R12
	VXORPD Y15, Y15, Y15
	XORQ CX, CX                 // CX = byte offset of output j
wcol:
	CMPQ CX, R14
	JGE wdone
	// gb[j..j+3]
	VXORPD Y0, Y0, Y0
	MOVQ SI, DX
	ADDQ CX, DX                 // DX = &dz[i][j]
	MOVQ R8, R10
wb:
	TESTQ R10, R10
	JLE wbend
	VADDPD (DX), Y0, Y0
	ADDQ R14, DX
	DECQ R10
	JMP wb
wbend:
	VMOVUPD Y0, (R12)(CX*1)
	XORQ AX, AX                 // AX = byte offset of input k
	MOVQ R11, DI
	ADDQ CX, DI                 // DI = &gt[k][j]
wk:
	CMPQ AX, BX
	JGE wkend
	VXORPD Y0, Y0, Y0
	MOVQ SI, DX
	ADDQ CX, DX                 // DX = &dz[i][j]
	MOVQ R9, R13
	ADDQ AX, R13                // R13 = &a[i][k]
	MOVQ R8, R10
wi:
	TESTQ R10, R10
	JLE wiend
	VMOVUPD (DX), Y1            // d
	VCMPPD $4, Y15, Y1, Y3      // d ≠ 0 (true for NaN)
	VBROADCASTSD (R13), Y2
	VANDPD Y2, Y3, Y2           // a[i][k], or +0 where d == 0
	VMULPD Y2, Y1, Y2
	VADDPD Y2, Y0, Y0
	ADDQ R14, DX
	ADDQ BX, R13
	DECQ R10
	JMP wi
wiend:
	VMOVUPD Y0, (DI)
	ADDQ R14, DI
	ADDQ $8, AX
	JMP wk
wkend:
	ADDQ $32, CX
	JMP wcol
wdone:
	VZEROUPPER
	RET

// func smallGradWkAVX2(n, in, out int, dz, a, gw *float64)
//
// For each output j and each 4 inputs k (in a multiple of 4): gw[j][k] = Σᵢ dz[i][j]·a[i][k]
// over the n rows in order from +0, terms with dz[i][j] == 0 made d·(+0) by masking a.
TEXT ·smallGradWkAVX2(SB), NOSPLIT, $0-48
	MOVQ n+0(FP), R8
	MOVQ in+8(FP), BX
	SHLQ $3, BX                 // BX = row stride of a and gw in bytes
	MOVQ out+16(FP), R14
	SHLQ $3, R14                // R14 = row stride of dz in bytes
	MOVQ dz+24(FP), SI
	MOVQ a+32(FP), R9
	MOVQ gw+40(FP), DI
	VXORPD Y15, Y15, Y15
	XORQ CX, CX                 // CX = byte offset of output j
kcol:
	CMPQ CX, R14
	JGE kdone
	XORQ AX, AX                 // AX = byte offset of input k
kk:
	CMPQ AX, BX
	JGE kkend
	VXORPD Y0, Y0, Y0
	MOVQ SI, DX
	ADDQ CX, DX                 // DX = &dz[i][j]
	MOVQ R9, R13
	ADDQ AX, R13                // R13 = &a[i][k]
	MOVQ R8, R10
ki:
	TESTQ R10, R10
	JLE kiend
	VBROADCASTSD (DX), Y1       // d
	VCMPPD $4, Y15, Y1, Y3      // d ≠ 0
	VANDPD (R13), Y3, Y2        // a[i][k..k+3], or +0 where d == 0
	VMULPD Y2, Y1, Y2
	VADDPD Y2, Y0, Y0
	ADDQ R14, DX
	ADDQ BX, R13
	DECQ R10
	JMP ki
kiend:
	VMOVUPD Y0, (DI)(AX*1)
	ADDQ $32, AX
	JMP kk
kkend:
	ADDQ BX, DI
	ADDQ $8, CX
	JMP kcol
kdone:
	VZEROUPPER
	RET

// func smallGradXAVX2(n, in, out int, dz, w, dx, a *float64, relu int)
//
// For each row i and each 4 inputs k (in a multiple of 4): s = Σⱼ dz[i][j]·w[j][k] over the
// outputs in order from +0, terms with dz[i][j] == 0 made +0 by masking w. With relu ≠ 0 it
// stores s where a[i][k] > 0 and +0 elsewhere into a (dx unused); otherwise s into dx.
TEXT ·smallGradXAVX2(SB), NOSPLIT, $0-64
	MOVQ n+0(FP), R8
	MOVQ in+8(FP), BX
	SHLQ $3, BX                 // BX = row stride of w, dx and a in bytes
	MOVQ out+16(FP), R14
	SHLQ $3, R14                // R14 = row stride of dz in bytes
	MOVQ dz+24(FP), SI
	MOVQ w+32(FP), R11
	MOVQ dx+40(FP), DI
	MOVQ a+48(FP), R9
	MOVQ relu+56(FP), R13
	VXORPD Y15, Y15, Y15
xrow:
	TESTQ R8, R8
	JLE xdone
	XORQ CX, CX                 // CX = byte offset of input k
xcol:
	CMPQ CX, BX
	JGE xrowend
	VXORPD Y0, Y0, Y0
	MOVQ R11, DX
	ADDQ CX, DX                 // DX = &w[j][k]
	XORQ AX, AX                 // AX = byte offset of output j
xj:
	CMPQ AX, R14
	JGE xjend
	VBROADCASTSD (SI)(AX*1), Y1
	VCMPPD $4, Y15, Y1, Y2      // d ≠ 0
	VANDPD (DX), Y2, Y2         // w[j][k], or +0 where d == 0
	VMULPD Y2, Y1, Y2
	VADDPD Y2, Y0, Y0
	ADDQ BX, DX
	ADDQ $8, AX
	JMP xj
xjend:
	TESTQ R13, R13
	JZ xstore
	VMOVUPD (R9)(CX*1), Y1
	VCMPPD $0x1e, Y15, Y1, Y2   // a > 0 (false for NaN)
	VANDPD Y0, Y2, Y0
	VMOVUPD Y0, (R9)(CX*1)
	JMP xnext
xstore:
	VMOVUPD Y0, (DI)(CX*1)
xnext:
	ADDQ $32, CX
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

// func smallForward16AVX2(n, in, out int, x, wt, b, z *float64, relu int)
//
// smallForwardAVX2 for out a multiple of 16: each x[i][k] is broadcast once for 16 outputs,
// whose sums stay in Y0..Y3.
TEXT ·smallForward16AVX2(SB), NOSPLIT, $0-64
	MOVQ n+0(FP), R8
	MOVQ in+8(FP), BX
	SHLQ $3, BX                 // BX = row stride of x in bytes
	MOVQ out+16(FP), R14
	SHLQ $3, R14                // R14 = row stride of wt and z in bytes
	MOVQ x+24(FP), SI
	MOVQ wt+32(FP), R11
	MOVQ b+40(FP), R12
	MOVQ z+48(FP), DI
	MOVQ relu+56(FP), R13
	VXORPD Y15, Y15, Y15
grow:
	TESTQ R8, R8
	JLE gdone
	XORQ CX, CX                 // CX = byte offset of output j
gcol:
	CMPQ CX, R14
	JGE growend
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	MOVQ R11, DX
	ADDQ CX, DX                 // DX = &wt[k][j]
	XORQ AX, AX                 // AX = byte offset of input k
gk:
	CMPQ AX, BX
	JGE gkend
	VBROADCASTSD (SI)(AX*1), Y4
	VMULPD 0(DX), Y4, Y5
	VMULPD 32(DX), Y4, Y6
	VMULPD 64(DX), Y4, Y7
	VMULPD 96(DX), Y4, Y8
	VADDPD Y5, Y0, Y0
	VADDPD Y6, Y1, Y1
	VADDPD Y7, Y2, Y2
	VADDPD Y8, Y3, Y3
	ADDQ R14, DX
	ADDQ $8, AX
	JMP gk
gkend:
	LEAQ (R12)(CX*1), DX
	VADDPD 0(DX), Y0, Y0
	VADDPD 32(DX), Y1, Y1
	VADDPD 64(DX), Y2, Y2
	VADDPD 96(DX), Y3, Y3
	TESTQ R13, R13
	JZ gstore
	VCMPPD $1, Y15, Y0, Y5      // z < 0 (false for NaN)
	VCMPPD $1, Y15, Y1, Y6
	VCMPPD $1, Y15, Y2, Y7
	VCMPPD $1, Y15, Y3, Y8
	VANDNPD Y0, Y5, Y0          // +0 where z < 0
	VANDNPD Y1, Y6, Y1
	VANDNPD Y2, Y7, Y2
	VANDNPD Y3, Y8, Y3
gstore:
	LEAQ (DI)(CX*1), DX
	VMOVUPD Y0, 0(DX)
	VMOVUPD Y1, 32(DX)
	VMOVUPD Y2, 64(DX)
	VMOVUPD Y3, 96(DX)
	ADDQ $128, CX
	JMP gcol
growend:
	ADDQ BX, SI
	ADDQ R14, DI
	DECQ R8
	JMP grow
gdone:
	VZEROUPPER
	RET

// func smallGradX16AVX2(n, in, out int, dz, w, dx, a *float64, relu int)
//
// smallGradXAVX2 for in a multiple of 16: each dz[i][j] is broadcast and tested once for 16
// inputs, whose sums stay in Y0..Y3.
TEXT ·smallGradX16AVX2(SB), NOSPLIT, $0-64
	MOVQ n+0(FP), R8
	MOVQ in+8(FP), BX
	SHLQ $3, BX                 // BX = row stride of w, dx and a in bytes
	MOVQ out+16(FP), R14
	SHLQ $3, R14                // R14 = row stride of dz in bytes
	MOVQ dz+24(FP), SI
	MOVQ w+32(FP), R11
	MOVQ dx+40(FP), DI
	MOVQ a+48(FP), R9
	MOVQ relu+56(FP), R13
	VXORPD Y15, Y15, Y15
yrow:
	TESTQ R8, R8
	JLE ydone
	XORQ CX, CX                 // CX = byte offset of input k
ycol:
	CMPQ CX, BX
	JGE yrowend
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	MOVQ R11, DX
	ADDQ CX, DX                 // DX = &w[j][k]
	XORQ AX, AX                 // AX = byte offset of output j
yj:
	CMPQ AX, R14
	JGE yjend
	VBROADCASTSD (SI)(AX*1), Y4
	VCMPPD $4, Y15, Y4, Y5      // d ≠ 0
	VANDPD 0(DX), Y5, Y6        // w[j][k..], or +0 where d == 0
	VANDPD 32(DX), Y5, Y7
	VANDPD 64(DX), Y5, Y8
	VANDPD 96(DX), Y5, Y9
	VMULPD Y6, Y4, Y6
	VMULPD Y7, Y4, Y7
	VMULPD Y8, Y4, Y8
	VMULPD Y9, Y4, Y9
	VADDPD Y6, Y0, Y0
	VADDPD Y7, Y1, Y1
	VADDPD Y8, Y2, Y2
	VADDPD Y9, Y3, Y3
	ADDQ BX, DX
	ADDQ $8, AX
	JMP yj
yjend:
	TESTQ R13, R13
	JZ ystore
	LEAQ (R9)(CX*1), DX
	VCMPPD $0x11, 0(DX), Y15, Y6    // Y6 = 0 < a, i.e. a > 0 (false for NaN)
	VCMPPD $0x11, 32(DX), Y15, Y7
	VCMPPD $0x11, 64(DX), Y15, Y8
	VCMPPD $0x11, 96(DX), Y15, Y9
	JMP yfix
ystore:
	LEAQ (DI)(CX*1), DX
	VMOVUPD Y0, 0(DX)
	VMOVUPD Y1, 32(DX)
	VMOVUPD Y2, 64(DX)
	VMOVUPD Y3, 96(DX)
	JMP ynext
yfix:
	VANDPD Y0, Y6, Y0
	VANDPD Y1, Y7, Y1
	VANDPD Y2, Y8, Y2
	VANDPD Y3, Y9, Y3
	VMOVUPD Y0, 0(DX)
	VMOVUPD Y1, 32(DX)
	VMOVUPD Y2, 64(DX)
	VMOVUPD Y3, 96(DX)
ynext:
	ADDQ $128, CX
	JMP ycol
yrowend:
	ADDQ R14, SI
	ADDQ BX, DI
	ADDQ BX, R9
	DECQ R8
	JMP yrow
ydone:
	VZEROUPPER
	RET

// func smallForward1AVX2(n, in int, x, w *float64, b float64, z *float64, relu int)
//
// The forward pass of a layer with one output (in a multiple of 4, n a multiple of 4), four rows
// per vector: z[i] = b + (((0 + x[i][0]·w[0]) + x[i][1]·w[1]) + …), then with relu ≠ 0 +0 where
// z < 0. Each 4×4 block of x is transposed in registers so that lane r holds row i+r.
TEXT ·smallForward1AVX2(SB), NOSPLIT, $0-56
	MOVQ n+0(FP), R8
	SHRQ $2, R8                 // R8 = groups of 4 rows
	MOVQ in+8(FP), BX
	SHLQ $3, BX                 // BX = row stride of x in bytes
	MOVQ x+16(FP), SI
	MOVQ w+24(FP), R11
	VBROADCASTSD b+32(FP), Y14
	MOVQ z+40(FP), DI
	MOVQ relu+48(FP), R13
	VXORPD Y15, Y15, Y15
orow:
	TESTQ R8, R8
	JLE odone
	LEAQ (SI)(BX*1), R9         // row i+1
	LEAQ (R9)(BX*1), R10        // row i+2
	LEAQ (R10)(BX*1), R12       // row i+3
	VXORPD Y0, Y0, Y0
	XORQ AX, AX                 // AX = byte offset of input k
ok:
	CMPQ AX, BX
	JGE okend
	VMOVUPD (SI)(AX*1), Y1
	VMOVUPD (R9)(AX*1), Y2
	VMOVUPD (R10)(AX*1), Y3
	VMOVUPD (R12)(AX*1), Y4
	VUNPCKLPD Y2, Y1, Y5        // x0k0 x1k0 x0k2 x1k2
	VUNPCKHPD Y2, Y1, Y6        // x0k1 x1k1 x0k3 x1k3
	VUNPCKLPD Y4, Y3, Y7        // x2k0 x3k0 x2k2 x3k2
	VUNPCKHPD Y4, Y3, Y8        // x2k1 x3k1 x2k3 x3k3
	VPERM2F128 $0x20, Y7, Y5, Y9    // column k
	VPERM2F128 $0x20, Y8, Y6, Y10   // column k+1
	VPERM2F128 $0x31, Y7, Y5, Y11   // column k+2
	VPERM2F128 $0x31, Y8, Y6, Y12   // column k+3
	LEAQ (R11)(AX*1), DX
	VBROADCASTSD 0(DX), Y13
	VMULPD Y13, Y9, Y9
	VADDPD Y9, Y0, Y0
	VBROADCASTSD 8(DX), Y13
	VMULPD Y13, Y10, Y10
	VADDPD Y10, Y0, Y0
	VBROADCASTSD 16(DX), Y13
	VMULPD Y13, Y11, Y11
	VADDPD Y11, Y0, Y0
	VBROADCASTSD 24(DX), Y13
	VMULPD Y13, Y12, Y12
	VADDPD Y12, Y0, Y0
	ADDQ $32, AX
	JMP ok
okend:
	VADDPD Y0, Y14, Y0          // b + sum
	TESTQ R13, R13
	JZ ostore
	VCMPPD $1, Y15, Y0, Y1      // z < 0 (false for NaN)
	VANDNPD Y0, Y1, Y0
ostore:
	VMOVUPD Y0, (DI)
	ADDQ $32, DI
	LEAQ (R12)(BX*1), SI        // row i+4
	DECQ R8
	JMP orow
odone:
	VZEROUPPER
	RET
