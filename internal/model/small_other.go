//go:build purego || netlib || !amd64

package model

var smallSIMD = false

func smallForwardAVX2(n, in, out int, x, wt, b, z *float64, relu int) {
	panic("model: no AVX2 loops in this build")
}

func smallGradWAVX2(n, in, out int, dz, a, gt, gb *float64) {
	panic("model: no AVX2 loops in this build")
}

func smallGradXAVX2(n, in, out int, dz, w, dx, a *float64, relu int) {
	panic("model: no AVX2 loops in this build")
}

func smallGradWkAVX2(n, in, out int, dz, a, gw *float64) {
	panic("model: no AVX2 loops in this build")
}

func smallForward16AVX2(n, in, out int, x, wt, b, z *float64, relu int) {
	panic("model: no AVX2 loops in this build")
}

func smallGradX16AVX2(n, in, out int, dz, w, dx, a *float64, relu int) {
	panic("model: no AVX2 loops in this build")
}

func smallForward1AVX2(n, in int, x, w *float64, b float64, z *float64, relu int) {
	panic("model: no AVX2 loops in this build")
}
