package benchmark

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/report"
	"github.com/optimbench/optimbench/internal/sweep"
	"github.com/optimbench/optimbench/internal/train"
)

// Benchmark is a benchmark file (SPEC §10) read and checked.
type Benchmark struct {
	File       string
	Name       string
	Seed       uint64   // `seed`: the random and Halton samplers and the bootstrap (default 1)
	TuneSeed   uint64   // `tune_seed`: the seed of every tuning run (default 1)
	Seeds      []uint64 // `seeds`: the rerun's seeds (a count n means 1..n; default 10)
	Rule       Rule     // `rule` (default final_test_loss)
	Target     string   // `target`: the speed target's metric (default test_loss)
	Bootstrap  int      // `bootstrap`: draws per point of the budget curve (default 1000)
	Problems   []Problem
	Optimizers []*Optimizer // baselines first, then the file's optimizers
	// BaselineDir is the baselines store (`baselines.dir`, relative to the file; "" puts it
	// in the benchmark folder, as baselines/).
	BaselineDir string
}

// Problem is one test problem: a train configuration (its optimizer block is replaced).
type Problem struct {
	Name string
	File string         // the file the configuration came from ("" when inline)
	Raw  map[string]any // the configuration as read
}

// Optimizer is one optimizer of the benchmark and its search.
type Optimizer struct {
	Name     string
	Block    map[string]any // the optimizer block every run of it uses
	Search   SearchSpec
	Baseline bool
}

// SearchSpec is an optimizer's `search:` block.
type SearchSpec struct {
	Method    string       // grid | random | halton | halving
	Sampler   string       // grid | random | halton
	LR        []float64    // the lr grid (sampler grid)
	Trials    int          // random/halton candidates
	Space     []sweep.Dist // random/halton space
	Eta       int          // halving: keep 1/eta per rung
	MinEpochs int          // halving: epochs of rung 0
}

var (
	benchKeys    = []string{"name", "seed", "tune_seed", "seeds", "rule", "target", "bootstrap", "problems", "optimizers", "baselines"}
	optKeys      = []string{"optimizer", "search"}
	searchKeys   = []string{"method", "sampler", "lr", "trials", "space", "eta", "min_epochs"}
	baselineKeys = []string{"dir", "optimizers", "search"}
	methods      = []string{"grid", "random", "halton", "halving"}
	samplers     = []string{"grid", "random", "halton"}
	targets      = []string{"test_loss", "train_loss", "test_acc", "train_acc"}
)

// BaselineNames are the baselines, tuned by the same protocol and reused across benchmarks.
var BaselineNames = []string{"sgd", "momentum", "adam"}

// DeepOBSLRGrid is DeepOBS's lr grid: 36 values log-spaced from 1e-5 to 1e2.
var DeepOBSLRGrid = SearchSpec{Method: "grid", Sampler: "grid", LR: LogGrid(1e-5, 1e2, 36)}

// LogGrid is num values from lo to hi, log-spaced: 10^(log₁₀lo + i·(log₁₀hi − log₁₀lo)/(num−1)),
// rounded to 12 significant digits (so that a decade is 0.1, not 0.09999999999999998, in run
// ids and results), the ends exactly lo and hi.
func LogGrid(lo, hi float64, num int) []float64 {
	if num == 1 {
		return []float64{lo}
	}
	e0, e1 := math.Log10(lo), math.Log10(hi)
	out := make([]float64, num)
	for i := range out {
		x := math.Pow(10, e0+(e1-e0)*float64(i)/float64(num-1))
		out[i], _ = strconv.ParseFloat(strconv.FormatFloat(x, 'g', 12, 64), 64)
	}
	out[0], out[num-1] = lo, hi
	return out
}

