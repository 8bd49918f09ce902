//go:build netlib && !cgo

package model

// The netlib build calls OpenBLAS through cgo: build it with CGO_ENABLED=1 and a C compiler,
// with libopenblas-dev installed. This identifier is left undefined so that the compiler says
// so.
var _ = netlibBuildNeedsCgoEnabled1AndLibopenblasDev

func blasInfo() BLASInfo { return BLASInfo{} }
