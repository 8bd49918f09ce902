// Package config is optimbench's configuration schema. Every key of a train configuration
// (SPEC §2) is declared once, as a param.Spec: the data sources, model kinds, test functions
// and train options here, the optimizers in optim's registry, the schedules in sched's tables.
// Decode validates a configuration against those declarations and fills in its defaults;
// YAML writes the resolved config.yaml, Hash its content hash, and KeyTables the key tables of
// docs/SPEC.md — all by iterating over the same declarations. Read is the one YAML reader of
// train and sweep configurations, and Set the one way a `key=value` override is applied.
package config

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/optimbench/optimbench/internal/model"
	"github.com/optimbench/optimbench/internal/optim"
	"github.com/optimbench/optimbench/internal/param"
	"github.com/optimbench/optimbench/internal/sched"
)

// Config is one train experiment, decoded and validated, with every default filled in except
// those of the schedule that depend on the run's length (sched.Resolve).
type Config struct {
	Name string
	Seed uint64
	// File is the configuration file the experiment came from ("" if inline); data paths are
	// relative to the working directory, not to it; model.init's file is (InitFile).
	File string
	// TestProblem is the DeepOBS preset the file named (testproblem:), "" for none. Decode
	// expands it into the blocks, so config.yaml and the hash hold the keys, not the name.
	TestProblem string

	Data    *Block // data: (nil for a problem run); Name is the source
	Model   *Block // model: (nil for a problem run); Name is the kind
	Problem *Block // problem: (nil for a data run); Name is the function

	// Optimizer is optimizer: without lr: Name and the hyperparameters the optimizer takes.
	Optimizer Block
	// Schedule is schedule: with the base rate optimizer.lr, which belongs to it; its Params
	// hold the keys the file sets (the rest default when the run's length is known).
	Schedule sched.Config
	// Train is train: without batch_schedule.
	Train Block
	// Batch is train.batch_schedule of a data run, its Params complete.
	Batch sched.BatchConfig
	// Average is train.average: weights averaged beside the iterate (nil for none).
	Average *Block
}

// Block is one decoded block: the value of its naming key and every key that applies.
type Block struct {
	Name   string       // the source, kind, function or optimizer ("" for train)
	Specs  []param.Spec // the keys that apply, in config.yaml order
	Values param.Values // each key of Specs with its value, given or default
}

// IsProblem reports whether the run minimizes a test function rather than a model's loss.
func (c *Config) IsProblem() bool { return c.Problem != nil }

// Classify reports whether the data are used for classification (cross-entropy loss).
func (c *Config) Classify() bool {
	if c.Model == nil {
		return false
	}
	loss, _ := c.Model.Values["loss"].(string) // the kinds of DeepOBS's toy problems have none
	return loss == "cross_entropy"
}

// HasTestSet reports whether the run evaluates a test set (test_loss, test_acc).
func (c *Config) HasTestSet() bool { return hasTestSet(c) }

// ModelSpec is the model block as model.New takes it.
func (c *Config) ModelSpec() model.Spec {
	v := c.Model.Values
	loss, _ := v["loss"].(string)
	s := model.Spec{Kind: c.Model.Name, Loss: loss, Init: "zeros"} // zeros under an init file's values
	s.InitStd, _ = v["init_std"].(float64)
	s.InitBias, _ = v["init_bias"].(float64)
	s.Function, _ = v["function"].(string)
	s.Start, _ = v["start"].([]float64)
	if c.Model.Name == "deepobs_quadratic" {
		s.Matrix = deepobsHessian()
	}
	if init, ok := v["init"].(string); ok {
		s.Init = init
	}
	if h, ok := v["hidden"].([]int); ok {
		s.Hidden = slices.Clone(h)
	}
	if a, ok := v["activation"].(string); ok {
		s.Activation = a
	}
	if c.Model.Name == "net" {
		n := netSpec(v)
		s.Input, s.Layers = n.Input, n.Layers
	}
	return s
}

// FullBatch reports whether train.batch_size is full (gradient descent); BatchSize is the
// batch size otherwise.
func (c *Config) FullBatch() bool { return c.Train.Values["batch_size"] == "full" }

// BatchSize is train.batch_size, 0 when it is full (and for a problem run).
func (c *Config) BatchSize() int {
	n, _ := c.Train.Values["batch_size"].(int)
	return n
}

