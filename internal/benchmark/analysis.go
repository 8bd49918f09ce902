package benchmark

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/optimbench/optimbench/internal/report"
)

// AnalysisFile is the name of the analysis in a benchmark folder.
const AnalysisFile = "analysis.json"

// SchemaVersion is the version of analysis.json's layout; it grows only by added fields.
const SchemaVersion = 1

// Analysis is analysis.json (SPEC §10): everything the benchmark computed from its run
// folders, so that a report can be drawn without training or reading a configuration.
// Slices are in the benchmark file's order (problems, then optimizers, baselines first).
type Analysis struct {
	Schema     int           `json:"schema"` // SchemaVersion
	Name       string        `json:"name"`   // the benchmark's name
	Stamp      Stamp         `json:"stamp"`
	Protocol   Protocol      `json:"protocol"`
	Problems   []ProblemInfo `json:"problems"`
	Optimizers []OptInfo     `json:"optimizers"`
	// Results holds one entry per problem and optimizer, problem-major.
	Results []*Result `json:"results"`
	// Profile is AlgoPerf's performance profile over the problems.
	Profile Profile `json:"profile"`
}

// Stamp says what produced the numbers.
type Stamp struct {
	Version string `json:"version"` // optimbench version
	Commit  string `json:"commit"`  // VCS revision of the build ("" when unknown), "+dirty" when modified
	Go      string `json:"go"`      // Go version
	CPU     string `json:"cpu"`     // the CPU's model name
	DType   string `json:"dtype"`   // the element type of the runs (float64)
	Threads int    `json:"threads"` // threads per run (train.threads; 0 = the default)
	Workers int    `json:"workers"` // runs in parallel
	Date    string `json:"date"`    // RFC 3339, UTC, when the analysis was written
}

// Protocol is the protocol as run, with where it departs from DeepOBS's defaults.
type Protocol struct {
	Rule     string   `json:"rule"`      // the selection rule, e.g. final_test_loss
	TuneSeed uint64   `json:"tune_seed"` // the seed of every tuning run
	Seeds    []uint64 `json:"seeds"`     // the seeds of the rerun
	// TargetMetric is the metric of the speed target (test_loss, or train_loss for a problem
	// without a test set); targets are per problem (ProblemInfo.Target).
	TargetMetric     string `json:"target_metric"`
	BootstrapSamples int    `json:"bootstrap_samples"` // resamples per point of the budget curve
	Seed             uint64 `json:"seed"`              // the benchmark's seed: samplers and bootstrap
	// Deviations lists, in words, every choice that differs from DeepOBS's defaults (its lr
	// grid, 10 seeds, its epochs per problem, tuning by grid search without halving).
	Deviations []string `json:"deviations"`
}

// ProblemInfo is one test problem.
type ProblemInfo struct {
	Name   string `json:"name"`
	File   string `json:"file,omitempty"` // its train configuration file, "" when inline
	Hash   string `json:"hash"`           // content hash of its configuration (seed = tune seed)
	Epochs int    `json:"epochs"`         // the length of a full run
	// HasTest and HasAcc say which metrics the problem has (a test set; classification).
	HasTest bool `json:"has_test"`
	HasAcc  bool `json:"has_acc"`
	// Target is the speed target: the best baseline's mean final value of TargetMetric
	// (null without baselines), and TargetFrom the baseline that set it.
	Target     Num    `json:"target"`
	TargetFrom string `json:"target_from"`
}

// OptInfo is one optimizer of the benchmark: a label, the optimizer, and its search.
type OptInfo struct {
	Name      string `json:"name"`      // the label, e.g. adam or momentum
	Optimizer string `json:"optimizer"` // optimizer.name
	Baseline  bool   `json:"baseline"`  // one of the reused baselines
	Search    Search `json:"search"`
}

// Search is an optimizer's search space and method, as run.
type Search struct {
	Method  string   `json:"method"`  // grid | random | halton | halving
	Sampler string   `json:"sampler"` // grid | random | halton: how the candidates were drawn
	Keys    []string `json:"keys"`    // the searched keys
	Trials  int      `json:"trials"`  // candidates
	// Eta, MinEpochs and Rungs are successive halving's (Rungs: the epochs of each rung).
	Eta       int   `json:"eta,omitempty"`
	MinEpochs int   `json:"min_epochs,omitempty"`
	Rungs     []int `json:"rungs,omitempty"`
}

