//go:build !purego && !netlib

#include "textflag.h"

// The AVX2+FMA micro-kernels (see gemmKernel in kernel.go for what they compute):
//
//   func kern4x12(k int, a *float64, rsa, csa int, b *float64, csb int, c *float64, ldc int, store int)
//   func kern4x24s(k int, a *float32, rsa, csa int, b *float32, csb int, c *float32, ldc int, store int)
//
// Y4..Y15 hold the 4×nr tile, row i in Y(4+3i)..Y(6+3i) (nr = 12 float64 or 24 float32 in
// three vectors). Each step over k loads the nr values of B at b into Y0..Y2, broadcasts the
// value of each of the 4 rows of A (row i at a + i·rsa) into Y3 and accumulates with FMA;
// then a moves on by csa and b by csb. A is read in place or from a packed panel (rsa = 1,
// csa = 4), B from a packed panel (csb = nr) or in place (csb = ldb): the register blocking is
// that of OpenBLAS's Haswell dgemm kernel (4×12, 12 accumulators), with broadcasts in place of
// its permutations, which cost Zen's FP pipes what loads do not. The loop runs four steps at a
// time. Each accumulator is one chain of FMAs from +0 over k in order, then added to C (store
// = 0: c[i·ldc + j] += tile) or written to it (store ≠ 0), so that a product does not depend
// on how its tiles are cut.

// Registers: CX steps left, SI a, R8 rsa bytes, R9 3·rsa bytes, R10 csa bytes, DI b,
// R12 csb bytes, DX c, R11 ldc bytes, R13 row 2 of c.
#define ARGS \
	MOVQ k+0(FP), CX; \
	MOVQ a+8(FP), SI; \
	MOVQ rsa+16(FP), R8; \
	MOVQ csa+24(FP), R10; \
	MOVQ b+32(FP), DI; \
	MOVQ csb+40(FP), R12; \
	MOVQ c+48(FP), DX; \
	MOVQ ldc+56(FP), R11

#define ZERO \
	VXORPD Y4, Y4, Y4; \
	VXORPD Y5, Y5, Y5; \
	VXORPD Y6, Y6, Y6; \
	VXORPD Y7, Y7, Y7; \
	VXORPD Y8, Y8, Y8; \
	VXORPD Y9, Y9, Y9; \
	VXORPD Y10, Y10, Y10; \
	VXORPD Y11, Y11, Y11; \
	VXORPD Y12, Y12, Y12; \
	VXORPD Y13, Y13, Y13; \
	VXORPD Y14, Y14, Y14; \
	VXORPD Y15, Y15, Y15

// PREFC prefetches the 4 rows of the C tile (nr values: 96 bytes) before the loop.
#define PREFC \
	LEAQ (DX)(R11*2), R13; \
	PREFETCHT0 (DX); \
	PREFETCHT0 95(DX); \
	PREFETCHT0 (DX)(R11*1); \
	PREFETCHT0 95(DX)(R11*1); \
	PREFETCHT0 (R13); \
	PREFETCHT0 95(R13); \
	PREFETCHT0 (R13)(R11*1); \
	PREFETCHT0 95(R13)(R11*1)

#define STEP64 \
	VMOVUPD 0(DI), Y0; \
	VMOVUPD 32(DI), Y1; \
	VMOVUPD 64(DI), Y2; \
	VBROADCASTSD (SI), Y3; \
	VFMADD231PD Y0, Y3, Y4; \
	VFMADD231PD Y1, Y3, Y5; \
	VFMADD231PD Y2, Y3, Y6; \
	VBROADCASTSD (SI)(R8*1), Y3; \
	VFMADD231PD Y0, Y3, Y7; \
	VFMADD231PD Y1, Y3, Y8; \
	VFMADD231PD Y2, Y3, Y9; \
	VBROADCASTSD (SI)(R8*2), Y3; \
	VFMADD231PD Y0, Y3, Y10; \
	VFMADD231PD Y1, Y3, Y11; \
	VFMADD231PD Y2, Y3, Y12; \
	VBROADCASTSD (SI)(R9*1), Y3; \
	VFMADD231PD Y0, Y3, Y13; \
	VFMADD231PD Y1, Y3, Y14; \
	VFMADD231PD Y2, Y3, Y15; \
	ADDQ R10, SI; \
	ADDQ R12, DI

