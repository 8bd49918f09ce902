package benchmark

import (
	"hash/fnv"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"

	"github.com/optimbench/optimbench/internal/report"
)

// curveOf reads a metrics.csv table into a Curve.
func curveOf(t *report.Table) Curve {
	var c Curve
	col := func(name string) []Num {
		v := t.Cols[name]
		out := make([]Num, t.Rows)
		for i := range out {
			out[i] = NaN()
			if i < len(v) {
				out[i] = Num(v[i])
			}
		}
		return out
	}
	for _, e := range t.Cols["epoch"] {
		c.Epoch = append(c.Epoch, int(e))
	}
	c.TrainLoss, c.TestLoss = col("train_loss"), col("test_loss")
	c.TrainAcc, c.TestAcc, c.Seconds = col("train_acc"), col("test_acc"), col("seconds")
	return c
}

// meanStd is the mean and population standard deviation of the values that have one.
func meanStd(xs []Num) Stat {
	var sum float64
	n := 0
	for _, x := range xs {
		if x.OK() {
			sum += float64(x)
			n++
		}
	}
	if n == 0 {
		return Stat{Mean: NaN(), Std: NaN()}
	}
	mean := sum / float64(n)
	var ss float64
	for _, x := range xs {
		if x.OK() {
			d := float64(x) - mean
			ss += d * d
		}
	}
	return Stat{Mean: Num(mean), Std: Num(math.Sqrt(ss / float64(n))), N: n}
}

// meanCurves are the per-epoch mean and standard deviation over the seeds' curves, on the
// epochs of the longest curve; a seed counts at the epochs it has (a diverged run stopped).
func meanCurves(curves []Curve) (mean, std Curve) {
	longest := -1
	for i, c := range curves {
		if longest < 0 || len(c.Epoch) > len(curves[longest].Epoch) {
			longest = i
		}
	}
	if longest < 0 {
		return
	}
	mean.Epoch = slices.Clone(curves[longest].Epoch)
	std.Epoch = slices.Clone(mean.Epoch)
	pick := []func(*Curve) *[]Num{
		func(c *Curve) *[]Num { return &c.TrainLoss }, func(c *Curve) *[]Num { return &c.TestLoss },
		func(c *Curve) *[]Num { return &c.TrainAcc }, func(c *Curve) *[]Num { return &c.TestAcc },
		func(c *Curve) *[]Num { return &c.Seconds },
	}
	for _, f := range pick {
		m, s := f(&mean), f(&std)
		for i := range mean.Epoch {
			var xs []Num
			for k := range curves {
				if v := *f(&curves[k]); i < len(v) {
					xs = append(xs, v[i])
				}
			}
			st := meanStd(xs)
			*m, *s = append(*m, st.Mean), append(*s, st.Std)
		}
	}
	return mean, std
}

// curveMetric is a curve's column by metric name.
func curveMetric(c Curve, metric string) []Num {
	switch metric {
	case "test_loss":
		return c.TestLoss
	case "test_acc":
		return c.TestAcc
	case "train_acc":
		return c.TrainAcc
	}
	return c.TrainLoss
}

// reached is the index of the first value at or below target (at or above for an accuracy),
// or -1.
func reached(v []Num, target Num, higher bool) int {
	if !target.OK() {
		return -1
	}
	for i, x := range v {
		if x.OK() && (higher && x >= target || !higher && x <= target) {
			return i
		}
	}
	return -1
}

