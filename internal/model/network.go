package model

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// layer is one affine map z = W·a + b of a network; W and b are views into the parameters.
type layer struct {
	in, out int
	w, b    int  // offsets of W (out×in, row-major) and b (out) in the parameter vector
	small   bool // use the plain loops instead of BLAS (see smallLayer)
}

// network is a linear model (one layer) or an MLP: hidden layers with an activation, then a
// linear output layer, then the loss.
type network struct {
	in, out  int
	ce       bool // softmax cross-entropy; otherwise mse with one output
	act      activation
	init     string  // zeros | xavier | he | normal | truncated_normal (auto resolved in New)
	initStd  float64 // normal, truncated_normal: the weights' std (0: 0.01)
	maxBatch int
	nparams  int
	layers   []layer

	// h[l] holds layer l's output for up to maxBatch rows (n×out_l): the activations of a
	// hidden layer or the logits of the last one. The backward pass overwrites it with
	// d(loss)/d(pre-activation) of that layer.
	h [][]float64
	// tmp holds d(loss)/d(activation) of a hidden layer (n × widest hidden layer).
	tmp []float64
	// scratch holds Wᵀ or its gradient for the AVX2 loops of a small layer (smallLayer values).
	scratch []float64
	// buf is the packing space of the matrix-product kernel; nil without the kernel or when
	// every layer is small.
	buf *gemmBuf
}

// SetThreads runs the matrix products of m on n goroutines (see Threaded): the gradient is
// bit-identical for every n.
func (m *network) SetThreads(n int) error {
	if m.buf == nil {
		if n < 1 {
			return fmt.Errorf("threads must be at least 1, got %d", n)
		}
		return nil
	}
	return m.buf.setThreads(n)
}

// Threads is the number of threads m's products run on (1 without the kernel).
func (m *network) Threads() int {
	if m.buf == nil {
		return 1
	}
	return len(m.buf.par.spaces) + 1
}

func (m *network) NumParams() int { return m.nparams }
func (m *network) Inputs() int    { return m.in }

func (m *network) Tensors() []Tensor {
	var ts []Tensor
	for l, ly := range m.layers {
		name := fmt.Sprintf("layers.%d.", l)
		ts = append(ts, Tensor{Name: name + "weight", Offset: ly.w, Rows: ly.out, Cols: ly.in, Weight: true},
			Tensor{Name: name + "bias", Offset: ly.b, Rows: ly.out, Cols: 1})
	}
	return ts
}
func (m *network) Outputs() int { return m.out }

func (m *network) Init(params []float64, rng *rand.Rand) {
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
				w[i] = a * (2*rng.Float64() - 1)
			}
		case "he":
			s := math.Sqrt(2 / float64(ly.in))
			for i := range w {
				w[i] = s * rng.NormFloat64()
			}
		case "normal":
			for i := range w {
				w[i] = m.std() * rng.NormFloat64()
			}
		case "truncated_normal": // TensorFlow's truncated_normal: redrawn outside ±2σ
			for i := range w {
				z := rng.NormFloat64()
				for math.Abs(z) > 2 {
					z = rng.NormFloat64()
				}
				w[i] = m.std() * z
			}
		}
	}
}

// std is the std of the normal and truncated_normal initializations.
func (m *network) std() float64 {
	if m.initStd == 0 {
		return 0.01
	}
	return m.initStd
}