// Read reads and checks a benchmark file. Every problem is decoded with each optimizer
// block, so a bad problem or optimizer is reported, naming the file and key, before anything
// runs.
func Read(path string) (*Benchmark, error) {
	d, err := config.Read(path)
	if err != nil {
		return nil, err
	}
	if d.Root == nil {
		return nil, &config.ConfigError{File: path, Msg: "a benchmark must be a mapping with problems and optimizers"}
	}
	top, err := config.NewSection(path, "", d.Raw)
	if err != nil {
		return nil, err
	}
	if err := top.CheckKeys(benchKeys, nil); err != nil {
		return nil, err
	}
	b := &Benchmark{File: path}
	if err := b.parseTop(top); err != nil {
		return nil, err
	}
	if err := b.parseProblems(top, child(d.Root, "problems")); err != nil {
		return nil, err
	}
	if err := b.parseBaselines(top, child(d.Root, "baselines")); err != nil {
		return nil, err
	}
	if err := b.parseOptimizers(top, child(d.Root, "optimizers")); err != nil {
		return nil, err
	}
	if len(b.Optimizers) == 0 {
		return nil, top.Errf("optimizers", "required: at least one optimizer (or baselines)")
	}
	return b, b.check()
}

func (b *Benchmark) parseTop(top *config.Section) error {
	var err error
	if b.Name, err = top.Str("name", ""); err != nil {
		return err
	}
	if b.Name == "" {
		b.Name = strings.TrimSuffix(filepath.Base(b.File), filepath.Ext(b.File))
	}
	if b.Seed, err = top.Seed("seed", 1); err != nil {
		return err
	}
	if b.TuneSeed, err = top.Seed("tune_seed", 1); err != nil {
		return err
	}
	if err := b.parseSeeds(top); err != nil {
		return err
	}
	rule, err := top.Str("rule", "final_test_loss")
	if err != nil {
		return err
	}
	if b.Rule, err = ParseRule(rule); err != nil {
		return top.Errf("rule", "%v", err)
	}
	if b.Target, err = top.Str("target", "test_loss"); err != nil {
		return err
	}
	if err := top.OneOf("target", b.Target, targets); err != nil {
		return err
	}
	if b.Bootstrap, err = top.Int("bootstrap", 1000); err != nil {
		return err
	}
	if b.Bootstrap < 1 || b.Bootstrap > 1_000_000 {
		return top.Errf("bootstrap", "must be in [1, 1000000], got %d", b.Bootstrap)
	}
	return nil
}

// parseSeeds reads `seeds`: a count n (seeds 1..n) or a list of distinct seeds.
func (b *Benchmark) parseSeeds(top *config.Section) error {
	switch v := top.Get("seeds").(type) {
	case nil:
		b.Seeds = seedRange(10)
		return nil
	case []any:
		if len(v) == 0 {
			return top.Errf("seeds", "must list at least one seed")
		}
		for i, e := range v {
			n, ok := config.ToSeed(e)
			if !ok {
				return top.Errf("seeds", "element %d must be an integer in [0, 2^64), got %s", i, config.Describe(e))
			}
			if slices.Contains(b.Seeds, n) {
				return top.Errf("seeds", "seed %d is listed twice", n)
			}
			b.Seeds = append(b.Seeds, n)
		}
		return nil
	}
	n, err := top.Int("seeds", 10)
	if err != nil {
		return err
	}
	if n < 1 || n > 10000 {
		return top.Errf("seeds", "must be a count in [1, 10000] or a list of seeds, got %d", n)
	}
	b.Seeds = seedRange(n)
	return nil
}

func seedRange(n int) []uint64 {
	s := make([]uint64, n)
	for i := range s {
		s[i] = uint64(i + 1)
	}
	return s
}

