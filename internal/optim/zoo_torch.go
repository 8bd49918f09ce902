package optim

import "github.com/optimbench/optimbench/internal/param"

// torchEntries are the optimizers of PyTorch 1.13 that the lecture does not use: radam, rprop, asgd.
var torchEntries = []Entry{
	{Name: "radam", LR: 0.001, Params: []param.Spec{beta1, beta2, eps(1e-8),
		with(weightDecay, 0.0, "λ: L2 added to the gradient, g ← g + λθ (decoupled: θ ← θ(1 − lr·λ))"),
		decoupledWeightDecay},
		Build:  both(newRAdam[float64], newRAdam[float32]),
		Floats: vectors(2),
		Cycles: "beta1",
		Doc:    "RAdam, rectified Adam (Liu et al. 2020); torch.optim.RAdam"},
	{Name: "rprop", LR: 0.01, Params: []param.Spec{
		{Key: "eta_minus", Type: param.Float, Default: 0.5, Range: param.Interval(0, 1, true, true),
			Doc: "η₋, the factor on a step size when its gradient changes sign"},
		{Key: "eta_plus", Type: param.Float, Default: 1.2, Range: param.Above(1),
			Doc: "η₊, the factor on a step size when its gradient keeps its sign"},
		{Key: "step_min", Type: param.Float, Default: 1e-6, Range: param.AtLeast(0),
			Doc: "the smallest step size"},
		{Key: "step_max", Type: param.Float, Default: 50.0, Range: param.Above(0),
			Doc: "the largest step size"},
		with(weightDecay, 0.0, "λ: L2 added to the gradient, g ← g + λθ (not in PyTorch's Rprop)")},
		Check:  checkRprop,
		Build:  both(newRprop[float64], newRprop[float32]),
		Floats: vectors(2),
		Doc:    "Rprop, resilient backpropagation (Riedmiller & Braun 1993), iRprop−; torch.optim.Rprop"},
	{Name: "asgd", LR: 0.01, Params: []param.Spec{
		{Key: "lambd", Type: param.Float, Default: 1e-4, Range: param.AtLeast(0),
			Doc: "λ: the shrinking θ ← θ(1 − λη) and the decay of η = lr/(1 + λ·lr·t)^α"},
		{Key: "alpha", Type: param.Float, Default: 0.75, Range: param.AtLeast(0),
			Doc: "α, the power of the decay of η"},
		{Key: "t0", Type: param.Float, Default: 1e6, Range: param.AtLeast(0),
			Doc: "the update after which the average starts (μ = 1/max(1, t − t0))"},
		weightDecay},
		Build:  both(newASGD[float64], newASGD[float32]),
		Floats: vectors(1),
		Doc:    "ASGD, averaged SGD (Polyak & Juditsky 1992) with Bottou's rate decay; torch.optim.ASGD"},
}
