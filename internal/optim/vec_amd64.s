//go:build !purego

#include "textflag.h"

// The AVX2 update loops of vec_amd64.go: each lane runs the Go loop's multiplications,
// additions, divisions and square roots in the same order, with no FMA, so the results are
// the Go loop's bit for bit (TestVecExact). The D functions are float64 (4 lanes), the S
// functions float32 (8 lanes): each loop is written once, as a macro taking the PD or PS
// instructions (MOVU, ADD, SUB, MUL, DIV, SQRT), the broadcast (BCAST: VBROADCASTSD or
// VBROADCASTSS), the element size in bytes (SIZE: 8 or 4, the index scale and the stride of
// the coefficients) and the lane count (LANES: 4 or 8), and instantiated for both. c points
// to the coefficients in the optimizer's precision, flags holds vecDecay (1), vecNesterov or
// vecDecoupled (2) and vecLerpLow (4). The branches on flags are the same at every
// iteration. Labels are scoped to their TEXT, so each instance has its own.

// SGDSTEP is the body of sgdStep(n int, p, grad, c unsafe.Pointer, flags int):
//
// For i < n (a multiple of LANES): with flags&vecDecay, g[i] = g[i] + c[1]·p[i]; then
// p[i] = p[i] − c[0]·g[i] (sgdStep).
#define SGDSTEP(MOVU, ADD, SUB, MUL, BCAST, SIZE, LANES) \
	MOVQ n+0(FP), CX; \
	MOVQ p+8(FP), DI; \
	MOVQ grad+16(FP), SI; \
	MOVQ c+24(FP), DX; \
	MOVQ flags+32(FP), AX; \
	BCAST 0(DX), Y0;             /* lr */ \
	BCAST 1*SIZE(DX), Y1;        /* λ */ \
	XORQ R8, R8; \
sgd_loop:; \
	CMPQ R8, CX; \
	JGE sgd_done; \
	MOVU (DI)(R8*SIZE), Y3;      /* p */ \
	MOVU (SI)(R8*SIZE), Y2;      /* g */ \
	TESTQ $1, AX; \
	JZ sgd_step; \
	MUL Y3, Y1, Y4;              /* λ·p */ \
	ADD Y4, Y2, Y2;              /* g + λ·p */ \
	MOVU Y2, (SI)(R8*SIZE); \
sgd_step:; \
	MUL Y2, Y0, Y4;              /* lr·g */ \
	SUB Y4, Y3, Y3;              /* p − lr·g */ \
	MOVU Y3, (DI)(R8*SIZE); \
	ADDQ $LANES, R8; \
	JMP sgd_loop; \
sgd_done:; \
	VZEROUPPER; \
	RET

// HEAVYBALL is the body of heavyBall(n int, p, grad, b, c unsafe.Pointer, flags int):
//
// For i < n (a multiple of LANES), with c = {lr, λ, μ, w}: with flags&vecDecay,
// g[i] = g[i] + λ·p[i]; b[i] = μ·b[i] + w·g[i]; then p[i] = p[i] − lr·b[i], or with
// flags&vecNesterov p[i] = p[i] − lr·(g[i] + μ·b[i]) (heavyBall.Step).
#define HEAVYBALL(MOVU, ADD, SUB, MUL, BCAST, SIZE, LANES) \
	MOVQ n+0(FP), CX; \
	MOVQ p+8(FP), DI; \
	MOVQ grad+16(FP), SI; \
	MOVQ b+24(FP), BX; \
	MOVQ c+32(FP), DX; \
	MOVQ flags+40(FP), AX; \
	BCAST 0(DX), Y0;             /* lr */ \
	BCAST 1*SIZE(DX), Y1;        /* λ */ \
	BCAST 2*SIZE(DX), Y2;        /* μ */ \
	BCAST 3*SIZE(DX), Y3;        /* w */ \
	XORQ R8, R8; \