#define STEP32 \
	VMOVUPS 0(DI), Y0; \
	VMOVUPS 32(DI), Y1; \
	VMOVUPS 64(DI), Y2; \
	VBROADCASTSS (SI), Y3; \
	VFMADD231PS Y0, Y3, Y4; \
	VFMADD231PS Y1, Y3, Y5; \
	VFMADD231PS Y2, Y3, Y6; \
	VBROADCASTSS (SI)(R8*1), Y3; \
	VFMADD231PS Y0, Y3, Y7; \
	VFMADD231PS Y1, Y3, Y8; \
	VFMADD231PS Y2, Y3, Y9; \
	VBROADCASTSS (SI)(R8*2), Y3; \
	VFMADD231PS Y0, Y3, Y10; \
	VFMADD231PS Y1, Y3, Y11; \
	VFMADD231PS Y2, Y3, Y12; \
	VBROADCASTSS (SI)(R9*1), Y3; \
	VFMADD231PS Y0, Y3, Y13; \
	VFMADD231PS Y1, Y3, Y14; \
	VFMADD231PS Y2, Y3, Y15; \
	ADDQ R10, SI; \
	ADDQ R12, DI

// ADDROW adds the three vectors of one row to c at R (ADD, MOV: the PD or PS instructions);
// MOVROW writes them there.
#define ADDROW(ADD, MOV, R, y0, y1, y2) \
	ADD 0(R), y0, y0; \
	ADD 32(R), y1, y1; \
	ADD 64(R), y2, y2; \
	MOV y0, 0(R); \
	MOV y1, 32(R); \
	MOV y2, 64(R)

#define MOVROW(MOV, R, y0, y1, y2) \
	MOV y0, 0(R); \
	MOV y1, 32(R); \
	MOV y2, 64(R)

// The narrow kernels, for the last panel of B when it is narrower than the kernel's: the
// same loop on fewer columns of the same panel (csb is still the full panel's):
//
//   func kern4x8(…)   float64, 4×8: two vectors per row, Y4..Y11
//   func kern4x4(…)   float64, 4×4: one vector per row, Y4..Y7
//   func kern4x16s(…) float32, 4×16
//   func kern4x8s(…)  float32, 4×8
//
// with the arguments of kern4x12.

#define STEP2(LOAD, BCAST, FMA) \
	LOAD 0(DI), Y0; \
	LOAD 32(DI), Y1; \
	BCAST (SI), Y3; \
	FMA Y0, Y3, Y4; \
	FMA Y1, Y3, Y5; \
	BCAST (SI)(R8*1), Y3; \
	FMA Y0, Y3, Y6; \
	FMA Y1, Y3, Y7; \
	BCAST (SI)(R8*2), Y3; \
	FMA Y0, Y3, Y8; \
	FMA Y1, Y3, Y9; \
	BCAST (SI)(R9*1), Y3; \
	FMA Y0, Y3, Y10; \
	FMA Y1, Y3, Y11; \
	ADDQ R10, SI; \
	ADDQ R12, DI

#define STEP1(LOAD, BCAST, FMA) \
	LOAD 0(DI), Y0; \
	BCAST (SI), Y3; \
	FMA Y0, Y3, Y4; \
	BCAST (SI)(R8*1), Y3; \
	FMA Y0, Y3, Y5; \
	BCAST (SI)(R8*2), Y3; \
	FMA Y0, Y3, Y6; \
	BCAST (SI)(R9*1), Y3; \
	FMA Y0, Y3, Y7; \
	ADDQ R10, SI; \
	ADDQ R12, DI

