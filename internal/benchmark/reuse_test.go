package benchmark

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The rerun's run on the tune seed is the chosen tuning run when that one ran the full
// length (a full grid's, or halving's last rung at the full length): it is not run again,
// and its numbers are those of a run of the setting never stopped. When halving chose on a
// shorter rung, or the tune seed is not a rerun seed, the rerun runs every seed.
func TestRerunReusesTuning(t *testing.T) {
	opts := halvingOpt + `
  early:
    optimizer: {name: adamw}
    search: {method: halving, eta: 4, min_epochs: 2, lr: [0.001, 0.01, 0.1]}
  grid:
    optimizer: {name: adamw}
    search: {lr: [0.01, 0.1]}`
	b := readBench(t, tinyBench(t, "seeds: 3\n", opts))
	dir := t.TempDir()
	out := runBench(t, b, dir)
	for _, tc := range []struct {
		opt    string
		reused bool
	}{{"adamw", true}, {"early", false}, {"grid", true}} {
		res := out.Analysis.Get("blobs", tc.opt)
		chosen := res.Tuning[res.Chosen]
		if (chosen.Epochs == 8) != tc.reused {
			t.Fatalf("%s: chosen on a rung of %d epochs; the test wants reused=%v", tc.opt, chosen.Epochs, tc.reused)
		}
		if got := res.Seeds[0].Dir == chosen.Dir; got != tc.reused {
			t.Errorf("%s: seed 1 is %s, the chosen tuning run %s: reused %v, want %v", tc.opt, res.Seeds[0].Dir, chosen.Dir, got, tc.reused)
		}
		if got, want := rerunJobs(t, filepath.Join(dir, "blobs", tc.opt, "rerun", "jobs.json")), 3-btoi(tc.reused); got != want {
			t.Errorf("%s: the rerun step has %d jobs, want %d", tc.opt, got, want)
		}
		for i, s := range res.Seeds {
			if s.Seed != uint64(i+1) || s.Status != "done" || len(s.Curve.Epoch) != 9 {
				t.Errorf("%s: seed %d: %+v", tc.opt, i+1, s)
			}
		}
		if got, want := metricsWithoutSeconds(t, filepath.Join(dir, res.Seeds[0].Dir, "metrics.csv")), unboken(t, b, tc.opt, chosen); got != want {
			t.Errorf("%s: seed 1's run differs from the setting run unbroken:\n%s\nwant\n%s", tc.opt, got, want)
		}
	}
	again := runBench(t, readBench(t, b.File), dir)
	if again.Ran != 0 || stable(t, again.Analysis) != stable(t, out.Analysis) {
		t.Errorf("rerunning the finished benchmark ran %d runs; the analysis is the same: %v", again.Ran, stable(t, again.Analysis) == stable(t, out.Analysis))
	}

	b2 := readBench(t, tinyBench(t, "seeds: [2, 3]\n", opts))
	res := runBench(t, b2, t.TempDir()).Analysis.Get("blobs", "grid")
	if len(res.Seeds) != 2 || strings.Contains(res.Seeds[0].Dir, "/tune/") {
		t.Errorf("seeds [2, 3] without the tune seed: %+v", res.Seeds)
	}
}

// unboken is unbroken for the optimizer called opt.
func unboken(t *testing.T, b *Benchmark, opt string, tr Trial) string {
	t.Helper()
	sub := *b
	for _, o := range b.Optimizers {
		if o.Name == opt {
			sub.Optimizers = []*Optimizer{o}
		}
	}
	return unbroken(t, &sub, "blobs", tr)
}

func rerunJobs(t *testing.T, file string) int {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var jobs []json.RawMessage
	if err := json.Unmarshal(data, &jobs); err != nil {
		t.Fatal(err)
	}
	return len(jobs)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
