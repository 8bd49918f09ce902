//go:build !purego && !netlib

package model

import "golang.org/x/sys/cpu"

// The AVX-512 loops of skinny layers (kernel_skinny_amd64.s); see kernel_skinny.go.

//go:noescape
func skinnyFwd8(kc int, x *float64, ldx int, wt *float64, z *float64, ldz int, mask int)

//go:noescape
func skinnyFwd1(kc int, x *float64, wt *float64, z *float64, mask int)

//go:noescape
func skinnyGradW(kc int, dz *float64, ldz int, x *float64, ldx int, gw *float64, ldg int, jn int, mask int)

// skinnySIMD reports that this CPU runs the loops of kernel_skinny_amd64.s.
var skinnySIMD = cpu.X86.HasAVX512F
