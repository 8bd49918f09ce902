package train

import (
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/data"
	"github.com/optimbench/optimbench/internal/report"
)

// writeTinyMNIST writes the four IDX files of an MNIST-shaped set of n training and m test
// random images into dir (raw, uncompressed).
func writeTinyMNIST(t *testing.T, dir string, n, m int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 8))
	write := func(name string, dims []int, values []byte) {
		b := []byte{0, 0, 0x08, byte(len(dims))}
		for _, d := range dims {
			b = binary.BigEndian.AppendUint32(b, uint32(d))
		}
		if err := os.WriteFile(filepath.Join(dir, name), append(b, values...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, part := range []struct {
		prefix string
		k      int
	}{{"train", n}, {"t10k", m}} {
		pix := make([]byte, part.k*784)
		labels := make([]byte, part.k)
		for i := range labels {
			labels[i] = byte(rng.IntN(10))
			for j := range 784 {
				// Images that depend on the label, so that training learns something.
				if rng.IntN(10) == 0 || (j/78 == int(labels[i]) && rng.IntN(2) == 0) {
					pix[i*784+j] = byte(rng.IntN(256))
				}
			}
		}
		write(part.prefix+"-images-idx3-ubyte", []int{part.k, 28, 28}, pix)
		write(part.prefix+"-labels-idx1-ubyte", []int{part.k}, labels)
	}
}

const mnistDoc = `
data: {source: mnist, path: PATH}
model: {kind: mlp, hidden: [16]}
optimizer: {name: adam, lr: 0.01}
train: {epochs: 3, batch_size: 32}
`

func mnistRun(t *testing.T, dir string, sets ...string) *Run {
	t.Helper()
	return setup(t, strings.Replace(mnistDoc, "PATH", dir, 1), sets...)
}

func TestMNISTConfig(t *testing.T) {
	for _, tc := range []struct{ key, want string }{
		{"data.test_fraction=0.1", "own test set"},
		{"data.standardize=true", "always scaled to [0, 1]"},
		{"data.target=y", "does not apply to source mnist"},
		{"data.generator=blobs", "does not apply to source mnist"},
		{"data.source=fashion-mnist", ""}, // valid
		{"data.limit=-1", "data.limit"},
		{"data.path=[1]", "data.path"},
	} {
		t.Run(tc.key, func(t *testing.T) {
			_, err := config.Decode(withSets(t, parse(t, mnistDoc), tc.key), "m.yaml")
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, report.ErrBadInput) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want bad input mentioning %q", err, tc.want)
			}
		})
	}
	c, err := config.Decode(parse(t, "data: {source: fashion-mnist, limit: 100}\nmodel: {}\noptimizer: {name: sgd}\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	// An image source takes no test_fraction or standardize: the keys are absent.
	_, frac := c.Data.Values["test_fraction"]
	_, std := c.Data.Values["standardize"]
	if c.Data.Values.String("path") != "" || c.Data.Values.Int("limit") != 100 || frac || std || c.Model.Values.String("loss") != "cross_entropy" {
		t.Errorf("decoded %+v %+v", c.Data, c.Model)
	}
	y := string(c.YAML(1)) // the schedule resolved for a one-unit run (for YAML output only)
	if strings.Contains(y, "test_fraction") || strings.Contains(y, "standardize") || !strings.Contains(y, "source: fashion-mnist") {
		t.Errorf("resolved config:\n%s", y)
	}
}

func TestMNISTSetup(t *testing.T) {
	dir := t.TempDir()
	writeTinyMNIST(t, dir, 50, 20)
	r := mnistRun(t, dir, "data.limit=40")
	train, test := r.Data()
	if train.N != 40 || test.N != 20 || !train.Bytes() || !test.Bytes() || train.D != 784 || train.Classes != 10 {
		t.Fatalf("train %d (bytes %v), test %d", train.N, train.Bytes(), test.N)
	}
	if len(r.data.evalBuf) != evalRows*784 {
		t.Errorf("evalBuf has %d values, want %d", len(r.data.evalBuf), evalRows*784)
	}
	s := runIn(t, r, t.TempDir())
	if s.Status != "done" || s.Final.TestAcc == nil {
		t.Errorf("summary %+v", s)
	}
}

// Where the data are looked for when data.path is empty, and the errors when they are absent.
func TestMNISTLookup(t *testing.T) {
	root := t.TempDir()
	t.Chdir(root)
	t.Setenv("OPTIMBENCH_DATA", "")
	decode := func(doc string) *config.Config {
		c, err := config.Decode(parse(t, doc), "m.yaml")
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	noPath := decode("data: {source: mnist}\nmodel: {}\noptimizer: {name: adam}\ntrain: {epochs: 1}\n")
	_, err := Setup(context.Background(), noPath, Limits{})
	if !errors.Is(err, report.ErrBadInput) || !strings.Contains(err.Error(), "optimbench data get mnist") {
		t.Errorf("absent: %v", err)
	}
	env := filepath.Join(root, "store")
	os.MkdirAll(filepath.Join(env, "mnist"), 0o755)
	writeTinyMNIST(t, filepath.Join(env, "mnist"), 30, 10)
	t.Setenv("OPTIMBENCH_DATA", env)
	r, err := Setup(context.Background(), noPath, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if tr, _ := r.Data(); tr.N != 30 {
		t.Errorf("$OPTIMBENCH_DATA/mnist: %d training images", tr.N)
	}
	// A folder missing a file: bad input naming the file and the command to fetch it again.
	os.Remove(filepath.Join(env, "mnist", "t10k-labels-idx1-ubyte"))
	_, err = Setup(context.Background(), noPath, Limits{})
	if !errors.Is(err, report.ErrBadInput) || !strings.Contains(err.Error(), "t10k-labels-idx1-ubyte") || !strings.Contains(err.Error(), "optimbench data get mnist") {
		t.Errorf("missing file: %v", err)
	}
	_, err = Setup(context.Background(), decode("data: {source: mnist, path: nowhere/mnist}\nmodel: {}\noptimizer: {name: adam}\n"), Limits{})
	if !errors.Is(err, report.ErrBadInput) || !strings.Contains(err.Error(), "nowhere/mnist") {
		t.Errorf("absent path: %v", err)
	}
}

// dense returns a float64 copy of a byte set.
func dense(s *data.Set) *data.Set {
	if s == nil {
		return nil
	}
	d := *s
	d.X = make([]float64, s.N*s.D)
	s.Gather(seqIdx(s.N), d.X, make([]float64, s.N))
	d.Pix, d.PixMax = nil, 0
	return &d
}

func seqIdx(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// Training on bytes gives exactly the metrics of training on the same pixels as float64,
// with and without shuffling (the unshuffled loop reads rows through Set.Rows).
func TestMNISTBytesMatchDense(t *testing.T) {
	dir := t.TempDir()
	writeTinyMNIST(t, dir, 70, 30)
	for _, shuffle := range []string{"true", "false"} {
		a := mnistRun(t, dir, "train.shuffle="+shuffle)
		b := mnistRun(t, dir, "train.shuffle="+shuffle)
		b.data.Train, b.data.Test = dense(b.data.Train), dense(b.data.Test)
		b.data.evalBuf = nil
		da, db := t.TempDir(), t.TempDir()
		runIn(t, a, da)
		runIn(t, b, db)
		x, y := stripSeconds(t, filepath.Join(da, "metrics.csv")), stripSeconds(t, filepath.Join(db, "metrics.csv"))
		if x != y {
			t.Errorf("shuffle %s: bytes and float64 differ:\n%s\n---\n%s", shuffle, x, y)
		}
	}
}

// The training loop on a byte set allocates nothing per step: a run of 16 steps per epoch
// makes as many allocations as a run of one (same epochs, same evaluations).
func TestMNISTLoopAllocations(t *testing.T) {
	dir := t.TempDir()
	writeTinyMNIST(t, dir, 64, 16)
	for _, shuffle := range []string{"true", "false"} {
		allocs := func(batch string) uint64 {
			r := mnistRun(t, dir, "train.epochs=10", "train.shuffle="+shuffle, "train.batch_size="+batch)
			out := t.TempDir()
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			runIn(t, r, out)
			runtime.ReadMemStats(&after)
			return after.Mallocs - before.Mallocs
		}
		one, many := allocs("64"), allocs("4")
		t.Logf("shuffle %s: allocs %d (10 steps) vs %d (160 steps)", shuffle, one, many)
		if many > one+20 {
			t.Errorf("shuffle %s: 160 steps made %d allocations, 10 steps %d", shuffle, many, one)
		}
	}
}

// The runs of one process (a sweep's) share the image sets instead of each
// reading its own copy; files fetched again are read again.
func TestMNISTShared(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mnist")
	os.MkdirAll(dir, 0o755)
	writeTinyMNIST(t, dir, 30, 10)
	c, err := config.Decode(parse(t, "data: {source: mnist, path: "+dir+"}\nmodel: {}\noptimizer: {name: adam}\ntrain: {epochs: 1}\n"), "m.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a, err := Setup(context.Background(), c, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Setup(context.Background(), c, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	atrain, atest := a.Data()
	btrain, btest := b.Data()
	if atrain != btrain || atest != btest {
		t.Error("two runs on the same files read two copies")
	}
	writeTinyMNIST(t, dir, 20, 10) // fetched again, different files
	d, err := Setup(context.Background(), c, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if dtrain, _ := d.Data(); dtrain.N != 20 {
		t.Errorf("after the files changed: %d training images, want 20", dtrain.N)
	}
}
