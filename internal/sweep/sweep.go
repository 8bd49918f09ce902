// Package sweep expands a sweep configuration (SPEC §2) — grid, random trials, seeds — into its
// points, each a validated train configuration, and executes them: resumably, on several
// workers, as one shard of many (SPEC §9), under a lock per sweep folder; Merge joins the
// shards' results.
package sweep

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/bits"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/param"
	"github.com/optimbench/optimbench/internal/report"
)

// Sweep is a sweep configuration (SPEC §2) expanded into its points, each a
// validated train configuration.
//
// Point order, which fixes the rows of results.csv and the assignment of
// points to shards, is that of nested loops: the grid keys in the order the
// file lists them (the first varies slowest, the last fastest), inside them
// the random trials (1..trials), and innermost the seeds. Random trials are
// sampled once and shared by every grid combination, so each combination
// sees the same sampled values.
type Sweep struct {
	Name     string   // the sweep's `name`, or its file name without extension
	File     string   // the sweep file
	Seed     uint64   // `seed`: seeds the random search (default 1)
	Sets     []string // --set overrides, applied to the base configuration
	BaseFile string   // the base train configuration's file ("" when inline)
	Base     map[string]any
	Grid     []Axis
	Random   *Random
	Seeds    []uint64
	// Keys are the swept keys, grid keys then random keys: the results.csv
	// columns between seed and epochs.
	Keys   []string
	Points []*Point
	// Fingerprint identifies the expanded sweep: a hash of its swept keys
	// and of its run ids, which hash each point's resolved configuration.
	Fingerprint string
	// dataPoints are the indexes of the first point of each distinct data section, in
	// order: Execute checks their data before anything runs.
	dataPoints []int
	// cacheKeyOf is the key of the points cache (when LoadOptions.Dir was given);
	// validatedAll says whether every point was decoded (none taken from the cache).
	cacheKeyOf   string
	validatedAll bool
}

// LoadOptions are Load's options.
type LoadOptions struct {
	Sets     []string              // key=value overrides of the base configuration
	Progress func(done, total int) // called now and then during validation, when not nil
	// Dir is the sweep's folder, whose points cache Load may use, and Shard the shard that
	// will run: with a valid cache, a shard decodes only its own points (and checks them
	// against the cache) and takes the others' seeds, hashes and run ids from it.
	Dir   string
	Shard Shard
}

// Axis is one grid key and its values.
type Axis struct {
	Key    string
	Values []any
}

// Random is the `random:` block: trials points sampled from space.
type Random struct {
	Trials int
	Space  []Dist
}

// Dist is the distribution of one key of a random search.
type Dist struct {
	Key       string
	Kind      string // log_uniform | uniform | int_uniform | choice
	Low, High float64
	Choices   []any
}

// Override sets one dotted key of a point's configuration.
type Override struct {
	Key   string
	Value any
}

// Point is one run of a sweep.
type Point struct {
	Index int
	Set   []Override // grid keys, random keys, then seed (when seeds are swept)
	Seed  uint64     // the run's seed
	sweep *Sweep
	ID    string // readable prefix + content hash: the run folder's name
	Hash  string // hash of the resolved configuration
	// base and baseFile are the point's own train configuration in a sweep of explicit
	// points (NewExplicit); nil in a sweep file's points, which share the sweep's base.
	base     map[string]any
	baseFile string
}

// MaxPoints bounds the size of a sweep, to catch a runaway Cartesian product.
const MaxPoints = 1_000_000

var (
	sweepKeys  = []string{"name", "seed", "base", "grid", "random", "seeds"}
	randomKeys = []string{"trials", "space"}
	distKinds  = []string{"log_uniform", "uniform", "int_uniform", "choice"}
)

// streamSweep is the random stream of a sweep's random search.
const streamSweep = 0x5357454550 // "SWEEP"

