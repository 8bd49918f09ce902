package optim_test

import (
	"fmt"
	"log"

	"github.com/optimbench/optimbench/internal/optim"
)

// Minimize f(x) = (x₁ − 3)² + 10(x₂ + 1)² with Adam at lr 0.1, starting from the defaults.
func Example() {
	x := []float64{0, 0}
	opt, err := optim.New("adam", optim.Defaults("adam"), optim.Flat(len(x)))
	if err != nil {
		log.Fatal(err)
	}
	grad := make([]float64, len(x))
	for t := 1; t <= 500; t++ {
		grad[0] = 2 * (x[0] - 3)
		grad[1] = 20 * (x[1] + 1)
		opt.Step(x, grad, t, 0.1) // a schedule would pass lr(t) here
	}
	fmt.Printf("x = (%.4f, %.4f)\n", x[0], x[1])
	// Output: x = (3.0000, -1.0000)
}

func ExampleNew_invalid() {
	_, err := optim.New("adam", map[string]any{"beta2": 1.0}, optim.Flat(10))
	fmt.Println("optimizer." + err.Error())
	// Output: optimizer.beta2: must be in [0, 1), got 1
}

// The same minimization in float32: parameters, gradient and Adam's moments are []float32, and
// the optimizer's state takes Floats values of Bytes[float32]() bytes each.
func ExampleNewOf() {
	x := []float32{0, 0}
	opt, err := optim.NewOf[float32]("adam", nil, optim.Flat(len(x)))
	if err != nil {
		log.Fatal(err)
	}
	grad := make([]float32, len(x))
	for t := 1; t <= 500; t++ {
		grad[0] = 2 * (x[0] - 3)
		grad[1] = 20 * (x[1] + 1)
		opt.Step(x, grad, t, 0.1)
	}
	e, _ := optim.Lookup("adam")
	fmt.Printf("x = (%.4f, %.4f), state %d bytes\n", x[0], x[1], e.Floats(nil, optim.Flat(len(x)))*optim.Bytes[float32]())
	// Output: x = (3.0000, -1.0000), state 16 bytes
}
