package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
)

// layer is one affine map z = W·a + b of a network; W and b are views into the parameters.
type layer struct {
	in, out int
	w, b    int  // offsets of W (out×in, row-major) and b (out) in the parameter vector
	small   bool // use the plain loops instead of BLAS (see smallLayer)
}

// networkOf is a linear model (one layer) or an MLP in precision T: hidden layers with an
// activation, then a linear output layer, then the loss. The layers' arithmetic is T's (ops:
// the float64 loops and kernels of gemm.go, or the float32 ones of network32.go); losses are
// summed in float64.
type networkOf[T Float] struct {
	in, out  int
	ce       bool // softmax cross-entropy; otherwise mse with one output
	act      activation
	init     string  // zeros | xavier | he | normal | truncated_normal (auto resolved in New)
	initStd  float64 // normal, truncated_normal: the weights' std (0: 0.01)
	initBias float64 // every bias's starting value
	maxBatch int
	nparams  int
	layers   []layer

	// h[l] holds layer l's output for up to maxBatch rows (n×out_l): the activations of a
	// hidden layer or the logits of the last one. The backward pass overwrites it with
	// d(loss)/d(pre-activation) of that layer.
	h [][]T
	// tmp holds d(loss)/d(activation) of a hidden layer (n × widest hidden layer).
	tmp []T
	// scratch holds Wᵀ or its gradient for the AVX2 loops of a small layer (smallLayer values).
	scratch []T
	// buf is the packing space of the float64 matrix-product kernel; nil without the kernel or
	// when every layer is small. sbuf is the float32 one (the float32 products always take the
	// packed kernel, in plain Go where the CPU has no AVX2).
	buf  *gemmBuf
	sbuf *sgemmBuf
	ops  *layerOps[T]
	// jobs and wg cut the activations between the products' threads (splitRuns).
	jobs []netJob[T]
	wg   sync.WaitGroup
}

// network is the float64 network.
type network = networkOf[float64]

// SetThreads runs the matrix products of m on n goroutines (see Threaded), and its
// activations where the products run so: the gradient is bit-identical for every n.
func (m *networkOf[T]) SetThreads(n int) error {
	if err := m.setKernelThreads(n); err != nil {
		return err
	}
	m.jobs = make([]netJob[T], m.Threads()-1)
	return nil
}

func (m *networkOf[T]) setKernelThreads(n int) error {
	if m.sbuf != nil {
		return m.sbuf.setThreads(n)
	}
	if m.buf == nil {
		if n < 1 {
			return fmt.Errorf("threads must be at least 1, got %d", n)
		}
		return nil
	}
	return m.buf.setThreads(n)
}

// Threads is the number of threads m's products run on (1 without the kernel).
func (m *networkOf[T]) Threads() int {
	if m.sbuf != nil {
		return len(m.sbuf.par.spaces) + 1
	}
	if m.buf == nil {
		return 1
	}
	return len(m.buf.par.spaces) + 1
}

func (m *networkOf[T]) NumParams() int { return m.nparams }
func (m *networkOf[T]) Inputs() int    { return m.in }

func (m *networkOf[T]) Tensors() []Tensor {
	var ts []Tensor
	for l, ly := range m.layers {
		name := fmt.Sprintf("layers.%d.", l)
		ts = append(ts, Tensor{Name: name + "weight", Offset: ly.w, Rows: ly.out, Cols: ly.in, Weight: true},
			Tensor{Name: name + "bias", Offset: ly.b, Rows: ly.out, Cols: 1})
	}
	return ts
}
func (m *networkOf[T]) Outputs() int { return m.out }

func (m *networkOf[T]) Init(params []T, rng *rand.Rand) {
	if len(params) != m.nparams {
		panic(fmt.Sprintf("model: Init with %d parameters, want %d", len(params), m.nparams))
	}
	clear(params)
	for _, ly := range m.layers {
		w := params[ly.w : ly.w+ly.out*ly.in]
		switch m.init {
		case "xavier":
			a := math.Sqrt(6 / float64(ly.in+ly.out))
			for i := range w {
				w[i] = T(a * (2*rng.Float64() - 1))
			}
		case "he":
			s := math.Sqrt(2 / float64(ly.in))
			for i := range w {
				w[i] = T(s * rng.NormFloat64())
			}
		case "normal":
			for i := range w {
				w[i] = T(m.std() * rng.NormFloat64())
			}
		case "truncated_normal": // TensorFlow's truncated_normal: redrawn outside ±2σ
			for i := range w {
				z := rng.NormFloat64()
				for math.Abs(z) > 2 {
					z = rng.NormFloat64()
				}
				w[i] = T(m.std() * z)
			}
		}
		fill(params[ly.b:ly.b+ly.out], T(m.initBias))
	}
}

