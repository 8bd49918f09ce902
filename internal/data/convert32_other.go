//go:build purego || !amd64

package data

func bytesTo32(dst []float32, src []uint8, scale float32) { bytesTo32Go(dst, src, scale) }

func narrow32(dst []float32, src []float64) { narrow32Go(dst, src) }
