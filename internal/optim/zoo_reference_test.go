package optim

// The rows of the reference group in the shared optimizer table. signSGD (signum with momentum
// 0) has no row: its diagonal sign steps zigzag across Rosenbrock's valley without progress at
// any constant rate (at lr 1e-3 it stalls at (0.7, 0.49)); its golden cases cover it.
func init() {
	optimizersUnderTest = append(optimizersUnderTest, []struct {
		name            string
		set             map[string]any
		quadLR, rosenLR float64
	}{
		{name: "lion", quadLR: 1e-3, rosenLR: 1e-3},
		{name: "signum", quadLR: 1e-3, rosenLR: 5e-4},
		{name: "adabelief", quadLR: 0.03, rosenLR: 0.003},
		{name: "adabelief", set: map[string]any{"rectify": false, "amsgrad": true, "decoupled_weight_decay": false},
			quadLR: 0.03, rosenLR: 0.03},
		{name: "yogi", quadLR: 0.03, rosenLR: 0.03},
		{name: "adopt", quadLR: 0.03, rosenLR: 0.1},
		{name: "lars", quadLR: 1, rosenLR: 0.3},
		{name: "lamb", quadLR: 0.03, rosenLR: 0.003},
		{name: "lamb", set: map[string]any{"exclude_bias": true}, quadLR: 0.03, rosenLR: 0.03},
	}...)
}
