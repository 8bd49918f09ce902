//go:build !purego

#include "textflag.h"

// The AVX2 update loops of vec_amd64.go: each lane runs the Go loop's multiplications,
// additions, divisions and square roots in the same order, with no FMA, so the results are
// the Go loop's bit for bit (TestVecExact). The D functions are float64 (4 lanes), the S
// functions float32 (8 lanes, the same code); c points to the coefficients in the
// optimizer's precision, flags holds vecDecay (1), vecNesterov or vecDecoupled (2) and
// vecLerpLow (4). The branches on flags are the same at every iteration.

// func sgdStepD(n int, p, grad, c unsafe.Pointer, flags int)
//
// For i < n (a multiple of 4): with flags&vecDecay, g[i] = g[i] + c[1]·p[i]; then
// p[i] = p[i] − c[0]·g[i] (sgdStep).
TEXT ·sgdStepD(SB), NOSPLIT, $0-40
	MOVQ n+0(FP), CX
	MOVQ p+8(FP), DI
	MOVQ grad+16(FP), SI
	MOVQ c+24(FP), DX
	MOVQ flags+32(FP), AX
	VBROADCASTSD 0(DX), Y0       // lr
	VBROADCASTSD 8(DX), Y1       // λ
	XORQ R8, R8
sgdD_loop:
	CMPQ R8, CX
	JGE sgdD_done
	VMOVUPD (DI)(R8*8), Y3       // p
	VMOVUPD (SI)(R8*8), Y2       // g
	TESTQ $1, AX
	JZ sgdD_step
	VMULPD Y3, Y1, Y4            // λ·p
	VADDPD Y4, Y2, Y2            // g + λ·p
	VMOVUPD Y2, (SI)(R8*8)
sgdD_step:
	VMULPD Y2, Y0, Y4            // lr·g
	VSUBPD Y4, Y3, Y3            // p − lr·g
	VMOVUPD Y3, (DI)(R8*8)
	ADDQ $4, R8
	JMP sgdD_loop
sgdD_done:
	VZEROUPPER
	RET

// func heavyBallD(n int, p, grad, b, c unsafe.Pointer, flags int)
//
// For i < n (a multiple of 4), with c = {lr, λ, μ, w}: with flags&vecDecay,
// g[i] = g[i] + λ·p[i]; b[i] = μ·b[i] + w·g[i]; then p[i] = p[i] − lr·b[i], or with
// flags&vecNesterov p[i] = p[i] − lr·(g[i] + μ·b[i]) (heavyBall.Step).
TEXT ·heavyBallD(SB), NOSPLIT, $0-48
	MOVQ n+0(FP), CX
	MOVQ p+8(FP), DI
	MOVQ grad+16(FP), SI
	MOVQ b+24(FP), BX
	MOVQ c+32(FP), DX
	MOVQ flags+40(FP), AX
	VBROADCASTSD 0(DX), Y0       // lr
	VBROADCASTSD 8(DX), Y1       // λ
	VBROADCASTSD 16(DX), Y2      // μ
	VBROADCASTSD 24(DX), Y3      // w
	XORQ R8, R8
hbD_loop:
	CMPQ R8, CX
	JGE hbD_done
	VMOVUPD (SI)(R8*8), Y4       // g
	VMOVUPD (DI)(R8*8), Y7       // p
	TESTQ $1, AX
	JZ hbD_buf
	VMULPD Y7, Y1, Y6            // λ·p
	VADDPD Y6, Y4, Y4            // g + λ·p
	VMOVUPD Y4, (SI)(R8*8)
hbD_buf:
	VMOVUPD (BX)(R8*8), Y5       // b
	VMULPD Y5, Y2, Y5            // μ·b
	VMULPD Y4, Y3, Y6            // w·g
	VADDPD Y6, Y5, Y5            // μ·b + w·g
	VMOVUPD Y5, (BX)(R8*8)
	TESTQ $2, AX
	JZ hbD_step
	VMULPD Y5, Y2, Y5            // μ·b
	VADDPD Y5, Y4, Y5            // g + μ·b
