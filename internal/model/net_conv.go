package model

import (
	"math"

	"gonum.org/v1/gonum/blas"
)

const (
	blasTrans   = blas.Trans
	blasNoTrans = blas.NoTrans
)

// A conv is one matrix product over all output positions of a chunk of samples (im2col): the
// unfolded input col has a row per output position (sample, oh, ow) and a column per weight
// (kh, kw, c); the output, HWC, is col·Wᵀ plus the bias, and its gradients are
// dW = dzᵀ·col and dcol = dz·W, folded back onto the input (col2im). The columns are in
// (kh, kw, c) order, not PyTorch's (c, kh, kw), so that an HWC input unfolds by copying runs
// of k·C contiguous values; the weights are permuted to that order once per call
// (permuteWeights) and their gradient back (unpermuteGrads).

// strides are the offsets of one step in c, h and w of a sample of shape sh stored HWC or CHW.
func strides(sh shape, hwc bool) (sc, shh, sw int) {
	if hwc {
		return 1, int(sh.w * sh.c), int(sh.c)
	}
	return int(sh.h * sh.w), int(sh.w), 1
}

// permuteWeights writes each conv's weights in (kh, kw, c) order into m.wp.
func (m *cnetOf[T]) permuteWeights(params []T) {
	for i, op := range m.ops {
		if op.kind != opConv {
			continue
		}
		c, kk := int(op.in.c), op.k*op.k
		w, wp := params[op.w:op.b], m.wp[i]
		if !op.permute {
			copy(wp, w)
			continue
		}
		for o := range int(op.out.c) {
			src, dst := w[o*c*kk:(o+1)*c*kk], wp[o*c*kk:(o+1)*c*kk]
			for ci := range c {
				for p := range kk {
					dst[p*c+ci] = src[ci*kk+p]
				}
			}
		}
	}
}

// unpermuteGrads writes each conv's weight gradient from m.gwp into grad, in PyTorch's order.
func (m *cnetOf[T]) unpermuteGrads(grad []T) {
	for i, op := range m.ops {
		if op.kind != opConv {
			continue
		}
		c, kk := int(op.in.c), op.k*op.k
		g, gp := grad[op.w:op.b], m.gwp[i]
		if !op.permute {
			copy(g, gp)
			continue
		}
		for o := range int(op.out.c) {
			src, dst := gp[o*c*kk:(o+1)*c*kk], g[o*c*kk:(o+1)*c*kk]
			for ci := range c {
				for p := range kk {
					dst[ci*kk+p] = src[p*c+ci]
				}
			}
		}
	}
}

// im2col unfolds ns samples of a (op.in each, layout op.hwc) into col ((ns·Ho·Wo) × K), the
// padding as zeros. An HWC input (or one channel, where CHW is the same) copies each window
// row's run of k·C values.
func im2col[T Float](op *netOp, a []T, ns int, col []T) {
	c, k := int(op.in.c), op.k
	ho, wo := int(op.out.h), int(op.out.w)
	h, w := int(op.in.h), int(op.in.w)
	sc, sh, sw := strides(op.in, op.hwc)
	isz, kc := int(op.in.size()), k*int(op.in.c)
	kk := k * kc
	col = col[:ns*ho*wo*kk]
	runs := op.hwc || c == 1
	for s := range ns {
		x := a[s*isz : (s+1)*isz]
		for oh := range ho {
			rows := col[(s*ho+oh)*wo*kk : (s*ho+oh+1)*wo*kk]
			for kh := range k {
				ih := oh*op.s - op.pt + kh
				if ih < 0 || ih >= h {
					for ow := range wo {
						clear(rows[ow*kk+kh*kc : ow*kk+(kh+1)*kc])
					}
					continue
				}
				for ow := range wo {
					iw0 := ow*op.s - op.pl
					kw0, kw1 := max(0, -iw0), min(k, w-iw0)
					d := rows[ow*kk+kh*kc : ow*kk+(kh+1)*kc]
					if kw0 >= kw1 {
						clear(d)
						continue
					}
					if kw0 > 0 || kw1 < k {
						clear(d[:kw0*c])
						clear(d[kw1*c:])
					}
					if runs {
						src := x[ih*sh+(iw0+kw0)*sw : ih*sh+(iw0+kw1)*sw]
						copyRun(d[kw0*c:kw1*c], src)
						continue
					}
					for kw := kw0; kw < kw1; kw++ {
						base := ih*sh + (iw0+kw)*sw
						for ci := range c {
							d[kw*c+ci] = x[base+ci*sc]
						}
					}
				}
			}
		}
	}
}

