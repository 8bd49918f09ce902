package sched_test

import (
	"fmt"

	"github.com/optimbench/optimbench/internal/param"
	"github.com/optimbench/optimbench/internal/sched"
)

func ExampleNew() {
	// schedule: {name: step, every: 3} with optimizer.lr 0.1.
	c := sched.Config{Name: "step", LR: 0.1, Params: param.Values{"every": 3}}
	lr, err := sched.New(c, 10)
	if err != nil {
		panic(err)
	}
	for t := range 8 {
		fmt.Printf("%d %g\n", t, lr(t))
	}
	// Output:
	// 0 0.1
	// 1 0.1
	// 2 0.1
	// 3 0.05
	// 4 0.05
	// 5 0.05
	// 6 0.025
	// 7 0.025
}

func ExampleNew_warmup() {
	// A cosine's period defaults to the run length after the warm-up: 6 − 2 epochs.
	lr, _ := sched.New(sched.Config{Name: "cosine", Warmup: 2, LR: 1}, 6)
	for t := range 7 {
		fmt.Printf("%d %.3f\n", t, lr(t))
	}
	// Output:
	// 0 0.500
	// 1 1.000
	// 2 1.000
	// 3 0.854
	// 4 0.500
	// 5 0.146
	// 6 0.000
}

func ExampleNewBatch() {
	// Smith et al. 2017: double the batch every 2 epochs up to 512, then halve lr instead.
	bs, err := sched.NewBatch(sched.BatchConfig{Name: "step", Params: param.Values{"factor": 2.0, "every": 2, "max": 512}}, 128, 50000)
	if err != nil {
		panic(err)
	}
	for e := range 10 {
		size, scale := bs(e)
		fmt.Println(e, size, scale)
	}
	steps, _ := sched.Steps(bs, 50000, 10)
	fmt.Println("steps:", steps)
	// Output:
	// 0 128 1
	// 1 128 1
	// 2 256 1
	// 3 256 1
	// 4 512 1
	// 5 512 1
	// 6 512 0.5
	// 7 512 0.5
	// 8 512 0.25
	// 9 512 0.25
	// steps: 1762
}
