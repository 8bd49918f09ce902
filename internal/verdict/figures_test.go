package verdict

import (
	"slices"
	"strings"
	"testing"
)

// The figures say what they show: the performance plot's y-axes leave the shared epoch 0
// out of their range, the sensitivity and budget panels name the length their trials are
// scored at (1 epoch, not "1 epochs"), and the profile's τ names its measure.
func TestFigureLabels(t *testing.T) {
	a := fixture(t)
	for i := range a.Results {
		a.Results[i].Sensitivity.Epochs = 1
		a.Results[i].Budget.Epochs = 1
	}
	a.Profile.Measure = ""
	figs := Build(a).figures()
	perf, sens, prof, budget := figs[0], figs[1], figs[2], figs[3]
	for i, pn := range perf.Panels.Panels {
		p := a.Problems[i%len(a.Problems)]
		want := float64(max(1, p.Epochs/10))
		if p.Epochs == 1 {
			want = 0
		}
		if pn.YFromX != want {
			t.Errorf("performance panel %d (%s of %s, %d epochs) spans the epochs from %g, want %g", i, pn.YLabel, p.Name, p.Epochs, pn.YFromX, want)
		}
	}
	if got := yFrom(100); got != 10 {
		t.Errorf("a run of 100 epochs: y-range from epoch %g, want 10", got)
	}
	if got := yFrom(1); got != 0 {
		t.Errorf("a run of 1 epoch: y-range from epoch %g, want 0 (every point)", got)
	}
	if !strings.Contains(perf.Caption, "epoch 0") {
		t.Errorf("the performance caption does not say epoch 0 may lie off the chart: %s", perf.Caption)
	}
	for _, f := range []figure{sens, budget} {
		for _, pn := range f.Panels.Panels {
			if !strings.HasSuffix(pn.Title, " (1 epoch)") {
				t.Errorf("%s panel titled %q, want the length (1 epoch)", f.Name, pn.Title)
			}
		}
	}
	if x := prof.Panels.Panels[0].XLabel; !strings.Contains(x, "epochs to the target") {
		t.Errorf("the profile's x label %q does not name its measure", x)
	}
	a.Profile.Measure = "seconds to the target"
	if x := Build(a).figures()[2].Panels.Panels[0].XLabel; !strings.Contains(x, "seconds to the target") {
		t.Errorf("the profile's x label %q does not follow the measure", x)
	}
}

// A table's caption says "1 epoch" for a problem of one epoch.
func TestCaptionOneEpoch(t *testing.T) {
	a := fixture(t)
	a.Problems[0].Epochs = 1
	md, _, err := Build(a).Markdown("report.md")
	if err != nil {
		t.Fatal(err)
	}
	if name := a.Problems[0].Name; !strings.Contains(string(md), strings.ReplaceAll(name, "_", `\_`)+", 1 epoch;") {
		t.Errorf("no caption %q in\n%s", name+", 1 epoch;", md)
	}
}

// Under an accuracy rule, a problem without accuracy is scored by its loss (Rule.For): the
// table's expected result of one tuning trial is then a loss, not a percentage, as the
// budget figure's axis is.
func TestTuneCellsFollowProblemRule(t *testing.T) {
	a := fixture(t)
	a.Protocol.Rule = "final_test_acc"
	for i := range a.Results {
		a.Results[i].Rule = "" // an analysis that names only the protocol's rule
	}
	r := Build(a)
	for _, p := range a.Problems {
		if p.HasAcc || !p.HasTest {
			continue
		}
		tab, _ := r.problemTable(p)
		col := slices.Index(tab.Columns, "E[best of 1 trial]") - 1 // Cells omit the optimizer column
		for _, row := range tab.Rows {
			text, _, _ := strings.Cut(row.Cells[col].Text, " (")
			if strings.Contains(text, "%") {
				t.Errorf("%s/%s: E[best of 1 trial] %q is a percentage on a problem without accuracy", p.Name, row.Optimizer, row.Cells[col].Text)
			}
		}
	}
}
