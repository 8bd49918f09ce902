package optim

import "github.com/optimbench/optimbench/internal/param"

// The keys of the schedule-free methods' averaging, declared once for both.
var (
	warmupSteps = param.Spec{Key: "warmup_steps", Type: param.Int, Default: 0, Range: param.AtLeast(0),
		Doc: "the method's own linear warm-up: lr·min(1, (k+1)/warmup_steps) at step k"}
	averageR = param.Spec{Key: "r", Type: param.Float, Default: 0.0, Range: param.AtLeast(0),
		Doc: "the average's polynomial weighting: step k weighs (k+1)^r"}
	weightLRPower = param.Spec{Key: "weight_lr_power", Type: param.Float, Default: 2.0, Range: param.AtLeast(0),
		Doc: "the average's weights grow as lr_max^weight_lr_power"}
	betaOpen = param.Interval(0, 1, true, true)
)

// scheduleFreeEntries are the schedule-free methods and the others that need the loop's
// optional parts: an evaluation point of their own (Evaluator), a second rate (BaseRater) or the
// tensors of the layout.
var scheduleFreeEntries = []Entry{
	{Name: "sgd_schedulefree", LR: 1.0, Params: []param.Spec{
		with(momentum, 0.9, "β, the interpolation y = βx + (1−β)z; 0 < β < 1"),
		with(weightDecay, 0.0, "λ: L2 added to the gradient at y, g ← g + λy"),
		warmupSteps, averageR, weightLRPower},
		Check:  func(v param.Values) error { return inOpen(v, "momentum") },
		Build:  both(newSGDScheduleFree[float64], newSGDScheduleFree[float32]),
		Floats: vectors(2),
		Doc:    "schedule-free SGD (Defazio et al. 2024); facebookresearch/schedule_free SGDScheduleFreeReference"},
	{Name: "adamw_schedulefree", LR: 0.0025, Params: []param.Spec{
		with(beta1, 0.9, "β₁, the interpolation y = β₁x + (1−β₁)z"), beta2, eps(1e-8),
		with(weightDecay, 0.0, "λ, decoupled at y: z ← z − lr·λ·y"),
		warmupSteps, averageR, weightLRPower},
		Build:  both(newAdamWScheduleFree[float64], newAdamWScheduleFree[float32]),
		Floats: vectors(3),
		Doc:    "schedule-free AdamW (Defazio et al. 2024); facebookresearch/schedule_free AdamWScheduleFreeReference"},
	{Name: "muon", LR: muonDefaultLR, Params: []param.Spec{
		with(weightDecay, 0.1, "λ, decoupled, on the weight matrices: W ← W(1 − lr·λ)"),
		with(momentum, 0.95, "μ of the matrices' momentum buffer B ← B + (1−μ)(g − B)"),
		{Key: "nesterov", Type: param.Bool, Default: true, Doc: "orthogonalize g + μ(B − g) instead of B"},
		with(eps(1e-7), 1e-7, "ε, the floor of ‖B̃‖_F before Newton–Schulz"),
		{Key: "ns_steps", Type: param.Int, Default: 5, Range: param.Interval(0, 100, false, true),
			Doc: "Newton–Schulz iterations"},
		{Key: "adjust_lr_fn", Type: param.Enum, Default: "original", Choices: []string{"original", "match_rms_adamw"},
			Doc: "the matrices' rate: lr·√max(1, out/in) (original) or lr·0.2·√max(out, in)"},
		{Key: "aux_lr", Type: param.Float, Default: 3e-4, Range: param.AtLeast(0),
			Doc: "AdamW's rate for the other tensors at lr₀, following the schedule: aux_lr·lr/lr₀"},
		{Key: "aux_beta1", Type: param.Float, Default: 0.9, Range: param.Interval(0, 1, false, true),
			Doc: "β₁ of the other tensors' AdamW"},
		{Key: "aux_beta2", Type: param.Float, Default: 0.95, Range: param.Interval(0, 1, false, true),
			Doc: "β₂ of the other tensors' AdamW"},
		{Key: "aux_eps", Type: param.Float, Default: 1e-10, Range: param.AtLeast(0),
			Doc: "ε of the other tensors' AdamW, outside the root"},
		{Key: "aux_weight_decay", Type: param.Float, Default: 0.0, Range: param.AtLeast(0),
			Doc: "λ of the other tensors' AdamW, decoupled: θ ← θ(1 − α·λ)"}},
		Build:  both(newMuon[float64], newMuon[float32]),
		Floats: muonFloats,
		Doc:    "Muon (Jordan et al. 2024), torch.optim.Muon of PyTorch 2.9, with KellerJordan/Muon's AdamW for the rest"},
	{Name: "adafactor", LR: 0.01, Params: []param.Spec{
		{Key: "beta2_decay", Type: param.Float, Default: -0.8, Range: param.Range{Hi: 0, HasHi: true},
			Doc: "τ: the second moments' weight on the new g² is t^τ"},
		{Key: "eps1", Type: param.Float, Default: 2.220446049250313e-16, Range: param.AtLeast(0),
			Doc: "ε₁, the floor of √V and of the row factors' mean (default: float64's machine ε)"},
		{Key: "eps2", Type: param.Float, Default: 1e-3, Range: param.AtLeast(0),
			Doc: "ε₂, the floor of the parameter scale RMS(θ) in the step"},
		{Key: "d", Type: param.Float, Default: 1.0, Range: param.AtLeast(1),
			Doc: "the clipping threshold of the update's RMS"},
		with(weightDecay, 0.0, "λ, decoupled: θ ← θ(1 − lr·λ)")},
		Build:  both(newAdafactor[float64], newAdafactor[float32]),
		Floats: adafactorFloats,
		Doc:    "Adafactor (Shazeer & Stern 2018); torch.optim.Adafactor of PyTorch 2.5"},
	{Name: "prodigy", LR: 1.0, Params: []param.Spec{beta1, beta2,
		{Key: "beta3", Type: param.Float, Default: 0.0, Range: param.Interval(0, 1, false, true),
			Doc: "β₃, the decay of D's sums; 0 means √β₂ (the reference's None)"},
		eps(1e-8),
		with(weightDecay, 0.0, "λ: decoupled θ ← θ(1 − λ·d·lr), or added to g without decouple"),
		{Key: "decouple", Type: param.Bool, Default: true, Doc: "decay the weights (AdamW) instead of adding λθ to g"},
		{Key: "use_bias_correction", Type: param.Bool, Default: false, Doc: "Adam's bias correction in d·lr"},
		{Key: "safeguard_warmup", Type: param.Bool, Default: false, Doc: "leave lr out of the D estimate's denominator"},
		{Key: "d0", Type: param.Float, Default: 1e-6, Range: param.Above(0), Doc: "the initial D"},
		{Key: "d_coef", Type: param.Float, Default: 1.0, Range: param.Above(0), Doc: "the factor on the D estimate"},
		{Key: "growth_rate", Type: param.Float, Default: prodigyNoGrowth, Range: param.AtLeast(1),
			Doc: "the most D may grow by in a step (default: unlimited, the reference's inf)"}},
		Check: func(v param.Values) error {
			if e := v.Float("eps"); e == 0 { // the reference: "Invalid epsilon value"
				return &param.ValueError{Key: "eps", Want: "> 0 for prodigy", Got: e}
			}
			return nil
		},
		Build:  both(newProdigy[float64], newProdigy[float32]),
		Floats: vectors(4),
		Doc:    "Prodigy (Mishchenko & Defazio 2024); konstmish/prodigy"},
}

// inOpen checks that the value of key lies in (0, 1): the references reject the ends.
func inOpen(v param.Values, key string) error {
	if x := v.Float(key); !betaOpen.Contains(x) {
		return &param.ValueError{Key: key, Want: betaOpen.String(), Got: x}
	}
	return nil
}