// Load reads a sweep configuration, applies the `key=value` overrides (o.Sets) to its base,
// expands it into points and validates every point (config.Decode), so that a bad point is
// reported before anything runs. The points are decoded on every core; ctx stops the
// expansion within a point's decoding, and o.Progress, when not nil, is called now and then
// with the points validated and their total. See LoadOptions for the points cache.
func Load(ctx context.Context, path string, o LoadOptions) (*Sweep, error) {
	d, err := config.Read(path)
	if err != nil {
		return nil, err
	}
	if d.Root == nil {
		return nil, &config.ConfigError{File: path, Msg: "a sweep must be a mapping with base and grid, random or seeds"}
	}
	return parseSweep(ctx, path, d.Root, d.Raw, o)
}

func parseSweep(ctx context.Context, path string, root *yaml.Node, raw map[string]any, o LoadOptions) (*Sweep, error) {
	top, err := config.NewSection(path, "", raw)
	if err != nil {
		return nil, err
	}
	if err := top.CheckKeys(sweepKeys, func(k string) string {
		if slices.Contains(config.TopKeys(), k) {
			return "is a train key: put it in the base configuration (base:), or sweep it under grid:"
		}
		return ""
	}); err != nil {
		return nil, err
	}
	s := &Sweep{File: path, Sets: o.Sets}
	if s.Name, err = top.Str("name", ""); err != nil {
		return nil, err
	}
	if s.Name == "" {
		s.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	seed, err := top.Seed("seed", 1)
	if err != nil {
		return nil, err
	}
	s.Seed = seed

	if err := s.parseBase(top); err != nil {
		return nil, err
	}
	if err := s.parseGrid(top, child(root, "grid")); err != nil {
		return nil, err
	}
	if err := s.parseRandom(top, child(root, "random")); err != nil {
		return nil, err
	}
	if err := s.parseSeeds(top); err != nil {
		return nil, err
	}
	if err := s.expand(ctx, o); err != nil {
		return nil, err
	}
	return s, nil
}

// child returns the value node of key k in mapping m, or nil.
func child(m *yaml.Node, k string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == k {
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

func (s *Sweep) parseBase(top *config.Section) error {
	var raw map[string]any
	switch b := top.Get("base").(type) {
	case nil:
		return top.Errf("base", "required: a train config file (relative to this file) or an inline mapping")
	case string:
		p := b
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(s.File), p)
		}
		if _, err := os.Stat(p); err != nil {
			return top.Errf("base", "cannot read %s: %v", p, errors.Unwrap(err))
		}
		d, err := config.Read(p)
		if err != nil {
			return err
		}
		s.BaseFile, raw = p, d.Raw
	case map[string]any:
		raw = config.DeepCopy(b).(map[string]any)
	default:
		return top.Errf("base", "must be a file name or a mapping, got %s", config.Describe(b))
	}
	for _, kv := range s.Sets {
		if err := config.Set(raw, kv); err != nil {
			return err
		}
	}
	s.Base = raw
	return nil
}

// checkKeyPath validates a dotted key of grid or random.space.
func checkKeyPath(sec *config.Section, k string) error {
	if k == "" || strings.HasPrefix(k, ".") || strings.HasSuffix(k, ".") || strings.Contains(k, "..") {
		return sec.Errf(k, "not a dotted config key such as optimizer.lr")
	}
	if k == "seed" {
		return sec.Errf(k, "use the seeds: list to repeat points over seeds")
	}
	if k == "name" {
		return sec.Errf(k, "cannot be swept: each run is named by its run id")
	}
	return nil
}

func (s *Sweep) parseGrid(top *config.Section, node *yaml.Node) error {
	if !top.Has("grid") {
		return nil
	}
	g, err := top.Sub("grid")
	if err != nil {
		return err
	}
	for _, k := range orderedKeys(node) {
		k = strings.ToLower(k)
		if err := checkKeyPath(g, k); err != nil {
			return err
		}
		vals, ok := g.Get(k).([]any)
		if !ok {
			return g.Errf(k, "must be a list of values, got %s", config.Describe(g.Get(k)))
		}
		if len(vals) == 0 {
			return g.Errf(k, "must list at least one value")
		}
		s.Grid = append(s.Grid, Axis{Key: strings.ToLower(k), Values: vals})
		s.Keys = append(s.Keys, strings.ToLower(k))
	}
	return nil
}

func (s *Sweep) parseRandom(top *config.Section, node *yaml.Node) error {
	if !top.Has("random") {
		return nil
	}
	r, err := top.Sub("random")
	if err != nil {
		return err
	}
	if err := r.CheckKeys(randomKeys, nil); err != nil {
		return err
	}
	s.Random = &Random{}
	if !r.Has("trials") {
		return r.Errf("trials", "required: the number of points to sample")
	}
	if s.Random.Trials, err = r.Int("trials", 0); err != nil {
		return err
	}
	if s.Random.Trials < 1 {
		return r.Errf("trials", "must be >= 1, got %d", s.Random.Trials)
	}
	if !r.Has("space") {
		return r.Errf("space", "required: a mapping of dotted keys to distributions")
	}
	sp, err := r.Sub("space")
	if err != nil {
		return err
	}
	keys := orderedKeys(child(node, "space"))
	if len(keys) == 0 {
		return r.Errf("space", "must list at least one key")
	}
	for _, k := range keys {
		k = strings.ToLower(k)
		if err := checkKeyPath(sp, k); err != nil {
			return err
		}
		lk := k
		if slices.Contains(s.Keys, lk) {
			return sp.Errf(k, "is also swept by grid; sweep each key one way")
		}
		d, err := parseDist(sp, k)
		if err != nil {
			return err
		}
		d.Key = lk
		s.Random.Space = append(s.Random.Space, d)
		s.Keys = append(s.Keys, lk)
	}
	return nil
}

func parseDist(sp *config.Section, k string) (Dist, error) {
	d := Dist{}
	ds, err := sp.Sub(k)
	if err != nil {
		return d, sp.Errf(k, "must be a mapping such as {log_uniform: [1.0e-5, 1.0]}, got %s", config.Describe(sp.Get(k)))
	}
	if err := ds.CheckKeys(distKinds, nil); err != nil {
		return d, err
	}
	if keys := ds.Keys(); len(keys) != 1 {
		return d, sp.Errf(k, "must name exactly one distribution (one of %s)", strings.Join(distKinds, ", "))
	} else {
		d.Kind = keys[0]
	}
	l, ok, err := ds.List(d.Kind)
	if err != nil {
		return d, err
	}
	if !ok || len(l) == 0 {
		return d, ds.Errf(d.Kind, "must be a non-empty list")
	}
	if d.Kind == "choice" {
		d.Choices = l
		return d, nil
	}
	if len(l) != 2 {
		return d, ds.Errf(d.Kind, "must be [low, high], got %d values", len(l))
	}
	if d.Kind == "int_uniform" {
		bounds, err := ds.Ints(d.Kind, nil)
		if err != nil {
			return d, err
		}
		d.Low, d.High = float64(bounds[0]), float64(bounds[1])
	} else {
		bounds, err := ds.Floats(d.Kind, nil)
		if err != nil {
			return d, err
		}
		d.Low, d.High = bounds[0], bounds[1]
	}
	if d.Low > d.High {
		return d, ds.Errf(d.Kind, "low %v is above high %v", d.Low, d.High)
	}
	if d.Kind == "log_uniform" && d.Low <= 0 {
		return d, ds.Errf(d.Kind, "bounds must be > 0 for a log-uniform distribution, got %v", d.Low)
	}
	return d, nil
}

func (s *Sweep) parseSeeds(top *config.Section) error {
	if !top.Has("seeds") {
		return nil
	}
	l, _, err := top.List("seeds")
	if err != nil {
		return err
	}
	if len(l) == 0 {
		return top.Errf("seeds", "must list at least one seed")
	}
	for i, v := range l {
		n, ok := config.ToSeed(v)
		if !ok {
			return top.Errf("seeds", "element %d must be an integer in [0, 2^64), got %s", i, config.Describe(v))
		}
		if slices.Contains(s.Seeds, n) {
			return top.Errf("seeds", "seed %d is listed twice", n)
		}
		s.Seeds = append(s.Seeds, n)
	}
	return nil
}

// sample draws the random trials: trial by trial, keys in file order, from
// one PCG stream of the sweep's seed. Only the PCG generator's raw output is
// used (no library sampling routine), so the values do not depend on the Go
// release. A trial that repeats an earlier one (likely with choice and
// int_uniform keys) is drawn again; a space too small for the trials is an
// error.
func (r *Random) sample(seed uint64) ([][]Override, error) {
	src := rand.NewPCG(seed, streamSweep)
	unit := func() float64 { return float64(src.Uint64()>>11) / (1 << 53) }
	index := func(n uint64) uint64 { hi, _ := bits.Mul64(src.Uint64(), n); return hi }
	trials := make([][]Override, r.Trials)
	seen := make(map[string]bool, r.Trials)
	const redraws = 1000
	for t := range trials {
		for attempt := 0; ; attempt++ {
			trials[t] = r.draw(unit, index)
			key := fmt.Sprint(trials[t])
			if !seen[key] {
				seen[key] = true
				break
			}
			if attempt == redraws {
				return nil, fmt.Errorf("random.trials: %d trials, but %d draws found only %d distinct points in the space; lower trials", r.Trials, redraws, t)
			}
		}
	}
	return trials, nil
}

// draw samples one trial: one value per key of the space, in file order.
func (r *Random) draw(unit func() float64, index func(uint64) uint64) []Override {
	trial := make([]Override, 0, len(r.Space))
	for _, d := range r.Space {
		var v any
		switch d.Kind {
		case "uniform":
			v = d.Low + (d.High-d.Low)*unit()
		case "log_uniform":
			lo, hi := math.Log(d.Low), math.Log(d.High)
			v = math.Exp(lo + (hi-lo)*unit())
		case "int_uniform":
			v = int(d.Low) + int(index(uint64(d.High-d.Low)+1))
		case "choice":
			v = d.Choices[index(uint64(len(d.Choices)))]
		}
		trial = append(trial, Override{d.Key, v})
	}
	return trial
}

// expand builds and validates the points.
func (s *Sweep) expand(ctx context.Context, o LoadOptions) error {
	total := s.size()
	if total > MaxPoints || total < 0 {
		return &config.ConfigError{File: s.File, Msg: fmt.Sprintf("the sweep has more than %d points", MaxPoints)}
	}
	var trials [][]Override
	if s.Random != nil {
		var err error
		if trials, err = s.Random.sample(s.Seed); err != nil {
			return &config.ConfigError{File: s.File, Msg: err.Error()}
		}
	}
	if trials == nil {
		trials = [][]Override{nil}
	}
	seeds := []*uint64{nil}
	if len(s.Seeds) > 0 {
		seeds = seeds[:0]
		for i := range s.Seeds {
			seeds = append(seeds, &s.Seeds[i])
		}
	}
	s.Points = make([]*Point, 0, total)
	combo := make([]int, len(s.Grid))
	for more := true; more; more = s.nextCombo(combo) {
		for _, trial := range trials {
			for _, seed := range seeds {
				s.Points = append(s.Points, &Point{Index: len(s.Points), Set: s.overrides(combo, trial, seed), sweep: s})
			}
		}
	}
	return s.finish(ctx, o)
}

// finish validates the points, refuses two points that are the same run and computes the
// sweep's fingerprint.
func (s *Sweep) finish(ctx context.Context, o LoadOptions) error {
	if err := s.validateCached(ctx, o); err != nil {
		s.Points = nil
		return err
	}
	seen := make(map[string]int, len(s.Points))
	for _, p := range s.Points {
		if j, dup := seen[p.ID]; dup {
			return &config.ConfigError{File: s.File, Msg: fmt.Sprintf("points %d (%s) and %d (%s) are the same run; remove the duplicate values",
				j, formatSet(s.Points[j].Set), p.Index, formatSet(p.Set))}
		}
		seen[p.ID] = p.Index
	}
	h := sha256.New()
	fmt.Fprintf(h, "optimbench sweep\nkeys %q\n", s.Keys)
	for _, p := range s.Points {
		fmt.Fprintf(h, "%s\n", p.ID)
	}
	s.Fingerprint = hex.EncodeToString(h.Sum(nil))[:16]
	return nil
}

// validate decodes every point (or those at the indexes only) on all cores, giving each its seed, hash and run id; the
// error is that of the lowest point that fails. It keeps no decoded configuration: a point's
// is decoded again when it runs (Point.Config), so that a large sweep holds little memory.
func (s *Sweep) validate(ctx context.Context, progress func(done, total int), only []int) error {
	n := len(s.Points)
	if only != nil {
		n = len(only)
	}
	workers := min(runtime.GOMAXPROCS(0), max(n/64, 1))
	var next, done atomic.Int64
	errs := make([]error, workers)
	firstOf := make([]map[string]int, workers) // per worker: data key → its lowest point
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		firstOf[w] = map[string]int{}
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if only != nil {
					i = only[i]
				}
				p := s.Points[i]
				c, err := p.Config()
				if err != nil {
					if errs[w] == nil {
						errs[w] = err
					}
					next.Store(int64(n)) // the first failures stop everyone
					return
				}
				p.Seed, p.Hash = c.Seed, config.Hash(c)
				p.ID = runPrefix(p.Set, c.Name) + "-" + p.Hash[:8]
				if k := config.DataKey(c); k != "" {
					if j, ok := firstOf[w][k]; !ok || i < j {
						firstOf[w][k] = i
					}
				}
				done.Add(1)
			}
		}()
	}
	stop := make(chan struct{})
	if progress != nil {
		go func() {
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					progress(int(done.Load()), n)
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sweep %s: interrupted while validating its points: %w", s.File, err)
	}
	s.dataPoints = mergeFirsts(firstOf)
	var first error
	firstIndex := len(s.Points)
	for _, err := range errs {
		var pe *pointError
		if errors.As(err, &pe) && pe.index < firstIndex {
			first, firstIndex = err, pe.index
		}
	}
	return first
}

