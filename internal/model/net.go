package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"unsafe"
)

// Layer is one entry of a net's `layers:` list (SPEC §7). Conv and dense layers are followed
// by their activation, except the last layer (dense, the logits), which has none.
type Layer struct {
	Kind string // conv | maxpool | flatten | dense | dropout
	// Size is a conv's output channels, a dense layer's outputs, a maxpool's window side k.
	Size int
	// Kernel is a conv's kernel side (square kernels); Stride a conv's (0 = 1) or a maxpool's
	// (0 = k) stride; Padding a conv's padding, valid (none, the default) or same (as
	// PyTorch's padding='same': the output keeps the input's size, stride 1 only, the extra
	// row and column of an even kernel at the bottom and right).
	Kernel, Stride int
	Padding        string
	// P is a dropout's probability of zeroing an element, in [0, 1).
	P float64
	// Activation of a conv or dense layer: relu | tanh | sigmoid, "" for the model's.
	Activation string
}

// The layer kinds, as the `layers:` list names them.
var layerKinds = []string{"conv", "maxpool", "flatten", "dense", "dropout"}

// LayerKinds returns the names of the layer kinds of a net.
func LayerKinds() []string { return append([]string(nil), layerKinds...) }

// shape is a tensor's channels, height and width, per sample.
type shape struct{ c, h, w int64 }

func (s shape) size() int64 { return satMul(satMul(s.c, s.h), s.w) }

type opKind int

const (
	opConv opKind = iota
	opPool
	opFlatten
	opDense
	opDropout
)

// netOp is one operation of a net. Tensors are stored per sample, either CHW (the input, and
// everything after a flatten or dense layer) or HWC (everything a conv produces, and a maxpool
// of it): HWC makes a conv one matrix product per batch over all its output positions.
type netOp struct {
	kind    opKind
	index   int // position in the layers: list; −1 for the flatten a dense layer adds
	in, out shape
	hwc     bool // the layout of the input (the output's too, but for flatten and dense)
	act     activation
	hasAct  bool
	k, s    int // conv and maxpool: window side and stride
	pt, pl  int // conv: padding at the top and left
	w, b    int // conv and dense: offsets of the weights and the bias
	p       float64
	permute bool // flatten: HWC to CHW; conv: its weights are permuted to (kh, kw, c) order
}

// CheckShapes checks a net's shapes for in features and, with cross_entropy, classes classes
// (< 0: not known yet; the last layer's width is then not checked), without building it.
// Errors are those of New.
func (s Spec) CheckShapes(in, classes int) error {
	if err := s.Validate(); err != nil {
		return err
	}
	out := int64(1)
	if s.Loss == "cross_entropy" {
		out = int64(classes)
	}
	_, _, err := planNet(s, int64(in), out)
	return err
}

// validateNet checks a net's keys, without shapes (SPEC §7).
func (s Spec) validateNet() error {
	if len(s.Hidden) > 0 {
		return specErrorf("hidden", "only for mlp, got %v with kind net (use layers)", s.Hidden)
	}
	return s.validateLayers()
}

