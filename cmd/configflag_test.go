package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// refused runs the command line and fails unless it exits 2 before writing anything, with
// one line on stderr that holds every fragment of want. A command that has not returned
// after 20 s (reading a file without end, or blocked on one) fails the test.
func refused(t *testing.T, args []string, want ...string) {
	t.Helper()
	type result struct {
		code           int
		stdout, stderr string
	}
	done := make(chan result, 1)
	go func() {
		code, stdout, stderr := runCLI(t, args...)
		done <- result{code, stdout, stderr}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("%v: still running after 20 s", args)
	}
	if r.code != 2 || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and one line", args, r.code, r.stdout, r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("%v: stderr %q does not contain %q", args, r.stderr, w)
		}
	}
}

// Every command that reads a config refuses a second --config instead of keeping the last.
func TestConfigGivenTwice(t *testing.T) {
	dir := t.TempDir()
	a := write(t, dir, "a.yaml", good)
	b := write(t, dir, "b.yaml", good)
	sw := write(t, dir, "sw.yaml", "base:\n"+indent(good)+"grid:\n  optimizer.lr: [0.1, 0.2]\n")
	out := filepath.Join(dir, "out")
	for _, tc := range []struct {
		args        []string
		first, last string
	}{
		{[]string{"train", "-c", a, "--config", b, "--out", out}, a, b},
		{[]string{"train", "--config=" + a, "--out", out, "-c" + a}, a, a},
		{[]string{"lrfind", "--config", a, "--config", b, "--out", out}, a, b},
		{[]string{"sweep", "--config", sw, "-c", a, "--out", out}, sw, a},
		{[]string{"train", "--config", "", "--config", b, "--out", out}, `""`, b},
	} {
		refused(t, tc.args, tc.args[0]+": --config given twice: "+tc.first+" and "+tc.last)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused command wrote its folder")
	}
	// Other flag errors keep the root's wording.
	refused(t, []string{"train", "-c", a, "--seed", "x"}, `optimbench train --seed "x": want a whole number >= 0`)
	if code, _, stderr := runCLI(t, "train", "-q", "-c", a, "--out", out); code != 0 {
		t.Errorf("one --config: exit %d %s", code, stderr)
	}
}

// --set with an empty or null value is refused, by train, lrfind and sweep alike.
func TestSetWithoutValue(t *testing.T) {
	dir := t.TempDir()
	cfg := write(t, dir, "a.yaml", good)
	sw := write(t, dir, "sw.yaml", "base:\n"+indent(good)+"grid:\n  optimizer.lr: [0.1, 0.2]\n")
	out := filepath.Join(dir, "out")
	for _, tc := range []struct{ command, file, set, want string }{
		{"train", cfg, "optimizer.lr=", "--set: override optimizer.lr=: empty value"},
		{"train", cfg, "optimizer.lr=null", "--set: override optimizer.lr=null: "},
		{"train", cfg, "train.epochs=~", "--set: override train.epochs=~: "},
		{"lrfind", cfg, "optimizer.lr=Null", "--set: override optimizer.lr=Null: "},
		{"sweep", sw, "train.epochs=", "--set: override train.epochs=: empty value"},
		{"sweep", sw, "optimizer=null", "--set: override optimizer=null: "},
	} {
		refused(t, []string{tc.command, "-c", tc.file, "--set", tc.set, "--out", out}, tc.want, "empty value")
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused command wrote its folder")
	}
}

// A config file, a sweep file or a sweep's base file that holds a second YAML document is
// refused, naming the file and the line where that document starts.
func TestSecondDocumentRefused(t *testing.T) {
	dir := t.TempDir()
	two := good + "---\ntrain: {epochs: 50}\n" // good has 5 lines, the first empty
	cfg := write(t, dir, "two.yaml", two)
	sw := write(t, dir, "sw.yaml", "base:\n"+indent(good)+"grid:\n  optimizer.lr: [0.1, 0.2]\n---\ngrid:\n  optimizer.lr: [1]\n")
	withBase := write(t, dir, "sw2.yaml", "base: two.yaml\ngrid:\n  optimizer.lr: [0.1, 0.2]\n")
	out := filepath.Join(dir, "out")
	refused(t, []string{"train", "-c", cfg, "--out", out}, "config "+cfg+": line 6: a second YAML document")
	refused(t, []string{"lrfind", "-c", cfg, "--out", out}, "config "+cfg+": line 6: a second YAML document")
	refused(t, []string{"sweep", "-c", sw, "--out", out}, "config "+sw+": line 8: a second YAML document")
	refused(t, []string{"sweep", "-c", withBase, "--out", out}, "config "+cfg+": line 6: a second YAML document")
	// A lone --- at the end, or comments after it, is no document.
	trailing := write(t, dir, "trailing.yaml", good+"---\n# nothing more\n")
	if code, _, stderr := runCLI(t, "train", "-q", "-c", trailing, "--out", out); code != 0 {
		t.Errorf("a trailing ---: exit %d %s", code, stderr)
	}
}

// A folder or a device as a config or a sweep's base is refused before it is read, and so is
// a config file larger than 16 MiB.
func TestConfigNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	big := write(t, dir, "big.yaml", good)
	if err := os.Truncate(big, 20<<20); err != nil {
		t.Fatal(err)
	}
	refused(t, []string{"train", "-c", dir, "--out", out}, "config "+dir+": a folder, not a regular file")
	refused(t, []string{"train", "-c", big, "--out", out}, "config "+big+": is 20 MiB; a configuration file is at most 16 MiB")
	baseBig := write(t, dir, "sw-big.yaml", "base: big.yaml\ngrid:\n  optimizer.lr: [0.1]\n")
	refused(t, []string{"sweep", "-c", baseBig, "--out", out}, "config "+big+": is 20 MiB")
	if _, err := os.Stat("/dev/zero"); err == nil {
		refused(t, []string{"train", "-c", "/dev/zero", "--out", out}, "config /dev/zero: a character device, not a regular file")
		refused(t, []string{"lrfind", "-c", "/dev/zero", "--out", out}, "config /dev/zero: a character device")
		refused(t, []string{"sweep", "-c", "/dev/zero", "--out", out}, "config /dev/zero: a character device")
		sw := write(t, dir, "sw.yaml", "base: /dev/zero\ngrid:\n  optimizer.lr: [0.1]\n")
		refused(t, []string{"sweep", "-c", sw, "--out", out}, "config /dev/zero: a character device")
	}
}
