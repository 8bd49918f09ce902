package cmd

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"16GiB": 16 << 30, "800MB": 800e6, "2e9": 2e9, "1.5Gi": 3 << 29, "512": 512,
		"off": -1, "OFF": -1, "64 MiB": 64 << 20, "3k": 3000, "1e30": 1<<63 - 1} {
		if got, err := parseBytes(in); err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "-1GiB", "0", "NaN", "Inf", "1QB", "GiB"} {
		if _, err := parseBytes(in); err == nil {
			t.Errorf("parseBytes(%q) accepted", in)
		}
	}
}

// A run that would not fit in memory is refused before it allocates, exit 2, naming the key,
// the estimate and --max-memory; --max-memory raises or lowers the limit.
func TestMaxMemory(t *testing.T) {
	dir := t.TempDir()
	cfg := write(t, dir, "big.yaml", "data: {source: synthetic}\nmodel: {kind: mlp, hidden: [100000000]}\noptimizer: {name: adam}\ntrain: {epochs: 1}\n")
	small := write(t, dir, "small.yaml", "data: {source: synthetic}\nmodel: {kind: mlp, hidden: [2000]}\noptimizer: {name: adam}\ntrain: {epochs: 1}\n")
	for _, tc := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"train", "-c", cfg}, 2, []string{"big.yaml: model.hidden: the run needs about", "TiB", "of memory available", "--max-memory SIZE allows more"}},
		{[]string{"lrfind", "-c", cfg}, 2, []string{"model.hidden", "--max-memory"}},
		{[]string{"train", "-c", small, "--max-memory", "8MiB"}, 2, []string{"small.yaml: model.hidden", "more than the limit of 8 MiB"}},
		{[]string{"train", "-c", small, "--max-memory", "lots"}, 2, []string{"--max-memory", `"lots" is not a size`}},
		{[]string{"train", "-c", small, "--max-memory", "1GiB", "--quiet"}, 0, nil},
	} {
		args := append(tc.args, "--out", filepath.Join(dir, "out", strings.Join(tc.args[3:], "")+tc.args[0]))
		code, _, stderr := runCLI(t, args...)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d: %s", tc.args, code, tc.code, stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(stderr, w) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Errorf("%v: stderr %q, want one line with %q", tc.args, stderr, w)
			}
		}
	}
	// A sweep divides the memory among its workers.
	sw := write(t, dir, "sw.yaml", "base: small.yaml\ngrid: {optimizer.lr: [0.1, 0.2, 0.3, 0.4]}\n")
	code, _, stderr := runCLI(t, "sweep", "-c", sw, "--workers", "4", "--max-memory", "100MiB", "--out", filepath.Join(dir, "sw"))
	if code != 2 || !strings.Contains(stderr, "to each of 4 runs at once") {
		t.Errorf("sweep: exit %d: %s", code, stderr)
	}
}
