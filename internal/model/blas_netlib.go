//go:build netlib

package model

/*
#cgo LDFLAGS: -lopenblas
char *openblas_get_corename(void);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int);
*/
import "C"

import (
	"fmt"
	"os"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
)

// With the netlib tag every product above the small-layer threshold goes to OpenBLAS through
// cgo (gonum.org/v1/netlib), one call per product. Models run one per goroutine (sweep
// workers), so OpenBLAS gets a single thread unless OPENBLAS_NUM_THREADS or OMP_NUM_THREADS
// asks for more.
func init() {
	blas64.Use(netlib.Implementation{})
	if os.Getenv("OPENBLAS_NUM_THREADS") == "" && os.Getenv("OMP_NUM_THREADS") == "" {
		C.openblas_set_num_threads(1)
	}
}

func blasInfo() BLASInfo {
	info := BLASInfo{
		Name:    "OpenBLAS (cgo)",
		Core:    C.GoString(C.openblas_get_corename()),
		Threads: int(C.openblas_get_num_threads()),
	}
	if want := coreAdvice(info.Core, cpuHasAVX512(), cpuHasAVX2()); want != "" {
		has := "AVX2"
		if cpuHasAVX512() {
			has = "AVX-512"
		}
		info.Warning = fmt.Sprintf("OpenBLAS runs its %s kernels on a CPU with %s; OPENBLAS_CORETYPE=%s is faster", info.Core, has, want)
	}
	return info
}