#define OUT2(ADD, MOV, R, y0, y1) \
	ADD 0(R), y0, y0; \
	ADD 32(R), y1, y1; \
	MOV y0, 0(R); \
	MOV y1, 32(R)

#define OUT1(ADD, MOV, R, y0) \
	ADD 0(R), y0, y0; \
	MOV y0, 0(R)

// NARROW2 is the body of a kernel of two vectors per row; SHIFT is log2 of the element size.
#define NARROW2(SHIFT, LOAD, BCAST, FMA, ADD, L1, L2, L3, L4) \
	ARGS; \
	SHLQ $SHIFT, R8; \
	SHLQ $SHIFT, R10; \
	SHLQ $SHIFT, R12; \
	SHLQ $SHIFT, R11; \
	LEAQ (R8)(R8*2), R9; \
	ZERO; \
L1:; \
	STEP2(LOAD, BCAST, FMA); \
	DECQ CX; \
	JNZ L1; \
	MOVQ store+64(FP), AX; \
	TESTQ AX, AX; \
	JNZ L3; \
	OUT2(ADD, LOAD, DX, Y4, Y5); \
	ADDQ R11, DX; \
	OUT2(ADD, LOAD, DX, Y6, Y7); \
	ADDQ R11, DX; \
	OUT2(ADD, LOAD, DX, Y8, Y9); \
	ADDQ R11, DX; \
	OUT2(ADD, LOAD, DX, Y10, Y11); \
	JMP L4; \
L3:; \
	LOAD Y4, 0(DX); \
	LOAD Y5, 32(DX); \
	ADDQ R11, DX; \
	LOAD Y6, 0(DX); \
	LOAD Y7, 32(DX); \
	ADDQ R11, DX; \
	LOAD Y8, 0(DX); \
	LOAD Y9, 32(DX); \
	ADDQ R11, DX; \
	LOAD Y10, 0(DX); \
	LOAD Y11, 32(DX); \
L4:; \
	VZEROUPPER; \
	RET

#define NARROW1(SHIFT, LOAD, BCAST, FMA, ADD, L1, L2, L3, L4) \
	ARGS; \
	SHLQ $SHIFT, R8; \
	SHLQ $SHIFT, R10; \
	SHLQ $SHIFT, R12; \
	SHLQ $SHIFT, R11; \
	LEAQ (R8)(R8*2), R9; \
	ZERO; \
L1:; \
	STEP1(LOAD, BCAST, FMA); \
	DECQ CX; \
	JNZ L1; \
	MOVQ store+64(FP), AX; \
	TESTQ AX, AX; \
	JNZ L3; \
	OUT1(ADD, LOAD, DX, Y4); \
	ADDQ R11, DX; \
	OUT1(ADD, LOAD, DX, Y5); \
	ADDQ R11, DX; \
	OUT1(ADD, LOAD, DX, Y6); \
	ADDQ R11, DX; \
	OUT1(ADD, LOAD, DX, Y7); \
	JMP L4; \
L3:; \
	LOAD Y4, 0(DX); \
	ADDQ R11, DX; \
	LOAD Y5, 0(DX); \
	ADDQ R11, DX; \
	LOAD Y6, 0(DX); \
	ADDQ R11, DX; \
	LOAD Y7, 0(DX); \
L4:; \
	VZEROUPPER; \
	RET

TEXT ·kern4x12(SB), NOSPLIT, $0-72
	ARGS
	SHLQ $3, R8
	SHLQ $3, R10
	SHLQ $3, R12
	SHLQ $3, R11
	LEAQ (R8)(R8*2), R9
	PREFC
	ZERO
	MOVQ CX, BX
	SHRQ $2, BX
	JZ tail64
loop64:
	STEP64
	STEP64
	STEP64
	STEP64
	DECQ BX
	JNZ loop64
tail64:
	ANDQ $3, CX
	JZ done64
