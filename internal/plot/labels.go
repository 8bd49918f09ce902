package plot

import (
	"strings"
)

// axisLabel is the label of a curves x-axis, with its unit.
func axisLabel(x string) string {
	switch x {
	case "epoch":
		return "epoch"
	case "step":
		return "step (updates)"
	case "examples":
		return "examples seen"
	case "seconds":
		return "wall-clock time (s)"
	}
	return x
}

// metricLabel names a metrics.csv or results.csv column for a reader:
// "final_test_loss" → "final test loss". lossKind ("cross_entropy", "mse",
// "function") qualifies a loss.
func metricLabel(m, lossKind string) string {
	switch m {
	case "lr":
		return "learning rate"
	case "batch_size":
		return "batch size (samples)"
	case "seconds":
		return "wall-clock time (s)"
	}
	words := strings.Split(m, "_")
	for i, w := range words {
		switch w {
		case "acc":
			words[i] = "accuracy"
		case "train":
			words[i] = "training"
		case "subopt":
			words[i] = "suboptimality"
		}
	}
	s := strings.Join(words, " ")
	if isLoss(m) {
		switch lossKind {
		case "cross_entropy":
			s += " (cross-entropy)"
		case "mse":
			s += " (mean squared error)"
		case "function":
			s = strings.Replace(s, "training loss", "function value f(x)", 1)
		}
	}
	return s
}

// isLoss tells whether lower values of a metric are better and it may span
// decades (losses, suboptimality).
func isLoss(m string) bool {
	return strings.Contains(m, "loss") || strings.Contains(m, "subopt")
}

// higherBetter tells whether higher values of a metric are better.
func higherBetter(m string) bool {
	return strings.HasSuffix(m, "acc")
}

// lossKind returns the loss the runs share ("cross_entropy", "mse",
// "function" for test functions), or "".
func lossKind(runs []*Run) string {
	kind := ""
	for i, r := range runs {
		k := r.Params["model.loss"]
		if r.Params["problem.function"] != "" {
			k = "function"
		}
		if i > 0 && k != kind {
			return ""
		}
		kind = k
	}
	return kind
}

// commonName returns the config name the runs share, or "".
func commonName(runs []*Run) string {
	name := ""
	for i, r := range runs {
		if i > 0 && r.Name != name {
			return ""
		}
		name = r.Name
	}
	return name
}

// keyLabel names a config key on an axis.
func keyLabel(key string) string {
	switch key {
	case "optimizer.lr":
		return "learning rate (optimizer.lr)"
	case "train.batch_size":
		return "batch size (train.batch_size)"
	case "optimizer.momentum":
		return "momentum (optimizer.momentum)"
	case "optimizer.weight_decay":
		return "weight decay (optimizer.weight_decay)"
	}
	return key
}

// isLRKey tells whether a config key is a learning rate (log x by default).
func isLRKey(key string) bool {
	short := key[strings.LastIndex(key, ".")+1:]
	return short == "lr" || strings.HasSuffix(short, "_lr") || short == "eps" || short == "weight_decay"
}

// commonParam returns the value of a config key the runs share, or "".
func commonParam(runs []*Run, key string) string {
	v := runs[0].Params[key]
	for _, r := range runs[1:] {
		if r.Params[key] != v {
			return ""
		}
	}
	return v
}
