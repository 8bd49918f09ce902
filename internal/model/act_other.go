//go:build purego || netlib || !amd64

package model

var actSIMD = false

func tanhVec(z []float64)    { panic("model: no AVX2 activations in this build") }
func sigmoidVec(z []float64) { panic("model: no AVX2 activations in this build") }