// validateLayers checks the keys of each layer, without shapes.
func (s Spec) validateLayers() error {
	if len(s.Layers) == 0 {
		return specErrorf("layers", "must list at least one layer for net")
	}
	if len(s.Input) != 0 && len(s.Input) != 3 {
		return specErrorf("input", "must be [C, H, W], got %v", s.Input)
	}
	for _, v := range s.Input {
		if v < 1 {
			return specErrorf("input", "must be [C, H, W] with each > 0, got %v", s.Input)
		}
	}
	for i, l := range s.Layers {
		key := func(k string) string { return fmt.Sprintf("layers[%d].%s", i, k) }
		bad := func(k, format string, args ...any) error { return specErrorf(key(k), format, args...) }
		if _, err := parseActivation(l.Activation); err != nil {
			return bad("activation", "unknown %q (want relu, tanh or sigmoid)", l.Activation)
		}
		switch l.Kind {
		case "conv":
			switch {
			case l.Size < 1:
				return bad("conv", "must be >= 1 output channels, got %d", l.Size)
			case l.Kernel < 1:
				return bad("kernel", "must be >= 1, got %d", l.Kernel)
			case l.Stride < 0:
				return bad("stride", "must be >= 1, got %d", l.Stride)
			case l.Padding != "" && l.Padding != "valid" && l.Padding != "same":
				return bad("padding", "unknown %q (want valid or same)", l.Padding)
			case l.Padding == "same" && l.Stride > 1:
				return bad("padding", "same needs stride 1 (as PyTorch's padding='same'), got stride %d", l.Stride)
			}
		case "maxpool":
			if l.Size < 1 {
				return bad("maxpool", "must be a window side >= 1, got %d", l.Size)
			}
			if l.Stride < 0 {
				return bad("stride", "must be >= 1, got %d", l.Stride)
			}
		case "dense":
			if l.Size < 1 {
				return bad("dense", "must be >= 1 outputs, got %d", l.Size)
			}
		case "dropout":
			if !(l.P >= 0 && l.P < 1) {
				return bad("dropout", "must be a probability in [0, 1), got %v", l.P)
			}
		case "flatten":
		default:
			return specErrorf(fmt.Sprintf("layers[%d]", i), "unknown layer %q (want one of conv, maxpool, flatten, dense, dropout)", l.Kind)
		}
		if l.Activation != "" && l.Kind != "conv" && l.Kind != "dense" {
			return bad("activation", "only for conv and dense layers, not %s", l.Kind)
		}
	}
	last := len(s.Layers) - 1
	if l := s.Layers[last]; l.Kind != "dense" {
		return specErrorf(fmt.Sprintf("layers[%d]", last), "the last layer must be dense (the outputs), got %s", l.Kind)
	} else if l.Activation != "" {
		return specErrorf(fmt.Sprintf("layers[%d].activation", last), "the last layer has no activation (its outputs are the logits)")
	}
	return nil
}

// planNet turns a validated net spec into its operations for in input features and out
// outputs, with the parameters' offsets, and returns the number of parameters. Sizes
// saturate at math.MaxInt64 (Footprint of a huge net).
func planNet(s Spec, in, out int64) ([]netOp, int64, error) {
	cur := shape{in, 1, 1}
	if len(s.Input) == 3 {
		cur = shape{int64(s.Input[0]), int64(s.Input[1]), int64(s.Input[2])}
		if cur.size() != in {
			return nil, 0, specErrorf("input", "%v has %d values, but the data have %d features", s.Input, cur.size(), in)
		}
	}
	act, _ := parseActivation(s.Activation)
	var ops []netOp
	var off int64
	hwc, flat := false, len(s.Input) != 3
	for i, l := range s.Layers {
		key := fmt.Sprintf("layers[%d]", i)
		op := netOp{index: i, in: cur, hwc: hwc, act: act}
		if l.Activation != "" {
			op.act, _ = parseActivation(l.Activation)
		}
		switch l.Kind {
		case "conv", "maxpool":
			if flat {
				if len(s.Input) != 3 {
					return nil, 0, specErrorf("input", "required with a %s layer (as [C, H, W] of the %d features)", l.Kind, in)
				}
				return nil, 0, specErrorf(key+"."+l.Kind, "cannot follow a flatten or dense layer")
			}
			var err error
			if op, err = planWindow(op, l, key); err != nil {
				return nil, 0, err
			}
			if op.kind == opConv {
				op.w = int(off)
				n := satMul(op.out.c, satMul(cur.c, int64(op.k*op.k)))
				op.b = int(satAdd(off, n))
				off = satAdd(off, satAdd(n, op.out.c))
			}
			hwc = op.kind == opConv || hwc
		case "flatten", "dense":
			if !flat || l.Kind == "flatten" {
				f := netOp{kind: opFlatten, index: -1, in: cur, hwc: hwc, out: shape{cur.size(), 1, 1}}
				f.permute = hwc && cur.c > 1 && cur.h*cur.w > 1
				if l.Kind == "flatten" {
					f.index = i
				}
				ops = append(ops, f)
				cur, hwc, flat = f.out, false, true
				if l.Kind == "flatten" {
					continue
				}
			}
			op.kind, op.in, op.hwc = opDense, cur, false
			op.out = shape{int64(l.Size), 1, 1}
			op.hasAct = i < len(s.Layers)-1
			op.w = int(off)
			n := satMul(op.out.c, cur.c)
			op.b = int(satAdd(off, n))
			off = satAdd(off, satAdd(n, op.out.c))
		case "dropout":
			op.kind, op.out, op.p = opDropout, cur, l.P
		}
		ops = append(ops, op)
		cur = op.out
	}
	if out >= 0 && cur.c != out {
		return nil, 0, lastWidthError(s, out, cur.c)
	}
	return ops, off, nil
}

