package model

import (
	"fmt"
	"math/rand/v2"
	"sync"
)

// cnet is a `kind: net` model: a sequence of conv, maxpool, flatten, dense and dropout layers
// (SPEC §7) on the flat parameters, then the loss. A batch runs through the layers in slices
// of at most netRows samples; each op keeps its output for one slice.
type cnetOf[T Float] struct {
	in, out  int
	head     networkOf[T] // the loss of the logits: only ce and out are set
	init     string       // auto | zeros | xavier | he | normal | truncated_normal
	initStd  float64
	initBias float64 // every bias's starting value (not with auto)
	maxBatch int
	rows     int // netRows, or maxBatch when smaller
	nparams  int
	ops      []netOp
	y        [][]T     // y[i]: op i's output for rows samples (nil for an op that has none)
	arg      [][]int32 // maxpool: the index in the sample's input of each output's maximum
	mask     [][]T     // dropout: 0 or 1/(1−p) per element of the slice
	wp, gwp  [][]T     // conv: the weights and their gradient in (kh, kw, c) order
	d        [2][]T
	col      []T
	buf      *gemmBuf  // float64: the kernel's packing space (nil without it)
	sbuf     *sgemmBuf // float32: the float32 kernel's
	drop     *rand.Rand
	dropping bool        // a dropout layer with p > 0 exists
	jobs     []netJob[T] // the runs of the per-sample loops beyond the caller's (net_par.go)
	wg       sync.WaitGroup
}

// cnet is the float64 net.
type cnet = cnetOf[float64]

// Dropout is implemented by the models whose training loss draws random masks (a net with
// dropout layers). SetDropoutRNG sets the stream the masks of LossGrad come from, one mask
// element after the other, slice by slice and layer by layer; Eval never draws. The caller
// owns the stream's state (a checkpoint saves it). Until it is called the masks come from
// rand.NewPCG(0, 0).
type Dropout interface {
	HasDropout() bool
	SetDropoutRNG(rng *rand.Rand)
}

func newNet[T Float](s Spec, in, out int, ce bool, maxBatch int) (*cnetOf[T], error) {
	ops, nparams, err := planNet(s, int64(in), int64(out))
	if err != nil {
		return nil, err
	}
	for _, op := range ops {
		if op.out.size() > netMaxValues || op.in.size() > netMaxValues || nparams > netMaxValues {
			return nil, specErrorf(fmt.Sprintf("layers[%d]", max(op.index, 0)), "too large: a sample's tensor or the parameters exceed %d values", netMaxValues)
		}
	}
	init := s.Init
	if init == "" {
		init = "auto"
	}
	m := &cnetOf[T]{in: in, out: out, head: networkOf[T]{out: out, ce: ce}, init: init, initStd: s.InitStd, initBias: s.InitBias, maxBatch: maxBatch,
		rows: min(maxBatch, netRows), nparams: int(nparams), ops: ops, drop: rand.New(rand.NewPCG(0, 0))}
	m.buf, m.sbuf = kernelsOf[T]()
	rows := m.rows
	var widest, col int
	m.y, m.arg, m.mask = make([][]T, len(ops)), make([][]int32, len(ops)), make([][]T, len(ops))
	m.wp, m.gwp = make([][]T, len(ops)), make([][]T, len(ops))
	for i, op := range ops {
		n := int(op.out.size())
		widest = max(widest, n, int(op.in.size()))
		switch op.kind {
		case opConv:
			m.y[i] = make([]T, rows*n)
			kk := int(op.in.c) * op.k * op.k
			col = max(col, kk*int(op.out.h*op.out.w*convChunk(op)))
			m.wp[i] = make([]T, kk*int(op.out.c))
			m.gwp[i] = make([]T, kk*int(op.out.c))
		case opPool:
			m.y[i] = make([]T, rows*n)
			m.arg[i] = make([]int32, rows*n)
		case opDense:
			m.y[i] = make([]T, rows*n)
		case opDropout:
			m.y[i] = make([]T, rows*n)
			m.mask[i] = make([]T, rows*n)
			m.dropping = m.dropping || op.p > 0
		case opFlatten:
			if op.permute {
				m.y[i] = make([]T, rows*n)
			}
		}
	}
	m.d[0] = make([]T, rows*widest)
	m.d[1] = make([]T, rows*widest)
	m.col = make([]T, col)
	return m, nil
}

func (m *cnetOf[T]) NumParams() int    { return m.nparams }
func (m *cnetOf[T]) Inputs() int       { return m.in }
func (m *cnetOf[T]) Outputs() int      { return m.out }
func (m *cnetOf[T]) Tensors() []Tensor { return netTensors(m.ops) }
func (m *cnetOf[T]) HasDropout() bool  { return m.dropping }
func (m *cnetOf[T]) SetDropoutRNG(r *rand.Rand) {
	m.drop = r
}

