package experiment

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/optimbench/optimbench/internal/data"
	"github.com/optimbench/optimbench/internal/model"
	"github.com/optimbench/optimbench/internal/optim"
	"github.com/optimbench/optimbench/internal/sched"
)

// Config is one train experiment (SPEC §2), decoded and validated, with every
// default filled in except those that depend on the data (see Setup).
type Config struct {
	Name      string
	Seed      uint64
	Data      *DataConfig    // nil for a problem run
	Model     *model.Spec    // nil for a problem run
	Problem   *ProblemConfig // nil for a data run
	Optimizer OptimizerConfig
	Schedule  ScheduleConfig
	Train     TrainConfig

	// File is the configuration file the experiment came from ("" if inline);
	// data paths are relative to the working directory, not to it.
	File string
}

// DataConfig is the `data:` block.
type DataConfig struct {
	Source       string
	Path         string
	Target       string
	Generator    string
	N            int
	Features     int
	Classes      int
	Noise        float64
	Limit        int
	TestFraction float64
	Standardize  bool
}

// ProblemConfig is the `problem:` block: a test function instead of data.
type ProblemConfig struct {
	Function string
	Start    []float64
	Scales   []float64
	Noise    float64
}

// OptimizerConfig is the `optimizer:` block.
type OptimizerConfig struct {
	Name  string
	Hyper optim.Hyper
	// Keys are the hyperparameters that apply to Name, in canonical order;
	// Values holds each one's resolved value (float64 or bool).
	Keys   []string
	Values map[string]any
}

// ScheduleConfig is the `schedule:` block before the run length is known.
type ScheduleConfig struct {
	Name   string
	Unit   string
	Warmup int
	// Params holds the schedule-specific keys the user gave (float64, int or
	// []int); the others take defaults that may depend on the run length.
	Params map[string]any
}

// TrainConfig is the `train:` block.
type TrainConfig struct {
	Epochs        int
	BatchSize     int  // 0 when FullBatch
	FullBatch     bool // batch_size: full (gradient descent)
	BatchSchedule sched.BatchConfig
	Shuffle       bool
	EvalEvery     int
	DivergeFactor float64
	OnDiverge     string
	// ReferenceOptimum asks for f*, the minimum of the training data loss,
	// computed before training, and a train_subopt = train_loss − f* column
	// in metrics.csv (see referenceOptimum). Only for problems whose
	// minimum optimbench can compute: linear models (least squares, softmax
	// regression) and test functions with a known minimum value.
	ReferenceOptimum bool
}

// Stream numbers of the random streams derived from the seed (SPEC §8).
const (
	streamInit    = 1 // parameter initialization
	streamData    = 2 // synthetic data and the train/test split
	streamShuffle = 3 // per-epoch shuffling
	streamNoise   = 4 // gradient noise of test functions
)

var (
	topKeys       = []string{"name", "seed", "data", "model", "problem", "optimizer", "schedule", "train"}
	dataSources   = []string{"synthetic", "csv", "libsvm", "mnist", "fashion-mnist"}
	modelKinds    = []string{"linear", "mlp"}
	activations   = []string{"relu", "tanh", "sigmoid"}
	losses        = []string{"mse", "cross_entropy"}
	inits         = []string{"auto", "zeros", "xavier", "he", "normal"}
	units         = []string{"epoch", "step"}
	divergeModes  = []string{"stop", "continue"}
	batchNames    = []string{"constant", "step", "multistep"}
	optimizerKeys = []string{"lr", "momentum", "beta1", "beta2", "eps", "rho", "weight_decay",
		"lr_decay", "initial_accumulator", "momentum_decay", "centered"}
	scheduleKeys = []string{"k", "factor", "every", "milestones", "period", "mult", "min_lr",
		"half_cycle", "gamma"}
)

