package model

import "sync"

// The per-sample loops of a net (unfolding a conv's input, folding its gradient back, the
// maxpools) run on the model's threads too, beside its matrix products: a slice of samples is
// cut into as many runs of whole samples as there are threads, each run by the helper
// goroutines of the products (startHelpers), the caller taking the first. Every element is
// computed by the same operations whatever the cut, so the results do not depend on the number
// of threads. On 2c2d these loops are ≈ 25% of a step on one thread. The activations of the
// dense layers and their derivatives (of an MLP too: splitRuns) are cut so, by runs of rows.

type netJobKind int

const (
	jobIm2col netJobKind = iota
	jobCol2im
	jobPool
	jobPoolBack
	jobAct     // a = act(a), by runs of rows of a dense layer's or a conv's output
	jobActBack // a = act'(a)·b (activateBackward)
)

// netJob is one run of samples of a per-sample loop.
type netJob[T Float] struct {
	kind netJobKind
	op   *netOp
	act  activation // jobAct, jobActBack
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
	case jobAct:
		activateOf(j.act, j.a)
	case jobActBack:
		activateBackwardOf(j.act, j.a, j.b)
	}
}

// minParallelValues is the fewest values a loop writes before it is split between threads:
// below it handing runs to other goroutines costs more than it saves.
const minParallelValues = 1 << 15

// perSample runs job on ns samples, cut between m's threads: a, b and arg hold aPer, bPer and
// argPer values per sample.
func (m *cnetOf[T]) perSample(job netJob[T], ns, aPer, bPer, argPer int) {
	splitRuns(m.jobs, &m.wg, job, ns, aPer, bPer, argPer)
}

// splitRuns is perSample with the jobs and the wait group of the model that runs it (a net or
// an MLP, whose runs are of rows).
func splitRuns[T Float](jobs []netJob[T], wg *sync.WaitGroup, job netJob[T], ns, aPer, bPer, argPer int) {
	parts := min(len(jobs)+1, ns)
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
		part.wg = wg
		jobs[i-1] = part
		wg.Add(1)
		helpers.tasks <- &jobs[i-1]
	}
	first.do()
	wg.Wait()
	for i := range jobs {
		jobs[i] = netJob[T]{} // drop the references to the buffers
	}
}

// activateBackward is activateBackwardOf(op.act, a, da) on m's threads, by runs of samples.
func (m *cnetOf[T]) activateBackward(op *netOp, a, da []T, rows int) {
	if rows == 0 {
		return
	}
	per := len(da) / rows
	m.perSample(netJob[T]{kind: jobActBack, act: op.act, a: a, b: da}, rows, per, per, 0)
}

// setNetThreads keeps the jobs of n threads.
func (m *cnetOf[T]) setNetThreads(n int) {
	m.jobs = make([]netJob[T], n-1)
	if n > 1 {
		startHelpers(n - 1)
	}
}