// Decode validates a configuration held as nested maps (as Read gives it) and fills in its
// defaults. file names the source in errors. Every error is a *ConfigError naming the key.
func Decode(raw map[string]any, file string) (*Config, error) {
	raw, preset, err := applyPreset(raw, file)
	if err != nil {
		return nil, err
	}
	top, err := NewSection(file, "", raw)
	if err != nil {
		return nil, err
	}
	if err := top.CheckKeys(topKeys, nil); err != nil {
		return nil, err
	}
	c := &Config{File: file, TestProblem: preset}
	if c.Name, err = top.Str("name", ""); err != nil {
		return nil, err
	}
	if c.Name == "" && file != "" {
		c.Name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	}
	if c.Name == "" {
		c.Name = "run"
	}
	if c.Seed, err = top.Seed("seed", 1); err != nil {
		return nil, err
	}
	switch {
	case top.Has("problem") && (top.Has("data") || top.Has("model")):
		return nil, top.Errf("problem", "cannot be combined with data or model: a run is either a test function or a dataset with a model")
	case top.Has("problem"):
		if c.Problem, err = decodeProblem(top); err != nil {
			return nil, err
		}
	case top.Has("data") || top.Has("model"):
		if c.Data, err = decodeData(top); err != nil {
			return nil, err
		}
		if c.Model, err = decodeModel(top, c.Data); err != nil {
			return nil, err
		}
	default:
		return nil, &ConfigError{File: file, Msg: "needs either data and model, or problem"}
	}
	lr, err := decodeOptimizer(top, c)
	if err != nil {
		return nil, err
	}
	if err := decodeTrain(top, c); err != nil {
		return nil, err
	}
	if err := decodeSchedule(top, c, lr); err != nil {
		return nil, err
	}
	return c, nil
}

// decodeKeys decodes the keys of specs in s, in order (a key's When sees the values before
// it), then refuses the keys of s that are neither those nor in known (the block's naming
// key and sub-blocks). notHere says why a key that the schema knows elsewhere does not apply
// here ("" for an unknown key). what names the choice for "required for …".
func decodeKeys(s *Section, specs []param.Spec, known []string, what string, notHere func(k string) string) ([]param.Spec, param.Values, error) {
	v := param.Values{}
	var applied []param.Spec
	allowed := slices.Clone(known)
	for _, spec := range specs {
		if spec.When != nil {
			if why := spec.When(v); why != "" {
				if s.Has(spec.Key) {
					return nil, nil, s.Errf(spec.Key, "%s", why)
				}
				continue
			}
		}
		x, err := s.value(spec, what)
		if err != nil {
			return nil, nil, err
		}
		if x != nil {
			v[spec.Key] = x
		}
		allowed = append(allowed, spec.Key)
		applied = append(applied, spec)
	}
	if err := s.CheckKeys(allowed, notHere); err != nil {
		return nil, nil, err
	}
	return applied, v, nil
}

// choose reads a block's naming key k (def "" makes it required) among choices.
func choose(s *Section, k, def string, names []string) (string, error) {
	name, err := s.Str(k, def)
	if err != nil {
		return "", err
	}
	if name == "" {
		return "", s.Errf(k, "required (one of %s)", strings.Join(names, ", "))
	}
	return name, s.OneOf(k, name, names)
}

func choiceNames(cs []Choice) []string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
	}
	return names
}

// allKeys lists every key any of the choices takes.
func allKeys(cs []Choice) []string {
	var keys []string
	for _, c := range cs {
		for _, s := range c.Params {
			if !slices.Contains(keys, s.Key) {
				keys = append(keys, s.Key)
			}
		}
	}
	return keys
}

func decodeData(top *Section) (*Block, error) {
	s, err := top.Sub("data")
	if err != nil {
		return nil, err
	}
	var choices []Choice
	for _, src := range sources {
		choices = append(choices, src.Choice)
	}
	name, err := choose(s, "source", "synthetic", choiceNames(choices))
	if err != nil {
		return nil, err
	}
	src := LookupSource(name)
	image := name == "mnist" || name == "fashion-mnist"
	others := allKeys(choices)
	specs, v, err := decodeKeys(s, src.Params, []string{"source"}, "source "+name, func(k string) string {
		switch {
		case !slices.Contains(others, k):
			return ""
		case image && k == "test_fraction":
			return fmt.Sprintf("does not apply to source %s (it has its own test set of 10,000 images)", name)
		case image && k == "standardize":
			return fmt.Sprintf("does not apply to source %s (pixels are always scaled to [0, 1])", name)
		}
		return fmt.Sprintf("does not apply to source %s", name)
	})
	if err != nil {
		return nil, err
	}
	b := &Block{Name: name, Specs: specs, Values: v}
	return b, check(s, src.check, v)
}

func check(s *Section, f func(param.Values) (string, string), v param.Values) error {
	if f == nil {
		return nil
	}
	if k, msg := f(v); k != "" {
		return s.Errf(k, "%s", msg)
	}
	return nil
}

