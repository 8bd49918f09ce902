package cmd

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// reportFixture is the made-up benchmark analysis of internal/verdict's tests.
var reportFixture = filepath.Join("..", "internal", "verdict", "testdata", "tiny")

func TestReportFlags(t *testing.T) {
	var got *reportOptions
	capture := func(_ context.Context, o *reportOptions, _ io.Writer) error { got = o; return nil }
	cmd := newCmdReport(capture)
	cmd.SetArgs([]string{"B", "--out", "r.html", "-o", "d/r.md"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Dir != "B" || strings.Join(got.Outs, ",") != "r.html,d/r.md" {
		t.Errorf("options %+v", got)
	}
	cmd = newCmdReport(capture)
	cmd.SetArgs([]string{"B"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join("B", "report.html"); len(got.Outs) != 1 || got.Outs[0] != want {
		t.Errorf("default --out %q, want %s", got.Outs, want)
	}
}

func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	html, md := filepath.Join(dir, "r.html"), filepath.Join(dir, "r.md")
	code, stdout, stderr := runCLI(t, "report", reportFixture, "--out", html, "--out", md)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != html+"\n"+md+"\n" {
		t.Errorf("stdout %q", stdout)
	}
	for _, f := range []string{html, md, filepath.Join(dir, "r_files", "performance.png")} {
		if _, err := os.Stat(f); err != nil {
			t.Error(err)
		}
	}
}

// TestReportBadInput: a bad DIR or --out exits 2 with one line that names the file or flag,
// and writes nothing.
func TestReportBadInput(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt")
	os.Mkdir(corrupt, 0o755)
	write(t, corrupt, "analysis.json", `{"schema": 1, "results": [}`)
	out := filepath.Join(dir, "r.html")
	for _, tc := range []struct {
		name  string
		args  []string
		names string
	}{
		{"missing dir", []string{filepath.Join(dir, "nope")}, filepath.Join(dir, "nope")},
		{"no analysis", []string{dir}, filepath.Join(dir, "analysis.json")},
		{"corrupt", []string{corrupt}, filepath.Join(corrupt, "analysis.json")},
		{"bad format", []string{reportFixture, "--out", filepath.Join(dir, "r.pdf")}, "--out"},
		{"no dir", nil, "DIR"},
		{"two dirs", []string{reportFixture, dir}, "DIR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"report"}, tc.args...)
			if !strings.Contains(strings.Join(tc.args, " "), "--out") {
				args = append(args, "--out", out)
			}
			code, _, stderr := runCLI(t, args...)
			if code != exitBadInput {
				t.Errorf("exit %d, want %d: %s", code, exitBadInput, stderr)
			}
			if strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, tc.names) {
				t.Errorf("stderr %q: want one line naming %s", stderr, tc.names)
			}
			if tc.name == "missing dir" && !strings.Contains(stderr, "no such folder (want the folder optimbench benchmark wrote)") {
				t.Errorf("stderr %q: want it to say what DIR should be", stderr)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s written on bad input", out)
			}
		})
	}
}