hb_loop:; \
	CMPQ R8, CX; \
	JGE hb_done; \
	MOVU (SI)(R8*SIZE), Y4;      /* g */ \
	MOVU (DI)(R8*SIZE), Y7;      /* p */ \
	TESTQ $1, AX; \
	JZ hb_buf; \
	MUL Y7, Y1, Y6;              /* λ·p */ \
	ADD Y6, Y4, Y4;              /* g + λ·p */ \
	MOVU Y4, (SI)(R8*SIZE); \
hb_buf:; \
	MOVU (BX)(R8*SIZE), Y5;      /* b */ \
	MUL Y5, Y2, Y5;              /* μ·b */ \
	MUL Y4, Y3, Y6;              /* w·g */ \
	ADD Y6, Y5, Y5;              /* μ·b + w·g */ \
	MOVU Y5, (BX)(R8*SIZE); \
	TESTQ $2, AX; \
	JZ hb_step; \
	MUL Y5, Y2, Y5;              /* μ·b */ \
	ADD Y5, Y4, Y5;              /* g + μ·b */ \
hb_step:; \
	MUL Y5, Y0, Y5;              /* lr·(…) */ \
	SUB Y5, Y7, Y7;              /* p − lr·(…) */ \
	MOVU Y7, (DI)(R8*SIZE); \
	ADDQ $LANES, R8; \
	JMP hb_loop; \
hb_done:; \
	VZEROUPPER; \
	RET

// ADAMCOEFS loads the coefficients of ADAM into Y0..Y8 and the arguments into registers: CX n,
// DI p, SI grad, BX m, R9 v, AX flags.
#define ADAMCOEFS(BCAST, SIZE) \
	MOVQ n+0(FP), CX; \
	MOVQ p+8(FP), DI; \
	MOVQ grad+16(FP), SI; \
	MOVQ m+24(FP), BX; \
	MOVQ v+32(FP), R9; \
	MOVQ c+40(FP), DX; \
	MOVQ flags+48(FP), AX; \
	BCAST 0(DX), Y0;             /* stepSize */ \
	BCAST 1*SIZE(DX), Y1;        /* λ */ \
	BCAST 2*SIZE(DX), Y2;        /* decay */ \
	BCAST 3*SIZE(DX), Y3;        /* w₁ */ \
	BCAST 4*SIZE(DX), Y4;        /* 1 − w₁ */ \
	BCAST 5*SIZE(DX), Y5;        /* β₂ */ \
	BCAST 6*SIZE(DX), Y6;        /* w₂ */ \
	BCAST 7*SIZE(DX), Y7;        /* √bc₂ */ \
	BCAST 8*SIZE(DX), Y8         /* ε */

// ADAM is the body of adam(n int, p, grad, m, v, c unsafe.Pointer, flags int):
//
// For i < n (a multiple of LANES), with c an adamCoefs (stepSize, λ, decay, w₁, 1−w₁, β₂,
// w₂, √bc₂, ε): with flags&vecDecay g[i] = g[i] + λ·p[i]; with flags&vecDecoupled
// p[i] = p[i]·decay; m[i] = lerp(m[i], g[i], w₁) (from m with flags&vecLerpLow, from g
// otherwise); v[i] = β₂·v[i] + (w₂·g[i])·g[i];
// p[i] = p[i] − stepSize·(m[i]/(√v[i]/√bc₂ + ε)) (adam.Step without amsgrad).
#define ADAM(MOVU, ADD, SUB, MUL, DIV, SQRT, BCAST, SIZE, LANES) \
	ADAMCOEFS(BCAST, SIZE); \
	XORQ R8, R8; \
adam_loop:; \
	CMPQ R8, CX; \
	JGE adam_done; \
	MOVU (SI)(R8*SIZE), Y9;      /* g */ \
	MOVU (DI)(R8*SIZE), Y10;     /* p */ \
	TESTQ $1, AX; \
	JZ adam_decoupled; \
	MUL Y10, Y1, Y11;            /* λ·p */ \
	ADD Y11, Y9, Y9;             /* g + λ·p */ \
	MOVU Y9, (SI)(R8*SIZE); \
