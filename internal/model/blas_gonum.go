//go:build !netlib

package model

func blasInfo() BLASInfo {
	if len(kernels) > 0 {
		return BLASInfo{Name: "pure Go, " + kernels[0].name + " kernel", Threads: 1}
	}
	return BLASInfo{Name: "gonum (pure Go)", Threads: 1}
}