// Result is one optimizer on one problem.
type Result struct {
	Problem   string `json:"problem"`
	Optimizer string `json:"optimizer"`
	Baseline  bool   `json:"baseline"`
	// Dir is the folder of its sweeps, relative to the benchmark folder (a baseline's may be
	// outside it, in the baselines store).
	Dir string `json:"dir"`
	// Tuning lists every candidate setting on the tune seed, diverged and failed ones too.
	Tuning []Trial `json:"tuning"`
	// Rungs are successive halving's decisions, nil for a full search.
	Rungs []Rung `json:"rungs,omitempty"`
	// Chosen is the index into Tuning of the setting picked by the rule, -1 when every
	// setting diverged or failed (then Seeds is empty).
	Chosen int `json:"chosen"`
	// Rule is the rule this problem's settings were scored by: the benchmark's, with the loss
	// for an accuracy and the training metric for a test one where the problem lacks them.
	Rule string `json:"rule,omitempty"`
	// TuneEpochs and TuneSeconds are the compute the tuning spent (epochs trained, summed
	// over runs, counting what a promoted run redid), and FullGridEpochs what training every
	// candidate for the full length would take.
	TuneEpochs     int     `json:"tune_epochs"`
	TuneSeconds    float64 `json:"tune_seconds"`
	FullGridEpochs int     `json:"full_grid_epochs"`
	// Seeds are the reruns of the chosen setting, one per protocol seed.
	Seeds       []SeedRun   `json:"seeds"`
	Mean        Curve       `json:"mean"` // per-epoch mean over the seeds
	Std         Curve       `json:"std"`  // per-epoch standard deviation over the seeds
	Performance Performance `json:"performance"`
	Speed       Speed       `json:"speed"`
	Sensitivity Sensitivity `json:"sensitivity"`
	Budget      Budget      `json:"budget"`

	seedSums []*report.Summary // the seeds' summaries, while the benchmark runs
}

// KV is one searched key's value.
type KV struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
}

// Trial is one candidate setting of the tuning, at the longest rung it reached.
type Trial struct {
	Set    []KV   `json:"set"`
	LR     Num    `json:"lr"`     // its optimizer.lr (null when the lr was not searched nor set)
	RunID  string `json:"run_id"` // the run folder's name (its longest rung's)
	Dir    string `json:"dir"`    // the run folder, relative to the benchmark folder
	Status string `json:"status"` // done | diverged | failed
	Reason string `json:"reason,omitempty"`
	Epochs int    `json:"epochs"` // epochs of its longest rung
	// Score is the rule's value at its longest rung (null when diverged or failed), and
	// Scores its value at each rung it ran (halving), rung 0 first.
	Score   Num            `json:"score"`
	Scores  []Num          `json:"scores,omitempty"`
	Final   report.Metrics `json:"final"`
	Best    report.Metrics `json:"best"`
	Seconds float64        `json:"seconds"`
}

// Rung is one rung of successive halving: the candidates that ran it (indexes into Tuning),
// in rank order (best first, diverged and failed last, ties by candidate order), and those
// promoted to the next rung.
type Rung struct {
	Epochs   int   `json:"epochs"`
	Ranked   []int `json:"ranked"`
	Promoted []int `json:"promoted"`
}

// SeedRun is one rerun of the chosen setting.
type SeedRun struct {
	Seed    uint64  `json:"seed"`
	RunID   string  `json:"run_id"`
	Dir     string  `json:"dir"`
	Status  string  `json:"status"`
	Reason  string  `json:"reason,omitempty"`
	Seconds float64 `json:"seconds"`
	Curve   Curve   `json:"curve"`
}

// Curve is a run's (or the seeds' mean or std) evaluations by epoch, from metrics.csv; null
// where there is no value (no test set, a diverged run's missing epochs).
type Curve struct {
	Epoch     []int `json:"epoch"`
	TrainLoss []Num `json:"train_loss"`
	TestLoss  []Num `json:"test_loss"`
	TrainAcc  []Num `json:"train_acc"`
	TestAcc   []Num `json:"test_acc"`
	Seconds   []Num `json:"seconds"`
}

// Stat is a mean and standard deviation over the seeds that have a value (N of them). Std
// is the population standard deviation, as DeepOBS's analyzer takes it (numpy's std).
type Stat struct {
	Mean Num `json:"mean"`
	Std  Num `json:"std"`
	N    int `json:"n"`
}

// Performance is DeepOBS's final and best results over the seeds.
type Performance struct {
	FinalTestLoss  Stat `json:"final_test_loss"`
	BestTestLoss   Stat `json:"best_test_loss"`
	FinalTestAcc   Stat `json:"final_test_acc"`
	BestTestAcc    Stat `json:"best_test_acc"`
	FinalTrainLoss Stat `json:"final_train_loss"`
	FinalTrainAcc  Stat `json:"final_train_acc"`
	Diverged       int  `json:"diverged"` // seeds that diverged
	Failed         int  `json:"failed"`   // seeds that failed
}

