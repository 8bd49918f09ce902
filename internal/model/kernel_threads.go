package model

import (
	"fmt"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/blas"
)

// Threaded is implemented by the models whose matrix products can run on several goroutines.
// SetThreads(n) splits each product of the packed kernel (kernel.go) into n parts by blocks
// of C, run on n goroutines: every output element is computed by one of them in the order
// one thread computes it, so that results are bit-identical for every n. n = 1, the default,
// runs everything on the caller's goroutine. It allocates the packing space of the n − 1
// other threads; the products themselves then allocate nothing. Builds without the kernel
// (netlib, purego, CPUs without AVX2 and FMA) keep their products serial.
type Threaded interface {
	SetThreads(n int) error
}

// gemmCore is a micro-kernel with its cache blocking, the packing space of the caller's
// thread and those of the other threads.
type gemmCore[T elem] struct {
	kern   gemmKernel[T]
	mc, nc int // cache blocking of kern (cacheBlocking)
	gemmSpace[T]
	par gemmPar[T]
}

// gemm computes the product g.
func (c *gemmCore[T]) gemm(g *gemmArgs[T]) {
	g.check()
	c.par.run(&c.kern, c.mc, c.nc, &c.gemmSpace, g)
}

// setThreads makes the products run on n goroutines (see Threaded).
func (c *gemmCore[T]) setThreads(n int) error {
	if n < 1 {
		return fmt.Errorf("threads must be at least 1, got %d", n)
	}
	c.par.resize(n)
	return nil
}

// gemmBuf is the packing space of the products of one model, allocated with the model so that
// models on several goroutines (sweep workers) each have their own and a product allocates
// nothing.
type gemmBuf struct {
	gemmCore[float64]
	skinny bool // products of layers with few outputs take the loops of kernel_skinny.go
}

// newGemmBufWith returns a packing space for kern, for one thread.
func newGemmBufWith(kern microKernel) *gemmBuf {
	buf := &gemmBuf{gemmCore: gemmCore[float64]{kern: kern}}
	buf.mc, buf.nc = cacheBlocking(8)
	return buf
}

// kernelGemm computes C = op(A)·op(B) + beta·C like gemm, with the packed micro-kernel, packing
// into buf, on buf's threads.
func kernelGemm(buf *gemmBuf, tA, tB blas.Transpose, m, n, k int, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	buf.gemm(&gemmArgs[float64]{tA == blas.Trans, tB == blas.Trans, m, n, k, a, lda, b, ldb, beta, c, ldc})
}

// minParallel is the smallest product (m·n·k) split between threads: ≈ 0.1 ms on one core,
// against a few µs to hand a part to another goroutine and wait for it.
const minParallel = 1 << 20

// gemmPar holds the packing spaces and jobs of the threads of a product beyond the caller's.
type gemmPar[T elem] struct {
	spaces []*gemmSpace[T]
	jobs   []gemmJob[T]
	wg     sync.WaitGroup
}

// gemmJob is one part of a product, run by a helper goroutine.
type gemmJob[T elem] struct {
	kern   *gemmKernel[T]
	mc, nc int
	space  *gemmSpace[T]
	args   gemmArgs[T]
	wg     *sync.WaitGroup
}

func (j *gemmJob[T]) run() {
	gemmSerial(j.kern, j.mc, j.nc, j.space, &j.args)
	j.args = gemmArgs[T]{} // drop the references to the operands
	j.wg.Done()
}

// resize keeps the spaces of n threads (the caller's is not among them) and makes sure that
// the helper goroutines can run them.
func (p *gemmPar[T]) resize(n int) {
	for len(p.spaces) < n-1 {
		p.spaces = append(p.spaces, new(gemmSpace[T]))
	}
	p.spaces = p.spaces[:n-1]
	p.jobs = make([]gemmJob[T], n-1)
	if n > 1 { // enough for the models of every core (sweep workers) to split at once
		startHelpers(max(n-1, runtime.GOMAXPROCS(0)))
	}
}

// run computes the product g with the caller's space s0 and the other spaces of p: C is cut
// into as many parts as there are spaces, along its longer side, in whole panels of the
// kernel; the caller computes the first part and waits for the others.
func (p *gemmPar[T]) run(kern *gemmKernel[T], mc, nc int, s0 *gemmSpace[T], g *gemmArgs[T]) {
	parts := len(p.spaces) + 1
	if parts == 1 || g.m*g.n*g.k < minParallel {
		gemmSerial(kern, mc, nc, s0, g)
		return
	}
	byCols := g.n >= g.m
	size, unit := g.m, kern.mr
	if byCols {
		size, unit = g.n, kern.nr
	}
	panels := (size + unit - 1) / unit
	parts = min(parts, panels)
	var first gemmArgs[T]
	for i := range parts {
		lo, hi := min(size, panels*i/parts*unit), min(size, panels*(i+1)/parts*unit)
		var part gemmArgs[T]
		if byCols {
			part = g.cols(lo, hi)
		} else {
			part = g.rows(lo, hi)
		}
		if i == 0 {
			first = part
			continue
		}
		j := &p.jobs[i-1]
		*j = gemmJob[T]{kern, mc, nc, p.spaces[i-1], part, &p.wg}
		p.wg.Add(1)
		helpers.tasks <- j
	}
	gemmSerial(kern, mc, nc, s0, &first)
	p.wg.Wait()
}

// helpers are the goroutines that run the parts of products beyond the callers' own, shared
// by all models: a part waits for a free helper, and no model leaves goroutines behind.
var helpers = struct {
	mu    sync.Mutex
	n     int
	tasks chan gemmTask
}{tasks: make(chan gemmTask, 64)}

type gemmTask interface{ run() }

// startHelpers makes sure that at least n helper goroutines run.
func startHelpers(n int) {
	helpers.mu.Lock()
	defer helpers.mu.Unlock()
	for ; helpers.n < n; helpers.n++ {
		go func(tasks <-chan gemmTask) {
			for t := range tasks {
				t.run()
			}
		}(helpers.tasks)
	}
}