// mergeFirsts returns the lowest point of each key over the workers' maps, in increasing order.
func mergeFirsts(firsts []map[string]int) []int {
	all := map[string]int{}
	for _, m := range firsts {
		for k, i := range m {
			if j, ok := all[k]; !ok || i < j {
				all[k] = i
			}
		}
	}
	out := slices.Collect(maps.Values(all))
	slices.Sort(out)
	return out
}

// validateCached validates the points, or, for a shard of a sweep whose folder holds a points
// cache of this very sweep, only the shard's points: when their seeds, hashes and ids are those
// of the cache, the other points take theirs from it; otherwise every point is validated.
func (s *Sweep) validateCached(ctx context.Context, o LoadOptions) error {
	if key, err := s.cacheKey(); err == nil {
		s.cacheKeyOf = key
	}
	if s.cacheKeyOf != "" && o.Dir != "" && o.Shard.Count > 1 {
		if cached := readCache(o.Dir, s.cacheKeyOf, len(s.Points)); cached != nil {
			var own []int
			for i := o.Shard.Index; i < len(s.Points); i += o.Shard.Count {
				own = append(own, i)
			}
			if err := s.validate(ctx, o.Progress, own); err != nil {
				return err
			}
			same := true
			for _, i := range own {
				p, c := s.Points[i], cached[i]
				same = same && p.Seed == c.seed && p.Hash == c.hash && p.ID == c.id
			}
			if same {
				for i, c := range cached {
					p := s.Points[i]
					p.Seed, p.Hash, p.ID = c.seed, c.hash, c.id
				}
				return nil
			}
		}
	}
	s.validatedAll = true
	return s.validate(ctx, o.Progress, nil)
}

