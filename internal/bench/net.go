package bench

import "github.com/optimbench/optimbench/internal/model"

// TwoC2D is DeepOBS's fmnist_2c2d (deepobs/pytorch/testproblems/testproblems_modules.py,
// net_cifar10_2c2d's layout on 1×28×28 images): conv 32 5×5 same, ReLU, maxpool 2, conv 64
// 5×5 same, ReLU, maxpool 2, dense 1024, ReLU, dense 10, with softmax cross-entropy; 3.3
// million parameters, 3136 features into the first dense layer.
func TwoC2D() model.Spec {
	return model.Spec{Kind: "net", Loss: "cross_entropy", Activation: "relu", Input: []int{1, 28, 28},
		Layers: []model.Layer{
			{Kind: "conv", Size: 32, Kernel: 5, Padding: "same"},
			{Kind: "maxpool", Size: 2},
			{Kind: "conv", Size: 64, Kernel: 5, Padding: "same"},
			{Kind: "maxpool", Size: 2},
			{Kind: "dense", Size: 1024},
			{Kind: "dense", Size: 10},
		}}
}
