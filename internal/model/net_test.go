package model

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"testing"
)

func conv(c, k int, more ...func(*Layer)) Layer {
	l := Layer{Kind: "conv", Size: c, Kernel: k}
	for _, f := range more {
		f(&l)
	}
	return l
}

func stride(s int) func(*Layer)     { return func(l *Layer) { l.Stride = s } }
func same(l *Layer)                 { l.Padding = "same" }
func withAct(a string) func(*Layer) { return func(l *Layer) { l.Activation = a } }
func pool(k int) Layer              { return Layer{Kind: "maxpool", Size: k} }
func dense(n int) Layer             { return Layer{Kind: "dense", Size: n} }
func dropout(p float64) Layer       { return Layer{Kind: "dropout", P: p} }
func poolStride(k, s int) Layer     { return Layer{Kind: "maxpool", Size: k, Stride: s} }
func netSpec(input []int, ls ...Layer) Spec {
	return Spec{Kind: "net", Input: input, Layers: ls, Loss: "cross_entropy", Activation: "relu"}
}

var netGradientCases = []struct {
	name    string
	spec    Spec
	classes int
	n       int
}{
	{"conv-valid-chw2", netSpec([]int{2, 5, 5}, conv(3, 3), dense(3)), 3, 4},
	{"conv-stride2", netSpec([]int{1, 7, 7}, conv(2, 3, stride(2)), dense(2)), 2, 3},
	{"conv-same-even-kernel", netSpec([]int{1, 6, 5}, conv(2, 4, same), conv(3, 2, same, withAct("tanh")), dense(3)), 3, 3},
	{"conv-same-odd-stride2-chain", netSpec([]int{3, 6, 6}, conv(2, 3, same), conv(2, 2, stride(2), withAct("sigmoid")), dense(2)), 2, 3},
	{"maxpool", netSpec([]int{1, 6, 6}, conv(2, 3, same), pool(2), conv(3, 2), Layer{Kind: "flatten"}, dense(4), dense(3)), 3, 3},
	{"maxpool-overlap-on-input", netSpec([]int{2, 5, 5}, poolStride(3, 1), conv(2, 2), dense(2)), 2, 3},
	{"dense-on-image", Spec{Kind: "net", Input: []int{2, 3, 3}, Layers: []Layer{dense(5), dense(3)}, Loss: "cross_entropy", Activation: "tanh"}, 3, 4},
	{"flat-mlp-mse", Spec{Kind: "net", Layers: []Layer{dense(4), dense(1)}, Loss: "mse", Activation: "sigmoid"}, 0, 5},
	{"dropout", netSpec([]int{1, 5, 5}, conv(2, 3), dropout(0.4), dense(4), dropout(0.3), dense(2)), 2, 4},
	{"slices-and-chunks", netSpec([]int{4, 10, 10}, conv(2, 3), pool(2), dense(2)), 2, 130},
}

// netData is n random samples of m's inputs with class labels (or targets for mse).
func netData(rng *rand.Rand, m Model, n int) (x, y []float64) {
	x = make([]float64, n*m.Inputs())
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	y = make([]float64, n)
	for i := range y {
		if m.Outputs() > 1 {
			y[i] = float64(rng.IntN(m.Outputs()))
		} else {
			y[i] = rng.NormFloat64()
		}
	}
	return x, y
}

func mustNet(t testing.TB, s Spec, classes, maxBatch int) *cnet {
	t.Helper()
	in := 1
	for _, v := range s.Input {
		in *= v
	}
	if len(s.Input) == 0 {
		in = 3
	}
	m, err := New(s, in, classes, maxBatch)
	if err != nil {
		t.Fatalf("New(%+v): %v", s, err)
	}
	return m.(*cnet)
}