// defaultLoss is the loss of a model whose file names none: mse for regression data (the
// synthetic linear generator), cross-entropy otherwise.
func defaultLoss(d *Block) string {
	if d.Name == "synthetic" && d.Values.String("generator") == "linear" {
		return "mse"
	}
	return "cross_entropy"
}

func decodeModel(top *Section, d *Block) (*Block, error) {
	s, err := top.Sub("model")
	if err != nil {
		return nil, err
	}
	name, err := choose(s, "kind", "linear", choiceNames(modelKinds))
	if err != nil {
		return nil, err
	}
	kind := modelKinds[slices.Index(choiceNames(modelKinds), name)]
	others := allKeys(modelKinds)
	s, initFile, err := decodeInitFile(s)
	if err != nil {
		return nil, err
	}
	var layers []any
	if name == "net" {
		if s, layers, err = decodeLayers(s); err != nil {
			return nil, err
		}
	}
	specs, v, err := decodeKeys(s, kind.Params, []string{"kind"}, "kind "+name, func(k string) string {
		if slices.Contains(others, k) || k == "layers" {
			return fmt.Sprintf("does not apply to kind %s (use kind: %s)", name, modelKindsWith(k))
		}
		return ""
	})
	if err != nil {
		return nil, err
	}
	if err := defaultModelKeys(s, &kind, v, d, initFile != nil); err != nil {
		return nil, err
	}
	if v["loss"] == "cross_entropy" && d.Name == "synthetic" && d.Values.String("generator") == "linear" {
		return nil, s.Errf("loss", "cross_entropy needs class labels, but generator linear makes regression targets")
	}
	if name == "net" {
		if specs, err = finishNet(s, d, specs, v, layers); err != nil {
			return nil, err
		}
	}
	if initFile != nil {
		v["init"] = *initFile
	}
	return &Block{Name: name, Specs: specs, Values: v}, nil
}

func decodeProblem(top *Section) (*Block, error) {
	s, err := top.Sub("problem")
	if err != nil {
		return nil, err
	}
	name, err := choose(s, "function", "", choiceNames(functions))
	if err != nil {
		return nil, err
	}
	fn := functions[slices.Index(choiceNames(functions), name)]
	specs, v, err := decodeKeys(s, fn.Params, []string{"function"}, "function "+name, func(k string) string {
		if k == "scales" {
			return "only for function quadratic"
		}
		return ""
	})
	if err != nil {
		return nil, err
	}
	if _, ok := v["start"]; !ok {
		start := model.DefaultStart(name)
		if scales, ok := v["scales"].([]float64); ok && len(scales) != len(start) {
			start = make([]float64, len(scales))
			for i := range start {
				start[i] = 1
			}
		}
		v["start"] = start
	}
	scales, _ := v["scales"].([]float64)
	if _, err := model.NewFunction(name, len(v.Floats("start")), scales); err != nil {
		return nil, &ConfigError{File: s.file, Msg: "problem." + err.Error()}
	}
	return &Block{Name: name, Specs: specs, Values: v}, nil
}

// decodeOptimizer decodes the optimizer block into c and returns optimizer.lr.
func decodeOptimizer(top *Section, c *Config) (float64, error) {
	s, err := top.Sub("optimizer")
	if err != nil {
		return 0, err
	}
	name, err := choose(s, "name", "", optim.Names())
	if err != nil {
		return 0, err
	}
	e, _ := optim.Lookup(name)
	specs := slices.Concat([]param.Spec{lrSpec(e)}, e.Params)
	var others []string
	for _, o := range optim.Entries() {
		others = append(others, param.Keys(o.Params)...)
	}
	_, v, err := decodeKeys(s, specs, []string{"name"}, "optimizer "+name, func(k string) string {
		if slices.Contains(others, k) {
			return fmt.Sprintf("does not apply to optimizer %s (it takes %s)", name, strings.Join(param.Keys(specs), ", "))
		}
		return ""
	})
	if err != nil {
		return 0, err
	}
	lr := v.Float("lr")
	delete(v, "lr")
	if _, err := optim.New(name, v, optim.Flat(1)); err != nil {
		return 0, &ConfigError{File: s.file, Msg: "optimizer." + err.Error()}
	}
	c.Optimizer = Block{Name: name, Specs: e.Params, Values: v}
	return lr, nil
}

