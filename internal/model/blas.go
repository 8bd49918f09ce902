package model

import (
	"strings"

	"golang.org/x/sys/cpu"
)

// BLASInfo describes the matrix-product backend this binary was built with.
type BLASInfo struct {
	Name    string // "pure Go, avx512 kernel", "gonum (pure Go)" or "OpenBLAS (cgo)"
	Core    string // the OpenBLAS kernel set in use, e.g. "SkylakeX"; empty for pure Go
	Threads int    // OpenBLAS threads per product; 1 for pure Go (gemm keeps gonum serial)
	// Warning, when not empty, says that a faster setting exists, e.g. that OpenBLAS fell back
	// to its generic Prescott kernels on a CPU with AVX-512.
	Warning string
}

// BLAS reports the matrix-product backend in use. The default build is pure Go (gonum); a
// build with `-tags netlib` routes products through OpenBLAS by cgo.
func BLAS() BLASInfo { return blasInfo() }

// coreAdvice returns the OPENBLAS_CORETYPE to suggest on this CPU when OpenBLAS runs the given
// core, or "" when the core is already a good one. OpenBLAS 0.3.21 does not recognise recent
// CPUs (Emerald Rapids, Zen 4/5) and may fall back to Prescott, 4–5× slower than its AVX-512
// (SkylakeX) or AVX2 (Haswell, Zen) kernels; on a CPU with AVX-512 its AVX2 kernels leave
// speed behind too.
func coreAdvice(core string, avx512, avx2 bool) string {
	switch strings.ToLower(core) {
	case "skylakex", "cooperlake", "sapphirerapids":
		return ""
	case "haswell", "zen":
		if avx512 {
			return "SkylakeX"
		}
		return ""
	}
	switch {
	case avx512:
		return "SkylakeX"
	case avx2:
		return "Haswell"
	}
	return ""
}

// cpuHasAVX512 reports AVX-512F/DQ/BW/VL, the subset OpenBLAS's SkylakeX kernels use.
func cpuHasAVX512() bool {
	return cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL
}

func cpuHasAVX2() bool { return cpu.X86.HasAVX2 && cpu.X86.HasFMA }
