package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/optimbench/optimbench/internal/report"
)

// initDir writes a configuration folder: sub/c.yaml's model starts from sub/w.safetensors,
// named relative to it. It returns the folder and the configuration's path.
func initDir(t *testing.T, values ...float64) (dir, file string) {
	t.Helper()
	dir = t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	writeInit(t, filepath.Join(sub, "w.safetensors"), values...)
	return dir, filepath.Join(sub, "c.yaml")
}

func writeInit(t *testing.T, path string, values ...float64) {
	t.Helper()
	if err := report.WriteSafetensors(path, []report.Tensor{{Name: "x", Shape: []int{len(values)}, Data: values}}, nil); err != nil {
		t.Fatal(err)
	}
}

func initConfig(t *testing.T, init string) map[string]any {
	t.Helper()
	return withSets(t, parse(t, base), "model.init="+init)
}

// A relative init file is found beside the configuration file; the resolved config.yaml
// writes it absolute with its sha256 and decodes back to the same run (the same hashes).
func TestInitFileDecode(t *testing.T) {
	dir, file := initDir(t, 1, 2)
	c, err := Decode(initConfig(t, "{file: w.safetensors}"), file)
	if err != nil {
		t.Fatal(err)
	}
	f, ok := c.InitFile()
	if want := filepath.Join(dir, "sub", "w.safetensors"); !ok || f.Path != want || f.Abs != want || len(f.SHA256) != 64 {
		t.Fatalf("InitFile = %+v, %v; want %s", f, ok, want)
	}
	if s := c.ModelSpec(); s.Init != "zeros" {
		t.Errorf("ModelSpec().Init = %q, want zeros under the file's values", s.Init)
	}
	y := c.YAML(3)
	if !strings.Contains(string(y), "  init:\n    file: "+f.Abs+"\n    sha256: "+f.SHA256+"\n") {
		t.Errorf("config.yaml does not pin the file:\n%s", y)
	}
	d, err := Parse("config.yaml", y)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Decode(d.Raw, filepath.Join(t.TempDir(), "config.yaml")) // a run folder elsewhere
	if err != nil {
		t.Fatalf("config.yaml decoded again: %v", err)
	}
	if string(again.YAML(3)) != string(y) || Hash(again) != Hash(c) || again.ResolvedHash(3) != c.ResolvedHash(3) {
		t.Errorf("config.yaml decodes to another run:\n%s", again.YAML(3))
	}
	// --set with an absolute path, and an inline configuration: relative to the working directory.
	if _, err := Decode(withSets(t, parse(t, base), "model.init.file="+f.Abs), file); err != nil {
		t.Errorf("absolute path: %v", err)
	}
	if _, err := Decode(initConfig(t, "{file: w.safetensors}"), ""); err == nil {
		t.Error("inline configuration: w.safetensors found outside the working directory")
	}
}

// The content hash (the run id of a sweep) holds the file's sha256 and not its path: a
// changed file is another run, a copy elsewhere the same run.
func TestInitFileHash(t *testing.T) {
	dir, file := initDir(t, 1, 2)
	hash := func(init string) string {
		t.Helper()
		c, err := Decode(initConfig(t, init), file)
		if err != nil {
			t.Fatal(err)
		}
		return Hash(c)
	}
	h := hash("{file: w.safetensors}")
	writeInit(t, filepath.Join(dir, "copy.safetensors"), 1, 2)
	if got := hash("{file: ../copy.safetensors}"); got != h {
		t.Errorf("the same tensors at another path: hash %s, want %s", got, h)
	}
	writeInit(t, filepath.Join(dir, "other.safetensors"), 1, 3)
	if got := hash("{file: ../other.safetensors}"); got == h {
		t.Error("other tensors: the same hash")
	}
	if got := hash("he"); got == h || got == hash("xavier") {
		t.Error("init words: hashes collide")
	}
}

// Every bad init mapping is a ConfigError naming its key: no file, an unknown key, not a
// file, a wrong or malformed pin.
func TestInitFileInvalid(t *testing.T) {
	dir, file := initDir(t, 1, 2)
	if err := os.Mkdir(filepath.Join(dir, "sub", "d.safetensors"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ init, key, want string }{
		{"{file: nope.safetensors}", "model.init.file", filepath.Join(dir, "sub", "nope.safetensors") + ": no such file"},
		{"{file: d.safetensors}", "model.init.file", "not a regular file"},
		{"{}", "model.init.file", "required"},
		{"{file: 3}", "model.init.file", "must be a string"},
		{"{file: w.safetensors, sha: abc}", "model.init.sha", `did you mean "sha256"`},
		{"{file: w.safetensors, sha256: abc}", "model.init.sha256", "64 hexadecimal digits"},
		{"{file: w.safetensors, sha256: " + strings.Repeat("ab", 32) + "}", "model.init.sha256", "it changed since"},
		{"[w.safetensors]", "model.init", "must be a string"},
	} {
		_, err := Decode(initConfig(t, tc.init), file)
		var ce *ConfigError
		if !errors.As(err, &ce) || !errors.Is(err, report.ErrBadInput) || ce.Key != tc.key || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("init %s: error %v, want a ConfigError for %s saying %q", tc.init, err, tc.key, tc.want)
		}
	}
}
