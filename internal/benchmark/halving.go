package benchmark

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/report"
	"github.com/optimbench/optimbench/internal/sweep"
	"github.com/optimbench/optimbench/internal/train"
)

// Rungs are successive halving's rung lengths for a full length of epochs: minEpochs·eta^k
// while below it, then epochs itself. No product overflows, whatever eta and minEpochs are.
func Rungs(minEpochs, eta, epochs int) []int {
	var out []int
	for r := minEpochs; r < epochs; r *= eta {
		out = append(out, r)
		if r > epochs/eta { // r·eta ≥ epochs: the next rung is the full length
			break
		}
	}
	return append(out, epochs)
}

// tuneHalving tunes by successive halving (Jamieson & Talwalkar 2016; Li et al.'s Hyperband
// bracket): every candidate runs the first rung; at each rung the candidates are ranked by
// the rule (diverged and failed ones last, ties by candidate order) and the best
// ⌈n/eta⌉ with a value go on to the next rung; the search ends at the full length or when
// one candidate is left, which is the chosen one. A promoted candidate's run continues from
// its previous rung's checkpoint (seedRun).
func (r *runner) tuneHalving(ctx context.Context, pp *pair) error {
	s := pp.opt.Search
	lengths := Rungs(s.MinEpochs, s.Eta, pp.epochs)
	res := pp.res
	res.Tuning = make([]Trial, len(pp.cands))
	res.FullGridEpochs = len(pp.cands) * pp.epochs
	scores := make([][]Num, len(pp.cands))
	alive := make([]int, len(pp.cands))
	for i := range alive {
		alive[i] = i
	}
	var prev *stepResult
	for k, epochs := range lengths {
		st, err := r.rung(ctx, pp, k, epochs, alive, prev)
		if err != nil {
			return err
		}
		rs := make([]Num, len(alive))
		for j, c := range alive {
			t := r.trial(pp, st, j)
			rs[j] = t.Score
			scores[c] = append(scores[c], t.Score)
			res.Tuning[c] = t
			from := readSeed(sweep.RunDir(st.dir, st.sweep.Points[j]))
			res.TuneEpochs += st.sums[j].Epochs - from.Epoch
			res.TuneSeconds += st.sums[j].Seconds - from.Seconds
		}
		rung := Rung{Epochs: epochs}
		for _, j := range rank(rs, pp.rule.Higher()) {
			rung.Ranked = append(rung.Ranked, alive[j])
			if len(rung.Promoted) < (len(alive)+s.Eta-1)/s.Eta && rs[j].OK() {
				rung.Promoted = append(rung.Promoted, alive[j])
			}
		}
		last := k == len(lengths)-1 || len(rung.Promoted) <= 1
		if last && len(rung.Promoted) > 0 {
			rung.Promoted = rung.Promoted[:1]
			res.Chosen = rung.Promoted[0]
		}
		res.Rungs = append(res.Rungs, rung)
		if last || len(rung.Promoted) == 0 {
			break
		}
		alive = slices.Sorted(slices.Values(rung.Promoted))
		prev = st
	}
	for c := range res.Tuning {
		res.Tuning[c].Scores = scores[c]
	}
	return nil
}

// rung runs rung k (epochs long) of the candidates alive, each seeded from its run in the
// previous rung prev.
func (r *runner) rung(ctx context.Context, pp *pair, k, epochs int, alive []int, prev *stepResult) (*stepResult, error) {
	base := problemBase(pp.p, pp.opt, r.b.TuneSeed)
	// A checkpoint one epoch before the end is the state a promoted run goes on from.
	for key, v := range map[string]any{"train.epochs": epochs, "train.checkpoint_every": max(epochs-1, 1)} {
		if err := config.SetPath(base, key, v); err != nil {
			return nil, err
		}
	}
	jobs := make([]sweep.Job, len(alive))
	for j, c := range alive {
		jobs[j] = r.job(pp, pp.cands[c], base)
	}
	dir := filepath.Join(pp.dir, "tune", fmt.Sprintf("rung-%d", k))
	before := func(s *sweep.Sweep) error {
		if prev == nil {
			return nil
		}
		for j, p := range s.Points {
			if r.o.Shard.Count > 0 && p.Index%r.o.Shard.Count != r.o.Shard.Index {
				continue
			}
			pj := slices.Index(prev.cand, alive[j])
			from := prev.sweep.Points[pj]
			if err := seedRun(sweep.RunDir(prev.dir, from), from, sweep.RunDir(dir, p), p); err != nil {
				return fmt.Errorf("benchmark %s: seeding %s from rung %d: %w", r.b.File, p.ID, k-1, err)
			}
		}
		return nil
	}
	st, err := r.step(ctx, dir, r.stepName(pp, fmt.Sprintf("rung-%d", k)), jobs, before)
	if err != nil {
		return nil, err
	}
	st.cand = alive
	return st, nil
}

