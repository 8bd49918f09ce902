//go:build !purego && !netlib

#include "textflag.h"

// The float32 packing of B panels of 24 columns for kern4x24s (kernel.go's packB, copyRows).

// T8x8(base, off): the 8×8 block of 8 rows from base (R8 bytes apart; R9 = 3·R8, R10 = 5·R8,
// R11 = 7·R8) transposed into 8 rows of dst from off(DI), 96 bytes apart.
#define T8x8(base, off) \
	VMOVUPS (base), Y0 \
	VMOVUPS (base)(R8*1), Y1 \
	VMOVUPS (base)(R8*2), Y2 \
	VMOVUPS (base)(R9*1), Y3 \
	VMOVUPS (base)(R8*4), Y4 \
	VMOVUPS (base)(R10*1), Y5 \
	VMOVUPS (base)(R9*2), Y6 \
	VMOVUPS (base)(R11*1), Y7 \
	VUNPCKLPS Y1, Y0, Y8 \
	VUNPCKHPS Y1, Y0, Y9 \
	VUNPCKLPS Y3, Y2, Y10 \
	VUNPCKHPS Y3, Y2, Y11 \
	VUNPCKLPS Y5, Y4, Y12 \
	VUNPCKHPS Y5, Y4, Y13 \
	VUNPCKLPS Y7, Y6, Y14 \
	VUNPCKHPS Y7, Y6, Y15 \
	VSHUFPS $0x44, Y10, Y8, Y0 \
	VSHUFPS $0xEE, Y10, Y8, Y1 \
	VSHUFPS $0x44, Y11, Y9, Y2 \
	VSHUFPS $0xEE, Y11, Y9, Y3 \
	VSHUFPS $0x44, Y14, Y12, Y4 \
	VSHUFPS $0xEE, Y14, Y12, Y5 \
	VSHUFPS $0x44, Y15, Y13, Y6 \
	VSHUFPS $0xEE, Y15, Y13, Y7 \
	VPERM2F128 $0x20, Y4, Y0, Y8 \
	VPERM2F128 $0x20, Y5, Y1, Y9 \
	VPERM2F128 $0x20, Y6, Y2, Y10 \
	VPERM2F128 $0x20, Y7, Y3, Y11 \
	VPERM2F128 $0x31, Y4, Y0, Y12 \
	VPERM2F128 $0x31, Y5, Y1, Y13 \
	VPERM2F128 $0x31, Y6, Y2, Y14 \
	VPERM2F128 $0x31, Y7, Y3, Y15 \
	VMOVUPS Y8, (off+0*96)(DI) \
	VMOVUPS Y9, (off+1*96)(DI) \
	VMOVUPS Y10, (off+2*96)(DI) \
	VMOVUPS Y11, (off+3*96)(DI) \
	VMOVUPS Y12, (off+4*96)(DI) \
	VMOVUPS Y13, (off+5*96)(DI) \
	VMOVUPS Y14, (off+6*96)(DI) \
	VMOVUPS Y15, (off+7*96)(DI)

// func packT24s(kc int, src *float32, lds int, dst *float32)
//
// dst[p·24 + r] = src[r·lds + p] for r < 24, p < kc, kc a multiple of 8: three 8×8
// transposes per 8 values of p.
TEXT ·packT24s(SB), NOSPLIT, $0-32
	MOVQ kc+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ lds+16(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	LEAQ (R8)(R8*4), R10
	LEAQ (R9)(R8*4), R11
	MOVQ dst+24(FP), DI
	LEAQ (SI)(R8*8), R13
	LEAQ (R13)(R8*8), R14
	SHRQ $3, CX
	JZ doneT24
loopT24:
	T8x8(SI, 0)
	T8x8(R13, 32)
	T8x8(R14, 64)
	ADDQ $32, SI
	ADDQ $32, R13
	ADDQ $32, R14
	ADDQ $768, DI
	DECQ CX
	JNZ loopT24
doneT24:
	VZEROUPPER
	RET

// func packN24s(kc int, src *float32, lds int, dst *float32)
//
// Copies kc rows of 24 values, lds apart in src, one after the other into dst.
TEXT ·packN24s(SB), NOSPLIT, $0-32
	MOVQ kc+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ lds+16(FP), R8
	SHLQ $2, R8
	MOVQ dst+24(FP), DI
	TESTQ CX, CX
	JLE doneN24
loopN24:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	ADDQ R8, SI
	ADDQ $96, DI
	DECQ CX
	JNZ loopN24
doneN24:
	VZEROUPPER
	RET