hbD_step:
	VMULPD Y5, Y0, Y5            // lr·(…)
	VSUBPD Y5, Y7, Y7            // p − lr·(…)
	VMOVUPD Y7, (DI)(R8*8)
	ADDQ $4, R8
	JMP hbD_loop
hbD_done:
	VZEROUPPER
	RET

// func adamD(n int, p, grad, m, v, c unsafe.Pointer, flags int)
//
// For i < n (a multiple of 4), with c an adamCoefs (stepSize, λ, decay, w₁, 1−w₁, β₂, w₂,
// √bc₂, ε): with flags&vecDecay g[i] = g[i] + λ·p[i]; with flags&vecDecoupled
// p[i] = p[i]·decay; m[i] = lerp(m[i], g[i], w₁) (from m with flags&vecLerpLow, from g
// otherwise); v[i] = β₂·v[i] + (w₂·g[i])·g[i];
// p[i] = p[i] − stepSize·(m[i]/(√v[i]/√bc₂ + ε)) (adam.Step without amsgrad).
TEXT ·adamD(SB), NOSPLIT, $0-56
	MOVQ n+0(FP), CX
	MOVQ p+8(FP), DI
	MOVQ grad+16(FP), SI
	MOVQ m+24(FP), BX
	MOVQ v+32(FP), R9
	MOVQ c+40(FP), DX
	MOVQ flags+48(FP), AX
	VBROADCASTSD 0(DX), Y0       // stepSize
	VBROADCASTSD 8(DX), Y1       // λ
	VBROADCASTSD 16(DX), Y2      // decay
	VBROADCASTSD 24(DX), Y3      // w₁
	VBROADCASTSD 32(DX), Y4      // 1 − w₁
	VBROADCASTSD 40(DX), Y5      // β₂
	VBROADCASTSD 48(DX), Y6      // w₂
	VBROADCASTSD 56(DX), Y7      // √bc₂
	VBROADCASTSD 64(DX), Y8      // ε
	XORQ R8, R8
adamD_loop:
	CMPQ R8, CX
	JGE adamD_done
	VMOVUPD (SI)(R8*8), Y9       // g
	VMOVUPD (DI)(R8*8), Y10      // p
	TESTQ $1, AX
	JZ adamD_decoupled
	VMULPD Y10, Y1, Y11          // λ·p
	VADDPD Y11, Y9, Y9           // g + λ·p
	VMOVUPD Y9, (SI)(R8*8)
adamD_decoupled:
	TESTQ $2, AX
	JZ adamD_moments
	VMULPD Y2, Y10, Y10          // p·decay
adamD_moments:
	VMOVUPD (BX)(R8*8), Y11      // m
	VSUBPD Y11, Y9, Y12          // g − m
	TESTQ $4, AX
	JZ adamD_lerpHigh
	VMULPD Y12, Y3, Y12          // w₁·(g − m)
	VADDPD Y12, Y11, Y11         // m + w₁·(g − m)
	JMP adamD_second
adamD_lerpHigh:
	VMULPD Y4, Y12, Y12          // (g − m)·(1 − w₁)
	VSUBPD Y12, Y9, Y11          // g − (g − m)·(1 − w₁)
adamD_second:
	VMOVUPD Y11, (BX)(R8*8)
	VMOVUPD (R9)(R8*8), Y12      // v
	VMULPD Y12, Y5, Y12          // β₂·v
	VMULPD Y9, Y6, Y13           // w₂·g
	VMULPD Y9, Y13, Y13          // (w₂·g)·g
	VADDPD Y13, Y12, Y12         // β₂·v + w₂·g·g
	VMOVUPD Y12, (R9)(R8*8)
	VSQRTPD Y12, Y12             // √v
	VDIVPD Y7, Y12, Y12          // √v/√bc₂
	VADDPD Y8, Y12, Y12          // √v/√bc₂ + ε
	VDIVPD Y12, Y11, Y11         // m/(…)
	VMULPD Y11, Y0, Y11          // stepSize·(…)
	VSUBPD Y11, Y10, Y10         // p − stepSize·(…)
	VMOVUPD Y10, (DI)(R8*8)
	ADDQ $4, R8
	JMP adamD_loop
