package model_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/optimbench/optimbench/internal/model"
)

// A softmax regression on three 2-D points: the loss at zero parameters is log 3, and a few
// gradient steps fit the labels.
func ExampleNew() {
	m, err := model.New(model.Spec{Kind: "linear", Loss: "cross_entropy", Init: "auto"}, 2, 3, 3)
	if err != nil {
		panic(err)
	}
	x := []float64{
		1, 0,
		0, 1,
		-1, -1,
	}
	y := []float64{0, 1, 2}
	params := make([]float64, m.NumParams()) // 3×2 weights, then 3 biases
	grad := make([]float64, m.NumParams())
	m.Init(params, rand.New(rand.NewPCG(1, 2))) // auto: zeros for linear

	fmt.Printf("%d parameters, initial loss %.4f\n", m.NumParams(), m.LossGrad(params, x, y, 3, grad))
	for range 100 {
		m.LossGrad(params, x, y, 3, grad)
		for i := range params {
			params[i] -= 0.5 * grad[i]
		}
	}
	loss, correct := m.Eval(params, x, y, 3)
	fmt.Printf("after 100 steps: mean loss %.4f, %d of 3 correct\n", loss/3, correct)
	// Output:
	// 9 parameters, initial loss 1.0986
	// after 100 steps: mean loss 0.0284, 3 of 3 correct
}

func ExampleNewFunction() {
	f, err := model.NewFunction("rosenbrock", 2, nil)
	if err != nil {
		panic(err)
	}
	x := model.DefaultStart("rosenbrock")
	grad := make([]float64, f.Dim())
	f.Grad(grad, x)
	fmt.Println("f", x, "=", f.Value(x), "gradient", grad, "minima", f.Minima())

	_, err = model.NewFunction("rosenbrock", 3, nil)
	fmt.Println(err)
	// Output:
	// f [-1.5 2] = 12.5 gradient [-155 -50] minima [[1 1]]
	// start: rosenbrock is 2-D, got 3 values
}
