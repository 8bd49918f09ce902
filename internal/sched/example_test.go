package sched_test

import (
	"fmt"

	"github.com/optimbench/optimbench/internal/sched"
)

func ExampleNew() {
	// schedule: {name: step, every: 3} with optimizer.lr 0.1.
	c, err := sched.Defaults("step", 0.1, "epoch", 10)
	if err != nil {
		panic(err)
	}
	c.Every = 3
	lr, err := sched.New(c, 0.1)
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
	c, _ := sched.Defaults("cosine", 1, "epoch", 4)
	c.Warmup = 2
	lr, _ := sched.New(c, 1)
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
	bs, err := sched.NewBatch(sched.BatchConfig{Name: "step", Factor: 2, Every: 2, Max: 512}, 128, 50000)
	if err != nil {
		panic(err)
	}
	for e := range 10 {
		size, scale := bs(e)
		fmt.Println(e, size, scale)
	}
	fmt.Println("steps:", sched.Steps(bs, 50000, 10))
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