// lastWidthError is the error of a last layer of got outputs where the loss needs out.
func lastWidthError(s Spec, out, got int64) error {
	what := fmt.Sprintf("%d outputs (the classes)", out)
	if s.Loss != "cross_entropy" {
		what = "1 output (mse)"
	}
	return specErrorf(fmt.Sprintf("layers[%d].dense", len(s.Layers)-1), "the last layer must have %s, got %d", what, got)
}

// planWindow plans a conv or maxpool layer l on input op.in: its output shape, padding and
// stride. A window larger than its (padded) input is an error naming the layer's key.
func planWindow(op netOp, l Layer, key string) (netOp, error) {
	in := op.in
	op.k, op.s = l.Kernel, max(l.Stride, 1)
	c := int64(l.Size)
	name := key + ".kernel"
	if l.Kind == "maxpool" {
		op.kind, op.k, c, name = opPool, l.Size, in.c, key+".maxpool"
		if l.Stride == 0 {
			op.s = l.Size
		}
	} else {
		op.kind, op.hasAct = opConv, true
		op.permute = in.c > 1
	}
	k := int64(op.k)
	// Also with padding same: a wider window would see only padding at its edges, and its
	// k·k products would overflow for a huge kernel.
	if k > in.h || k > in.w {
		return op, specErrorf(name, "%d is larger than its input of %d×%d", op.k, in.h, in.w)
	}
	if l.Padding == "same" {
		op.pt, op.pl = (op.k-1)/2, (op.k-1)/2
		op.out = shape{c, in.h, in.w}
		return op, nil
	}
	s := int64(op.s)
	op.out = shape{c, (in.h-k)/s + 1, (in.w-k)/s + 1}
	return op, nil
}

// netRows is the most rows a net runs through its layers at once: a larger batch is taken
// in slices of netRows (the gradients summed), so that the activations of a conv net stay
// those of netRows samples whatever the batch or evaluation size (1024 rows of DeepOBS's
// 2c2d would hold ≈ 0.8 GB of activations; 128 hold ≈ 75 MB).
const netRows = 128

// colValues is the most values of the im2col matrix of one product: a conv of a slice of
// samples runs in chunks of whole samples with at most colValues values of its unfolded
// input (at least one sample), written and read back while they are in the cache. Larger
// chunks were slower: a 2c2d step took 485–525 ms of CPU with 2^16 or 2^18 values (2 MB),
// 650–740 ms with 2^20 or 2^22 (AMD EPYC Zen 3, 512 KB L2; BenchmarkNet2C2D's step).
const colValues = 1 << 18

// netBuffers are the float64 counts New allocates for ops at rows rows: each op's output,
// the two gradient buffers, the im2col space, the conv weights in (kh, kw, c) order and
// their gradients; and the int32 count of the maxpools' argmax. Footprint counts the same.
func netBuffers(ops []netOp, rows int64) (floats, ints int64) {
	var widest, col int64
	for _, op := range ops {
		n := op.out.size()
		widest = max(widest, n, op.in.size())
		switch op.kind {
		case opConv:
			floats = satAdd(floats, satMul(rows, n))
			kk := satMul(op.in.c, int64(op.k*op.k))
			col = max(col, satMul(kk, satMul(op.out.h*op.out.w, convChunk(op))))
			floats = satAdd(floats, satMul(2, satMul(kk, op.out.c)))
		case opPool:
			floats = satAdd(floats, satMul(rows, n))
			ints = satAdd(ints, satMul(rows, n))
		case opDense:
			floats = satAdd(floats, satMul(rows, n))
		case opDropout:
			floats = satAdd(floats, satMul(2, satMul(rows, n)))
		case opFlatten:
			if op.permute {
				floats = satAdd(floats, satMul(rows, n))
			}
		}
	}
	floats = satAdd(floats, satAdd(satMul(2, satMul(rows, widest)), col))
	return floats, ints
}

