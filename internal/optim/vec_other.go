//go:build purego || !amd64

package optim

// Without the assembly of vec_amd64.s (another CPU, or the purego build) the Go loops update
// every value: the vector part is empty.

// useVec is false: there is no assembly to turn on.
var useVec = false

func sgdVec[T Float](params, g []T, c *[2]T, flags int) int { return 0 }

func heavyBallVec[T Float](params, g, b []T, c *[4]T, flags int) int { return 0 }

func adamVec[T Float](params, g, m, v []T, c *adamCoefs[T], flags int) int { return 0 }