// pointError is the failure of one point, keeping its index to report the lowest.
type pointError struct {
	index int
	err   error
}

func (e *pointError) Error() string { return e.err.Error() }
func (e *pointError) Unwrap() error { return e.err }

// size is the number of points of the sweep, saturated past MaxPoints.
func (s *Sweep) size() int {
	total := 1
	for _, a := range s.Grid {
		total *= len(a.Values)
		if total > MaxPoints {
			break
		}
	}
	if s.Random != nil {
		total *= min(s.Random.Trials, MaxPoints+1)
	}
	return total * max(len(s.Seeds), 1)
}

// overrides are the values a point sets: the grid combination, the trial, the seed.
func (s *Sweep) overrides(combo []int, trial []Override, seed *uint64) []Override {
	var set []Override
	for i, a := range s.Grid {
		set = append(set, Override{a.Key, a.Values[combo[i]]})
	}
	set = append(set, trial...)
	if seed != nil {
		set = append(set, Override{"seed", *seed})
	}
	return set
}

// nextCombo moves combo to the next grid combination, the last key fastest; false after the
// last one.
func (s *Sweep) nextCombo(combo []int) bool {
	for i := len(combo) - 1; i >= 0; i-- {
		combo[i]++
		if combo[i] < len(s.Grid[i].Values) {
			return true
		}
		combo[i] = 0
	}
	return false
}

