package verdict

import (
	"fmt"
	"math"
	"strings"

	"github.com/optimbench/optimbench/internal/benchmark"
)

// Report is what the report shows, built once from an analysis and written as HTML or
// Markdown.
type Report struct {
	a        *benchmark.Analysis
	Tables   []problemTable
	Verdicts []string // one sentence per problem
}

// problemTable is the table of one problem: a row per optimizer.
type problemTable struct {
	Problem string
	Caption string
	Columns []string
	Rows    []tableRow
}

type tableRow struct {
	Optimizer string
	Baseline  bool
	Cells     []cell
}

// cell is one value of the table: Best marks the winner of its column, Tie a value within
// seed noise of the winner's, Note says why (the p-value).
type cell struct {
	Text      string
	Best, Tie bool
	Note      string
}

// Build makes the report of a.
func Build(a *benchmark.Analysis) *Report {
	r := &Report{a: a}
	for _, p := range a.Problems {
		t, v := r.problemTable(p)
		r.Tables = append(r.Tables, t)
		r.Verdicts = append(r.Verdicts, v)
	}
	return r
}

// results are the optimizers' results on prob, in the benchmark's order (nil where missing).
func (r *Report) results(prob string) []*benchmark.Result {
	out := make([]*benchmark.Result, len(r.a.Optimizers))
	for i, o := range r.a.Optimizers {
		out[i] = r.a.Get(prob, o.Name)
	}
	return out
}

// problemTable builds the table of problem p and the sentence naming its winner.
func (r *Report) problemTable(p benchmark.ProblemInfo) (problemTable, string) {
	res := r.results(p.Name)
	t := problemTable{Problem: p.Name, Caption: r.tableCaption(p)}
	t.Columns = append(t.Columns, "optimizer")
	t.Rows = make([]tableRow, len(res))
	for i, o := range r.a.Optimizers {
		t.Rows[i] = tableRow{Optimizer: o.Name, Baseline: o.Baseline}
	}
	add := func(cells []cell) {
		for i := range t.Rows {
			t.Rows[i].Cells = append(t.Rows[i].Cells, cells[i])
		}
	}
	for _, m := range perfMetrics {
		if (m.test && !p.HasTest) || (m.acc && !p.HasAcc) || (p.HasTest && !m.test) {
			continue
		}
		t.Columns = append(t.Columns, m.label)
		add(perfCells(res, m))
	}
	t.Columns = append(t.Columns, "epochs to target", "seconds to target")
	ep, sec := speedCells(res)
	add(ep)
	add(sec)
	t.Columns = append(t.Columns, "E[best of 1 trial]", "diverged settings", "tuning epochs")
	add(r.tuneCells(p, res))
	add(divergedCells(res))
	add(costCells(res))
	return t, r.verdict(p, res)
}

// tableCaption says what the speed target and the rule are.
func (r *Report) tableCaption(p benchmark.ProblemInfo) string {
	s := fmt.Sprintf("%s, %s", p.Name, plural(p.Epochs, "epoch"))
	metric := r.a.Protocol.TargetMetric
	for _, x := range r.results(p.Name) {
		if x != nil && x.Speed.Metric != "" {
			metric = x.Speed.Metric // the problem's own: train_loss without a test set
			break
		}
	}
	if p.Target.OK() {
		s += fmt.Sprintf("; speed target: %s ≤ %.4g", ruleLabel(metric), float64(p.Target))
		if p.TargetFrom != "" {
			s += " (" + p.TargetFrom + "'s final value)"
		}
	} else {
		s += "; no speed target (no baseline result)"
	}
	return s
}

// perfCells are one performance column: the best mean marked, and those within seed noise
// of it.
func perfCells(res []*benchmark.Result, m perfMetric) []cell {
	stats := make([]Stat, len(res))
	raw := make([]benchmark.Stat, len(res))
	for i, x := range res {
		raw[i] = benchmark.Stat{Mean: benchmark.NaN(), Std: benchmark.NaN()}
		if x != nil && len(x.Seeds) > 0 {
			raw[i] = m.get(&x.Performance)
		}
		stats[i] = sample(raw[i])
	}
	rk := rank(stats, m.higher)
	cells := make([]cell, len(res))
	for i := range res {
		cells[i] = cell{Text: formatStat(raw[i], m.acc)}
		if res[i] != nil && res[i].Chosen < 0 {
			cells[i].Text = "every setting diverged"
		}
	}
	if w := rk.winner(); w >= 0 {
		cells[w].Best = true
		for _, i := range rk.order[1:] {
			if rk.tie[i] {
				cells[i].Tie, cells[i].Note = true, "within seed noise of the best: "+formatP(rk.p[i])
			}
		}
	}
	return cells
}