// Every layer's gradient agrees with central finite differences: convs with stride 2 and
// padding same of even kernels, on CHW (the input) and HWC (a conv's output) layouts,
// overlapping maxpools, dropout (the same masks for each evaluation), slices of netRows rows
// and convs unfolded in chunks.
func TestNetGradientFiniteDifferences(t *testing.T) {
	for _, tc := range netGradientCases {
		t.Run(tc.name, func(t *testing.T) {
			m := mustNet(t, tc.spec, tc.classes, tc.n)
			rng := rand.New(rand.NewPCG(3, 4))
			x, y := netData(rng, m, tc.n)
			params := randomParams(rng, m.NumParams())
			loss := func(p []float64) float64 {
				m.SetDropoutRNG(rand.New(rand.NewPCG(7, 8)))
				return m.LossGrad(p, x, y, tc.n, nil)
			}
			grad := make([]float64, m.NumParams())
			for i := range grad {
				grad[i] = math.NaN() // LossGrad overwrites every value
			}
			m.SetDropoutRNG(rand.New(rand.NewPCG(7, 8)))
			got := m.LossGrad(params, x, y, tc.n, grad)
			if want := loss(params); got != want {
				t.Errorf("loss with gradient %v, without %v", got, want)
			}
			checkGradient(t, loss, grad, params)
		})
	}
	if c := convChunk(mustNet(t, netGradientCases[len(netGradientCases)-1].spec, 2, 130).ops[0]); c >= netRows {
		t.Errorf("slices-and-chunks unfolds %d samples at once: it does not test chunks", c)
	}
}

// refNet computes a net's logits the plain way, NCHW throughout, as PyTorch defines each layer
// (Conv2d with zero padding, MaxPool2d, Flatten, Linear), for one sample.
func refNet(s Spec, params, x []float64, out int) []float64 {
	sh := shape{int64(s.Input[0]), int64(s.Input[1]), int64(s.Input[2])}
	a := append([]float64(nil), x...)
	off := 0
	for i, l := range s.Layers {
		act := refAct(s.Activation, l.Activation)
		switch l.Kind {
		case "conv":
			a, sh = refConv(l, params[off:], a, sh, act)
			off += l.Size * (refFanIn(l, s, i) + 1)
		case "maxpool":
			a, sh = refPool(l, a, sh)
		case "dense":
			in := len(a)
			o := make([]float64, l.Size)
			for j := range o {
				sum := params[off+l.Size*in+j]
				for p, v := range a {
					sum += params[off+j*in+p] * v
				}
				o[j] = sum
				if i < len(s.Layers)-1 {
					o[j] = act(sum)
				}
			}
			off += l.Size * (in + 1)
			a, sh = o, shape{int64(l.Size), 1, 1}
		}
	}
	return a[:out]
}

// refFanIn is conv layer i's inputs per output: its input channels × k × k.
func refFanIn(l Layer, s Spec, i int) int {
	c := s.Input[0]
	for _, p := range s.Layers[:i] {
		if p.Kind == "conv" {
			c = p.Size
		}
	}
	return c * l.Kernel * l.Kernel
}

func refAct(model, layer string) func(float64) float64 {
	name := layer
	if name == "" {
		name = model
	}
	return func(v float64) float64 {
		switch name {
		case "tanh":
			return math.Tanh(v)
		case "sigmoid":
			return 1 / (1 + math.Exp(-v))
		}
		return max(v, 0)
	}
}

func refConv(l Layer, params, a []float64, in shape, act func(float64) float64) ([]float64, shape) {
	c, h, w := int(in.c), int(in.h), int(in.w)
	k, st, pt := l.Kernel, max(l.Stride, 1), 0
	ho, wo := (h-k)/st+1, (w-k)/st+1
	if l.Padding == "same" {
		pt, ho, wo = (k-1)/2, h, w
	}
	wt, b := params[:l.Size*c*k*k], params[l.Size*c*k*k:]
	o := make([]float64, l.Size*ho*wo)
	for co := range l.Size {
		for oh := range ho {
			for ow := range wo {
				sum := b[co]
				for ci := range c {
					for kh := range k {
						for kw := range k {
							ih, iw := oh*st-pt+kh, ow*st-pt+kw
							if ih >= 0 && ih < h && iw >= 0 && iw < w {
								sum += wt[((co*c+ci)*k+kh)*k+kw] * a[(ci*h+ih)*w+iw]
							}
						}
					}
				}
				o[(co*ho+oh)*wo+ow] = act(sum)
			}
		}
	}
	return o, shape{int64(l.Size), int64(ho), int64(wo)}
}