// Config decodes the point's configuration again: the base with the point's overrides, named
// by its run id. Every point was decoded once by Load, so only a change of a file it reads
// in between can make this fail.
func (p *Point) Config() (*config.Config, error) {
	s := p.sweep
	file, base := s.BaseFile, s.Base
	if p.base != nil {
		file, base = p.baseFile, p.base
	}
	if file == "" {
		file = s.File
	}
	raw := config.DeepCopy(base).(map[string]any)
	for _, o := range p.Set {
		if err := config.SetPath(raw, o.Key, o.Value); err != nil {
			return nil, &pointError{p.Index, report.BadInput(fmt.Errorf("sweep %s: point %d (%s): %s: %w", s.File, p.Index, formatSet(p.Set), o.Key, err))}
		}
	}
	c, err := config.Decode(raw, file)
	if err != nil {
		return nil, &pointError{p.Index, fmt.Errorf("sweep %s: point %d (%s): %w", s.File, p.Index, formatSet(p.Set), err)}
	}
	if p.ID != "" {
		c.Name = p.ID
	}
	return c, nil
}

// formatSet shows a point's overrides: `optimizer.name=sgd optimizer.lr=0.1 seed=1`.
func formatSet(set []Override) string {
	parts := make([]string, len(set))
	for i, o := range set {
		parts[i] = o.Key + "=" + formatValue(o.Value)
	}
	return strings.Join(parts, " ")
}

