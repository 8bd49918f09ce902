package optim

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/optimbench/optimbench/internal/param"
)

// mlpLayout is the layout of a 784-h-10 MLP: PyTorch's weight [out, in] then bias per layer.
func mlpLayout(h int) Layout {
	var l Layout
	add := func(name string, rows, cols int, matrix bool) {
		l.Tensors = append(l.Tensors, Tensor{Name: name, Offset: l.Size, Rows: rows, Cols: cols, Matrix: matrix})
		l.Size += rows * cols
	}
	add("layers.0.weight", h, 784, true)
	add("layers.0.bias", h, 1, false)
	add("layers.1.weight", 10, h, true)
	add("layers.1.bias", 10, 1, false)
	return l
}

// Entry.Floats is what Build allocates, found without building: Floats·Bytes[T]() is within 1%
// (plus the small slices and structs of a few KiB) of the bytes Build allocates, for every
// optimizer in both precisions, with the keys that add state set and not.
func TestFloatsMatchBuild(t *testing.T) {
	variants := map[string][]param.Values{
		"adamw": {{"amsgrad": true}}, "rmsprop": {{"centered": true}},
		"adabelief": {{"amsgrad": true}}, "lbfgs": {{"line_search": "strong_wolfe"}, {"history_size": 7}},
	}
	for _, e := range Entries() {
		if e.Floats == nil {
			t.Errorf("%s: no Floats", e.Name)
			continue
		}
		for i, set := range append([]param.Values{{}}, variants[e.Name]...) {
			for _, l := range []Layout{mlpLayout(64), mlpLayout(300), Flat(50000)} {
				v := Defaults(e.Name)
				for k, x := range set {
					v[k] = x
				}
				for _, prec := range []struct {
					name  string
					build func() any
					bytes int64
					slack int64 // the allocator's rounding, in hundredths of what Build allocates
				}{
					{"float64", func() any { return e.Build.f64(v, l) }, Bytes[float64](), 1},
					// 50000 float32 are 200000 bytes, which Go rounds up to 25 pages of 8 KiB
					// (204800): 2.4% more for every vector.
					{"float32", func() any { return e.Build.f32(v, l) }, Bytes[float32](), 3},
				} {
					var before, after runtime.MemStats
					runtime.GC()
					runtime.ReadMemStats(&before)
					o := prec.build()
					runtime.ReadMemStats(&after)
					runtime.KeepAlive(o)
					got := int64(after.TotalAlloc - before.TotalAlloc)
					want := prec.bytes * e.Floats(v, l)
					if d := got - want; d < 0 || d > got*prec.slack/100+8<<10 {
						t.Errorf("%s %d (%s, size %d, %s): Build allocated %d bytes, Floats·Bytes says %d",
							e.Name, i, fmt.Sprint(set), l.Size, prec.name, got, want)
					}
				}
			}
		}
	}
}
