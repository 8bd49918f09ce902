package report

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestCheckpointRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "checkpoint.safetensors")
	in := &Checkpoint{ConfigHash: "abc", Epoch: 3, Step: 30, Examples: 960, Rows: 4, Points: 0,
		Status: "diverged", Reason: "loss became NaN at step 29", AvgUpdates: 2,
		RNG: map[string][]byte{"shuffle": {1, 2, 3, 0, 255}},
		LR:  0.1, Momentum: math.NaN(), Seconds: 1.5, Initial: 2.3, Best: [4]float64{0.1, math.Inf(1), 0.9, math.Inf(-1)},
		Params: []float64{1, 2}, Optimizer: [][]float64{{3}, {4, 5}, {}}, Average: []float64{6, 7},
		Schedule: [][]float64{{0.5}}}
	if err := WriteCheckpoint(path, in); err != nil {
		t.Fatal(err)
	}
	out, err := ReadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(out.Momentum) {
		t.Errorf("momentum %v, want NaN", out.Momentum)
	}
	out.Momentum, in.Momentum = 0, 0
	if out.Optimizer[2] == nil {
		out.Optimizer[2] = []float64{}
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("read back\n%+v\nwant\n%+v", out, in)
	}
}

func TestResumeWriters(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "metrics.csv")
	w, err := CreateMetrics(path, "train_subopt")
	if err != nil {
		t.Fatal(err)
	}
	for e := range 4 {
		w.Write(Row{Epoch: e, TrainLoss: float64(e), TestLoss: math.NaN(), TrainAcc: math.NaN(), TestAcc: math.NaN(), Extra: []float64{0}}, false)
	}
	w.Close()
	os.WriteFile(path, append(must(os.ReadFile(path)), "4,0,0,0.1,1,9"...), 0o644) // a torn row
	w, err = ResumeMetrics(path, 2, "train_subopt")
	if err != nil {
		t.Fatal(err)
	}
	w.Write(Row{Epoch: 2, TrainLoss: 7, TestLoss: math.NaN(), TrainAcc: math.NaN(), TestAcc: math.NaN(), Extra: []float64{1}}, false)
	w.Close()
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[3], "2,") || !strings.Contains(lines[3], ",7,") {
		t.Errorf("metrics.csv after resuming at 2 rows:\n%s", b)
	}
	if _, err := ResumeMetrics(path, 9, "train_subopt"); err == nil {
		t.Error("resuming after more rows than the file has: no error")
	}
	if _, err := ResumeMetrics(path, 1); err == nil {
		t.Error("resuming with other columns: no error")
	}
	tp := filepath.Join(dir, "trajectory.csv")
	tw, _ := CreateTrajectory(tp, 2)
	for s := range 5 {
		tw.Write(s, 1, []float64{0, 0})
	}
	tw.Close()
	tw, err = ResumeTrajectory(tp, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	tw.Write(3, 2, []float64{1, 1})
	tw.Close()
	b, _ = os.ReadFile(tp)
	if n := strings.Count(string(b), "\n"); n != 5 {
		t.Errorf("trajectory.csv has %d lines, want 5:\n%s", n, b)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