// speedCells are the epochs and seconds to the target on the mean curve; the fewest epochs
// are marked.
func speedCells(res []*benchmark.Result) (epochs, seconds []cell) {
	epochs, seconds = make([]cell, len(res)), make([]cell, len(res))
	best := math.Inf(1)
	for i, x := range res {
		epochs[i], seconds[i] = cell{Text: "—"}, cell{Text: "—"}
		if x == nil || len(x.Seeds) == 0 {
			continue
		}
		if !x.Speed.Epochs.OK() {
			epochs[i].Text = "not reached"
			continue
		}
		e := float64(x.Speed.Epochs)
		best = math.Min(best, e)
		epochs[i].Text = fmt.Sprintf("%g (%d/%d seeds)", e, x.Speed.Reached, len(x.Seeds))
		if x.Speed.Seconds.OK() {
			seconds[i].Text = fmt.Sprintf("%.3g", float64(x.Speed.Seconds))
		}
	}
	for i, x := range res {
		if x != nil && len(x.Seeds) > 0 && x.Speed.Epochs.OK() && float64(x.Speed.Epochs) == best {
			epochs[i].Best = true
		}
	}
	return epochs, seconds
}

// tuneCells are the expected rule value of one random tuning trial (the budget curve at
// k = 1) on problem p, by the rule its runs were scored by (an accuracy rule falls back to the
// loss on a problem without accuracy, as the budget figure's axis does); the best is marked.
func (r *Report) tuneCells(p benchmark.ProblemInfo, res []*benchmark.Result) []cell {
	m := ruleMetric(problemRule(r.a, p))
	cells := make([]cell, len(res))
	stats := make([]Stat, len(res))
	for i, x := range res {
		cells[i], stats[i] = cell{Text: "—"}, Stat{Mean: math.NaN()}
		if x == nil {
			continue
		}
		for _, bp := range x.Budget.Points {
			if e := expected(bp); bp.K == 1 && e.OK() {
				stats[i].Mean = float64(e)
				cells[i].Text = formatStat(benchmark.Stat{Mean: e, Std: benchmark.NaN(), N: 1}, m.acc)
				if bp.PDiverged > 0 {
					cells[i].Text += fmt.Sprintf(" (%.0f %% diverge)", 100*bp.PDiverged)
				}
			}
		}
	}
	if w := rank(stats, m.higher).winner(); w >= 0 {
		cells[w].Best = true
	}
	return cells
}

// divergedCells count the tuning settings that diverged or failed.
func divergedCells(res []*benchmark.Result) []cell {
	cells := make([]cell, len(res))
	for i, x := range res {
		cells[i] = cell{Text: "—"}
		if x == nil {
			continue
		}
		bad := 0
		for _, t := range x.Tuning {
			if t.Status != "done" {
				bad++
			}
		}
		cells[i].Text = fmt.Sprintf("%d of %d", bad, len(x.Tuning))
	}
	return cells
}

// costCells are the epochs the tuning trained against those of the full grid.
func costCells(res []*benchmark.Result) []cell {
	cells := make([]cell, len(res))
	for i, x := range res {
		cells[i] = cell{Text: "—"}
		if x == nil {
			continue
		}
		cells[i].Text = fmt.Sprintf("%d", x.TuneEpochs)
		if x.FullGridEpochs > 0 && x.FullGridEpochs != x.TuneEpochs {
			cells[i].Text += fmt.Sprintf(" of %d (%.0f %%)", x.FullGridEpochs, 100*float64(x.TuneEpochs)/float64(x.FullGridEpochs))
		}
	}
	return cells
}

// verdict is the sentence that names problem p's winner on the rule's metric and says
// whether the runners-up are within seed noise of it.
func (r *Report) verdict(p benchmark.ProblemInfo, res []*benchmark.Result) string {
	m := verdictMetric(r.a.Protocol.Rule, p)
	stats := make([]Stat, len(res))
	raw := make([]benchmark.Stat, len(res))
	for i, x := range res {
		raw[i] = benchmark.Stat{Mean: benchmark.NaN(), Std: benchmark.NaN()}
		if x != nil && len(x.Seeds) > 0 {
			raw[i] = m.get(&x.Performance)
		}
		stats[i] = sample(raw[i])
	}
	rk := rank(stats, m.higher)
	w := rk.winner()
	if w < 0 {
		return fmt.Sprintf("%s: no winner, no optimizer has a %s.", p.Name, m.label)
	}
	name := func(i int) string { return r.a.Optimizers[i].Name }
	s := fmt.Sprintf("%s: %s wins on %s (%s over %s)", p.Name, name(w), m.label, formatStat(raw[w], m.acc), plural(raw[w].N, "seed"))
	var ties []string
	for _, i := range rk.order[1:] {
		if rk.tie[i] {
			ties = append(ties, fmt.Sprintf("%s (%s)", name(i), formatP(rk.p[i])))
		}
	}
	switch {
	case len(ties) > 0:
		s += "; within seed noise of it: " + strings.Join(ties, ", ") + ", so the difference is not significant"
	case len(rk.order) > 1 && !math.IsNaN(stats[rk.order[1]].Mean):
		s += fmt.Sprintf("; ahead of the runner-up %s beyond seed noise (%s)", name(rk.order[1]), formatP(rk.p[rk.order[1]]))
	}
	return s + "."
}