// copyRun is copy for the short runs of im2col (5 values for a 5×5 kernel on one channel),
// where calling memmove costs more than the loop.
func copyRun[T Float](d, src []T) {
	if len(d) >= 16 {
		copy(d, src)
		return
	}
	src = src[:len(d)]
	for i, v := range src {
		d[i] = v
	}
}

// col2im sets da (ns samples of op.in) to the sum, over the output positions, of the rows of
// dcol folded back onto the inputs they were unfolded from.
func col2im[T Float](op *netOp, dcol []T, ns int, da []T) {
	c, k := int(op.in.c), op.k
	ho, wo := int(op.out.h), int(op.out.w)
	h, w := int(op.in.h), int(op.in.w)
	sc, sh, sw := strides(op.in, op.hwc)
	isz, kc := int(op.in.size()), k*int(op.in.c)
	clear(da[:ns*isz])
	row := 0
	for s := range ns {
		x := da[s*isz : (s+1)*isz]
		for oh := range ho {
			for ow := range wo {
				src := dcol[row*k*kc : (row+1)*k*kc]
				row++
				iw0 := ow*op.s - op.pl
				kw0, kw1 := max(0, -iw0), min(k, w-iw0)
				for kh := range k {
					ih := oh*op.s - op.pt + kh
					if ih < 0 || ih >= h || kw0 >= kw1 {
						continue
					}
					d := src[kh*kc : (kh+1)*kc]
					if op.hwc {
						base := ih*sh + (iw0+kw0)*sw
						dx := x[base : base+(kw1-kw0)*c]
						for j, v := range d[kw0*c : kw1*c] {
							dx[j] += v
						}
						continue
					}
					for kw := kw0; kw < kw1; kw++ {
						base := ih*sh + (iw0+kw)*sw
						for ci := range c {
							x[base+ci*sc] += d[kw*c+ci]
						}
					}
				}
			}
		}
	}
}

// convForward sets y (rows samples, HWC) to the activated conv of a, chunk by chunk.
func (m *cnetOf[T]) convForward(op *netOp, wp, b, a, y []T, rows int) {
	kk := int(op.in.c) * op.k * op.k
	hw, co := int(op.out.h*op.out.w), int(op.out.c)
	isz, chunk := int(op.in.size()), int(convChunk(*op))
	for s0 := 0; s0 < rows; s0 += chunk {
		ns := min(chunk, rows-s0)
		col := m.col[:ns*hw*kk]
		m.perSample(netJob[T]{kind: jobIm2col, op: op, a: a[s0*isz : (s0+ns)*isz], b: col}, ns, isz, hw*kk, 0)
		denseForward(m.buf, m.sbuf, ns*hw, kk, co, col, wp, b, y[s0*hw*co:(s0+ns)*hw*co])
	}
	per := hw * co
	m.perSample(netJob[T]{kind: jobAct, act: op.act, a: y, b: y}, rows, per, per, 0)
}

// convBackward takes dz = d(loss)/d(pre-activation) (rows samples, HWC) to the gradients of
// the permuted weights (gwp, added to when acc is set) and of the bias (gb), and, unless first,
// to da = d(loss)/d(input).
func (m *cnetOf[T]) convBackward(op *netOp, wp, gwp, gb, a, dz, da []T, rows int, acc, first bool) {
	kk := int(op.in.c) * op.k * op.k
	hw, co := int(op.out.h*op.out.w), int(op.out.c)
	isz, chunk := int(op.in.size()), int(convChunk(*op))
	for s0 := 0; s0 < rows; s0 += chunk {
		ns := min(chunk, rows-s0)
		col := m.col[:ns*hw*kk]
		m.perSample(netJob[T]{kind: jobIm2col, op: op, a: a[s0*isz : (s0+ns)*isz], b: col}, ns, isz, hw*kk, 0)
		dzc := dz[s0*hw*co : (s0+ns)*hw*co]
		if !acc && s0 == 0 {
			denseGradW(m.buf, m.sbuf, ns*hw, kk, co, dzc, col, gwp)
		} else {
			gemmOf(m.buf, m.sbuf, blasTrans, blasNoTrans, co, kk, ns*hw, dzc, co, col, kk, 1, gwp, kk)
		}
		if !first {
			denseGradX(m.buf, m.sbuf, ns*hw, kk, co, dzc, wp, col)
			m.perSample(netJob[T]{kind: jobCol2im, op: op, a: col, b: da[s0*isz : (s0+ns)*isz]}, ns, hw*kk, isz, 0)
		}
	}
	addColSums(rows*hw, co, dz, gb, acc)
}

