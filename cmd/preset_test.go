package cmd

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/optimbench/optimbench/internal/config"
)

// presetDataset is the dataset a DeepOBS preset trains on ("" for its toy problems and for
// an unknown name), for realDataArgs.
func presetDataset(name string) string {
	if p := config.LookupPreset(name); p != nil {
		return p.Dataset
	}
	return ""
}

// `data list` names the presets each dataset serves, and those on generated data.
func TestDataListPresets(t *testing.T) {
	code, out, stderr := runCLI(t, "data", "list")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, re := range []string{
		`(?m)^mnist\s.*\smnist_logreg,mnist_mlp,mnist_2c2d$`,
		`(?m)^fashion-mnist\s.*\sfmnist_logreg,fmnist_mlp,fmnist_2c2d$`,
		`(?m)^iris\s.*\s-$`,
		`no download: quadratic_deep,two_d_rosenbrock,two_d_beale,two_d_branin`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("data list lacks %s:\n%s", re, out)
		}
	}
}

// An unknown preset is bad input (exit 2) naming testproblem, with a suggestion.
func TestTrainUnknownPreset(t *testing.T) {
	dir := t.TempDir()
	cfg := write(t, dir, "p.yaml", "testproblem: quadratic_dep\noptimizer: {name: sgd}\n")
	code, _, stderr := runCLI(t, "train", "-q", "--config", cfg, "--out", filepath.Join(dir, "run"))
	if code != 2 || !strings.Contains(stderr, `testproblem: unknown value "quadratic_dep" (did you mean "quadratic_deep"?)`) ||
		strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("exit %d, stderr %q; want 2 and one line with a suggestion", code, stderr)
	}
}

// The config.yaml of a preset run reruns the same run without the preset: the same
// metrics.csv but for the seconds column.
func TestPresetRerun(t *testing.T) {
	dir := t.TempDir()
	cfg := write(t, dir, "q.yaml", "testproblem: quadratic_deep\noptimizer: {name: momentum, lr: 0.01}\n")
	first, second := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if code, _, stderr := runCLI(t, "train", "-q", "--config", cfg, "--out", first, "--set", "train.epochs=4"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	resolved := filepath.Join(first, "config.yaml")
	if b, _ := os.ReadFile(resolved); bytes.Contains(b, []byte("testproblem")) || !bytes.Contains(b, []byte("deepobs_quadratic")) {
		t.Fatalf("config.yaml is not the expanded preset:\n%s", b)
	}
	if code, _, stderr := runCLI(t, "train", "-q", "--config", resolved, "--out", second); code != 0 {
		t.Fatalf("rerun: exit %d: %s", code, stderr)
	}
	a, b := withoutSeconds(t, first), withoutSeconds(t, second)
	if a != b || strings.Count(a, "\n") != 6 {
		t.Errorf("metrics differ, or not a header and 5 rows:\n%s\n%s", a, b)
	}
	// the epoch-0 losses are numpy's, from DeepOBS's data and Hessian
	// (scripts/gen_deepobs_golden.py)
	var golden struct {
		Train float64 `json:"quadratic_loss_at_ones_train"`
		Test  float64 `json:"quadratic_loss_at_ones_test"`
	}
	g, err := os.ReadFile(filepath.Join("..", "internal", "data", "testdata", "deepobs_golden.json"))
	if err != nil || json.Unmarshal(g, &golden) != nil || golden.Train == 0 {
		t.Fatalf("reading the golden losses: %v", err)
	}
	row := strings.Split(strings.Split(a, "\n")[1], ",")
	train, _ := strconv.ParseFloat(row[5], 64)
	test, _ := strconv.ParseFloat(row[6], 64)
	if math.Abs(train-golden.Train) > 1e-12*golden.Train || math.Abs(test-golden.Test) > 1e-12*golden.Test {
		t.Errorf("epoch 0: train_loss %v, test_loss %v; numpy gives %v, %v", train, test, golden.Train, golden.Test)
	}
}

// withoutSeconds is a run's metrics.csv without its last column (seconds).
func withoutSeconds(t *testing.T, run string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(run, "metrics.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Split(line, ",")
		i := len(f) - 1
		for j, name := range strings.Split(strings.SplitN(string(b), "\n", 2)[0], ",") {
			if name == "seconds" {
				i = j
			}
		}
		out.WriteString(strings.Join(append(f[:i:i], f[i+1:]...), ",") + "\n")
	}
	return out.String()
}