// convChunk is the number of samples a conv unfolds at once (colValues).
func convChunk(op netOp) int64 {
	per := satMul(satMul(op.in.c, int64(op.k*op.k)), op.out.h*op.out.w)
	return min(max(colValues/max(per, 1), 1), netRows)
}

// netTensors names the parameters of ops as an nn.Sequential of the layers: list would.
func netTensors(ops []netOp) []Tensor {
	var ts []Tensor
	for _, op := range ops {
		if op.kind != opConv && op.kind != opDense {
			continue
		}
		name := fmt.Sprintf("layers.%d.", op.index)
		cols := int(op.in.c) * op.k * op.k
		var kern [2]int
		if op.kind == opDense {
			cols = int(op.in.c)
		} else {
			kern = [2]int{op.k, op.k}
		}
		ts = append(ts, Tensor{Name: name + "weight", Offset: op.w, Rows: int(op.out.c), Cols: cols, Weight: true, Kernel: kern},
			Tensor{Name: name + "bias", Offset: op.b, Rows: int(op.out.c), Cols: 1})
	}
	return ts
}

// netFootprint is Footprint of a net.
func netFootprint[T Float](s Spec, in, out, maxBatch int64) Size {
	ops, nparams, err := planNet(s, in, out)
	if err != nil { // New refuses the spec with this error: estimate nothing
		return Size{Tensors: []Tensor{}}
	}
	rows := min(max(maxBatch, 1), netRows)
	floats, ints := netBuffers(ops, rows)
	z := Size{Params: nparams, Scratch: satAdd(satMul(floats, int64(unsafe.Sizeof(T(0)))), satMul(ints, 4)), Packs: true}
	if b := gemmBufBytesOf[T](); b > 0 {
		z.Scratch = satAdd(z.Scratch, b)
	}
	if nparams < math.MaxInt64 && floats < math.MaxInt64 {
		z.Tensors = netTensors(ops)
	}
	return z
}

// initNet writes the initial parameters of ops (SPEC §7): auto is PyTorch's default of
// Conv2d and Linear, weights and biases U(±1/√fan_in) (kaiming_uniform with a = √5); xavier
// is U(±√(6/(fan_in+fan_out))), he N(0, 2/fan_in), normal N(0, 0.01²), zeros zero, all with
// every bias the constant bias (the model's init_bias), and truncated_normal is normal redrawn
// outside ±2σ (std the model's init_std, 0.01 when 0); fan_in = in·k·k and fan_out = out·k·k
// for a conv, as PyTorch counts them. Each layer draws its weights, then (auto) its bias.
func initNet(ops []netOp, how string, std, bias float64, params []float64, rng *rand.Rand) {
	if std == 0 {
		std = 0.01
	}
	clear(params)
	for _, op := range ops {
		if op.kind != opConv && op.kind != opDense {
			continue
		}
		kk := float64(op.k * op.k)
		if op.kind == opDense {
			kk = 1
		}
		fanIn, fanOut := float64(op.in.c)*kk, float64(op.out.c)*kk
		w := params[op.w:op.b]
		b := params[op.b : op.b+int(op.out.c)]
		switch how {
		case "auto":
			bound := 1 / math.Sqrt(fanIn)
			for _, v := range [][]float64{w, b} {
				for i := range v {
					v[i] = bound * (2*rng.Float64() - 1)
				}
			}
		case "xavier":
			a := math.Sqrt(6 / (fanIn + fanOut))
			for i := range w {
				w[i] = a * (2*rng.Float64() - 1)
			}
		case "he":
			sd := math.Sqrt(2 / fanIn)
			for i := range w {
				w[i] = sd * rng.NormFloat64()
			}
		case "normal":
			for i := range w {
				w[i] = std * rng.NormFloat64()
			}
		case "truncated_normal":
			for i := range w {
				z := rng.NormFloat64()
				for math.Abs(z) > 2 {
					z = rng.NormFloat64()
				}
				w[i] = std * z
			}
		}
		if how != "auto" {
			fill(b, bias)
		}
	}
}
