//go:build purego || netlib || !amd64

package model

// Builds without the AVX2 activations: the vector entry points are the Go loops of act.go
// (the callers take those directly, actSIMD and act32SIMD being false, so these only keep
// every entry point correct in every build).

var actSIMD, act32SIMD = false, false

func tanhVec(z []float64) {
	for i, v := range z {
		z[i] = tanhGo(v)
	}
}

func sigmoidVec(z []float64) {
	for i, v := range z {
		z[i] = sigmoidGo(v)
	}
}

func tanh32Vec(z []float32)    { widened32(actTanh, z) }
func sigmoid32Vec(z []float32) { widened32(actSigmoid, z) }
