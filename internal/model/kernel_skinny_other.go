//go:build !amd64 || purego || netlib

package model

var skinnySIMD = false

func skinnyFwd8(kc int, x *float64, ldx int, wt *float64, z *float64, ldz int, mask int) {
	panic("model: no skinny loops in this build")
}

func skinnyFwd1(kc int, x *float64, wt *float64, z *float64, mask int) {
	panic("model: no skinny loops in this build")
}

func skinnyGradW(kc int, dz *float64, ldz int, x *float64, ldx int, gw *float64, ldg int, jn int, mask int) {
	panic("model: no skinny loops in this build")
}
