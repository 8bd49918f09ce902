package model

import (
	"fmt"
	"math/rand/v2"
	"sync"
)

// cnet is a `kind: net` model: a sequence of conv, maxpool, flatten, dense and dropout layers
// (SPEC §7) on the flat parameters, then the loss. A batch runs through the layers in slices
// of at most netRows samples; each op keeps its output for one slice.
type cnet struct {
	in, out  int
	head     network // the loss of the logits: only ce and out are set
	init     string  // auto | zeros | xavier | he | normal | truncated_normal
	initStd  float64
	maxBatch int
	rows     int // netRows, or maxBatch when smaller
	nparams  int
	ops      []netOp
	y        [][]float64 // y[i]: op i's output for rows samples (nil for an op that has none)
	arg      [][]int32   // maxpool: the index in the sample's input of each output's maximum
	mask     [][]float64 // dropout: 0 or 1/(1−p) per element of the slice
	wp, gwp  [][]float64 // conv: the weights and their gradient in (kh, kw, c) order
	d        [2][]float64
	col      []float64
	buf      *gemmBuf
	drop     *rand.Rand
	dropping bool     // a dropout layer with p > 0 exists
	jobs     []netJob // the runs of the per-sample loops beyond the caller's (net_par.go)
	wg       sync.WaitGroup
}

// Dropout is implemented by the models whose training loss draws random masks (a net with
// dropout layers). SetDropoutRNG sets the stream the masks of LossGrad come from, one mask
// element after the other, slice by slice and layer by layer; Eval never draws. The caller
// owns the stream's state (a checkpoint saves it). Until it is called the masks come from
// rand.NewPCG(0, 0).
type Dropout interface {
	HasDropout() bool
	SetDropoutRNG(rng *rand.Rand)
}

func newNet(s Spec, in, out int, ce bool, maxBatch int) (*cnet, error) {
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
	m := &cnet{in: in, out: out, head: network{out: out, ce: ce}, init: init, initStd: s.InitStd, maxBatch: maxBatch,
		rows: min(maxBatch, netRows), nparams: int(nparams), ops: ops, buf: newGemmBuf(),
		drop: rand.New(rand.NewPCG(0, 0))}
	rows := m.rows
	var widest, col int
	m.y, m.arg, m.mask = make([][]float64, len(ops)), make([][]int32, len(ops)), make([][]float64, len(ops))
	m.wp, m.gwp = make([][]float64, len(ops)), make([][]float64, len(ops))
	for i, op := range ops {
		n := int(op.out.size())
		widest = max(widest, n, int(op.in.size()))
		switch op.kind {
		case opConv:
			m.y[i] = make([]float64, rows*n)
			kk := int(op.in.c) * op.k * op.k
			col = max(col, kk*int(op.out.h*op.out.w*convChunk(op)))
			m.wp[i] = make([]float64, kk*int(op.out.c))
			m.gwp[i] = make([]float64, kk*int(op.out.c))
		case opPool:
			m.y[i] = make([]float64, rows*n)
			m.arg[i] = make([]int32, rows*n)
		case opDense:
			m.y[i] = make([]float64, rows*n)
		case opDropout:
			m.y[i] = make([]float64, rows*n)
			m.mask[i] = make([]float64, rows*n)
			m.dropping = m.dropping || op.p > 0
		case opFlatten:
			if op.permute {
				m.y[i] = make([]float64, rows*n)
			}
		}
	}
	m.d[0] = make([]float64, rows*widest)
	m.d[1] = make([]float64, rows*widest)
	m.col = make([]float64, col)
	return m, nil
}

func (m *cnet) NumParams() int    { return m.nparams }
func (m *cnet) Inputs() int       { return m.in }
func (m *cnet) Outputs() int      { return m.out }
func (m *cnet) Tensors() []Tensor { return netTensors(m.ops) }
func (m *cnet) HasDropout() bool  { return m.dropping }
func (m *cnet) SetDropoutRNG(r *rand.Rand) {
	m.drop = r
}

// SetThreads runs the matrix products of m on n goroutines (see Threaded): the loss and the
// gradient are bit-identical for every n.
func (m *cnet) SetThreads(n int) error {
	if n < 1 {
		return fmt.Errorf("threads must be at least 1, got %d", n)
	}
	if m.buf != nil {
		if err := m.buf.setThreads(n); err != nil {
			return err
		}
	}
	m.setNetThreads(n)
	return nil
}

