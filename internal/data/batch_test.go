package data

import (
	"slices"
	"testing"
)

// epochBatches runs one epoch and returns copies of its batches.
func epochBatches(b *Batcher, size int) [][]int {
	b.Epoch(size)
	var out [][]int
	for idx, ok := b.Next(); ok; idx, ok = b.Next() {
		out = append(out, slices.Clone(idx))
	}
	return out
}

func TestBatcherCoverage(t *testing.T) {
	for _, shuffle := range []bool{false, true} {
		for _, tt := range []struct{ n, size int }{{10, 3}, {10, 5}, {10, 10}, {10, 64}, {1, 1}, {7, 1}} {
			b := NewBatcher(tt.n, shuffle, newRand(1))
			for epoch := range 3 {
				batches := epochBatches(b, tt.size)
				if len(batches) != Batches(tt.n, tt.size) {
					t.Errorf("n %d size %d: %d batches, want %d", tt.n, tt.size, len(batches), Batches(tt.n, tt.size))
				}
				var all []int
				for i, idx := range batches {
					want := tt.size
					if i == len(batches)-1 {
						want = tt.n - tt.size*(len(batches)-1)
					}
					if len(idx) != want {
						t.Errorf("n %d size %d epoch %d batch %d: %d indices, want %d", tt.n, tt.size, epoch, i, len(idx), want)
					}
					all = append(all, idx...)
				}
				if !shuffle && !slices.IsSorted(all) {
					t.Errorf("unshuffled order %v, want 0..n−1", all)
				}
				slices.Sort(all)
				for i, v := range all {
					if v != i {
						t.Fatalf("n %d size %d shuffle %v epoch %d: indices %v, want each of 0..%d once",
							tt.n, tt.size, shuffle, epoch, all, tt.n-1)
					}
				}
			}
		}
	}
}

func TestBatcherPartialLastBatch(t *testing.T) {
	got := epochBatches(NewBatcher(10, false, nil), 4)
	want := [][]int{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}}
	if !slices.EqualFunc(got, want, slices.Equal[[]int]) {
		t.Errorf("batches %v, want %v", got, want)
	}
}

func TestBatcherBeforeEpoch(t *testing.T) {
	if idx, ok := NewBatcher(5, false, nil).Next(); ok {
		t.Errorf("Next before Epoch = %v, true; want false", idx)
	}
	if idx, ok := NewBatcher(0, false, nil).Next(); ok {
		t.Errorf("Next over 0 samples = %v, true; want false", idx)
	}
}

func TestBatcherDeterminism(t *testing.T) {
	a, b, c := NewBatcher(50, true, newRand(1)), NewBatcher(50, true, newRand(1)), NewBatcher(50, true, newRand(2))
	var epochsA [][][]int
	for range 3 {
		ea, eb, ec := epochBatches(a, 8), epochBatches(b, 8), epochBatches(c, 8)
		if !slices.EqualFunc(ea, eb, slices.Equal[[]int]) {
			t.Error("same seed gave different batches")
		}
		if slices.EqualFunc(ea, ec, slices.Equal[[]int]) {
			t.Error("different seeds gave the same batches")
		}
		epochsA = append(epochsA, ea)
	}
	if slices.EqualFunc(epochsA[0], epochsA[1], slices.Equal[[]int]) {
		t.Error("two epochs had the same order")
	}
	// The batch size may change between epochs without changing the permutation.
	d, e := NewBatcher(50, true, newRand(1)), NewBatcher(50, true, newRand(1))
	if !slices.Equal(slices.Concat(epochBatches(d, 7)...), slices.Concat(epochBatches(e, 50)...)) {
		t.Error("the batch size changed the permutation")
	}
}

func TestBatcherAllocs(t *testing.T) {
	b := NewBatcher(1000, true, newRand(1))
	sum := 0
	allocs := testing.AllocsPerRun(20, func() {
		b.Epoch(32)
		for idx, ok := b.Next(); ok; idx, ok = b.Next() {
			sum += len(idx)
		}
	})
	if allocs != 0 {
		t.Errorf("Epoch+Next loop: %v allocations, want 0", allocs)
	}
	if sum != 21*1000 {
		t.Errorf("saw %d indices over 21 epochs, want %d", sum, 21*1000)
	}
}

func TestGather(t *testing.T) {
	s := indexSet(6)
	x := make([]float64, 3*2+2) // longer than needed
	y := make([]float64, 4)
	x[6], y[3] = -7, -7
	s.Gather([]int{4, 0, 4}, x, y)
	if want := []float64{4, 40, 0, 0, 4, 40, -7, 0}; !slices.Equal(x, want) {
		t.Errorf("x = %v, want %v", x, want)
	}
	if want := []float64{4, 0, 4, -7}; !slices.Equal(y, want) {
		t.Errorf("y = %v, want %v", y, want)
	}
	idx := []int{5, 1, 2}
	if allocs := testing.AllocsPerRun(100, func() { s.Gather(idx, x, y) }); allocs != 0 {
		t.Errorf("Gather: %v allocations, want 0", allocs)
	}
}

func TestBatches(t *testing.T) {
	for _, tt := range []struct{ n, size, want int }{
		{0, 5, 0}, {1, 5, 1}, {10, 5, 2}, {11, 5, 3}, {60000, 128, 469}, {5, 1, 5},
	} {
		if got := Batches(tt.n, tt.size); got != tt.want {
			t.Errorf("Batches(%d, %d) = %d, want %d", tt.n, tt.size, got, tt.want)
		}
	}
}

func BenchmarkGather(b *testing.B) {
	const n, d, size = 10000, 784, 128
	s := &Set{X: make([]float64, n*d), Y: make([]float64, n), N: n, D: d}
	for i := range s.X {
		s.X[i] = float64(i % 255)
	}
	batcher := NewBatcher(n, true, newRand(1))
	batcher.Epoch(size)
	idx, _ := batcher.Next()
	x, y := make([]float64, size*d), make([]float64, size)
	b.ReportAllocs()
	b.SetBytes(size * d * 8)
	for b.Loop() {
		s.Gather(idx, x, y)
	}
}

func BenchmarkEpoch(b *testing.B) {
	batcher := NewBatcher(60000, true, newRand(1))
	b.ReportAllocs()
	for b.Loop() {
		batcher.Epoch(128)
		for _, ok := batcher.Next(); ok; _, ok = batcher.Next() {
		}
	}
}