// SetThreads runs the matrix products of m on n goroutines (see Threaded): the loss and the
// gradient are bit-identical for every n.
func (m *cnetOf[T]) SetThreads(n int) error {
	if n < 1 {
		return fmt.Errorf("threads must be at least 1, got %d", n)
	}
	if m.buf != nil {
		if err := m.buf.setThreads(n); err != nil {
			return err
		}
	}
	if m.sbuf != nil {
		if err := m.sbuf.setThreads(n); err != nil {
			return err
		}
	}
	m.setNetThreads(n)
	return nil
}

// Init draws the parameters in float64 (initNet); a float32 net rounds them.
func (m *cnetOf[T]) Init(params []T, rng *rand.Rand) {
	if len(params) != m.nparams {
		panic(fmt.Sprintf("model: Init with %d parameters, want %d", len(params), m.nparams))
	}
	if p64, ok := any(params).([]float64); ok {
		initNet(m.ops, m.init, m.initStd, m.initBias, p64, rng)
		return
	}
	p64 := make([]float64, len(params))
	initNet(m.ops, m.init, m.initStd, m.initBias, p64, rng)
	for i, v := range p64 {
		params[i] = T(v)
	}
}

func (m *cnetOf[T]) check(params, x, y []T, n int) {
	switch {
	case len(params) != m.nparams:
		panic(fmt.Sprintf("model: %d parameters, want %d", len(params), m.nparams))
	case n < 0 || n > m.maxBatch:
		panic(fmt.Sprintf("model: batch of %d rows, want 0..%d", n, m.maxBatch))
	case len(x) < n*m.in:
		panic(fmt.Sprintf("model: x has %d values, want %d rows × %d", len(x), n, m.in))
	case len(y) < n:
		panic(fmt.Sprintf("model: y has %d values, want %d", len(y), n))
	}
}

// LossGrad is the mean training loss, dropout applied: slice by slice of netRows rows, the
// gradients of the slices summed.
func (m *cnetOf[T]) LossGrad(params, x, y []T, n int, grad []T) float64 {
	m.check(params, x, y, n)
	if grad != nil && len(grad) != m.nparams {
		panic(fmt.Sprintf("model: gradient has %d values, want %d", len(grad), m.nparams))
	}
	if n == 0 {
		clear(grad)
		return 0
	}
	m.permuteWeights(params) // every gradient value is written: no clear(grad)
	var sum float64
	for r0 := 0; r0 < n; r0 += m.rows {
		rows := min(m.rows, n-r0)
		xs, ys := x[r0*m.in:(r0+rows)*m.in], y[r0:r0+rows]
		z := m.forward(params, xs, rows, true)
		if grad == nil {
			s, _ := m.head.lossSum(z, ys, rows)
			sum += s
			continue
		}
		sum += m.head.lossDelta(z, ys, rows)
		if rows != n { // lossDelta took the mean over the slice
			scale := float64(rows) / float64(n)
			for i := range z {
				z[i] = T(float64(z[i]) * scale)
			}
		}
		m.backward(params, xs, rows, grad, r0 > 0)
	}
	if grad != nil {
		m.unpermuteGrads(grad)
	}
	return sum / float64(n)
}

func (m *cnetOf[T]) Eval(params, x, y []T, n int) (lossSum float64, correct int) {
	m.check(params, x, y, n)
	m.permuteWeights(params)
	for r0 := 0; r0 < n; r0 += m.rows {
		rows := min(m.rows, n-r0)
		z := m.forward(params, x[r0*m.in:(r0+rows)*m.in], rows, false)
		s, c := m.head.lossSum(z, y[r0:r0+rows], rows)
		lossSum += s
		correct += c
	}
	return lossSum, correct
}

// forward runs rows samples of x through the ops and returns the logits (rows×out). Dropout
// draws its masks when train is set and passes its input through otherwise.
func (m *cnetOf[T]) forward(params, x []T, rows int, train bool) []T {
	a := x[:rows*m.in]
	for i := range m.ops {
		op := &m.ops[i]
		n := rows * int(op.out.size())
		switch op.kind {
		case opConv:
			m.convForward(op, m.wp[i], params[op.b:op.b+int(op.out.c)], a, m.y[i][:n], rows)
		case opPool:
			osz := int(op.out.size())
			m.perSample(netJob[T]{kind: jobPool, op: op, a: a, b: m.y[i][:n], arg: m.arg[i][:n]}, rows, int(op.in.size()), osz, osz)
		case opDense:
			z := m.y[i][:n]
			w := params[op.w:op.b]
			denseForward(m.buf, m.sbuf, rows, int(op.in.c), int(op.out.c), a, w, params[op.b:op.b+int(op.out.c)], z)
			if op.hasAct {
				per := int(op.out.size())
				m.perSample(netJob[T]{kind: jobAct, act: op.act, a: z, b: z}, rows, per, per, 0)
			}
		case opFlatten:
			if !op.permute {
				continue
			}
			hwcToCHW(op.in, a, m.y[i][:n], rows)
		case opDropout:
			if !train || op.p == 0 {
				continue
			}
			m.dropForward(op, a, m.y[i][:n], m.mask[i][:n])
		}
		a = m.y[i][:n]
	}
	return a
}