// PerformanceProfile computes AlgoPerf's performance profile (Profile's doc) from the times
// to target, times[p][s] for problem p and optimizer s (NaN or ±Inf: not reached), on
// points values of τ from 1 to the largest finite ratio (AlgoPerf's default max_tau; 1
// when there is none). A problem no optimizer solves has infinite ratios for all.
func PerformanceProfile(problems, optimizers []string, times [][]float64, points int) Profile {
	pr := Profile{Measure: "epochs to the target on the mean curve"}
	ratios := make([][]float64, len(problems))
	maxTau := 1.0
	for p := range problems {
		best := math.Inf(1)
		for _, t := range times[p] {
			if Num(t).OK() && t < best {
				best = t
			}
		}
		ratios[p] = make([]float64, len(optimizers))
		for s, t := range times[p] {
			r := math.Inf(1)
			if Num(t).OK() && !math.IsInf(best, 0) {
				r = t / best
				if best == 0 {
					r = 1 // reached before any update, as the best did: no slower
					if t > 0 {
						r = math.Inf(1)
					}
				}
			}
			ratios[p][s] = r
			if Num(r).OK() {
				maxTau = max(maxTau, r)
			}
			pr.Ratios = append(pr.Ratios, ProfileRatio{Problem: problems[p], Optimizer: optimizers[s], Time: Num(t), Ratio: Num(r)})
		}
	}
	points = max(points, 1)
	if maxTau == 1 {
		points = 1
	}
	for i := range points {
		tau := 1.0
		if points > 1 {
			tau = 1 + (maxTau-1)*float64(i)/float64(points-1)
		}
		pr.Tau = append(pr.Tau, tau)
	}
	for s, name := range optimizers {
		c := ProfileCurve{Optimizer: name}
		for _, tau := range pr.Tau {
			n := 0
			for p := range problems {
				if ratios[p][s] <= tau {
					n++
				}
			}
			c.Rho = append(c.Rho, float64(n)/float64(max(len(problems), 1)))
		}
		pr.Rho = append(pr.Rho, c)
	}
	return pr
}

// streamBootstrap is the random stream of the budget bootstrap.
const streamBootstrap = 0x424f4f54 // "BOOT"

// BudgetCurve is Crowded Valley's expected best result against the number of tuning trials
// (Schmidt, Schneider & Hennig 2021, §3): for k = 1..len(scores), draws resamples of k
// trials drawn with replacement from the scores (NaN: diverged or failed), the best of each
// draw by the rule (higher: an accuracy). Each point has the mean, the median and quartiles
// (linear interpolation, numpy's default) over the draws with a value, the fraction of draws
// without one, and Expected, the exact expectation of the same quantity:
// with the scores sorted best first (valueless last), n of them, m with a value, the best of
// k draws is the i-th with probability ((n−i+1)^k − (n−i)^k)/n^k, so
// E = Σ_{i≤m} s_i ((n−i+1)^k − (n−i)^k) / (n^k − (n−m)^k). The draws come from one PCG
// stream of seed and key (the problem and optimizer), using only its raw output, so the
// curve is the same on every machine and Go release.
func BudgetCurve(scores []Num, higher bool, draws int, seed uint64, key string) []BudgetPoint {
	h := fnv.New64a()
	h.Write([]byte(key))
	src := rand.NewPCG(seed, streamBootstrap^h.Sum64())
	index := func(n uint64) uint64 { hi, _ := bits.Mul64(src.Uint64(), n); return hi }
	n := len(scores)
	order := rank(scores, higher)
	m := 0
	for _, s := range scores {
		if s.OK() {
			m++
		}
	}
	var out []BudgetPoint
	best := make([]float64, 0, draws)
	for k := 1; k <= n; k++ {
		best = best[:0]
		for range draws {
			b := NaN()
			for range k {
				if s := scores[index(uint64(n))]; better(s, b, higher) {
					b = s
				}
			}
			if b.OK() {
				best = append(best, float64(b))
			}
		}
		pt := BudgetPoint{K: k, Mean: NaN(), Median: NaN(), Q25: NaN(), Q75: NaN(), Expected: NaN(),
			PDiverged: 1 - float64(len(best))/float64(draws)}
		if len(best) > 0 {
			slices.Sort(best)
			var sum float64
			for _, x := range best {
				sum += x
			}
			pt.Mean = Num(sum / float64(len(best)))
			pt.Q25, pt.Median, pt.Q75 = Num(quantile(best, 0.25)), Num(quantile(best, 0.5)), Num(quantile(best, 0.75))
		}
		if m > 0 {
			nk := math.Pow(float64(n), float64(k))
			var e float64
			for i := 1; i <= m; i++ {
				p := math.Pow(float64(n-i+1), float64(k)) - math.Pow(float64(n-i), float64(k))
				e += float64(scores[order[i-1]]) * p
			}
			pt.Expected = Num(e / (nk - math.Pow(float64(n-m), float64(k))))
		}
		out = append(out, pt)
	}
	return out
}

// quantile of sorted xs at q, interpolating linearly between order statistics.
func quantile(xs []float64, q float64) float64 {
	pos := q * float64(len(xs)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(xs)-1)
	return xs[lo] + (pos-float64(lo))*(xs[hi]-xs[lo])
}
