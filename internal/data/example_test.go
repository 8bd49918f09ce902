package data_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/optimbench/optimbench/internal/data"
)

// An epoch of minibatches over a synthetic classification problem, as the training loop reads
// it: a split, standardization with training statistics, then Gather into reused buffers.
func Example() {
	rng := rand.New(rand.NewPCG(1, 2))
	set, err := data.Synthetic("blobs", 1000, 2, 3, 0.1, rng)
	if err != nil {
		fmt.Println(err)
		return
	}
	train, test := data.Split(set, 0.2, rng)
	data.Standardize(train, test)
	fmt.Println("train", train.N, "test", test.N, "classes", train.Classes, train.Labels)

	const size = 128
	x, y := make([]float64, size*train.D), make([]float64, size)
	b := data.NewBatcher(train.N, true, rng)
	b.Epoch(size)
	batches, seen := 0, 0
	for idx, ok := b.Next(); ok; idx, ok = b.Next() {
		train.Gather(idx, x, y)
		batches++
		seen += len(idx)
	}
	fmt.Println("batches", batches, "of", data.Batches(train.N, size), "samples", seen)
	// Output:
	// train 800 test 200 classes 3 [0 1 2]
	// batches 7 of 7 samples 800
}

func ExampleBatcher() {
	b := data.NewBatcher(10, false, nil)
	for _, size := range []int{4, 5} {
		b.Epoch(size)
		var batches [][]int
		for idx, ok := b.Next(); ok; idx, ok = b.Next() {
			batches = append(batches, idx)
		}
		fmt.Println(batches)
	}
	// Output:
	// [[0 1 2 3] [4 5 6 7] [8 9]]
	// [[0 1 2 3 4] [5 6 7 8 9]]
}

func ExampleSynthetic_error() {
	_, err := data.Synthetic("spirals", 100, 3, 2, 0.1, rand.New(rand.NewPCG(1, 2)))
	fmt.Println(err)
	// Output:
	// features: spirals are 2-D, got 3
}
