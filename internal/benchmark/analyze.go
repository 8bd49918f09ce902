package benchmark

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/report"
	"github.com/optimbench/optimbench/internal/version"
)

// profilePoints is the number of τ values of the performance profile (AlgoPerf's
// num_points).
const profilePoints = 100

// analyze computes the analysis from the pairs' results (SPEC §10).
func (r *runner) analyze(results []*Result) (*Analysis, error) {
	b := r.b
	a := &Analysis{Schema: SchemaVersion, Name: b.Name, Results: results}
	a.Protocol = Protocol{Rule: b.Rule.String(), TuneSeed: b.TuneSeed, Seeds: b.Seeds, TargetMetric: b.Target,
		BootstrapSamples: b.Bootstrap, Seed: b.Seed, Deviations: b.deviations()}
	for _, o := range b.Optimizers {
		// (halving's rungs are per problem: Result.Rungs)
		a.Optimizers = append(a.Optimizers, OptInfo{Name: o.Name, Optimizer: fmt.Sprint(o.Block["name"]), Baseline: o.Baseline, Search: o.Search.info()})
	}
	for _, res := range results {
		r.summarize(res)
	}
	for _, p := range b.Problems {
		info, err := r.problemInfo(p, a)
		if err != nil {
			return nil, err
		}
		a.Problems = append(a.Problems, info)
	}
	a.Stamp = r.stamp()
	names := make([]string, len(a.Optimizers))
	for i, o := range a.Optimizers {
		names[i] = o.Name
	}
	probs := make([]string, len(a.Problems))
	times := make([][]float64, len(a.Problems))
	for i, p := range a.Problems {
		probs[i] = p.Name
		for _, o := range names {
			res := a.Get(p.Name, o)
			res.Speed = speed(res, p, targetMetric(b.Target, p.HasTest))
			times[i] = append(times[i], float64(res.Speed.Epochs))
		}
	}
	a.Profile = PerformanceProfile(probs, names, times, profilePoints)
	return a, nil
}

// info is the search as analysis.json shows it.
func (s SearchSpec) info() Search {
	out := Search{Method: s.Method, Sampler: s.Sampler, Eta: s.Eta, MinEpochs: s.MinEpochs}
	if s.Sampler == "grid" {
		out.Keys, out.Trials = []string{"optimizer.lr"}, len(s.LR)
	} else {
		out.Trials = s.Trials
		for _, d := range s.Space {
			out.Keys = append(out.Keys, d.Key)
		}
	}
	return out
}

// summarize fills a result's performance, mean curves, sensitivity and budget.
func (r *runner) summarize(res *Result) {
	var curves []Curve
	perf := Performance{}
	var final, best [6][]Num
	for i, sum := range res.seedSums {
		switch sum.Status {
		case report.StatusDiverged:
			perf.Diverged++
			continue
		case report.StatusFailed:
			perf.Failed++
			continue
		}
		curves = append(curves, res.Seeds[i].Curve)
		for j, m := range []string{"test_loss", "test_acc", "train_loss", "train_acc"} {
			final[j] = append(final[j], metricOf(sum.Final, m))
			best[j] = append(best[j], metricOf(sum.Best, m))
		}
	}
	perf.FinalTestLoss, perf.BestTestLoss = meanStd(final[0]), meanStd(best[0])
	perf.FinalTestAcc, perf.BestTestAcc = meanStd(final[1]), meanStd(best[1])
	perf.FinalTrainLoss, perf.FinalTrainAcc = meanStd(final[2]), meanStd(final[3])
	res.Performance = perf
	res.Mean, res.Std = meanCurves(curves)

	// Sensitivity and budget at one length every candidate ran: the full length, or the
	// first rung of a halving search.
	scores := make([]Num, len(res.Tuning))
	res.Sensitivity = Sensitivity{}
	for i, t := range res.Tuning {
		scores[i] = t.Score
		if res.Rungs != nil {
			scores[i] = NaN()
			if len(t.Scores) > 0 {
				scores[i] = t.Scores[0]
			}
		}
		status := t.Status
		if res.Rungs != nil && len(t.Scores) > 1 {
			status = report.StatusDone // it ran on: the first rung was done
		}
		res.Sensitivity.Points = append(res.Sensitivity.Points, SensPoint{Trial: i, LR: t.LR, Score: scores[i], Status: status})
	}
	res.Sensitivity.Epochs = 0
	if res.Rungs != nil {
		res.Sensitivity.Epochs = res.Rungs[0].Epochs
	} else if len(res.Tuning) > 0 {
		res.Sensitivity.Epochs = maxEpochs(res.Tuning)
	}
	slices.SortStableFunc(res.Sensitivity.Points, func(x, y SensPoint) int {
		switch {
		case x.LR < y.LR:
			return -1
		case x.LR > y.LR:
			return 1
		}
		return 0
	})
	res.Budget = Budget{Epochs: res.Sensitivity.Epochs,
		Points: BudgetCurve(scores, res.rule(r.b.Rule).Higher(), r.b.Bootstrap, r.b.Seed, res.Problem+"/"+res.Optimizer)}
}