loop64b:
	STEP64
	DECQ CX
	JNZ loop64b
done64:
	MOVQ store+64(FP), AX
	TESTQ AX, AX
	JNZ store64
	ADDROW(VADDPD, VMOVUPD, DX, Y4, Y5, Y6)
	ADDQ R11, DX
	ADDROW(VADDPD, VMOVUPD, DX, Y7, Y8, Y9)
	ADDQ R11, DX
	ADDROW(VADDPD, VMOVUPD, DX, Y10, Y11, Y12)
	ADDQ R11, DX
	ADDROW(VADDPD, VMOVUPD, DX, Y13, Y14, Y15)
	VZEROUPPER
	RET
store64:
	MOVROW(VMOVUPD, DX, Y4, Y5, Y6)
	ADDQ R11, DX
	MOVROW(VMOVUPD, DX, Y7, Y8, Y9)
	ADDQ R11, DX
	MOVROW(VMOVUPD, DX, Y10, Y11, Y12)
	ADDQ R11, DX
	MOVROW(VMOVUPD, DX, Y13, Y14, Y15)
	VZEROUPPER
	RET

TEXT ·kern4x24s(SB), NOSPLIT, $0-72
	ARGS
	SHLQ $2, R8
	SHLQ $2, R10
	SHLQ $2, R12
	SHLQ $2, R11
	LEAQ (R8)(R8*2), R9
	PREFC
	ZERO
	MOVQ CX, BX
	SHRQ $2, BX
	JZ tail32
loop32:
	STEP32
	STEP32
	STEP32
	STEP32
	DECQ BX
	JNZ loop32
tail32:
	ANDQ $3, CX
	JZ done32
loop32b:
	STEP32
	DECQ CX
	JNZ loop32b
done32:
	MOVQ store+64(FP), AX
	TESTQ AX, AX
	JNZ store32
	ADDROW(VADDPS, VMOVUPS, DX, Y4, Y5, Y6)
	ADDQ R11, DX
	ADDROW(VADDPS, VMOVUPS, DX, Y7, Y8, Y9)
	ADDQ R11, DX
	ADDROW(VADDPS, VMOVUPS, DX, Y10, Y11, Y12)
	ADDQ R11, DX
	ADDROW(VADDPS, VMOVUPS, DX, Y13, Y14, Y15)
	VZEROUPPER
	RET
store32:
	MOVROW(VMOVUPS, DX, Y4, Y5, Y6)
	ADDQ R11, DX
	MOVROW(VMOVUPS, DX, Y7, Y8, Y9)
	ADDQ R11, DX
	MOVROW(VMOVUPS, DX, Y10, Y11, Y12)
	ADDQ R11, DX
	MOVROW(VMOVUPS, DX, Y13, Y14, Y15)
	VZEROUPPER
	RET

// func kern8x24(k int, ap, bp *float64, t *[192]float64)
//
// The AVX-512 kernel: Z8..Z31 hold the 8×24 tile (row i in Z(8+3i)..Z(10+3i)); each step
// loads 24 values of bp into Z0..Z2, broadcasts each of the 8 values of ap into Z3 and
// accumulates with FMA.
TEXT ·kern8x24(SB), NOSPLIT, $0-32
	MOVQ k+0(FP), CX
	MOVQ ap+8(FP), SI
	MOVQ bp+16(FP), DI
	MOVQ t+24(FP), DX
	VPXORQ Z8, Z8, Z8
	VPXORQ Z9, Z9, Z9
	VPXORQ Z10, Z10, Z10
	VPXORQ Z11, Z11, Z11
	VPXORQ Z12, Z12, Z12
	VPXORQ Z13, Z13, Z13
	VPXORQ Z14, Z14, Z14
	VPXORQ Z15, Z15, Z15
	VPXORQ Z16, Z16, Z16
	VPXORQ Z17, Z17, Z17
	VPXORQ Z18, Z18, Z18
	VPXORQ Z19, Z19, Z19
	VPXORQ Z20, Z20, Z20
	VPXORQ Z21, Z21, Z21
	VPXORQ Z22, Z22, Z22
	VPXORQ Z23, Z23, Z23
	VPXORQ Z24, Z24, Z24
	VPXORQ Z25, Z25, Z25
	VPXORQ Z26, Z26, Z26
	VPXORQ Z27, Z27, Z27
	VPXORQ Z28, Z28, Z28
	VPXORQ Z29, Z29, Z29
	VPXORQ Z30, Z30, Z30
	VPXORQ Z31, Z31, Z31
	TESTQ CX, CX
	JLE store512
