package optim_test

import (
	"fmt"
	"log"

	"github.com/optimbench/optimbench/internal/optim"
)

// Minimize f(x) = (x₁ − 3)² + 10(x₂ + 1)² with Adam at lr 0.1, starting from the defaults.
func Example() {
	defaults, err := optim.Defaults("adam")
	if err != nil {
		log.Fatal(err)
	}
	var h optim.Hyper
	for key, v := range defaults {
		if err := h.Apply(key, v); err != nil {
			log.Fatal(err)
		}
	}
	if err := h.Apply("lr", 0.1); err != nil {
		log.Fatal(err)
	}
	x := []float64{0, 0}
	opt, err := optim.New("adam", h, len(x))
	if err != nil {
		log.Fatal(err)
	}
	grad := make([]float64, len(x))
	for t := 1; t <= 500; t++ {
		grad[0] = 2 * (x[0] - 3)
		grad[1] = 20 * (x[1] + 1)
		opt.Step(x, grad, t, h.LR) // a schedule would pass lr(t) here
	}
	fmt.Printf("x = (%.4f, %.4f)\n", x[0], x[1])
	// Output: x = (3.0000, -1.0000)
}

func ExampleNew_invalid() {
	_, err := optim.New("adam", optim.Hyper{LR: 0.001, Beta1: 0.9, Beta2: 1}, 10)
	fmt.Println("optimizer." + err.Error())
	// Output: optimizer.beta2: must be in [0, 1), got 1
}
