package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/optimbench/optimbench/internal/data"
	"github.com/optimbench/optimbench/internal/report"
)

// checkInputError fails unless err is a one-line bad-input error that matches target and
// contains every fragment of want.
func checkInputError(t *testing.T, what string, err, target error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: accepted, want an error", what)
	}
	if !errors.Is(err, report.ErrBadInput) || (target != nil && !errors.Is(err, target)) {
		t.Errorf("%s: error %v (%T) is not ErrBadInput and %v", what, err, err, target)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("%s: message %q has more than one line", what, msg)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("%s: message %q does not contain %q", what, msg, w)
		}
	}
}

// An override with an empty or null value is refused, naming the key: it would keep the
// file's value (or the default) without a word.
func TestSetRefusesNoValue(t *testing.T) {
	good := filepath.Join(t.TempDir(), "good.yaml")
	if err := os.WriteFile(good, []byte(base), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"", " ", "null", "~", "Null", "NULL", "# a comment"} {
		kv := "optimizer.lr=" + v
		_, _, err := ParseSet(kv)
		checkInputError(t, "ParseSet "+kv, err, ErrNoValue, "override optimizer.lr="+v+":", "empty value")
		_, err = Load(good, []string{kv})
		checkInputError(t, "Load "+kv, err, ErrNoValue, "optimizer.lr")
		raw := map[string]any{"optimizer": map[string]any{"lr": 0.5}}
		err = Set(raw, kv)
		checkInputError(t, "Set "+kv, err, ErrNoValue, "optimizer.lr")
		if got := raw["optimizer"].(map[string]any)["lr"]; got != 0.5 {
			t.Errorf("Set %s changed optimizer.lr to %v", kv, got)
		}
	}
	// Values that are not null stay values, the empty string and the string "null" too.
	for kv, want := range map[string]any{`optimizer.name=""`: "", `optimizer.name="null"`: "null", "optimizer.lr=0": 0} {
		if _, got, err := ParseSet(kv); err != nil || got != want {
			t.Errorf("ParseSet(%q) = %#v, %v; want %#v", kv, got, err, want)
		}
	}
}

// A second YAML document is refused, naming the file and its line; empty documents after
// the first are accepted.
func TestReadRefusesSecondDocument(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, body string
		line       string // "" when accepted
	}{
		{"second document", base + "---\ntrain: {epochs: 9}\n", "line 9"},
		{"second document after end marker", base + "...\n---\noptimizer: {name: sgd}\n", "line 10"},
		{"third document", base + "---\n---\nseed: 4\n", "line 10"},
		{"scalar document", base + "--- ~\n", "line 9"},
		{"broken second document", base + "---\noptimizer: [1,\n", "line 10"},
		{"trailing marker", base + "---\n", ""},
		{"trailing comments", base + "---\n# nothing here\n\n", ""},
		{"trailing markers", base + "---\n  # x\n---\n...\n", ""},
		{"leading marker", "---\n" + base, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".yaml")
			if err := os.WriteFile(p, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := Load(p, nil)
			if tc.line == "" {
				if err != nil || c.Schedule.LR != 0.01 || c.Train.Values.Int("epochs") != 3 {
					t.Fatalf("Load: %v; want the first document, lr 0.01 and 3 epochs", err)
				}
				return
			}
			var target error = ErrSecondDocument
			if strings.HasPrefix(tc.name, "broken") {
				target = nil
			}
			checkInputError(t, "Load", err, target, "config "+p+": ", tc.line)
		})
	}
}

// A configuration file that is not a regular file, or is larger than maxConfigBytes, is
// refused before it is read.
func TestReadRefusesNonRegularAndLarge(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte(base), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, 20<<20); err != nil { // sparse: nothing is written
		t.Fatal(err)
	}
	_, err := Read(big)
	checkInputError(t, "20 MiB file", err, data.ErrTooLarge, "config "+big+": ", "is 20 MiB", "at most 16 MiB")
	if err := os.Truncate(big, maxConfigBytes); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(big); errors.Is(err, data.ErrTooLarge) {
		t.Errorf("a file of exactly 16 MiB: %v", err)
	}

	_, err = Read(dir)
	checkInputError(t, "folder", err, data.ErrNotRegular, "config "+dir+": ", "folder")
	if _, err := os.Stat(os.DevNull); err == nil {
		_, err := readWithin(t, os.DevNull)
		checkInputError(t, os.DevNull, err, data.ErrNotRegular, "config "+os.DevNull+": ", "device")
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		link := filepath.Join(dir, "zero.yaml")
		if err := os.Symlink("/dev/zero", link); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"/dev/zero", link} {
			_, err := readWithin(t, p)
			checkInputError(t, p, err, data.ErrNotRegular, "config "+p+": ", "character device")
		}
	}
}

// A file that holds more than its size said (a growing file, a /proc file of size 0) is read
// no further than maxConfigBytes.
func TestReadBoundsGrowingFile(t *testing.T) {
	const proc = "/proc/self/status" // a regular file of size 0 that reads about 1 KiB
	st, err := os.Stat(proc)
	if err != nil || !st.Mode().IsRegular() || st.Size() != 0 {
		t.Skipf("%s: no regular file of size 0 here", proc)
	}
	defer func(n int64) { maxConfigBytes = n }(maxConfigBytes)
	maxConfigBytes = 64
	_, err = Read(proc)
	checkInputError(t, proc, err, data.ErrTooLarge, "config "+proc+": ", "more than 64 bytes")
}

// endless is a stream without end that counts the bytes read from it.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	if e.n > 1<<30 {
		return 0, errors.New("read 1 GiB of an endless stream")
	}
	e.n += int64(len(p))
	return len(p), nil
}

// A stream is read no further than maxConfigBytes and one byte.
func TestReadBoundedStream(t *testing.T) {
	r := &endless{}
	_, err := readBounded(r)
	if !errors.Is(err, data.ErrTooLarge) || r.n > maxConfigBytes+1 {
		t.Errorf("readBounded: %v after %d bytes; want ErrTooLarge after at most %d", err, r.n, maxConfigBytes+1)
	}
	if got := err.Error(); got != "reads more than 16 MiB; a configuration file is at most 16 MiB" {
		t.Errorf("message %q", got)
	}
}

// readWithin is Read(path) that fails the test instead of hanging on a file that blocks.
func readWithin(t *testing.T, path string) (*Document, error) {
	t.Helper()
	type result struct {
		d   *Document
		err error
	}
	done := make(chan result, 1)
	go func() {
		d, err := Read(path)
		done <- result{d, err}
	}()
	select {
	case r := <-done:
		return r.d, r.err
	case <-time.After(5 * time.Second):
		t.Fatalf("Read(%s) still reading after 5 s", path)
		return nil, nil
	}
}
