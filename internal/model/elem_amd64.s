//go:build !purego && !netlib

#include "textflag.h"

// The ReLU passes of elem.go, 8 float32 or 4 float64 values per AVX register. Forward:
// mask = v < 0 (ordered: false for NaN), v &^ mask, which keeps −0 and NaN as relu does.
// Backward: mask = 0 < a (false for NaN and ±0), da & mask, +0 elsewhere, as maskIf does.
// Each pass is written once, as a macro taking the PS or PD instructions (MOVU, XOR, CMP,
// ANDN or AND), the values per four registers (BLOCK: 32 or 16) and per register (LANES: 8
// or 4), and instantiated for both; labels are scoped to their TEXT, so each instance has
// its own. The arguments are loaded in each TEXT, where go vet checks them against the Go
// declaration (it cannot see them in a macro).

// RELU(cmp, andn, r, m): r &^= (r < 0), with m as scratch and Y15 = 0.
#define RELU(cmp, andn, r, m) \
	cmp $1, Y15, r, m \
	andn r, m, r

// RELUPASS sets z[i] = relu(z[i]) for i < n, z at DI and n in CX (a multiple of LANES),
// four registers per iteration and then one.
#define RELUPASS(MOVU, XOR, CMP, ANDN, BLOCK, LANES) \
	XOR Y15, Y15, Y15; \
	CMPQ CX, $BLOCK; \
	JLT tail; \
loop4:; \
	MOVU (DI), Y0; \
	MOVU 32(DI), Y1; \
	MOVU 64(DI), Y2; \
	MOVU 96(DI), Y3; \
	RELU(CMP, ANDN, Y0, Y4); \
	RELU(CMP, ANDN, Y1, Y5); \
	RELU(CMP, ANDN, Y2, Y6); \
	RELU(CMP, ANDN, Y3, Y7); \
	MOVU Y0, (DI); \
	MOVU Y1, 32(DI); \
	MOVU Y2, 64(DI); \
	MOVU Y3, 96(DI); \
	ADDQ $128, DI; \
	SUBQ $BLOCK, CX; \
	CMPQ CX, $BLOCK; \
	JGE loop4; \
tail:; \
	TESTQ CX, CX; \
	JLE done; \
loop1:; \
	MOVU (DI), Y0; \
	RELU(CMP, ANDN, Y0, Y4); \
	MOVU Y0, (DI); \
	ADDQ $32, DI; \
	SUBQ $LANES, CX; \
	JG loop1; \
done:; \
	VZEROUPPER; \
	RET

// func relu32AVX2(z *float32, n int)
//
// z[i] = relu(z[i]) for i < n, n a multiple of 8.
TEXT ·relu32AVX2(SB), NOSPLIT, $0-16
	MOVQ z+0(FP), DI
	MOVQ n+8(FP), CX
	RELUPASS(VMOVUPS, VXORPS, VCMPPS, VANDNPS, 32, 8)

// func relu64AVX2(z *float64, n int)
//
// relu32AVX2 for float64, n a multiple of 4.
TEXT ·relu64AVX2(SB), NOSPLIT, $0-16
	MOVQ z+0(FP), DI
	MOVQ n+8(FP), CX
	RELUPASS(VMOVUPD, VXORPD, VCMPPD, VANDNPD, 16, 4)

// BACK(cmp, and, off, m): a[off] = da[off] & (0 < a[off]), a at DI, da at SI, Y15 = 0, m
// as scratch (the store is VMOVUPS for both precisions: the same bits).
#define BACK(cmp, and, off, m) \
	cmp $1, off(DI), Y15, m \
	and off(SI), m, m \
	VMOVUPS m, off(DI)

// RELUBACKPASS sets a[i] = da[i] where a[i] > 0, +0 elsewhere, for i < n, a at DI, da at SI
// and n in CX (a multiple of LANES), four registers per iteration and then one.
#define RELUBACKPASS(XOR, CMP, AND, BLOCK, LANES) \
	XOR Y15, Y15, Y15; \
	CMPQ CX, $BLOCK; \
	JLT tail; \
loop4:; \
	BACK(CMP, AND, 0, Y0); \
	BACK(CMP, AND, 32, Y1); \
	BACK(CMP, AND, 64, Y2); \
	BACK(CMP, AND, 96, Y3); \
	ADDQ $128, DI; \
	ADDQ $128, SI; \
	SUBQ $BLOCK, CX; \
	CMPQ CX, $BLOCK; \
	JGE loop4; \
tail:; \
	TESTQ CX, CX; \
	JLE done; \
loop1:; \
	BACK(CMP, AND, 0, Y0); \
	ADDQ $32, DI; \
	ADDQ $32, SI; \
	SUBQ $LANES, CX; \
	JG loop1; \
done:; \
	VZEROUPPER; \
	RET

// func reluBack32AVX2(a, da *float32, n int)
//
// a[i] = da[i] where a[i] > 0, +0 elsewhere, for i < n, n a multiple of 8.
TEXT ·reluBack32AVX2(SB), NOSPLIT, $0-24
	MOVQ a+0(FP), DI
	MOVQ da+8(FP), SI
	MOVQ n+16(FP), CX
	RELUBACKPASS(VXORPS, VCMPPS, VANDPS, 32, 8)

// func reluBack64AVX2(a, da *float64, n int)
//
// reluBack32AVX2 for float64, n a multiple of 4.
TEXT ·reluBack64AVX2(SB), NOSPLIT, $0-24
	MOVQ a+0(FP), DI
	MOVQ da+8(FP), SI
	MOVQ n+16(FP), CX
	RELUBACKPASS(VXORPD, VCMPPD, VANDPD, 16, 4)