func refPool(l Layer, a []float64, in shape) ([]float64, shape) {
	c, h, w := int(in.c), int(in.h), int(in.w)
	k, st := l.Size, l.Stride
	if st == 0 {
		st = k
	}
	ho, wo := (h-k)/st+1, (w-k)/st+1
	o := make([]float64, c*ho*wo)
	for ci := range c {
		for oh := range ho {
			for ow := range wo {
				mx := math.Inf(-1)
				for kh := range k {
					for kw := range k {
						mx = max(mx, a[(ci*h+oh*st+kh)*w+ow*st+kw])
					}
				}
				o[(ci*ho+oh)*wo+ow] = mx
			}
		}
	}
	return o, shape{int64(c), int64(ho), int64(wo)}
}

// The net's loss is PyTorch's: NCHW input, conv weights [out, in, kh, kw], flatten in C, H, W
// order, computed here the plain way and compared.
func TestNetMatchesReference(t *testing.T) {
	for _, tc := range netGradientCases {
		if tc.spec.Input == nil || tc.spec.Loss != "cross_entropy" || tc.n > 10 {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			m := mustNet(t, tc.spec, tc.classes, tc.n)
			rng := rand.New(rand.NewPCG(5, 6))
			x, y := netData(rng, m, tc.n)
			params := randomParams(rng, m.NumParams())
			got, _ := m.Eval(params, x, y, tc.n)
			var want float64
			for i := range tc.n {
				z := refNet(tc.spec, params, x[i*m.in:(i+1)*m.in], m.out)
				mx := math.Inf(-1)
				for _, v := range z {
					mx = max(mx, v)
				}
				var s float64
				for _, v := range z {
					s += math.Exp(v - mx)
				}
				want += mx + math.Log(s) - z[int(y[i])]
			}
			if !closeRel(got, want, 1e-12, 1e-12) {
				t.Errorf("loss %.17g, reference %.17g", got, want)
			}
		})
	}
}

// A maxpool window of equal values routes the gradient to its first element in (kh, kw)
// order, as PyTorch's max_pool2d does; a NaN wins over numbers.
func TestMaxPoolTies(t *testing.T) {
	op := &netOp{kind: opPool, in: shape{1, 2, 4}, out: shape{1, 1, 2}, k: 2, s: 2}
	a := []float64{
		3, 3, 1, 2,
		3, 1, math.NaN(), 2}
	y, arg := make([]float64, 2), make([]int32, 2)
	poolForward(op, a, y, arg, 1)
	if y[0] != 3 || arg[0] != 0 || !math.IsNaN(y[1]) || arg[1] != 6 {
		t.Errorf("maxima %v at %v, want [3 NaN] at [0 6]", y, arg)
	}
	da := make([]float64, 8)
	poolBackward([]float64{10, 20}, arg, da, 1, 8)
	if want := []float64{10, 0, 0, 0, 0, 0, 20, 0}; !reflect.DeepEqual(da, want) {
		t.Errorf("gradient %v, want %v", da, want)
	}
	// The same window on HWC samples of two channels: channel 0 ties, channel 1 has a NaN.
	hwc := &netOp{kind: opPool, in: shape{2, 2, 2}, out: shape{2, 1, 1}, k: 2, s: 2, hwc: true}
	a = []float64{5, 1, 5, math.NaN(), 5, 2, 4, 3} // (h, w, c)
	poolForward(hwc, a, y, arg, 1)
	if y[0] != 5 || arg[0] != 0 || !math.IsNaN(y[1]) || arg[1] != 3 {
		t.Errorf("HWC maxima %v at %v, want [5 NaN] at [0 3]", y, arg)
	}
}