func (b *Benchmark) parseProblems(top *config.Section, node *yaml.Node) error {
	ps, err := top.Sub("problems")
	if err != nil {
		return err
	}
	keys := orderedKeys(node)
	if len(keys) == 0 {
		return top.Errf("problems", "required: a mapping of problem names to train configurations (a file or an inline mapping)")
	}
	for _, k := range keys {
		k = strings.ToLower(k)
		if err := checkName(ps, k); err != nil {
			return err
		}
		p := Problem{Name: k}
		switch v := ps.Get(k).(type) {
		case string:
			f := v
			if !filepath.IsAbs(f) {
				f = filepath.Join(filepath.Dir(b.File), f)
			}
			if _, err := os.Stat(f); err != nil {
				return ps.Errf(k, "cannot read %s: %v", f, errors.Unwrap(err))
			}
			d, err := config.Read(f)
			if err != nil {
				return err
			}
			p.File, p.Raw = f, d.Raw
		case map[string]any:
			p.Raw = config.DeepCopy(v).(map[string]any)
		default:
			return ps.Errf(k, "must be a train config file or an inline mapping, got %s", config.Describe(v))
		}
		b.Problems = append(b.Problems, p)
	}
	return nil
}

// checkName accepts a problem or optimizer name: it names folders.
func checkName(sec *config.Section, k string) error {
	if k == "" || strings.Trim(k, "abcdefghijklmnopqrstuvwxyz0123456789_-.") != "" || strings.HasPrefix(k, ".") {
		return sec.Errf(k, "a name must be lower-case letters, digits, _, - and . (it names a folder)")
	}
	return nil
}

func (b *Benchmark) parseBaselines(top *config.Section, node *yaml.Node) error {
	bs, err := top.Sub("baselines")
	if err != nil {
		return err
	}
	if err := bs.CheckKeys(baselineKeys, nil); err != nil {
		return err
	}
	if b.BaselineDir, err = bs.Str("dir", ""); err != nil {
		return err
	}
	if b.BaselineDir != "" && !filepath.IsAbs(b.BaselineDir) {
		b.BaselineDir = filepath.Join(filepath.Dir(b.File), b.BaselineDir)
	}
	names := BaselineNames
	if bs.Has("optimizers") {
		l, _, err := bs.List("optimizers")
		if err != nil {
			return err
		}
		names = nil
		for i, v := range l {
			s, ok := v.(string)
			if !ok || !slices.Contains(BaselineNames, s) {
				return bs.Errf("optimizers", "element %d must be one of %s, got %s", i, strings.Join(BaselineNames, ", "), config.Describe(v))
			}
			if slices.Contains(names, s) {
				return bs.Errf("optimizers", "element %d: %s is listed twice", i, s)
			}
			names = append(names, s)
		}
	}
	search := DeepOBSLRGrid
	if bs.Has("search") {
		if search, err = parseSearch(bs, "search", child(node, "search")); err != nil {
			return err
		}
	}
	for _, n := range names {
		o := &Optimizer{Name: n, Block: map[string]any{"name": n}, Search: search, Baseline: true}
		b.Optimizers = append(b.Optimizers, o)
	}
	return nil
}

func (b *Benchmark) parseOptimizers(top *config.Section, node *yaml.Node) error {
	if !top.Has("optimizers") {
		return nil
	}
	opts, err := top.Sub("optimizers")
	if err != nil {
		return err
	}
	for _, k := range orderedKeys(node) {
		k = strings.ToLower(k)
		if err := checkName(opts, k); err != nil {
			return err
		}
		if slices.ContainsFunc(b.Optimizers, func(o *Optimizer) bool { return o.Name == k }) {
			return opts.Errf(k, "is also a baseline: give it another name, or drop it from baselines.optimizers")
		}
		sec, err := opts.Sub(k)
		if err != nil {
			return err
		}
		if err := sec.CheckKeys(optKeys, nil); err != nil {
			return err
		}
		o := &Optimizer{Name: k, Block: map[string]any{"name": k}, Search: DeepOBSLRGrid}
		if sec.Has("optimizer") {
			blk, ok := sec.Get("optimizer").(map[string]any)
			if !ok {
				return sec.Errf("optimizer", "must be an optimizer block such as {name: adam, beta2: 0.99}, got %s", config.Describe(sec.Get("optimizer")))
			}
			o.Block = config.DeepCopy(blk).(map[string]any)
		}
		if sec.Has("search") {
			if o.Search, err = parseSearch(sec, "search", child(child(node, k), "search")); err != nil {
				return err
			}
		}
		b.Optimizers = append(b.Optimizers, o)
	}
	return nil
}