// poolForward sets y to the maxima of the windows of a (layout op.hwc, kept) and arg to the
// index of each maximum in its sample's input: the first in (kh, kw) order among equal values,
// a NaN over any number, as PyTorch's max_pool2d picks it.
func poolForward[T Float](op *netOp, a, y []T, arg []int32, rows int) {
	in, out := op.in, op.out
	isz, osz := int(in.size()), int(out.size())
	isc, ish, isw := strides(in, op.hwc)
	osc, osh, osw := strides(out, op.hwc)
	if op.hwc {
		poolHWC(op, a, y, arg, rows)
		return
	}
	for s := range rows {
		x, ys, as := a[s*isz:(s+1)*isz], y[s*osz:(s+1)*osz], arg[s*osz:(s+1)*osz]
		for oh := range int(out.h) {
			for ow := range int(out.w) {
				for c := range int(out.c) {
					i0 := c*isc + oh*op.s*ish + ow*op.s*isw
					mx, bi := x[i0], i0
					for kh := range op.k {
						for kw := range op.k {
							i := i0 + kh*ish + kw*isw
							if v := x[i]; v > mx || (v != v && mx == mx) {
								mx, bi = v, i
							}
						}
					}
					o := c*osc + oh*osh + ow*osw
					ys[o], as[o] = mx, int32(bi)
				}
			}
		}
	}
}

// poolHWC is poolForward on HWC samples: each output position takes the elementwise maxima
// of the C-vectors of its window, in (kh, kw) order, the same picks as the general loop.
func poolHWC[T Float](op *netOp, a, y []T, arg []int32, rows int) {
	in, out := op.in, op.out
	isz, osz := int(in.size()), int(out.size())
	c, w := int(in.c), int(in.w)
	for s := range rows {
		x, ys, as := a[s*isz:(s+1)*isz], y[s*osz:(s+1)*osz], arg[s*osz:(s+1)*osz]
		for oh := range int(out.h) {
			for ow := range int(out.w) {
				o := (oh*int(out.w) + ow) * c
				mx, am := ys[o:o+c], as[o:o+c]
				i0 := (oh*op.s*w + ow*op.s) * c
				copy(mx, x[i0:i0+c])
				for ci := range am {
					am[ci] = int32(i0 + ci)
				}
				for kh := range op.k {
					for kw := range op.k {
						i := i0 + (kh*w+kw)*c
						if kh+kw == 0 {
							continue
						}
						for ci, v := range x[i : i+c] {
							if v > mx[ci] || (v != v && mx[ci] == mx[ci]) {
								mx[ci], am[ci] = v, int32(i+ci)
							}
						}
					}
				}
			}
		}
	}
}

// poolBackward sets da (rows samples of isz) to dy routed to the maxima the forward pass
// picked (added where windows overlap).
func poolBackward[T Float](dy []T, arg []int32, da []T, rows, isz int) {
	clear(da[:rows*isz])
	osz := len(dy) / rows
	for s := range rows {
		x := da[s*isz : (s+1)*isz]
		for o, v := range dy[s*osz : (s+1)*osz] {
			x[arg[s*osz+o]] += v
		}
	}
}

// hwcToCHW copies rows samples of shape sh from HWC order (a) to CHW order (y): flatten's
// C, H, W order, as PyTorch's nn.Flatten of an NCHW tensor.
func hwcToCHW[T Float](sh shape, a, y []T, rows int) {
	c, hw, sz := int(sh.c), int(sh.h*sh.w), int(sh.size())
	for s := range rows {
		src, dst := a[s*sz:(s+1)*sz], y[s*sz:(s+1)*sz]
		for p := range hw {
			for ci, v := range src[p*c : p*c+c] {
				dst[ci*hw+p] = v
			}
		}
	}
}

// chwToHWC is the inverse of hwcToCHW.
func chwToHWC[T Float](sh shape, dy, da []T, rows int) {
	c, hw, sz := int(sh.c), int(sh.h*sh.w), int(sh.size())
	for s := range rows {
		src, dst := dy[s*sz:(s+1)*sz], da[s*sz:(s+1)*sz]
		for p := range hw {
			d := dst[p*c : p*c+c]
			for ci := range d {
				d[ci] = src[ci*hw+p]
			}
		}
	}
}

// netMaxValues is the largest tensor of one sample a net may have: maxpool records its
// maxima as int32 indices.
const netMaxValues = math.MaxInt32