// Dropout acts in LossGrad only: Eval is the net without it; the masks of a seed are the
// same every time, another seed gives others; kept elements are scaled by 1/(1−p) (PyTorch's
// inverted dropout) and about p of them are zeroed.
func TestNetDropout(t *testing.T) {
	with := netSpec([]int{1, 6, 6}, conv(3, 3), dropout(0.5), dense(8), dropout(0.25), dense(3))
	without := netSpec([]int{1, 6, 6}, conv(3, 3), dense(8), dense(3))
	m, plain := mustNet(t, with, 3, 16), mustNet(t, without, 3, 16)
	rng := rand.New(rand.NewPCG(1, 2))
	x, y := netData(rng, m, 16)
	params := randomParams(rng, m.NumParams())
	got, _ := m.Eval(params, x, y, 16)
	want, _ := plain.Eval(params, x, y, 16)
	if got != want {
		t.Errorf("Eval with dropout layers %v, without %v", got, want)
	}
	if !m.HasDropout() || plain.HasDropout() {
		t.Errorf("HasDropout: %v with dropout, %v without", m.HasDropout(), plain.HasDropout())
	}
	run := func(seed uint64) float64 {
		m.SetDropoutRNG(rand.New(rand.NewPCG(seed, 5)))
		return m.LossGrad(params, x, y, 16, nil)
	}
	a, b, c := run(1), run(1), run(2)
	if a != b || a == c || a == plain.LossGrad(params, x, y, 16, nil) {
		t.Errorf("training losses: seed 1 %v and %v, seed 2 %v, no dropout %v", a, b, c, plain.LossGrad(params, x, y, 16, nil))
	}
	op := &netOp{kind: opDropout, p: 0.25}
	const n = 100000
	ones, out, mask := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range ones {
		ones[i] = 1
	}
	m.SetDropoutRNG(rand.New(rand.NewPCG(9, 9)))
	m.dropForward(op, ones, out, mask)
	zeros := 0
	for _, v := range out {
		switch v {
		case 0:
			zeros++
		case 1 / 0.75:
		default:
			t.Fatalf("dropout output %v, want 0 or 1/(1−p) = %v", v, 1/0.75)
		}
	}
	if sd := math.Sqrt(n * 0.25 * 0.75); math.Abs(float64(zeros)-n*0.25) > 5*sd {
		t.Errorf("%d of %d zeroed, want about %v", zeros, n, n*0.25)
	}
}

// twoC2D is DeepOBS's fmnist_2c2d.
func twoC2D() Spec {
	return netSpec([]int{1, 28, 28}, conv(32, 5, same), pool(2), conv(64, 5, same), pool(2), dense(1024), dense(10))
}

// The gradient of a conv net is bit-identical on 1, 2 and 3 threads.
func TestNetThreads(t *testing.T) {
	if testing.Short() {
		t.Skip("2c2d in -short mode")
	}
	m := mustNet(t, twoC2D(), 10, 16)
	rng := rand.New(rand.NewPCG(1, 1))
	x, y := netData(rng, m, 16)
	params := make([]float64, m.NumParams())
	m.Init(params, rng)
	var want []float64
	for _, th := range []int{1, 2, 3} {
		if err := m.SetThreads(th); err != nil {
			t.Fatal(err)
		}
		grad := make([]float64, m.NumParams())
		m.LossGrad(params, x, y, 16, grad)
		if want == nil {
			want = grad
			continue
		}
		for i := range grad {
			if math.Float64bits(grad[i]) != math.Float64bits(want[i]) {
				t.Fatalf("%d threads: gradient[%d] = %v, 1 thread %v", th, i, grad[i], want[i])
			}
		}
	}
}

func TestNetZeroAllocs(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec Spec
		n    int
	}{
		{"small-dropout", netSpec([]int{3, 8, 8}, conv(4, 3, same), pool(2), dropout(0.2), conv(4, 2), dense(6), dense(3)), 20},
		{"2c2d", twoC2D(), 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cls := 3
			if tc.name == "2c2d" {
				cls = 10
			}
			m := mustNet(t, tc.spec, cls, tc.n)
			if err := m.SetThreads(2); err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(2, 3))
			x, y := netData(rng, m, tc.n)
			params := make([]float64, m.NumParams())
			m.Init(params, rng)
			grad := make([]float64, m.NumParams())
			if a := testing.AllocsPerRun(3, func() { m.LossGrad(params, x, y, tc.n, grad) }); a != 0 {
				t.Errorf("LossGrad allocates %v times per call", a)
			}
			if a := testing.AllocsPerRun(3, func() { m.LossGrad(params, x, y, tc.n-1, nil) }); a != 0 {
				t.Errorf("LossGrad without gradient allocates %v times per call", a)
			}
			if a := testing.AllocsPerRun(3, func() { m.Eval(params, x, y, tc.n) }); a != 0 {
				t.Errorf("Eval allocates %v times per call", a)
			}
		})
	}
}