func maxEpochs(ts []Trial) int {
	m := 0
	for _, t := range ts {
		m = max(m, t.Epochs)
	}
	return m
}

// problemInfo describes a problem and sets its speed target: the best baseline's mean final
// value of the target metric (DeepOBS), or, without baselines, the best optimizer's.
func (r *runner) problemInfo(p Problem, a *Analysis) (ProblemInfo, error) {
	c, err := config.Decode(problemBase(p, r.b.Optimizers[0], r.b.TuneSeed), p.File)
	if err != nil {
		return ProblemInfo{}, err
	}
	info := ProblemInfo{Name: p.Name, File: p.File, Hash: config.Hash(c), Epochs: c.Train.Values.Int("epochs"), Target: NaN(),
		HasTest: c.HasTestSet(), HasAcc: c.Classify()} // from the configuration: every run may have diverged
	metric := targetMetric(r.b.Target, info.HasTest)
	higher := strings.HasSuffix(metric, "_acc")
	baselines := slices.ContainsFunc(a.Results, func(res *Result) bool { return res.Problem == p.Name && res.Baseline })
	for _, res := range a.Results {
		if res.Problem != p.Name || res.Baseline != baselines {
			continue
		}
		var xs []Num
		for i, sum := range res.seedSums {
			if res.Seeds[i].Status == report.StatusDone {
				xs = append(xs, metricOf(sum.Final, metric))
			}
		}
		if m := meanStd(xs).Mean; better(m, info.Target, higher) {
			info.Target, info.TargetFrom = m, res.Optimizer
		}
	}
	return info, nil
}

// targetMetric is the speed target's metric: a test metric falls back to the training one on
// a problem without a test set.
func targetMetric(m string, hasTest bool) string {
	if !hasTest {
		return strings.Replace(m, "test_", "train_", 1)
	}
	return m
}

// speed is the time the result's seeds take to reach the problem's target.
func speed(res *Result, p ProblemInfo, metric string) Speed {
	higher := strings.HasSuffix(metric, "_acc")
	sp := Speed{Metric: metric, Target: p.Target, Epochs: NaN(), Seconds: NaN()}
	if i := reached(curveMetric(res.Mean, metric), p.Target, higher); i >= 0 {
		sp.Epochs = Num(res.Mean.Epoch[i])
		sp.Seconds = res.Mean.Seconds[i]
	}
	for _, s := range res.Seeds {
		e := NaN()
		if i := reached(curveMetric(s.Curve, metric), p.Target, higher); i >= 0 {
			e = Num(s.Curve.Epoch[i])
			sp.Reached++
		}
		sp.PerSeed = append(sp.PerSeed, e)
	}
	return sp
}

// stamp is what produced the numbers.
func (r *runner) stamp() Stamp {
	s := Stamp{Version: version.String(), Commit: version.Commit(), Go: version.Go(), CPU: r.o.CPU,
		DType: "float64", Workers: r.o.Workers, Date: time.Now().UTC().Format(time.RFC3339)}
	if len(r.b.Problems) > 0 {
		if c, err := config.Decode(problemBase(r.b.Problems[0], r.b.Optimizers[0], r.b.TuneSeed), r.b.Problems[0].File); err == nil {
			if d, ok := c.Train.Values["dtype"].(string); ok {
				s.DType = d
			}
			s.Threads, _ = c.Train.Values["threads"].(int)
		}
	}
	return s
}
