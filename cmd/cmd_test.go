package cmd

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/optimbench/optimbench/internal/report"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const good = `
data: {source: synthetic, generator: blobs, n: 200, features: 2, classes: 2}
model: {kind: linear}
optimizer: {name: sgd, lr: 0.1}
train: {epochs: 2, batch_size: 20}
`

func TestTrain(t *testing.T) {
	dir := t.TempDir()
	cfg := write(t, dir, "good.yaml", good)
	out := filepath.Join(dir, "run")
	code, stdout, stderr := runCLI(t, "train", "--config", cfg, "--out", out, "--set", "optimizer.lr=0.2", "--seed", "7")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.TrimSpace(stdout) != out {
		t.Errorf("stdout %q, want the run folder %q", stdout, out)
	}
	if !strings.Contains(stderr, "epoch 2/2") {
		t.Errorf("stderr lacks per-epoch lines: %q", stderr)
	}
	s, err := report.ReadSummary(filepath.Join(out, "summary.json"))
	if err != nil || s.Status != "done" || s.Seed != 7 {
		t.Fatalf("summary %+v %v", s, err)
	}
	b, _ := os.ReadFile(filepath.Join(out, "config.yaml"))
	if !strings.Contains(string(b), "lr: 0.2") {
		t.Errorf("--set not in config.yaml:\n%s", b)
	}
	// --quiet prints only the folder; a second run into the same folder is refused.
	code, stdout, stderr = runCLI(t, "train", "-q", "--config", cfg, "--out", filepath.Join(dir, "q"))
	if code != 0 || stderr != "" || strings.TrimSpace(stdout) == "" {
		t.Errorf("--quiet: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	if code, _, stderr = runCLI(t, "train", "--config", cfg, "--out", out); code != 2 || !strings.Contains(stderr, "already holds a run") {
		t.Errorf("rerun into a used folder: exit %d %q", code, stderr)
	}
}

func TestDefaultOut(t *testing.T) {
	dir := t.TempDir()
	cfg := write(t, dir, "named.yaml", good)
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	code, stdout, stderr := runCLI(t, "train", "-q", "--config", cfg)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got := strings.TrimSpace(stdout)
	if !strings.HasPrefix(got, filepath.Join("runs", "named")+string(filepath.Separator)) || !strings.HasSuffix(got, "Z") {
		t.Errorf("default folder %q, want runs/named/<UTC timestamp>", got)
	}
	_, stdout2, _ := runCLI(t, "train", "-q", "--config", cfg)
	if strings.TrimSpace(stdout2) == got {
		t.Errorf("two runs in the same second share folder %q", got)
	}
}

// Every malformed input exits 2 with one line on stderr naming the culprit,
// and writes nothing.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	cfg := write(t, dir, "good.yaml", good)
	csvBad := write(t, dir, "bad.csv", "a,b,y\n1,2,0\n3,x,1\n")
	csvCfg := write(t, dir, "csv.yaml", `
data: {source: csv, path: `+csvBad+`}
model: {kind: linear}
optimizer: {name: adam}
`)
	csvMissing := write(t, dir, "missing.yaml", `
data: {source: csv, path: `+filepath.Join(dir, "nope.csv")+`}
model: {kind: linear}
optimizer: {name: adam}
`)
	svmBad := write(t, dir, "bad.svm", "+1 1:0.5 2:1\n-1 2:0.3 1:0.2\n")
	svmCfg := write(t, dir, "svm.yaml", `
data: {source: libsvm, path: `+svmBad+`}
model: {kind: linear}
optimizer: {name: adam}
`)
	broken := write(t, dir, "broken.yaml", "optimizer:\n  name: [adam\n")
	typo := write(t, dir, "typo.yaml", good+"optimiser: {}\n")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no config flag", []string{"train"}, "--config"},
		{"missing config", []string{"train", "--config", filepath.Join(dir, "none.yaml")}, "none.yaml"},
		{"broken YAML", []string{"train", "--config", broken}, "broken.yaml"},
		{"unknown key", []string{"train", "--config", typo}, `optimiser: unknown key (did you mean "optimizer"?)`},
		{"bad value", []string{"train", "--config", cfg, "--set", "optimizer.lr=-1"}, "optimizer.lr"},
		{"bad --set", []string{"train", "--config", cfg, "--set", "lr"}, "--set"},
		{"bad seed flag", []string{"train", "--config", cfg, "--seed", "x"}, "--seed"},
		{"unknown flag", []string{"train", "--config", cfg, "--epochs", "3"}, "--epochs"},
		{"unknown command", []string{"trian", "--config", cfg}, `did you mean "train"`},
		{"stray argument", []string{"train", "--config", cfg, "extra"}, "extra"},
		{"malformed csv row", []string{"train", "--config", csvCfg}, "bad.csv:3"},
		{"missing data file", []string{"train", "--config", csvMissing}, "nope.csv"},
		{"malformed libsvm line", []string{"train", "--config", svmCfg}, "bad.svm:2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "run")
			code, stdout, stderr := runCLI(t, append(tc.args, "--out", out)...)
			if code != 2 {
				t.Errorf("exit %d, want 2 (stderr %q)", code, stderr)
			}
			if !strings.HasPrefix(stderr, "optimbench: ") || strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr %q: want one line prefixed optimbench:", stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q does not name %q", stderr, tc.want)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s was created despite the bad input", out)
			}
		})
	}
}

func TestVersionAndHelp(t *testing.T) {
	if code, stdout, _ := runCLI(t, "version"); code != 0 || !strings.HasPrefix(stdout, "optimbench ") {
		t.Errorf("version: exit %d %q", code, stdout)
	}
	if code, stdout, _ := runCLI(t, "--help"); code != 0 || !strings.Contains(stdout, "train") {
		t.Errorf("--help: exit %d %q", code, stdout)
	}
	if code, stdout, _ := runCLI(t, "completion", "bash"); code != 0 || !strings.Contains(stdout, "optimbench") {
		t.Errorf("completion bash: exit %d", code)
	}
}

// shippedConfigs lists the configs under configs/, split into train configs
// and sweep configs (those with a top-level base key).
func shippedConfigs(t *testing.T) (train, sweeps []string) {
	t.Helper()
	files, _ := filepath.Glob("../configs/*.yaml")
	more, _ := filepath.Glob("../configs/*/*.yaml")
	for _, f := range append(files, more...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var top map[string]any
		if err := yaml.Unmarshal(b, &top); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if _, ok := top["problems"]; ok {
			continue // a benchmark (configs/benchmark): TestShippedBenchmarks
		}
		if _, ok := top["base"]; ok {
			sweeps = append(sweeps, f)
		} else {
			train = append(train, f)
		}
	}
	return train, sweeps
}

// Every shipped config trains to a result (shortened to keep the suite fast).
func TestShippedConfigs(t *testing.T) {
	files, _ := shippedConfigs(t)
	if len(files) < 20 {
		t.Fatalf("found %d configs", len(files))
	}
	for _, f := range files {
		t.Run(strings.TrimPrefix(f, "../configs/"), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "run")
			args := []string{"train", "-q", "--config", f, "--out", out}
			if testing.Short() {
				args = append(args, "--set", "train.epochs=3")
			}
			args = append(args, realDataArgs(t, f)...)
			code, _, stderr := runCLI(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			s, err := report.ReadSummary(filepath.Join(out, "summary.json"))
			if err != nil || s.Status != "done" {
				t.Fatalf("summary %+v %v", s, err)
			}
		})
	}
}