// decodeSchedule decodes the schedule block, whose base rate is lr, and validates it at
// once: every rule of a schedule is known before the run's length (which only sets derived
// defaults such as a cosine's period), so a bad schedule is reported before any data is read.
func decodeSchedule(top *Section, c *Config, lr float64) error {
	s, err := top.Sub("schedule")
	if err != nil {
		return err
	}
	name, v, err := scheduleKeys(s, sched.Common, "constant")
	if err != nil {
		return err
	}
	sc := sched.Config{Name: name, Unit: v.String("unit"), Warmup: v.Int("warmup"), LR: lr, Params: param.Values{}}
	e, _ := sched.Lookup(name)
	for _, k := range param.Keys(e.Params) {
		if s.Has(k) {
			sc.Params[k] = v[k]
		}
	}
	rates, err := sched.NewRates(sc, c.Train.Values.Int("epochs"))
	if err != nil {
		return scheduleError(c.File, err)
	}
	if e, _ := optim.Lookup(c.Optimizer.Name); rates.Momentum != nil && e.Cycles == "" {
		return s.Errf("name", "schedule %s drives momentum, which optimizer %s does not have (turn cycle_momentum off)", name, e.Name)
	}
	if rates.Observe != nil && rates.Monitor == "test_loss" && !hasTestSet(c) {
		return s.Errf("monitor", "test_loss needs a test set, which this run does not have (use train_loss, or give data a test_fraction)")
	}
	c.Schedule = sc
	return nil
}

// hasTestSet reports whether c's run evaluates a test set: the image sources have their own,
// the other sources one when data.test_fraction > 0; a test function has none.
func hasTestSet(c *Config) bool {
	if c.Data == nil {
		return false
	}
	if f, ok := c.Data.Values["test_fraction"].(float64); ok {
		return f > 0
	}
	return true
}

// scheduleKeys decodes a schedule mapping: its name (def when absent; "" makes it
// required), the common keys given and the schedule's own, every one checked against its
// spec, with "did you mean" for a misspelt key. It returns the values of the keys that
// apply, the defaults included.
func scheduleKeys(s *Section, common []param.Spec, def string) (string, param.Values, error) {
	name, err := choose(s, "name", def, sched.Names())
	if err != nil {
		return "", nil, err
	}
	e, _ := sched.Lookup(name)
	keys := param.Keys(e.Params)
	var others []string
	for _, o := range sched.Entries() {
		others = append(others, param.Keys(o.Params)...)
	}
	inner := !slices.ContainsFunc(common, func(c param.Spec) bool { return c.Key == "unit" })
	_, v, err := decodeKeys(s, slices.Concat(common, e.Params), []string{"name"}, "schedule "+name, func(k string) string {
		switch {
		case inner && k == "unit":
			return "does not apply inside sequential (its schedules count its unit)"
		case !slices.Contains(others, k):
			return ""
		case len(keys) == 0:
			return fmt.Sprintf("does not apply to schedule %s (it takes no parameters)", name)
		}
		return fmt.Sprintf("does not apply to schedule %s (it takes %s)", name, strings.Join(keys, ", "))
	})
	return name, v, err
}

// schedules decodes key k of s, sequential's list of schedule mappings: each element is a
// schedule block of its own at the key path k[i] (schedule.schedules[1].min_lr), holding its
// name, its warmup when given and the keys it sets. The rules across keys are sched's, which
// reports them with the same paths.
func (s *Section) schedules(k string) ([]param.Values, error) {
	l, ok := s.m[k].([]any)
	if !ok {
		return nil, s.Errf(k, "must be a list of schedule mappings, got %s", Describe(s.m[k]))
	}
	innerCommon := slices.DeleteFunc(slices.Clone(sched.Common), func(c param.Spec) bool { return c.Key == "unit" })
	out := make([]param.Values, len(l))
	for i, x := range l {
		sub, err := NewSection(s.file, fmt.Sprintf("%s[%d]", s.key(k), i), x)
		if err != nil {
			return nil, err
		}
		if n, _ := sub.Str("name", ""); n == "sequential" {
			return nil, sub.Errf("name", "sequential cannot be nested (list its schedules in one)")
		}
		name, v, err := scheduleKeys(sub, innerCommon, "")
		if err != nil {
			return nil, err
		}
		e, _ := sched.Lookup(name)
		out[i] = param.Values{"name": name}
		for _, key := range append([]string{"warmup"}, param.Keys(e.Params)...) {
			if sub.Has(key) {
				out[i][key] = v[key]
			}
		}
	}
	return out, nil
}

// scheduleError turns an error of sched.New into a ConfigError naming schedule.KEY (optimizer.lr
// for the rate).
func scheduleError(file string, err error) error {
	var ke *sched.KeyError
	if errors.As(err, &ke) {
		key := "schedule." + ke.Key
		if ke.Key == "lr" {
			key = "optimizer.lr"
		}
		return &ConfigError{File: file, Key: key, Msg: ke.Err.Error()}
	}
	return &ConfigError{File: file, Msg: "schedule: " + err.Error()}
}

