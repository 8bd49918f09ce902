//go:build !amd64 || purego || netlib

package model

// Without the assembly the ReLU passes are the Go loops of elem.go alone.

func reluVec[T Float](z []T) int         { return 0 }
func reluBackVec[T Float](a, da []T) int { return 0 }