// Speed is the time to reach the problem's target: on the mean curve (DeepOBS: the first
// epoch whose mean value is at or below the target, at or above for an accuracy), and per
// seed. Null when never reached.
type Speed struct {
	Metric  string `json:"metric"`
	Target  Num    `json:"target"`
	Epochs  Num    `json:"epochs"`  // first epoch the mean curve reaches the target
	Seconds Num    `json:"seconds"` // the mean seconds at that epoch
	// PerSeed are the epochs each seed takes (null: not reached); Reached counts them.
	PerSeed []Num `json:"per_seed"`
	Reached int   `json:"reached"`
}

// Sensitivity is the tuneability curve: the rule's value against the lr over the tuning
// runs at one length (the full length, or halving's first rung, where every candidate ran).
type Sensitivity struct {
	Epochs int         `json:"epochs"`
	Points []SensPoint `json:"points"` // by increasing lr, ties by candidate order
}

// SensPoint is one tuning run of the sensitivity curve.
type SensPoint struct {
	Trial  int    `json:"trial"` // index into Tuning
	LR     Num    `json:"lr"`
	Score  Num    `json:"score"` // null when diverged or failed
	Status string `json:"status"`
}

// Budget is Crowded Valley's expected best result against the number of tuning trials k:
// for each k, Samples draws of k trials with replacement from the tuning runs at Epochs, the
// best of each draw by the rule; diverged draws count as the worst (no value).
type Budget struct {
	Epochs int           `json:"epochs"`
	Points []BudgetPoint `json:"points"`
}

// BudgetPoint is the distribution of the best of k trials over the bootstrap draws: mean
// and quartiles over the draws with a value, and the fraction of draws where every trial
// diverged or failed.
type BudgetPoint struct {
	K         int     `json:"k"`
	Mean      Num     `json:"mean"`
	Median    Num     `json:"median"`
	Q25       Num     `json:"q25"`
	Q75       Num     `json:"q75"`
	PDiverged float64 `json:"p_diverged"`
	// Expected is the exact expectation the bootstrap estimates (BudgetCurve's doc).
	Expected Num `json:"expected"`
}

// Profile is AlgoPerf's performance profile: per problem p and optimizer s the ratio
// r = t(p,s) / min_s t(p,s) of times (epochs) to the target (∞, null in JSON, when not
// reached), and ρ_s(τ) = |{p : r(p,s) ≤ τ}| / |P| on a grid of τ from 1 to the largest
// finite ratio (mlcommons/algorithmic-efficiency scoring/performance_profile.py).
type Profile struct {
	Measure string         `json:"measure"` // what t is: epochs to the target on the mean curve
	Ratios  []ProfileRatio `json:"ratios"`
	Tau     []float64      `json:"tau"`
	Rho     []ProfileCurve `json:"rho"`
}

// ProfileRatio is r(p, s).
type ProfileRatio struct {
	Problem   string `json:"problem"`
	Optimizer string `json:"optimizer"`
	Time      Num    `json:"time"`
	Ratio     Num    `json:"ratio"`
}

// ProfileCurve is ρ_s(τ) at Profile.Tau.
type ProfileCurve struct {
	Optimizer string    `json:"optimizer"`
	Rho       []float64 `json:"rho"`
}

// Num is a number that is null in JSON when it has no value (NaN or ±Inf).
type Num float64

// NaN is the Num without a value.
func NaN() Num { return Num(math.NaN()) }

// OK reports whether n has a value.
func (n Num) OK() bool { return !math.IsNaN(float64(n)) && !math.IsInf(float64(n), 0) }

func (n Num) MarshalJSON() ([]byte, error) {
	if !n.OK() {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, float64(n), 'g', -1, 64), nil
}

func (n *Num) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = NaN()
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	*n = Num(f)
	return err
}

// Get returns the Result of optimizer opt on problem prob, or nil.
func (a *Analysis) Get(prob, opt string) *Result {
	for _, r := range a.Results {
		if r.Problem == prob && r.Optimizer == opt {
			return r
		}
	}
	return nil
}

// ReadAnalysis reads dir's analysis.json. A missing file wraps os.ErrNotExist; a malformed
// one, or one of a newer schema, is bad input.
func ReadAnalysis(dir string) (*Analysis, error) {
	path := filepath.Join(dir, AnalysisFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, report.BadInput(fmt.Errorf("%s: no analysis: not the folder of a finished benchmark: %w", path, err))
	}
	if err != nil {
		return nil, err
	}
	var a Analysis
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, report.BadInput(fmt.Errorf("%s: %w", path, err))
	}
	if a.Schema < 1 || a.Schema > SchemaVersion {
		return nil, report.BadInput(fmt.Errorf("%s: schema %d, this optimbench reads 1 to %d", path, a.Schema, SchemaVersion))
	}
	return &a, nil
}

// writeAnalysis writes a to dir/analysis.json atomically.
func writeAnalysis(dir string, a *Analysis) error {
	return report.WriteJSON(filepath.Join(dir, AnalysisFile), a)
}
