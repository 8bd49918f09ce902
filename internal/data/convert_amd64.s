//go:build !purego

#include "textflag.h"

// func bytesDivAVX512(dst *float64, src *uint8, n int, scale float64)
TEXT ·bytesDivAVX512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSD scale+24(FP), Z3
	SHRQ $4, CX
	JZ done512
loop512:
	VPMOVZXBD 0(SI), Y0
	VPMOVZXBD 8(SI), Y1
	VCVTDQ2PD Y0, Z0
	VCVTDQ2PD Y1, Z1
	VDIVPD Z3, Z0, Z0
	VDIVPD Z3, Z1, Z1
	VMOVUPD Z0, 0(DI)
	VMOVUPD Z1, 64(DI)
	ADDQ $16, SI
	ADDQ $128, DI
	DECQ CX
	JNZ loop512
done512:
	VZEROUPPER
	RET

// func bytesDivAVX2(dst *float64, src *uint8, n int, scale float64)
TEXT ·bytesDivAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSD scale+24(FP), Y3
	SHRQ $3, CX
	JZ done2
loop2:
	VPMOVZXBD 0(SI), X0
	VPMOVZXBD 4(SI), X1
	VCVTDQ2PD X0, Y0
	VCVTDQ2PD X1, Y1
	VDIVPD Y3, Y0, Y0
	VDIVPD Y3, Y1, Y1
	VMOVUPD Y0, 0(DI)
	VMOVUPD Y1, 32(DI)
	ADDQ $8, SI
	ADDQ $64, DI
	DECQ CX
	JNZ loop2
done2:
	VZEROUPPER
	RET
