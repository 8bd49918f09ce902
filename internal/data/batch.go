package data

import (
	"fmt"
	"math/rand/v2"
)

// Batcher yields the minibatches of an epoch.
//
// Use:
//
//	b := NewBatcher(n, shuffle, rng)
//	for epoch := range epochs {
//		b.Epoch(size)
//		for idx, ok := b.Next(); ok; idx, ok = b.Next() {
//			set.Gather(idx, x, y)
//			…
//		}
//	}
type Batcher struct {
	perm    []int
	shuffle bool
	rng     *rand.Rand
	size    int
	pos     int
}

// NewBatcher prepares batches over n samples; with shuffle, each epoch is a fresh permutation
// drawn from rng (Fisher–Yates in place, no allocation per epoch); without, the order is 0..n−1.
//
// Next reports no batch until the first Epoch call. rng may be nil without shuffle.
func NewBatcher(n int, shuffle bool, rng *rand.Rand) *Batcher {
	if n < 0 {
		panic(fmt.Sprintf("data: NewBatcher: n must be >= 0, got %d", n))
	}
	if shuffle && rng == nil {
		panic("data: NewBatcher: shuffling needs a rng")
	}
	b := &Batcher{perm: make([]int, n), shuffle: shuffle, rng: rng, pos: n}
	for i := range b.perm {
		b.perm[i] = i
	}
	return b
}

// Epoch starts a new epoch (reshuffles when shuffling) and sets the batch size used for it.
//
// The permutation depends only on the state of rng, not on earlier epochs: the order is reset to
// 0..n−1 and shuffled by Fisher–Yates, for i = n−1 down to 1 swapping i with j = rng.IntN(i+1).
// A size of n or more gives one full batch; a size below 1 is a programmer error and panics.
func (b *Batcher) Epoch(size int) {
	if size < 1 {
		panic(fmt.Sprintf("data: Batcher.Epoch: batch size must be >= 1, got %d", size))
	}
	b.size = size
	b.pos = 0
	if !b.shuffle {
		return
	}
	p := b.perm
	for i := range p {
		p[i] = i
	}
	for i := len(p) - 1; i > 0; i-- {
		j := b.rng.IntN(i + 1)
		p[i], p[j] = p[j], p[i]
	}
}

// Next returns the indices of the next batch (a view into the permutation, valid until the next
// Epoch call) and false when the epoch is over. The last batch may be smaller (PyTorch
// drop_last=False). Allocates nothing.
//
// The view must not be modified.
func (b *Batcher) Next() ([]int, bool) {
	n := len(b.perm)
	if b.pos >= n {
		return nil, false
	}
	end := n
	if b.size < n-b.pos {
		end = b.pos + b.size
	}
	idx := b.perm[b.pos:end:end]
	b.pos = end
	return idx, true
}

// Batches returns ceil(n/size), the number of batches of an epoch over n samples (0 when n ≤ 0).
// A size below 1 is a programmer error and panics.
func Batches(n, size int) int {
	if size < 1 {
		panic(fmt.Sprintf("data: Batches: batch size must be >= 1, got %d", size))
	}
	if n <= 0 {
		return 0
	}
	return (n-1)/size + 1
}
