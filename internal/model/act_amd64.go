//go:build !purego && !netlib

package model

import (
	"math"

	"golang.org/x/sys/cpu"
)

// tanhAVX2 and sigmoidAVX2 overwrite z[0:n] (n a multiple of 4) with tanhGo and sigmoidGo of
// each value, four at a time, with the same operations (act.go).
//
//go:noescape
func tanhAVX2(z *float64, n int, c *[actConsts][4]float64)

//go:noescape
func sigmoidAVX2(z *float64, n int, c *[actConsts][4]float64)

// tanh32AVX2 and sigmoid32AVX2 are tanhAVX2 and sigmoidAVX2 of float32 values, widened to
// float64 and narrowed back in registers: z[i] = float32(tanhGo(float64(z[i]))).
//
//go:noescape
func tanh32AVX2(z *float32, n int, c *[actConsts][4]float64)

//go:noescape
func sigmoid32AVX2(z *float32, n int, c *[actConsts][4]float64)

var actSIMD = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// act32SIMD switches the float32 tanh and sigmoid to tanh32AVX2 and sigmoid32AVX2; off, they
// widen to float64 in Go as before them (tests and benchmarks turn it off to compare).
var act32SIMD = actSIMD

// The constants of act.go, four copies each, in the order act_amd64.s reads them (32 bytes
// apart: absmask at 0, signmask at 32, …, the coefficients of P from 448).
const actConsts = 14 + len(actExpm1Poly)

var actVec = func() *[actConsts][4]float64 {
	bits := math.Float64frombits
	v := []float64{
		bits(1<<63 - 1), bits(1 << 63), tanhCap, -2, actInvLn2, actMagic, -actLn2Hi, -actLn2Lo,
		bits(actExpBias), bits(actExpBias + 1), 1, 2, sigmoidMax, sigmoidMin,
	}
	v = append(v, actExpm1Poly[:]...)
	var c [actConsts][4]float64
	for i, x := range v {
		c[i] = [4]float64{x, x, x, x}
	}
	return &c
}()

func tanhVec(z []float64)    { tanhAVX2(&z[0], len(z), actVec) }
func sigmoidVec(z []float64) { sigmoidAVX2(&z[0], len(z), actVec) }

func tanh32Vec(z []float32)    { tanh32AVX2(&z[0], len(z), actVec) }
func sigmoid32Vec(z []float32) { sigmoid32AVX2(&z[0], len(z), actVec) }
