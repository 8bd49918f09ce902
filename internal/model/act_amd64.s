//go:build !purego && !netlib

#include "textflag.h"

// The constants of actVec (act_amd64.go), 32 bytes each.
#define ABS 0
#define SIGN 32
#define CAP 64
#define MTWO 96
#define INVLN2 128
#define MAGIC 160
#define MLN2HI 192
#define MLN2LO 224
#define BIAS 256
#define BIAS1 288
#define ONE 320
#define TWO 352
#define SMAX 384
#define SMIN 416
#define POLY 448

// EXPM1(r): r = expm1(r) = fma(r², P(r), r), P by Estrin's scheme as actExpm1; uses Y1, Y3,
// Y5–Y9.
#define EXPM1(r) \
	VMULPD r, r, Y3 \
	VMULPD Y3, Y3, Y6 \
	VMULPD Y6, Y6, Y7 \
	VMOVUPD (POLY+0*32)(SI), Y5 \
	VFMADD231PD (POLY+1*32)(SI), r, Y5 \
	VMOVUPD (POLY+2*32)(SI), Y1 \
	VFMADD231PD (POLY+3*32)(SI), r, Y1 \
	VFMADD231PD Y1, Y3, Y5 \
	VMOVUPD (POLY+4*32)(SI), Y1 \
	VFMADD231PD (POLY+5*32)(SI), r, Y1 \
	VMOVUPD (POLY+6*32)(SI), Y8 \
	VFMADD231PD (POLY+7*32)(SI), r, Y8 \
	VFMADD231PD Y8, Y3, Y1 \
	VMOVUPD (POLY+8*32)(SI), Y8 \
	VFMADD231PD (POLY+9*32)(SI), r, Y8 \
	VMOVUPD (POLY+10*32)(SI), Y9 \
	VFMADD231PD (POLY+11*32)(SI), r, Y9 \
	VFMADD231PD Y9, Y3, Y8 \
	VFMADD231PD Y1, Y6, Y5 \
	VFMADD231PD Y8, Y7, Y5 \
	VFMADD231PD Y5, Y3, r

// REDUCE(y, kd, k, r): kd = fma(y, 1/ln2, magic), k = kd − magic, r = y − k·ln2 (two FMAs).
#define REDUCE(y, kd, k, r) \
	VMOVUPD Y12, kd \
	VFMADD231PD Y13, y, kd \
	VSUBPD Y12, kd, k \
	VMOVUPD y, r \
	VFMADD231PD Y11, k, r \
	VFMADD231PD Y10, k, r

#define LOADCONSTS \
	VMOVUPD MAGIC(SI), Y12 \
	VMOVUPD INVLN2(SI), Y13 \
	VMOVUPD MLN2HI(SI), Y11 \
	VMOVUPD MLN2LO(SI), Y10

// func tanhAVX2(z *float64, n int, c *[actConsts][4]float64)
TEXT ·tanhAVX2(SB), NOSPLIT, $0-24
	MOVQ z+0(FP), DI
	MOVQ n+8(FP), CX
	MOVQ c+16(FP), SI
	LOADCONSTS
	VMOVUPD ABS(SI), Y15
	VMOVUPD CAP(SI), Y14
	SHRQ $2, CX
	JZ tanhdone

tanhloop:
	VMOVUPD (DI), Y0
	VANDPD Y15, Y0, Y1     // a = |x|
	VMINPD Y1, Y14, Y1     // a = cap < a ? cap : a (NaN passes)
	VMULPD MTWO(SI), Y1, Y1 // y = −2a
	REDUCE(Y1, Y2, Y3, Y4)
	EXPM1(Y4)              // Y4 = expm1(r)
	VPSUBQ BIAS(SI), Y2, Y2
	VPSLLQ $52, Y2, Y2     // s = 2^k
	VSUBPD ONE(SI), Y2, Y3 // s − 1
	VFMADD231PD Y4, Y2, Y3 // u = s·expm1(r) + (s − 1)
	VADDPD TWO(SI), Y3, Y5 // u + 2
	VDIVPD Y5, Y3, Y3      // u/(u + 2) = −tanh|x|
	VANDPD Y15, Y3, Y3
	VANDNPD Y0, Y15, Y0    // the sign of x
	VORPD Y0, Y3, Y3
	VMOVUPD Y3, (DI)
	ADDQ $32, DI
	DECQ CX
	JNZ tanhloop

tanhdone:
	VZEROUPPER
	RET

// func sigmoidAVX2(z *float64, n int, c *[actConsts][4]float64)
TEXT ·sigmoidAVX2(SB), NOSPLIT, $0-24
	MOVQ z+0(FP), DI
	MOVQ n+8(FP), CX
	MOVQ c+16(FP), SI
	LOADCONSTS
	VMOVUPD SIGN(SI), Y15
	VMOVUPD SMAX(SI), Y14
	SHRQ $2, CX
	JZ sigdone

sigloop:
	VMOVUPD (DI), Y0
	VXORPD Y15, Y0, Y1     // y = −x
	VMINPD Y1, Y14, Y1     // y = max < y ? max : y (NaN passes)
	VMOVUPD SMIN(SI), Y9
	VMAXPD Y1, Y9, Y1      // y = min > y ? min : y
	REDUCE(Y1, Y2, Y3, Y4)
	EXPM1(Y4)
	VMOVUPD ONE(SI), Y8
	VADDPD Y8, Y4, Y4      // e^r
	VPSUBQ BIAS1(SI), Y2, Y2
	VPSLLQ $52, Y2, Y2     // 2^(k−1)
	VMULPD Y2, Y4, Y4
	VADDPD Y4, Y4, Y4      // e^y = (e^r·2^(k−1))·2
	VADDPD Y8, Y4, Y4      // 1 + e^−x
	VDIVPD Y4, Y8, Y3
	VMOVUPD Y3, (DI)
	ADDQ $32, DI
	DECQ CX
	JNZ sigloop

sigdone:
	VZEROUPPER
	RET