loop512:
	VMOVUPD 0(DI), Z0
	VMOVUPD 64(DI), Z1
	VMOVUPD 128(DI), Z2
	VBROADCASTSD 0(SI), Z3
	VFMADD231PD Z0, Z3, Z8
	VFMADD231PD Z1, Z3, Z9
	VFMADD231PD Z2, Z3, Z10
	VBROADCASTSD 8(SI), Z3
	VFMADD231PD Z0, Z3, Z11
	VFMADD231PD Z1, Z3, Z12
	VFMADD231PD Z2, Z3, Z13
	VBROADCASTSD 16(SI), Z3
	VFMADD231PD Z0, Z3, Z14
	VFMADD231PD Z1, Z3, Z15
	VFMADD231PD Z2, Z3, Z16
	VBROADCASTSD 24(SI), Z3
	VFMADD231PD Z0, Z3, Z17
	VFMADD231PD Z1, Z3, Z18
	VFMADD231PD Z2, Z3, Z19
	VBROADCASTSD 32(SI), Z3
	VFMADD231PD Z0, Z3, Z20
	VFMADD231PD Z1, Z3, Z21
	VFMADD231PD Z2, Z3, Z22
	VBROADCASTSD 40(SI), Z3
	VFMADD231PD Z0, Z3, Z23
	VFMADD231PD Z1, Z3, Z24
	VFMADD231PD Z2, Z3, Z25
	VBROADCASTSD 48(SI), Z3
	VFMADD231PD Z0, Z3, Z26
	VFMADD231PD Z1, Z3, Z27
	VFMADD231PD Z2, Z3, Z28
	VBROADCASTSD 56(SI), Z3
	VFMADD231PD Z0, Z3, Z29
	VFMADD231PD Z1, Z3, Z30
	VFMADD231PD Z2, Z3, Z31
	ADDQ $64, SI
	ADDQ $192, DI
	DECQ CX
	JNZ loop512
store512:
	VMOVUPD Z8, 0(DX)
	VMOVUPD Z9, 64(DX)
	VMOVUPD Z10, 128(DX)
	VMOVUPD Z11, 192(DX)
	VMOVUPD Z12, 256(DX)
	VMOVUPD Z13, 320(DX)
	VMOVUPD Z14, 384(DX)
	VMOVUPD Z15, 448(DX)
	VMOVUPD Z16, 512(DX)
	VMOVUPD Z17, 576(DX)
	VMOVUPD Z18, 640(DX)
	VMOVUPD Z19, 704(DX)
	VMOVUPD Z20, 768(DX)
	VMOVUPD Z21, 832(DX)
	VMOVUPD Z22, 896(DX)
	VMOVUPD Z23, 960(DX)
	VMOVUPD Z24, 1024(DX)
	VMOVUPD Z25, 1088(DX)
	VMOVUPD Z26, 1152(DX)
	VMOVUPD Z27, 1216(DX)
	VMOVUPD Z28, 1280(DX)
	VMOVUPD Z29, 1344(DX)
	VMOVUPD Z30, 1408(DX)
	VMOVUPD Z31, 1472(DX)
	VZEROUPPER
	RET