// backward turns the logits' deltas (in the last op's output) into the gradient, adding to
// grad when acc is set (a later slice of the batch) and overwriting it otherwise. Each op's
// output is overwritten by d(loss)/d(pre-activation).
func (m *cnetOf[T]) backward(params, x []T, rows int, grad []T, acc bool) {
	last := len(m.ops) - 1
	dy := m.y[last][:rows*m.out] // d(loss)/d(output of op i)
	cur := 0
	for i := last; i >= 0; i-- {
		op := &m.ops[i]
		a, first := m.input(i, x, rows)
		da := m.d[cur][:rows*int(op.in.size())]
		switch op.kind {
		case opConv:
			m.activateBackward(op, m.y[i][:len(dy)], dy, rows)
			m.convBackward(op, m.wp[i], m.gwp[i], grad[op.b:op.b+int(op.out.c)], a, m.y[i][:len(dy)], da, rows, acc, first)
		case opDense:
			z := m.y[i][:len(dy)]
			if op.hasAct {
				m.activateBackward(op, z, dy, rows)
			} else if &z[0] != &dy[0] {
				copy(z, dy)
			}
			m.denseBackward(op, params, grad, a, z, da, rows, acc, first)
		case opPool:
			if !first {
				osz := int(op.out.size())
				m.perSample(netJob[T]{kind: jobPoolBack, op: op, a: dy, b: da, arg: m.arg[i][:len(dy)]}, rows, osz, int(op.in.size()), osz)
			}
		case opFlatten:
			if !op.permute {
				continue
			}
			chwToHWC(op.in, dy, da, rows)
		case opDropout:
			if op.p == 0 || first {
				continue
			}
			for j, v := range m.mask[i][:len(dy)] {
				da[j] = dy[j] * v
			}
		}
		if first {
			return
		}
		dy, cur = da, 1-cur
	}
}

// input returns op i's input for rows samples (the output of the op before it that has one,
// or x) and whether it is x (no gradient to pass on).
func (m *cnetOf[T]) input(i int, x []T, rows int) ([]T, bool) {
	for j := i - 1; j >= 0; j-- {
		op := m.ops[j]
		if m.y[j] == nil || (op.kind == opDropout && op.p == 0) {
			continue
		}
		return m.y[j][:rows*int(op.out.size())], false
	}
	return x[:rows*m.in], true
}

// dropForward writes y = a·mask with a fresh mask: each element is zeroed with probability p
// and scaled by 1/(1−p) otherwise (PyTorch's inverted dropout), drawn in order from m.drop.
func (m *cnetOf[T]) dropForward(op *netOp, a, y, mask []T) {
	scale := T(1 / (1 - op.p))
	for j := range y {
		v := scale
		if m.drop.Float64() < op.p {
			v = 0
		}
		mask[j] = v
		y[j] = a[j] * v
	}
}

func (m *cnetOf[T]) denseBackward(op *netOp, params, grad, a, dz, da []T, rows int, acc, first bool) {
	in, out := int(op.in.c), int(op.out.c)
	gw := grad[op.w:op.b]
	gb := grad[op.b : op.b+out]
	if !acc {
		denseGradW(m.buf, m.sbuf, rows, in, out, dz, a, gw)
	} else {
		gemmOf(m.buf, m.sbuf, blasTrans, blasNoTrans, out, in, rows, dz, out, a, in, 1, gw, in)
	}
	addColSums(rows, out, dz, gb, acc)
	if !first {
		denseGradX(m.buf, m.sbuf, rows, in, out, dz, params[op.w:op.b], da)
	}
}

// addColSums sets gb (out) to the column sums of dz (rows×out), or adds them when acc is set.
func addColSums[T Float](rows, out int, dz, gb []T, acc bool) {
	gb = gb[:out]
	if !acc {
		clear(gb)
	}
	for i := range rows {
		for j, v := range dz[i*out : i*out+out] {
			gb[j] += v
		}
	}
}
