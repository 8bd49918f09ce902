package model_test

import (
	"fmt"

	"github.com/optimbench/optimbench/internal/model"
)

// A conv net's parameters are named and shaped as PyTorch's nn.Sequential of the same layers
// would name them: a conv weight [out, in, kh, kw] is the out × (in·kh·kw) matrix.
func ExampleNew_net() {
	s := model.Spec{Kind: "net", Loss: "cross_entropy", Input: []int{1, 28, 28}, Layers: []model.Layer{
		{Kind: "conv", Size: 8, Kernel: 5, Padding: "same"},
		{Kind: "maxpool", Size: 2},
		{Kind: "dropout", P: 0.25},
		{Kind: "dense", Size: 10},
	}}
	m, err := model.New(s, 784, 10, 64)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range m.Tensors() {
		fmt.Println(t.Name, t.Rows, t.Cols, t.Kernel)
	}
	fmt.Println(m.NumParams(), "parameters")
	_, err = model.New(model.Spec{Kind: "net", Loss: "cross_entropy", Input: []int{1, 28, 28},
		Layers: []model.Layer{{Kind: "conv", Size: 8, Kernel: 29}, {Kind: "dense", Size: 10}}}, 784, 10, 64)
	fmt.Println(err)
	// Output:
	// layers.0.weight 8 25 [5 5]
	// layers.0.bias 8 1 [0 0]
	// layers.3.weight 10 1568 [0 0]
	// layers.3.bias 10 1 [0 0]
	// 15898 parameters
	// layers[0].kernel: 29 is larger than its input of 28×28
}
