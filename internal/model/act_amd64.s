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

// TANH4: Y3 = tanh of the four float64 values of Y0 (tanhGo); Y0 is clobbered and Y1–Y9
// used. Needs LOADCONSTS, Y15 = absmask and Y14 = cap.
#define TANH4 \
	VANDPD Y15, Y0, Y1      /* a = |x| */ \
	VMINPD Y1, Y14, Y1      /* a = cap < a ? cap : a (NaN passes) */ \
	VMULPD MTWO(SI), Y1, Y1 /* y = −2a */ \
	REDUCE(Y1, Y2, Y3, Y4) \
	EXPM1(Y4)               /* Y4 = expm1(r) */ \
	VPSUBQ BIAS(SI), Y2, Y2 \
	VPSLLQ $52, Y2, Y2      /* s = 2^k */ \
	VSUBPD ONE(SI), Y2, Y3  /* s − 1 */ \
	VFMADD231PD Y4, Y2, Y3  /* u = s·expm1(r) + (s − 1) */ \
	VADDPD TWO(SI), Y3, Y5  /* u + 2 */ \
	VDIVPD Y5, Y3, Y3       /* u/(u + 2) = −tanh|x| */ \
	VANDPD Y15, Y3, Y3 \
	VANDNPD Y0, Y15, Y0     /* the sign of x */ \
	VORPD Y0, Y3, Y3

// SIGMOID4: Y3 = 1/(1 + e^−x) of the four float64 values of Y0 (sigmoidGo); Y1–Y9 used.
// Needs LOADCONSTS, Y15 = signmask and Y14 = sigmoidMax.
#define SIGMOID4 \
	VXORPD Y15, Y0, Y1      /* y = −x */ \
	VMINPD Y1, Y14, Y1      /* y = max < y ? max : y (NaN passes) */ \
	VMOVUPD SMIN(SI), Y9 \
	VMAXPD Y1, Y9, Y1       /* y = min > y ? min : y */ \
	REDUCE(Y1, Y2, Y3, Y4) \
	EXPM1(Y4) \
	VMOVUPD ONE(SI), Y8 \
	VADDPD Y8, Y4, Y4       /* e^r */ \
	VPSUBQ BIAS1(SI), Y2, Y2 \
	VPSLLQ $52, Y2, Y2      /* 2^(k−1) */ \
	VMULPD Y2, Y4, Y4 \
	VADDPD Y4, Y4, Y4       /* e^y = (e^r·2^(k−1))·2 */ \
	VADDPD Y8, Y4, Y4       /* 1 + e^−x */ \
	VDIVPD Y4, Y8, Y3

// ACTFUNC(name, mask, bound, body, load, store, size): the loop of name(z, n, c) over z[0:n],
// n a multiple of 4, four values at a time: mask and bound are the constants body needs in Y15
// and Y14, load puts four values in Y0 as float64, body leaves the results in Y3, store writes
// them back; size is the bytes of four values.
#define ACTFUNC(name, mask, bound, body, load, store, size) \
TEXT name(SB), NOSPLIT, $0-24 \
	MOVQ z+0(FP), DI \
	MOVQ n+8(FP), CX \
	MOVQ c+16(FP), SI \
	LOADCONSTS \
	VMOVUPD mask(SI), Y15 \
	VMOVUPD bound(SI), Y14 \
	SHRQ $2, CX \
	JZ done \
loop: \
	load \
	body \
	store \
	ADDQ $size, DI \
	DECQ CX \
	JNZ loop \
done: \
	VZEROUPPER \
	RET

#define LOAD64 VMOVUPD (DI), Y0
#define STORE64 VMOVUPD Y3, (DI)
// float64(v) of four float32 values and float32(v) back, both in MXCSR's rounding (round
// to nearest even, as Go's conversions): widening is exact, narrowing rounds once.
#define LOAD32 VCVTPS2PD (DI), Y0
#define STORE32 VCVTPD2PSY Y3, X3; VMOVUPS X3, (DI)

// func tanhAVX2(z *float64, n int, c *[actConsts][4]float64)
ACTFUNC(·tanhAVX2, ABS, CAP, TANH4, LOAD64, STORE64, 32)

// func sigmoidAVX2(z *float64, n int, c *[actConsts][4]float64)
ACTFUNC(·sigmoidAVX2, SIGN, SMAX, SIGMOID4, LOAD64, STORE64, 32)

// func tanh32AVX2(z *float32, n int, c *[actConsts][4]float64)
ACTFUNC(·tanh32AVX2, ABS, CAP, TANH4, LOAD32, STORE32, 16)

// func sigmoid32AVX2(z *float32, n int, c *[actConsts][4]float64)
ACTFUNC(·sigmoid32AVX2, SIGN, SMAX, SIGMOID4, LOAD32, STORE32, 16)