// dataKeys returns the `data:` keys that apply to a source.
func dataKeys(source, generator string) []string {
	common := []string{"limit", "test_fraction", "standardize"}
	switch source {
	case "synthetic":
		k := []string{"source", "generator", "n", "features"}
		if generator == "blobs" || generator == "spirals" {
			k = append(k, "classes")
		}
		return append(append(k, "noise"), common...)
	case "csv":
		return append([]string{"source", "path", "target"}, common...)
	case "libsvm":
		return append([]string{"source", "path"}, common...)
	case "mnist", "fashion-mnist":
		// Their own test split, and pixels always scaled to [0, 1]: no test_fraction or
		// standardize. An empty path means $OPTIMBENCH_DATA/<source>, then ./data/<source>.
		return []string{"source", "path", "limit"}
	}
	return append([]string{"source"}, common...)
}

// Decode validates a configuration held as nested maps (as YAML or Viper
// give it) and fills in its defaults. file names the source in errors.
func Decode(raw map[string]any, file string) (*Config, error) {
	top, err := newSection(file, "", raw)
	if err != nil {
		return nil, err
	}
	if err := top.checkKeys(topKeys, nil); err != nil {
		return nil, err
	}
	c := &Config{File: file}
	if c.Name, err = top.str("name", ""); err != nil {
		return nil, err
	}
	if c.Name == "" && file != "" {
		c.Name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	}
	if c.Name == "" {
		c.Name = "run"
	}
	seed, err := top.seed("seed", 1)
	if err != nil {
		return nil, err
	}
	c.Seed = seed

	switch {
	case top.has("problem") && (top.has("data") || top.has("model")):
		return nil, top.errf("problem", "cannot be combined with data or model: a run is either a test function or a dataset with a model")
	case top.has("problem"):
		if c.Problem, err = decodeProblem(top); err != nil {
			return nil, err
		}
	case top.has("data") || top.has("model"):
		if c.Data, err = decodeData(top); err != nil {
			return nil, err
		}
		if c.Model, err = decodeModel(top, c.Data); err != nil {
			return nil, err
		}
	default:
		return nil, &ConfigError{File: file, Msg: "needs either data and model, or problem"}
	}
	if c.Optimizer, err = decodeOptimizer(top); err != nil {
		return nil, err
	}
	if c.Schedule, err = decodeSchedule(top); err != nil {
		return nil, err
	}
	if c.Train, err = decodeTrain(top, c); err != nil {
		return nil, err
	}
	return c, nil
}

func decodeData(top *section) (*DataConfig, error) {
	s, err := top.sub("data")
	if err != nil {
		return nil, err
	}
	d := &DataConfig{}
	if d.Source, err = s.str("source", "synthetic"); err != nil {
		return nil, err
	}
	if err := s.oneOf("source", d.Source, dataSources); err != nil {
		return nil, err
	}
	if d.Generator, err = s.str("generator", "blobs"); err != nil {
		return nil, err
	}
	if d.Source == "synthetic" {
		if err := s.oneOf("generator", d.Generator, data.Generators()); err != nil {
			return nil, err
		}
	}
	allowed := dataKeys(d.Source, d.Generator)
	all := slices.Concat(dataKeys("synthetic", "blobs"), dataKeys("csv", ""), dataKeys("libsvm", ""))
	if err := s.checkKeys(allowed, func(k string) string {
		if slices.Contains(all, k) {
			switch {
			case k == "classes":
				return fmt.Sprintf("does not apply to generator %s", d.Generator)
			case isImageSource(d.Source) && k == "test_fraction":
				return fmt.Sprintf("does not apply to source %s (it has its own test set of 10,000 images)", d.Source)
			case isImageSource(d.Source) && k == "standardize":
				return fmt.Sprintf("does not apply to source %s (pixels are always scaled to [0, 1])", d.Source)
			}
			return fmt.Sprintf("does not apply to source %s", d.Source)
		}
		return ""
	}); err != nil {
		return nil, err
	}
	switch d.Source {
	case "synthetic":
		if d.N, err = s.int("n", 1000); err != nil {
			return nil, err
		}
		if d.N < 2 {
			return nil, s.errf("n", "must be >= 2, got %d", d.N)
		}
		if d.Features, err = s.int("features", 2); err != nil {
			return nil, err
		}
		if d.Features < 1 {
			return nil, s.errf("features", "must be >= 1, got %d", d.Features)
		}
		if d.Generator == "spirals" && d.Features != 2 {
			return nil, s.errf("features", "spirals are 2-D, got %d", d.Features)
		}
		switch d.Generator {
		case "blobs", "spirals":
			if d.Classes, err = s.int("classes", 3); err != nil {
				return nil, err
			}
			if d.Classes < 2 {
				return nil, s.errf("classes", "must be >= 2, got %d", d.Classes)
			}
		case "logistic":
			d.Classes = 2
		}
		if d.Noise, err = s.float("noise", 0.1); err != nil {
			return nil, err
		}
		if d.Noise < 0 {
			return nil, s.errf("noise", "must be >= 0, got %v", d.Noise)
		}
	case "csv", "libsvm":
		d.Generator = ""
		if d.Path, err = s.str("path", ""); err != nil {
			return nil, err
		}
		if d.Path == "" {
			return nil, s.errf("path", "required for source %s", d.Source)
		}
		if d.Target, err = s.str("target", ""); err != nil {
			return nil, err
		}
	case "mnist", "fashion-mnist":
		d.Generator = ""
		if d.Path, err = s.str("path", ""); err != nil {
			return nil, err
		}
	}
	if d.Limit, err = s.int("limit", 0); err != nil {
		return nil, err
	}
	if d.Limit < 0 {
		return nil, s.errf("limit", "must be >= 0, got %d", d.Limit)
	}
	if isImageSource(d.Source) {
		return d, nil
	}
	if d.TestFraction, err = s.float("test_fraction", 0.2); err != nil {
		return nil, err
	}
	if d.TestFraction < 0 || d.TestFraction >= 1 {
		return nil, s.errf("test_fraction", "must be in [0, 1), got %v", d.TestFraction)
	}
	if d.Standardize, err = s.bool("standardize", false); err != nil {
		return nil, err
	}
	return d, nil
}