// seedRecord is seeded.json in a run folder that seedRun prepared: the run it goes on from.
type seedRecord struct {
	From    string  `json:"from"`    // the previous rung's run folder
	Epoch   int     `json:"epoch"`   // the epoch of the checkpoint it starts from
	Seconds float64 `json:"seconds"` // the seconds that run had trained by then
}

func readSeed(dir string) seedRecord {
	var s seedRecord
	b, err := os.ReadFile(filepath.Join(dir, "seeded.json"))
	if err == nil {
		_ = json.Unmarshal(b, &s)
	}
	return s
}

// seedRun prepares the run folder next of point p (a promoted candidate) from its run in the
// previous rung, prevDir of point pp, so that the sweep resumes it rather than starting
// over: metrics.csv (and trajectory.csv) copied, the checkpoint taken one epoch before the
// previous rung's end with its configuration hash made p's, and p's config.yaml. The
// resumed run is then the run of p's length that was never stopped (its numbers equal, as
// Run.Resume guarantees), provided the first epochs follow the same rates: when p's resolved
// schedule differs from the previous rung's in more than the length (a cosine or linear
// decay over the run's length), the rungs differ and p runs from the start. A folder that
// exists already (an earlier invocation's) is left alone; the folder appears whole (built
// aside, then renamed).
func seedRun(prevDir string, pp *sweep.Point, next string, p *sweep.Point) error {
	if _, err := os.Stat(next); err == nil {
		return nil
	}
	ckPath := filepath.Join(prevDir, train.CheckpointFile)
	if _, err := os.Stat(ckPath); errors.Is(err, os.ErrNotExist) {
		return nil // a one-epoch rung has no checkpoint
	}
	c, err := p.Config()
	if err != nil {
		return err
	}
	cPrev, err := pp.Config()
	if err != nil {
		return err
	}
	// The two rungs differ only in train.epochs and checkpoint_every: one count of the
	// training examples (a csv or libsvm file is parsed to count them) serves both plans.
	n, err := train.TrainExamples(c)
	if err != nil {
		return err
	}
	lenNext, err := planLength(c, n)
	if err != nil {
		return err
	}
	lenPrev, err := planLength(cPrev, n)
	if err != nil {
		return err
	}
	yaml := c.YAML(lenNext)
	if !sameSchedule(cPrev.YAML(lenPrev), yaml) {
		return nil
	}
	ck, err := report.ReadCheckpoint(ckPath)
	if err != nil {
		return err
	}
	ck.ConfigHash = c.ResolvedHash(lenNext)
	tmp := next + ".seeding"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	for _, f := range []string{"metrics.csv", "trajectory.csv"} {
		if err := copyFile(filepath.Join(prevDir, f), filepath.Join(tmp, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if err := report.WriteFileAtomic(filepath.Join(tmp, "config.yaml"), yaml); err != nil {
		return err
	}
	if err := report.WriteCheckpoint(filepath.Join(tmp, train.CheckpointFile), ck); err != nil {
		return err
	}
	if err := report.WriteJSON(filepath.Join(tmp, "seeded.json"), seedRecord{From: prevDir, Epoch: ck.Epoch, Seconds: ck.Seconds}); err != nil {
		return err
	}
	return os.Rename(tmp, next)
}

// planLength is the length of c's schedule (epochs, or updates for unit step), found without
// loading the data.
func planLength(c *config.Config, n int) (int, error) {
	plan, err := train.NewPlan(c, n)
	if err != nil {
		return 0, err
	}
	return plan.Length, nil
}

// sameSchedule reports whether two resolved configurations (config.yaml) differ at most in
// their name, train.epochs and train.checkpoint_every: then the rates of the shorter run's
// epochs are those of the longer's.
func sameSchedule(a, b []byte) bool {
	var ma, mb map[string]any
	if yaml.Unmarshal(a, &ma) != nil || yaml.Unmarshal(b, &mb) != nil {
		return false
	}
	for _, m := range []map[string]any{ma, mb} {
		delete(m, "name")
		if t, ok := m["train"].(map[string]any); ok {
			delete(t, "epochs")
			delete(t, "checkpoint_every")
		}
	}
	return reflect.DeepEqual(ma, mb)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