// Tensors names the parameters as an nn.Sequential of the layers: list, parameterless layers
// taking an index too, conv weights [out, in, kh, kw] as out × (in·kh·kw) matrices.
func TestNetTensors(t *testing.T) {
	m := mustNet(t, netSpec([]int{2, 6, 6}, conv(3, 3), pool(2), dropout(0.1), dense(4), dense(2)), 2, 4)
	want := []Tensor{
		{Name: "layers.0.weight", Offset: 0, Rows: 3, Cols: 18, Weight: true, Kernel: [2]int{3, 3}},
		{Name: "layers.0.bias", Offset: 54, Rows: 3, Cols: 1},
		{Name: "layers.3.weight", Offset: 57, Rows: 4, Cols: 12, Weight: true},
		{Name: "layers.3.bias", Offset: 105, Rows: 4, Cols: 1},
		{Name: "layers.4.weight", Offset: 109, Rows: 2, Cols: 4, Weight: true},
		{Name: "layers.4.bias", Offset: 117, Rows: 2, Cols: 1},
	}
	if got := m.Tensors(); !reflect.DeepEqual(got, want) || m.NumParams() != 119 {
		t.Errorf("Tensors() = %v (%d params), want %v (119)", got, m.NumParams(), want)
	}
}

// auto is PyTorch's default initialization: every weight and bias within ±1/√fan_in, and
// spread over it.
func TestNetInitAuto(t *testing.T) {
	m := mustNet(t, netSpec([]int{2, 6, 6}, conv(8, 3), dense(10), dense(2)), 2, 4)
	params := make([]float64, m.NumParams())
	m.Init(params, rand.New(rand.NewPCG(1, 2)))
	for _, ts := range m.Tensors() {
		fanIn := 18.0
		switch ts.Name {
		case "layers.1.weight", "layers.1.bias":
			fanIn = 8 * 4 * 4
		case "layers.2.weight", "layers.2.bias":
			fanIn = 10
		}
		bound, top := 1/math.Sqrt(fanIn), 0.0
		for _, v := range params[ts.Offset : ts.Offset+ts.Rows*ts.Cols] {
			if math.Abs(v) > bound {
				t.Fatalf("%s: %v outside ±%v", ts.Name, v, bound)
			}
			top = max(top, math.Abs(v))
		}
		if top < bound/2 {
			t.Errorf("%s: largest |value| %v, want near %v", ts.Name, top, bound)
		}
	}
}

func TestNetErrors(t *testing.T) {
	for _, tc := range []struct {
		spec Spec
		in   int
		key  string
	}{
		{netSpec([]int{1, 4, 4}, conv(2, 5), dense(2)), 16, "layers[0].kernel"},
		{netSpec([]int{1, 4, 4}, conv(2, 5, same), dense(2)), 16, "layers[0].kernel"},
		{netSpec([]int{1, 4, 4}, conv(2, 1<<32, same), dense(2)), 16, "layers[0].kernel"}, // k·k would overflow
		{netSpec([]int{1, 4, 4}, conv(2, 3), pool(3), dense(2)), 16, "layers[1].maxpool"},
		{netSpec([]int{1, 4, 4}, conv(2, 3), dense(3)), 16, "layers[1].dense"},
		{netSpec([]int{1, 4, 4}, dense(3), conv(2, 1), dense(2)), 16, "layers[1].conv"},
		{netSpec([]int{1, 4, 5}, dense(2)), 16, "input"},
		{netSpec(nil, conv(2, 1), dense(2)), 16, "input"},
		{netSpec([]int{1, 4}, dense(2)), 4, "input"},
		{netSpec([]int{1, 4, 4}, conv(2, 3, same, stride(2)), dense(2)), 16, "layers[0].padding"},
		{netSpec([]int{1, 4, 4}, conv(0, 3), dense(2)), 16, "layers[0].conv"},
		{netSpec([]int{1, 4, 4}, dropout(1), dense(2)), 16, "layers[0].dropout"},
		{netSpec([]int{1, 4, 4}, dense(2), dropout(0.1)), 16, "layers[1]"},
		{netSpec([]int{1, 4, 4}, Layer{Kind: "pool"}, dense(2)), 16, "layers[0]"},
		{netSpec([]int{1, 4, 4}, conv(2, 1, withAct("gelu")), dense(2)), 16, "layers[0].activation"},
		{netSpec([]int{1, 4, 4}, Layer{Kind: "dense", Size: 2, Activation: "tanh"}), 16, "layers[0].activation"},
		{netSpec([]int{1, 4, 4}), 16, "layers"},
	} {
		_, err := New(tc.spec, tc.in, 2, 4)
		var se *SpecError
		if !errors.As(err, &se) || se.Key != tc.key {
			t.Errorf("%+v: error %v, want a SpecError for %s", tc.spec.Layers, err, tc.key)
		}
	}
}

