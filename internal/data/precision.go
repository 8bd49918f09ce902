package data

// The rows of a Set in the precision of a model: float64 reads them as Gather and Rows do;
// float32 converts them per batch, each value rounded once to float32, and a byte p of an
// image as float32(p)/float32(PixMax), what PyTorch's ToTensor gives in float32. The Set
// itself stays in float64 (or bytes) and needs no second copy: the conversion runs with AVX2
// (convert32_amd64.s) at about the speed of the float64 gather (BenchmarkGatherOf).

// Float is the precision of a batch.
type Float interface{ float32 | float64 }

// GatherOf is Gather into buffers of precision T.
func GatherOf[T Float](s *Set, idx []int, x, y []T) {
	if xs, ok := any(x).([]float64); ok {
		s.Gather(idx, xs, any(y).([]float64))
		return
	}
	x32, y32 := any(x).([]float32), any(y).([]float32)
	d := s.D
	x32 = x32[:len(idx)*d]
	y32 = y32[:len(idx)]
	for i, r := range idx {
		s.rows32(r, 1, x32[i*d:(i+1)*d])
		y32[i] = float32(s.Y[r])
	}
}

// RowsOf is Rows in precision T: float64 as Rows; float32 always converts into buf (n·D).
func RowsOf[T Float](s *Set, i, n int, buf []T) []T {
	if b, ok := any(buf).([]float64); ok {
		return any(s.Rows(i, n, b)).([]T)
	}
	out := buf[:n*s.D]
	s.rows32(i, n, any(out).([]float32))
	return out
}

// LabelsOf returns the targets of rows [i, i+n) in precision T: a view of Y in float64, buf
// (at least n) converted otherwise.
func LabelsOf[T Float](s *Set, i, n int, buf []T) []T {
	if _, ok := any(buf).([]float64); ok {
		return any(s.Y[i : i+n : i+n]).([]T)
	}
	out := buf[:n]
	narrow32(any(out).([]float32), s.Y[i:i+n])
	return out
}

// rows32 writes rows [i, i+n) of s into dst (n·D) in float32.
func (s *Set) rows32(i, n int, dst []float32) {
	d := s.D
	if s.Pix == nil {
		narrow32(dst, s.X[i*d:(i+n)*d])
		return
	}
	bytesTo32(dst, s.Pix[i*d:(i+n)*d], float32(s.PixMax))
}

// bytesTo32Go writes float32(p)/scale for each byte p of src into dst (same length);
// bytesTo32 (convert32_*.go) is this with vector instructions where the CPU has them.
func bytesTo32Go(dst []float32, src []uint8, scale float32) {
	dst = dst[:len(src)]
	for j, p := range src {
		dst[j] = float32(p) / scale
	}
}

// narrow32Go writes float32(v) for each v of src into dst (same length).
func narrow32Go(dst []float32, src []float64) {
	dst = dst[:len(src)]
	for j, v := range src {
		dst[j] = float32(v)
	}
}