adam_decoupled:; \
	TESTQ $2, AX; \
	JZ adam_moments; \
	MUL Y2, Y10, Y10;            /* p·decay */ \
adam_moments:; \
	MOVU (BX)(R8*SIZE), Y11;     /* m */ \
	SUB Y11, Y9, Y12;            /* g − m */ \
	TESTQ $4, AX; \
	JZ adam_lerpHigh; \
	MUL Y12, Y3, Y12;            /* w₁·(g − m) */ \
	ADD Y12, Y11, Y11;           /* m + w₁·(g − m) */ \
	JMP adam_second; \
adam_lerpHigh:; \
	MUL Y4, Y12, Y12;            /* (g − m)·(1 − w₁) */ \
	SUB Y12, Y9, Y11;            /* g − (g − m)·(1 − w₁) */ \
adam_second:; \
	MOVU Y11, (BX)(R8*SIZE); \
	MOVU (R9)(R8*SIZE), Y12;     /* v */ \
	MUL Y12, Y5, Y12;            /* β₂·v */ \
	MUL Y9, Y6, Y13;             /* w₂·g */ \
	MUL Y9, Y13, Y13;            /* (w₂·g)·g */ \
	ADD Y13, Y12, Y12;           /* β₂·v + w₂·g·g */ \
	MOVU Y12, (R9)(R8*SIZE); \
	SQRT Y12, Y12;               /* √v */ \
	DIV Y7, Y12, Y12;            /* √v/√bc₂ */ \
	ADD Y8, Y12, Y12;            /* √v/√bc₂ + ε */ \
	DIV Y12, Y11, Y11;           /* m/(…) */ \
	MUL Y11, Y0, Y11;            /* stepSize·(…) */ \
	SUB Y11, Y10, Y10;           /* p − stepSize·(…) */ \
	MOVU Y10, (DI)(R8*SIZE); \
	ADDQ $LANES, R8; \
	JMP adam_loop; \
adam_done:; \
	VZEROUPPER; \
	RET

// func sgdStepD(n int, p, grad, c unsafe.Pointer, flags int)
TEXT ·sgdStepD(SB), NOSPLIT, $0-40
	SGDSTEP(VMOVUPD, VADDPD, VSUBPD, VMULPD, VBROADCASTSD, 8, 4)

// func sgdStepS(n int, p, grad, c unsafe.Pointer, flags int)
TEXT ·sgdStepS(SB), NOSPLIT, $0-40
	SGDSTEP(VMOVUPS, VADDPS, VSUBPS, VMULPS, VBROADCASTSS, 4, 8)

// func heavyBallD(n int, p, grad, b, c unsafe.Pointer, flags int)
TEXT ·heavyBallD(SB), NOSPLIT, $0-48
	HEAVYBALL(VMOVUPD, VADDPD, VSUBPD, VMULPD, VBROADCASTSD, 8, 4)

// func heavyBallS(n int, p, grad, b, c unsafe.Pointer, flags int)
TEXT ·heavyBallS(SB), NOSPLIT, $0-48
	HEAVYBALL(VMOVUPS, VADDPS, VSUBPS, VMULPS, VBROADCASTSS, 4, 8)

// func adamD(n int, p, grad, m, v, c unsafe.Pointer, flags int)
TEXT ·adamD(SB), NOSPLIT, $0-56
	ADAM(VMOVUPD, VADDPD, VSUBPD, VMULPD, VDIVPD, VSQRTPD, VBROADCASTSD, 8, 4)

// func adamS(n int, p, grad, m, v, c unsafe.Pointer, flags int)
TEXT ·adamS(SB), NOSPLIT, $0-56
	ADAM(VMOVUPS, VADDPS, VSUBPS, VMULPS, VDIVPS, VSQRTPS, VBROADCASTSS, 4, 8)
