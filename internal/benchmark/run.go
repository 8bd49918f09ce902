package benchmark

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/param"
	"github.com/optimbench/optimbench/internal/report"
	"github.com/optimbench/optimbench/internal/sweep"
)

// runner runs one benchmark.
type runner struct {
	b   *Benchmark
	o   Options
	ran int // runs executed by this invocation
}

// pair is one optimizer on one problem, while it runs.
type pair struct {
	p      Problem
	opt    *Optimizer
	dir    string // its folder: DIR/PROBLEM/OPTIMIZER, or the baselines store's
	epochs int    // the problem's full length
	cands  [][]sweep.Override
	rule   Rule // the benchmark's rule as this problem can apply it (Rule.For)
	res    *Result
}

// Outcome is what Run did.
type Outcome struct {
	Analysis *Analysis
	Ran      int // runs executed by this invocation (others were finished earlier)
}

// Run runs the protocol (SPEC §10) in o.Dir — for each problem, the baselines then the
// other optimizers: tune on the tune seed (a full search, or successive halving), pick the
// best candidate by the rule, rerun it on every seed — and writes analysis.json. Every step
// is a sweep (resumable, parallel, sharded): a rerun of the same command skips what is
// finished and makes the same decisions. A shard runs its part of each step and waits for
// the other shards before the next; every shard writes the same analysis.
func Run(ctx context.Context, b *Benchmark, o Options) (*Outcome, error) {
	if o.Workers < 1 {
		o.Workers = 1
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("benchmark folder %s: %w", o.Dir, err)
	}
	r := &runner{b: b, o: o}
	var results []*Result
	for _, p := range b.Problems {
		for _, opt := range b.Optimizers {
			pp, err := r.newPair(p, opt)
			if err != nil {
				return nil, err
			}
			if err := r.runPair(ctx, pp); err != nil {
				return nil, err
			}
			results = append(results, pp.res)
		}
	}
	a, err := r.analyze(results)
	if err != nil {
		return nil, err
	}
	if err := writeAnalysis(o.Dir, a); err != nil {
		return nil, err
	}
	return &Outcome{Analysis: a, Ran: r.ran}, nil
}

// newPair decodes the problem with the optimizer (Read checked it does), finds its folder and
// draws its candidates.
func (r *runner) newPair(p Problem, opt *Optimizer) (*pair, error) {
	c, err := config.Decode(problemBase(p, opt, r.b.TuneSeed), p.File)
	if err != nil {
		return nil, err
	}
	cands, err := candidates(opt.Search, r.b.Seed)
	if err != nil {
		return nil, &config.ConfigError{File: r.b.File, Key: "optimizers." + opt.Name + ".search", Msg: err.Error()}
	}
	pp := &pair{p: p, opt: opt, epochs: c.Train.Values.Int("epochs"), cands: cands, rule: r.b.Rule.For(c.HasTestSet(), c.Classify())}
	pp.dir = filepath.Join(r.o.Dir, p.Name, opt.Name)
	if opt.Baseline {
		store := r.b.BaselineDir
		if store == "" {
			store = filepath.Join(r.o.Dir, "baselines")
		}
		pp.dir = filepath.Join(store, opt.Name+"-"+r.baselineKey(config.Hash(c), opt))
	}
	rel, err := filepath.Rel(r.o.Dir, pp.dir)
	if err != nil {
		rel = pp.dir
	}
	pp.res = &Result{Problem: p.Name, Optimizer: opt.Name, Baseline: opt.Baseline, Dir: filepath.ToSlash(rel), Chosen: -1, Rule: pp.rule.String()}
	return pp, nil
}

