package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A config's name becomes a folder under runs/ and never leads out of it.
func TestNameStaysInRunsFolder(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, name := range []string{"../../../tmp/x", "..", ".", "a\nb", "a/b c"} {
		cfg := write(t, dir, "n.yaml", "name: \""+strings.ReplaceAll(name, "\n", "\\n")+"\"\n"+good)
		code, stdout, stderr := runCLI(t, "train", "-q", "--config", cfg)
		if code != 0 {
			t.Fatalf("name %q: exit %d %s", name, code, stderr)
		}
		out := strings.TrimSpace(stdout)
		rel, err := filepath.Rel(filepath.Join(dir, "runs"), filepath.Join(dir, out))
		parts := strings.Split(rel, string(filepath.Separator))
		if err != nil || len(parts) != 2 || strings.HasPrefix(parts[0], ".") || strings.ContainsAny(rel, "\n ") {
			t.Errorf("name %q: run folder %q is not runs/<name>/<time>", name, out)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 { // n.yaml and runs/
		t.Errorf("the working directory holds %v", entries)
	}
}

func TestCommandLineMistakes(t *testing.T) {
	dir := t.TempDir()
	cfg := write(t, dir, "good.yaml", good)
	file := write(t, dir, "afile", "x")
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	prob := write(t, dir, "p.yaml", "problem: {function: rosenbrock}\noptimizer: {name: adam}\ntrain: {epochs: 3}\n")
	run := filepath.Join(dir, "prun")
	if code, _, stderr := runCLI(t, "train", "-q", "--config", prob, "--out", run); code != 0 {
		t.Fatal(stderr)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"completion", "tcsh"}, "want one shell of bash, zsh, fish, powershell"},
		{[]string{"completion"}, "want one shell"},
		{[]string{"train", "--config", cfg, "--out", file}, "is a file, not a folder"},
		{[]string{"lrfind", "--config", cfg, "--out", file}, "is a file, not a folder"},
		{[]string{"sweep", "--config", cfg, "--out", file}, ""},
		{[]string{"merge", file}, "is not a folder"},
		{[]string{"train", "--config", cfg, "--seed", "abc"}, `--seed "abc": want a whole number >= 0`},
		{[]string{"train", "--config", cfg, "--seed", "-1"}, `--seed "-1": want a whole number >= 0`},
		{[]string{"lrfind", "--config", cfg, "--steps", "1e3"}, `--steps "1e3": want a whole number`},
		{[]string{"bench", "--data", empty, "--no-torch"}, "--data " + empty},
		{[]string{"plot", run, "--kind", "trajectory", "--metric", "test_loss", "--out", filepath.Join(dir, "t.png")}, "--metric does not apply to --kind trajectory"},
		{[]string{"plot", run, "--kind", "lrfind", "--band", "sem", "--out", filepath.Join(dir, "t.png")}, "--band does not apply to --kind lrfind"},
	} {
		code, stdout, stderr := runCLI(t, tc.args...)
		if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) || strings.Contains(stderr, "strconv") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and one line with %q", tc.args, code, stdout, stderr, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "t.png")); err == nil {
		t.Error("a refused plot wrote its figure")
	}
}

// --workers reaches the shards of an emitted Slurm script.
func TestEmitWorkers(t *testing.T) {
	dir := t.TempDir()
	sw := write(t, dir, "sw.yaml", "base:\n"+indent(good)+"grid:\n  optimizer.lr: [0.1, 0.2]\n")
	code, stdout, stderr := runCLI(t, "sweep", "--config", sw, "--emit", "slurm", "--shard-count", "2", "--workers", "4", "--out", filepath.Join(dir, "s"))
	if code != 0 || !strings.Contains(stdout, "--workers 4") || !strings.Contains(stdout, "--cpus-per-task=4") {
		t.Errorf("exit %d %s: the script does not pass --workers 4:\n%s", code, stderr, stdout)
	}
}

func indent(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		b.WriteString("  " + l + "\n")
	}
	return b.String()
}