// func packT4(kc int, src *float64, lds int, dst *float64, ldd int)
//
// Writes the 4 rows of src (row r at src + r·lds, kc values each) side by side into dst:
// dst[p·ldd + r] = src[r·lds + p]. Four columns at a time go through a 4×4 transpose in
// registers (unpack within 128-bit lanes, then swap lanes), the rest one by one.
TEXT ·packT4(SB), NOSPLIT, $0-40
	MOVQ kc+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ lds+16(FP), R8
	SHLQ $3, R8
	LEAQ (R8)(R8*2), R9
	MOVQ dst+24(FP), DI
	MOVQ ldd+32(FP), R10
	SHLQ $3, R10
	LEAQ (R10)(R10*2), R11
	MOVQ CX, BX
	SHRQ $2, BX
	JZ tailT4
loopT4:
	VMOVUPD (SI), Y0          // a0 a1 a2 a3
	VMOVUPD (SI)(R8*1), Y1    // b0 b1 b2 b3
	VMOVUPD (SI)(R8*2), Y2    // c0 c1 c2 c3
	VMOVUPD (SI)(R9*1), Y3    // d0 d1 d2 d3
	VUNPCKLPD Y1, Y0, Y4      // a0 b0 a2 b2
	VUNPCKHPD Y1, Y0, Y5      // a1 b1 a3 b3
	VUNPCKLPD Y3, Y2, Y6      // c0 d0 c2 d2
	VUNPCKHPD Y3, Y2, Y7      // c1 d1 c3 d3
	VPERM2F128 $0x20, Y6, Y4, Y0 // a0 b0 c0 d0
	VPERM2F128 $0x20, Y7, Y5, Y1 // a1 b1 c1 d1
	VPERM2F128 $0x31, Y6, Y4, Y2 // a2 b2 c2 d2
	VPERM2F128 $0x31, Y7, Y5, Y3 // a3 b3 c3 d3
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, (DI)(R10*1)
	VMOVUPD Y2, (DI)(R10*2)
	VMOVUPD Y3, (DI)(R11*1)
	ADDQ $32, SI
	LEAQ (DI)(R10*4), DI
	DECQ BX
	JNZ loopT4
tailT4:
	ANDQ $3, CX
	JZ doneT4
loopT1:
	MOVSD (SI), X0
	MOVSD X0, (DI)
	MOVSD (SI)(R8*1), X0
	MOVSD X0, 8(DI)
	MOVSD (SI)(R8*2), X0
	MOVSD X0, 16(DI)
	MOVSD (SI)(R9*1), X0
	MOVSD X0, 24(DI)
	ADDQ $8, SI
	ADDQ R10, DI
	DECQ CX
	JNZ loopT1
doneT4:
	VZEROUPPER
	RET

// func packN12(kc int, src *float64, lds int, dst *float64)
//
// Copies kc rows of 12 values, lds apart in src, into dst one after the other, prefetching
// the rows 8 ahead: the packing of a panel of a B that is not transposed.
TEXT ·packN12(SB), NOSPLIT, $0-32
	MOVQ kc+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ lds+16(FP), R8
	SHLQ $3, R8
	MOVQ dst+24(FP), DI
	MOVQ R8, R9
	SHLQ $3, R9
	TESTQ CX, CX
	JLE doneN12
loopN12:
	PREFETCHT0 (SI)(R9*1)
	PREFETCHT0 95(SI)(R9*1)
	VMOVUPD (SI), Y0
	VMOVUPD 32(SI), Y1
	VMOVUPD 64(SI), Y2
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	ADDQ R8, SI
	ADDQ $96, DI
	DECQ CX
	JNZ loopN12
doneN12:
	VZEROUPPER
	RET

// func packN4(kc int, src *float64, lds int, dst *float64)
//
// packN12 for rows of 4 values: the packing of a panel of a transposed A.
TEXT ·packN4(SB), NOSPLIT, $0-32
	MOVQ kc+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ lds+16(FP), R8
	SHLQ $3, R8
	MOVQ dst+24(FP), DI
	MOVQ R8, R9
	SHLQ $3, R9
	TESTQ CX, CX
	JLE doneN4