// Footprint counts what New allocates for a net, measured.
func TestNetFootprint(t *testing.T) {
	for _, s := range []Spec{twoC2D(), netSpec([]int{3, 8, 8}, conv(4, 3, same), pool(2), dropout(0.2), conv(4, 2), dense(6), dense(10))} {
		for _, batch := range []int{16, 1024} {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			m, err := New(s, s.Input[0]*s.Input[1]*s.Input[2], 10, batch)
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			got := int64(after.TotalAlloc - before.TotalAlloc)
			z := Footprint(s, s.Input[0]*s.Input[1]*s.Input[2], 10, batch)
			if z.Params != int64(m.NumParams()) || !reflect.DeepEqual(z.Tensors, m.Tensors()) {
				t.Errorf("Footprint %d params %v; New has %d params %v", z.Params, z.Tensors, m.NumParams(), m.Tensors())
			}
			if d := got - z.Scratch; d < -got/50 || d > got/50+16<<10 {
				t.Errorf("%v batch %d: New allocated %d bytes, Footprint says %d", s.Layers, batch, got, z.Scratch)
			}
		}
	}
	// A net New refuses costs nothing, so that its error is the one reported.
	if z := Footprint(netSpec([]int{1, 4, 4}, conv(2, 5), dense(10)), 16, 10, 128); z.Params != 0 || z.Scratch != 0 || z.Tensors == nil {
		t.Errorf("a bad net: %+v", z)
	}
	huge := netSpec([]int{1 << 20, 1 << 20, 1 << 20}, conv(1<<30, 3), dense(2))
	if z := Footprint(huge, 1<<60, 2, 1<<40); z.Scratch != math.MaxInt64 {
		t.Errorf("a huge net: %+v", z)
	}
}

// BenchmarkNet2C2D is one training step's loss and gradient of DeepOBS's 2c2d at batch 128.
func BenchmarkNet2C2D(b *testing.B) {
	m := mustNet(b, twoC2D(), 10, 128)
	rng := rand.New(rand.NewPCG(1, 1))
	x, y := netData(rng, m, 128)
	for i := range x {
		x[i] = rng.Float64()
	}
	params := make([]float64, m.NumParams())
	m.Init(params, rng)
	grad := make([]float64, m.NumParams())
	b.ReportAllocs()
	for b.Loop() {
		m.LossGrad(params, x, y, 128, grad)
	}
	b.ReportMetric(float64(b.N*128)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkNetSmallEval is Eval of configs/mnist-cnn.yaml's net on 1024 rows.
func BenchmarkNetSmallEval(b *testing.B) {
	s := netSpec([]int{1, 28, 28}, conv(8, 5, same), pool(2), conv(16, 5, same), pool(2), Layer{Kind: "flatten"}, dropout(0.25), dense(10))
	m := mustNet(b, s, 10, 1024)
	rng := rand.New(rand.NewPCG(1, 1))
	x, y := netData(rng, m, 1024)
	params := make([]float64, m.NumParams())
	m.Init(params, rng)
	b.ReportAllocs()
	for b.Loop() {
		m.Eval(params, x, y, 1024)
	}
	b.ReportMetric(float64(b.N*1024)/b.Elapsed().Seconds(), "samples/s")
}
