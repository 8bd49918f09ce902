//go:build !purego

#include "textflag.h"

// func bytesFMAAVX2(dst *float64, src *uint8, n int, c *[2]float64)
TEXT ·bytesFMAAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ c+24(FP), AX
	VBROADCASTSD 0(AX), Y4      // r = RN(1/255)
	VBROADCASTSD 8(AX), Y5      // 255
	SHRQ $3, CX
	JZ done
loop:
	VPMOVZXBD 0(SI), X0
	VPMOVZXBD 4(SI), X1
	VCVTDQ2PD X0, Y0            // p, exact
	VCVTDQ2PD X1, Y1
	VMULPD Y4, Y0, Y2           // q = p·r
	VMULPD Y4, Y1, Y3
	VFNMADD231PD Y5, Y2, Y0     // e = p − q·255 (exact)
	VFNMADD231PD Y5, Y3, Y1
	VFMADD231PD Y4, Y0, Y2      // q + e·r
	VFMADD231PD Y4, Y1, Y3
	VMOVUPD Y2, 0(DI)
	VMOVUPD Y3, 32(DI)
	ADDQ $8, SI
	ADDQ $64, DI
	DECQ CX
	JNZ loop
done:
	VZEROUPPER
	RET