// parseSearch reads a search block.
func parseSearch(parent *config.Section, key string, node *yaml.Node) (SearchSpec, error) {
	var s SearchSpec
	sec, err := parent.Sub(key)
	if err != nil {
		return s, err
	}
	if err := sec.CheckKeys(searchKeys, nil); err != nil {
		return s, err
	}
	if s.Method, err = sec.Str("method", "grid"); err != nil {
		return s, err
	}
	if err := sec.OneOf("method", s.Method, methods); err != nil {
		return s, err
	}
	if sec.Has("lr") {
		if s.LR, err = parseLR(sec); err != nil {
			return s, err
		}
	}
	if sec.Has("space") {
		if err := parseSpace(sec, &s, orderedKeys(child(node, "space"))); err != nil {
			return s, err
		}
	}
	return s, checkSearch(sec, &s)
}

// parseLR reads search.lr: a list of rates, or {min, max, num}, a log grid.
func parseLR(sec *config.Section) ([]float64, error) {
	if _, ok := sec.Get("lr").([]any); ok {
		lr, err := sec.Floats("lr", nil)
		if err != nil {
			return nil, err
		}
		for _, x := range lr {
			if x <= 0 {
				return nil, sec.Errf("lr", "every rate must be > 0, got %v", x)
			}
		}
		return lr, nil
	}
	g, err := sec.Sub("lr")
	if err != nil {
		return nil, sec.Errf("lr", "must be a list of rates or a log grid {min: 1.0e-5, max: 100, num: 36}, got %s", config.Describe(sec.Get("lr")))
	}
	if err := g.CheckKeys([]string{"min", "max", "num"}, nil); err != nil {
		return nil, err
	}
	lo, err := g.Float("min", 1e-5)
	if err != nil {
		return nil, err
	}
	hi, err := g.Float("max", 1e2)
	if err != nil {
		return nil, err
	}
	num, err := g.Int("num", 36)
	if err != nil {
		return nil, err
	}
	switch {
	case !(lo > 0):
		return nil, g.Errf("min", "must be > 0, got %v", lo)
	case !(hi >= lo) || math.IsInf(hi, 0):
		return nil, g.Errf("max", "must be a number >= min (%v), got %v", lo, hi)
	case num < 1 || num > 10000:
		return nil, g.Errf("num", "must be in [1, 10000], got %d", num)
	}
	return LogGrid(lo, hi, num), nil
}

// parseSpace reads search.space, its keys in the file's order (a dotted key is read as
// written, as a sweep's random.space is).
func parseSpace(sec *config.Section, s *SearchSpec, keys []string) error {
	sp, err := sec.Sub("space")
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		return sec.Errf("space", "must list at least one key")
	}
	for _, k := range keys {
		d, err := sweep.ParseDist(sp, k)
		if err != nil {
			return err
		}
		s.Space = append(s.Space, d)
	}
	return nil
}