// baselineKey identifies a baseline's protocol on a problem: the content hash of the problem
// with the baseline's optimizer block and the tune seed (config.Hash), the search, the rule,
// the seeds and the sampler's seed. Two benchmarks that agree on all of them share the
// baseline's folder in the store, and so its runs.
func (r *runner) baselineKey(problemHash string, opt *Optimizer) string {
	h := sha256.New()
	fmt.Fprintf(h, "optimbench baseline\nproblem %s\nrule %s\ntune_seed %d\nseeds %v\nseed %d\n",
		problemHash, r.b.Rule, r.b.TuneSeed, r.b.Seeds, r.b.Seed)
	fmt.Fprintf(h, "search %s\n", searchString(opt.Search))
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// searchString is a canonical form of a search.
func searchString(s SearchSpec) string {
	out := fmt.Sprintf("%s %s trials=%d eta=%d min_epochs=%d lr=", s.Method, s.Sampler, s.Trials, s.Eta, s.MinEpochs)
	for _, x := range s.LR {
		out += param.Format(x) + ","
	}
	for _, d := range s.Space {
		out += fmt.Sprintf(" %s:%s[%v,%v]%v", d.Key, d.Kind, d.Low, d.High, d.Choices)
	}
	return out
}

// runPair tunes, picks and reruns one optimizer on one problem, filling pp.res.
func (r *runner) runPair(ctx context.Context, pp *pair) error {
	var err error
	if pp.opt.Search.Method == "halving" {
		err = r.tuneHalving(ctx, pp)
	} else {
		err = r.tuneFull(ctx, pp)
	}
	if err != nil {
		return err
	}
	if pp.res.Chosen < 0 {
		if r.o.Log != nil {
			fmt.Fprintf(r.o.Log, "%s/%s: every candidate diverged or failed; nothing to rerun\n", pp.p.Name, pp.opt.Name)
		}
		return nil
	}
	return r.rerun(ctx, pp)
}

// job is the tuning job of candidate i with extra overrides of the base.
func (r *runner) job(pp *pair, set []sweep.Override, base map[string]any) sweep.Job {
	return sweep.Job{Base: base, File: pp.p.File, Set: set}
}

// tuneFull runs every candidate for the full length on the tune seed.
func (r *runner) tuneFull(ctx context.Context, pp *pair) error {
	base := problemBase(pp.p, pp.opt, r.b.TuneSeed)
	jobs := make([]sweep.Job, len(pp.cands))
	for i, c := range pp.cands {
		jobs[i] = r.job(pp, c, base)
	}
	st, err := r.step(ctx, filepath.Join(pp.dir, "tune"), r.stepName(pp, "tune"), jobs, nil)
	if err != nil {
		return err
	}
	res := pp.res
	scores := make([]Num, len(jobs))
	for i, sum := range st.sums {
		t := r.trial(pp, st, i)
		scores[i] = t.Score
		res.Tuning = append(res.Tuning, t)
		res.TuneEpochs += sum.Epochs
		res.TuneSeconds += sum.Seconds
	}
	res.FullGridEpochs = len(pp.cands) * pp.epochs
	if best := rank(scores, pp.rule.Higher())[0]; scores[best].OK() {
		res.Chosen = best
	}
	return nil
}

func (r *runner) stepName(pp *pair, what string) string {
	return r.b.Name + "/" + pp.p.Name + "/" + pp.opt.Name + "/" + what
}

// trial describes point i of a tuning step.
func (r *runner) trial(pp *pair, st *stepResult, i int) Trial {
	p, sum := st.sweep.Points[i], st.sums[i]
	t := Trial{RunID: p.ID, Dir: r.rel(sweep.RunDir(st.dir, p)), Status: sum.Status, Reason: sum.Reason,
		Epochs: sum.Epochs, Score: pp.rule.Score(sum), Final: sum.Final, Best: sum.Best, Seconds: sum.Seconds, LR: NaN()}
	for _, o := range pp.cands[candIndex(st, i)] {
		t.Set = append(t.Set, KV{o.Key, o.Value})
	}
	if c, err := p.Config(); err == nil {
		t.LR = Num(c.Schedule.LR)
	}
	return t
}

// candIndex is the candidate of point i of a step: the points list candidates in order (a
// halving rung lists a subset; its sweep's jobs carry the candidate's overrides, which
// identify it).
func candIndex(st *stepResult, i int) int {
	if st.cand != nil {
		return st.cand[i]
	}
	return i
}

// rel is path relative to the benchmark folder, with slashes.
func (r *runner) rel(path string) string {
	rel, err := filepath.Rel(r.o.Dir, path)
	if err != nil {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(rel)
}

// rerun runs the chosen candidate on every seed and reads the runs' curves. The tune seed's
// run is the chosen tuning run itself when that one already is it (reusable).
func (r *runner) rerun(ctx context.Context, pp *pair) error {
	base := problemBase(pp.p, pp.opt, r.b.TuneSeed)
	chosen := pp.cands[pp.res.Chosen]
	reuse := r.reusable(pp)
	var jobs []sweep.Job
	for _, s := range r.b.Seeds {
		if reuse != nil && s == r.b.TuneSeed {
			continue
		}
		set := append(append([]sweep.Override{}, chosen...), sweep.Override{Key: "seed", Value: s})
		jobs = append(jobs, r.job(pp, set, base))
	}
	var st *stepResult
	if len(jobs) > 0 {
		var err error
		if st, err = r.step(ctx, filepath.Join(pp.dir, "rerun"), r.stepName(pp, "rerun"), jobs, nil); err != nil {
			return err
		}
	}
	i := 0
	for _, s := range r.b.Seeds {
		run := reuse
		if reuse == nil || s != r.b.TuneSeed {
			p := st.sweep.Points[i]
			run = &tunedRun{dir: sweep.RunDir(st.dir, p), id: p.ID, sum: st.sums[i]}
			i++
		}
		sr := SeedRun{Seed: s, RunID: run.id, Dir: r.rel(run.dir), Status: run.sum.Status, Reason: run.sum.Reason, Seconds: run.sum.Seconds}
		t, err := report.ReadTable(filepath.Join(run.dir, "metrics.csv"))
		if err != nil {
			return report.BadInput(fmt.Errorf("benchmark %s: %w", pp.res.Dir, err))
		}
		sr.Curve = curveOf(t)
		pp.res.Seeds = append(pp.res.Seeds, sr)
		pp.res.seedSums = append(pp.res.seedSums, run.sum)
	}
	return nil
}

// tunedRun is a finished run of a step: its folder, id and summary.
type tunedRun struct {
	dir, id string
	sum     *report.Summary
}

// reusable returns the chosen candidate's tuning run when the rerun's run on the tune seed
// would repeat it, nil otherwise: the tune seed is a rerun seed and the run finished the
// problem's full length. It then is that run: a full grid's run has the rerun's
// configuration, and a halving rung of the full length differs from it only in
// train.checkpoint_every, which changes no number, and goes on from its previous rung with
// the numbers of a run never stopped (or starts over when the schedule depends on the
// run's length; SPEC §10.4).
func (r *runner) reusable(pp *pair) *tunedRun {
	if !slices.Contains(r.b.Seeds, r.b.TuneSeed) {
		return nil
	}
	t := pp.res.Tuning[pp.res.Chosen]
	if t.Status != report.StatusDone || t.Epochs != pp.epochs {
		return nil
	}
	dir := filepath.FromSlash(t.Dir)
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(r.o.Dir, dir)
	}
	sum, err := report.ReadSummary(filepath.Join(dir, "summary.json"))
	if err != nil || sum.Status != report.StatusDone || sum.Epochs != pp.epochs {
		return nil
	}
	return &tunedRun{dir: dir, id: t.RunID, sum: sum}
}