func (m *cnet) Init(params []float64, rng *rand.Rand) {
	if len(params) != m.nparams {
		panic(fmt.Sprintf("model: Init with %d parameters, want %d", len(params), m.nparams))
	}
	initNet(m.ops, m.init, m.initStd, params, rng)
}

func (m *cnet) check(params, x, y []float64, n int) {
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
func (m *cnet) LossGrad(params, x, y []float64, n int, grad []float64) float64 {
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
				z[i] *= scale
			}
		}
		m.backward(params, xs, rows, grad, r0 > 0)
	}
	if grad != nil {
		m.unpermuteGrads(grad)
	}
	return sum / float64(n)
}

func (m *cnet) Eval(params, x, y []float64, n int) (lossSum float64, correct int) {
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
func (m *cnet) forward(params, x []float64, rows int, train bool) []float64 {
	a := x[:rows*m.in]
	for i := range m.ops {
		op := &m.ops[i]
		n := rows * int(op.out.size())
		switch op.kind {
		case opConv:
			m.convForward(op, m.wp[i], params[op.b:op.b+int(op.out.c)], a, m.y[i][:n], rows)
		case opPool:
			osz := int(op.out.size())
			m.perSample(netJob{kind: jobPool, op: op, a: a, b: m.y[i][:n], arg: m.arg[i][:n]}, rows, int(op.in.size()), osz, osz)
		case opDense:
			z := m.y[i][:n]
			w := params[op.w:op.b]
			blasForward(m.buf, rows, int(op.in.c), int(op.out.c), a, w, params[op.b:op.b+int(op.out.c)], z)
			if op.hasAct {
				activate(op.act, z)
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
func (m *cnet) backward(params, x []float64, rows int, grad []float64, acc bool) {
	last := len(m.ops) - 1
	dy := m.y[last][:rows*m.out] // d(loss)/d(output of op i)
	cur := 0
	for i := last; i >= 0; i-- {
		op := &m.ops[i]
		a, first := m.input(i, x, rows)
		da := m.d[cur][:rows*int(op.in.size())]
		switch op.kind {
		case opConv:
			activateBackward(op.act, m.y[i][:len(dy)], dy)
			m.convBackward(op, m.wp[i], m.gwp[i], grad[op.b:op.b+int(op.out.c)], a, m.y[i][:len(dy)], da, rows, acc, first)
		case opDense:
			z := m.y[i][:len(dy)]
			if op.hasAct {
				activateBackward(op.act, z, dy)
			} else if &z[0] != &dy[0] {
				copy(z, dy)
			}
			m.denseBackward(op, params, grad, a, z, da, rows, acc, first)
		case opPool:
			if !first {
				osz := int(op.out.size())
				m.perSample(netJob{kind: jobPoolBack, op: op, a: dy, b: da, arg: m.arg[i][:len(dy)]}, rows, osz, int(op.in.size()), osz)
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
func (m *cnet) input(i int, x []float64, rows int) ([]float64, bool) {
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
func (m *cnet) dropForward(op *netOp, a, y, mask []float64) {
	scale := 1 / (1 - op.p)
	for j := range y {
		v := scale
		if m.drop.Float64() < op.p {
			v = 0
		}
		mask[j] = v
		y[j] = a[j] * v
	}
}

func (m *cnet) denseBackward(op *netOp, params, grad, a, dz, da []float64, rows int, acc, first bool) {
	in, out := int(op.in.c), int(op.out.c)
	gw := grad[op.w:op.b]
	gb := grad[op.b : op.b+out]
	if !acc {
		blasGradW(m.buf, rows, in, out, dz, a, gw)
	} else {
		gemm(m.buf, blasTrans, blasNoTrans, out, in, rows, dz, out, a, in, 1, gw, in)
	}
	addColSums(rows, out, dz, gb, acc)
	if !first {
		blasGradX(m.buf, rows, in, out, dz, params[op.w:op.b], da)
	}
}

// addColSums sets gb (out) to the column sums of dz (rows×out), or adds them when acc is set.
func addColSums(rows, out int, dz, gb []float64, acc bool) {
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