adamD_done:
	VZEROUPPER
	RET

// func sgdStepS(n int, p, grad, c unsafe.Pointer, flags int)
//
// For i < n (a multiple of 8): with flags&vecDecay, g[i] = g[i] + c[1]·p[i]; then
// p[i] = p[i] − c[0]·g[i] (sgdStep).
TEXT ·sgdStepS(SB), NOSPLIT, $0-40
	MOVQ n+0(FP), CX
	MOVQ p+8(FP), DI
	MOVQ grad+16(FP), SI
	MOVQ c+24(FP), DX
	MOVQ flags+32(FP), AX
	VBROADCASTSS 0(DX), Y0       // lr
	VBROADCASTSS 4(DX), Y1       // λ
	XORQ R8, R8
sgdS_loop:
	CMPQ R8, CX
	JGE sgdS_done
	VMOVUPS (DI)(R8*4), Y3       // p
	VMOVUPS (SI)(R8*4), Y2       // g
	TESTQ $1, AX
	JZ sgdS_step
	VMULPS Y3, Y1, Y4            // λ·p
	VADDPS Y4, Y2, Y2            // g + λ·p
	VMOVUPS Y2, (SI)(R8*4)
sgdS_step:
	VMULPS Y2, Y0, Y4            // lr·g
	VSUBPS Y4, Y3, Y3            // p − lr·g
	VMOVUPS Y3, (DI)(R8*4)
	ADDQ $8, R8
	JMP sgdS_loop
sgdS_done:
	VZEROUPPER
	RET

// func heavyBallS(n int, p, grad, b, c unsafe.Pointer, flags int)
//
// For i < n (a multiple of 8), with c = {lr, λ, μ, w}: with flags&vecDecay,
// g[i] = g[i] + λ·p[i]; b[i] = μ·b[i] + w·g[i]; then p[i] = p[i] − lr·b[i], or with
// flags&vecNesterov p[i] = p[i] − lr·(g[i] + μ·b[i]) (heavyBall.Step).
TEXT ·heavyBallS(SB), NOSPLIT, $0-48
	MOVQ n+0(FP), CX
	MOVQ p+8(FP), DI
	MOVQ grad+16(FP), SI
	MOVQ b+24(FP), BX
	MOVQ c+32(FP), DX
	MOVQ flags+40(FP), AX
	VBROADCASTSS 0(DX), Y0       // lr
	VBROADCASTSS 4(DX), Y1       // λ
	VBROADCASTSS 8(DX), Y2      // μ
	VBROADCASTSS 12(DX), Y3      // w
	XORQ R8, R8
hbS_loop:
	CMPQ R8, CX
	JGE hbS_done
	VMOVUPS (SI)(R8*4), Y4       // g
	VMOVUPS (DI)(R8*4), Y7       // p
	TESTQ $1, AX
	JZ hbS_buf
	VMULPS Y7, Y1, Y6            // λ·p
	VADDPS Y6, Y4, Y4            // g + λ·p
	VMOVUPS Y4, (SI)(R8*4)
hbS_buf:
	VMOVUPS (BX)(R8*4), Y5       // b
	VMULPS Y5, Y2, Y5            // μ·b
	VMULPS Y4, Y3, Y6            // w·g
	VADDPS Y6, Y5, Y5            // μ·b + w·g
	VMOVUPS Y5, (BX)(R8*4)
	TESTQ $2, AX
	JZ hbS_step
	VMULPS Y5, Y2, Y5            // μ·b
	VADDPS Y5, Y4, Y5            // g + μ·b
hbS_step:
	VMULPS Y5, Y0, Y5            // lr·(…)
	VSUBPS Y5, Y7, Y7            // p − lr·(…)
	VMOVUPS Y7, (DI)(R8*4)
	ADDQ $8, R8
	JMP hbS_loop