// checkSearch fills the defaults of a search and checks that its keys fit its method.
func checkSearch(sec *config.Section, s *SearchSpec) error {
	var err error
	def := "grid"
	if s.Method == "random" || s.Method == "halton" {
		def = s.Method
	} else if s.LR == nil && s.Space != nil {
		def = "halton"
	}
	if s.Sampler, err = sec.Str("sampler", def); err != nil {
		return err
	}
	if err := sec.OneOf("sampler", s.Sampler, samplers); err != nil {
		return err
	}
	if s.Method != "halving" && sec.Has("sampler") && s.Sampler != s.Method {
		return sec.Errf("sampler", "only halving takes a sampler (method %s samples by %s)", s.Method, s.Method)
	}
	if s.Sampler == "grid" {
		if sec.Has("trials") {
			return sec.Errf("trials", "a grid search runs every lr of its grid; trials is for a random or halton search")
		}
		if s.Space != nil {
			return sec.Errf("space", "a grid search takes lr, not space (use method random or halton)")
		}
		if s.LR == nil {
			s.LR = DeepOBSLRGrid.LR
		}
	} else {
		if s.LR != nil {
			return sec.Errf("lr", "a %s search samples space; put the lr in space, e.g. optimizer.lr: {log_uniform: [1.0e-5, 1.0]}", s.Sampler)
		}
		if s.Space == nil {
			return sec.Errf("space", "required for a %s search: a mapping of dotted keys to distributions", s.Sampler)
		}
		if !sec.Has("trials") {
			return sec.Errf("trials", "required for a %s search: the number of candidates", s.Sampler)
		}
		if s.Trials, err = sec.Int("trials", 0); err != nil {
			return err
		}
		if s.Trials < 1 || s.Trials > 100000 {
			return sec.Errf("trials", "must be in [1, 100000], got %d", s.Trials)
		}
	}
	if s.Method != "halving" {
		for _, k := range []string{"eta", "min_epochs"} {
			if sec.Has(k) {
				return sec.Errf(k, "only method halving takes %s", k)
			}
		}
		return nil
	}
	if s.Eta, err = sec.Int("eta", 3); err != nil {
		return err
	}
	if s.Eta < 2 {
		return sec.Errf("eta", "must be >= 2, got %d", s.Eta)
	}
	if s.MinEpochs, err = sec.Int("min_epochs", 1); err != nil {
		return err
	}
	if s.MinEpochs < 1 {
		return sec.Errf("min_epochs", "must be >= 1, got %d", s.MinEpochs)
	}
	return nil
}

// child returns the value node of key k in mapping m, or nil.
func child(m *yaml.Node, k string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if strings.EqualFold(m.Content[i].Value, k) {
			return m.Content[i+1]
		}
	}
	return nil
}

// orderedKeys returns the keys of mapping node m in document order.
func orderedKeys(m *yaml.Node) []string {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	var keys []string
	for i := 0; i+1 < len(m.Content); i += 2 {
		keys = append(keys, m.Content[i].Value)
	}
	return keys
}

// check decodes every problem with every optimizer's block and each of its candidates, so
// that a bad problem, optimizer block or search key is refused before anything runs, naming
// the benchmark key at fault.
func (b *Benchmark) check() error {
	checked := map[string]bool{} // data sections already checked
	for _, o := range b.Optimizers {
		cands, err := candidates(o.Search, b.Seed)
		if err != nil {
			return &config.ConfigError{File: b.File, Key: "optimizers." + o.Name + ".search", Msg: err.Error()}
		}
		for _, p := range b.Problems {
			base := problemBase(p, o, b.TuneSeed)
			c, err := config.Decode(base, p.File)
			if err != nil {
				return fmt.Errorf("benchmark %s: problems.%s with optimizers.%s: %w", b.File, p.Name, o.Name, err)
			}
			// The data too (files there, headers parse), so that a missing dataset stops
			// the benchmark before the problems before it train.
			if k := config.DataKey(c); k != "" && !checked[k] {
				checked[k] = true
				if err := train.CheckData(context.Background(), c); err != nil {
					return report.BadInput(fmt.Errorf("benchmark %s: problems.%s: %w", b.File, p.Name, err))
				}
			}
			for i, set := range cands {
				raw := config.DeepCopy(base).(map[string]any)
				for _, kv := range set {
					err = errors.Join(err, config.SetPath(raw, kv.Key, kv.Value))
				}
				if err == nil {
					_, err = config.Decode(raw, p.File)
				}
				if err != nil {
					return report.BadInput(fmt.Errorf("benchmark %s: optimizers.%s.search: candidate %d on problems.%s: %w", b.File, o.Name, i, p.Name, err))
				}
			}
		}
	}
	return nil
}

// problemBase is problem p's configuration with optimizer o's block and the seed.
func problemBase(p Problem, o *Optimizer, seed uint64) map[string]any {
	raw := config.DeepCopy(p.Raw).(map[string]any)
	raw["optimizer"] = config.DeepCopy(o.Block)
	raw["seed"] = seed
	return raw
}
