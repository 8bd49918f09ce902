//go:build !purego && !netlib

package model

import "golang.org/x/sys/cpu"

// The AVX2 loops of small layers (small_amd64.s). They compute what the Go loops of gemm.go
// compute, with four outputs, inputs or rows per vector: every lane runs the same
// multiplications and additions in the same order — no FMA — so the results are equal bit for
// bit (TestSmallLoopsExact runs both). The zero-delta masks and the ReLU are vector compares.
// They were 4–6× faster than the Go loops on the 2-16-1 network (BenchmarkLossGradStream).

//go:noescape
func smallForwardAVX2(n, in, out int, x, wt, b, z *float64, relu int)

//go:noescape
func smallForward16AVX2(n, in, out int, x, wt, b, z *float64, relu int)

//go:noescape
func smallForward1AVX2(n, in int, x, w *float64, b float64, z *float64, relu int)

//go:noescape
func smallGradWAVX2(n, in, out int, dz, a, gt, gb *float64)

//go:noescape
func smallGradWkAVX2(n, in, out int, dz, a, gw *float64)

//go:noescape
func smallGradX16AVX2(n, in, out int, dz, w, dx, a *float64, relu int)

//go:noescape
func smallGradXAVX2(n, in, out int, dz, w, dx, a *float64, relu int)

var smallSIMD = cpu.X86.HasAVX2