// isImageSource reports whether a data source is one of the IDX image sets, which come with
// their own test set and pixels scaled to [0, 1].
func isImageSource(source string) bool { return source == "mnist" || source == "fashion-mnist" }

// classify tells whether the data are used for classification: the loss
// decides, and it defaults to cross-entropy except for regression data.
func defaultLoss(d *DataConfig) string {
	if d.Source == "synthetic" && d.Generator == "linear" {
		return "mse"
	}
	return "cross_entropy"
}

func decodeModel(top *section, d *DataConfig) (*model.Spec, error) {
	s, err := top.sub("model")
	if err != nil {
		return nil, err
	}
	m := &model.Spec{}
	if m.Kind, err = s.str("kind", "linear"); err != nil {
		return nil, err
	}
	if err := s.oneOf("kind", m.Kind, modelKinds); err != nil {
		return nil, err
	}
	allowed := []string{"kind", "loss", "init"}
	if m.Kind == "mlp" {
		allowed = []string{"kind", "hidden", "activation", "loss", "init"}
	}
	if err := s.checkKeys(allowed, func(k string) string {
		if k == "hidden" || k == "activation" {
			return "does not apply to kind linear (use kind: mlp)"
		}
		return ""
	}); err != nil {
		return nil, err
	}
	if m.Loss, err = s.str("loss", defaultLoss(d)); err != nil {
		return nil, err
	}
	if err := s.oneOf("loss", m.Loss, losses); err != nil {
		return nil, err
	}
	if m.Loss == "cross_entropy" && d.Source == "synthetic" && d.Generator == "linear" {
		return nil, s.errf("loss", "cross_entropy needs class labels, but generator linear makes regression targets")
	}
	if m.Init, err = s.str("init", "auto"); err != nil {
		return nil, err
	}
	if err := s.oneOf("init", m.Init, inits); err != nil {
		return nil, err
	}
	if m.Kind == "mlp" {
		if m.Hidden, err = s.ints("hidden", []int{64}); err != nil {
			return nil, err
		}
		if len(m.Hidden) == 0 {
			return nil, s.errf("hidden", "must list at least one layer width")
		}
		for _, h := range m.Hidden {
			if h < 1 {
				return nil, s.errf("hidden", "widths must be >= 1, got %v", m.Hidden)
			}
		}
		if m.Activation, err = s.str("activation", "relu"); err != nil {
			return nil, err
		}
		if err := s.oneOf("activation", m.Activation, activations); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func decodeProblem(top *section) (*ProblemConfig, error) {
	s, err := top.sub("problem")
	if err != nil {
		return nil, err
	}
	p := &ProblemConfig{}
	if p.Function, err = s.str("function", ""); err != nil {
		return nil, err
	}
	if p.Function == "" {
		return nil, s.errf("function", "required (one of %s)", strings.Join(model.Functions(), ", "))
	}
	if err := s.oneOf("function", p.Function, model.Functions()); err != nil {
		return nil, err
	}
	allowed := []string{"function", "start", "noise"}
	if p.Function == "quadratic" {
		allowed = []string{"function", "start", "scales", "noise"}
	}
	if err := s.checkKeys(allowed, func(k string) string {
		if k == "scales" {
			return "only for function quadratic"
		}
		return ""
	}); err != nil {
		return nil, err
	}
	if p.Scales, err = s.floats("scales", nil); err != nil {
		return nil, err
	}
	if p.Function == "quadratic" && p.Scales == nil {
		p.Scales = []float64{1, 10}
	}
	def := model.DefaultStart(p.Function)
	if p.Function == "quadratic" && len(p.Scales) != len(def) {
		def = make([]float64, len(p.Scales))
		for i := range def {
			def[i] = 1
		}
	}
	if p.Start, err = s.floats("start", def); err != nil {
		return nil, err
	}
	if len(p.Start) == 0 {
		return nil, s.errf("start", "must list at least one coordinate")
	}
	if p.Noise, err = s.float("noise", 0); err != nil {
		return nil, err
	}
	if p.Noise < 0 {
		return nil, s.errf("noise", "must be >= 0, got %v", p.Noise)
	}
	if _, err := model.NewFunction(p.Function, len(p.Start), p.Scales); err != nil {
		return nil, &ConfigError{File: s.file, Msg: "problem." + err.Error()}
	}
	return p, nil
}

func decodeOptimizer(top *section) (OptimizerConfig, error) {
	var o OptimizerConfig
	s, err := top.sub("optimizer")
	if err != nil {
		return o, err
	}
	if o.Name, err = s.str("name", ""); err != nil {
		return o, err
	}
	if o.Name == "" {
		return o, s.errf("name", "required (one of %s)", strings.Join(optim.Names(), ", "))
	}
	if err := s.oneOf("name", o.Name, optim.Names()); err != nil {
		return o, err
	}
	defs, err := optim.Defaults(o.Name)
	if err != nil {
		return o, s.errf("name", "%v", err)
	}
	allowed := []string{"name"}
	for _, k := range optimizerKeys {
		if _, ok := defs[k]; ok {
			allowed = append(allowed, k)
			o.Keys = append(o.Keys, k)
		}
	}
	if err := s.checkKeys(allowed, func(k string) string {
		if slices.Contains(optimizerKeys, k) {
			return fmt.Sprintf("does not apply to optimizer %s (it takes %s)", o.Name, strings.Join(o.Keys, ", "))
		}
		return ""
	}); err != nil {
		return o, err
	}
	o.Values = make(map[string]any, len(o.Keys))
	for _, k := range o.Keys {
		var v any
		switch def := defs[k].(type) {
		case bool:
			v, err = s.bool(k, def)
		case float64:
			v, err = s.float(k, def)
		default:
			err = fmt.Errorf("optimizer %s: default of %s has type %T", o.Name, k, def)
		}
		if err != nil {
			return o, err
		}
		if err := o.Hyper.Apply(k, v); err != nil {
			return o, s.errf(k, "%v", err)
		}
		o.Values[k] = v
	}
	if _, err := optim.New(o.Name, o.Hyper, 1); err != nil {
		return o, &ConfigError{File: s.file, Msg: "optimizer." + err.Error()}
	}
	return o, nil
}

func decodeSchedule(top *section) (ScheduleConfig, error) {
	var c ScheduleConfig
	s, err := top.sub("schedule")
	if err != nil {
		return c, err
	}
	if c.Name, err = s.str("name", "constant"); err != nil {
		return c, err
	}
	if err := s.oneOf("name", c.Name, sched.Names()); err != nil {
		return c, err
	}
	keys, err := sched.Keys(c.Name)
	if err != nil {
		return c, s.errf("name", "%v", err)
	}
	allowed := append([]string{"name", "unit", "warmup"}, keys...)
	if err := s.checkKeys(allowed, func(k string) string {
		if slices.Contains(scheduleKeys, k) {
			if len(keys) == 0 {
				return fmt.Sprintf("does not apply to schedule %s (it takes no parameters)", c.Name)
			}
			return fmt.Sprintf("does not apply to schedule %s (it takes %s)", c.Name, strings.Join(keys, ", "))
		}
		return ""
	}); err != nil {
		return c, err
	}
	if c.Unit, err = s.str("unit", "epoch"); err != nil {
		return c, err
	}
	if err := s.oneOf("unit", c.Unit, units); err != nil {
		return c, err
	}
	if c.Warmup, err = s.int("warmup", 0); err != nil {
		return c, err
	}
	if c.Warmup < 0 {
		return c, s.errf("warmup", "must be >= 0, got %d", c.Warmup)
	}
	c.Params = map[string]any{}
	for _, k := range keys {
		if !s.has(k) {
			continue
		}
		var v any
		switch (sched.Config{}).Value(k).(type) { // the key's type
		case []int:
			v, err = s.ints(k, nil)
		case int:
			v, err = s.int(k, 0)
		default:
			v, err = s.float(k, 0)
		}
		if err != nil {
			return c, err
		}
		c.Params[k] = v
	}
	// Validate now with a provisional run length, so that a bad schedule is
	// reported before any data is read.
	if _, err := c.resolve(1, 1); err != nil {
		return c, &ConfigError{File: s.file, Msg: err.Error()}
	}
	return c, nil
}

// resolve fills the schedule's defaults for a run of length units and
// validates it.
func (c ScheduleConfig) resolve(lr0 float64, length int) (sched.Config, error) {
	// The schedule proper starts after the warm-up, so a default cosine
	// period ends with the run.
	r, err := sched.Defaults(c.Name, lr0, c.Unit, max(length-c.Warmup, 1))
	if err != nil {
		return r, fmt.Errorf("schedule.name: %w", err)
	}
	r.Unit, r.Warmup = c.Unit, c.Warmup
	for k, v := range c.Params {
		if err := r.Set(k, v); err != nil {
			return r, fmt.Errorf("schedule.%w", err)
		}
	}
	if _, err := sched.New(r, lr0); err != nil {
		return r, fmt.Errorf("schedule.%w", err)
	}
	return r, nil
}

// decodeTrain decodes the `train:` block of c, whose data, model or problem
// are already decoded.
func decodeTrain(top *section, c *Config) (TrainConfig, error) {
	t := TrainConfig{}
	problem := c.Problem != nil
	s, err := top.sub("train")
	if err != nil {
		return t, err
	}
	allowed := []string{"epochs", "batch_size", "batch_schedule", "shuffle", "eval_every", "diverge_factor", "on_diverge", "reference_optimum"}
	if problem {
		allowed = []string{"epochs", "eval_every", "diverge_factor", "on_diverge", "reference_optimum"}
	}
	if err := s.checkKeys(allowed, func(k string) string {
		if problem && (k == "batch_size" || k == "batch_schedule" || k == "shuffle") {
			return "does not apply to a problem run (a test function has no data to batch)"
		}
		return ""
	}); err != nil {
		return t, err
	}
	if t.Epochs, err = s.int("epochs", 20); err != nil {
		return t, err
	}
	if t.Epochs < 1 {
		return t, s.errf("epochs", "must be >= 1, got %d", t.Epochs)
	}
	if t.EvalEvery, err = s.int("eval_every", 1); err != nil {
		return t, err
	}
	if t.EvalEvery < 1 {
		return t, s.errf("eval_every", "must be >= 1, got %d", t.EvalEvery)
	}
	if t.DivergeFactor, err = s.float("diverge_factor", 1e4); err != nil {
		return t, err
	}
	if t.DivergeFactor <= 1 {
		return t, s.errf("diverge_factor", "must be > 1, got %v", t.DivergeFactor)
	}
	if t.OnDiverge, err = s.str("on_diverge", "stop"); err != nil {
		return t, err
	}
	if err := s.oneOf("on_diverge", t.OnDiverge, divergeModes); err != nil {
		return t, err
	}
	if t.ReferenceOptimum, err = s.bool("reference_optimum", false); err != nil {
		return t, err
	}
	if t.ReferenceOptimum {
		if why := noReferenceOptimum(c); why != "" {
			return t, s.errf("reference_optimum", "%s", why)
		}
	}
	if problem {
		return t, nil
	}
	if v, ok := s.m["batch_size"].(string); ok {
		if v != "full" {
			return t, s.errf("batch_size", "must be a positive integer or full, got %q", v)
		}
		t.FullBatch = true
	} else {
		if t.BatchSize, err = s.int("batch_size", 128); err != nil {
			return t, s.errf("batch_size", "must be a positive integer or full, got %s", describe(s.m["batch_size"]))
		}
		if t.BatchSize < 1 {
			return t, s.errf("batch_size", "must be >= 1 or full, got %d", t.BatchSize)
		}
	}
	if t.Shuffle, err = s.bool("shuffle", true); err != nil {
		return t, err
	}
	if t.BatchSchedule, err = decodeBatchSchedule(s); err != nil {
		return t, err
	}
	return t, nil
}

func decodeBatchSchedule(train *section) (sched.BatchConfig, error) {
	s, err := train.sub("batch_schedule")
	if err != nil {
		return sched.BatchConfig{}, err
	}
	name, err := s.str("name", "constant")
	if err != nil {
		return sched.BatchConfig{}, err
	}
	if err := s.oneOf("name", name, batchNames); err != nil {
		return sched.BatchConfig{}, err
	}
	b, err := sched.BatchDefaults(name)
	if err != nil {
		return b, s.errf("name", "%v", err)
	}
	keys, err := sched.BatchKeys(name)
	if err != nil {
		return b, s.errf("name", "%v", err)
	}
	if err := s.checkKeys(append([]string{"name"}, keys...), func(k string) string {
		if slices.Contains([]string{"factor", "every", "milestones", "max"}, k) {
			return fmt.Sprintf("does not apply to batch schedule %s", name)
		}
		return ""
	}); err != nil {
		return b, err
	}
	if b.Factor, err = s.float("factor", b.Factor); err != nil {
		return b, err
	}
	if b.Every, err = s.int("every", b.Every); err != nil {
		return b, err
	}
	if b.Milestones, err = s.ints("milestones", b.Milestones); err != nil {
		return b, err
	}
	if b.Max, err = s.int("max", b.Max); err != nil {
		return b, err
	}
	if b.Max < 0 {
		return b, s.errf("max", "must be >= 0, got %d", b.Max)
	}
	if _, err := sched.NewBatch(b, 1, 1<<30); err != nil {
		return b, &ConfigError{File: s.file, Msg: s.path + "." + err.Error()}
	}
	return b, nil
}

// noReferenceOptimum says why optimbench cannot compute f* for c, or "".
// It can for a linear model with mse (least squares, closed form) or
// cross_entropy (softmax regression, convex: L-BFGS), and for a test
// function with a known global minimum value (0 for all of them but the
// saddle, which is unbounded below).
func noReferenceOptimum(c *Config) string {
	if c.Problem != nil {
		if c.Problem.Function == "saddle" {
			return "the saddle x² − y² is unbounded below: it has no optimum"
		}
		return ""
	}
	if c.Model.Kind != "linear" {
		return fmt.Sprintf("needs a convex problem, but model.kind %s is not convex (use kind: linear with mse or cross_entropy)", c.Model.Kind)
	}
	if !slices.Contains(losses, c.Model.Loss) {
		return fmt.Sprintf("needs loss mse or cross_entropy, got %s", c.Model.Loss)
	}
	return ""
}

// finite reports whether x is neither NaN nor infinite.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