func decodeTrain(top *Section, c *Config) error {
	s, err := top.Sub("train")
	if err != nil {
		return err
	}
	problem := c.IsProblem()
	known := []string{"average"}
	if !problem {
		known = append(known, "batch_schedule")
	}
	specs, v, err := decodeKeys(s, trainSpecs(problem), known, "train", func(k string) string {
		if problem && slices.Contains(batchOnly, k) {
			return "does not apply to a problem run (a test function has no data to batch)"
		}
		return ""
	})
	if err != nil {
		return err
	}
	if v.Bool("reference_optimum") {
		if why := noReferenceOptimum(c); why != "" {
			return s.Errf("reference_optimum", "%s", why)
		}
	}
	c.Train = Block{Specs: specs, Values: v}
	if c.Average, err = decodeAverage(s); err != nil {
		return err
	}
	if problem {
		return nil
	}
	c.Batch, err = decodeBatchSchedule(s, c.BatchSize())
	return err
}

// decodeAverage decodes train.average: absent, or a kind (ema, swa) and its keys.
func decodeAverage(train *Section) (*Block, error) {
	if !train.Has("average") {
		return nil, nil
	}
	s, err := train.Sub("average")
	if err != nil {
		return nil, err
	}
	name, err := choose(s, "kind", "", choiceNames(averageKinds))
	if err != nil {
		return nil, err
	}
	kind := averageKinds[slices.Index(choiceNames(averageKinds), name)]
	others := allKeys(averageKinds)
	specs, v, err := decodeKeys(s, kind.Params, []string{"kind"}, "average "+name, func(k string) string {
		if slices.Contains(others, k) {
			return fmt.Sprintf("does not apply to average kind %s", name)
		}
		return ""
	})
	if err != nil {
		return nil, err
	}
	return &Block{Name: name, Specs: specs, Values: v}, nil
}

// decodeBatchSchedule decodes train.batch_schedule and validates it for the batch size b0
// (0 when full: it is the training-set size, checked when the data are known).
func decodeBatchSchedule(train *Section, b0 int) (sched.BatchConfig, error) {
	s, err := train.Sub("batch_schedule")
	if err != nil {
		return sched.BatchConfig{}, err
	}
	name, err := choose(s, "name", "constant", sched.BatchNames())
	if err != nil {
		return sched.BatchConfig{}, err
	}
	e, _ := sched.LookupBatch(name)
	_, v, err := decodeKeys(s, e.Params, []string{"name"}, "batch schedule "+name, func(k string) string {
		if slices.Contains([]string{"factor", "every", "milestones", "max"}, k) {
			return fmt.Sprintf("does not apply to batch schedule %s", name)
		}
		return ""
	})
	if err != nil {
		return sched.BatchConfig{}, err
	}
	b := sched.BatchConfig{Name: name, Params: v}
	if _, err := sched.NewBatch(b, max(b0, 1), 1<<30); err != nil {
		var ke *sched.KeyError
		if errors.As(err, &ke) {
			return b, s.Errf(ke.Key, "%v", ke.Err)
		}
		return b, &ConfigError{File: s.file, Msg: s.path + "." + err.Error()}
	}
	return b, nil
}

// noReferenceOptimum says why optimbench cannot compute f* for c, or "". It can for a linear
// model with mse (least squares, closed form) or cross_entropy (softmax regression, convex:
// L-BFGS), and for a test function with a known global minimum value (0 for all of them but
// the saddle, which is unbounded below).
func noReferenceOptimum(c *Config) string {
	if c.IsProblem() {
		if c.Problem.Name == "saddle" {
			return "the saddle x² − y² is unbounded below: it has no optimum"
		}
		return ""
	}
	if c.Model.Name != "linear" {
		return fmt.Sprintf("needs a convex problem, but model.kind %s is not convex (use kind: linear with mse or cross_entropy)", c.Model.Name)
	}
	return ""
}

// DataKey identifies c's data section (source, its keys, and whether labels are classes), so
// that points sharing their data check it once; "" for a test function.
func DataKey(c *Config) string {
	if c.IsProblem() {
		return ""
	}
	v := c.Data.Values
	keys := slices.Sorted(maps.Keys(v))
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%v", c.Data.Name, c.Classify())
	for _, k := range keys {
		fmt.Fprintf(&b, "|%s=%s", k, param.Format(v[k]))
	}
	return b.String()
}
