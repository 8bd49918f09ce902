package optim

import "github.com/optimbench/optimbench/internal/param"

// lbfgsEntries are L-BFGS.
var lbfgsEntries = []Entry{
	{Name: "lbfgs", LR: 1, Params: []param.Spec{
		{Key: "max_iter", Type: param.Int, Default: 20, Range: param.AtLeast(1),
			Doc: "iterations per update"},
		// 0 stands for "derived": PyTorch's max_eval=None. A key has one Go type, so the
		// derived default is the value 0, which New resolves; an explicit max_eval ≥ 1 is
		// used as given (1 stops after the first iteration, as 0 would in PyTorch).
		{Key: "max_eval", Type: param.Int, Default: 0, Derived: "max_iter·5/4, rounded down",
			Range: param.AtLeast(0),
			Doc:   "evaluations per update, the first included; 0: max_iter·5/4, rounded down"},
		{Key: "tolerance_grad", Type: param.Float, Default: 1e-7, Range: param.AtLeast(0),
			Doc: "stop when max |g| ≤ this"},
		{Key: "tolerance_change", Type: param.Float, Default: 1e-9, Range: param.AtLeast(0),
			Doc: "stop when max |t·d|, |Δloss| or −g·d is below this"},
		{Key: "history_size", Type: param.Int, Default: 100, Range: param.AtLeast(1),
			Doc: "pairs (s, y) kept for the inverse Hessian"},
		{Key: "line_search", Type: param.Enum, Default: "none", Choices: []string{"none", "strong_wolfe"},
			Doc: "none: steps of lr; strong_wolfe: PyTorch's strong-Wolfe line search from lr"}},
		Build:  both(newLBFGS[float64], newLBFGS[float32]),
		Floats: lbfgsFloats,
		Doc:    "L-BFGS (Liu & Nocedal 1989) with an optional strong-Wolfe line search; torch.optim.LBFGS (1.13)"},
}
