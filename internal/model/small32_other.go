//go:build purego || netlib || !amd64

package model

// Without the AVX2 loops of small32_amd64.s the float32 small layers take the Go loops of
// small32.go: every simd function here reports false.

var small32SIMD = false

func simdForward32(n, in, out int, a, w, b, z, wt []float32, relu bool) bool { return false }

func simdGradWB32(n, in, out int, dz, a, gw, gb, gt []float32) bool { return false }

func simdGradX32(n, in, out int, dz, w, da, a []float32, act activation) bool { return false }