loopN4:
	PREFETCHT0 (SI)(R9*1)
	VMOVUPD (SI), Y0
	VMOVUPD Y0, (DI)
	ADDQ R8, SI
	ADDQ $32, DI
	DECQ CX
	JNZ loopN4
doneN4:
	VZEROUPPER
	RET

TEXT ·kern4x8(SB), NOSPLIT, $0-72
	NARROW2(3, VMOVUPD, VBROADCASTSD, VFMADD231PD, VADDPD, loop4x8, x, out4x8, end4x8)

TEXT ·kern4x4(SB), NOSPLIT, $0-72
	NARROW1(3, VMOVUPD, VBROADCASTSD, VFMADD231PD, VADDPD, loop4x4, x, out4x4, end4x4)

TEXT ·kern4x16s(SB), NOSPLIT, $0-72
	NARROW2(2, VMOVUPS, VBROADCASTSS, VFMADD231PS, VADDPS, loop4x16s, x, out4x16s, end4x16s)

TEXT ·kern4x8s(SB), NOSPLIT, $0-72
	NARROW1(2, VMOVUPS, VBROADCASTSS, VFMADD231PS, VADDPS, loop4x8s, x, out4x8s, end4x8s)

// T4x4 transposes the 4×4 block of rows R, R+lds, R+2·lds, R+3·lds (R8 = lds, R9 = 3·lds
// bytes) into 4 vectors stored OFF bytes into the panel rows at DI, DI+96, DI+192, DI+288,
// prefetching the rows 512 bytes ahead.
#define T4x4(R, OFF) \
	PREFETCHT0 512(R); \
	PREFETCHT0 512(R)(R8*1); \
	PREFETCHT0 512(R)(R8*2); \
	PREFETCHT0 512(R)(R9*1); \
	VMOVUPD (R), Y0; \
	VMOVUPD (R)(R8*1), Y1; \
	VMOVUPD (R)(R8*2), Y2; \
	VMOVUPD (R)(R9*1), Y3; \
	VUNPCKLPD Y1, Y0, Y4; \
	VUNPCKHPD Y1, Y0, Y5; \
	VUNPCKLPD Y3, Y2, Y6; \
	VUNPCKHPD Y3, Y2, Y7; \
	VPERM2F128 $0x20, Y6, Y4, Y0; \
	VPERM2F128 $0x20, Y7, Y5, Y1; \
	VPERM2F128 $0x31, Y6, Y4, Y2; \
	VPERM2F128 $0x31, Y7, Y5, Y3; \
	VMOVUPD Y0, OFF(DI); \
	VMOVUPD Y1, (96+OFF)(DI); \
	VMOVUPD Y2, (192+OFF)(DI); \
	VMOVUPD Y3, (288+OFF)(DI)

// func packT12(kc int, src *float64, lds int, dst *float64)
//
// Packs a full panel of a transposed B: the 12 rows of src (row r at src + r·lds, kc values
// each) side by side, dst[p·12 + r] = src[r·lds + p], the 12 rows streaming together four
// columns at a time. kc must be a multiple of 4.
TEXT ·packT12(SB), NOSPLIT, $0-32
	MOVQ kc+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ lds+16(FP), R8
	SHLQ $3, R8
	LEAQ (R8)(R8*2), R9
	MOVQ dst+24(FP), DI
	LEAQ (SI)(R8*4), R13
	LEAQ (R13)(R8*4), R14
	SHRQ $2, CX
	JZ doneT12
loopT12:
	T4x4(SI, 0)
	T4x4(R13, 32)
	T4x4(R14, 64)
	ADDQ $32, SI
	ADDQ $32, R13
	ADDQ $32, R14
	ADDQ $384, DI
	DECQ CX
	JNZ loopT12
doneT12:
	VZEROUPPER
	RET