hbS_done:
	VZEROUPPER
	RET

// func adamS(n int, p, grad, m, v, c unsafe.Pointer, flags int)
//
// For i < n (a multiple of 8), with c an adamCoefs (stepSize, λ, decay, w₁, 1−w₁, β₂, w₂,
// √bc₂, ε): with flags&vecDecay g[i] = g[i] + λ·p[i]; with flags&vecDecoupled
// p[i] = p[i]·decay; m[i] = lerp(m[i], g[i], w₁) (from m with flags&vecLerpLow, from g
// otherwise); v[i] = β₂·v[i] + (w₂·g[i])·g[i];
// p[i] = p[i] − stepSize·(m[i]/(√v[i]/√bc₂ + ε)) (adam.Step without amsgrad).
TEXT ·adamS(SB), NOSPLIT, $0-56
	MOVQ n+0(FP), CX
	MOVQ p+8(FP), DI
	MOVQ grad+16(FP), SI
	MOVQ m+24(FP), BX
	MOVQ v+32(FP), R9
	MOVQ c+40(FP), DX
	MOVQ flags+48(FP), AX
	VBROADCASTSS 0(DX), Y0       // stepSize
	VBROADCASTSS 4(DX), Y1       // λ
	VBROADCASTSS 8(DX), Y2      // decay
	VBROADCASTSS 12(DX), Y3      // w₁
	VBROADCASTSS 16(DX), Y4      // 1 − w₁
	VBROADCASTSS 20(DX), Y5      // β₂
	VBROADCASTSS 24(DX), Y6      // w₂
	VBROADCASTSS 28(DX), Y7      // √bc₂
	VBROADCASTSS 32(DX), Y8      // ε
	XORQ R8, R8
adamS_loop:
	CMPQ R8, CX
	JGE adamS_done
	VMOVUPS (SI)(R8*4), Y9       // g
	VMOVUPS (DI)(R8*4), Y10      // p
	TESTQ $1, AX
	JZ adamS_decoupled
	VMULPS Y10, Y1, Y11          // λ·p
	VADDPS Y11, Y9, Y9           // g + λ·p
	VMOVUPS Y9, (SI)(R8*4)
adamS_decoupled:
	TESTQ $2, AX
	JZ adamS_moments
	VMULPS Y2, Y10, Y10          // p·decay
adamS_moments:
	VMOVUPS (BX)(R8*4), Y11      // m
	VSUBPS Y11, Y9, Y12          // g − m
	TESTQ $4, AX
	JZ adamS_lerpHigh
	VMULPS Y12, Y3, Y12          // w₁·(g − m)
	VADDPS Y12, Y11, Y11         // m + w₁·(g − m)
	JMP adamS_second
adamS_lerpHigh:
	VMULPS Y4, Y12, Y12          // (g − m)·(1 − w₁)
	VSUBPS Y12, Y9, Y11          // g − (g − m)·(1 − w₁)
adamS_second:
	VMOVUPS Y11, (BX)(R8*4)
	VMOVUPS (R9)(R8*4), Y12      // v
	VMULPS Y12, Y5, Y12          // β₂·v
	VMULPS Y9, Y6, Y13           // w₂·g
	VMULPS Y9, Y13, Y13          // (w₂·g)·g
	VADDPS Y13, Y12, Y12         // β₂·v + w₂·g·g
	VMOVUPS Y12, (R9)(R8*4)
	VSQRTPS Y12, Y12             // √v
	VDIVPS Y7, Y12, Y12          // √v/√bc₂
	VADDPS Y8, Y12, Y12          // √v/√bc₂ + ε
	VDIVPS Y12, Y11, Y11         // m/(…)
	VMULPS Y11, Y0, Y11          // stepSize·(…)
	VSUBPS Y11, Y10, Y10         // p − stepSize·(…)
	VMOVUPS Y10, (DI)(R8*4)
	ADDQ $8, R8
	JMP adamS_loop
adamS_done:
	VZEROUPPER
	RET
