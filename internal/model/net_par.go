package model

import "sync"

// The per-sample loops of a net (unfolding a conv's input, folding its gradient back, the
// maxpools) run on the model's threads too, beside its matrix products: a slice of samples is
// cut into as many runs of whole samples as there are threads, each run by the helper
// goroutines of the products (startHelpers), the caller taking the first. Every element is
// computed by the same operations whatever the cut, so the results do not depend on the number
// of threads. On 2c2d these loops are ≈ 25% of a step on one thread.

type netJobKind int

const (
	jobIm2col netJobKind = iota
	jobCol2im
	jobPool
	jobPoolBack
)

// netJob is one run of samples of a per-sample loop.
type netJob[T Float] struct {
	kind netJobKind
	op   *netOp
	a, b []T
	arg  []int32
	n    int // samples
	wg   *sync.WaitGroup
}

func (j *netJob[T]) run() {
	j.do()
	j.wg.Done()
}

func (j *netJob[T]) do() {
	switch j.kind {
	case jobIm2col:
		im2col(j.op, j.a, j.n, j.b)
	case jobCol2im:
		col2im(j.op, j.a, j.n, j.b)
	case jobPool:
		poolForward(j.op, j.a, j.b, j.arg, j.n)
	case jobPoolBack:
		poolBackward(j.a, j.arg, j.b, j.n, int(j.op.in.size()))
	}
}

// minParallelValues is the fewest values a loop writes before it is split between threads:
// below it handing runs to other goroutines costs more than it saves.
const minParallelValues = 1 << 15

// perSample runs job on ns samples, cut between m's threads: a, b and arg hold aPer, bPer and
// argPer values per sample.
func (m *cnetOf[T]) perSample(job netJob[T], ns, aPer, bPer, argPer int) {
	parts := min(len(m.jobs)+1, ns)
	if parts <= 1 || ns*bPer < minParallelValues {
		job.n = ns
		job.do()
		return
	}
	var first netJob[T]
	for i := range parts {
		lo, hi := ns*i/parts, ns*(i+1)/parts
		part := job
		part.n = hi - lo
		part.a = job.a[lo*aPer : hi*aPer]
		part.b = job.b[lo*bPer : hi*bPer]
		if job.arg != nil {
			part.arg = job.arg[lo*argPer : hi*argPer]
		}
		if i == 0 {
			first = part
			continue
		}
		part.wg = &m.wg
		m.jobs[i-1] = part
		m.wg.Add(1)
		helpers.tasks <- &m.jobs[i-1]
	}
	first.do()
	m.wg.Wait()
	for i := range m.jobs {
		m.jobs[i] = netJob[T]{} // drop the references to the buffers
	}
}

// setNetThreads keeps the jobs of n threads.
func (m *cnetOf[T]) setNetThreads(n int) {
	m.jobs = make([]netJob[T], n-1)
	if n > 1 {
		startHelpers(n - 1)
	}
}