// fill sets every element of s to v.
func fill[T Float](s []T, v T) {
	for i := range s {
		s[i] = v
	}
}

// std is the std of the normal and truncated_normal initializations.
func (m *networkOf[T]) std() float64 {
	if m.initStd == 0 {
		return 0.01
	}
	return m.initStd
}

func (m *networkOf[T]) check(params, x, y []T, n int) {
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

func (m *networkOf[T]) LossGrad(params, x, y []T, n int, grad []T) float64 {
	m.check(params, x, y, n)
	if grad != nil && len(grad) != m.nparams {
		panic(fmt.Sprintf("model: gradient has %d values, want %d", len(grad), m.nparams))
	}
	if n == 0 {
		clear(grad)
		return 0
	}
	z := m.forward(params, x, n)
	y = y[:n]
	if grad == nil {
		sum, _ := m.lossSum(z, y, n)
		return sum / float64(n)
	}
	sum := m.lossDelta(z, y, n)
	m.backward(params, x, n, grad)
	return sum / float64(n)
}

func (m *networkOf[T]) Eval(params, x, y []T, n int) (lossSum float64, correct int) {
	m.check(params, x, y, n)
	if n == 0 {
		return 0, 0
	}
	return m.lossSum(m.forward(params, x, n), y[:n], n)
}

// EvalSum is Eval with the row losses added onto sum, so that an evaluation in blocks of rows
// sums exactly as one Eval over them: train evaluates a chunk of rows stored as bytes in blocks
// that stay in the cache while they are converted and run through the layers.
func (m *networkOf[T]) EvalSum(params, x, y []T, n int, sum float64) (float64, int) {
	m.check(params, x, y, n)
	if n == 0 {
		return sum, 0
	}
	return m.lossSumFrom(m.forward(params, x, n), y[:n], n, sum)
}

// forward runs the n rows of x through the layers and returns the logits (n×out).
func (m *networkOf[T]) forward(params, x []T, n int) []T {
	a := x[:n*m.in]
	last := len(m.layers) - 1
	for l, ly := range m.layers {
		z := m.h[l][:n*ly.out]
		w := params[ly.w : ly.w+ly.out*ly.in]
		b := params[ly.b : ly.b+ly.out]
		m.ops.forward(m, ly, n, a, w, b, z, l < last)
		a = z
	}
	return a
}

// backward computes the gradient from the logits' deltas, which lossDelta left in h[last].
func (m *networkOf[T]) backward(params, x []T, n int, grad []T) {
	for l := len(m.layers) - 1; l >= 0; l-- {
		ly := m.layers[l]
		dz := m.h[l][:n*ly.out]
		var a []T
		if l == 0 {
			a = x[:n*ly.in]
		} else {
			a = m.h[l-1][:n*ly.in]
		}
		gw := grad[ly.w : ly.w+ly.out*ly.in]
		gb := grad[ly.b : ly.b+ly.out]
		m.ops.gradWB(m, ly, n, dz, a, gw, gb)
		if l == 0 {
			break
		}
		w := params[ly.w : ly.w+ly.out*ly.in]
		m.ops.gradX(m, ly, n, dz, w, m.tmp[:n*ly.in], a)
	}
}

// layerOps are the arithmetic of a layer in precision T.
type layerOps[T Float] struct {
	// forward sets z (n×out) = a·wᵀ + b, activated when hidden.
	forward func(m *networkOf[T], ly layer, n int, a, w, b, z []T, hidden bool)
	// gradWB sets gw = dzᵀ·a and gb to the column sums of dz.
	gradWB func(m *networkOf[T], ly layer, n int, dz, a, gw, gb []T)
	// gradX overwrites a, the activations of the layer below, with d(loss)/d(its
	// pre-activation), from dz and w; da is scratch (n×in).
	gradX func(m *networkOf[T], ly layer, n int, dz, w, da, a []T)
}

// opsOf returns the layer arithmetic of T.
func opsOf[T Float]() *layerOps[T] {
	var ops any
	switch any(T(0)).(type) {
	case float64:
		ops = &ops64
	case float32:
		ops = &ops32
	}
	return ops.(*layerOps[T])
}

// ops64 are the float64 layers: the AVX2 loops of small layers, the packed kernel otherwise.
var ops64 = layerOps[float64]{forward: forward64, gradWB: gradWB64, gradX: gradX64}

func forward64(m *network, ly layer, n int, a, w, b, z []float64, hidden bool) {
	if ly.small {
		fused := hidden && m.act == actReLU
		loopForward(n, ly.in, ly.out, a, w, b, z, fused, m.scratch)
		hidden = hidden && !fused
	} else {
		blasForward(m.buf, n, ly.in, ly.out, a, w, b, z)
	}
	if hidden {
		m.activate(z, n)
	}
}

func gradWB64(m *network, ly layer, n int, dz, a, gw, gb []float64) {
	if ly.small {
		loopGradWB(n, ly.in, ly.out, dz, a, gw, gb, m.scratch)
		return
	}
	blasGradW(m.buf, n, ly.in, ly.out, dz, a, gw)
	colSums(n, ly.out, dz, gb)
}

func gradX64(m *network, ly layer, n int, dz, w, da, a []float64) {
	switch {
	case ly.small && m.act == actReLU:
		loopGradX(n, ly.in, ly.out, dz, w, da, a)
	case ly.small:
		loopGradX(n, ly.in, ly.out, dz, w, da, nil)
		m.activateBackward(a, da, n)
	default:
		blasGradX(m.buf, n, ly.in, ly.out, dz, w, da)
		m.activateBackward(a, da, n)
	}
}

// lossSum returns the summed loss of the logits z (n×out) and the number of rows classified
// correctly (cross_entropy only). It leaves z unchanged.
func (m *networkOf[T]) lossSum(z, y []T, n int) (sum float64, correct int) {
	return m.lossSumFrom(z, y, n, 0)
}

// lossSumFrom is lossSum with the losses added one row after the other to sum: consecutive
// blocks of rows, each started from the sum of the ones before, give the sum of one call over
// them all, bit for bit.
//
// In float32 the logits are float32 and each row's loss is formed in float64 from them.
func (m *networkOf[T]) lossSumFrom(z, y []T, n int, sum float64) (float64, int) {
	correct := 0
	if !m.ce {
		for i, zi := range z[:n] {
			d := float64(zi) - float64(y[i])
			sum += d * d
		}
		return sum, 0
	}
	c := m.out
	for i := range n {
		row := z[i*c : i*c+c]
		label := classOf(float64(y[i]), c)
		mx, arg := row[0], 0
		for j, v := range row {
			if v > mx {
				mx, arg = v, j
			}
		}
		var s float64
		for _, v := range row {
			s += math.Exp(float64(v - mx))
		}
		sum += float64(mx) + math.Log(s) - float64(row[label])
		if arg == label {
			correct++
		}
	}
	return sum, correct
}

// lossDelta returns the summed loss of the logits z (n×out) and overwrites z with the
// derivative of the mean loss with respect to the logits.
// In float32 the derivative is formed in float64 and rounded once.
func (m *networkOf[T]) lossDelta(z, y []T, n int) (sum float64) {
	inv := 1 / float64(n)
	if !m.ce {
		z = z[:n]
		for i, zi := range z {
			d := float64(zi) - float64(y[i])
			sum += d * d
			z[i] = T(2 * d * inv)
		}
		return sum
	}
	c := m.out
	for i := range n {
		row := z[i*c : i*c+c]
		label := classOf(float64(y[i]), c)
		mx := row[0]
		for _, v := range row {
			mx = max(mx, v)
		}
		zy := row[label]
		var s float64
		for j, v := range row {
			e := math.Exp(float64(v - mx))
			row[j] = T(e)
			s += e
		}
		sum += float64(mx) + math.Log(s) - float64(zy)
		scale := inv / s
		for j := range row {
			row[j] = T(float64(row[j]) * scale)
		}
		row[label] -= T(inv)
	}
	return sum
}

// classOf returns the class index stored in v, panicking when it is not one of 0..c−1 (the
// data package validates labels, so a bad one here is a programming error).
func classOf(v float64, c int) int {
	k := int(v)
	if float64(k) != v || k < 0 || k >= c {
		panic(fmt.Sprintf("model: label %v is not a class index in 0..%d", v, c-1))
	}
	return k
}

// activate applies the activation to z in place.
func activate(act activation, z []float64) {
	switch act {
	case actReLU:
		reluSlice64(z)
	case actTanh: // within 2 ulps of math.Tanh, 8–10× faster (act.go)
		tanhSlice(z)
	case actSigmoid:
		sigmoidSlice(z)
	}
}

// activateBackward turns da = d(loss)/d(activation) into d(loss)/d(pre-activation), written
// over a, the activations themselves (the derivative is a function of the activation:
// relu' = [a > 0], with relu'(0) = 0 as in PyTorch; tanh' = 1 − a²; sigmoid' = a(1 − a)).
func activateBackward(act activation, a, da []float64) {
	a = a[:len(da)]
	switch act {
	case actReLU:
		reluBackSlice64(a, da)
	case actTanh:
		for i, v := range a {
			a[i] = da[i] * (1 - v*v)
		}
	case actSigmoid:
		for i, v := range a {
			a[i] = da[i] * v * (1 - v)
		}
	}
}

// colSums overwrites gb (out) with the column sums of dz (n×out).
func colSums[T Float](n, out int, dz, gb []T) { addColSums(n, out, dz, gb, false) }
