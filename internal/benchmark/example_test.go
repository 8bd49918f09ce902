package benchmark_test

import (
	"fmt"
	"math"

	"github.com/optimbench/optimbench/internal/benchmark"
)

func ExampleHalton() {
	for i := 1; i <= 4; i++ {
		fmt.Println(benchmark.Halton(i, 2))
	}
	// Output:
	// [0.5 0.3333333333333333]
	// [0.25 0.6666666666666666]
	// [0.75 0.1111111111111111]
	// [0.125 0.4444444444444444]
}

func ExamplePerformanceProfile() {
	// epochs to the target: on p1 sgd takes 8 and adam 4; on p2 adam never gets there
	times := [][]float64{{8, 4}, {5, math.Inf(1)}}
	pr := benchmark.PerformanceProfile([]string{"p1", "p2"}, []string{"sgd", "adam"}, times, 3)
	fmt.Println("tau", pr.Tau)
	for _, c := range pr.Rho {
		fmt.Println(c.Optimizer, c.Rho)
	}
	// Output:
	// tau [1 1.5 2]
	// sgd [0.5 0.5 1]
	// adam [0.5 0.5 0.5]
}

func ExampleBudgetCurve() {
	// final test losses of three tuning trials, the second diverged: the best of k = 2 draws
	// is 0.2 with probability 5/9, 0.4 with 3/9, none with 1/9, so E = (5·0.2 + 3·0.4)/8
	scores := []benchmark.Num{0.4, benchmark.NaN(), 0.2}
	for _, p := range benchmark.BudgetCurve(scores, false, 100000, 1, "p/opt") {
		fmt.Printf("k=%d expected %.4f bootstrap %.2f, no value in %.2f of the draws\n", p.K, float64(p.Expected), float64(p.Mean), p.PDiverged)
	}
	// Output:
	// k=1 expected 0.3000 bootstrap 0.30, no value in 0.33 of the draws
	// k=2 expected 0.2750 bootstrap 0.27, no value in 0.11 of the draws
	// k=3 expected 0.2538 bootstrap 0.25, no value in 0.04 of the draws
}