// formatValue writes a swept value as in results.csv: numbers in full precision, lists in
// YAML flow form (param.Format).
func formatValue(v any) string { return param.Format(v) }

// abbrev shortens the last component of a swept key in run ids.
var abbrev = map[string]string{
	"lr": "lr", "batch_size": "bs", "momentum": "mom", "weight_decay": "wd", "epochs": "ep",
	"beta1": "b1", "beta2": "b2", "hidden": "h", "warmup": "wu", "eps": "eps",
}

// runPrefix is the readable part of a run id: string values as they are,
// numbers after a short key name (lr0.01), the seed as s1.
func runPrefix(set []Override, name string) string {
	var parts []string
	for _, o := range set {
		last := o.Key[strings.LastIndex(o.Key, ".")+1:]
		if a, ok := abbrev[last]; ok {
			last = a
		}
		var p string
		switch x := o.Value.(type) {
		case string:
			p = x
		case bool:
			p = last
			if !x {
				p = "no-" + last
			}
		case float64:
			p = last + strconv.FormatFloat(x, 'g', 3, 64)
		case []any:
			vals := make([]string, len(x))
			for i, e := range x {
				vals[i] = formatValue(e)
			}
			p = last + strings.Join(vals, "x")
		default:
			if o.Key == "seed" {
				last = "s"
			}
			p = last + formatValue(x)
		}
		parts = append(parts, p)
	}
	prefix := strings.Join(parts, "-")
	if prefix == "" {
		prefix = name
	}
	clean := []byte(prefix)
	for i, ch := range clean {
		ok := ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.IndexByte("._+-", ch) >= 0
		if !ok {
			clean[i] = '_'
		}
	}
	if len(clean) > 48 {
		clean = clean[:48]
	}
	return strings.Trim(string(clean), "-.")
}