func (m *network) check(params, x, y []float64, n int) {
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

func (m *network) LossGrad(params, x, y []float64, n int, grad []float64) float64 {
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

func (m *network) Eval(params, x, y []float64, n int) (lossSum float64, correct int) {
	m.check(params, x, y, n)
	if n == 0 {
		return 0, 0
	}
	return m.lossSum(m.forward(params, x, n), y[:n], n)
}

// EvalSum is Eval with the row losses added onto sum, so that an evaluation in blocks of rows
// sums exactly as one Eval over them: train evaluates a chunk of rows stored as bytes in blocks
// that stay in the cache while they are converted and run through the layers.
func (m *network) EvalSum(params, x, y []float64, n int, sum float64) (float64, int) {
	m.check(params, x, y, n)
	if n == 0 {
		return sum, 0
	}
	return m.lossSumFrom(m.forward(params, x, n), y[:n], n, sum)
}

// forward runs the n rows of x through the layers and returns the logits (n×out).
func (m *network) forward(params, x []float64, n int) []float64 {
	a := x[:n*m.in]
	last := len(m.layers) - 1
	for l, ly := range m.layers {
		z := m.h[l][:n*ly.out]
		w := params[ly.w : ly.w+ly.out*ly.in]
		b := params[ly.b : ly.b+ly.out]
		hidden := l < last
		if ly.small {
			fused := hidden && m.act == actReLU
			loopForward(n, ly.in, ly.out, a, w, b, z, fused, m.scratch)
			hidden = hidden && !fused
		} else {
			blasForward(m.buf, n, ly.in, ly.out, a, w, b, z)
		}
		if hidden {
			activate(m.act, z)
		}
		a = z
	}
	return a
}

// backward computes the gradient from the logits' deltas, which lossDelta left in h[last].
func (m *network) backward(params, x []float64, n int, grad []float64) {
	for l := len(m.layers) - 1; l >= 0; l-- {
		ly := m.layers[l]
		dz := m.h[l][:n*ly.out]
		var a []float64
		if l == 0 {
			a = x[:n*ly.in]
		} else {
			a = m.h[l-1][:n*ly.in]
		}
		gw := grad[ly.w : ly.w+ly.out*ly.in]
		gb := grad[ly.b : ly.b+ly.out]
		w := params[ly.w : ly.w+ly.out*ly.in]
		if ly.small {
			loopGradWB(n, ly.in, ly.out, dz, a, gw, gb, m.scratch)
		} else {
			blasGradW(m.buf, n, ly.in, ly.out, dz, a, gw)
			colSums(n, ly.out, dz, gb)
		}
		if l == 0 {
			break
		}
		da := m.tmp[:n*ly.in]
		switch {
		case ly.small && m.act == actReLU:
			loopGradX(n, ly.in, ly.out, dz, w, da, a)
		case ly.small:
			loopGradX(n, ly.in, ly.out, dz, w, da, nil)
			activateBackward(m.act, a, da)
		default:
			blasGradX(m.buf, n, ly.in, ly.out, dz, w, da)
			activateBackward(m.act, a, da)
		}
	}
}

// lossSum returns the summed loss of the logits z (n×out) and the number of rows classified
// correctly (cross_entropy only). It leaves z unchanged.
func (m *network) lossSum(z, y []float64, n int) (sum float64, correct int) {
	return m.lossSumFrom(z, y, n, 0)
}

// lossSumFrom is lossSum with the losses added one row after the other to sum: consecutive
// blocks of rows, each started from the sum of the ones before, give the sum of one call over
// them all, bit for bit.
func (m *network) lossSumFrom(z, y []float64, n int, sum float64) (float64, int) {
	correct := 0
	if !m.ce {
		for i, zi := range z[:n] {
			d := zi - y[i]
			sum += d * d
		}
		return sum, 0
	}
	c := m.out
	for i := range n {
		row := z[i*c : i*c+c]
		label := classOf(y[i], c)
		mx, arg := row[0], 0
		for j, v := range row {
			if v > mx {
				mx, arg = v, j
			}
		}
		var s float64
		for _, v := range row {
			s += math.Exp(v - mx)
		}
		sum += mx + math.Log(s) - row[label]
		if arg == label {
			correct++
		}
	}
	return sum, correct
}

// lossDelta returns the summed loss of the logits z (n×out) and overwrites z with the
// derivative of the mean loss with respect to the logits.
func (m *network) lossDelta(z, y []float64, n int) (sum float64) {
	inv := 1 / float64(n)
	if !m.ce {
		z = z[:n]
		for i, zi := range z {
			d := zi - y[i]
			sum += d * d
			z[i] = 2 * d * inv
		}
		return sum
	}
	c := m.out
	for i := range n {
		row := z[i*c : i*c+c]
		label := classOf(y[i], c)
		mx := row[0]
		for _, v := range row {
			mx = max(mx, v)
		}
		zy := row[label]
		var s float64
		for j, v := range row {
			e := math.Exp(v - mx)
			row[j] = e
			s += e
		}
		sum += mx + math.Log(s) - zy
		scale := inv / s
		for j := range row {
			row[j] *= scale
		}
		row[label] -= inv
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
		for i, v := range z {
			z[i] = relu(v)
		}
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
	case actReLU: // branch-free: the signs of activations are unpredictable
		for i, v := range a {
			a[i] = math.Float64frombits(math.Float64bits(da[i]) & maskIf(v > 0))
		}
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
func colSums(n, out int, dz, gb []float64) {
	gb = gb[:out]
	clear(gb)
	for i := range n {
		row := dz[i*out : i*out+out]
		for j, v := range row {
			gb[j] += v
		}
	}
}
