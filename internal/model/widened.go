package model

import (
	"math/rand/v2"
)

// widened is a float32 model of a kind whose arithmetic exists in float64 only (deepobs_2d):
// its parameters, data and gradients are float32, and each LossGrad and Eval widens them
// (exactly) into float64 copies, runs the float64 model, and rounds the gradient once to
// float32. The optimizer, its state and the training loop are float32 as for any float32
// model; only the arithmetic between the parameters and the gradient is float64's.
type widened struct {
	m          Model
	in         int
	p, g, x, y []float64 // the float64 parameters, gradient and batch
}

func newWidened(m Model, in, maxBatch int) *widened {
	np := m.NumParams()
	return &widened{m: m, in: in, p: make([]float64, np), g: make([]float64, np),
		x: make([]float64, maxBatch*in), y: make([]float64, maxBatch)}
}

func (w *widened) NumParams() int    { return w.m.NumParams() }
func (w *widened) Tensors() []Tensor { return w.m.Tensors() }
func (w *widened) Inputs() int       { return w.m.Inputs() }
func (w *widened) Outputs() int      { return w.m.Outputs() }

// Init draws the float64 model's initial parameters and rounds them to float32.
func (w *widened) Init(params []float32, rng *rand.Rand) {
	w.m.Init(w.p, rng)
	narrow(params, w.p)
}

func (w *widened) LossGrad(params, x, y []float32, n int, grad []float32) float64 {
	p, xs, ys := w.load(params, x, y, n)
	if grad == nil {
		return w.m.LossGrad(p, xs, ys, n, nil)
	}
	loss := w.m.LossGrad(p, xs, ys, n, w.g)
	narrow(grad, w.g)
	return loss
}

func (w *widened) Eval(params, x, y []float32, n int) (float64, int) {
	p, xs, ys := w.load(params, x, y, n)
	return w.m.Eval(p, xs, ys, n)
}

// load widens params and the n rows of x and y.
func (w *widened) load(params, x, y []float32, n int) (p, xs, ys []float64) {
	if len(params) != len(w.p) || n < 0 || n > len(w.y) {
		panic("model: widened: parameters or batch of the wrong size")
	}
	widen(w.p, params)
	widen(w.x[:n*w.in], x[:n*w.in])
	widen(w.y[:n], y[:n])
	return w.p, w.x[:n*w.in], w.y[:n]
}

// SetThreads threads the float64 model.
func (w *widened) SetThreads(n int) error {
	if th, ok := w.m.(Threaded); ok {
		return th.SetThreads(n)
	}
	return nil
}

func (w *widened) HasDropout() bool {
	d, ok := w.m.(Dropout)
	return ok && d.HasDropout()
}

func (w *widened) SetDropoutRNG(r *rand.Rand) {
	if d, ok := w.m.(Dropout); ok {
		d.SetDropoutRNG(r)
	}
}

func widen(dst []float64, src []float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = float64(v)
	}
}

func narrow(dst []float32, src []float64) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] = float32(v)
	}
}
