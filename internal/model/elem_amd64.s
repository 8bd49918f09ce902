//go:build !purego && !netlib

#include "textflag.h"

// The ReLU passes of elem.go, 8 float32 or 4 float64 values per AVX register. Forward:
// mask = v < 0 (ordered: false for NaN), v &^ mask, which keeps −0 and NaN as relu does.
// Backward: mask = 0 < a (false for NaN and ±0), da & mask, +0 elsewhere, as maskIf does.

// RELU(cmp, andn, r, m): r &^= (r < 0), with m as scratch and Y15 = 0.
#define RELU(cmp, andn, r, m) \
	cmp $1, Y15, r, m \
	andn r, m, r

// func relu32AVX2(z *float32, n int)
//
// z[i] = relu(z[i]) for i < n, n a multiple of 8.
TEXT ·relu32AVX2(SB), NOSPLIT, $0-16
	MOVQ z+0(FP), DI
	MOVQ n+8(FP), CX
	VXORPS Y15, Y15, Y15
	CMPQ CX, $32
	JLT tail32
loop32:
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3
	RELU(VCMPPS, VANDNPS, Y0, Y4)
	RELU(VCMPPS, VANDNPS, Y1, Y5)
	RELU(VCMPPS, VANDNPS, Y2, Y6)
	RELU(VCMPPS, VANDNPS, Y3, Y7)
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, DI
	SUBQ $32, CX
	CMPQ CX, $32
	JGE loop32
tail32:
	TESTQ CX, CX
	JLE done32
loop8:
	VMOVUPS (DI), Y0
	RELU(VCMPPS, VANDNPS, Y0, Y4)
	VMOVUPS Y0, (DI)
	ADDQ $32, DI
	SUBQ $8, CX
	JG loop8
done32:
	VZEROUPPER
	RET

// func relu64AVX2(z *float64, n int)
//
// relu32AVX2 for float64, n a multiple of 4.
TEXT ·relu64AVX2(SB), NOSPLIT, $0-16
	MOVQ z+0(FP), DI
	MOVQ n+8(FP), CX
	VXORPD Y15, Y15, Y15
	CMPQ CX, $16
	JLT tail64
loop16:
	VMOVUPD (DI), Y0
	VMOVUPD 32(DI), Y1
	VMOVUPD 64(DI), Y2
	VMOVUPD 96(DI), Y3
	RELU(VCMPPD, VANDNPD, Y0, Y4)
	RELU(VCMPPD, VANDNPD, Y1, Y5)
	RELU(VCMPPD, VANDNPD, Y2, Y6)
	RELU(VCMPPD, VANDNPD, Y3, Y7)
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	ADDQ $128, DI
	SUBQ $16, CX
	CMPQ CX, $16
	JGE loop16
tail64:
	TESTQ CX, CX
	JLE done64
loop4:
	VMOVUPD (DI), Y0
	RELU(VCMPPD, VANDNPD, Y0, Y4)
	VMOVUPD Y0, (DI)
	ADDQ $32, DI
	SUBQ $4, CX
	JG loop4
done64:
	VZEROUPPER
	RET

// BACK(cmp, and, off): a[off] = da[off] & (0 < a[off]), a at DI, da at SI, Y15 = 0.
#define BACK(cmp, and, off, m) \
	cmp $1, off(DI), Y15, m \
	and off(SI), m, m \
	VMOVUPS m, off(DI)

// func reluBack32AVX2(a, da *float32, n int)
//
// a[i] = da[i] where a[i] > 0, +0 elsewhere, for i < n, n a multiple of 8.
TEXT ·reluBack32AVX2(SB), NOSPLIT, $0-24
	MOVQ a+0(FP), DI
	MOVQ da+8(FP), SI
	MOVQ n+16(FP), CX
	VXORPS Y15, Y15, Y15
	CMPQ CX, $32
	JLT btail32
bloop32:
	BACK(VCMPPS, VANDPS, 0, Y0)
	BACK(VCMPPS, VANDPS, 32, Y1)
	BACK(VCMPPS, VANDPS, 64, Y2)
	BACK(VCMPPS, VANDPS, 96, Y3)
	ADDQ $128, DI
	ADDQ $128, SI
	SUBQ $32, CX
	CMPQ CX, $32
	JGE bloop32
btail32:
	TESTQ CX, CX
	JLE bdone32
bloop8:
	BACK(VCMPPS, VANDPS, 0, Y0)
	ADDQ $32, DI
	ADDQ $32, SI
	SUBQ $8, CX
	JG bloop8
bdone32:
	VZEROUPPER
	RET

// func reluBack64AVX2(a, da *float64, n int)
//
// reluBack32AVX2 for float64, n a multiple of 4.
TEXT ·reluBack64AVX2(SB), NOSPLIT, $0-24
	MOVQ a+0(FP), DI
	MOVQ da+8(FP), SI
	MOVQ n+16(FP), CX
	VXORPD Y15, Y15, Y15
	CMPQ CX, $16
	JLT btail64
bloop16:
	BACK(VCMPPD, VANDPD, 0, Y0)
	BACK(VCMPPD, VANDPD, 32, Y1)
	BACK(VCMPPD, VANDPD, 64, Y2)
	BACK(VCMPPD, VANDPD, 96, Y3)
	ADDQ $128, DI
	ADDQ $128, SI
	SUBQ $16, CX
	CMPQ CX, $16
	JGE bloop16
btail64:
	TESTQ CX, CX
	JLE bdone64
bloop4:
	BACK(VCMPPD, VANDPD, 0, Y0)
	ADDQ $32, DI
	ADDQ $32, SI
	SUBQ $4, CX
	JG bloop4
bdone64:
	VZEROUPPER
	RET
